import type { MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { RegionView } from '../config/settings.js';
import { BEDROCK_NAMESPACE, METRICS, MODEL_ID_DIMENSION, type MetricKey } from '../aws/bedrock-metrics.js';
import { BmError } from '../core/errors.js';
import { priceFor, type ResolvedPrice } from '../pricing/price.js';
import type { RefreshedTable } from '../pricing/refreshed.js';

/**
 * What each alarm watches. CloudWatch takes at most one Metrics Insights (MI) query per alarm (math
 * over that one query is fine) and no SEARCH, and Bedrock publishes its runtime metrics per ModelId
 * only: a figure that needs two metrics across all models (input + output tokens, client + server
 * errors, cost) cannot be one alarm. Such an alarm is a composite alarm under the name people see,
 * over one single-query alarm per metric ("children", which notify nobody: the composite does).
 */

/**
 * PutMetricAlarm's input for a threshold alarm over one query (plus math): one period, alarming above
 * the threshold, missing data not breaching, the topics notified on ALARM and on OK.
 */
export function thresholdAlarmInput(
  spec: { name: string; description: string; threshold: number; metrics: MetricDataQuery[] },
  topics: string[],
) {
  return {
    AlarmName: spec.name,
    AlarmDescription: spec.description,
    ActionsEnabled: true,
    AlarmActions: topics,
    OKActions: topics,
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: spec.threshold,
    ComparisonOperator: 'GreaterThanThreshold' as const,
    TreatMissingData: 'notBreaching',
    Metrics: spec.metrics,
  };
}

export const ALARM_KEYS = [
  'HighTokenUsage',
  'HighErrorRate',
  'InvocationSpike',
  'HighLatency',
  'LogDeliveryFailure',
  'HighCost',
] as const;
export type AlarmKey = (typeof ALARM_KEYS)[number];

export interface MetricAlarmSpec {
  kind: 'metric';
  key: AlarmKey;
  name: string;
  description: string;
  threshold: number;
  metrics: MetricDataQuery[];
  /** Notifies the topic itself; false for the children of a composite alarm. */
  notify: boolean;
}

export interface CompositeAlarmSpec {
  kind: 'composite';
  key: AlarmKey;
  name: string;
  description: string;
  /** Its children's names: it is in ALARM when any of them is. */
  children: string[];
}

export type AlarmSpec = MetricAlarmSpec | CompositeAlarmSpec;

/**
 * One MI query over every model (SCHEMA("AWS/Bedrock", ModelId)), so models first used after setup
 * are covered. An expression-only query needs its own Period.
 */
export function insights(
  id: string,
  fn: 'SUM' | 'AVG',
  metric: MetricKey,
  period: number,
  label: string,
  returnData: boolean,
): MetricDataQuery {
  return {
    Id: id,
    Expression: `SELECT ${fn}(${METRICS[metric].name}) FROM SCHEMA("${BEDROCK_NAMESPACE}", ${MODEL_ID_DIMENSION})`,
    Period: period,
    Label: label,
    ReturnData: returnData,
  };
}

/** A delivery metric, published without dimensions ("Across all model IDs"). */
const deliveryStat = (id: string, metric: MetricKey): MetricDataQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: BEDROCK_NAMESPACE, MetricName: METRICS[metric].name }, Period: 300, Stat: 'Sum' },
  ReturnData: false,
});

/** The AlarmRule of a composite alarm: in ALARM when any child is. Names quoted, as the API allows. */
export const anyOf = (children: string[]): string => children.map((c) => `ALARM("${c}")`).join(' OR ');

function child(
  parent: string,
  suffix: string,
  description: string,
  threshold: number,
  metrics: MetricDataQuery[],
  key: AlarmKey,
): MetricAlarmSpec {
  return {
    kind: 'metric',
    key,
    name: `${parent}-${suffix}`,
    description: `${description} (part of ${parent}).`,
    threshold,
    metrics,
    notify: false,
  };
}

function composite(key: AlarmKey, name: string, description: string, children: MetricAlarmSpec[]): AlarmSpec[] {
  return [{ kind: 'composite', key, name, description, children: children.map((c) => c.name) }, ...children];
}

function tokenUsage(prefix: string, tokens: number): AlarmSpec[] {
  const name = `${prefix}HighTokenUsage`;
  const kinds = [
    ['Input', 'inputTokens'],
    ['Output', 'outputTokens'],
  ] as const;
  const children = kinds.map(([kind, metric]) =>
    child(
      name,
      kind,
      `${kind} tokens across all Bedrock models exceeded ${tokens} in one hour`,
      tokens,
      [insights('tokens', 'SUM', metric, 3600, `${kind} tokens per hour (all models)`, true)],
      'HighTokenUsage',
    ),
  );
  const description =
    `Input tokens or output tokens across all Bedrock models exceeded ${tokens} in one hour. Each is counted ` +
    `on its own, so their sum can reach up to twice that before this fires.`;
  return composite('HighTokenUsage', name, description, children);
}

