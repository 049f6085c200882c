import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
  paginateDescribeAlarms,
  type MetricAlarm,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { Settings } from '../config/settings.js';
import type { Ctx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { BmError } from '../core/errors.js';
import { hasManagedTag, MANAGED_TAG_RULE, MANAGED_TAGS } from '../aws/ownership.js';
import { priceFor } from '../pricing/price.js';
import { topicArn } from './topic.js';

export const ALARM_KEYS = ['HighTokenUsage', 'HighErrorRate', 'InvocationSpike', 'HighLatency', 'LogDeliveryFailure', 'HighCost'] as const;
export type AlarmKey = (typeof ALARM_KEYS)[number];

export interface AlarmSpec {
  key: AlarmKey;
  name: string;
  description: string;
  threshold: number;
  metrics: MetricDataQuery[];
}

/** A Metrics Insights query over every model, so models first used after setup are covered. */
const insights = (id: string, fn: string, metric: string, period: number, label: string): MetricDataQuery => ({
  Id: id,
  Expression: `SELECT ${fn}(${metric}) FROM SCHEMA("AWS/Bedrock", ModelId)`,
  Period: period,
  Label: label,
  ReturnData: false,
});

const stat = (id: string, metric: string, period: number): MetricDataQuery => ({
  Id: id,
  MetricStat: { Metric: { Namespace: 'AWS/Bedrock', MetricName: metric }, Period: period, Stat: 'Sum' },
  ReturnData: false,
});

const result = (id: string, expression: string, label: string): MetricDataQuery => ({ Id: id, Expression: expression, Label: label, ReturnData: true });

/** The alarms the settings ask for, in a fixed order. HighCost only when a threshold is set. */
export function alarmSpecs(settings: Settings): AlarmSpec[] {
  const { prefix, thresholds: t } = settings.alarms;
  const specs: AlarmSpec[] = [
    {
      key: 'HighTokenUsage',
      name: `${prefix}HighTokenUsage`,
      description: `Input + output tokens across all Bedrock models exceeded ${t.tokensPerHour} in one hour.`,
      threshold: t.tokensPerHour,
      metrics: [
        insights('input', 'SUM', 'InputTokenCount', 3600, 'Input tokens'),
        insights('output', 'SUM', 'OutputTokenCount', 3600, 'Output tokens'),
        result('tokens', 'FILL(input, 0) + FILL(output, 0)', 'Tokens per hour (all models)'),
      ],
    },
    {
      key: 'HighErrorRate',
      name: `${prefix}HighErrorRate`,
      description: `Client + server errors across all Bedrock models exceeded ${t.errorsPer5Min} in five minutes.`,
      threshold: t.errorsPer5Min,
      metrics: [
        insights('client', 'SUM', 'InvocationClientErrors', 300, 'Client errors'),
        insights('server', 'SUM', 'InvocationServerErrors', 300, 'Server errors'),
        result('errors', 'FILL(client, 0) + FILL(server, 0)', 'Errors per 5 minutes (all models)'),
      ],
    },
    {
      key: 'InvocationSpike',
      name: `${prefix}InvocationSpike`,
      description: `Invocations across all Bedrock models exceeded ${t.invocationsPerHour} in one hour.`,
      threshold: t.invocationsPerHour,
      metrics: [{ ...insights('invocations', 'SUM', 'Invocations', 3600, 'Invocations per hour (all models)'), ReturnData: true }],
    },
    {
      key: 'HighLatency',
      name: `${prefix}HighLatency`,
      description: `Average invocation latency across all Bedrock models was over ${t.latencyMs} ms for five minutes.`,
      threshold: t.latencyMs,
      metrics: [{ ...insights('latency', 'AVG', 'InvocationLatency', 300, 'Average latency, ms (all models)'), ReturnData: true }],
    },
    {
      key: 'LogDeliveryFailure',
      name: `${prefix}LogDeliveryFailure`,
      description: 'Bedrock failed to deliver model invocation logs to CloudWatch Logs or S3 in the last five minutes.',
      threshold: 0,
      metrics: [
        stat('cw', 'ModelInvocationLogsCloudWatchDeliveryFailure', 300),
        stat('s3', 'ModelInvocationLogsS3DeliveryFailure', 300),
        stat('large', 'ModelInvocationLargeDataS3DeliveryFailure', 300),
        result('failures', 'FILL(cw, 0) + FILL(s3, 0) + FILL(large, 0)', 'Log delivery failures'),
      ],
    },
  ];
  if (t.costUsdPerHour !== null) {
    const ref = settings.alarms.costModelId;
    const p = priceFor(ref, settings.prices);
    if (!p) throw new BmError(`alarms.costModelId "${ref}" has no price: add it under "prices" in the config file.`, { exitCode: 2 });
    specs.push({
      key: 'HighCost',
      name: `${prefix}HighCost`,
      description: `Estimated Bedrock spend exceeded ${t.costUsdPerHour} USD in one hour (all tokens at ${p.name} list prices; see bedrock-monitor report for exact per-model costs).`,
      threshold: t.costUsdPerHour,
      metrics: [
        insights('input', 'SUM', 'InputTokenCount', 3600, 'Input tokens'),
        insights('output', 'SUM', 'OutputTokenCount', 3600, 'Output tokens'),
        insights('cachewrite', 'SUM', 'CacheWriteInputTokens', 3600, 'Cache write tokens'),
        insights('cacheread', 'SUM', 'CacheReadInputTokens', 3600, 'Cache read tokens'),
        result(
          'cost',
          `(FILL(input, 0) * ${p.input} + FILL(output, 0) * ${p.output} + FILL(cachewrite, 0) * ${p.cacheWrite} + FILL(cacheread, 0) * ${p.cacheRead}) / 1000000`,
          'Estimated USD per hour',
        ),
      ],
    });
  }
  return specs;
}

function normalizeQuery(q: MetricDataQuery): Record<string, unknown> {
  const ms = q.MetricStat;
  return {
    id: q.Id,
    expression: q.Expression ?? null,
    label: q.Label ?? null,
    period: q.Period ?? null,
    returnData: q.ReturnData ?? true,
    metricStat: ms
      ? {
          namespace: ms.Metric?.Namespace,
          metricName: ms.Metric?.MetricName,
          dimensions: [...(ms.Metric?.Dimensions ?? [])].map((d) => `${d.Name}=${d.Value}`).sort(),
          period: ms.Period,
          stat: ms.Stat,
        }
      : null,
  };
}

export interface AlarmState {
  /** Not compared: where its tags are read. */
  arn: string | null;
  threshold: number | null;
  metrics: Record<string, unknown>[];
  actions: { enabled: boolean; alarm: string[]; ok: string[] };
  evaluation: { comparison: string | null; periods: number | null; datapoints: number | null; treatMissingData: string | null };
  description: string | null;
}

function stateOf(a: MetricAlarm): AlarmState {
  return {
    arn: a.AlarmArn ?? null,
    threshold: a.Threshold ?? null,
    metrics: (a.Metrics ?? []).map(normalizeQuery),
    actions: { enabled: a.ActionsEnabled ?? true, alarm: [...(a.AlarmActions ?? [])].sort(), ok: [...(a.OKActions ?? [])].sort() },
    evaluation: { comparison: a.ComparisonOperator ?? null, periods: a.EvaluationPeriods ?? null, datapoints: a.DatapointsToAlarm ?? null, treatMissingData: a.TreatMissingData ?? null },
    description: a.AlarmDescription ?? null,
  };
}

/** Cache key of the DescribeAlarms listing; every alarm write invalidates it. */
const ALARMS_KEY = 'alarms';

/** Every alarm whose name has the prefix, read with one paginated DescribeAlarms per run. */
export function alarmsWithPrefix(ctx: Ctx): Promise<MetricAlarm[]> {
  return ctx.cache.get(ALARMS_KEY, async () => {
    const found: MetricAlarm[] = [];
    for await (const page of paginateDescribeAlarms({ client: ctx.aws.get(CloudWatchClient) }, { AlarmNamePrefix: ctx.settings.alarms.prefix, AlarmTypes: ['MetricAlarm'] })) {
      found.push(...(page.MetricAlarms ?? []));
    }
    return found;
  });
}

/**
 * Alarms carry the ManagedBy tag. Their tags are not part of DescribeAlarms, so they are read only
 * when it matters (an alarm to change or delete), and written after every PutMetricAlarm, which
 * ignores Tags when it updates an existing alarm.
 */
function alarmOwnership(ctx: Ctx, name: string): ResourceDef<AlarmState>['ownership'] {
  const cw = ctx.aws.get(CloudWatchClient);
  const arnOf = async (): Promise<string | undefined> => (await alarmsWithPrefix(ctx)).find((a) => a.AlarmName === name)?.AlarmArn;
  return {
    rule: MANAGED_TAG_RULE,
    owns: async (s) => s.arn !== null && hasManagedTag((await cw.send(new ListTagsForResourceCommand({ ResourceARN: s.arn }))).Tags),
    claim: async () => {
      const arn = await arnOf();
      if (arn) await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: MANAGED_TAGS }));
    },
  };
}

