import type { BarsChart } from '../io/chart.js';
import { formatDuration, formatTime, zoneOf } from '../io/format.js';
import { compactArn, modelIdForms } from '../io/model-id.js';
import { formatCount, formatMoney } from '../io/numbers.js';
import { renderViewText } from '../io/view-text.js';
import type { Line, Value, View, ViewColumn, ViewRow, ViewSection, ViewTable } from '../io/view.js';
import type { FleetMetricsReport, FleetMetricsRow } from './fleet-metrics-compute.js';
import { tablesText } from './logs-render.js';
import { periodTable, summaryPairs, type RenderOptions } from './render.js';
import { figure, METRIC_FIGURES, metricsTotalRow, othersRow, withErrors } from './columns.js';
import { fleetQuotaSection } from './quota-render.js';

/**
 * The metrics report over many targets as a View: the merged table (ACCOUNT, REGION, MODEL as grouped), the
 * per-day (week, month) table of the fleet, one row per account and Region (no data, or failed with the fix), the
 * fleet's rates and projection. Drawn by the one renderer of each format.
 */

const partlyPriced = (row: ViewRow): boolean => row.kind !== 'total' && row.cells.priced === false;
/** A row none of whose models is priced is "unpriced"; one with some unpriced models has a `*`. */
const cost = (v: Value, row: ViewRow): string =>
  v === null
    ? row.kind !== 'total' && row.cells.priced === false
      ? 'unpriced'
      : formatMoney(null)
    : `${formatMoney(typeof v === 'number' ? v : null)}${partlyPriced(row) ? '*' : ''}`;

function groupColumns(rep: FleetMetricsReport): ViewColumn[] {
  const cols: ViewColumn[] = [];
  if (rep.groupBy.includes('account')) cols.push({ key: 'account', head: 'ACCOUNT', kind: 'key', priority: 0 });
  if (rep.groupBy.includes('region')) cols.push({ key: 'region', head: 'REGION', kind: 'key', priority: 0 });
  if (rep.groupBy.includes('model'))
    cols.push({ key: 'modelId', head: 'MODEL', kind: 'key', priority: 0, shorter: modelIdForms, terminal: compactArn });
  return cols;
}

const FIGURES: ViewColumn[] = [
  ...METRIC_FIGURES,
  { key: 'priced', head: 'PRICED', kind: 'flag', priority: 0, only: 'data' },
  figure('costUsd', 'COST', 1, { kind: 'money', keep: true, show: cost }),
];

function mainTable(rep: FleetMetricsReport): ViewTable {
  return {
    columns: [...groupColumns(rep), ...FIGURES],
    rows: [
      ...rep.rows.map((r: FleetMetricsRow) => ({ kind: 'group', cells: withErrors({ ...r }) })),
      ...(rep.others ? [othersRow(rep.others)] : []),
    ],
    total: metricsTotalRow(rep.totals),
    bar: { key: 'costUsd', mode: 'share' },
  };
}

/** One row per account and Region: its share, "no data in the window", or "failed: reason" and the fix. */
function targetsTable(rep: FleetMetricsReport): ViewTable {
  const only = (v: Value, row: ViewRow): string =>
    row.cells.status !== 'data' ? '' : formatCount(typeof v === 'number' ? v : null);
  return {
    noCsv: true,
    columns: [
      { key: 'account', head: 'ACCOUNT', kind: 'key', priority: 0 },
      { key: 'region', head: 'REGION', kind: 'key', priority: 0 },
      { key: 'invocations', head: 'INVOCATIONS', kind: 'count', priority: 0, show: only },
      { key: 'inputTokens', head: 'INPUT', kind: 'count', priority: 3, show: only },
      { key: 'outputTokens', head: 'OUTPUT', kind: 'count', priority: 2, show: only },
      {
        key: 'costUsd',
        head: 'COST',
        kind: 'money',
        priority: 1,
        show: (v, row) => (row.cells.status === 'data' ? formatMoney(typeof v === 'number' ? v : null) : ''),
      },
      { key: 'note', head: 'NOTE', kind: 'text', priority: 0, wrap: true },
    ],
    rows: rep.targets.map((t) => ({
      kind: 'target',
      cells: {
        account: t.account,
        region: t.region,
        status: t.status,
        invocations: t.invocations,
        inputTokens: t.inputTokens,
        outputTokens: t.outputTokens,
        costUsd: t.costUsd,
        note:
          t.status === 'no data'
            ? 'no data in the window'
            : t.status === 'failed'
              ? `failed: ${t.error?.message ?? 'not read'}${t.error?.hint ? `. Fix: ${t.error.hint}` : ''}`
              : '',
      },
    })),
  };
}

