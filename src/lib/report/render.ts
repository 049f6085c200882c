import { pricesLabel } from '../context/prices.js';
import { stringify } from 'csv-stringify/sync';
import { formatDuration, wrapWords } from '../io/format.js';
import { compactArn, modelIdForms } from '../io/model-id.js';
import { renderTable, type Column, type TableInput } from '../io/table.js';
import { SUM_FIELDS, type DayRow, type ModelRow, type Report, type SumField } from './types.js';

/**
 * The render stage: pure functions from a Report to text. The table fits a terminal's width (and is
 * never cut off a terminal); CSV, markdown and JSON always carry everything.
 */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const pct = (n: number | null): string => (n === null ? 'n/a' : `${(n * 100).toFixed(2)}%`);
const count = (n: number | null): string => (n === null ? 'n/a' : int.format(n));
const ms = (n: number | null): string => (n === null ? 'n/a' : int.format(Math.round(n)));
const money = (n: number | null, priced = true): string => (!priced ? 'unpriced' : n === null ? 'n/a' : usd.format(n));
const plus = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : a + b);

export interface RenderOptions {
  /** Terminal width; undefined when the output is not a terminal (nothing is left out). */
  width?: number | undefined;
  /** Time zone for the headline (TZ); UTC when unset. */
  tz?: string | undefined;
  /** Emphasis for the totals row (bold in a colour terminal). */
  strong?: (s: string) => string;
  head?: (s: string) => string;
}

interface ReportColumn extends Column {
  cell(r: ModelRow): string;
  total(rep: Report): string;
}

/** Lower priority numbers are worth more; `keep` columns go only after model IDs have been shortened. */
/** Figures align right; the first (label) column left. */
function aligned<T extends Column>(cols: T[]): T[] {
  return cols.map((c, i) => (i === 0 ? c : { ...c, align: 'right' }));
}

const MODEL_COLUMNS = aligned<ReportColumn>([
  { head: 'MODEL', priority: 0, shorter: modelIdForms, cell: (r) => r.modelId, total: () => 'TOTAL' },
  {
    head: 'INVOCATIONS',
    priority: 2,
    keep: true,
    cell: (r) => count(r.invocations),
    total: (t) => count(t.totals.invocations),
  },
  {
    head: 'INPUT',
    priority: 3,
    keep: true,
    cell: (r) => count(r.inputTokens),
    total: (t) => count(t.totals.inputTokens),
  },
  {
    head: 'OUTPUT',
    priority: 4,
    keep: true,
    cell: (r) => count(r.outputTokens),
    total: (t) => count(t.totals.outputTokens),
  },
  {
    head: 'CACHE READ',
    priority: 8,
    cell: (r) => count(r.cacheReadTokens),
    total: (t) => count(t.totals.cacheReadTokens),
  },
  {
    head: 'CACHE WRITE',
    priority: 9,
    cell: (r) => count(r.cacheWriteTokens),
    total: (t) => count(t.totals.cacheWriteTokens),
  },
  {
    head: 'ERRORS',
    priority: 5,
    cell: (r) => count(plus(r.clientErrors, r.serverErrors)),
    total: (t) => count(plus(t.totals.clientErrors, t.totals.serverErrors)),
  },
  { head: 'THROTTLES', priority: 10, cell: (r) => count(r.throttles), total: (t) => count(t.totals.throttles) },
  { head: 'AVG MS', priority: 6, cell: (r) => ms(r.latencyAvgMs), total: (t) => ms(t.totals.latencyAvgMs) },
  { head: 'P50 MS', priority: 11, cell: (r) => ms(r.latencyP50Ms), total: () => '' },
  { head: 'P90 MS', priority: 12, cell: (r) => ms(r.latencyP90Ms), total: () => '' },
  { head: 'P99 MS', priority: 7, cell: (r) => ms(r.latencyP99Ms), total: () => '' },
  { head: 'TTFT P50', priority: 13, cell: (r) => ms(r.timeToFirstTokenP50Ms), total: () => '' },
  { head: 'TTFT P99', priority: 14, cell: (r) => ms(r.timeToFirstTokenP99Ms), total: () => '' },
  {
    head: 'COST',
    priority: 1,
    keep: true,
    cell: (r) => money(r.costUsd, r.priced),
    total: (t) => money(t.totals.costUsd),
  },
]);

interface DayColumn extends Column {
  cell(d: DayRow): string;
}

