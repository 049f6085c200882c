import type { Outcome, StatusRow } from '../aws/ensure.js';
import { brief, type Output } from '../io/output.js';

export function renderOutcomes(out: Output, outcomes: Outcome[]): void {
  const c = out.c;
  const colour = (a: Outcome['action']): string => {
    const padded = a.padEnd(13);
    if (a === 'created' || a === 'updated' || a === 'deleted') return c.green(padded);
    if (a.startsWith('would-')) return c.cyan(padded);
    if (a === 'skipped') return c.yellow(padded);
    return c.dim(padded);
  };
  const width = Math.max(...outcomes.map((o) => o.resource.length), 8);
  for (const o of outcomes) {
    out.print(`${colour(o.action)} ${o.resource.padEnd(width)}  ${o.name}${o.note ? c.dim(`  (${o.note})`) : ''}`);
    for (const ch of o.changes) out.print(`${' '.repeat(14)}${ch.field}: ${brief(ch.from)} → ${brief(ch.to)}`);
  }
}

export function renderStatus(out: Output, rows: StatusRow[]): void {
  const c = out.c;
  const label = (s: StatusRow['status']): string => (s === 'ok' ? c.green(s) : s === 'drifted' ? c.yellow(s) : c.red(s));
  out.print(
    out.table(
      ['RESOURCE', 'NAME', 'STATUS', 'DETAILS'],
      rows.map((r) => [r.resource, r.name, label(r.status), r.changes.map((ch) => ch.field).join(', ')]),
    ),
  );
  const bad = rows.filter((r) => r.status !== 'ok').length;
  out.print(bad ? `\n${bad} of ${rows.length} resources need attention; run the step that owns each (or setup-all).` : `\nAll ${rows.length} resources are as configured.`);
}
