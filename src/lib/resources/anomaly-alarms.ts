import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
  paginateDescribeAlarms,
  paginateListMetrics,
} from '../sdk/client-cloudwatch.js';
import type { MetricAlarm, MetricDataQuery, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { RegionCtx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { hasManagedTag, MANAGED_TAG_RULE, MANAGED_TAGS } from '../aws/ownership.js';
import { topicArn } from './topic.js';

/**
 * Unusual usage: CloudWatch anomaly-detection alarms, per model, on invocations and on input +
 * output tokens (opt-in: alarms.anomaly.enabled). CloudWatch trains a band on each series and the
 * alarm fires when usage stays above it.
 *
 * The shape is the one CloudWatch documents for anomaly alarms: the band is an expression
 * ANOMALY_DETECTION_BAND(<input>, <width>) whose Id is the alarm's ThresholdMetricId; no Threshold;
 * a comparison operator of the anomaly family; the band and its input both return data. Bands are
 * documented for "single metrics and the outputs of metric math expressions"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Anomaly_Detection_Alarm.html);
 * no AWS page says a band can sit on a Metrics Insights query, so these alarms watch MetricStats
 * per model (and math over two of them) rather than one query over every model. Math anomaly
 * detectors must not use SEARCH or METRICS or more than 10 metrics
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html,
 * section using-anomaly-detection-on-metric-math).
 * The alarm creates its model; a new one needs up to two weeks of data to train.
 */

const NAMESPACE = 'AWS/Bedrock';
const PERIOD = 300;
/** Cache key of this prefix's DescribeAlarms listing; every write invalidates it. */
const LISTING_KEY = 'anomaly-alarms';

export type AnomalyKind = 'Invocations' | 'Tokens';

export interface AnomalySpec {
  name: string;
  modelId: string;
  kind: AnomalyKind;
  input: PutMetricAlarmCommandInput;
}

const stat = (id: string, metric: string, modelId: string, returnData: boolean): MetricDataQuery => ({
  Id: id,
  MetricStat: {
    Metric: { Namespace: NAMESPACE, MetricName: metric, Dimensions: [{ Name: 'ModelId', Value: modelId }] },
    Period: PERIOD,
    Stat: 'Sum',
  },
  ReturnData: returnData,
});

const band = (input: string, width: number, label: string): MetricDataQuery => ({
  Id: 'band',
  Expression: `ANOMALY_DETECTION_BAND(${input}, ${width})`,
  Label: label,
  ReturnData: true,
});

export function anomalyMetrics(kind: AnomalyKind, modelId: string, width: number): MetricDataQuery[] {
  if (kind === 'Invocations')
    return [stat('invocations', 'Invocations', modelId, true), band('invocations', width, 'Invocations (expected)')];
  return [
    stat('input', 'InputTokenCount', modelId, false),
    stat('output', 'OutputTokenCount', modelId, false),
    { Id: 'tokens', Expression: 'FILL(input, 0) + FILL(output, 0)', Label: 'Input + output tokens', ReturnData: true },
    band('tokens', width, 'Tokens (expected)'),
  ];
}

export function anomalySpec(
  prefix: string,
  kind: AnomalyKind,
  modelId: string,
  width: number,
  topic: string,
): AnomalySpec {
  const name = `${prefix}${kind}-${modelId}`;
  const what = kind === 'Invocations' ? 'Invocations' : 'Input + output tokens';
  return {
    name,
    modelId,
    kind,
    input: {
      AlarmName: name,
      AlarmDescription:
        `${what} of ${modelId} above the expected band (${width} standard deviations) in 2 of 3 five-minute ` +
        `periods. Anomaly detection: the band needs up to two weeks of data to train.`,
      ActionsEnabled: true,
      // Anomaly alarms flap more than static ones: notify when they fire, not when they clear.
      AlarmActions: [topic],
      OKActions: [],
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      ThresholdMetricId: 'band',
      ComparisonOperator: 'GreaterThanUpperThreshold',
      TreatMissingData: 'notBreaching',
      Metrics: anomalyMetrics(kind, modelId, width),
    },
  };
}

/** Models with Invocations in CloudWatch (the last two weeks), read once per run. */
export function modelsWithInvocations(ctx: RegionCtx): Promise<string[]> {
  return ctx.cache.get('models-with-invocations', async () => {
    const ids = new Set<string>();
    for await (const page of paginateListMetrics(
      { client: ctx.aws.get(CloudWatchClient) },
      { Namespace: NAMESPACE, MetricName: 'Invocations', Dimensions: [{ Name: 'ModelId' }] },
    )) {
      for (const m of page.Metrics ?? []) {
        const dims = m.Dimensions ?? [];
        const id = dims.find((d) => d.Name === 'ModelId')?.Value;
        if (id && dims.length === 1) ids.add(id);
      }
    }
    return [...ids].sort();
  });
}

/**
 * The alarms the settings ask for: none unless enabled; the configured models, else the models
 * CloudWatch lists now (so a re-run adds alarms for models first used since).
 */
export async function anomalySpecs(ctx: RegionCtx): Promise<AnomalySpec[]> {
  const { enabled, models, prefix, bandWidth } = ctx.settings.alarms.anomaly;
  if (!enabled) return [];
  const topic = await topicArn(ctx);
  const ids = models ?? (await modelsWithInvocations(ctx));
  return ids.flatMap((id) =>
    (['Invocations', 'Tokens'] as const).map((kind) => anomalySpec(prefix, kind, id, bandWidth, topic)),
  );
}

export interface AnomalyAlarmState {
  arn: string | null;
  definition: Record<string, unknown>;
}

/** The compared definition: what PutMetricAlarm sets, in a canonical form. */
function definitionOf(a: MetricAlarm | PutMetricAlarmCommandInput): Record<string, unknown> {
  return {
    description: a.AlarmDescription ?? null,
    actions: {
      enabled: a.ActionsEnabled ?? true,
      alarm: [...(a.AlarmActions ?? [])].sort(),
      ok: [...(a.OKActions ?? [])].sort(),
    },
    evaluation: {
      periods: a.EvaluationPeriods ?? null,
      datapoints: a.DatapointsToAlarm ?? null,
      comparison: a.ComparisonOperator ?? null,
      thresholdMetricId: a.ThresholdMetricId ?? null,
      threshold: a.Threshold ?? null,
      treatMissingData: a.TreatMissingData ?? null,
    },
    metrics: (a.Metrics ?? []).map((q) => ({
      id: q.Id,
      expression: q.Expression ?? null,
      label: q.Label ?? null,
      returnData: q.ReturnData ?? true,
      metricStat: q.MetricStat
        ? {
            metric: q.MetricStat.Metric?.MetricName,
            dimensions: (q.MetricStat.Metric?.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).sort(),
            period: q.MetricStat.Period,
            stat: q.MetricStat.Stat,
          }
        : null,
    })),
  };
}

export function anomalyAlarmsWithPrefix(ctx: RegionCtx): Promise<MetricAlarm[]> {
  return ctx.cache.get(LISTING_KEY, async () => {
    const found: MetricAlarm[] = [];
    for await (const page of paginateDescribeAlarms(
      { client: ctx.aws.get(CloudWatchClient) },
      { AlarmNamePrefix: ctx.settings.alarms.anomaly.prefix, AlarmTypes: ['MetricAlarm'] },
    )) {
      found.push(...(page.MetricAlarms ?? []));
    }
    return found;
  });
}

export async function deleteAnomalyAlarms(ctx: RegionCtx, names: string[]): Promise<void> {
  for (let i = 0; i < names.length; i += 100)
    await ctx.aws.get(CloudWatchClient).send(new DeleteAlarmsCommand({ AlarmNames: names.slice(i, i + 100) }));
  ctx.cache.invalidate(LISTING_KEY);
}

/** Tagged ManagedBy=bedrock-monitor, like the other alarms; tags are read only when it matters. */
function ownership(ctx: RegionCtx, name: string): ResourceDef<AnomalyAlarmState>['ownership'] {
  const cw = ctx.aws.get(CloudWatchClient);
  return {
    rule: MANAGED_TAG_RULE,
    owns: async (s) =>
      s.arn !== null && hasManagedTag((await cw.send(new ListTagsForResourceCommand({ ResourceARN: s.arn }))).Tags),
    claim: async () => {
      const arn = (await anomalyAlarmsWithPrefix(ctx)).find((a) => a.AlarmName === name)?.AlarmArn;
      if (arn) await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: MANAGED_TAGS }));
    },
  };
}

