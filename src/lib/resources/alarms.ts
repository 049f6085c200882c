import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  ListTagsForResourceCommand,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
  paginateDescribeAlarms,
} from '../sdk/client-cloudwatch.js';
import type { CompositeAlarm, MetricAlarm, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { RegionCtx } from '../context/context.js';
import { describePrices, pricesInUse } from '../context/prices.js';
import type { ResourceDef } from '../aws/ensure.js';
import { hasManagedTag, MANAGED_TAG_RULE, MANAGED_TAGS } from '../aws/ownership.js';
import {
  alarmSpecs,
  anyOf,
  thresholdAlarmInput,
  type CompositeAlarmSpec,
  type MetricAlarmSpec,
  type AlarmPricing,
} from './alarm-specs.js';
import { topicArn } from './topic.js';

export { ALARM_KEYS, alarmSpecs, type AlarmKey, type AlarmSpec } from './alarm-specs.js';

type AlarmType = 'MetricAlarm' | 'CompositeAlarm';

/** One alarm with the prefix, as DescribeAlarms listed it. */
export interface ListedAlarm {
  name: string;
  arn: string | null;
  type: AlarmType;
  metric?: MetricAlarm;
  composite?: CompositeAlarm;
}

/** Cache key of the DescribeAlarms listing; every alarm write invalidates it. */
const ALARMS_KEY = 'alarms';

/**
 * Every alarm whose name has the prefix, metric and composite alike, read with one paginated
 * DescribeAlarms per run (without AlarmTypes, DescribeAlarms returns metric alarms only).
 */
export function alarmsWithPrefix(ctx: RegionCtx): Promise<ListedAlarm[]> {
  return ctx.cache.get(ALARMS_KEY, async () => {
    const found: ListedAlarm[] = [];
    const input = {
      AlarmNamePrefix: ctx.settings.alarms.prefix,
      AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] as AlarmType[],
    };
    for await (const page of paginateDescribeAlarms({ client: ctx.aws.get(CloudWatchClient) }, input)) {
      for (const a of page.MetricAlarms ?? [])
        found.push({ name: a.AlarmName ?? '', arn: a.AlarmArn ?? null, type: 'MetricAlarm', metric: a });
      for (const a of page.CompositeAlarms ?? [])
        found.push({ name: a.AlarmName ?? '', arn: a.AlarmArn ?? null, type: 'CompositeAlarm', composite: a });
    }
    return found;
  });
}

const listed = async (ctx: RegionCtx, name: string): Promise<ListedAlarm | undefined> =>
  (await alarmsWithPrefix(ctx)).find((a) => a.name === name);

/**
 * Deletes alarms in the order CloudWatch requires: each composite first, alone in its request (a
 * request may hold at most one, and an alarm a composite names cannot be deleted), then the metric
 * alarms, 100 per request.
 */
export async function deleteAlarms(ctx: RegionCtx, names: string[]): Promise<void> {
  const cw = ctx.aws.get(CloudWatchClient);
  const all = await alarmsWithPrefix(ctx);
  const composites = new Set(all.filter((a) => a.type === 'CompositeAlarm').map((a) => a.name));
  try {
    for (const name of names.filter((n) => composites.has(n)))
      await cw.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
    const rest = names.filter((n) => !composites.has(n));
    for (let i = 0; i < rest.length; i += 100)
      await cw.send(new DeleteAlarmsCommand({ AlarmNames: rest.slice(i, i + 100) }));
  } finally {
    ctx.cache.invalidate(ALARMS_KEY);
  }
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
  type: AlarmType;
  /** Not compared: where its tags are read. */
  arn: string | null;
  threshold: number | null;
  metrics: Record<string, unknown>[];
  /** Composite alarms: the rule. */
  rule: string | null;
  actions: { enabled: boolean; alarm: string[]; ok: string[] };
  evaluation: {
    comparison: string | null;
    periods: number | null;
    datapoints: number | null;
    treatMissingData: string | null;
  } | null;
  description: string | null;
}

type Actions = { ActionsEnabled?: boolean; AlarmActions?: string[]; OKActions?: string[] };
const actionsOf = (a: Actions): AlarmState['actions'] => ({
  enabled: a.ActionsEnabled ?? true,
  alarm: [...(a.AlarmActions ?? [])].sort(),
  ok: [...(a.OKActions ?? [])].sort(),
});

function stateOfMetric(a: MetricAlarm): AlarmState {
  return {
    type: 'MetricAlarm',
    arn: a.AlarmArn ?? null,
    threshold: a.Threshold ?? null,
    metrics: (a.Metrics ?? []).map(normalizeQuery),
    rule: null,
    actions: actionsOf(a),
    evaluation: {
      comparison: a.ComparisonOperator ?? null,
      periods: a.EvaluationPeriods ?? null,
      datapoints: a.DatapointsToAlarm ?? null,
      treatMissingData: a.TreatMissingData ?? null,
    },
    description: a.AlarmDescription ?? null,
  };
}

function stateOfComposite(a: CompositeAlarm): AlarmState {
  return {
    type: 'CompositeAlarm',
    arn: a.AlarmArn ?? null,
    threshold: null,
    metrics: [],
    rule: a.AlarmRule ?? null,
    actions: actionsOf(a),
    evaluation: null,
    description: a.AlarmDescription ?? null,
  };
}

const stateOf = (a: ListedAlarm): AlarmState =>
  a.metric ? stateOfMetric(a.metric) : stateOfComposite(a.composite ?? {});

