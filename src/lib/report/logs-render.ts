import type { BarsChart, Chart, ColumnsChart } from '../io/chart.js';
import { renderViewHtml } from '../io/html.js';
import { pricesLabel } from '../context/prices.js';
import { modelIdForms } from '../io/model-id.js';
import { count } from '../io/format.js';
import { formatCount, formatDelta, formatMoney, formatRatio } from '../io/numbers.js';
import type { Output } from '../io/output.js';
import { renderViewCsv, renderViewMarkdown, renderViewText, type BarStyle } from '../io/view-text.js';
import type { Value, View, ViewColumn, ViewRow, ViewSection, ViewTable } from '../io/view.js';
import { mb } from '../logs/progress.js';
import { figure } from './columns.js';
import { incompleteParts, type LogsReport } from './logs-compute.js';

/** The logs report's view: the groups table, the reconciliation, the summary; drawn by the one renderer per format. */

/** ARNs by what follows the account (`assumed-role/Role/session`, `user/name`, `application-inference-profile/id`). */
export function shortValue(v: string): string {
  const m = /^arn:[^:]+:[^:]+:[^:]*:\d*:(.+)$/.exec(v);
  return m ? m[1]! : v;
}

const TIME_DIMS = ['day', 'hour', 'week', 'month'];

/**
 * Labels for a column of values: ARNs shortened to what follows the account, unless two values of different accounts
 * would then read the same (the same role name in two accounts): those keep their account, `111111111111:role/x`.
 */
export function shortLabels(values: string[]): Map<string, string> {
  const short = new Map<string, string[]>();
  for (const v of new Set(values)) {
    const s = shortValue(v);
    short.set(s, [...(short.get(s) ?? []), v]);
  }
  const labels = new Map<string, string>();
  for (const [s, vs] of short) {
    for (const v of vs) {
      const account = /^arn:[^:]+:[^:]+:[^:]*:(\d*):/.exec(v)?.[1];
      labels.set(v, vs.length > 1 && account ? `${account}:${s}` : s);
    }
  }
  return labels;
}

/**
 * Dimension values: model IDs shortened a whole part at a time, other values (ARNs, tags) wrapped and, in a
 * terminal, shortened to what follows the account unless that would make two accounts' values read the same.
 */
function dimColumn(name: string, rep: LogsReport): ViewColumn {
  const base = { key: name, head: name.toUpperCase(), kind: 'key' as const, priority: 0 };
  if (name === 'model' || name === 'application') return { ...base, shorter: modelIdForms };
  const labels = shortLabels(rep.rows.map((r) => r[name] ?? ''));
  return { ...base, wrap: true, terminal: (v) => labels.get(v) ?? shortValue(v) };
}

/** Whether the per-target table says something the rows do not: several targets, or one without records. */
const showTargets = (rep: LogsReport): boolean =>
  rep.targets.length > 1 || rep.targets.some((t) => t.status !== 'records');

/** One row per account and Region (a chosen target without records says so). */
function targetsTable(rep: LogsReport): ViewTable {
  const none = (v: Value, row: ViewRow): string =>
    row.cells.status !== 'records' ? '' : formatCount(typeof v === 'number' ? v : null);
  return {
    noCsv: true,
    columns: [
      { key: 'account', head: 'ACCOUNT', kind: 'key', priority: 0 },
      { key: 'region', head: 'REGION', kind: 'key', priority: 0 },
      {
        key: 'invocations',
        head: 'INVOCATIONS',
        kind: 'count',
        priority: 0,
        show: (v, row) =>
          row.cells.status === 'no records'
            ? 'no records in the window'
            : row.cells.status === 'unavailable'
              ? `not read: ${String(row.cells.reason)}`
              : none(v, row),
      },
      { key: 'inputTokens', head: 'INPUT', kind: 'count', priority: 3, show: none },
      { key: 'outputTokens', head: 'OUTPUT', kind: 'count', priority: 2, show: none },
      { key: 'errors', head: 'ERRORS', kind: 'count', priority: 4, show: none },
      {
        key: 'costUsd',
        head: 'COST',
        kind: 'money',
        priority: 1,
        show: (v, row) => (row.cells.status !== 'records' ? '' : unpricedCost(v, row)),
      },
    ],
    rows: rep.targets.map((t) => ({ kind: 'target', cells: { ...t } })),
  };
}

const unpricedCost = (v: Value, row: ViewRow): string =>
  v === null
    ? row.cells.priced === false
      ? 'unpriced'
      : 'n/a'
    : `${formatMoney(typeof v === 'number' ? v : null)}${row.cells.priced === false ? '*' : ''}`;

