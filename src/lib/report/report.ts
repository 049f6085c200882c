import type { Ctx } from '../context.js';
import { buildQueries, discoverModels, fetchBatches, FIGURES, SUM_KEYS, type FetchedValues } from './fetch.js';
import { costUsd, PRICE_TABLE, priceFor } from './pricing.js';
import type { ReportWindow } from './window.js';

export const HOURS_PER_MONTH = 730;

export interface ModelRow {
  modelId: string;
  invocations: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  clientErrors: number | null;
  serverErrors: number | null;
  throttles: number | null;
  latencyAvgMs: number | null;
  latencyP50Ms: number | null;
  latencyP90Ms: number | null;
  latencyP99Ms: number | null;
  timeToFirstTokenP50Ms: number | null;
  timeToFirstTokenP99Ms: number | null;
  priced: boolean;
  costUsd: number | null;
}

export type Totals = Pick<ModelRow, 'invocations' | 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens' | 'clientErrors' | 'serverErrors' | 'throttles' | 'latencyAvgMs'> & {
  costUsd: number;
  errorRate: number | null;
  throttleRate: number | null;
  costPer1000InvocationsUsd: number | null;
  unpricedModels: number;
};

export interface DayRow {
  date: string;
  invocations: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  clientErrors: number;
  serverErrors: number;
  throttles: number;
  costUsd: number;
}

/** The report: exactly what --json prints, and what every other format is drawn from. */
export interface Report {
  window: { start: string; end: string; hours: number };
  region: string;
  models: ModelRow[];
  totals: Totals;
  projection: { monthlyCostUsd: number; hoursPerMonth: number };
  days?: DayRow[];
  prices: { source: string; date: string; estimate: true };
  warnings: string[];
}

const round = (n: number, digits = 6): number => Math.round(n * 10 ** digits) / 10 ** digits;

function sumOf(values: [number, number][] | undefined): number | null {
  if (!values || values.length === 0) return null;
  return values.reduce((a, [, v]) => a + v, 0);
}

function single(values: [number, number][] | undefined): number | null {
  if (!values || values.length === 0) return null;
  return round(values[values.length - 1]![1], 3);
}

export interface ReportOptions {
  /** Validated and aligned by resolveWindow before anything is requested. */
  window: ReportWindow;
  byDay?: boolean;
  onProgress?: (msg: string) => void;
}