export async function deleteAlarms(ctx: Ctx, names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 100) {
    await ctx.aws.get(CloudWatchClient).send(new DeleteAlarmsCommand({ AlarmNames: names.slice(i, i + 100) }));
  }
  ctx.cache.invalidate(ALARMS_KEY);
}

const ALARM_ATTRIBUTES: ResourceDef<AlarmState>['attributes'] = [
  { field: 'threshold', get: (s) => s.threshold },
  { field: 'metrics', get: (s) => s.metrics },
  { field: 'actions', get: (s) => s.actions },
  { field: 'evaluation', get: (s) => s.evaluation },
  { field: 'description', get: (s) => s.description },
];

export async function alarmResource(ctx: Ctx, spec: AlarmSpec): Promise<ResourceDef<AlarmState>> {
  const cw = ctx.aws.get(CloudWatchClient);
  const topic = await topicArn(ctx);
  const input = {
    AlarmName: spec.name,
    AlarmDescription: spec.description,
    ActionsEnabled: true,
    AlarmActions: [topic],
    OKActions: [topic],
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: spec.threshold,
    ComparisonOperator: 'GreaterThanThreshold' as const,
    TreatMissingData: 'notBreaching',
    Metrics: spec.metrics,
  };
  const ownership = alarmOwnership(ctx, spec.name);
  const put = async (): Promise<void> => {
    await cw.send(new PutMetricAlarmCommand({ ...input, Tags: MANAGED_TAGS }));
    ctx.cache.invalidate(ALARMS_KEY);
  };
  return {
    resource: 'alarm',
    name: spec.name,
    desired: stateOf(input),
    async read() {
      const found = (await alarmsWithPrefix(ctx)).find((a) => a.AlarmName === spec.name);
      return found ? stateOf(found) : undefined;
    },
    attributes: ALARM_ATTRIBUTES,
    ownership,
    create: put,
    // An update keeps the alarm's tags as they were (PutMetricAlarm ignores Tags then): tag again.
    update: async () => {
      await put();
      await ownership.claim?.();
    },
    remove: () => deleteAlarms(ctx, [spec.name]),
  };
}

