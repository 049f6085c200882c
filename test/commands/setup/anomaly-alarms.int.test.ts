import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeAlarmsCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';
import { cliFor, emptyDir, useMoto } from '../../support/cli.js';
import { ACCOUNT, sdk } from '../../support/aws.js';
import { putMetrics, seedingClients } from '../../support/synthetic.js';
import { checkInput, loadModel } from '../../support/aws-model.js';
import { anomalySpec } from '../../../src/lib/resources/anomaly-alarms.js';

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:bedrock-usage-alerts`;
const SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

function configDir(alarms: Record<string, unknown>): string {
  const dir = emptyDir();
  writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify({ alarms }));
  return dir;
}

async function anomalyAlarms() {
  return (
    (await sdk(emulator().url, REGION).cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'BedrockAnomaly-' })))
      .MetricAlarms ?? []
  );
}

describe('anomaly alarms (alarms.anomaly.enabled)', () => {
  test(
    'setup-all makes a band alarm on invocations and on tokens per model; a re-run writes nothing; status ok; ' +
      'cleanup removes them',
    async () => {
      const cwd = configDir({ anomaly: { enabled: true, models: [SONNET, HAIKU] } });
      const r = await cli(['setup-all', '--yes', '--json'], { cwd });
      expect(r.code).toBe(0);
      const created = r.json().outcomes.filter((o: { resource: string }) => o.resource === 'anomaly-alarm');
      expect(created.map((o: { name: string; action: string }) => `${o.action} ${o.name}`).sort()).toEqual([
        `created BedrockAnomaly-Invocations-${HAIKU}`,
        `created BedrockAnomaly-Invocations-${SONNET}`,
        `created BedrockAnomaly-Tokens-${HAIKU}`,
        `created BedrockAnomaly-Tokens-${SONNET}`,
      ]);
      const alarms = await anomalyAlarms();
      const tokens = alarms.find((a) => a.AlarmName === `BedrockAnomaly-Tokens-${SONNET}`)!;
      expect(tokens).toMatchObject({
        ThresholdMetricId: 'band',
        ComparisonOperator: 'GreaterThanUpperThreshold',
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        AlarmActions: [TOPIC],
        TreatMissingData: 'notBreaching',
      });
      expect(tokens.Threshold).toBeUndefined();
      expect(
        tokens.Metrics!.map((m) => `${m.Id} ${m.ReturnData} ${m.Expression ?? m.MetricStat!.Metric!.MetricName}`),
      ).toEqual([
        'input false InputTokenCount',
        'output false OutputTokenCount',
        'tokens true FILL(input, 0) + FILL(output, 0)',
        'band true ANOMALY_DETECTION_BAND(tokens, 2)',
      ]);
      const tags = await sdk(emulator().url, REGION).cw.send(
        new ListTagsForResourceCommand({ ResourceARN: tokens.AlarmArn }),
      );
      expect(tags.Tags).toEqual([{ Key: 'ManagedBy', Value: 'bedrock-monitor' }]);

      const again = await cli(['setup-all', '--yes'], { cwd });
      expect(again.writes).toEqual([]);
      // The other alarms' prefix (Bedrock-) does not take these for strays of its own.
      const status = await cli(['status', '--json'], { cwd });
      expect(status.code).toBe(0);
      expect(status.json().rows.filter((x: { resource: string }) => x.resource === 'anomaly-alarm')).toHaveLength(4);

      expect((await cli(['cleanup', '--yes'], { cwd })).code).toBe(0);
      expect(await anomalyAlarms()).toEqual([]);
    },
  );

  test('without configured models: the models CloudWatch lists; none yet → a note, no alarm', async () => {
    const cwd = configDir({ anomaly: { enabled: true, bandWidth: 3 } });
    const none = await cli(['setup-all', '--yes', '--json'], { cwd });
    expect(none.json().outcomes.find((o: { resource: string }) => o.resource === 'anomaly-alarm')).toMatchObject({
      action: 'skipped',
      note: expect.stringContaining('no model has Invocations in CloudWatch yet'),
    });
    await putMetrics(seedingClients(emulator().url, REGION).cw, [
      { modelId: HAIKU, metric: 'Invocations', timestamp: new Date(), value: 3 },
    ]);
    const r = await cli(['setup-all', '--yes'], { cwd });
    expect(r.code).toBe(0);
    expect(
      (await anomalyAlarms())
        .map((a) => `${a.AlarmName} ${a.Metrics!.find((m) => m.Id === 'band')!.Expression}`)
        .sort(),
    ).toEqual([
      `BedrockAnomaly-Invocations-${HAIKU} ANOMALY_DETECTION_BAND(invocations, 3)`,
      `BedrockAnomaly-Tokens-${HAIKU} ANOMALY_DETECTION_BAND(tokens, 3)`,
    ]);
  });

  test('off by default: no anomaly alarm, no step', async () => {
    const r = await cli(['setup-all', '--yes', '--json'], { cwd: emptyDir() });
    expect(r.json().steps.map((s: { step: string }) => s.step)).not.toContain('anomaly-alarms');
    expect(await anomalyAlarms()).toEqual([]);
  });

  test("a prefix that overlaps the other alarms' prefix is refused before any request (exit 2)", async () => {
    const r = await cli(['status'], { cwd: configDir({ anomaly: { enabled: true, prefix: 'Bedrock-Anomaly-' } }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('alarms.anomaly.prefix "Bedrock-Anomaly-" overlaps the alarm prefix "Bedrock-"');
    expect(r.requests).toEqual([]);
  });
});

describe('anomaly alarm shape: what real CloudWatch accepts', () => {
  test(
    'PutMetricAlarm inputs are valid against the CloudWatch API ' + 'model and the documented anomaly-alarm rules',
    () => {
      const model = loadModel('cloudwatch');
      for (const kind of ['Invocations', 'Tokens'] as const) {
        const { input } = anomalySpec('BedrockAnomaly-', kind, SONNET, 2, TOPIC);
        expect(checkInput(model, 'PutMetricAlarm', input)).toEqual([]);
        const metrics = input.Metrics!;
        // "If this is an alarm based on an anomaly detection model, make this value match the ID of the
        // ANOMALY_DETECTION_BAND function." / Threshold "should not be used for alarms based on anomaly
        // detection models." https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
        expect(metrics.find((m) => m.Id === input.ThresholdMetricId)!.Expression).toMatch(/^ANOMALY_DETECTION_BAND\(/);
        expect(input.Threshold).toBeUndefined();
        expect([
          'LessThanLowerOrGreaterThanUpperThreshold',
          'LessThanLowerThreshold',
          'GreaterThanUpperThreshold',
        ]).toContain(input.ComparisonOperator);
        // The band and the series it models both return data (AWS's stored anomaly-alarm example,
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html).
        const modelled = /ANOMALY_DETECTION_BAND\((\w+),/.exec(metrics.find((m) => m.Id === 'band')!.Expression!)![1];
        expect(
          metrics
            .filter((m) => m.ReturnData !== false)
            .map((m) => m.Id)
            .sort(),
        ).toEqual(['band', modelled].sort());
        // Math anomaly detectors: no SEARCH or METRICS, at most 10 metrics, one period; bands on
        // "single metrics and the outputs of metric math expressions" only (no Metrics Insights query):
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Create_Anomaly_Detection_Alarm.html
        expect(metrics.some((m) => /SEARCH|METRICS\(|SELECT /i.test(m.Expression ?? ''))).toBe(false);
        expect(metrics.filter((m) => m.MetricStat).length).toBeLessThanOrEqual(10);
        expect(new Set(metrics.filter((m) => m.MetricStat).map((m) => m.MetricStat!.Period))).toEqual(new Set([300]));
        // Ids: "The first character must be a lowercase letter" (MetricDataQuery).
        for (const m of metrics) expect(m.Id).toMatch(/^[a-z][A-Za-z0-9_]*$/);
        // Period × EvaluationPeriods within a day for periods under an hour (PutMetricAlarm).
        expect(300 * input.EvaluationPeriods!).toBeLessThanOrEqual(86_400);
        expect(input.DatapointsToAlarm!).toBeLessThanOrEqual(input.EvaluationPeriods!);
      }
    },
  );
});