const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "Fleet: 6 targets (3 accounts × 2 Regions): 4 with data, 1 without data in the window, 1 failed." */
export function fleetLine(rep: FleetMetricsReport): string {
  const n = (s: string): number => rep.targets.filter((t) => t.status === s).length;
  const { accounts, regions } = rep.scope;
  return (
    `Fleet: ${count(rep.targets.length, 'target')} (${count(accounts.length, 'account')} × ` +
    `${count(regions.length, 'Region')}): ${n('data')} with data, ${n('no data')} without data in the window, ` +
    `${n('failed')} failed.`
  );
}

function summary(rep: FleetMetricsReport): Line[] {
  const u = rep.totals.unpricedModels.length;
  const unpriced = u ? `; ${count(u, 'unpriced model')} not in totals` : '';
  const skipped = rep.skippedRegions.length
    ? [`Regions left out: ${rep.skippedRegions.map((s) => `${s.region} (${s.reason})`).join(', ')}.`]
    : [];
  return [...summaryPairs(rep), `Estimates from ${tablesText(rep.prices)}${unpriced}.`, fleetLine(rep), ...skipped];
}

function headline(rep: FleetMetricsReport, tz: string | undefined): string {
  const { start, end } = rep.window;
  const length = formatDuration(new Date(end).getTime() - new Date(start).getTime());
  return (
    `Bedrock usage in ${count(rep.scope.accounts.length, 'account')} × ${count(rep.scope.regions.length, 'Region')} ` +
    `(${rep.scope.regions.join(', ')}), ${formatTime(start, tz)} → ${formatTime(end, tz)} ${zoneOf(tz)} (${length})`
  );
}

function costChart(rep: FleetMetricsReport): BarsChart {
  const label = (r: FleetMetricsRow): string => [r.account, r.region, r.modelId].filter((x) => x !== null).join(' ');
  return {
    type: 'bars',
    title: `Estimated cost by ${rep.groupBy.join(', ')}`,
    desc: 'Estimated cost of each group across the accounts and Regions of the window.',
    unit: 'money',
    bars: rep.rows.map((r) => ({ label: label(r), value: r.costUsd ?? 0, ...(r.priced ? {} : { text: 'unpriced' }) })),
  };
}

export function fleetMetricsView(rep: FleetMetricsReport, tz?: string): View {
  const sections: ViewSection[] = [];
  if (rep.rows.length) sections.push({ table: mainTable(rep), charts: [costChart(rep)] });
  else
    sections.push({
      lines: [
        `No Amazon Bedrock usage in any account and Region read, ${formatTime(rep.window.start, tz)} → ` +
          `${formatTime(rep.window.end, tz)} ${zoneOf(tz)}.`,
      ],
    });
  const series = rep.periods ?? (rep.days ? { rows: rep.days, unit: 'day' } : undefined);
  if (series && rep.rows.length) sections.push({ table: periodTable(series.rows, series.unit) });
  sections.push({ heading: 'Per account and Region:', table: targetsTable(rep) });
  sections.push({ lines: summary(rep) });
  if (rep.quotas) sections.push(fleetQuotaSection(rep.quotas));
  return {
    title: headline(rep, tz),
    context: { windowStart: rep.window.start, windowEnd: rep.window.end },
    sections,
    warnings: rep.warnings,
  };
}

export function renderFleetMetricsTable(rep: FleetMetricsReport, opts: RenderOptions = {}): string {
  return renderViewText(fleetMetricsView(rep, opts.tz), opts);
}
