import { pricesLabel } from '../context/prices.js';
import { stringify } from 'csv-stringify/sync';
import { modelIdForms } from '../io/model-id.js';
import type { Output } from '../io/output.js';
import type { Column as TableColumn } from '../io/table.js';
import { mb } from '../logs/progress.js';
import type { LogsReport, LogsRow } from './logs-compute.js';

/** The logs report for people: a table (fitted to the terminal), markdown and CSV, all drawn from the JSON data. */

const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const usd = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const count = (n: number | null): string => (n === null ? 'n/a' : int.format(n));
const ms = (n: number | null): string => (n === null ? 'n/a' : int.format(Math.round(n)));
const money = (n: number | null, priced: boolean): string =>
  n === null ? (priced ? 'n/a' : 'unpriced') : `${usd.format(n)}${priced ? '' : '*'}`;

/** ARNs by what follows the account (`assumed-role/Role/session`, `user/name`, `application-inference-profile/id`). */
export function shortValue(v: string): string {
  const m = /^arn:[^:]+:[^:]+:[^:]*:\d*:(.+)$/.exec(v);
  return m ? m[1]! : v;
}

interface Column {
  head: string;
  priority: number;
  right: boolean;
  cell(r: LogsRow): string;
  total(rep: LogsReport): string;
}

function columns(rep: LogsReport): Column[] {
  const t = rep.totals;
  const dims: Column[] = rep.groupBy.map((name, i) => ({
    head: name.toUpperCase(),
    priority: 0,
    right: false,
    cell: (r) => shortValue(r[name] ?? ''),
    total: () => (i === 0 ? 'TOTAL' : ''),
  }));
  return [
    ...dims,
    {
      head: 'INVOCATIONS',
      priority: 2,
      right: true,
      cell: (r) => count(r.invocations),
      total: () => count(t.invocations),
    },
    { head: 'INPUT', priority: 3, right: true, cell: (r) => count(r.inputTokens), total: () => count(t.inputTokens) },
    {
      head: 'OUTPUT',
      priority: 4,
      right: true,
      cell: (r) => count(r.outputTokens),
      total: () => count(t.outputTokens),
    },
    {
      head: 'CACHE READ',
      priority: 8,
      right: true,
      cell: (r) => count(r.cacheReadTokens),
      total: () => count(t.cacheReadTokens),
    },
    {
      head: 'CACHE WRITE',
      priority: 9,
      right: true,
      cell: (r) => count(r.cacheWriteTokens),
      total: () => count(t.cacheWriteTokens),
    },
    { head: 'ERRORS', priority: 5, right: true, cell: (r) => count(r.errors), total: () => count(t.errors) },
    { head: 'P50 MS', priority: 10, right: true, cell: (r) => ms(r.latencyP50Ms), total: () => ms(t.latencyP50Ms) },
    { head: 'P90 MS', priority: 11, right: true, cell: (r) => ms(r.latencyP90Ms), total: () => ms(t.latencyP90Ms) },
    { head: 'P99 MS', priority: 7, right: true, cell: (r) => ms(r.latencyP99Ms), total: () => ms(t.latencyP99Ms) },
    {
      head: 'COST',
      priority: 1,
      right: true,
      cell: (r) => money(r.costUsd, r.priced),
      total: () => money(t.costUsd, t.unpricedModels.length === 0),
    },
  ];
}

