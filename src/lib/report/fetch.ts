import { CloudWatchClient, paginateGetMetricData, paginateListMetrics } from '../sdk/client-cloudwatch.js';
import type { MetricDataQuery, MetricDataResult } from '@aws-sdk/client-cloudwatch';
import type { Ctx } from '../context/context.js';
import {
  BEDROCK_NAMESPACE,
  METRICS,
  MODEL_ID_DIMENSION,
  type MetricDef,
  type MetricKey,
} from '../aws/bedrock-metrics.js';
import { isAbort } from '../core/abort.js';
import { Limiter } from '../core/concurrency.js';
import type { ReportWindow } from './window.js';

/**
 * The fetch stage: which models CloudWatch knows, and their figures over a window. Query IDs are
 * built and parsed here and nowhere else; the result is typed per model and figure.
 */

export const NAMESPACE = BEDROCK_NAMESPACE;
/** GetMetricData limits: queries and datapoints per call. */
export const MAX_QUERIES = 500;
export const MAX_DATAPOINTS = 100_800;
/**
 * GetMetricData calls in flight at once, and the spacing of their starts: at most 20 calls a second,
 * well under CloudWatch's quota of 50 per second per account and Region.
 */
export const CONCURRENCY = 4;
export const MIN_INTERVAL_MS = 50;

export function metricDataLimiter(): Limiter {
  return new Limiter(CONCURRENCY, MIN_INTERVAL_MS);
}

/**
 * Figures per model: key, the catalogue metric and the statistic. Percentiles are fetched in
 * batches of their own.
 */
export const FIGURES = [
  { key: 'invocations', metric: 'invocations', stat: 'Sum' },
  { key: 'inputTokens', metric: 'inputTokens', stat: 'Sum' },
  { key: 'outputTokens', metric: 'outputTokens', stat: 'Sum' },
  { key: 'cacheReadTokens', metric: 'cacheReadTokens', stat: 'Sum' },
  { key: 'cacheWriteTokens', metric: 'cacheWriteTokens', stat: 'Sum' },
  { key: 'clientErrors', metric: 'clientErrors', stat: 'Sum' },
  { key: 'serverErrors', metric: 'serverErrors', stat: 'Sum' },
  { key: 'throttles', metric: 'throttles', stat: 'Sum' },
  { key: 'latencyAvgMs', metric: 'latency', stat: 'Average' },
  { key: 'latencyP50Ms', metric: 'latency', stat: 'p50' },
  { key: 'latencyP90Ms', metric: 'latency', stat: 'p90' },
  { key: 'latencyP99Ms', metric: 'latency', stat: 'p99' },
  { key: 'timeToFirstTokenP50Ms', metric: 'timeToFirstToken', stat: 'p50' },
  { key: 'timeToFirstTokenP99Ms', metric: 'timeToFirstToken', stat: 'p99' },
] as const satisfies readonly { key: string; metric: MetricKey; stat: string }[];
export type Figure = (typeof FIGURES)[number];
export type FigureKey = Figure['key'];

export const isPercentile = (f: Figure): boolean => /^p\d+$/.test(f.stat);

/** A datapoint: [timestamp in ms, value]. */
export type Sample = [number, number];

/** One model's fetched figures: samples per figure, and the figures whose batch failed. */
export interface ModelSeries {
  samples: Map<FigureKey, Sample[]>;
  failed: Set<FigureKey>;
}

export interface Fetched {
  /** Aligned with the models passed in. */
  series: ModelSeries[];
  queries: number;
  failedQueries: number;
  /** One line per failed batch. */
  errors: string[];
}

/** The models CloudWatch lists, and per model the metric names it lists for it. */
export interface Discovery {
  models: string[];
  listed: Map<string, Set<string>>;
}

/**
 * Every ModelId with any AWS/Bedrock metric, and the names of its metrics: one ListMetrics listing
 * (fully paginated) of the namespace's per-model metrics. CloudWatch lists only metrics with data
 * in the last 14 days.
 */
export async function discoverModels(ctx: Ctx): Promise<Discovery> {
  const cw = ctx.aws.get(CloudWatchClient);
  const listed = new Map<string, Set<string>>();
  for await (const page of paginateListMetrics(
    { client: cw },
    { Namespace: NAMESPACE, Dimensions: [{ Name: MODEL_ID_DIMENSION }] },
  )) {
    for (const m of page.Metrics ?? []) {
      const dims = m.Dimensions ?? [];
      const id = dims.find((d) => d.Name === MODEL_ID_DIMENSION)?.Value;
      if (!id || dims.length !== 1 || !m.MetricName) continue;
      const names = listed.get(id) ?? new Set<string>();
      names.add(m.MetricName);
      listed.set(id, names);
    }
  }
  return { models: [...listed.keys()].sort(), listed };
}

/**
 * The name to read a figure's metric under for one model: the documented name, unless ListMetrics
 * lists only an older alias for that model (never both: one query per model and figure, so no
 * figure is counted twice). Unlisted metrics are read under the documented name, since a window
 * older than 14 days can hold data that ListMetrics no longer lists.
 */