/**
 * Alarms carry the ManagedBy tag. Their tags are not part of DescribeAlarms, so they are read only
 * when it matters (an alarm to change or delete), and written again after every update: both
 * PutMetricAlarm and PutCompositeAlarm ignore Tags when they update an existing alarm.
 */
function alarmOwnership(ctx: RegionCtx, name: string): ResourceDef<AlarmState>['ownership'] {
  const cw = ctx.aws.get(CloudWatchClient);
  return {
    rule: MANAGED_TAG_RULE,
    owns: async (s) =>
      s.arn !== null && hasManagedTag((await cw.send(new ListTagsForResourceCommand({ ResourceARN: s.arn }))).Tags),
    claim: async () => {
      const arn = (await listed(ctx, name))?.arn;
      if (arn) await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: MANAGED_TAGS }));
    },
    claimAfterUpdate: true,
  };
}

const ALARM_ATTRIBUTES: ResourceDef<AlarmState>['attributes'] = [
  { field: 'type', get: (s) => s.type },
  { field: 'threshold', get: (s) => s.threshold },
  { field: 'metrics', get: (s) => s.metrics },
  { field: 'rule', get: (s) => s.rule },
  { field: 'actions', get: (s) => s.actions },
  { field: 'evaluation', get: (s) => s.evaluation },
  { field: 'description', get: (s) => s.description },
];

/** Shared by metric and composite alarms: read from the listing, write with `put`, tag after. */
function alarmDef(
  ctx: RegionCtx,
  name: string,
  desired: AlarmState,
  put: (tags: boolean) => Promise<void>,
): ResourceDef<AlarmState> {
  const write = async (tags: boolean): Promise<void> => {
    try {
      await put(tags);
    } finally {
      ctx.cache.invalidate(ALARMS_KEY);
    }
  };
  return {
    resource: desired.type === 'CompositeAlarm' ? 'composite-alarm' : 'alarm',
    name,
    desired,
    async read() {
      const found = await listed(ctx, name);
      return found ? stateOf(found) : undefined;
    },
    attributes: ALARM_ATTRIBUTES,
    ownership: alarmOwnership(ctx, name),
    create: () => write(true),
    update: async (_d, actual) => {
      // A metric alarm cannot become a composite one (or back) in place: replace it.
      if (actual.type !== desired.type) await deleteAlarms(ctx, [name]);
      await write(actual.type !== desired.type);
    },
    remove: () => deleteAlarms(ctx, [name]),
  };
}

export async function alarmResource(ctx: RegionCtx, spec: MetricAlarmSpec): Promise<ResourceDef<AlarmState>> {
  const cw = ctx.aws.get(CloudWatchClient);
  const topic = spec.notify ? [await topicArn(ctx)] : [];
  const input = thresholdAlarmInput(spec, topic);
  return alarmDef(ctx, spec.name, stateOfMetric(input), async (tags) => {
    await cw.send(new PutMetricAlarmCommand({ ...input, ...(tags ? { Tags: MANAGED_TAGS } : {}) }));
  });
}

export async function compositeAlarmResource(
  ctx: RegionCtx,
  spec: CompositeAlarmSpec,
): Promise<ResourceDef<AlarmState>> {
  const cw = ctx.aws.get(CloudWatchClient);
  const topic = await topicArn(ctx);
  const input = {
    AlarmName: spec.name,
    AlarmDescription: spec.description,
    ActionsEnabled: true,
    AlarmActions: [topic],
    OKActions: [topic],
    AlarmRule: anyOf(spec.children),
  };
  return alarmDef(ctx, spec.name, stateOfComposite(input), async (tags) => {
    await cw.send(new PutCompositeAlarmCommand({ ...input, ...(tags ? { Tags: MANAGED_TAGS } : {}) }));
  });
}

/** Every configured alarm, in the order status and cleanup list them (each composite before its children). */
export async function alarmResources(ctx: RegionCtx): Promise<ResourceDef<AlarmState>[]> {
  const specs = alarmSpecs(ctx.settings, await alarmPricing(ctx));
  return Promise.all(
    specs.map((s) => (s.kind === 'composite' ? compositeAlarmResource(ctx, s) : alarmResource(ctx, s))),
  );
}

/**
 * Alarms with the prefix that the settings do not ask for: the tool's own (tagged) are reported as
 * no longer wanted, deleted by `alarms --prune` and cleanup; anyone else's are left alone.
 */
export async function strayAlarmResources(ctx: RegionCtx): Promise<ResourceDef<AlarmState>[]> {
  const wanted = new Set(alarmSpecs(ctx.settings, await alarmPricing(ctx)).map((s) => s.name));
  const strays = (await alarmsWithPrefix(ctx)).filter((a) => a.name && !wanted.has(a.name));
  return strays.map((a) => ({
    ...alarmDef(ctx, a.name, stateOf(a), () =>
      Promise.reject(new Error(`alarm ${a.name} is not configured: it is never written`)),
    ),
    attributes: [],
  }));
}

/** The strays that are the tool's. */
export async function unwantedAlarms(ctx: RegionCtx): Promise<ResourceDef<AlarmState>[]> {
  const strays = await strayAlarmResources(ctx);
  const owned = await Promise.all(strays.map(async (d) => d.ownership.owns(d.desired)));
  return strays.filter((_d, i) => owned[i]);
}

/** The table the HighCost alarm prices from: the one `prices refresh` fetched, else the bundled one. */
async function alarmPricing(ctx: RegionCtx): Promise<AlarmPricing> {
  const { refreshed, info } = await pricesInUse(ctx);
  return { ...(refreshed ? { refreshed } : {}), table: describePrices(info) };
}
