import type { Outcome } from '../aws/ensure.js';
import type { ErrorJson } from '../core/errors.js';
import type { FleetPlan } from '../context/targets.js';
import { count } from '../io/format.js';
import type { Output } from '../io/output.js';
import type { StatusLine } from '../setup/steps.js';

/**
 * The fleet view: one table with ACCOUNT and REGION columns and one summary line; its --json document
 * (docs/fleet.md, "JSON") carries `account` and `region` on every row.
 */

/** Which single-target document the targets return: status rows, or outcomes (setup-all, a step, cleanup). */
export type FleetView = 'status' | 'setup' | 'step' | 'cleanup';

export interface TargetRow {
  account: string;
  alias: string | null;
  region: string;
  /** `interrupted`: Ctrl-C (or SIGTERM) stopped it, before it started or half-way (its rows say what it did). */
  status: 'ok' | 'drifted' | 'failed' | 'interrupted';
  /** The target's own document, as the single-target command prints it (kept out of the fleet JSON). */
  data: unknown;
  error: ErrorJson | null;
  /** The target's warnings (what the single-target run would print as "warning:"). */
  warnings: string[];
}

export type FleetRow = Record<string, unknown> & { account: string; region: string };

export interface FleetData {
  accounts: string[];
  regions: string[];
  homeRegion: string;
  ok: boolean;
  summary: { targets: number; ok: number; drifted: number; failed: number; interrupted: number };
  targets: Omit<TargetRow, 'data'>[];
  rows: FleetRow[];
  skippedRegions: FleetPlan['skippedRegions'];
}

/** A repair command for one target: the single-target command, pointed at that account and Region. */
function targeted(repair: string | null, r: TargetRow): string | null {
  return repair ? `${repair} --accounts ${r.account} --regions ${r.region}` : null;
}

/** Every target's rows (status lines or outcomes), each with its account and Region. */
export function fleetRows(runs: TargetRow[], view: FleetView): FleetRow[] {
  return runs.flatMap((r): FleetRow[] => {
    const where = { account: r.account, region: r.region };
    if (view === 'status') {
      const rows = (r.data as { rows?: StatusLine[] } | null)?.rows ?? [];
      return rows.map((row) => ({ ...where, ...row, repair: targeted(row.repair, r) }));
    }
    const outcomes = (r.data as { outcomes?: Outcome[] } | null)?.outcomes ?? [];
    return outcomes.map((o) => ({ ...where, ...o }));
  });
}

const plural = (xs: string[], one: string): string => `${count(xs.length, one)} (${xs.join(', ')})`;

/** "2 accounts (111…, 222…) × 2 Regions (us-east-1, eu-west-1)": what a confirmation names. */
export function whereLine(plan: Pick<FleetPlan, 'targets'>): string {
  const accounts = [...new Set(plan.targets.map((t) => t.account))];
  const regions = [...new Set(plan.targets.map((t) => t.region))];
  return `${plural(accounts, 'account')} × ${plural(regions, 'Region')}`;
}

/** "3 created, 16 unchanged", and why anything was skipped. */
function actions(rows: FleetRow[]): string {
  const counts = new Map<string, number>();
  for (const o of rows) counts.set(String(o.action), (counts.get(String(o.action)) ?? 0) + 1);
  const notes = [
    ...new Set(rows.filter((r) => r.action === 'skipped' && typeof r.note === 'string').map((r) => String(r.note))),
  ];
  const summary = [...counts].map(([a, n]) => `${n} ${a}`).join(', ') || 'nothing to do';
  return notes.length ? `${summary} (${notes.join('; ')})` : summary;
}

/** Per target: its changes (setup, step, cleanup), or its resources that are not ok (status). */
function detail(view: FleetView, t: FleetData['targets'][number], rows: FleetRow[]): string[][] {
  // The fix is said once, under the table (in the error the run ends with). What a target did before it failed
  // or was interrupted is said with it: partial work is never hidden.
  const done = rows.filter((r) => typeof r.action === 'string' && r.action !== 'unchanged').length;
  if (t.error?.code === 'E_INTERRUPTED') return [[`${done ? actions(rows) : 'nothing changed'}; then interrupted`, '']];
  if (t.error) return [[done ? `${actions(rows)}; then: ${t.error.message}` : t.error.message, '']];
  if (view !== 'status') return [[actions(rows), '']];
  const bad = rows.filter((r) => r.status !== 'ok');
  if (!bad.length) return [[`all ${count(rows.length, 'resource')} ok`, '']];
  return bad.map((r) => [
    `${String(r.resource)} ${String(r.name)} ${String(r.status)}`,
    typeof r.repair === 'string' ? r.repair : '',
  ]);
}

export function renderFleet(out: Output, view: FleetView, data: FleetData): void {
  const rows: string[][] = [];
  for (const t of data.targets) {
    const mine = data.rows.filter((r) => r.account === t.account && r.region === t.region);
    const account = t.alias ? `${t.account} (${t.alias})` : t.account;
    for (const [what, fix] of detail(view, t, mine))
      rows.push([account, t.region, t.status, what!, ...(view === 'status' ? [fix!] : [])]);
  }
  out.print(
    out.fitTable({
      columns: [
        { head: 'ACCOUNT', priority: 0 },
        { head: 'REGION', priority: 0 },
        { head: 'RESULT', priority: 0, paint: (s) => paint(out, s) },
        { head: view === 'status' ? 'NOT OK' : 'DETAIL', priority: 0, wrap: true },
        ...(view === 'status' ? [{ head: 'REPAIR', priority: 1, wrap: true }] : []),
      ],
      rows,
    }),
  );
  for (const s of data.skippedRegions) out.say(`Skipped ${s.region}: ${s.reason}.`);
  for (const t of data.targets) for (const w of t.warnings) out.warn(`${t.account} ${t.region}: ${w}`);
  out.print('');
  out.say(summaryLine(view, data));
}

function paint(out: Output, s: string): string {
  if (s === 'ok') return out.c.green(s);
  return s === 'failed' ? out.c.red(s) : out.c.yellow(s);
}

export function summaryLine(view: FleetView, data: FleetData): string {
  const { summary: s } = data;
  const parts = [
    `${s.ok} ok`,
    ...(view === 'status' ? [`${s.drifted} drifted`] : []),
    `${s.failed} failed`,
    ...(s.interrupted ? [`${s.interrupted} interrupted`] : []),
  ];
  const n = (...actions: string[]): number => data.rows.filter((r) => actions.includes(String(r.action))).length;
  const writes =
    view === 'status'
      ? ''
      : view === 'cleanup'
        ? `; ${count(n('deleted'), 'resource')} deleted${n('would-delete') ? `, ${n('would-delete')} would be` : ''}`
        : `; ${count(n('created', 'updated'), 'resource')} created or updated` +
          (n('would-create', 'would-update') ? `, ${n('would-create', 'would-update')} would be` : '');
  return (
    `Fleet: ${count(s.targets, 'target')} (${count(data.accounts.length, 'account')} × ` +
    `${count(data.regions.length, 'Region')}): ${parts.join(', ')}${writes}.`
  );
}
