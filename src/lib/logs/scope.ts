import type { OutsideTargets } from './aggregate.js';
import type { SqlTargets } from './sql.js';

/**
 * Which accounts and Regions a logs report covers, and where a log file was logged: Bedrock writes
 * `<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/…`, so a central
 * bucket (or a local copy of one) holding many accounts and Regions tells them apart by path. Files
 * of accounts or Regions outside the scope are left out and counted, never added to the report.
 */

export interface LogTarget {
  account: string;
  region: string;
}

/** The accounts and Regions whose records count; an absent list means any (e.g. `--regions all`). */
export type LogScope = SqlTargets;

const PATH_TARGET = /(?:^|\/)AWSLogs\/(\d{12})\/BedrockModelInvocationLogs\/([a-z0-9-]+)\//;

/** The account and Region of a log file's path (a key or a local path), when the path says. */
export function pathTarget(path: string): LogTarget | undefined {
  const m = PATH_TARGET.exec(path.replace(/\\/g, '/'));
  return m ? { account: m[1]!, region: m[2]! } : undefined;
}

export function inScope(t: LogTarget, scope: LogScope): boolean {
  return (
    (!scope.accounts || scope.accounts.includes(t.account)) && (!scope.regions || scope.regions.includes(t.region))
  );
}

/** Splits files by their path: those of the scope (or whose path does not say) and a tally of the others. */
export function splitByScope(
  paths: string[],
  scope: LogScope,
): { inside: string[]; outside: OutsideTargets; found: LogTarget[] } {
  const inside: string[] = [];
  const by = new Map<string, { account: string; region: string; files: number }>();
  const found = new Map<string, LogTarget>();
  let files = 0;
  for (const p of paths) {
    const t = pathTarget(p);
    if (t) found.set(`${t.account}/${t.region}`, t);
    if (!t || inScope(t, scope)) {
      inside.push(p);
      continue;
    }
    files++;
    const k = `${t.account}/${t.region}`;
    const e = by.get(k) ?? { ...t, files: 0 };
    e.files++;
    by.set(k, e);
  }
  const order = (a: LogTarget, b: LogTarget): number =>
    a.account.localeCompare(b.account) || a.region.localeCompare(b.region);
  return {
    inside,
    outside: { files, records: 0, by: [...by.values()].sort(order) },
    found: [...found.values()].sort(order),
  };
}

/** The accounts found in the paths of a tree. */
export function accountsIn(paths: string[]): string[] {
  return [...new Set(paths.flatMap((p) => pathTarget(p)?.account ?? []))].sort();
}

/** One sentence for what was left out, or nothing. */
export function outsideWarning(o: OutsideTargets, scope: LogScope): string | undefined {
  if (!o.files && !o.records) return undefined;
  const chosen = [
    scope.accounts ? `account${scope.accounts.length === 1 ? '' : 's'} ${scope.accounts.join(', ')}` : '',
    scope.regions ? `Region${scope.regions.length === 1 ? '' : 's'} ${scope.regions.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' in ');
  const where = o.by.map((b) => `${b.account} ${b.region}: ${b.files}`).join('; ');
  const parts = [
    o.files ? `${o.files} log file${o.files === 1 ? '' : 's'} of other accounts or Regions (${where})` : '',
    o.records ? `${o.records} record${o.records === 1 ? '' : 's'} whose accountId/region are not chosen` : '',
  ].filter(Boolean);
  return (
    `left out ${parts.join(' and ')}: the report covers ${chosen || 'the chosen targets'} only (choose others ` +
    `with --regions and --accounts)`
  );
}