export async function buildReport(ctx: Ctx, opts: ReportOptions): Promise<Report> {
  const { window } = opts;
  const warnings: string[] = [];
  opts.onProgress?.('discovering models');
  const models = await discoverModels(ctx);

  const basic = FIGURES.filter((f) => !/^p\d+$/.test(f.stat));
  const percentiles = FIGURES.filter((f) => /^p\d+$/.test(f.stat));
  const total = models.length * FIGURES.length;
  const progress = (done: number) => opts.onProgress?.(`fetching ${Math.min(done, total)}/${total} figures for ${models.length} models`);
  let doneBasic = 0;
  let donePct = 0;
  const [b, p, d] = await Promise.all([
    fetchBatches(ctx, buildQueries(models, basic, window.periodSeconds), window, 1, (n) => progress((doneBasic = n) + donePct)),
    fetchBatches(ctx, buildQueries(models, percentiles, window.periodSeconds), window, 1, (n) => progress(doneBasic + (donePct = n))),
    opts.byDay
      ? fetchBatches(ctx, buildQueries(models, FIGURES.filter((f) => f.stat === 'Sum'), 3600), window, window.periodSeconds / 3600)
      : Promise.resolve(undefined),
  ]);
  const fetched = { values: new Map([...b.values, ...p.values]), failed: new Set([...b.failed, ...p.failed]) };
  if (b.failed.size) warnings.push(`${b.failed.size} of ${b.failed.size + b.values.size} count and average figures could not be fetched (${b.errors[0] ?? 'unknown error'}); they show as n/a`);
  if (d?.failed.size) warnings.push(`the per-day breakdown is missing ${d.failed.size} figures (${d.errors[0] ?? 'unknown error'}); those days may undercount`);
  if (p.failed.size) warnings.push(`${p.failed.size} percentile figures could not be fetched (${p.errors[0] ?? 'unknown error'}); they show as n/a`);

  const rows: ModelRow[] = [];
  const unpriced: string[] = [];
  models.forEach((modelId, i) => {
    const get = (key: string) => fetched.values.get(`m${i}_${key}`);
    const row: Record<string, unknown> = { modelId };
    for (const f of FIGURES) {
      const values = get(f.key);
      if (f.stat === 'Sum') row[f.key] = fetched.failed.has(`m${i}_${f.key}`) ? null : (sumOf(values) ?? 0);
      else row[f.key] = single(values);
    }
    const r = row as unknown as ModelRow;
    const activity = SUM_KEYS.reduce((a, k) => a + ((r[k]) ?? 0), 0);
    const allFailed = SUM_KEYS.every((k) => r[k] === null);
    if (activity === 0 && !allFailed) return; // listed by CloudWatch but no data in this window
    const price = priceFor(modelId, ctx.settings.prices);
    const tokensKnown = r.inputTokens !== null && r.outputTokens !== null && r.cacheReadTokens !== null && r.cacheWriteTokens !== null;
    r.priced = price !== undefined;
    r.costUsd = price && tokensKnown ? costUsd({ inputTokens: r.inputTokens!, outputTokens: r.outputTokens!, cacheReadTokens: r.cacheReadTokens!, cacheWriteTokens: r.cacheWriteTokens! }, price) : null;
    if (!price) unpriced.push(modelId);
    rows.push(r);
  });
  for (const id of unpriced) warnings.push(`${id} is not in the price table: shown as unpriced and left out of cost totals (add it under "prices" in the config file)`);

  rows.sort((x, y) => (y.costUsd ?? -1) - (x.costUsd ?? -1) || (y.invocations ?? 0) - (x.invocations ?? 0) || x.modelId.localeCompare(y.modelId));

  const sum = (k: keyof ModelRow): number | null => (rows.some((r) => r[k] === null) ? null : rows.reduce((a, r) => a + ((r[k] as number) ?? 0), 0));
  const invocations = sum('invocations');
  const withLatency = rows.filter((r) => r.latencyAvgMs !== null && (r.invocations ?? 0) > 0);
  const latencyWeight = withLatency.reduce((a, r) => a + r.invocations!, 0);
  const cost = round(rows.reduce((a, r) => a + (r.costUsd ?? 0), 0));
  const clientErrors = sum('clientErrors');
  const serverErrors = sum('serverErrors');
  const throttles = sum('throttles');
  const hours = (window.end.getTime() - window.start.getTime()) / 3_600_000;
  const totals: Totals = {
    invocations,
    inputTokens: sum('inputTokens'),
    outputTokens: sum('outputTokens'),
    cacheReadTokens: sum('cacheReadTokens'),
    cacheWriteTokens: sum('cacheWriteTokens'),
    clientErrors,
    serverErrors,
    throttles,
    latencyAvgMs: latencyWeight ? round(withLatency.reduce((a, r) => a + r.latencyAvgMs! * r.invocations!, 0) / latencyWeight, 3) : null,
    costUsd: cost,
    errorRate: invocations && clientErrors !== null && serverErrors !== null ? round((clientErrors + serverErrors) / invocations) : null,
    throttleRate: invocations !== null && throttles !== null && invocations + throttles > 0 ? round(throttles / (invocations + throttles)) : null,
    costPer1000InvocationsUsd: invocations ? round((cost / invocations) * 1000) : null,
    unpricedModels: unpriced.length,
  };

  const report: Report = {
    window: { start: window.start.toISOString(), end: window.end.toISOString(), hours: round(hours, 4) },
    region: ctx.settings.region,
    models: rows,
    totals,
    projection: { monthlyCostUsd: round((cost / hours) * HOURS_PER_MONTH, 2), hoursPerMonth: HOURS_PER_MONTH },
    prices: { source: PRICE_TABLE.source, date: PRICE_TABLE.date, estimate: true },
    warnings,
  };
  if (d) report.days = dayRows(ctx, models, d);
  return report;
}

function dayRows(ctx: Ctx, models: string[], fetched: FetchedValues): DayRow[] {
  const days = new Map<string, DayRow>();
  const blank = (date: string): DayRow => ({ date, invocations: 0, inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, clientErrors: 0, serverErrors: 0, throttles: 0, costUsd: 0 });
  models.forEach((modelId, i) => {
    const price = priceFor(modelId, ctx.settings.prices);
    const perDay = new Map<string, Record<string, number>>();
    for (const key of SUM_KEYS) {
      for (const [t, v] of fetched.values.get(`m${i}_${key}`) ?? []) {
        const date = new Date(t).toISOString().slice(0, 10);
        const acc = perDay.get(date) ?? {};
        acc[key] = (acc[key] ?? 0) + v;
        perDay.set(date, acc);
      }
    }
    for (const [date, acc] of perDay) {
      const row = days.get(date) ?? blank(date);
      const r = row as unknown as Record<string, number>;
      for (const key of SUM_KEYS) r[key] = (r[key] ?? 0) + (acc[key] ?? 0);
      if (price) {
        row.costUsd = round(
          row.costUsd + costUsd({ inputTokens: acc.inputTokens ?? 0, outputTokens: acc.outputTokens ?? 0, cacheReadTokens: acc.cacheReadTokens ?? 0, cacheWriteTokens: acc.cacheWriteTokens ?? 0 }, price),
        );
      }
      days.set(date, row);
    }
  });
  return [...days.values()].sort((a, b) => a.date.localeCompare(b.date));
}