/** OUTPUT (the dearer token) outranks INPUT; long IDs are shortened before any figure goes. */
function columns(rep: LogsReport): ViewColumn[] {
  return [
    ...rep.groupBy.map((d) => dimColumn(d, rep)),
    figure('invocations', 'INVOCATIONS', 2, { keep: true }),
    figure('inputTokens', 'INPUT', 4, { keep: true }),
    figure('outputTokens', 'OUTPUT', 3, { keep: true }),
    figure('cacheReadTokens', 'CACHE READ', 8),
    figure('cacheWriteTokens', 'CACHE WRITE', 9),
    figure('cacheWrite1hTokens', 'CACHE WRITE 1H', 0, { only: 'data' }),
    figure('errors', 'ERRORS', 5),
    figure('latencyP50Ms', 'P50 MS', 10, { kind: 'ms' }),
    figure('latencyP90Ms', 'P90 MS', 11, { kind: 'ms' }),
    figure('latencyP99Ms', 'P99 MS', 7, { kind: 'ms' }),
    { key: 'priced', head: 'PRICED', kind: 'flag', priority: 0, only: 'data' },
    figure('costUsd', 'COST', 1, { kind: 'money', keep: true, show: unpricedCost }),
  ];
}

function mainTable(rep: LogsReport): ViewTable {
  const t = rep.totals;
  const o = rep.others;
  const timeFirst = TIME_DIMS.includes(rep.groupBy[0] ?? '');
  return {
    columns: columns(rep),
    rows: [
      ...rep.rows.map((r) => ({ kind: 'group', cells: { ...r } })),
      ...(o ? [{ kind: 'others', label: `others (${o.groups})`, cells: { ...o } as Record<string, Value> }] : []),
    ],
    total: { kind: 'total', label: 'TOTAL', cells: { ...t, priced: t.unpricedModels.length === 0 } as never },
    bar: { key: 'costUsd', mode: timeFirst ? 'series' : 'share' },
  };
}