function when(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

export function logsHeadline(rep: LogsReport): string {
  return (
    `Bedrock usage by ${rep.groupBy.join(', ')} in ${rep.region}, ${when(rep.window.start)} → ` +
    `${when(rep.window.end)} UTC (${rep.window.hours} h), from ${rep.source.location} (${rep.source.engine} ` +
    `engine)`
  );
}

export function logsSummary(rep: LogsReport): string[] {
  const s = rep.source;
  const lines: string[] = [];
  const t = rep.totals;
  lines.push(
    `Errors: ${count(t.errors)} of ${count(t.invocations)} ` +
      `invocations${t.errorRate === null ? '' : ` (${(t.errorRate * 100).toFixed(2)}%)`}; latency ` +
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
      `Athena scanned ${mb(s.dataScannedBytes)} (about ${usd.format(s.queryCostUsd ?? 0)}; query ` +
        `${s.queryExecutionId ?? '?'}).`,
    );
  const sk = rep.skipped;
  lines.push(
    `Skipped: ${sk.malformedLines === null ? 'malformed lines unknown' : `${sk.malformedLines} malformed lines`}, ` +
      `${sk.objects} objects that are not log files, ${sk.unreadableFiles.length} unreadable files.`,
  );
  const unpriced = t.unpricedModels.length
    ? `; * partly unpriced: ${t.unpricedModels.length} model${t.unpricedModels.length === 1 ? '' : 's'} not in ` +
      `the price table`
    : '';
  lines.push(
    `Costs are estimates from ` +
      `${pricesLabel(rep.prices.table)} ` +
      `${rep.prices.date}, per record's model and tokens${unpriced}.`,
  );
  return lines;
}

function reconciliationTable(out: Output, rep: LogsReport): string | undefined {
  const r = rep.reconciliation;
  if (!r.available || !r.models.length) return undefined;
  const d = (n: number | null): string => (n === null ? 'n/a' : n === 0 ? '0' : `${n > 0 ? '+' : ''}${int.format(n)}`);
  const right = { align: 'right' as const };
  return out.fitTable({
    columns: [
      { head: 'MODEL', priority: 0, shorter: modelIdForms },
      { head: 'LOGS INVOCATIONS', priority: 0, ...right },
      { head: 'CLOUDWATCH', priority: 0, ...right },
      { head: 'DIFF', priority: 0, ...right },
      { head: 'LOGS INPUT', priority: 2, ...right },
      { head: 'CLOUDWATCH', priority: 2, ...right },
      { head: 'DIFF', priority: 1, ...right },
    ],
    rows: r.models.map((m) => [
      m.modelId,
      count(m.logs.invocations),
      count(m.metrics?.invocations ?? null),
      d(m.difference.invocations),
      count(m.logs.inputTokens),
      count(m.metrics?.inputTokens ?? null),
      d(m.difference.inputTokens),
    ]),
  });
}

/** Dimension values: model IDs shortened a whole part at a time, other values (ARNs, tags) wrapped. */
function dimColumn(name: string, head: string): TableColumn {
  return name === 'model' || name === 'application'
    ? { head, priority: 0, shorter: modelIdForms }
    : { head, priority: 0, wrap: true };
}

export function renderLogsTable(out: Output, rep: LogsReport): void {
  out.say(logsHeadline(rep));
  out.print('');
  if (!rep.rows.length) {
    out.print('No invocation records in the window.');
  } else {
    const cols = columns(rep);
    const dimCount = rep.groupBy.length;
    const table = out.fitTable(
      {
        columns: cols.map((c, i) =>
          i < dimCount
            ? dimColumn(rep.groupBy[i]!, c.head)
            : { head: c.head, priority: c.priority, align: c.right ? ('right' as const) : ('left' as const) },
        ),
        rows: rep.rows.map((r) =>
          cols.map((c, i) =>
            i < dimCount && (rep.groupBy[i] === 'model' || rep.groupBy[i] === 'application')
              ? (r[rep.groupBy[i]] ?? '')
              : c.cell(r),
          ),
        ),
        footer: [cols.map((c) => c.total(rep))],
        missing: 'n/a',
      },
      { footer: (t) => out.c.bold(t) },
    );
    out.print(table);
  }
  const rec = reconciliationTable(out, rep);
  if (rec) {
    out.print('');
    out.say('Logs against CloudWatch metrics, per model (differences show delivery gaps):');
    out.print(rec);
  }
  out.print('');
  for (const l of logsSummary(rep)) out.say(l);
}

const FIGURE_FIELDS = [
  'invocations',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'errors',
  'latencyP50Ms',
  'latencyP90Ms',
  'latencyP99Ms',
  'priced',
  'costUsd',
] as const;

export function renderLogsCsv(rep: LogsReport): string {
  const total: Record<string, unknown> = {
    ...Object.fromEntries(rep.groupBy.map((d, i) => [d, i === 0 ? 'TOTAL' : ''])),
    ...rep.totals,
    priced: rep.totals.unpricedModels.length === 0,
  };
  return stringify([...rep.rows, total], {
    header: true,
    columns: [...rep.groupBy, ...FIGURE_FIELDS],
    cast: { boolean: (b) => String(b) },
  });
}

export function renderLogsMarkdown(rep: LogsReport): string {
  const cols = columns(rep);
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = [`### ${logsHeadline(rep)}`, ''];
  if (!rep.rows.length) lines.push('No invocation records in the window.');
  else {
    lines.push(
      `| ${cols.map((c) => c.head).join(' | ')} |`,
      `| ${cols.map((c) => (c.right ? '---:' : '---')).join(' | ')} |`,
    );
    for (const r of rep.rows) lines.push(`| ${cols.map((c) => esc(c.cell(r))).join(' | ')} |`);
    lines.push(`| ${cols.map((c) => (c.total(rep) ? `**${esc(c.total(rep))}**` : '')).join(' | ')} |`);
  }
  lines.push('', ...logsSummary(rep).map((l) => `${l}  `));
  return `${lines.join('\n')}\n`;
}
