import { stringify } from 'csv-stringify/sync';
import type { Output } from '../io/output.js';
import type { DayRow, ModelRow, Report, Totals } from './types.js';

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const pct = (n: number | null): string => (n === null ? 'n/a' : `${(n * 100).toFixed(2)}%`);
const count = (n: number | null): string => (n === null ? 'n/a' : int.format(n));
const ms = (n: number | null): string => (n === null ? 'n/a' : int.format(Math.round(n)));
const money = (n: number | null, priced = true): string => (!priced ? 'unpriced' : n === null ? 'n/a' : usd.format(n));
const plus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

interface Column {
  head: string;
  /** Lower is more important; columns are dropped from the highest number down to fit the terminal. */
  priority: number;
  right: boolean;
  cell(r: ModelRow): string;
  total(rep: Report): string;
}

const COLUMNS: Column[] = [
  { head: 'MODEL', priority: 0, right: false, cell: (r) => displayModelId(r.modelId), total: () => 'TOTAL' },
  { head: 'INVOCATIONS', priority: 2, right: true, cell: (r) => count(r.invocations), total: (t) => count(t.totals.invocations) },
  { head: 'INPUT', priority: 3, right: true, cell: (r) => count(r.inputTokens), total: (t) => count(t.totals.inputTokens) },
  { head: 'OUTPUT', priority: 4, right: true, cell: (r) => count(r.outputTokens), total: (t) => count(t.totals.outputTokens) },
  { head: 'CACHE READ', priority: 8, right: true, cell: (r) => count(r.cacheReadTokens), total: (t) => count(t.totals.cacheReadTokens) },
  { head: 'CACHE WRITE', priority: 9, right: true, cell: (r) => count(r.cacheWriteTokens), total: (t) => count(t.totals.cacheWriteTokens) },
  { head: 'ERRORS', priority: 5, right: true, cell: (r) => count(plus(r.clientErrors, r.serverErrors)), total: (t) => count(plus(t.totals.clientErrors, t.totals.serverErrors)) },
  { head: 'THROTTLES', priority: 10, right: true, cell: (r) => count(r.throttles), total: (t) => count(t.totals.throttles) },
  { head: 'AVG MS', priority: 6, right: true, cell: (r) => ms(r.latencyAvgMs), total: (t) => ms(t.totals.latencyAvgMs) },
  { head: 'P50 MS', priority: 11, right: true, cell: (r) => ms(r.latencyP50Ms), total: () => '' },
  { head: 'P90 MS', priority: 12, right: true, cell: (r) => ms(r.latencyP90Ms), total: () => '' },
  { head: 'P99 MS', priority: 7, right: true, cell: (r) => ms(r.latencyP99Ms), total: () => '' },
  { head: 'TTFT P50', priority: 13, right: true, cell: (r) => ms(r.timeToFirstTokenP50Ms), total: () => '' },
  { head: 'TTFT P99', priority: 14, right: true, cell: (r) => ms(r.timeToFirstTokenP99Ms), total: () => '' },
  { head: 'COST', priority: 1, right: true, cell: (r) => money(r.costUsd, r.priced), total: (t) => money(t.totals.costUsd) },
];

const GAP = 2;

/** ARNs are shown by their resource part (the profile or model ID); JSON and CSV keep them whole. */
export function displayModelId(id: string): string {
  if (!id.startsWith('arn:')) return id;
  const resource = id.slice(id.indexOf(':', id.indexOf(':', id.indexOf(':', id.indexOf(':', id.indexOf(':') + 1) + 1) + 1) + 1) + 1);
  return `arn…${resource.slice(resource.indexOf('/'))}`;
}
const MODEL_MIN = 24;
/** Model IDs are shortened to this while choosing columns, so that more figures fit. */
const MODEL_FIT = 36;

function width(cells: string[][], col: number): number {
  return Math.max(...cells.map((row) => row[col]?.length ?? 0));
}

/** Picks the most valuable columns that fit, then shortens model IDs if they still do not. */
export function fitColumns(report: Report, columns: number): { cols: Column[]; modelWidth: number } {
  let cols = [...COLUMNS];
  const cellsFor = (cs: Column[]): string[][] => [cs.map((c) => c.head), ...report.models.map((r) => cs.map((c) => c.cell(r))), cs.map((c) => c.total(report))];
  const total = (cs: Column[], modelWidth: number): number => {
    const cells = cellsFor(cs);
    return cs.reduce((a, _c, i) => a + (i === 0 ? modelWidth : width(cells, i)), 0) + GAP * (cs.length - 1);
  };
  const naturalModel = width(cellsFor(cols), 0);
  while (cols.length > 3 && total(cols, Math.min(naturalModel, MODEL_FIT)) > columns) {
    const drop = cols.reduce((worst, c) => (c.priority > worst.priority ? c : worst));
    cols = cols.filter((c) => c !== drop);
  }
  const others = total(cols, 0);
  const modelWidth = Math.max(MODEL_MIN, Math.min(naturalModel, columns - others));
  return { cols, modelWidth };
}

function shorten(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function formatTime(iso: string, tz: string | undefined): string {
  const zone = tz && tz.length ? tz : 'UTC';
  try {
    const f = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false });
    return f.format(new Date(iso));
  } catch {
    return iso.slice(0, 16).replace('T', ' ');
  }
}

