import { METRICS } from '../aws/bedrock-metrics.js';
import { CloudWatchClient, paginateGetMetricData } from '../sdk/client-cloudwatch.js';
import type { GetMetricDataCommandOutput, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  paginateListAWSDefaultServiceQuotas,
  paginateListServiceQuotas,
  ServiceQuotasClient,
} from '../sdk/client-service-quotas.js';
import type { ServiceQuota } from '@aws-sdk/client-service-quotas';
import type { Ctx } from '../context/context.js';
import { toBmError } from '../aws/errors.js';
import { batchQueries, metricDataLimiter, NAMESPACE } from './fetch.js';
import {
  BURNDOWN,
  computeHeadroom,
  mergeQuotas,
  type MinuteSeries,
  type Quota,
  type QuotaHeadroom,
} from './quota-compute.js';
import type { ReportWindow } from './window.js';

/**
 * Quota headroom, the fetch stage: 1-minute sums per model from CloudWatch (Invocations, input,
 * output and cache-write tokens, EstimatedTPMQuotaUsage) and the account's Bedrock quotas from
 * Service Quotas (service code `bedrock`, applied and default values, every page), then compute.
 */

/** CloudWatch keeps 1-minute data for 15 days: peaks per minute exist only for windows inside that. */
export const MINUTE_DATA_DAYS = 15;

/** Per-minute figures fetched per model; the two cache-write names are summed into one series. */
const MINUTE_METRICS = [
  { key: 'invocations', metric: METRICS.invocations.name },
  { key: 'inputTokens', metric: METRICS.inputTokens.name },
  { key: 'outputTokens', metric: METRICS.outputTokens.name },
  { key: 'cacheWriteTokens', metric: METRICS.cacheWriteTokens.name },
  // The older spelling some emulators were seeded with; a model has one or the other, never both.
  ...(METRICS.cacheWriteTokens.aliases ?? []).map((metric) => ({ key: 'cacheWriteTokens' as const, metric })),
  { key: 'estimatedTpm', metric: METRICS.estimatedTpmQuotaUsage.name },
] as const;

const RESERVATION_NOTE =
  'Bedrock also reserves input + max_tokens against the quota when a request starts and settles at the end: ' +
  'throttling can begin below these after-the-fact peaks.';

function minuteQueries(models: string[]): MetricDataQuery[] {
  return models.flatMap((modelId, i) =>
    MINUTE_METRICS.map((m, j) => ({
      Id: `q${i}_${j}`,
      MetricStat: {
        Metric: { Namespace: NAMESPACE, MetricName: m.metric, Dimensions: [{ Name: 'ModelId', Value: modelId }] },
        Period: 60,
        Stat: 'Sum',
      },
      ReturnData: true,
    })),
  );
}

function addPage(series: MinuteSeries[], page: GetMetricDataCommandOutput, start: number, minutes: number): void {
  for (const r of page.MetricDataResults ?? []) {
    const m = /^q(\d+)_(\d+)$/.exec(r.Id ?? '');
    const s = m && series[Number(m[1])];
    const key = m && MINUTE_METRICS[Number(m[2])]?.key;
    if (!s || !key) continue;
    (r.Timestamps ?? []).forEach((t, k) => {
      const idx = Math.floor((t.getTime() - start) / 60_000);
      const v = r.Values?.[k];
      if (v === undefined || idx < 0 || idx >= minutes) return;
      const arr = (s[key] ??= new Float64Array(minutes));
      arr[idx] = (arr[idx] ?? 0) + v;
    });
  }
}

/** Every model's minute series; calls are batched within GetMetricData's limits and rate-limited. */
async function fetchMinutes(ctx: Ctx, models: string[], window: ReportWindow): Promise<MinuteSeries[]> {
  const cw = ctx.aws.get(CloudWatchClient);
  const minutes = Math.round((window.end.getTime() - window.start.getTime()) / 60_000);
  const series: MinuteSeries[] = models.map((modelId) => ({ modelId }));
  const limiter = metricDataLimiter();
  await Promise.all(
    batchQueries(minuteQueries(models), minutes).map((batch) =>
      limiter.run(async () => {
        const pages: AsyncIterable<GetMetricDataCommandOutput> = paginateGetMetricData(
          { client: cw },
          { MetricDataQueries: batch, StartTime: window.start, EndTime: window.end, ScanBy: 'TimestampAscending' },
        );
        for await (const page of pages) addPage(series, page, window.start.getTime(), minutes);
      }),
    ),
  );
  return series;
}

async function readQuotas(ctx: Ctx): Promise<Quota[]> {
  const client = ctx.aws.get(ServiceQuotasClient);
  const collect = async (pages: AsyncIterable<{ Quotas?: ServiceQuota[] }>): Promise<ServiceQuota[]> => {
    const out: ServiceQuota[] = [];
    for await (const page of pages) out.push(...(page.Quotas ?? []));
    return out;
  };
  const [applied, defaults] = await Promise.all([
    collect(paginateListServiceQuotas({ client, pageSize: 100 }, { ServiceCode: 'bedrock' })),
    collect(paginateListAWSDefaultServiceQuotas({ client, pageSize: 100 }, { ServiceCode: 'bedrock' })),
  ]);
  return mergeQuotas(applied, defaults);
}

export async function quotaHeadroom(ctx: Ctx, models: string[], window: ReportWindow): Promise<QuotaHeadroom> {
  const { warnPercent, burndown } = ctx.settings.quotas;
  const base = {
    warnPercent,
    burndown: { source: BURNDOWN.source, date: BURNDOWN.date },
    quotasRead: 0,
    rows: [],
    notes: [RESERVATION_NOTE],
  };
  if (ctx.now().getTime() - window.start.getTime() > MINUTE_DATA_DAYS * 86_400_000) {
    return {
      ...base,
      available: false,
      reason:
        `CloudWatch keeps 1-minute data for ${MINUTE_DATA_DAYS} days: choose a window that starts within the ` +
        `last ${MINUTE_DATA_DAYS} days`,
    };
  }
  if (models.length === 0) return { ...base, available: true };
  const [series, quotas] = await Promise.all([
    fetchMinutes(ctx, models, window),
    readQuotas(ctx).catch((err: unknown) => toBmError(err)),
  ]);
  const minutes = Math.round((window.end.getTime() - window.start.getTime()) / 60_000);
  const active = series.filter(
    (s) => s.invocations?.some((v) => v > 0) || s.inputTokens?.some((v) => v > 0) || s.estimatedTpm?.some((v) => v > 0),
  );
  const quotaList = quotas instanceof Error ? [] : quotas;
  const rows = computeHeadroom({
    start: window.start,
    minutes,
    series: active,
    quotas: quotaList,
    warnPercent,
    burndown,
  });
  const unreadable =
    quotas instanceof Error ? [`Service Quotas could not be read (${quotas.message}): quotas show as n/a`] : [];
  const none =
    !(quotas instanceof Error) && quotaList.length === 0
      ? ['Service Quotas returned no quotas for "bedrock" in this Region: quotas show as n/a']
      : [];
  return {
    ...base,
    available: true,
    quotasRead: quotaList.length,
    rows,
    notes: [...unreadable, ...none, RESERVATION_NOTE],
  };
}
