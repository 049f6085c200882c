import { costUsd, priceFor } from '../pricing/price.js';
import { missingRates, rateNotes, type MissingRate } from '../pricing/snapshot.js';
import type { RefreshedTable } from '../pricing/refreshed.js';
import type { Rates } from '../pricing/table.js';
import { FIGURES, isPercentile, type Fetched, type ModelSeries, type Sample } from './fetch.js';
import { HOURS_PER_MONTH, round, SUM_FIELDS, type DayRow, type ModelRow, type Report, type Totals } from './types.js';
import { shownEnd, widenedWarning, type ReportWindow } from './window.js';

/**
 * The compute stage: rows, totals, projection and the per-day breakdown from fetched figures.
 * Pure functions: no AWS, no clock, no output.
 */

export interface ComputeInput {
  region: string;
  window: ReportWindow;
  models: string[];
  /** Counts and averages. */
  basic: Fetched;
  percentiles: Fetched;
  /** Hourly sums, when a per-day breakdown was asked for. */
  hourly?: Fetched;
  prices: Record<string, Rates>;
  priceTable: { source: string; date: string; table?: 'refreshed' | 'snapshot' | 'bundled'; fetchedAt?: string };
  /** The table `prices refresh` fetched, when one is in use (config overrides still win). */
  refreshed?: RefreshedTable;
}

const sumOf = (s: Sample[] | undefined): number | null => (s && s.length ? s.reduce((a, [, v]) => a + v, 0) : null);
const lastOf = (s: Sample[] | undefined): number | null => (s && s.length ? round(s[s.length - 1]![1], 3) : null);

/** One model's row, or undefined when CloudWatch lists it but it had no activity in the window. */
export function modelRow(
  modelId: string,
  basic: ModelSeries,
  pct: ModelSeries,
  prices: Record<string, Rates>,
  refreshed?: RefreshedTable,
): ModelRow | undefined {
  const row = { modelId } as ModelRow;
  for (const f of FIGURES) {
    const series = isPercentile(f) ? pct : basic;
    const value =
      f.stat === 'Sum'
        ? series.failed.has(f.key)
          ? null
          : (sumOf(series.samples.get(f.key)) ?? 0)
        : lastOf(series.samples.get(f.key));
    (row as unknown as Record<string, number | null>)[f.key] = value;
  }
  const activity = SUM_FIELDS.reduce((a, k) => a + (row[k] ?? 0), 0);
  if (activity === 0 && !SUM_FIELDS.every((k) => row[k] === null)) return undefined;
  const price = priceFor(modelId, prices, refreshed);
  const { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } = row;
  const known = inputTokens !== null && outputTokens !== null && cacheReadTokens !== null && cacheWriteTokens !== null;
  row.priced = price !== undefined;
  row.costUsd =
    price && known ? costUsd({ inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens }, price) : null;
  return row;
}

/** Highest cost first, then most invocations, then by ID. */
export function sortRows(rows: ModelRow[]): ModelRow[] {
  return [...rows].sort(
    (x, y) =>
      (y.costUsd ?? -1) - (x.costUsd ?? -1) ||
      (y.invocations ?? 0) - (x.invocations ?? 0) ||
      x.modelId.localeCompare(y.modelId),
  );
}

export function totalsOf(rows: ModelRow[]): Totals {
  const sum = (k: (typeof SUM_FIELDS)[number]): number | null =>
    rows.some((r) => r[k] === null) ? null : rows.reduce((a, r) => a + (r[k] ?? 0), 0);
  const s = Object.fromEntries(SUM_FIELDS.map((k) => [k, sum(k)])) as Pick<Totals, (typeof SUM_FIELDS)[number]>;
  const withLatency = rows.filter((r) => r.latencyAvgMs !== null && (r.invocations ?? 0) > 0);
  const latencyWeight = withLatency.reduce((a, r) => a + r.invocations!, 0);
  const cost = round(rows.reduce((a, r) => a + (r.costUsd ?? 0), 0));
  const { invocations, clientErrors, serverErrors, throttles } = s;
  return {
    ...s,
    latencyAvgMs: latencyWeight
      ? round(withLatency.reduce((a, r) => a + r.latencyAvgMs! * r.invocations!, 0) / latencyWeight, 3)
      : null,
    costUsd: cost,
    errorRate:
      invocations && clientErrors !== null && serverErrors !== null
        ? round((clientErrors + serverErrors) / invocations)
        : null,
    throttleRate:
      invocations !== null && throttles !== null && invocations + throttles > 0
        ? round(throttles / (invocations + throttles))
        : null,
    costPer1000InvocationsUsd: invocations ? round((cost / invocations) * 1000) : null,
    unpricedModels: rows.filter((r) => !r.priced).map((r) => r.modelId),
  };
}

const DAY_MS = 86_400_000;

