import { stringify } from 'csv-stringify/sync';
import type { Chart, ColumnsChart } from '../io/chart.js';
import { renderViewHtml } from '../io/html.js';
import { formatTime, zoneOf } from '../io/format.js';
import type { Output } from '../io/output.js';
import type { Value, View, ViewColumn, ViewSection, ViewTable } from '../io/view.js';
import { GROUP_FIELD, type AuditResult, type AuditRow, type GroupBy } from './types.js';

/** The audit's human views (table, CSV, Markdown), all drawn from the --json data. */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const KEY_HEAD: Record<GroupBy, string> = {
  principal: 'PRINCIPAL',
  role: 'ROLE',
  event: 'EVENT',
  'source-ip': 'SOURCE IP',
  error: 'ERROR',
  account: 'ACCOUNT',
  region: 'REGION',
};

/** An ARN is shown by its resource part (`role/App`, `user/alice`); JSON and CSV keep it whole. */
export function displayKey(groupBy: GroupBy, v: string | null | undefined): string {
  if (v === null || v === undefined) return groupBy === 'error' ? '(no error)' : '(none)';
  const arn = /^arn:[^:]+:(?:iam|sts)::\d*:(.+)$/.exec(v);
  return arn ? arn[1]! : v;
}

function listCell(items: string[], max = 2): string {
  if (items.length === 0) return '-';
  return items.length > max ? `${items.slice(0, max).join(', ')} +${items.length - max}` : items.join(', ');
}

function eventsCell(names: Record<string, number>, max = 1): string {
  const e = Object.entries(names);
  const shown = e.slice(0, max).map(([n, c]) => `${n} ${int.format(c)}`);
  return e.length > max ? `${shown.join(', ')} +${e.length - max}` : shown.join(', ');
}

interface Column {
  head: string;
  /** Lower is more important: columns go from the highest number down until the table fits. */
  priority: number;
  right?: boolean;
  cell(r: AuditRow): string;
}

/** Where the calls were made, when the rows span several accounts or Regions (and --by does not say it already). */
function whereColumns(r: AuditResult): Column[] {
  const several = (pick: (row: AuditRow) => string[]): boolean => new Set(r.rows.flatMap(pick)).size > 1;
  return [
    ...(r.groupBy !== 'account' && several((row) => row.accounts)
      ? [{ head: 'ACCOUNTS', priority: 4, cell: (row: AuditRow) => listCell(row.accounts) }]
      : []),
    ...(r.groupBy !== 'region' && several((row) => row.regions)
      ? [{ head: 'REGIONS', priority: 4, cell: (row: AuditRow) => listCell(row.regions) }]
      : []),
  ];
}

function columns(groupBy: GroupBy, tz: string | undefined, where: Column[] = []): Column[] {
  const field = GROUP_FIELD[groupBy];
  // Under --by role, a session of the row's role by its session name (`jane@example.com`): the row names the role.
  const session = (r: AuditRow, p: string): string =>
    groupBy === 'role' && r.role && p.startsWith(`${r.role}/`)
      ? p.slice(r.role.length + 1)
      : displayKey('principal', p);
  const principals = (r: AuditRow): string => listCell(r.principals.map((p) => session(r, p)));
  return [
    { head: KEY_HEAD[groupBy], priority: 0, cell: (r) => displayKey(groupBy, r[field]) },
    ...where,
    { head: 'CALLS', priority: 1, right: true, cell: (r) => int.format(r.calls) },
    { head: 'ERRORS', priority: 4, right: true, cell: (r) => int.format(r.errors) },
    { head: 'DENIED', priority: 2, right: true, cell: (r) => int.format(r.accessDenied) },
    groupBy === 'principal'
      ? { head: 'EVENTS', priority: 6, cell: (r) => eventsCell(r.eventNames) }
      : { head: 'PRINCIPALS', priority: 6, cell: principals },
    groupBy === 'source-ip'
      ? { head: 'EVENTS', priority: 7, cell: (r) => eventsCell(r.eventNames) }
      : { head: 'SOURCE IPS', priority: 7, cell: (r) => listCell(r.sourceIps) },
    { head: 'FIRST SEEN', priority: 8, cell: (r) => formatTime(r.firstSeen, tz) },
    { head: 'LAST SEEN', priority: 5, cell: (r) => formatTime(r.lastSeen, tz) },
    { head: 'NEW', priority: 3, cell: (r) => (r.new === null ? '?' : r.new ? 'new' : '') },
  ];
}

