import { beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { runCli } from '../../support/cli.js';
import { expectGolden } from '../../support/golden.js';

/**
 * `report --hours 48 --by day` asked at 10:37 (issue 20, 6(d)): the figures by day come in whole hours, and the
 * window used to end at 10:00, the last whole hour, dropping the 37 minutes since without a word. It now ends with
 * the running hour (counted up to now), starts at the whole hour, and says so.
 *
 * CloudWatch is mocked (moto ignores the running hour's timing). The answer has GetMetricData's documented shape
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html: MetricDataResults of
 * Id, Timestamps, Values, StatusCode); each datapoint is stamped with the start of its period, the running hour's
 * too, which holds what was recorded so far.
 */
const cw = mockClient(CloudWatchClient);
const sts = mockClient(STSClient);
const env = { AWS_REGION: 'us-east-1', TZ: 'UTC', COLUMNS: '80', NO_COLOR: '1' };
const now = new Date('2026-11-22T10:37:00Z');
const HOUR = 3_600_000;

const SUMS: Record<string, number> = { Invocations: 1, InputTokenCount: 100, OutputTokenCount: 20 };

/** Each hour that has begun by `now`: 1 invocation, 100 input and 20 output tokens, 500 ms; nothing after now. */
function answer(input: GetMetricDataCommandInput) {
  const start = new Date(input.StartTime as Date).getTime();
  const end = Math.min(new Date(input.EndTime as Date).getTime(), now.getTime());
  return {
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
      const stat = q.MetricStat!;
      const period = stat.Period! * 1000;
      const stamps: Date[] = [];
      const values: number[] = [];
      for (let t = start; t < end; t += period) {
        const hours = Math.ceil((Math.min(t + period, end) - t) / HOUR);
        stamps.push(new Date(t));
        values.push(stat.Stat === 'Sum' ? (SUMS[stat.Metric!.MetricName!] ?? 0) * hours : 500);
      }
      return { Id: q.Id, Timestamps: stamps, Values: values, StatusCode: 'Complete' as const };
    }),
  };
}

describe('report --by day over the last N hours', () => {
  beforeEach(() => {
    cw.reset();
    sts.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    cw.on(ListMetricsCommand).resolves({
      Metrics: [
        {
          Namespace: 'AWS/Bedrock',
          MetricName: 'Invocations',
          Dimensions: [{ Name: 'ModelId', Value: 'anthropic.claude-3-haiku-20240307-v1:0' }],
        },
      ],
    });
    cw.on(GetMetricDataCommand).callsFake(answer);
  });

  test('the running hour is counted up to now, and the whole-hour start is said', async () => {
    const r = await runCli(['report', '--hours', '48', '--by', 'day', '--json'], { env, now });
    expect(r.code).toBe(0);
    const calls = cw.commandCalls(GetMetricDataCommand).map((c) => c.args[0].input);
    // Every query ends with the running hour (11:00, after now) and starts at a whole hour.
    expect(
      new Set(calls.map((c) => `${(c.StartTime as Date).toISOString()} ${(c.EndTime as Date).toISOString()}`)),
    ).toEqual(new Set(['2026-11-20T10:00:00.000Z 2026-11-22T11:00:00.000Z']));
    const j = r.json();
    expect(j.window).toEqual({ start: '2026-11-20T10:00:00.000Z', end: '2026-11-22T10:37:00.000Z', hours: 48.6167 });
    // 14 hours on the 20th, 24 on the 21st, and 10 whole hours plus the running one on the 22nd: 49 in all.
    expect(
      j.days.map((d: { date: string; end: string; partial: boolean; invocations: number }) => [
        d.date,
        d.end,
        d.partial,
        d.invocations,
      ]),
    ).toEqual([
      ['2026-11-20', '2026-11-21T00:00:00.000Z', true, 14],
      ['2026-11-21', '2026-11-22T00:00:00.000Z', false, 24],
      ['2026-11-22', '2026-11-22T10:37:00.000Z', true, 11],
    ]);
    expect(j.totals.invocations).toBe(49);
    expect(j.warnings).toContain(
      "CloudWatch's figures for this window come in whole hours: the window starts at 2026-11-20 10:00 UTC, 37 min " +
        'before the start asked',
    );
  });

  test('on a terminal: the window, the partial days and the warning', async () => {
    const r = await runCli(['report', '--hours', '48', '--by', 'day'], { env, now, stdoutTty: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^2026-11-22 .*\n\s*until 10:37\s*$/m);
    expectGolden('by-day-running-hour-80.txt', r.stdout);
    expect(r.stderr).toContain('37 min before the start asked');
  });

  test('a window on whole hours is not widened and says nothing', async () => {
    const r = await runCli(['report', '--hours', '48', '--by', 'day', '--json'], {
      env,
      now: new Date('2026-11-22T10:00:00Z'),
    });
    const j = r.json();
    expect(j.window).toEqual({ start: '2026-11-20T10:00:00.000Z', end: '2026-11-22T10:00:00.000Z', hours: 48 });
    expect(j.warnings.filter((w: string) => w.includes('whole hours'))).toEqual([]);
  });
});