/**
 * Alarms with the prefix that the settings do not ask for: the tool's own (tagged) are reported as
 * no longer wanted, deleted by `alarms --prune` and cleanup; anyone else's are left alone.
 */
export async function strayAlarmResources(ctx: Ctx): Promise<ResourceDef<AlarmState>[]> {
  const wanted = new Set(alarmSpecs(ctx.settings).map((s) => s.name));
  const strays = (await alarmsWithPrefix(ctx)).filter((a) => a.AlarmName && !wanted.has(a.AlarmName));
  return strays.map((a) => {
    const name = a.AlarmName ?? '';
    const state = stateOf(a);
    return {
      resource: 'alarm',
      name,
      desired: state,
      read: async () => {
        const found = (await alarmsWithPrefix(ctx)).find((x) => x.AlarmName === name);
        return found ? stateOf(found) : undefined;
      },
      attributes: [],
      ownership: alarmOwnership(ctx, name),
      create: () => Promise.reject(new Error(`alarm ${name} is not configured: it is never created`)),
      remove: () => deleteAlarms(ctx, [name]),
    };
  });
}

/** The strays that are the tool's. */
export async function unwantedAlarms(ctx: Ctx): Promise<ResourceDef<AlarmState>[]> {
  const strays = await strayAlarmResources(ctx);
  const owned = await Promise.all(strays.map(async (d) => d.ownership.owns(d.desired)));
  return strays.filter((_d, i) => owned[i]);
}