function when(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** Where the records counted come from: the context's Region, or the scope's Regions and accounts when wider. */
function scopeLabel(rep: LogsReport): string {
  const { accounts, regions } = rep.scope;
  const where = regions && !(regions.length === 1 && regions[0] === rep.region) ? regions.join(', ') : rep.region;
  const inRegions = regions === null ? 'every Region' : where;
  return accounts && accounts.length > 1 ? `${inRegions} (${accounts.length} accounts)` : inRegions;
}

export function logsHeadline(rep: LogsReport): string {
  return (
    `Bedrock usage by ${rep.groupBy.join(', ')} in ${scopeLabel(rep)}, ${when(rep.window.start)} → ` +
    `${when(rep.window.end)} UTC (${rep.window.hours} h), from ${rep.source.location} (${rep.source.engine} ` +
    `engine)`
  );
}

export function logsSummary(rep: LogsReport): string[] {
  const s = rep.source;
  const lines: string[] = [];
  const t = rep.totals;
  lines.push(
    `Errors: ${formatCount(t.errors)} of ${formatCount(t.invocations)} ` +
      `invocations${t.errorRate === null ? '' : ` (${formatRatio(t.errorRate)})`}; latency ` +
      (s.exactPercentiles ? 'percentiles exact' : 'percentiles approximate') +
      (s.bodyUsageFields ? ', from successful Converse records' : ' (not read by this engine)') +
      '.',
  );
  if (s.objects !== undefined) {
    const dl =
      s.downloadedObjects !== undefined
        ? `; downloaded ${s.downloadedObjects} ` +
          `(${mb(s.downloadedBytes ?? 0)})${s.cacheDir ? `, cache ${s.cacheDir}` : ', no cache'}`
        : '';
    lines.push(`Read ${s.objects} log objects (${mb(s.bytes ?? 0)} compressed)${dl}.`);
  }
  if (s.dataScannedBytes !== undefined)
    lines.push(
      `Athena scanned ${mb(s.dataScannedBytes)} (about ${formatMoney(s.queryCostUsd ?? 0)}; query ` +
        `${s.queryExecutionId ?? '?'}).`,
    );
  const sk = rep.skipped;
  const malformed = sk.malformedLines === null ? 'malformed lines unknown' : count(sk.malformedLines, 'malformed line');
  lines.push(
    `Skipped: ${malformed}, ` +
      `${count(sk.objects, 'object that is not a log file', 'objects that are not log files')}, ` +
      `${count(sk.unreadableFiles.length, 'unreadable file')}.`,
  );
  const incomplete = incompleteParts(sk);
  if (incomplete.length)
    lines.push(
      `Incomplete: ${incomplete.join(', ')}, left out (see the warnings): the figures under-count; --strict ` +
        `makes this an error.`,
    );
  const unpriced = t.unpricedModels.length
    ? `; * partly unpriced: ${t.unpricedModels.length} model${t.unpricedModels.length === 1 ? '' : 's'} not in ` +
      `the price table`
    : '';
  lines.push(`Costs are estimates from ${tablesText(rep.prices)}, per record's model and tokens${unpriced}.`);
  return lines;
}

/** Several targets: each one's records against its own CloudWatch metrics. */
function targetReconciliationTable(rep: LogsReport): ViewTable | undefined {
  const ts = rep.reconciliation.targets;
  if (!ts?.length) return undefined;
  const delta = { kind: 'count' as const, show: (v: Value) => formatDelta(typeof v === 'number' ? v : null) };
  return {
    noCsv: true,
    columns: [
      { key: 'account', head: 'ACCOUNT', kind: 'key', priority: 0 },
      { key: 'region', head: 'REGION', kind: 'key', priority: 0 },
      { key: 'logsInvocations', head: 'LOGS INVOCATIONS', kind: 'count', priority: 0 },
      {
        key: 'metricsInvocations',
        head: 'CLOUDWATCH',
        kind: 'count',
        priority: 0,
        show: (v, row) =>
          row.cells.available === false
            ? `unavailable: ${String(row.cells.reason)}`
            : formatCount(typeof v === 'number' ? v : null),
      },
      { key: 'diffInvocations', head: 'DIFF', priority: 0, ...delta },
    ],
    rows: ts.map((t) => ({
      kind: 'reconciliation',
      cells: {
        account: t.account,
        region: t.region,
        available: t.available,
        reason: t.reason ?? null,
        logsInvocations: t.logs.invocations,
        metricsInvocations: t.metrics?.invocations ?? null,
        diffInvocations: t.difference.invocations,
      },
    })),
  };
}

function reconciliationTable(rep: LogsReport): ViewTable | undefined {
  const r = rep.reconciliation;
  if (!r.available || !r.models.length) return undefined;
  const delta = { kind: 'count' as const, show: (v: Value) => formatDelta(typeof v === 'number' ? v : null) };
  return {
    noCsv: true,
    columns: [
      { key: 'modelId', head: 'MODEL', kind: 'key', priority: 0, shorter: modelIdForms },
      { key: 'logsInvocations', head: 'LOGS INVOCATIONS', kind: 'count', priority: 0 },
      { key: 'metricsInvocations', head: 'CLOUDWATCH', kind: 'count', priority: 0 },
      { key: 'diffInvocations', head: 'DIFF', priority: 0, ...delta },
      { key: 'logsInputTokens', head: 'LOGS INPUT', kind: 'count', priority: 2 },
      { key: 'metricsInputTokens', head: 'CLOUDWATCH', kind: 'count', priority: 2 },
      { key: 'diffInputTokens', head: 'DIFF', priority: 1, ...delta },
    ],
    rows: r.models.map((m) => ({
      kind: 'reconciliation',
      cells: {
        modelId: m.modelId,
        logsInvocations: m.logs.invocations,
        metricsInvocations: m.metrics?.invocations ?? null,
        diffInvocations: m.difference.invocations,
        logsInputTokens: m.logs.inputTokens,
        metricsInputTokens: m.metrics?.inputTokens ?? null,
        diffInputTokens: m.difference.inputTokens,
      },
    })),
  };
}

/** Spend over time stacked by the second dimension (or one series), or the top groups with others, for HTML. */
function logsCharts(rep: LogsReport): Chart[] {
  const [first, second] = rep.groupBy;
  if (!first) return [];
  const cost = (r: { costUsd: number | null }): number => r.costUsd ?? 0;
  if (TIME_DIMS.includes(first)) {
    const categories = [...new Set(rep.rows.map((r) => r[first] ?? ''))].sort();
    const seriesNames = second ? topNames(rep, second, 7) : ['all'];
    const series = seriesNames.map((name) => ({
      name,
      values: categories.map((c) =>
        rep.rows
          .filter((r) => r[first] === c && (!second || inSeries(r[second] ?? '', name, seriesNames)))
          .reduce((a, r) => a + cost(r), 0),
      ),
    }));
    const columnsChart: ColumnsChart = {
      type: 'columns',
      title: `Estimated cost per ${first}${second ? `, stacked by ${second}` : ''}`,
      desc:
        `Estimated cost per ${first} (UTC) over the window` +
        `${second ? `; each column split by ${second}, the top ${seriesNames.length - 1} and others` : ''}.`,
      unit: 'money',
      categories,
      series,
    };
    return [columnsChart];
  }
  const bars: BarsChart = {
    type: 'bars',
    title: `Estimated cost by ${rep.groupBy.join(', ')}`,
    desc: `Estimated cost of each group in the window${rep.others ? ', the rest summed as others' : ''}.`,
    unit: 'money',
    bars: [
      ...rep.rows.slice(0, 25).map((r) => ({
        label: rep.groupBy.map((d) => shortValue(r[d] ?? '')).join(' · '),
        value: cost(r),
        ...(r.priced ? {} : { text: r.costUsd === null ? 'unpriced' : `${formatMoney(r.costUsd)}*` }),
      })),
      ...(rep.rows.length > 25 || rep.others
        ? [
            {
              label: `others (${rep.rows.length - Math.min(25, rep.rows.length) + (rep.others?.groups ?? 0)})`,
              value: rep.rows.slice(25).reduce((a, r) => a + cost(r), 0) + (rep.others?.costUsd ?? 0),
            },
          ]
        : []),
    ],
  };
  return [bars, ...cacheChart(rep)];
}

/** The names of the `k` costliest values of a dimension, then "others" (when there are more). */
function topNames(rep: LogsReport, dim: string, k: number): string[] {
  const byCost = new Map<string, number>();
  for (const r of rep.rows) byCost.set(r[dim] ?? '', (byCost.get(r[dim] ?? '') ?? 0) + (r.costUsd ?? 0));
  const names = [...byCost.entries()].sort((a, b) => b[1] - a[1]).map(([n]) => n);
  return names.length > k ? [...names.slice(0, k), 'others'] : names;
}

const inSeries = (value: string, name: string, names: string[]): boolean =>
  name === 'others' ? !names.includes(value) : value === name;

/** Cache reads against all input tokens: the part of the prompt read from the cache. */
function cacheChart(rep: LogsReport): Chart[] {
  const t = rep.totals;
  if (!t.cacheReadTokens) return [];
  return [
    {
      type: 'bars',
      title: 'Prompt tokens: read from the cache against sent as input',
      desc:
        'Cache reads are billed at a fraction of the input price: the larger the first bar against the ' +
        'second, the more the cache saved.',
      unit: 'count',
      bars: [
        { label: 'cache read tokens', value: t.cacheReadTokens },
        { label: 'input tokens', value: t.inputTokens },
        { label: 'cache write tokens', value: t.cacheWriteTokens },
      ],
    },
  ];
}

/** The logs report as a View: what every format draws. */
export function logsView(rep: LogsReport): View {
  const rec = reconciliationTable(rep);
  const sections: ViewSection[] = [{ table: mainTable(rep), charts: logsCharts(rep) }];
  if (showTargets(rep)) sections.push({ heading: 'Per account and Region:', table: targetsTable(rep) });
  if (rec)
    sections.push({
      heading: 'Logs against CloudWatch metrics, per model (differences show delivery gaps):',
      table: rec,
    });
  const perTarget = targetReconciliationTable(rep);
  if (perTarget)
    sections.push({ heading: 'Logs against CloudWatch metrics, per account and Region:', table: perTarget });
  sections.push({ lines: logsSummary(rep) });
  return {
    title: logsHeadline(rep),
    context: { region: rep.region, windowStart: rep.window.start, windowEnd: rep.window.end },
    sections,
    empty: 'No invocation records in the window.',
    warnings: rep.warnings,
  };
}

export function renderLogsTable(out: Output, rep: LogsReport, opts: { wide?: boolean; bars?: BarStyle } = {}): void {
  out.write(
    renderViewText(logsView(rep), {
      width: out.width,
      ...opts,
      head: (t) => out.c.bold(t),
      strong: (t) => out.c.bold(t),
    }),
  );
}

/**
 * CSV: `kind` (group, others, total), `region`, `windowStart`, `windowEnd`, the dimensions, the figures.
 * The totals row leaves the dimension columns empty: summing a column never counts twice.
 */
export function renderLogsCsv(rep: LogsReport): string {
  return renderViewCsv(logsView(rep));
}

export function renderLogsMarkdown(rep: LogsReport): string {
  return renderViewMarkdown(logsView(rep));
}

export function renderLogsHtml(rep: LogsReport): string {
  return renderViewHtml(logsView(rep));
}

/** The price tables a report used: one, or each Region's when several Regions were priced from different ones. */
export function tablesText(prices: Pick<LogsReport['prices'], 'table' | 'date' | 'regions'>): string {
  const byTable = new Map<string, string[]>();
  for (const r of prices.regions ?? []) {
    const label = `${pricesLabel(r.table)} ${r.date}`;
    byTable.set(label, [...(byTable.get(label) ?? []), r.region]);
  }
  return byTable.size
    ? [...byTable].map(([label, regions]) => `${label} for ${regions.join(', ')}`).join('; ')
    : `${pricesLabel(prices.table)} ${prices.date}`;
}
