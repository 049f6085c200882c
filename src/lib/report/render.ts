import type { BarsChart, Chart, ColumnsChart } from '../io/chart.js';
import { pricesLabel } from '../context/prices.js';
import { formatDuration, formatTime, zoneOf } from '../io/format.js';
import { compactArn, modelIdForms } from '../io/model-id.js';
import { formatMoney, formatRatio } from '../io/numbers.js';
import { renderViewHtml } from '../io/html.js';
import { renderViewCsv, renderViewMarkdown, renderViewText, type BarStyle } from '../io/view-text.js';
import type { Line, Value, View, ViewColumn, ViewRow, ViewSection, ViewTable } from '../io/view.js';
import { figure, METRIC_FIGURES, metricsTotalRow, othersRow, withErrors } from './columns.js';
import { quotaSection } from './quota-render.js';
import { SUM_FIELDS, type DayRow, type ModelRow, type Report, type SumField } from './types.js';

/**
 * The metrics report's view: the models table, the per-day (week, month) table, rates and
 * projections, and quota headroom, drawn by the one renderer of each format (io/view-text.ts,
 * io/html.ts). The table fits a terminal's width; CSV, markdown, HTML and JSON carry everything.
 */

export interface RenderOptions {
  /** Terminal width; undefined when the output is not a terminal (nothing is left out). */
  width?: number | undefined;
  /** --wide: no column is left out, even in a narrow terminal. */
  wide?: boolean;
  /** Bars per row (terminal only). */
  bars?: BarStyle | undefined;
  /** Time zone for the headline (TZ); UTC when unset. */
  tz?: string | undefined;
  /** Emphasis for the totals row (bold in a colour terminal). */
  strong?: (s: string) => string;
  head?: (s: string) => string;
}

/** A model no price table knows is "unpriced"; the totals row counts the priced ones. */
const unpricedCost = (v: Value, row: ViewRow): string =>
  row.kind !== 'total' && row.cells.priced === false ? 'unpriced' : formatMoney(typeof v === 'number' ? v : null);

/** The metrics' figures, and the percentiles CloudWatch gives per model. IDs are shortened before any figure goes. */
const MODEL_COLUMNS: ViewColumn[] = [
  { key: 'modelId', head: 'MODEL', kind: 'key', priority: 0, shorter: modelIdForms, terminal: compactArn },
  ...METRIC_FIGURES,
  figure('latencyP50Ms', 'P50 MS', 11, { kind: 'ms' }),
  figure('latencyP90Ms', 'P90 MS', 12, { kind: 'ms' }),
  figure('latencyP99Ms', 'P99 MS', 10, { kind: 'ms' }),
  figure('timeToFirstTokenP50Ms', 'TTFT P50', 13, { kind: 'ms' }),
  figure('timeToFirstTokenP99Ms', 'TTFT P99', 14, { kind: 'ms' }),
  { key: 'priced', head: 'PRICED', kind: 'flag', priority: 0, only: 'data' },
  figure('costUsd', 'COST', 1, { kind: 'money', keep: true, show: unpricedCost }),
];

function periodColumns(unit: string): ViewColumn[] {
  const cap = unit[0]!.toUpperCase() + unit.slice(1);
  return [
    { key: unit, head: `${unit.toUpperCase()} (UTC)`, kind: 'key', priority: 0, wrap: true },
    { key: `${unit}Start`, head: 'START', kind: 'text', priority: 0, only: 'data' },
    { key: `${unit}End`, head: 'END', kind: 'text', priority: 0, only: 'data' },
    { key: `partial${cap}`, head: 'PARTIAL', kind: 'text', priority: 0, only: 'data' },
    figure('invocations', 'INVOCATIONS', 2, { keep: true }),
    figure('inputTokens', 'INPUT', 4, { keep: true }),
    figure('outputTokens', 'OUTPUT', 3, { keep: true }),
    figure('cacheReadTokens', 'CACHE READ', 6),
    figure('cacheWriteTokens', 'CACHE WRITE', 7),
    figure('errors', 'ERRORS', 5, { only: 'drawn' }),
    figure('clientErrors', 'CLIENT ERRORS', 0, { only: 'data' }),
    figure('serverErrors', 'SERVER ERRORS', 0, { only: 'data' }),
    figure('throttles', 'THROTTLES', 8),
    figure('costUsd', 'COST', 1, { kind: 'money', keep: true }),
  ];
}

/** "2026-11-21", or for a day the window covers in part "2026-11-21 from 10:17" / "2026-11-22 until 10:17". */
export function dayLabel(d: DayRow): string {
  if (!d.partial) return d.date;
  const from = d.start.slice(11, 16);
  const until = d.end.slice(11, 16);
  if (from !== '00:00' && d.end.slice(0, 10) > d.date) return `${d.date} from ${from}`;
  if (from === '00:00') return `${d.date} until ${until}`;
  return `${d.date} ${from}–${until}`;
}

/** "2026-W47 (from 2026-11-16)" style labels for weeks; months as YYYY-MM; "(part)" when the window cuts it. */
function periodLabel(d: DayRow, unit: string): string {
  if (unit === 'day') return dayLabel(d);
  return `${d.date}${d.partial ? ' (part)' : ''}`;
}

/** The sum of the day rows: the totals row of the per-day table. */
export function dayTotals(days: DayRow[]): Record<SumField, number> & { costUsd: number } {
  const t = Object.fromEntries(SUM_FIELDS.map((k) => [k, days.reduce((a, d) => a + d[k], 0)])) as Record<
    SumField,
    number
  >;
  return { ...t, costUsd: Math.round(days.reduce((a, d) => a + d.costUsd, 0) * 1e6) / 1e6 };
}