function sourceText(r: AuditResult): string {
  return r.source.kind === 'trail'
    ? `from ${int.format(r.source.files)} CloudTrail files in ${r.source.location}`
    : 'from the CloudTrail event history';
}

/** `us-east-1`, or `us-east-1, eu-west-1 of accounts …`, or `every Region`. */
function scopeText(r: AuditResult): string {
  const regions = r.scope.regions ? r.scope.regions.join(', ') : 'every Region';
  if (!r.scope.accounts) return regions;
  return `${regions} of account${r.scope.accounts.length === 1 ? '' : 's'} ${r.scope.accounts.join(', ')}`;
}

export function headline(r: AuditResult, tz: string | undefined): string {
  return (
    `Bedrock calls in ${scopeText(r)}, ${formatTime(r.window.start, tz)} → ${formatTime(r.window.end, tz)} ` +
    `${zoneOf(tz)} (${r.window.hours} h), by ${r.groupBy}${r.deniedOnly ? ', refused calls only' : ''}, ` +
    `${sourceText(r)}`
  );
}

/** The records read but not counted, by reason and file (at most three named; --json lists them all). */
export function skippedLine(r: AuditResult): string | null {
  const { records, by } = r.skipped;
  if (records === 0) return null;
  const shown = by.slice(0, 3).map((x) => `${int.format(x.records)} in ${x.file}: ${x.reason}`);
  const more = by.length > 3 ? `; and ${by.length - 3} more (--json lists them under skipped)` : '';
  return (
    `Not counted: ${int.format(records)} record${records === 1 ? '' : 's'} in the window ` +
    `(${shown.join('; ')}${more}).`
  );
}

export function summaryLines(r: AuditResult): string[] {
  const t = r.totals;
  const kind =
    r.groupBy === 'principal'
      ? 'principal'
      : r.groupBy === 'event'
        ? 'event name'
        : r.groupBy === 'source-ip'
          ? 'source IP'
          : r.groupBy === 'error'
            ? 'error code'
            : r.groupBy;
  const fresh = r.previousWindow
    ? `${int.format(t.new)} ${kind}${t.new === 1 ? '' : 's'} new since the previous ${r.window.hours} h`
    : 'new: unknown (the previous window could not be read)';
  const lines = [
    `${int.format(t.calls)} calls, ${int.format(t.errors)} errors, ${int.format(t.accessDenied)} refused; ` +
      `${int.format(t.principals)} principals, ${int.format(t.sourceIps)} source IPs; ${fresh}.`,
  ];
  const skipped = skippedLine(r);
  if (skipped) lines.push(skipped);
  if (r.source.kind === 'event-history') {
    lines.push(
      'The event history holds management events only (InvokeModel, Converse and their streaming forms); ' +
        'agent, knowledge-base, guardrail, flow and async calls are data events: use --source trail.',
    );
  }
  return lines;
}

export function noCallsLine(r: AuditResult, tz: string | undefined): string {
  return (
    `No ${r.deniedOnly ? 'refused ' : ''}Bedrock calls in ${scopeText(r)} between ` +
    `${formatTime(r.window.start, tz)} and ${formatTime(r.window.end, tz)} ${zoneOf(tz)} (${sourceText(r)}).`
  );
}

