/**
 * The catalogue of the `AWS/Bedrock` CloudWatch metrics the tool reads: names, units, dimensions,
 * the statistics that make sense for each, and the AWS page each name comes from. The report, the
 * dashboard and the alarms all take their metric names from here, so a wrong name is fixed once.
 */

export const BEDROCK_NAMESPACE = 'AWS/Bedrock';
export const MODEL_ID_DIMENSION = 'ModelId';

/** AWS pages the names below come from. */
export const SOURCES = {
  runtime: 'https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html',
  /** "CacheReadInputTokenCount don't contribute to this calculation and are not counted toward your quota." */
  burndown: 'https://docs.aws.amazon.com/bedrock/latest/userguide/quotas-token-burndown.html',
  /** "For each delivery success or failure attempt, the following … metrics are emitted … Across all model IDs". */
  logging: 'https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring.html',
  /**
   * "two new Amazon CloudWatch metrics for Amazon Bedrock, TimeToFirstToken and EstimatedTPMQuotaUsage" (AWS ML blog).
   */
  quotaUsage:
    'https://aws.amazon.com/blogs/machine-learning/' +
    'improve-operational-visibility-for-inference-workloads-on-amazon-bedrock-with-new-cloudwatch-metrics-' +
    'for-ttft-and-estimated-quota-consumption/',
} as const;

export type Statistic = 'Sum' | 'Average' | 'Minimum' | 'Maximum' | 'SampleCount' | `p${number}`;

export interface MetricDef {
  name: string;
  unit: 'Count' | 'Milliseconds';
  /** Dimension sets the metric is published with ([] = "Across all model IDs", no dimension). */
  dimensions: readonly (readonly string[])[];
  /** Statistics that mean something for it: sums for counts, averages and percentiles for times. */
  stats: readonly Statistic[];
  source: string;
  /**
   * Other names the same figure has been read under. The prompt-cache metrics were once read here
   * under the Converse API's field names (CacheReadInputTokens); emulators seeded by older tooling
   * still have them. The report accepts them, never both for one model.
   */
  aliases?: readonly string[];
}

const PER_MODEL = [[MODEL_ID_DIMENSION]] as const;
const COUNT_STATS = ['Sum', 'SampleCount'] as const;
const TIME_STATS = ['Average', 'Minimum', 'Maximum', 'p50', 'p90', 'p99'] as const;

function per(name: string, unit: MetricDef['unit'], source: string = SOURCES.runtime, aliases?: string[]): MetricDef {
  return {
    name,
    unit,
    dimensions: PER_MODEL,
    stats: unit === 'Count' ? COUNT_STATS : TIME_STATS,
    source,
    ...(aliases ? { aliases } : {}),
  };
}

function delivery(name: string): MetricDef {
  return { name, unit: 'Count', dimensions: [[]], stats: ['Sum'], source: SOURCES.logging };
}

/** Every metric the tool uses, by the key the code refers to it with. */
export const METRICS = {
  invocations: per('Invocations', 'Count'),
  latency: per('InvocationLatency', 'Milliseconds'),
  clientErrors: per('InvocationClientErrors', 'Count'),
  serverErrors: per('InvocationServerErrors', 'Count'),
  throttles: per('InvocationThrottles', 'Count'),
  inputTokens: per('InputTokenCount', 'Count'),
  outputTokens: per('OutputTokenCount', 'Count'),
  cacheReadTokens: per('CacheReadInputTokenCount', 'Count', SOURCES.burndown, ['CacheReadInputTokens']),
  cacheWriteTokens: per('CacheWriteInputTokenCount', 'Count', SOURCES.burndown, ['CacheWriteInputTokens']),
  timeToFirstToken: per('TimeToFirstToken', 'Milliseconds'),
  /** Bedrock's own estimate of the tokens a model's requests count against its tokens-per-minute quota. */
  estimatedTpmQuotaUsage: {
    ...per('EstimatedTPMQuotaUsage', 'Count', SOURCES.quotaUsage),
    stats: ['Sum', 'Maximum', 'SampleCount'],
  },
  cwDeliverySuccess: delivery('ModelInvocationLogsCloudWatchDeliverySuccess'),
  cwDeliveryFailure: delivery('ModelInvocationLogsCloudWatchDeliveryFailure'),
  s3DeliverySuccess: delivery('ModelInvocationLogsS3DeliverySuccess'),
  s3DeliveryFailure: delivery('ModelInvocationLogsS3DeliveryFailure'),
  largeDataDeliverySuccess: delivery('ModelInvocationLargeDataS3DeliverySuccess'),
  largeDataDeliveryFailure: delivery('ModelInvocationLargeDataS3DeliveryFailure'),
} as const satisfies Record<string, MetricDef>;

export type MetricKey = keyof typeof METRICS;

/** Every name a metric may be listed under: its documented name first, then its aliases. */
export function namesOf(def: MetricDef): string[] {
  return [def.name, ...(def.aliases ?? [])];
}

/** Whether a statistic makes sense for a metric (a sum of latencies does not). */
export function statAllowed(def: MetricDef, stat: string): boolean {
  return (def.stats as readonly string[]).includes(stat);
}

/** The catalogue entry for a name or alias, if the tool knows it. */
export function metricByName(name: string): MetricDef | undefined {
  return Object.values(METRICS).find((m: MetricDef) => namesOf(m).includes(name));
}