function errors(prefix: string, limit: number): AlarmSpec[] {
  const name = `${prefix}HighErrorRate`;
  const kinds = [
    ['Client', 'clientErrors'],
    ['Server', 'serverErrors'],
  ] as const;
  const children = kinds.map(([kind, metric]) =>
    child(
      name,
      kind,
      `${kind} errors across all Bedrock models exceeded ${limit} in five minutes`,
      limit,
      [insights('errors', 'SUM', metric, 300, `${kind} errors per 5 minutes (all models)`, true)],
      'HighErrorRate',
    ),
  );
  const description =
    `Client errors or server errors across all Bedrock models exceeded ${limit} in five minutes. Each is ` +
    `counted on its own, so their sum can reach up to twice that before this fires.`;
  return composite('HighErrorRate', name, description, children);
}

function single(
  prefix: string,
  key: AlarmKey,
  description: string,
  threshold: number,
  metrics: MetricDataQuery[],
): MetricAlarmSpec {
  return { kind: 'metric', key, name: `${prefix}${key}`, description, threshold, metrics, notify: true };
}

function logDelivery(prefix: string): MetricAlarmSpec {
  return single(
    prefix,
    'LogDeliveryFailure',
    'Bedrock failed to deliver model invocation logs to CloudWatch Logs or S3 in the last five minutes.',
    0,
    [
      deliveryStat('cw', 'cwDeliveryFailure'),
      deliveryStat('s3', 's3DeliveryFailure'),
      deliveryStat('large', 'largeDataDeliveryFailure'),
      {
        Id: 'failures',
        Expression: 'FILL(cw, 0) + FILL(s3, 0) + FILL(large, 0)',
        Label: 'Log delivery failures',
        ReturnData: true,
      },
    ],
  );
}

/** The token kinds HighCost prices, with the rate each is priced at. */
const PRICED = [
  ['Input', 'inputTokens', 'input', 'input'],
  ['Output', 'outputTokens', 'output', 'output'],
  ['CacheWrite', 'cacheWriteTokens', 'cacheWrite', 'cache write'],
  ['CacheRead', 'cacheReadTokens', 'cacheRead', 'cache read'],
] as const;

/**
 * HighCost: an alarm can weigh a query's result by one number only, so every model's tokens are
 * priced at one reference model's rates (alarms.costModelId), one child per token kind.
 */
function cost(prefix: string, usd: number, ref: string, p: ResolvedPrice, table: string): AlarmSpec[] {
  const name = `${prefix}HighCost`;
  const children = PRICED.filter(([, , rate]) => p[rate] > 0).map(([kind, metric, rate, words]) =>
    child(
      name,
      kind,
      `Estimated spend on ${words} tokens across all Bedrock models exceeded ${usd} USD in one hour, at ` +
        `${p.name} rates`,
      usd,
      [
        insights('tokens', 'SUM', metric, 3600, `${words} tokens per hour (all models)`, false),
        {
          Id: 'usd',
          Expression: `tokens * ${p[rate]} / 1000000`,
          Label: `${words} tokens, USD per hour at ${p.name} rates`,
          ReturnData: true,
        },
      ],
      'HighCost',
    ),
  );
  const description =
    `Estimated Bedrock spend on one kind of token (input, output, cache write or cache read) exceeded ${usd} ` +
    `USD in one hour, every model's tokens priced at ${p.name} (${ref}) prices from ${table}. Each kind is ` +
    `watched on its own, so total spend can reach up to ${children.length} times that before this fires; ` +
    `bedrock-monitor report prices each model exactly.`;
  return composite('HighCost', name, description, children);
}

/**
 * The alarms the settings ask for, each composite followed by its children (the order status and
 * cleanup list them; setup creates the children first). HighCost only when a threshold is set.
 */
/** The prices HighCost is computed from: the table in use for the run (see context/prices.ts). */
export interface AlarmPricing {
  refreshed?: RefreshedTable;
  /** Which table, in words, for the alarm's description. */
  table: string;
}

export function alarmSpecs(
  settings: RegionView,
  pricing: AlarmPricing = { table: 'the bundled price table' },
): AlarmSpec[] {
  const { prefix, thresholds: t } = settings.alarms;
  const specs: AlarmSpec[] = [
    ...tokenUsage(prefix, t.tokensPerHour),
    ...errors(prefix, t.errorsPer5Min),
    single(
      prefix,
      'InvocationSpike',
      `Invocations across all Bedrock models exceeded ${t.invocationsPerHour} in one hour.`,
      t.invocationsPerHour,
      [insights('invocations', 'SUM', 'invocations', 3600, 'Invocations per hour (all models)', true)],
    ),
    single(
      prefix,
      'HighLatency',
      `Average invocation latency across all Bedrock models was over ${t.latencyMs} ms for five minutes.`,
      t.latencyMs,
      [insights('latency', 'AVG', 'latency', 300, 'Average latency, ms (all models)', true)],
    ),
    logDelivery(prefix),
  ];
  if (t.costUsdPerHour !== null) {
    const ref = settings.alarms.costModelId;
    const p = priceFor(ref, settings.prices, pricing.refreshed);
    if (!p)
      throw new BmError(
        `alarms.costModelId "${ref}" has no price: run \`bedrock-monitor prices refresh\`, or add it under ` +
          `"prices" in the config file.`,
        { exitCode: 2 },
      );
    specs.push(...cost(prefix, t.costUsdPerHour, ref, p, pricing.table));
  }
  return specs;
}