export function headline(report: Report, tz: string | undefined): string {
  const length = formatDuration(new Date(report.window.end).getTime() - new Date(report.window.start).getTime());
  return (
    `Bedrock usage in ${report.region}, ${formatTime(report.window.start, tz)} → ` +
    `${formatTime(report.window.end, tz)} ${zoneOf(tz)} (${length})`
  );
}

export function summaryPairs(report: Pick<Report, 'totals' | 'projection'>): Line[] {
  const t = report.totals;
  return [
    ['Error rate', formatRatio(t.errorRate)],
    ['Throttle rate', formatRatio(t.throttleRate)],
    ['Cost per 1,000 invocations', `${formatMoney(t.costPer1000InvocationsUsd)} (estimate)`],
    [
      'Projected monthly cost',
      `${formatMoney(report.projection.monthlyCostUsd)} (per hour × ${report.projection.hoursPerMonth}, estimate)`,
    ],
  ];
}

function pricesLine(report: Report): string {
  const n = report.totals.unpricedModels.length;
  const unpriced = n ? `; ${n} unpriced model${n === 1 ? '' : 's'} not in totals` : '';
  return `Estimates from ` + `${pricesLabel(report.prices.table)} ` + `${report.prices.date}${unpriced}.`;
}

export function noDataLine(report: Report, tz: string | undefined): string {
  return (
    `No Amazon Bedrock usage in ${report.region} between ${formatTime(report.window.start, tz)} and ` +
    `${formatTime(report.window.end, tz)} ${zoneOf(tz)}.`
  );
}

function modelTable(report: Report): ViewTable {
  return {
    columns: MODEL_COLUMNS,
    rows: [
      ...report.models.map((m: ModelRow) => ({ kind: 'model', cells: withErrors({ ...m }) })),
      ...(report.others ? [othersRow(report.others)] : []),
    ],
    total: metricsTotalRow(report.totals),
    bar: { key: 'costUsd', mode: 'share' },
  };
}

export function periodTable(rows: DayRow[], unit: string): ViewTable {
  const total = dayTotals(rows);
  const cap = unit[0]!.toUpperCase() + unit.slice(1);
  return {
    columns: periodColumns(unit).map((c) => (c.key === unit ? { ...c, show: (_v, r) => String(r.cells.label) } : c)),
    rows: rows.map((d) => ({
      kind: unit,
      cells: withErrors({
        ...d,
        [unit]: d.date,
        label: periodLabel(d, unit),
        [`${unit}Start`]: d.start,
        [`${unit}End`]: d.end,
        [`partial${cap}`]: d.partial,
      }),
    })),
    // One totals row in CSV (the models table's); this one is drawn only.
    total: { kind: 'total', label: 'TOTAL', cells: withErrors({ ...total }) },
    csvTotal: false,
    bar: { key: 'costUsd', mode: 'series' },
  };
}

function charts(report: Report): { models: Chart[]; periods: Chart[] } {
  const models: BarsChart = {
    type: 'bars',
    title: 'Estimated cost by model',
    desc: `Estimated cost of each model in the window${report.others ? ', the rest summed as others' : ''}.`,
    unit: 'money',
    bars: [
      ...report.models.map((m) => ({
        label: m.modelId,
        value: m.costUsd ?? 0,
        ...(m.priced ? {} : { text: 'unpriced' }),
      })),
      ...(report.others ? [{ label: `others (${report.others.groups})`, value: report.others.costUsd ?? 0 }] : []),
    ],
  };
  const rows = report.periods?.rows ?? report.days ?? [];
  const unit = report.periods?.unit ?? 'day';
  const spend: ColumnsChart = {
    type: 'columns',
    title: `Estimated cost per ${unit}`,
    desc: `Estimated cost of all models per ${unit} (UTC) over the window.`,
    unit: 'money',
    categories: rows.map((d) => d.date),
    series: [{ name: 'all models', values: rows.map((d) => d.costUsd) }],
  };
  return { models: [models], periods: rows.length ? [spend] : [] };
}

/** The report as a View: what every format draws. */
export function reportView(report: Report, tz?: string): View {
  const c = charts(report);
  const sections: ViewSection[] = [{ table: modelTable(report), charts: c.models }];
  const periods = report.periods ? { rows: report.periods.rows, unit: report.periods.unit } : undefined;
  const series = periods ?? (report.days ? { rows: report.days, unit: 'day' } : undefined);
  if (series) sections.push({ table: periodTable(series.rows, series.unit), charts: c.periods });
  sections.push({ lines: [...summaryPairs(report), pricesLine(report)] });
  if (report.quotas) sections.push(quotaSection(report.quotas));
  return {
    title: headline(report, tz),
    context: { region: report.region, windowStart: report.window.start, windowEnd: report.window.end },
    sections,
    empty: noDataLine(report, tz),
    warnings: report.warnings,
  };
}

/** The human report: headline, the models table, the per-day table, rates and projections, quotas. */
export function renderReportTable(report: Report, opts: RenderOptions = {}): string {
  return renderViewText(reportView(report, opts.tz), opts);
}

/**
 * CSV, one record per line, every line self-describing: `kind` says what a row is (`model`, `others`,
 * `day`/`week`/`month`, or `total`, the one totals row), and every row carries the Region and the window,
 * so that files from several runs can be concatenated.
 */
export function renderCsv(report: Report): string {
  return renderViewCsv(reportView(report));
}

/** Markdown: a heading, tables, the rates as a list, and warnings as a list; valid with no data too. */
export function renderMarkdown(report: Report, tz: string | undefined): string {
  return renderViewMarkdown(reportView(report, tz));
}

/** One self-contained HTML file. */
export function renderHtml(report: Report, tz: string | undefined): string {
  return renderViewHtml(reportView(report, tz));
}