/** The event history of several accounts: a row per account and Region, its calls or why it was not read. */
export function targetLines(r: AuditResult): { head: string[]; rows: string[][] } | undefined {
  if (!r.targets?.length) return undefined;
  return {
    head: ['ACCOUNT', 'REGION', 'CALLS', 'NOTE'],
    rows: r.targets.map((t) => [
      t.account,
      t.region,
      t.events === null ? '' : int.format(t.events),
      t.status === 'failed'
        ? `failed: ${t.error?.message ?? 'not read'}${t.error?.hint ? `. Fix: ${t.error.hint}` : ''}`
        : t.events === 0
          ? 'no Bedrock calls in the window'
          : '',
    ]),
  };
}

function printTargets(out: Output, r: AuditResult): void {
  const t = targetLines(r);
  if (!t) return;
  out.print('');
  out.say('Per account and Region (event history):');
  out.print('');
  out.print(
    out.fitTable({
      columns: t.head.map((head, i) => ({
        head,
        priority: 0,
        align: i === 2 ? ('right' as const) : ('left' as const),
        ...(i === 3 ? { wrap: true } : {}),
      })),
      rows: t.rows,
    }),
  );
}

export function renderAuditTable(out: Output, r: AuditResult): void {
  const tz = out.io.env.TZ;
  if (r.rows.length === 0) {
    out.say(noCallsLine(r, tz));
    printTargets(out, r);
    for (const l of summaryLines(r).slice(1)) out.say(l);
    return;
  }
  const cols = columns(r.groupBy, tz, whereColumns(r));
  const table = out.fitTable({
    columns: cols.map((c) => ({
      head: c.head,
      priority: c.priority,
      align: c.right ? ('right' as const) : ('left' as const),
      ...(c.priority === 0 ? { wrap: true } : {}),
    })),
    rows: r.rows.map((row) => cols.map((c) => c.cell(row))),
  });
  out.say(headline(r, tz));
  out.print('');
  out.print(table);
  printTargets(out, r);
  out.print('');
  for (const l of summaryLines(r)) out.say(l);
}

export function renderAuditCsv(r: AuditResult): string {
  const field = GROUP_FIELD[r.groupBy];
  const records = r.rows.map((row) => ({
    [field]: row[field] ?? '',
    calls: row.calls,
    errors: row.errors,
    accessDenied: row.accessDenied,
    eventNames: Object.entries(row.eventNames)
      .map(([n, c]) => `${n}=${c}`)
      .join(';'),
    sourceIps: row.sourceIps.join(';'),
    principals: row.principals.join(';'),
    accounts: row.accounts.join(';'),
    regions: row.regions.join(';'),
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    new: row.new === null ? '' : String(row.new),
  }));
  const cols = [
    field,
    'calls',
    'errors',
    'accessDenied',
    'eventNames',
    'sourceIps',
    'principals',
    'accounts',
    'regions',
    'firstSeen',
    'lastSeen',
    'new',
  ];
  return stringify(records, { header: true, columns: cols });
}

const esc = (s: string): string => s.replace(/\|/g, '\\|');

/** The event history's per-account-and-Region table in Markdown (none for one account). */
function targetsMarkdown(r: AuditResult): string[] {
  const t = targetLines(r);
  if (!t) return [];
  return [
    '',
    '**Per account and Region (event history)**',
    '',
    `| ${t.head.join(' | ')} |`,
    `| ${t.head.map((h) => (h === 'CALLS' ? '---:' : '---')).join(' | ')} |`,
    ...t.rows.map((row) => `| ${row.map(esc).join(' | ')} |`),
  ];
}

export function renderAuditMarkdown(r: AuditResult, tz: string | undefined): string {
  if (r.rows.length === 0)
    return `${[noCallsLine(r, tz), skippedLine(r) ?? [], ...targetsMarkdown(r)].flat().join('\n')}\n`;
  const cols = columns(r.groupBy, tz, whereColumns(r));
  const lines = [
    `### ${headline(r, tz)}`,
    '',
    `| ${cols.map((c) => c.head).join(' | ')} |`,
    `| ${cols.map((c) => (c.right ? '---:' : '---')).join(' | ')} |`,
  ];
  for (const row of r.rows) lines.push(`| ${cols.map((c) => esc(c.cell(row))).join(' | ')} |`);
  lines.push(...targetsMarkdown(r), '', ...summaryLines(r).map((l) => `${l}  `));
  return `${lines.join('\n')}\n`;
}