const daySum = (k: SumField) => (d: DayRow) => count(d[k]);
const DAY_COLUMNS = aligned<DayColumn>([
  { head: 'DAY (UTC)', priority: 0, wrap: true, cell: (d) => dayLabel(d) },
  { head: 'INVOCATIONS', priority: 2, keep: true, cell: daySum('invocations') },
  { head: 'INPUT', priority: 3, keep: true, cell: daySum('inputTokens') },
  { head: 'OUTPUT', priority: 4, keep: true, cell: daySum('outputTokens') },
  { head: 'CACHE READ', priority: 6, cell: daySum('cacheReadTokens') },
  { head: 'CACHE WRITE', priority: 7, cell: daySum('cacheWriteTokens') },
  { head: 'ERRORS', priority: 5, cell: (d) => count(d.clientErrors + d.serverErrors) },
  { head: 'COST', priority: 1, keep: true, cell: (d) => money(d.costUsd) },
]);

/** "2026-11-21", or for a day the window covers in part "2026-11-21 from 10:17" / "2026-11-22 until 10:17". */
export function dayLabel(d: DayRow): string {
  if (!d.partial) return d.date;
  const from = d.start.slice(11, 16);
  const until = d.end.slice(11, 16);
  if (from !== '00:00' && d.end.slice(0, 10) > d.date) return `${d.date} from ${from}`;
  if (from === '00:00') return `${d.date} until ${until}`;
  return `${d.date} ${from}–${until}`;
}

/** The sum of the day rows: the totals row of the per-day table. */
export function dayTotals(days: DayRow[]): Record<SumField, number> & { costUsd: number } {
  const t = Object.fromEntries(SUM_FIELDS.map((k) => [k, days.reduce((a, d) => a + d[k], 0)])) as Record<
    SumField,
    number
  >;
  return { ...t, costUsd: Math.round(days.reduce((a, d) => a + d.costUsd, 0) * 1e6) / 1e6 };
}

function zoneOf(tz: string | undefined): string {
  return tz && tz.length ? tz : 'UTC';
}