export function metricNameFor(figure: Figure, listed: Set<string> | undefined): string {
  const def: MetricDef = METRICS[figure.metric];
  if (!listed || listed.has(def.name)) return def.name;
  return def.aliases?.find((a) => listed.has(a)) ?? def.name;
}

const queryId = (model: number, key: FigureKey): string => `m${model}_${key}`;

function parseQueryId(id: string): { model: number; key: FigureKey } | undefined {
  const m = /^m(\d+)_(\w+)$/.exec(id);
  const key = FIGURES.find((f) => f.key === m?.[2])?.key;
  return m && key ? { model: Number(m[1]), key } : undefined;
}

/** One GetMetricData query per model and figure, each under the name `nameOf` picks for the model. */
export function buildQueries(
  models: string[],
  figures: readonly Figure[],
  periodSeconds: number,
  nameOf: (modelId: string, f: Figure) => string = (_m, f) => METRICS[f.metric].name,
): MetricDataQuery[] {
  return models.flatMap((modelId, i) =>
    figures.map((f) => ({
      Id: queryId(i, f.key),
      MetricStat: {
        Metric: {
          Namespace: NAMESPACE,
          MetricName: nameOf(modelId, f),
          Dimensions: [{ Name: MODEL_ID_DIMENSION, Value: modelId }],
        },
        Period: periodSeconds,
        Stat: f.stat,
      },
      ReturnData: true,
    })),
  );
}

/** Splits queries into calls that respect both the query and the datapoint limits. */
export function batchQueries(queries: MetricDataQuery[], pointsPerQuery: number): MetricDataQuery[][] {
  const perCall = Math.max(1, Math.min(MAX_QUERIES, Math.floor(MAX_DATAPOINTS / Math.max(1, pointsPerQuery))));
  const batches: MetricDataQuery[][] = [];
  for (let i = 0; i < queries.length; i += perCall) batches.push(queries.slice(i, i + perCall));
  return batches;
}

export interface FetchRequest {
  models: string[];
  /** What ListMetrics listed per model: which spelling of a metric to read. */
  listed?: Map<string, Set<string>>;
  figures: readonly Figure[];
  periodSeconds: number;
  window: ReportWindow;
  /** Datapoints each query returns (window length / period). */
  pointsPerQuery: number;
  /** Shared by every fetch of one report, so their calls together stay within the bound. */
  limiter: Limiter;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Runs the queries in as few GetMetricData calls as the limits allow, a few at a time, following
 * pages. A failed batch is recorded, not thrown: partial data beats none.
 */
export async function fetchFigures(ctx: Ctx, req: FetchRequest): Promise<Fetched> {
  const cw = ctx.aws.get(CloudWatchClient);
  const queries = buildQueries(req.models, req.figures, req.periodSeconds, (m, f) =>
    metricNameFor(f, req.listed?.get(m)),
  );
  const out: Fetched = {
    series: req.models.map(() => ({ samples: new Map(), failed: new Set() })),
    queries: queries.length,
    failedQueries: 0,
    errors: [],
  };
  let done = 0;
  const fetchBatch = async (batch: MetricDataQuery[]): Promise<void> => {
    const input = {
      MetricDataQueries: batch,
      StartTime: req.window.start,
      EndTime: req.window.end,
      ScanBy: 'TimestampAscending' as const,
    };
    // Each page is one call: each goes through the limiter.
    const pages = paginateGetMetricData({ client: cw }, input)[Symbol.asyncIterator]();
    for (;;) {
      const page = await req.limiter.run(() => pages.next());
      if (page.done) return;
      addResults(out, page.value.MetricDataResults ?? []);
    }
  };
  await Promise.all(
    batchQueries(queries, req.pointsPerQuery).map(async (batch) => {
      try {
        await fetchBatch(batch);
      } catch (err) {
        // A figure CloudWatch could not give shows as n/a; Ctrl-C is not such a figure: the run stops (exit 130).
        if (isAbort(err, ctx.signal)) throw err;
        for (const q of batch) markFailed(out, q.Id ?? '');
        out.errors.push(describeFailure(err));
      }
      done += batch.length;
      req.onProgress?.(done, queries.length);
    }),
  );
  return out;
}

function addResults(out: Fetched, results: MetricDataResult[]): void {
  for (const r of results) {
    const parsed = parseQueryId(r.Id ?? '');
    const series = parsed && out.series[parsed.model];
    if (!parsed || !series) continue;
    const list = series.samples.get(parsed.key) ?? [];
    (r.Timestamps ?? []).forEach((t, i) => {
      const v = r.Values?.[i];
      if (v !== undefined) list.push([t.getTime(), v]);
    });
    series.samples.set(parsed.key, list);
  }
}

function markFailed(out: Fetched, id: string): void {
  const parsed = parseQueryId(id);
  if (!parsed) return;
  out.series[parsed.model]?.failed.add(parsed.key);
  out.failedQueries++;
}

function describeFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status && status >= 500) return `CloudWatch GetMetricData answered HTTP ${status}`;
  return `${e.name ?? 'Error'}: ${(e.message ?? String(err)).split('\n')[0] ?? ''}`;
}
