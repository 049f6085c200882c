import {
  CloudWatchClient,
  GetMetricDataCommand,
  paginateListMetrics,
  type MetricDataQuery,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type { Ctx } from '../context.js';
import type { ReportWindow } from './window.js';

export const NAMESPACE = 'AWS/Bedrock';
/** GetMetricData limits. */
export const MAX_QUERIES = 500;
export const MAX_DATAPOINTS = 100_800;

/** Figures per model: key, metric and statistic. Percentiles are fetched in batches of their own. */
export const FIGURES = [
  { key: 'invocations', metric: 'Invocations', stat: 'Sum' },
  { key: 'inputTokens', metric: 'InputTokenCount', stat: 'Sum' },
  { key: 'outputTokens', metric: 'OutputTokenCount', stat: 'Sum' },
  { key: 'cacheReadTokens', metric: 'CacheReadInputTokens', stat: 'Sum' },
  { key: 'cacheWriteTokens', metric: 'CacheWriteInputTokens', stat: 'Sum' },
  { key: 'clientErrors', metric: 'InvocationClientErrors', stat: 'Sum' },
  { key: 'serverErrors', metric: 'InvocationServerErrors', stat: 'Sum' },
  { key: 'throttles', metric: 'InvocationThrottles', stat: 'Sum' },
  { key: 'latencyAvgMs', metric: 'InvocationLatency', stat: 'Average' },
  { key: 'latencyP50Ms', metric: 'InvocationLatency', stat: 'p50' },
  { key: 'latencyP90Ms', metric: 'InvocationLatency', stat: 'p90' },
  { key: 'latencyP99Ms', metric: 'InvocationLatency', stat: 'p99' },
  { key: 'timeToFirstTokenP50Ms', metric: 'TimeToFirstToken', stat: 'p50' },
  { key: 'timeToFirstTokenP99Ms', metric: 'TimeToFirstToken', stat: 'p99' },
] as const;
export type FigureKey = (typeof FIGURES)[number]['key'];
export const SUM_KEYS = FIGURES.filter((f) => f.stat === 'Sum').map((f) => f.key);

/** Every ModelId with Invocations or throttles in CloudWatch (ListMetrics, fully paginated). */
export async function discoverModels(ctx: Ctx): Promise<string[]> {
  const cw = ctx.aws.get(CloudWatchClient);
  const ids = new Set<string>();
  await Promise.all(
    ['Invocations', 'InvocationThrottles'].map(async (MetricName) => {
      for await (const page of paginateListMetrics({ client: cw }, { Namespace: NAMESPACE, MetricName, Dimensions: [{ Name: 'ModelId' }] })) {
        for (const m of page.Metrics ?? []) {
          const dims = m.Dimensions ?? [];
          const id = dims.find((d) => d.Name === 'ModelId')?.Value;
          if (id && dims.length === 1) ids.add(id);
        }
      }
    }),
  );
  return [...ids].sort();
}

export interface FetchedValues {
  /** query id → [timestamp ms, value][] */
  values: Map<string, [number, number][]>;
  /** Query ids whose batch failed after the SDK's retries. */
  failed: Set<string>;
  errors: string[];
}

/** One GetMetricData query per model and figure; ids are m<model>_<figure>. */
export function buildQueries(models: string[], figures: readonly (typeof FIGURES)[number][], periodSeconds: number): MetricDataQuery[] {
  const queries: MetricDataQuery[] = [];
  models.forEach((modelId, i) => {
    for (const f of figures) {
      queries.push({
        Id: `m${i}_${f.key}`,
        MetricStat: { Metric: { Namespace: NAMESPACE, MetricName: f.metric, Dimensions: [{ Name: 'ModelId', Value: modelId }] }, Period: periodSeconds, Stat: f.stat },
        ReturnData: true,
      });
    }
  });
  return queries;
}

/**
 * Runs queries in as few GetMetricData calls as the limits allow (500 queries and 100,800
 * datapoints per call), paginated. A failed batch is recorded, not thrown: partial data beats none.
 */
export async function fetchBatches(ctx: Ctx, queries: MetricDataQuery[], window: ReportWindow, pointsPerQuery: number, onProgress?: (done: number, total: number) => void): Promise<FetchedValues> {
  const cw = ctx.aws.get(CloudWatchClient);
  const perCall = Math.max(1, Math.min(MAX_QUERIES, Math.floor(MAX_DATAPOINTS / Math.max(1, pointsPerQuery))));
  const batches: MetricDataQuery[][] = [];
  for (let i = 0; i < queries.length; i += perCall) batches.push(queries.slice(i, i + perCall));
  const out: FetchedValues = { values: new Map(), failed: new Set(), errors: [] };
  let done = 0;
  await Promise.all(
    batches.map(async (batch) => {
      try {
        let NextToken: string | undefined;
        const results: MetricDataResult[] = [];
        do {
          const page = await cw.send(
            new GetMetricDataCommand({ MetricDataQueries: batch, StartTime: window.start, EndTime: window.end, ScanBy: 'TimestampAscending', NextToken }),
          );
          results.push(...(page.MetricDataResults ?? []));
          NextToken = page.NextToken;
        } while (NextToken);
        for (const r of results) {
          if (!r.Id) continue;
          const list = out.values.get(r.Id) ?? [];
          (r.Timestamps ?? []).forEach((t, i) => {
            const v = r.Values?.[i];
            if (v !== undefined) list.push([t.getTime(), v]);
          });
          out.values.set(r.Id, list);
        }
      } catch (err) {
        for (const q of batch) if (q.Id) out.failed.add(q.Id);
        out.errors.push(describeFailure(err));
      }
      done += batch.length;
      onProgress?.(done, queries.length);
    }),
  );
  return out;
}

function describeFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (status && status >= 500) return `CloudWatch GetMetricData answered HTTP ${status}`;
  return `${e.name ?? 'Error'}: ${(e.message ?? String(err)).split('\n')[0] ?? ''}`;
}