function formatTime(iso: string, tz: string | undefined): string {
  try {
    const f = new Intl.DateTimeFormat('sv-SE', {
      timeZone: zoneOf(tz),
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    return f.format(new Date(iso));
  } catch {
    return iso.slice(0, 16).replace('T', ' ');
  }
}

export function headline(report: Report, tz: string | undefined): string {
  const length = formatDuration(new Date(report.window.end).getTime() - new Date(report.window.start).getTime());
  return (
    `Bedrock usage in ${report.region}, ${formatTime(report.window.start, tz)} → ` +
    `${formatTime(report.window.end, tz)} ${zoneOf(tz)} (${length})`
  );
}

const KEY_WIDTH = 28;

function summaryPairs(report: Report): [string, string][] {
  const t = report.totals;
  return [
    ['Error rate', pct(t.errorRate)],
    ['Throttle rate', pct(t.throttleRate)],
    ['Cost per 1,000 invocations', `${money(t.costPer1000InvocationsUsd)} (estimate)`],
    [
      'Projected monthly cost',
      `${money(report.projection.monthlyCostUsd)} (per hour × ${report.projection.hoursPerMonth}, estimate)`,
    ],
  ];
}

function pricesLine(report: Report): string {
  const n = report.totals.unpricedModels;
  const unpriced = n ? `; ${n} unpriced model${n === 1 ? '' : 's'} not in totals` : '';
  return `Estimates from ` + `${pricesLabel(report.prices.table)} ` + `${report.prices.date}${unpriced}.`;
}

export function noDataLine(report: Report, tz: string | undefined): string {
  return (
    `No Amazon Bedrock usage in ${report.region} between ${formatTime(report.window.start, tz)} and ` +
    `${formatTime(report.window.end, tz)} ${zoneOf(tz)}.`
  );
}

/** The models table; `terminal` shows ARNs by their resource part (pipes and files get them whole). */
function modelTable(report: Report, terminal = false): TableInput {
  const cell = (c: ReportColumn, r: ModelRow): string =>
    terminal && c.head === 'MODEL' ? compactArn(r.modelId) : c.cell(r);
  return {
    columns: MODEL_COLUMNS,
    rows: report.models.map((r) => MODEL_COLUMNS.map((c) => cell(c, r))),
    footer: [MODEL_COLUMNS.map((c) => c.total(report))],
  };
}

function daysTable(days: DayRow[]): TableInput {
  const t = dayTotals(days);
  const total = { ...t, date: 'TOTAL', start: '', end: '', partial: false } as DayRow;
  return {
    columns: DAY_COLUMNS,
    rows: days.map((d) => DAY_COLUMNS.map((c) => c.cell(d))),
    footer: [DAY_COLUMNS.map((c) => (c.head.startsWith('DAY') ? 'TOTAL' : c.cell(total)))],
  };
}

/** The human report: headline, the models table, the per-day table, then rates and projections. */
export function renderReportTable(report: Report, opts: RenderOptions = {}): string {
  const prose = (text: string, hang = 0): string[] => wrapWords(text, opts.width, hang);
  if (report.models.length === 0) return `${prose(noDataLine(report, opts.tz)).join('\n')}\n`;
  const style = { footer: opts.strong, head: opts.head };
  const parts = [
    ...prose(headline(report, opts.tz)),
    '',
    renderTable(modelTable(report, opts.width !== undefined), opts.width, style),
  ];
  if (report.days) parts.push('', renderTable(daysTable(report.days), opts.width, style));
  parts.push(
    '',
    ...summaryPairs(report).flatMap(([k, v]) => prose(`${k.padEnd(KEY_WIDTH)}${v}`, KEY_WIDTH)),
    ...prose(pricesLine(report)),
  );
  return `${parts.join('\n')}\n`;
}

const CSV_FIGURES = [
  'invocations',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'clientErrors',
  'serverErrors',
  'throttles',
  'latencyAvgMs',
  'latencyP50Ms',
  'latencyP90Ms',
  'latencyP99Ms',
  'timeToFirstTokenP50Ms',
  'timeToFirstTokenP99Ms',
  'priced',
  'costUsd',
] as const satisfies readonly (keyof ModelRow)[];

/**
 * CSV, one record per line, every line self-describing: `kind` says what a row is (`model`, `day`
 * with --by day, or `total`, the marked totals row, always last), and every row carries the Region
 * and the window, so that files from several runs can be concatenated.
 */
export function renderCsv(report: Report): string {
  const byDay = report.days !== undefined;
  const columns = [
    'kind',
    'region',
    'windowStart',
    'windowEnd',
    ...(byDay ? ['day', 'dayStart', 'dayEnd', 'partialDay'] : []),
    'modelId',
    ...CSV_FIGURES,
  ];
  const base = { region: report.region, windowStart: report.window.start, windowEnd: report.window.end };
  const t = report.totals;
  const records: Record<string, unknown>[] = [
    ...report.models.map((m) => ({ kind: 'model', ...base, ...m })),
    ...(report.days ?? []).map((d) => ({
      kind: 'day',
      ...base,
      day: d.date,
      dayStart: d.start,
      dayEnd: d.end,
      partialDay: d.partial,
      ...pickSums(d),
      costUsd: d.costUsd,
    })),
    {
      kind: 'total',
      ...base,
      ...pickSums(t),
      latencyAvgMs: t.latencyAvgMs,
      priced: t.unpricedModels === 0,
      costUsd: t.costUsd,
    },
  ];
  return stringify(records, { header: true, columns, cast: { boolean: (b) => String(b) } });
}

function pickSums(o: Record<SumField, number | null>): Record<SumField, number | null> {
  return Object.fromEntries(SUM_FIELDS.map((k) => [k, o[k]])) as Record<SumField, number | null>;
}

const esc = (s: string): string => s.replace(/\|/g, '\\|');

function markdownTable(input: TableInput): string[] {
  const cols = input.columns;
  const line = (cells: string[]): string => `| ${cells.map((c) => esc(c)).join(' | ')} |`;
  return [
    line(cols.map((c) => c.head)),
    `| ${cols.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`,
    ...input.rows.map(line),
    ...(input.footer ?? []).map((r) => line(r.map((c) => (c ? `**${c}**` : '')))),
  ];
}

/** Markdown: a heading, tables, the rates as a list, and warnings as a list; valid with no data too. */
export function renderMarkdown(report: Report, tz: string | undefined): string {
  const lines = [`### ${headline(report, tz)}`, ''];
  if (report.models.length === 0) {
    lines.push(noDataLine(report, tz));
  } else {
    lines.push(...markdownTable(modelTable(report)));
    if (report.days) lines.push('', ...markdownTable(daysTable(report.days)));
    lines.push('', ...summaryPairs(report).map(([k, v]) => `- ${k}: ${v}`), '', pricesLine(report));
  }
  if (report.warnings.length) lines.push('', '**Warnings**', '', ...report.warnings.map((w) => `- ${esc(w)}`));
  return `${lines.join('\n')}\n`;
}