/* The audit's view (io/view.ts), drawn by the HTML renderer: calls over time stacked by the busiest values, the
 * refused and throttled calls by value, and the rows below, refused callers highlighted. */

const STACKED = 7;

/** Throttled calls per --by value, from the timeline (the rows count errors and refusals, not throttling). */
function throttledByKey(r: AuditResult): Map<string | null, number> {
  const m = new Map<string | null, number>();
  for (const p of r.timeline.periods) for (const g of p.groups) m.set(g.key, (m.get(g.key) ?? 0) + g.throttled);
  return m;
}

function periodLabel(r: AuditResult, start: string): string {
  return r.timeline.step === 'day' ? start.slice(0, 10) : start;
}

function callsOverTime(r: AuditResult): ColumnsChart {
  const field = GROUP_FIELD[r.groupBy];
  const top = r.rows.slice(0, STACKED).map((row) => row[field] ?? null);
  const series = top.map((key) => ({
    name: displayKey(r.groupBy, key),
    values: r.timeline.periods.map((p) => p.groups.find((g) => g.key === key)?.calls ?? 0),
  }));
  if (r.rows.length > STACKED)
    series.push({
      name: `others (${r.rows.length - STACKED})`,
      values: r.timeline.periods.map((p) =>
        p.groups.filter((g) => !top.includes(g.key)).reduce((n, g) => n + g.calls, 0),
      ),
    });
  return {
    type: 'columns',
    title: `${r.deniedOnly ? 'Refused calls' : 'Calls'} per ${r.timeline.step}, by ${r.groupBy}`,
    desc:
      `Bedrock calls in each ${r.timeline.step} of the window (UTC), stacked by ${r.groupBy}: the ` +
      `${Math.min(STACKED, r.rows.length)} busiest${r.rows.length > STACKED ? ', the rest as others' : ''}.`,
    unit: 'count',
    categories: r.timeline.periods.map((p) => periodLabel(r, p.start)),
    series,
  };
}

function refusedCharts(r: AuditResult, throttled: Map<string | null, number>): Chart[] {
  const field = GROUP_FIELD[r.groupBy];
  const refused = r.rows
    .map((row) => ({ row, denied: row.accessDenied, throttled: throttled.get(row[field] ?? null) ?? 0 }))
    .filter((x) => x.denied + x.throttled > 0)
    .sort((a, b) => b.denied + b.throttled - (a.denied + a.throttled));
  if (refused.length === 0) return [];
  return [
    {
      type: 'bars',
      title: `Refused and throttled calls, by ${r.groupBy}`,
      desc:
        'Calls refused (AccessDenied…, …UnauthorizedOperation) or throttled (ThrottlingException), ' +
        `per ${r.groupBy}.`,
      unit: 'count',
      bars: refused.slice(0, 15).map((x) => ({
        label: displayKey(r.groupBy, x.row[field]),
        value: x.denied + x.throttled,
        text: [
          x.denied ? `${int.format(x.denied)} refused` : '',
          x.throttled ? `${int.format(x.throttled)} throttled` : '',
        ]
          .filter(Boolean)
          .join(', '),
      })),
    },
    {
      type: 'columns',
      title: `Refused and throttled calls per ${r.timeline.step}`,
      desc: `Calls refused (access denied) and calls throttled in each ${r.timeline.step} of the window (UTC).`,
      unit: 'count',
      categories: r.timeline.periods.map((p) => periodLabel(r, p.start)),
      series: [
        { name: 'refused (access denied)', values: r.timeline.periods.map((p) => p.accessDenied) },
        { name: 'throttled', values: r.timeline.periods.map((p) => p.throttled) },
      ],
    },
  ];
}

