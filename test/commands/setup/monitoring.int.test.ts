import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand as CwListTagsCommand,
  PutCompositeAlarmCommand,
  PutDashboardCommand,
  PutMetricAlarmCommand,
  UntagResourceCommand as CwUntagCommand,
} from '@aws-sdk/client-cloudwatch';
import { ListSubscriptionsByTopicCommand, ListTagsForResourceCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { cliFor, emptyDir, fromSnapshot, useMoto } from '../../support/cli.js';
import { ACCOUNT, sdk } from '../../support/aws.js';
import { expectGolden } from '../../support/golden.js';

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const aws = () => sdk(emulator().url, REGION);
const TOPIC_ARN = `arn:aws:sns:${REGION}:${ACCOUNT}:bedrock-usage-alerts`;
/** Every alarm without a cost threshold, in the order the tool lists them (each composite before its children). */
const ALL_ALARMS = [
  'Bedrock-HighTokenUsage',
  'Bedrock-HighTokenUsage-Input',
  'Bedrock-HighTokenUsage-Output',
  'Bedrock-HighErrorRate',
  'Bedrock-HighErrorRate-Client',
  'Bedrock-HighErrorRate-Server',
  'Bedrock-InvocationSpike',
  'Bedrock-HighLatency',
  'Bedrock-LogDeliveryFailure',
];
const COST_ALARMS = [
  'Bedrock-HighCost',
  'Bedrock-HighCost-Input',
  'Bedrock-HighCost-Output',
  'Bedrock-HighCost-CacheWrite',
  'Bedrock-HighCost-CacheRead',
];
const COMPOSITES = ['Bedrock-HighTokenUsage', 'Bedrock-HighErrorRate', 'Bedrock-HighCost'];

/** A project directory whose config names two alert addresses and a cost threshold. */
function project(extra: Record<string, unknown> = {}): string {
  const dir = emptyDir();
  writeFileSync(
    join(dir, 'bedrock-monitor.config.json'),
    JSON.stringify({
      alarms: { emails: ['oncall@example.com', 'lead@example.com'], thresholds: { costUsdPerHour: 25 } },
      ...extra,
    }),
  );
  return dir;
}

/**
 * The state a test starts from, made by the command itself: the first test that asks builds it (and checks the run
 * succeeded), later ones get a copy of the emulator's state after it (fromSnapshot).
 */
const dashboardMade = fromSnapshot(emulator, 'dashboard', async () => {
  expect((await cli(['dashboard'])).code).toBe(0);
});
/** `alarms` with the defaults: the topic and every alarm without a cost threshold, no subscription. */
const alarmsMade = fromSnapshot(emulator, 'alarms', async () => {
  expect((await cli(['alarms'])).code).toBe(0);
});
/** `alarms` in a project() directory: two subscriptions and the cost alarms too. */
const projectAlarmsMade = fromSnapshot(emulator, 'alarms-project', async () => {
  expect((await cli(['alarms'], { cwd: project() })).code).toBe(0);
});

async function describeAll() {
  const r = await aws().cw.send(
    new DescribeAlarmsCommand({ AlarmNamePrefix: 'Bedrock-', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }),
  );
  return { metric: r.MetricAlarms ?? [], composite: r.CompositeAlarms ?? [] };
}

describe('dashboard', () => {
  test('is created with the golden body, and a second run writes nothing', async () => {
    const first = await cli(['dashboard', '--json']);
    expect(first.code).toBe(0);
    expect(first.json().outcomes[0]).toMatchObject({
      resource: 'dashboard',
      name: 'BedrockUsageMonitoring',
      action: 'created',
    });
    const deployed = await aws().cw.send(new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' }));
    expectGolden('dashboard-us-east-1.json', `${JSON.stringify(JSON.parse(deployed.DashboardBody!), null, 2)}\n`);

    const second = await cli(['dashboard', '--json']);
    expect(second.json().outcomes[0].action).toBe('unchanged');
    expect(second.writes).toEqual([]);
  });

  test('per-model widgets use SEARCH and the log widget never selects a body', async () => {
    await dashboardMade();
    const body = JSON.parse(
      (await aws().cw.send(new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' }))).DashboardBody!,
    );
    const expressions = JSON.stringify(
      body.widgets
        .filter((w: { type: string }) => w.type === 'metric')
        .map((w: { properties: { metrics: unknown } }) => w.properties.metrics),
    );
    for (const metric of [
      'Invocations',
      'InputTokenCount',
      'OutputTokenCount',
      'CacheReadInputTokenCount',
      'CacheWriteInputTokenCount',
      'InvocationLatency',
      'TimeToFirstToken',
      'InvocationClientErrors',
      'InvocationServerErrors',
      'InvocationThrottles',
    ]) {
      expect(expressions).toContain(`SEARCH('{AWS/Bedrock,ModelId} MetricName=\\"${metric}\\"`);
    }
    for (const m of ['ModelInvocationLogsCloudWatchDeliveryFailure', 'ModelInvocationLogsS3DeliveryFailure'])
      expect(expressions).toContain(m);
    const log = body.widgets.find((w: { type: string }) => w.type === 'log');
    expect(log.properties.query).toContain("SOURCE '/aws/bedrock/modelinvocations'");
    expect(log.properties.query).not.toMatch(/inputBodyJson|outputBodyJson\b(?!\.metrics)|@message/);
  });

  test('an edit made in the console is drift that `dashboard` reverts', async () => {
    await dashboardMade();
    // A widget removed by hand; the header (the tool's marker) is still there.
    const body = JSON.parse(
      (await aws().cw.send(new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' }))).DashboardBody!,
    );
    await aws().cw.send(
      new PutDashboardCommand({
        DashboardName: 'BedrockUsageMonitoring',
        DashboardBody: JSON.stringify({ widgets: body.widgets.slice(0, 2) }),
      }),
    );
    const status = await cli(['status', '--json']);
    expect(status.code).toBe(3);
    expect(status.json().rows.find((r: { resource: string }) => r.resource === 'dashboard')).toMatchObject({
      status: 'drifted',
      changes: [{ field: 'body' }],
    });
    const repair = await cli(['dashboard', '--json']);
    expect(repair.json().outcomes[0].action).toBe('updated');
    expect(repair.writes.map((w) => w.operation)).toEqual(['PutDashboard']);
    const again = await cli(['dashboard', '--json']);
    expect(again.json().outcomes[0].action).toBe('unchanged');
  });

  // Dashboards take tags: PutDashboard Tags on creation ("If you specify Tags when updating an existing dashboard,
  // the tag updates are ignored. To add or update tags on an existing dashboard, use TagResource":
  // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html).
  test('is tagged ManagedBy=bedrock-monitor; one made before tags is recognised by its header and tagged', async () => {
    await dashboardMade();
    const tagsOf = async () => {
      const { DashboardArn } = await aws().cw.send(
        new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' }),
      );
      return (await aws().cw.send(new CwListTagsCommand({ ResourceARN: DashboardArn }))).Tags;
    };
    expect(await tagsOf()).toEqual([{ Key: 'ManagedBy', Value: 'bedrock-monitor' }]);
    // As a dashboard made by an earlier version: the header, no tag.
    const { DashboardArn } = await aws().cw.send(new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' }));
    await aws().cw.send(new CwUntagCommand({ ResourceARN: DashboardArn, TagKeys: ['ManagedBy'] }));
    const status = await cli(['status', '--json']);
    expect(status.json().rows.find((r: { resource: string }) => r.resource === 'dashboard')).toMatchObject({
      status: 'drifted',
      changes: [{ field: 'tag', from: false, to: true }],
    });
    const repair = await cli(['dashboard', '--json']);
    expect(repair.json().outcomes[0].action).toBe('updated');
    expect(repair.writes.map((w) => w.operation)).toEqual(['TagResource']);
    expect(await tagsOf()).toEqual([{ Key: 'ManagedBy', Value: 'bedrock-monitor' }]);
    // The tag alone is enough: a body whose header was removed by hand is the tool's drift, not a stranger's.
    await aws().cw.send(
      new PutDashboardCommand({ DashboardName: 'BedrockUsageMonitoring', DashboardBody: '{"widgets":[]}' }),
    );
    const reverted = await cli(['dashboard', '--json']);
    expect(reverted.code).toBe(0);
    expect(reverted.json().outcomes[0]).toMatchObject({ action: 'updated', changes: [{ field: 'body' }] });
  });

  test('a same-named dashboard someone made by hand is never overwritten without --force', async () => {
    const theirs = JSON.stringify({
      widgets: [{ type: 'text', x: 0, y: 0, width: 6, height: 2, properties: { markdown: 'our team board' } }],
    });
    await aws().cw.send(new PutDashboardCommand({ DashboardName: 'BedrockUsageMonitoring', DashboardBody: theirs }));
    const refused = await cli(['dashboard']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force');
    expect(refused.writes).toEqual([]);
    expect(
      (await aws().cw.send(new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' }))).DashboardBody,
    ).toBe(theirs);
    const cleanup = await cli(['cleanup', '--yes', '--json']);
    expect(cleanup.json().outcomes.find((o: { resource: string }) => o.resource === 'dashboard')).toMatchObject({
      action: 'skipped',
    });
    const adopted = await cli(['dashboard', '--force', '--json']);
    expect(adopted.json().outcomes[0].action).toBe('updated');
    expect(adopted.writes.map((w) => w.operation)).toContain('TagResource');
  });
});

describe('alarms', () => {
  test('a fresh account gets the topic, one subscription per address and every enabled alarm', async () => {
    const dir = project();
    const r = await cli(['alarms', '--tokens-per-hour', '250000', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(
      r
        .json()
        .outcomes.map((o: { resource: string; name: string; action: string }) => `${o.action} ${o.resource} ${o.name}`),
    ).toEqual([
      'created sns-topic bedrock-usage-alerts',
      'created sns-subscription oncall@example.com',
      'created sns-subscription lead@example.com',
      ...[...ALL_ALARMS, ...COST_ALARMS].map(
        (a) => `created ${COMPOSITES.includes(a) ? 'composite-alarm' : 'alarm'} ${a}`,
      ),
    ]);
    const subs = (await aws().sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }))).Subscriptions!;
    expect(subs.map((s) => [s.Protocol, s.Endpoint]).sort()).toEqual([
      ['email', 'lead@example.com'],
      ['email', 'oncall@example.com'],
    ]);
    expect((await aws().sns.send(new ListTagsForResourceCommand({ ResourceArn: TOPIC_ARN }))).Tags).toContainEqual({
      Key: 'ManagedBy',
      Value: 'bedrock-monitor',
    });

    const { metric, composite } = await describeAll();
    const byName = Object.fromEntries(metric.map((a) => [a.AlarmName, a]));
    expect(byName['Bedrock-HighTokenUsage-Input']?.Threshold).toBe(250000);
    expect(byName['Bedrock-HighTokenUsage-Output']?.Threshold).toBe(250000);
    expect(byName['Bedrock-HighErrorRate-Client']?.Threshold).toBe(10);
    expect(byName['Bedrock-InvocationSpike']?.Threshold).toBe(1000);
    expect(byName['Bedrock-HighLatency']?.Threshold).toBe(10000);
    expect(byName['Bedrock-LogDeliveryFailure']?.Threshold).toBe(0);
    expect(byName['Bedrock-HighCost-Output']?.Threshold).toBe(25);
    for (const a of metric) {
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html: one Metrics Insights
      // query per call (and per alarm)
      expect(a.Metrics!.filter((m) => /^\s*SELECT\b/i.test(m.Expression ?? '')).length).toBeLessThanOrEqual(1);
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-search-expressions.html: no SEARCH in
      // alarms
      expect(a.Metrics!.some((m) => /SEARCH\s*\(/i.test(m.Expression ?? ''))).toBe(false);
      expect(a.Metrics!.filter((m) => m.ReturnData)).toHaveLength(1);
      for (const m of a.Metrics!) expect(m.Id).toMatch(/^[a-z]/);
      // Children notify nobody: their composite does.
      const notifies = !a.AlarmName!.match(/-(Input|Output|Client|Server|CacheWrite|CacheRead)$/);
      expect(a).toMatchObject({
        AlarmActions: notifies ? [TOPIC_ARN] : [],
        OKActions: notifies ? [TOPIC_ARN] : [],
        TreatMissingData: 'notBreaching',
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
    expect(composite.map((c) => c.AlarmName).sort()).toEqual([...COMPOSITES].sort());
    for (const c of composite) {
      expect(c).toMatchObject({ AlarmActions: [TOPIC_ARN], OKActions: [TOPIC_ARN], ActionsEnabled: true });
      const children = [...c.AlarmRule!.matchAll(/ALARM\("([^"]+)"\)/g)].map((m) => m[1]);
      expect(children.length).toBeGreaterThanOrEqual(2);
      for (const child of children) expect(byName[child!]).toBeDefined();
    }
    // Every alarm the tool made is tagged as its own.
    for (const a of [...metric, ...composite]) {
      expect((await aws().cw.send(new CwListTagsCommand({ ResourceARN: a.AlarmArn }))).Tags).toContainEqual({
        Key: 'ManagedBy',
        Value: 'bedrock-monitor',
      });
    }
    // The definitions, exactly, as deployed (volatile fields removed).
    const definitions = [
      ...metric.map(
        ({
          AlarmName,
          AlarmDescription,
          Threshold,
          ComparisonOperator,
          EvaluationPeriods,
          DatapointsToAlarm,
          TreatMissingData,
          Metrics,
        }) => ({
          AlarmName,
          AlarmDescription,
          Threshold,
          ComparisonOperator,
          EvaluationPeriods,
          DatapointsToAlarm,
          TreatMissingData,
          Metrics,
        }),
      ),
      ...composite.map(({ AlarmName, AlarmDescription, AlarmRule }) => ({ AlarmName, AlarmDescription, AlarmRule })),
    ].sort((a, b) => a.AlarmName!.localeCompare(b.AlarmName!));
    expectGolden('alarms.json', `${JSON.stringify(definitions, null, 2)}\n`);
  });

  test('HighCost is off unless a threshold is set', async () => {
    const r = await cli(['alarms', '--json']);
    expect(r.code).toBe(0);
    const { metric, composite } = await describeAll();
    expect([...metric, ...composite].map((a) => a.AlarmName).sort()).toEqual([...ALL_ALARMS].sort());
  });

  test('a second run makes no write request; a changed threshold updates exactly the alarms that hold it', async () => {
    const dir = project();
    await projectAlarmsMade();
    const second = await cli(['alarms', '--json'], { cwd: dir });
    expect(second.writes).toEqual([]);
    expect(second.json().outcomes.every((o: { action: string }) => o.action === 'unchanged')).toBe(true);

    const changed = await cli(['alarms', '--latency-ms', '20000', '--json'], { cwd: dir });
    // PutMetricAlarm ignores Tags when it updates an alarm (real AWS): the tag is written after it.
    expect(changed.writes.map((w) => w.operation)).toEqual(['PutMetricAlarm', 'TagResource']);
    const updated = changed.json().outcomes.filter((o: { action: string }) => o.action !== 'unchanged');
    expect(updated).toHaveLength(1);
    expect(updated[0]).toMatchObject({ name: 'Bedrock-HighLatency', action: 'updated' });
    expect(updated[0].changes.map((c: { field: string }) => c.field)).toEqual(['threshold', 'description']);
    expect(updated[0].changes[0]).toEqual({ field: 'threshold', from: 10000, to: 20000 });

    // A composite alarm's threshold lives in its children; its description says it too.
    const tokens = await cli(['alarms', '--latency-ms', '20000', '--tokens-per-hour', '5000', '--json'], { cwd: dir });
    const names = tokens
      .json()
      .outcomes.filter((o: { action: string }) => o.action === 'updated')
      .map((o: { name: string }) => o.name);
    expect(names.sort()).toEqual([
      'Bedrock-HighTokenUsage',
      'Bedrock-HighTokenUsage-Input',
      'Bedrock-HighTokenUsage-Output',
    ]);
    // Children first, then the composite, each re-tagged after its update.
    const ops = tokens.writes.map((w) => w.operation);
    expect(ops.slice(0, 4).sort()).toEqual(['PutMetricAlarm', 'PutMetricAlarm', 'TagResource', 'TagResource']);
    expect(ops.slice(4)).toEqual(['PutCompositeAlarm', 'TagResource']);
  });

  test('a deleted alarm or a removed subscription is drift that `alarms` repairs', async () => {
    const dir = project();
    await projectAlarmsMade();
    const { cw, sns } = aws();
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['Bedrock-HighErrorRate'] }));
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['Bedrock-InvocationSpike'] }));
    const sub = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: TOPIC_ARN }))).Subscriptions!.find(
      (s) => s.Endpoint === 'lead@example.com',
    )!;
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));

    const status = await cli(['status', '--json'], { cwd: dir });
    expect(status.code).toBe(3);
    const missing = status
      .json()
      .rows.filter(
        (r: { status: string; resource: string }) =>
          r.status === 'missing' && ['alarm', 'composite-alarm', 'sns-subscription'].includes(r.resource),
      );
    expect(missing.map((r: { name: string }) => r.name).sort()).toEqual([
      'Bedrock-HighErrorRate',
      'Bedrock-InvocationSpike',
      'lead@example.com',
    ]);

    const repair = await cli(['alarms', '--json'], { cwd: dir });
    expect(repair.writes.map((w) => w.operation).sort()).toEqual(['PutCompositeAlarm', 'PutMetricAlarm', 'Subscribe']);
    const rows = (await cli(['status', '--json'], { cwd: dir })).json().rows;
    expect(
      rows.filter(
        (r: { resource: string; status: string }) =>
          ['sns-topic', 'sns-subscription', 'alarm', 'composite-alarm'].includes(r.resource) && r.status !== 'ok',
      ),
    ).toEqual([]);
  });

  test('an alarm with an edited threshold is named as drifted, field by field', async () => {
    await alarmsMade();
    const current = (await describeAll()).metric.find((a) => a.AlarmName === 'Bedrock-InvocationSpike')!;
    await aws().cw.send(
      new PutMetricAlarmCommand({
        AlarmName: current.AlarmName,
        Metrics: current.Metrics,
        Threshold: 5,
        ComparisonOperator: current.ComparisonOperator,
        EvaluationPeriods: 1,
        DatapointsToAlarm: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: current.AlarmActions,
        OKActions: current.OKActions,
        AlarmDescription: current.AlarmDescription,
      }),
    );
    const row = (await cli(['status', '--json']))
      .json()
      .rows.find((r: { name: string }) => r.name === 'Bedrock-InvocationSpike');
    expect(row).toMatchObject({ status: 'drifted', changes: [{ field: 'threshold', from: 5, to: 1000 }] });
  });

  test('a composite alarm with an edited rule is drift that `alarms` repairs', async () => {
    await alarmsMade();
    const { cw } = aws();
    await cw.send(
      new PutCompositeAlarmCommand({
        AlarmName: 'Bedrock-HighErrorRate',
        AlarmRule: 'ALARM("Bedrock-HighErrorRate-Client")',
        AlarmActions: [TOPIC_ARN],
        OKActions: [TOPIC_ARN],
      }),
    );
    const row = (await cli(['status', '--json']))
      .json()
      .rows.find((r: { name: string }) => r.name === 'Bedrock-HighErrorRate');
    expect(row).toMatchObject({ resource: 'composite-alarm', status: 'drifted' });
    expect(row.changes.map((c: { field: string }) => c.field)).toEqual(['rule', 'description']);
    const repair = await cli(['alarms', '--json']);
    expect(repair.writes.map((w) => w.operation)).toEqual(['PutCompositeAlarm', 'TagResource']);
    expect((await describeAll()).composite.find((c) => c.AlarmName === 'Bedrock-HighErrorRate')?.AlarmRule).toBe(
      'ALARM("Bedrock-HighErrorRate-Client") OR ALARM("Bedrock-HighErrorRate-Server")',
    );
  });

  test(
    'alarms no longer wanted are reported, removed only with --prune (composite first), and foreign ones are ' +
      'never touched',
    async () => {
      await projectAlarmsMade();
      await aws().cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'Bedrock-TeamOwned',
          Namespace: 'AWS/Bedrock',
          MetricName: 'Invocations',
          Statistic: 'Sum',
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanThreshold',
        }),
      );
      // HighCost is no longer configured.
      const report = await cli(['alarms', '--json']);
      const stale = report.json().outcomes.filter((o: { name: string }) => o.name.startsWith('Bedrock-HighCost'));
      expect(stale.map((o: { name: string; action: string }) => `${o.action} ${o.name}`).sort()).toEqual(
        COST_ALARMS.map((n) => `skipped ${n}`).sort(),
      );
      expect(report.json().outcomes.find((o: { name: string }) => o.name === 'Bedrock-TeamOwned')).toBeUndefined();
      expect((await cli(['status'])).code).toBe(3);

      const dry = await cli(['alarms', '--prune', '--dry-run', '--json']);
      expect(dry.json().outcomes.find((o: { name: string }) => o.name === 'Bedrock-HighCost')).toMatchObject({
        resource: 'composite-alarm',
        action: 'would-delete',
      });
      expect(dry.writes).toEqual([]);

      const pruned = await cli(['alarms', '--prune', '--json']);
      expect(pruned.code).toBe(0);
      expect(
        pruned
          .json()
          .outcomes.filter((o: { action: string }) => o.action === 'deleted')
          .map((o: { name: string }) => o.name)
          .sort(),
      ).toEqual([...COST_ALARMS].sort());
      // The composite alone in the first request (CloudWatch refuses to delete a child a composite still names).
      expect(pruned.writes.map((w) => w.operation)).toEqual(['DeleteAlarms', 'DeleteAlarms']);
      const { metric, composite } = await describeAll();
      expect([...metric, ...composite].map((a) => a.AlarmName).sort()).toEqual(
        [...ALL_ALARMS, 'Bedrock-TeamOwned'].sort(),
      );
    },
  );

  test(
    'an untagged, hand-made alarm with a configured name survives `alarms` (exit 2, unchanged) and is adopted ' +
      'and tagged with --force',
    async () => {
      const { cw } = aws();
      const theirs = {
        AlarmName: 'Bedrock-HighLatency',
        Namespace: 'AWS/Bedrock',
        MetricName: 'InvocationLatency',
        Statistic: 'Average' as const,
        Period: 60,
        EvaluationPeriods: 3,
        Threshold: 2500,
        ComparisonOperator: 'GreaterThanThreshold' as const,
      };
      await cw.send(new PutMetricAlarmCommand(theirs));
      const before = (await describeAll()).metric.find((a) => a.AlarmName === 'Bedrock-HighLatency')!;

      const refused = await cli(['alarms', '--json']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('alarm Bedrock-HighLatency exists but is not tagged ManagedBy=bedrock-monitor');
      expect(refused.stderr).toContain('--force');
      expect(
        refused.writes.filter(
          (w) => w.input && (w.input as { AlarmName?: string }).AlarmName === 'Bedrock-HighLatency',
        ),
      ).toEqual([]);
      const after = (await describeAll()).metric.find((a) => a.AlarmName === 'Bedrock-HighLatency')!;
      expect(after).toEqual(before);
      expect((await aws().cw.send(new CwListTagsCommand({ ResourceARN: after.AlarmArn }))).Tags).toEqual([]);
      // status says whose it is; cleanup leaves it alone.
      const row = (await cli(['status', '--json']))
        .json()
        .rows.find((r: { name: string }) => r.name === 'Bedrock-HighLatency');
      expect(row.note).toContain('not tagged ManagedBy=bedrock-monitor');
      const cleanup = await cli(['cleanup', '--yes', '--json']);
      expect(cleanup.json().outcomes.find((o: { name: string }) => o.name === 'Bedrock-HighLatency')).toMatchObject({
        action: 'skipped',
      });

      const adopted = await cli(['alarms', '--force', '--json']);
      expect(adopted.code).toBe(0);
      expect(adopted.json().outcomes.find((o: { name: string }) => o.name === 'Bedrock-HighLatency')).toMatchObject({
        action: 'updated',
      });
      const mine = (await describeAll()).metric.find((a) => a.AlarmName === 'Bedrock-HighLatency')!;
      expect(mine.Threshold).toBe(10000);
      // The emulator, like CloudWatch, ignores Tags on an update: the tag comes from TagResource.
      expect(adopted.writes.filter((w) => w.operation === 'TagResource').length).toBeGreaterThanOrEqual(1);
      expect((await aws().cw.send(new CwListTagsCommand({ ResourceARN: mine.AlarmArn }))).Tags).toEqual([
        { Key: 'ManagedBy', Value: 'bedrock-monitor' },
      ]);
      expect((await cli(['alarms', '--json'])).writes).toEqual([]);
    },
  );

  test(
    "an earlier version's metric alarm under a composite name is " + "replaced by the composite (it is the tool's)",
    async () => {
      // The old HighTokenUsage: two Metrics Insights queries in one metric alarm, tagged as the tool's.
      await aws().cw.send(
        new PutMetricAlarmCommand({
          AlarmName: 'Bedrock-HighTokenUsage',
          EvaluationPeriods: 1,
          Threshold: 100000,
          ComparisonOperator: 'GreaterThanThreshold',
          Metrics: [
            {
              Id: 'input',
              Expression: 'SELECT SUM(InputTokenCount) FROM SCHEMA("AWS/Bedrock", ModelId)',
              Period: 3600,
              ReturnData: false,
            },
            {
              Id: 'output',
              Expression: 'SELECT SUM(OutputTokenCount) FROM SCHEMA("AWS/Bedrock", ModelId)',
              Period: 3600,
              ReturnData: false,
            },
            { Id: 'tokens', Expression: 'FILL(input, 0) + FILL(output, 0)', ReturnData: true },
          ],
          Tags: [{ Key: 'ManagedBy', Value: 'bedrock-monitor' }],
        }),
      );
      const status = await cli(['status', '--json']);
      expect(status.json().rows.find((r: { name: string }) => r.name === 'Bedrock-HighTokenUsage')).toMatchObject({
        status: 'drifted',
        changes: expect.arrayContaining([{ field: 'type', from: 'MetricAlarm', to: 'CompositeAlarm' }]),
      });
      const r = await cli(['alarms', '--json']);
      expect(r.code).toBe(0);
      expect(r.json().outcomes.find((o: { name: string }) => o.name === 'Bedrock-HighTokenUsage')).toMatchObject({
        resource: 'composite-alarm',
        action: 'updated',
      });
      const { metric, composite } = await describeAll();
      expect(metric.map((a) => a.AlarmName)).not.toContain('Bedrock-HighTokenUsage');
      expect(composite.map((a) => a.AlarmName)).toContain('Bedrock-HighTokenUsage');
      expect(
        (
          await aws().cw.send(
            new CwListTagsCommand({
              ResourceARN: composite.find((a) => a.AlarmName === 'Bedrock-HighTokenUsage')!.AlarmArn,
            }),
          )
        ).Tags,
      ).toEqual([{ Key: 'ManagedBy', Value: 'bedrock-monitor' }]);
      expect((await cli(['alarms', '--json'])).writes).toEqual([]);
    },
  );

  test('--dry-run on an empty account plans everything and writes nothing', async () => {
    const r = await cli(['alarms', '--dry-run', '--email', 'a@example.com', '--json']);
    expect(r.code).toBe(0);
    expect(new Set(r.json().outcomes.map((o: { action: string }) => o.action))).toEqual(new Set(['would-create']));
    expect(r.writes).toEqual([]);
  });
});

