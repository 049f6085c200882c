import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DeleteDashboardsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
} from '../sdk/client-cloudwatch.js';
import type { MetricAlarm, MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  DeleteMetricFilterCommand,
  DescribeMetricFiltersCommand,
  PutMetricFilterCommand,
} from '../sdk/client-cloudwatch-logs.js';
import type { Settings } from '../config/settings.js';
import type { Ctx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound } from '../aws/errors.js';
import { partitionOf } from '../aws/names.js';
import { hasManagedTag, MANAGED_TAG_RULE, MANAGED_TAGS } from '../aws/ownership.js';
import { BEDROCK_EVENT_SOURCE } from '../core/cloudtrail.js';
import { thresholdAlarmInput } from './alarm-specs.js';
import { topicArn } from './topic.js';
import { METRIC_NAMESPACE, REFUSED_METRIC, securityDashboardBody, SECURITY_MARKER } from './security-dashboard.js';

/**
 * The security view: the BedrockSecurity dashboard, and (opt-in, `audit.alarms`) a metric filter on
 * the trail's log group counting refused Bedrock calls, with alarms on it and on guardrail
 * interventions, notifying the alarms' SNS topic.
 */

export const REFUSED_FILTER_NAME = 'bedrock-monitor-refused-bedrock-calls';

/** Refused calls as CloudTrail records them: AccessDenied… and …UnauthorizedOperation error codes. */
export const REFUSED_FILTER_PATTERN =
  `{ ($.eventSource = "${BEDROCK_EVENT_SOURCE}") && (($.errorCode = "AccessDenied*") || ($.errorCode = ` +
  `"*UnauthorizedOperation")) }`;

export function refusedCallsFilter(logGroupName: string) {
  return {
    logGroupName,
    filterName: REFUSED_FILTER_NAME,
    filterPattern: REFUSED_FILTER_PATTERN,
    metricTransformations: [
      { metricName: REFUSED_METRIC, metricNamespace: METRIC_NAMESPACE, metricValue: '1', defaultValue: 0 },
    ],
  };
}

export interface MetricFilterState {
  pattern: string | null;
  transformation: Record<string, unknown> | null;
}

export function metricFilterResource(ctx: Ctx): ResourceDef<MetricFilterState> {
  const logs = ctx.aws.get(CloudWatchLogsClient);
  const input = refusedCallsFilter(ctx.settings.audit.logGroupName);
  const t = (
    m: { metricName?: string; metricNamespace?: string; metricValue?: string; defaultValue?: number } | undefined,
  ) =>
    m
      ? {
          metricName: m.metricName ?? null,
          metricNamespace: m.metricNamespace ?? null,
          metricValue: m.metricValue ?? null,
          defaultValue: m.defaultValue ?? null,
        }
      : null;
  const put = async (): Promise<void> => void (await logs.send(new PutMetricFilterCommand(input)));
  return {
    resource: 'metric-filter',
    name: REFUSED_FILTER_NAME,
    desired: { pattern: input.filterPattern, transformation: t(input.metricTransformations[0]) },
    async read() {
      const r = await absentIfNotFound(
        logs.send(
          new DescribeMetricFiltersCommand({ logGroupName: input.logGroupName, filterNamePrefix: REFUSED_FILTER_NAME }),
        ),
      );
      const f = r?.metricFilters?.find((x) => x.filterName === REFUSED_FILTER_NAME);
      return f ? { pattern: f.filterPattern ?? null, transformation: t(f.metricTransformations?.[0]) } : undefined;
    },
    attributes: [
      { field: 'filterPattern', get: (s) => s.pattern },
      { field: 'metricTransformation', get: (s) => s.transformation },
    ],
    // Metric filters carry no tags: this one is the tool's by its name, on the tool's log group.
    ownership: { rule: `named ${REFUSED_FILTER_NAME} on log group ${input.logGroupName}`, owns: () => true },
    create: put,
    update: put,
    remove: async () =>
      void (await logs.send(
        new DeleteMetricFilterCommand({ logGroupName: input.logGroupName, filterName: REFUSED_FILTER_NAME }),
      )),
  };
}

export interface SecurityAlarmSpec {
  name: string;
  description: string;
  threshold: number;
  metrics: MetricDataQuery[];
}

export function securityAlarmSpecs(settings: Settings): SecurityAlarmSpec[] {
  const { prefix, refusedCallsPer5Min, guardrailInterventionsPerHour } = settings.audit.alarms;
  return [
    {
      name: `${prefix}RefusedCalls`,
      description:
        `More than ${refusedCallsPer5Min} Bedrock calls were refused (AccessDenied / UnauthorizedOperation in ` +
        `CloudTrail) in five minutes. See \`bedrock-monitor audit --denied\`.`,
      threshold: refusedCallsPer5Min,
      metrics: [
        {
          Id: 'refused',
          MetricStat: { Metric: { Namespace: METRIC_NAMESPACE, MetricName: REFUSED_METRIC }, Period: 300, Stat: 'Sum' },
          ReturnData: true,
        },
      ],
    },
    {
      name: `${prefix}GuardrailInterventions`,
      description:
        `Bedrock guardrails intervened more than ${guardrailInterventionsPerHour} times in one hour (all ` +
        `guardrails and versions).`,
      threshold: guardrailInterventionsPerHour,
      metrics: [
        {
          Id: 'intervened',
          Expression:
            'SELECT SUM(InvocationsIntervened) FROM SCHEMA("AWS/Bedrock/Guardrails", GuardrailArn, GuardrailVersion)',
          Period: 3600,
          Label: 'Guardrail interventions per hour',
          ReturnData: true,
        },
      ],
    },
  ];
}