function auditTable(r: AuditResult, tz: string | undefined, throttled: Map<string | null, number>): ViewTable {
  const field = GROUP_FIELD[r.groupBy];
  const time = (v: Value): string => (typeof v === 'string' ? formatTime(v, tz) : '');
  const columns: ViewColumn[] = [
    { key: field, head: KEY_HEAD[r.groupBy], kind: 'key', priority: 0, show: (v) => displayKey(r.groupBy, v as never) },
    { key: 'calls', head: 'CALLS', kind: 'count', priority: 1 },
    { key: 'errors', head: 'ERRORS', kind: 'count', priority: 4 },
    { key: 'accessDenied', head: 'REFUSED', kind: 'count', priority: 2 },
    { key: 'throttled', head: 'THROTTLED', kind: 'count', priority: 2 },
    { key: 'events', head: 'EVENTS', kind: 'text', priority: 6 },
    r.groupBy === 'principal'
      ? { key: 'sourceIps', head: 'SOURCE IPS', kind: 'text', priority: 7 }
      : { key: 'principals', head: 'PRINCIPALS', kind: 'text', priority: 6 },
    { key: 'lastSeen', head: 'LAST SEEN', kind: 'text', priority: 5, show: time },
    { key: 'new', head: 'NEW', kind: 'text', priority: 3 },
  ];
  return {
    columns,
    rows: r.rows.map((row) => {
      const t = throttled.get(row[field] ?? null) ?? 0;
      return {
        kind: row.accessDenied + t > 0 ? 'refused' : 'group',
        cells: {
          [field]: row[field] ?? null,
          calls: row.calls,
          errors: row.errors,
          accessDenied: row.accessDenied,
          throttled: t,
          events: eventsCell(row.eventNames, 3),
          sourceIps: listCell(row.sourceIps, 3),
          principals: listCell(
            row.principals.map((p) => displayKey('principal', p)),
            3,
          ),
          lastSeen: row.lastSeen,
          new: row.new === null ? '?' : row.new ? 'new' : '',
        },
      };
    }),
    total: {
      kind: 'total',
      label: 'TOTAL',
      cells: {
        calls: r.totals.calls,
        errors: r.totals.errors,
        accessDenied: r.totals.accessDenied,
        throttled: [...throttled.values()].reduce((n, x) => n + x, 0),
      },
    },
  };
}

function targetSection(r: AuditResult): ViewSection[] {
  const t = targetLines(r);
  if (!t) return [];
  const keys = ['account', 'region', 'calls', 'note'];
  return [
    {
      heading: 'Per account and Region (event history):',
      table: {
        noCsv: true,
        columns: t.head.map((head, i) => ({ key: keys[i]!, head, kind: i === 2 ? 'text' : 'key', priority: 0 })),
        rows: t.rows.map((cells) => ({
          kind: 'target',
          cells: Object.fromEntries(keys.map((k, i) => [k, cells[i]!])),
        })),
      },
    },
  ];
}

export function auditView(r: AuditResult, tz: string | undefined): View {
  const throttled = throttledByKey(r);
  const refused = refusedCharts(r, throttled);
  return {
    title: headline(r, tz),
    context: { region: r.region, window: `${r.window.start}/${r.window.end}` },
    sections: [
      { table: auditTable(r, tz, throttled), charts: [callsOverTime(r), ...refused.slice(0, 1)] },
      ...(refused.length > 1 ? [{ heading: 'Refused and throttled calls over time', charts: refused.slice(1) }] : []),
      ...targetSection(r),
      { lines: summaryLines(r) },
    ],
    empty: noCallsLine(r, tz),
    warnings: r.warnings,
  };
}

/** The audit as one self-contained HTML file (io/html.ts). */
export function renderAuditHtml(r: AuditResult, tz: string | undefined): string {
  return renderViewHtml(auditView(r, tz));
}
