import { usageError } from '../core/errors.js';
import type { FleetMetricsReport, FleetMetricsRow } from './fleet-metrics-compute.js';
import { LOG_SUMS, type LogsReport, type LogsRow } from './logs-compute.js';
import { round, SUM_FIELDS, type DayRow, type ModelRow, type Periods, type Report } from './types.js';

/**
 * --sort FIELD and --top N on a computed report (pure). --top keeps the first N rows in the sort
 * order and sums the rest into `others`, so the rows shown plus others add up to the untruncated
 * totals. --by week|month sums the metrics report's days per ISO week (from Monday, UTC) or month.
 */

export const SORT_FIELDS = [
  'cost',
  'invocations',
  'input',
  'output',
  'cache-read',
  'cache-write',
  'errors',
  'name',
] as const;
export type SortField = (typeof SORT_FIELDS)[number];

const FIELD_KEYS: Record<Exclude<SortField, 'name' | 'errors'>, string> = {
  cost: 'costUsd',
  invocations: 'invocations',
  input: 'inputTokens',
  output: 'outputTokens',
  'cache-read': 'cacheReadTokens',
  'cache-write': 'cacheWriteTokens',
};

export function parseSort(raw: string): SortField {
  if (!(SORT_FIELDS as readonly string[]).includes(raw))
    throw usageError(`--sort: "${raw}" is not a field (use ${SORT_FIELDS.join(', ')})`);
  return raw as SortField;
}

export function parseTop(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw usageError(`--top: "${raw}" is not a whole number of rows of at least 1`);
  return n;
}

const num = (v: unknown): number => (typeof v === 'number' ? v : -1);

/** A comparator for a sort field; `name` sorts by the row's label ascending, figures descending. */
function comparator<T extends object>(field: SortField, label: (r: T) => string, errors: (r: T) => number) {
  return (a: T, b: T): number => {
    if (field === 'name') return label(a).localeCompare(label(b));
    const d =
      field === 'errors'
        ? errors(b) - errors(a)
        : num((b as Record<string, unknown>)[FIELD_KEYS[field]]) -
          num((a as Record<string, unknown>)[FIELD_KEYS[field]]);
    return d || label(a).localeCompare(label(b));
  };
}

const sumOrNull = (values: (number | null)[]): number | null =>
  values.every((v) => v === null) ? null : round(values.reduce<number>((a, v) => a + (v ?? 0), 0));

export interface Focus {
  top?: number | undefined;
  sort?: SortField | undefined;
}

/** The metrics report with its models sorted and cut to the top N (the rest in `others`). */
export function focusReport(report: Report, f: Focus): Report {
  let models = report.models;
  if (f.sort)
    models = [...models].sort(
      comparator<ModelRow>(
        f.sort,
        (r) => r.modelId,
        (r) => (r.clientErrors ?? 0) + (r.serverErrors ?? 0),
      ),
    );
  if (f.top === undefined || models.length <= f.top) return { ...report, models };
  const rest = models.slice(f.top);
  const sums = Object.fromEntries(SUM_FIELDS.map((k) => [k, sumOrNull(rest.map((r) => r[k]))])) as Record<
    (typeof SUM_FIELDS)[number],
    number | null
  >;
  return {
    ...report,
    models: models.slice(0, f.top),
    others: { ...sums, groups: rest.length, costUsd: sumOrNull(rest.map((r) => r.costUsd)) },
  };
}

/**
 * The metrics report over many targets with its rows (a model in an account and Region, or as grouped) sorted and
 * cut to the top N, the rest summed into `others`.
 */
export function focusFleetMetrics(rep: FleetMetricsReport, f: Focus): FleetMetricsReport {
  let rows = rep.rows;
  if (f.sort)
    rows = [...rows].sort(
      comparator<FleetMetricsRow>(
        f.sort,
        (r) => [r.account, r.region, r.modelId].filter((v) => v !== null).join('\u0000'),
        (r) => (r.clientErrors ?? 0) + (r.serverErrors ?? 0),
      ),
    );
  if (f.top === undefined || rows.length <= f.top) return { ...rep, rows };
  const rest = rows.slice(f.top);
  const sums = Object.fromEntries(SUM_FIELDS.map((k) => [k, sumOrNull(rest.map((r) => r[k]))])) as Record<
    (typeof SUM_FIELDS)[number],
    number | null
  >;
  return {
    ...rep,
    rows: rows.slice(0, f.top),
    others: { ...sums, groups: rest.length, costUsd: sumOrNull(rest.map((r) => r.costUsd)) },
  };
}

/** The logs report with its rows sorted and cut to the top N groups (the rest in `others`). */
export function focusLogsReport(rep: LogsReport, f: Focus): LogsReport {
  let rows = rep.rows;
  if (f.sort)
    rows = [...rows].sort(
      comparator<LogsRow>(
        f.sort,
        (r) => rep.groupBy.map((d) => r[d]).join('\u0000'),
        (r) => r.errors,
      ),
    );
  if (f.top === undefined || rows.length <= f.top) return { ...rep, rows };
  const rest = rows.slice(f.top);
  const sums = Object.fromEntries(LOG_SUMS.map((k) => [k, rest.reduce((a, r) => a + r[k], 0)])) as Record<
    (typeof LOG_SUMS)[number],
    number
  >;
  return {
    ...rep,
    rows: rows.slice(0, f.top),
    others: {
      ...sums,
      latencyP50Ms: null,
      latencyP90Ms: null,
      latencyP99Ms: null,
      priced: rest.every((r) => r.priced),
      costUsd: sumOrNull(rest.map((r) => r.costUsd)),
      groups: rest.length,
    },
  };
}

/** Monday (UTC) of the ISO week holding a YYYY-MM-DD date. */
export function weekStart(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7;
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

/** The days summed per week (labelled by their Monday) or per month (YYYY-MM). */
export function periodsOf(days: DayRow[], unit: 'week' | 'month', windowStart: string, windowEnd: string): Periods {
  const groups = new Map<string, DayRow[]>();
  for (const d of days) {
    const k = unit === 'week' ? weekStart(d.date) : d.date.slice(0, 7);
    groups.set(k, [...(groups.get(k) ?? []), d]);
  }
  const rows = [...groups.entries()].map(([date, ds]): DayRow => {
    const start = ds[0]!.start;
    const end = ds[ds.length - 1]!.end;
    const periodStart = unit === 'week' ? `${date}T00:00:00.000Z` : `${date}-01T00:00:00.000Z`;
    const next = new Date(periodStart);
    if (unit === 'week') next.setUTCDate(next.getUTCDate() + 7);
    else next.setUTCMonth(next.getUTCMonth() + 1);
    const partial = Date.parse(windowStart) > Date.parse(periodStart) || Date.parse(windowEnd) < next.getTime();
    const sums = Object.fromEntries(SUM_FIELDS.map((k) => [k, ds.reduce((a, x) => a + x[k], 0)])) as Record<
      (typeof SUM_FIELDS)[number],
      number
    >;
    return { date, start, end, partial, ...sums, costUsd: round(ds.reduce((a, x) => a + x.costUsd, 0)) };
  });
  return { unit, rows };
}