describe('invalid alarm input exits 2 and makes no AWS request', () => {
  test.each([
    ['bad email', ['alarms', '--email', 'not-an-address'], /--email/],
    ['negative threshold', ['alarms', '--tokens-per-hour', '-5'], /--tokens-per-hour/],
    ['non-numeric threshold', ['alarms', '--latency-ms', 'fast'], /--latency-ms/],
    ['zero threshold', ['alarms', '--errors-per-5-min', '0'], /--errors-per-5-min/],
    ['bad topic name', ['alarms', '--topic-name', 'a b'], /--topic-name/],
    ['bad dashboard name', ['dashboard', '--dashboard-name', 'a b'], /--dashboard-name/],
  ])('%s', async (_n, args, message) => {
    const r = await cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.requests).toEqual([]);
  });

  test.each([
    ['bad email in config', { alarms: { emails: ['x@'] } }, /"alarms.emails\[0\]"/],
    [
      'negative threshold in config',
      { alarms: { thresholds: { tokensPerHour: -1 } } },
      /"alarms.thresholds.tokensPerHour"/,
    ],
    ['string threshold in config', { alarms: { thresholds: { latencyMs: '10s' } } }, /"alarms.thresholds.latencyMs"/],
    [
      'unknown threshold',
      { alarms: { thresholds: { tokensPerDay: 5 } } },
      /unknown key "alarms.thresholds.tokensPerDay"/,
    ],
  ])('%s', async (_n, config, message) => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify(config));
    const r = await cli(['alarms'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.requests).toEqual([]);
  });
});