export function headline(report: Report, tz: string | undefined): string {
  const zone = tz && tz.length ? tz : 'UTC';
  return `Bedrock usage in ${report.region}, ${formatTime(report.window.start, tz)} → ${formatTime(report.window.end, tz)} ${zone} (${report.window.hours} h)`;
}

function summaryLines(report: Report): string[] {
  const t = report.totals;
  const rows: [string, string][] = [
    ['Error rate', pct(t.errorRate)],
    ['Throttle rate', pct(t.throttleRate)],
    ['Cost per 1,000 invocations', `${money(t.costPer1000InvocationsUsd)} (estimate)`],
    ['Projected monthly cost', `${money(report.projection.monthlyCostUsd)} (per hour × ${report.projection.hoursPerMonth}, estimate)`],
  ];
  const unpriced = t.unpricedModels ? `; ${t.unpricedModels} unpriced model${t.unpricedModels === 1 ? '' : 's'} not in totals` : '';
  return [...rows.map(([k, v]) => `${k.padEnd(28)}${v}`), `Estimates from ${report.prices.table === 'refreshed' ? 'AWS Price List prices fetched' : 'list prices of'} ${report.prices.date}${unpriced}.`];
}

export function noDataLine(report: Report, tz: string | undefined): string {
  return `No Amazon Bedrock usage in ${report.region} between ${formatTime(report.window.start, tz)} and ${formatTime(report.window.end, tz)} ${tz && tz.length ? tz : 'UTC'}.`;
}

export function renderTable(out: Output, report: Report): void {
  const tz = out.io.env.TZ;
  if (report.models.length === 0) {
    out.print(noDataLine(report, tz));
    return;
  }
  const { cols, modelWidth } = fitColumns(report, out.columns);
  const rows = report.models.map((r) => cols.map((c, i) => (i === 0 ? shorten(c.cell(r), modelWidth) : c.cell(r))));
  rows.push(cols.map((c) => out.c.bold(c.total(report))));
  out.print(headline(report, tz));
  out.print('');
  out.print(out.table(cols.map((c) => c.head), rows, cols.map((c, i) => (c.right ? i : -1)).filter((i) => i >= 0)));
  if (report.days) {
    out.print('');
    out.print(renderDaysTable(out, report.days));
  }
  out.print('');
  for (const l of summaryLines(report)) out.print(l);
}

function renderDaysTable(out: Output, days: DayRow[]): string {
  return out.table(
    ['DAY (UTC)', 'INVOCATIONS', 'INPUT', 'OUTPUT', 'CACHE READ', 'CACHE WRITE', 'ERRORS', 'COST'],
    days.map((d) => [d.date, count(d.invocations), count(d.inputTokens), count(d.outputTokens), count(d.cacheReadTokens), count(d.cacheWriteTokens), count(d.clientErrors + d.serverErrors), money(d.costUsd)]),
    [1, 2, 3, 4, 5, 6, 7],
  );
}

const CSV_FIELDS = [
  'modelId', 'invocations', 'inputTokens', 'outputTokens', 'cacheReadTokens', 'cacheWriteTokens', 'clientErrors', 'serverErrors', 'throttles',
  'latencyAvgMs', 'latencyP50Ms', 'latencyP90Ms', 'latencyP99Ms', 'timeToFirstTokenP50Ms', 'timeToFirstTokenP99Ms', 'priced', 'costUsd',
] as const satisfies readonly (keyof ModelRow)[];
type CsvRecord = Partial<Record<(typeof CSV_FIELDS)[number], unknown>>;

/** The totals row, by column name: sums, the weighted average latency, and whether everything was priced. */
function csvTotals(t: Totals): CsvRecord {
  const { invocations, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, clientErrors, serverErrors, throttles, latencyAvgMs, costUsd } = t;
  return { modelId: 'TOTAL', invocations, inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, clientErrors, serverErrors, throttles, latencyAvgMs, priced: t.unpricedModels === 0, costUsd };
}

export function renderCsv(report: Report): string {
  const records: CsvRecord[] = [...report.models, csvTotals(report.totals)];
  return stringify(records, { header: true, columns: [...CSV_FIELDS], cast: { boolean: (b) => String(b) } });
}

export function renderMarkdown(report: Report, tz: string | undefined): string {
  const lines = [`### ${headline(report, tz)}`, ''];
  if (report.models.length === 0) return `${noDataLine(report, tz)}\n`;
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  lines.push(`| ${COLUMNS.map((c) => c.head).join(' | ')} |`);
  lines.push(`| ${COLUMNS.map((c) => (c.right ? '---:' : '---')).join(' | ')} |`);
  for (const r of report.models) lines.push(`| ${COLUMNS.map((c) => esc(c.cell(r))).join(' | ')} |`);
  lines.push(`| ${COLUMNS.map((c) => `**${c.total(report)}**`.replace('****', '')).join(' | ')} |`);
  if (report.days) {
    lines.push('', '| DAY (UTC) | INVOCATIONS | INPUT | OUTPUT | CACHE READ | CACHE WRITE | ERRORS | COST |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const d of report.days) {
      lines.push(`| ${d.date} | ${count(d.invocations)} | ${count(d.inputTokens)} | ${count(d.outputTokens)} | ${count(d.cacheReadTokens)} | ${count(d.cacheWriteTokens)} | ${count(d.clientErrors + d.serverErrors)} | ${money(d.costUsd)} |`);
    }
  }
  lines.push('', ...summaryLines(report).map((l) => `${l}  `));
  return `${lines.join('\n')}\n`;
}