/** Every UTC day the window touches, with the part of it the window covers. */
function blankDays(window: Pick<ReportWindow, 'start' | 'end' | 'until'>): Map<string, DayRow> {
  const last = shownEnd(window).getTime();
  const days = new Map<string, DayRow>();
  const zero = Object.fromEntries(SUM_FIELDS.map((k) => [k, 0])) as Record<(typeof SUM_FIELDS)[number], number>;
  for (let d = Math.floor(window.start.getTime() / DAY_MS) * DAY_MS; d < last; d += DAY_MS) {
    const start = Math.max(d, window.start.getTime());
    const end = Math.min(d + DAY_MS, last);
    const date = new Date(d).toISOString().slice(0, 10);
    days.set(date, {
      date,
      start: new Date(start).toISOString(),
      end: new Date(end).toISOString(),
      partial: end - start < DAY_MS,
      costUsd: 0,
      ...zero,
    });
  }
  return days;
}

/** Hourly sums folded into UTC days (every day of the window, quiet ones as zeros), priced per model. */
export function dayRows(
  models: string[],
  hourly: Fetched,
  prices: Record<string, Rates>,
  window: Pick<ReportWindow, 'start' | 'end' | 'until'>,
  refreshed?: RefreshedTable,
): DayRow[] {
  const days = blankDays(window);
  models.forEach((modelId, i) => {
    const price = priceFor(modelId, prices, refreshed);
    const perDay = new Map<string, Record<(typeof SUM_FIELDS)[number], number>>();
    for (const key of SUM_FIELDS) {
      for (const [t, v] of hourly.series[i]?.samples.get(key) ?? []) {
        const date = new Date(t).toISOString().slice(0, 10);
        const acc =
          perDay.get(date) ??
          (Object.fromEntries(SUM_FIELDS.map((k) => [k, 0])) as Record<(typeof SUM_FIELDS)[number], number>);
        acc[key] += v;
        perDay.set(date, acc);
      }
    }
    for (const [date, acc] of perDay) {
      const row = days.get(date);
      if (!row) continue;
      for (const key of SUM_FIELDS) row[key] += acc[key];
      if (price) row.costUsd = round(row.costUsd + costUsd(acc, price));
    }
  });
  return [...days.values()];
}

function fetchWarnings(input: ComputeInput): string[] {
  const { basic, percentiles, hourly } = input;
  const first = (f: Fetched): string => f.errors[0] ?? 'unknown error';
  const warnings: string[] = [];
  if (basic.failedQueries)
    warnings.push(
      `${basic.failedQueries} of ${basic.queries} count and average figures could not be fetched ` +
        `(${first(basic)}); they show as n/a`,
    );
  if (hourly?.failedQueries)
    warnings.push(
      `the per-day breakdown is missing ${hourly.failedQueries} figures (${first(hourly)}); those days may undercount`,
    );
  if (percentiles.failedQueries)
    warnings.push(
      `${percentiles.failedQueries} percentile figures could not be fetched (${first(percentiles)}); they show as n/a`,
    );
  return warnings;
}

/** Which table priced each model, when a refreshed table is in play (the bundled one fills its gaps). */
function priceSources(input: ComputeInput, rows: ModelRow[]): Partial<Report['prices']> {
  const { table, fetchedAt } = input.priceTable;
  if (!table) return {};
  const bySource: Record<string, string> = {};
  for (const r of rows) bySource[r.modelId] = priceFor(r.modelId, input.prices, input.refreshed)?.source ?? 'unpriced';
  return { table, ...(fetchedAt ? { fetchedAt } : {}), models: bySource };
}

export function computeReport(input: ComputeInput): Report {
  const { window, models, prices } = input;
  const empty: ModelSeries = { samples: new Map(), failed: new Set() };
  const rows = sortRows(
    models.flatMap(
      (id, i) =>
        modelRow(id, input.basic.series[i] ?? empty, input.percentiles.series[i] ?? empty, prices, input.refreshed) ??
        [],
    ),
  );
  const unpriced = rows
    .filter((r) => !r.priced)
    .map((r) => r.modelId)
    .sort();
  // Cache tokens of a model whose table states no cache rate: priced at $0, and said so (as the logs report does).
  const missing = new Map<string, Set<MissingRate>>();
  for (const r of rows) {
    const price = priceFor(r.modelId, prices, input.refreshed);
    const kinds = price ? missingRates(price, r) : [];
    if (kinds.length) missing.set(`${r.modelId}\u0000`, new Set(kinds));
  }
  const widened = widenedWarning(window);
  const warnings = [
    ...(widened ? [widened] : []),
    ...fetchWarnings(input),
    ...unpriced.map(
      (id) =>
        `${id} is not in the price table: shown as unpriced and left out of cost totals (run ` +
        `\`bedrock-monitor prices refresh\`, or add it under "prices" in the config file)`,
    ),
    ...[...rateNotes(missing)].sort(),
  ];
  const totals = totalsOf(rows);
  const end = shownEnd(window);
  const hours = (end.getTime() - window.start.getTime()) / 3_600_000;
  const report: Report = {
    window: { start: window.start.toISOString(), end: end.toISOString(), hours: round(hours, 4) },
    region: input.region,
    models: rows,
    totals,
    projection: {
      monthlyCostUsd: round((totals.costUsd / hours) * HOURS_PER_MONTH, 2),
      hoursPerMonth: HOURS_PER_MONTH,
    },
    prices: {
      source: input.priceTable.source,
      date: input.priceTable.date,
      estimate: true,
      ...priceSources(input, rows),
    },
    warnings,
  };
  if (input.hourly) report.days = dayRows(models, input.hourly, prices, window, input.refreshed);
  return report;
}