function readAlarm(ctx: RegionCtx, name: string): () => Promise<AnomalyAlarmState | undefined> {
  return async () => {
    const found = (await anomalyAlarmsWithPrefix(ctx)).find((a) => a.AlarmName === name);
    return found ? { arn: found.AlarmArn ?? null, definition: definitionOf(found) } : undefined;
  };
}

export function anomalyAlarmResource(ctx: RegionCtx, spec: AnomalySpec): ResourceDef<AnomalyAlarmState> {
  const cw = ctx.aws.get(CloudWatchClient);
  const own = ownership(ctx, spec.name);
  const put = async (): Promise<void> => {
    await cw.send(new PutMetricAlarmCommand({ ...spec.input, Tags: MANAGED_TAGS }));
    ctx.cache.invalidate(LISTING_KEY);
  };
  return {
    resource: 'anomaly-alarm',
    name: spec.name,
    desired: { arn: null, definition: definitionOf(spec.input) },
    read: readAlarm(ctx, spec.name),
    attributes: [{ field: 'definition', get: (s) => s.definition }],
    ownership: own,
    create: put,
    // PutMetricAlarm ignores Tags when it updates an existing alarm: tag again.
    update: async () => {
      await put();
      await own.claim?.();
    },
    remove: () => deleteAnomalyAlarms(ctx, [spec.name]),
  };
}

/** This prefix's alarms the settings no longer ask for: cleanup deletes the tool's own. */
export async function strayAnomalyAlarms(ctx: RegionCtx): Promise<ResourceDef<AnomalyAlarmState>[]> {
  const wanted = new Set((await anomalySpecs(ctx)).map((s) => s.name));
  return (await anomalyAlarmsWithPrefix(ctx))
    .filter((a) => a.AlarmName && !wanted.has(a.AlarmName))
    .map((a) => {
      const name = a.AlarmName!;
      const state = { arn: a.AlarmArn ?? null, definition: definitionOf(a) };
      return {
        resource: 'anomaly-alarm',
        name,
        desired: state,
        read: readAlarm(ctx, name),
        attributes: [],
        ownership: ownership(ctx, name),
        create: () => Promise.reject(new Error(`anomaly alarm ${name} is not configured: it is never created`)),
        remove: () => deleteAnomalyAlarms(ctx, [name]),
      };
    });
}