export interface SecurityAlarmState {
  arn: string | null;
  threshold: number | null;
  metrics: unknown[];
  actions: { alarm: string[]; ok: string[] };
  evaluation: unknown[];
  description: string | null;
}

function alarmState(a: MetricAlarm): SecurityAlarmState {
  return {
    arn: a.AlarmArn ?? null,
    threshold: a.Threshold ?? null,
    metrics: (a.Metrics ?? []).map((q) => ({
      id: q.Id,
      expression: q.Expression ?? null,
      period: q.Period ?? null,
      returnData: q.ReturnData ?? true,
      stat: q.MetricStat
        ? `${q.MetricStat.Metric?.Namespace}/` +
          `${q.MetricStat.Metric?.MetricName}:${q.MetricStat.Stat}:${q.MetricStat.Period}`
        : null,
    })),
    actions: { alarm: [...(a.AlarmActions ?? [])].sort(), ok: [...(a.OKActions ?? [])].sort() },
    evaluation: [
      a.ComparisonOperator ?? null,
      a.EvaluationPeriods ?? null,
      a.DatapointsToAlarm ?? null,
      a.TreatMissingData ?? null,
    ],
    description: a.AlarmDescription ?? null,
  };
}

const SECURITY_ALARMS_KEY = 'security-alarms';

function securityAlarms(ctx: Ctx): Promise<MetricAlarm[]> {
  return ctx.cache.get(SECURITY_ALARMS_KEY, async () => {
    const names = securityAlarmSpecs(ctx.settings).map((s) => s.name);
    const r = await ctx.aws
      .get(CloudWatchClient)
      .send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm'] }));
    return r.MetricAlarms ?? [];
  });
}

/** Alarms carry the ManagedBy tag, written again after every update (PutMetricAlarm ignores Tags then). */
export async function securityAlarmResource(
  ctx: Ctx,
  spec: SecurityAlarmSpec,
): Promise<ResourceDef<SecurityAlarmState>> {
  const cw = ctx.aws.get(CloudWatchClient);
  const topic = await topicArn(ctx);
  const input = thresholdAlarmInput(spec, [topic]);
  const arnNow = async (): Promise<string | undefined> =>
    (await securityAlarms(ctx)).find((a) => a.AlarmName === spec.name)?.AlarmArn;
  const claim = async (): Promise<void> => {
    const arn = await arnNow();
    if (arn) await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: MANAGED_TAGS }));
  };
  const put = async (): Promise<void> => {
    await cw.send(new PutMetricAlarmCommand({ ...input, Tags: MANAGED_TAGS }));
    ctx.cache.invalidate(SECURITY_ALARMS_KEY);
  };
  return {
    resource: 'alarm',
    name: spec.name,
    desired: alarmState(input),
    async read() {
      const found = (await securityAlarms(ctx)).find((a) => a.AlarmName === spec.name);
      return found ? alarmState(found) : undefined;
    },
    attributes: [
      { field: 'threshold', get: (s) => s.threshold },
      { field: 'metrics', get: (s) => s.metrics },
      { field: 'actions', get: (s) => s.actions },
      { field: 'evaluation', get: (s) => s.evaluation },
      { field: 'description', get: (s) => s.description },
    ],
    ownership: {
      rule: MANAGED_TAG_RULE,
      owns: async (s) =>
        s.arn !== null && hasManagedTag((await cw.send(new ListTagsForResourceCommand({ ResourceARN: s.arn }))).Tags),
      claim,
    },
    create: put,
    update: async () => {
      await put();
      await claim();
    },
    remove: async () => {
      await cw.send(new DeleteAlarmsCommand({ AlarmNames: [spec.name] }));
      ctx.cache.invalidate(SECURITY_ALARMS_KEY);
    },
  };
}

export interface SecurityDashboardState {
  body: unknown;
}

export async function securityDashboardResource(ctx: Ctx): Promise<ResourceDef<SecurityDashboardState>> {
  const { audit } = ctx.settings;
  const cw = ctx.aws.get(CloudWatchClient);
  const alarmArns = audit.alarms.enabled
    ? await Promise.all(securityAlarmSpecs(ctx.settings).map(async (s) => alarmArnOf(ctx, s.name)))
    : [];
  const body = securityDashboardBody(ctx.settings, alarmArns);
  // Tags apply on creation only (AWS ignores them on update): the ownership rule is the marker.
  const put = async (tags = false): Promise<void> =>
    void (await cw.send(
      new PutDashboardCommand({
        DashboardName: audit.dashboardName,
        DashboardBody: JSON.stringify(body),
        ...(tags ? { Tags: MANAGED_TAGS } : {}),
      }),
    ));
  return {
    resource: 'dashboard',
    name: audit.dashboardName,
    desired: { body },
    async read() {
      const r = await absentIfNotFound(cw.send(new GetDashboardCommand({ DashboardName: audit.dashboardName })));
      if (!r?.DashboardBody) return undefined;
      try {
        return { body: JSON.parse(r.DashboardBody) as unknown };
      } catch {
        return { body: r.DashboardBody };
      }
    },
    attributes: [{ field: 'body', get: (s) => s.body, update: () => put() }],
    create: () => put(true),
    ownership: {
      rule: `carrying the "${SECURITY_MARKER}" header`,
      owns: (s) => JSON.stringify(s.body).includes(SECURITY_MARKER),
    },
    remove: async () => void (await cw.send(new DeleteDashboardsCommand({ DashboardNames: [audit.dashboardName] }))),
  };
}

async function alarmArnOf(ctx: Ctx, name: string): Promise<string> {
  const region = ctx.settings.region;
  return `arn:${partitionOf(region)}:cloudwatch:${region}:${await ctx.account()}:alarm:${name}`;
}
