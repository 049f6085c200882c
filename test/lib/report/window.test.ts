import { beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  ListMetricsCommand,
  type GetMetricDataCommandInput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { costUsd, normalizeModelId, priceFor } from '../../../src/lib/pricing/price.js';
import { granularityFor, resolveWindow, widenedWarning } from '../../../src/lib/report/window.js';
import { parseIsoDate } from '../../../src/lib/core/window.js';
import { runCli } from '../../support/cli.js';

describe('model ID normalisation', () => {
  test.each([
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5', 'in-region'],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5', 'geographic'],
    ['eu.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic.claude-haiku-4-5', 'geographic'],
    ['apac.anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-haiku', 'geographic'],
    ['jp.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5', 'geographic'],
    ['au.anthropic.claude-sonnet-4-5-20250929-v1:0', 'anthropic.claude-sonnet-4-5', 'geographic'],
    ['global.anthropic.claude-opus-4-5-20251101-v1:0', 'anthropic.claude-opus-4-5', 'global'],
    ['anthropic.claude-3-haiku-20240307-v1:0:200k', 'anthropic.claude-3-haiku', 'in-region'],
    ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'anthropic.claude-3-5-sonnet', 'in-region'],
    ['anthropic.claude-opus-4-20250514-v1:0', 'anthropic.claude-opus-4', 'in-region'],
    ['anthropic.claude-opus-4-1-20250805-v1:0', 'anthropic.claude-opus-4-1', 'in-region'],
    [
      'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0',
      'anthropic.claude-3-haiku',
      'in-region',
    ],
    [
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'anthropic.claude-sonnet-4-5',
      'geographic',
    ],
    [
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'anthropic.claude-sonnet-4-5',
      'global',
    ],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3', undefined, 'application-profile'],
  ])('%s', (id, family, scope) => {
    expect(normalizeModelId(id)).toEqual({ modelId: id, family, scope });
  });
});

describe('pricing', () => {
  test('global profiles are priced at list; geographic and in-region IDs 10% more from Sonnet 4.5 on', () => {
    expect(priceFor('global.anthropic.claude-sonnet-4-5-20250929-v1:0')).toMatchObject({
      input: 3,
      output: 15,
      cacheWrite: 3.75,
      cacheRead: 0.3,
      premium: 0,
    });
    expect(priceFor('us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toMatchObject({
      input: 3.3,
      output: 16.5,
      cacheWrite: 4.125,
      cacheRead: 0.33,
      premium: 0.1,
    });
    expect(priceFor('anthropic.claude-haiku-4-5-20251001-v1:0')).toMatchObject({
      input: 1.1,
      output: 5.5,
      premium: 0.1,
    });
    expect(priceFor('eu.anthropic.claude-opus-4-5-20251101-v1:0')).toMatchObject({ input: 5.5, output: 27.5 });
  });

  test('older models carry no geographic premium', () => {
    expect(priceFor('us.anthropic.claude-3-haiku-20240307-v1:0')).toMatchObject({
      input: 0.25,
      output: 1.25,
      cacheWrite: 0.3,
      cacheRead: 0.03,
      premium: 0,
    });
    expect(priceFor('us.anthropic.claude-sonnet-4-20250514-v1:0')).toMatchObject({ input: 3, output: 15, premium: 0 });
    expect(priceFor('us.anthropic.claude-opus-4-1-20250805-v1:0')).toMatchObject({
      input: 15,
      output: 75,
      cacheWrite: 18.75,
      cacheRead: 1.5,
    });
    expect(priceFor('anthropic.claude-3-5-haiku-20241022-v1:0')).toMatchObject({
      input: 0.8,
      output: 4,
      cacheWrite: 1,
      cacheRead: 0.08,
    });
  });

  test('unknown models and application profiles are unpriced, never guessed', () => {
    expect(priceFor('meta.llama3-1-70b-instruct-v1:0')).toBeUndefined();
    expect(priceFor('anthropic.claude-v2:1')).toBeUndefined();
    expect(priceFor('arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3')).toBeUndefined();
  });

  test('config overrides win: by exact ID first, then by family', () => {
    const overrides = {
      'meta.llama3-1-70b-instruct-v1:0': { input: 0.72, output: 0.72, cacheWrite: 0, cacheRead: 0 },
      'anthropic.claude-3-haiku': { input: 1, output: 2, cacheWrite: 3, cacheRead: 4 },
    };
    expect(priceFor('meta.llama3-1-70b-instruct-v1:0', overrides)).toMatchObject({ input: 0.72, source: 'config' });
    expect(priceFor('us.anthropic.claude-3-haiku-20240307-v1:0', overrides)).toMatchObject({
      input: 1,
      output: 2,
      source: 'config',
    });
  });

  test('cost counts cache reads and writes at their own rates, to the micro-dollar', () => {
    const p = priceFor('us.anthropic.claude-sonnet-4-5-20250929-v1:0')!;
    // 1M input $3.30 + 1M output $16.50 + 1M cache write $4.125 + 1M cache read $0.33
    expect(costUsd({ inputTokens: 1e6, outputTokens: 1e6, cacheWriteTokens: 1e6, cacheReadTokens: 1e6 }, p)).toBe(
      24.255,
    );
    expect(costUsd({ inputTokens: 1, outputTokens: 0, cacheWriteTokens: 0, cacheReadTokens: 0 }, p)).toBe(0.000003);
  });
});

describe('window', () => {
  const now = new Date('2026-11-22T10:17:42Z');
  test('periods follow the age of the data', () => {
    expect(granularityFor(14 * 86400e3)).toBe(60);
    expect(granularityFor(20 * 86400e3)).toBe(300);
    expect(granularityFor(100 * 86400e3)).toBe(3600);
  });
  test('--hours covers the N hours asked in whole periods: the running minute is counted up to now', () => {
    const w = resolveWindow({ hours: 24 }, now);
    expect([w.start.toISOString(), w.end.toISOString(), w.until?.toISOString(), w.periodSeconds]).toEqual([
      '2026-11-21T10:17:00.000Z',
      '2026-11-22T10:18:00.000Z',
      '2026-11-22T10:17:42.000Z',
      86460,
    ]);
    // By day, the periods are hours: the running one (10:00 to now) is counted, not dropped.
    const byDay = resolveWindow({ hours: 48, byDay: true }, now);
    expect([byDay.start.toISOString(), byDay.end.toISOString(), byDay.until?.toISOString()]).toEqual([
      '2026-11-20T10:00:00.000Z',
      '2026-11-22T11:00:00.000Z',
      '2026-11-22T10:17:42.000Z',
    ]);
    expect(widenedWarning(byDay)).toBe(
      "CloudWatch's figures for this window come in whole hours: the window starts at 2026-11-20 10:00 UTC, 18 min " +
        'before the start asked',
    );
    expect(widenedWarning(w)).toBeUndefined();
  });
  test("a time without an offset is UTC whatever the machine's zone; a date that does not exist is refused", () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/New_York';
    try {
      expect(parseIsoDate('--since', '2026-11-20T00:00').toISOString()).toBe('2026-11-20T00:00:00.000Z');
      expect(parseIsoDate('--since', '2026-11-20T00:00:00+02:00').toISOString()).toBe('2026-11-19T22:00:00.000Z');
      expect(parseIsoDate('--since', '2026-11-20').toISOString()).toBe('2026-11-20T00:00:00.000Z');
    } finally {
      process.env.TZ = zone;
    }
    expect(() => parseIsoDate('--until', '2026-02-29T00:00:00Z')).toThrow(
      '--until: "2026-02-29T00:00:00Z" is not a date of the calendar',
    );
    expect(() => parseIsoDate('--since', '2026-11-20T25:00:00Z')).toThrow('is not an ISO 8601 date-time');
    expect(parseIsoDate('--since', '2028-02-29T00:00:00Z').toISOString()).toBe('2028-02-29T00:00:00.000Z');
  });
  test('older windows align to 5-minute and hourly periods', () => {
    const w = resolveWindow({ since: '2026-10-01T10:07:00Z', until: '2026-10-02T10:07:00Z' }, now);
    expect([w.start.toISOString(), w.end.toISOString(), w.granularitySeconds]).toEqual([
      '2026-10-01T10:05:00.000Z',
      '2026-10-02T10:10:00.000Z',
      300,
    ]);
    const old = resolveWindow({ since: '2026-03-01T10:07:00Z', until: '2026-03-02T10:07:00Z' }, now);
    expect(old.periodSeconds % 3600).toBe(0);
  });
});

describe('report with CloudWatch percentiles (mocked: moto cannot compute them)', () => {
  const cw = mockClient(CloudWatchClient);
  const sts = mockClient(STSClient);
  const env = { AWS_REGION: 'us-east-1', TZ: 'UTC' };
  const now = new Date('2026-11-22T00:00:00Z');
  const models = (n: number) => Array.from({ length: n }, (_, i) => `anthropic.claude-3-haiku-20240307-v${i}:0`);

  /** Answers every query with a value derived from its id, as CloudWatch would for one whole-window period. */
  function answer(input: GetMetricDataCommandInput) {
    return {
      MetricDataResults: (input.MetricDataQueries ?? []).map((q: MetricDataQuery) => {
        const stat = q.MetricStat!.Stat!;
        const value = stat === 'Sum' ? 10 : stat === 'Average' ? 500 : Number(stat.slice(1)) * 10;
        return {
          Id: q.Id,
          Timestamps: [new Date('2026-11-21T00:00:00Z')],
          Values: [value],
          StatusCode: 'Complete' as const,
        };
      }),
    };
  }

  beforeEach(() => {
    cw.reset();
    sts.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
  });

  test('p50/p90/p99 latency and time to first token come from CloudWatch percentile statistics', async () => {
    cw.on(ListMetricsCommand).resolves({
      Metrics: [
        {
          Namespace: 'AWS/Bedrock',
          MetricName: 'Invocations',
          Dimensions: [{ Name: 'ModelId', Value: 'us.anthropic.claude-haiku-4-5-20251001-v1:0' }],
        },
      ],
    });
    cw.on(GetMetricDataCommand).callsFake(answer);
    const r = await runCli(['report', '--hours', '24', '--json'], { env, now });
    expect(r.code).toBe(0);
    const m = r.json().models[0];
    expect([
      m.latencyAvgMs,
      m.latencyP50Ms,
      m.latencyP90Ms,
      m.latencyP99Ms,
      m.timeToFirstTokenP50Ms,
      m.timeToFirstTokenP99Ms,
    ]).toEqual([500, 500, 900, 990, 500, 990]);
    const stats = cw
      .commandCalls(GetMetricDataCommand)
      .flatMap((c) =>
        c.args[0].input.MetricDataQueries!.map(
          (q) => `${q.MetricStat!.Metric!.MetricName}:${q.MetricStat!.Stat}:${q.MetricStat!.Period}`,
        ),
      );
    expect(stats).toEqual(
      expect.arrayContaining([
        'InvocationLatency:p99:86400',
        'InvocationLatency:p90:86400',
        'TimeToFirstToken:p50:86400',
      ]),
    );
  });

  test('200 models take one GetMetricData call per 500 queries, however many models there are', async () => {
    cw.on(ListMetricsCommand).resolves({
      Metrics: models(200).map((id) => ({
        Namespace: 'AWS/Bedrock',
        MetricName: 'Invocations',
        Dimensions: [{ Name: 'ModelId', Value: id }],
      })),
    });
    cw.on(GetMetricDataCommand).callsFake(answer);
    const r = await runCli(['report', '--json'], { env, now });
    expect(r.json().models).toHaveLength(200);
    const calls = cw.commandCalls(GetMetricDataCommand);
    // 200 × 9 = 1,800 count/average queries → 4 calls; 200 × 5 = 1,000 percentile queries → 2 calls.
    expect(calls.map((c) => c.args[0].input.MetricDataQueries!.length).sort((a, b) => a - b)).toEqual([
      300, 500, 500, 500, 500, 500,
    ]);
    expect(r.json().totals.invocations).toBe(2000);
  });

  test('GetMetricData pages are followed', async () => {
    cw.on(ListMetricsCommand).resolves({
      Metrics: [
        {
          Namespace: 'AWS/Bedrock',
          MetricName: 'Invocations',
          Dimensions: [{ Name: 'ModelId', Value: 'anthropic.claude-3-haiku-20240307-v1:0' }],
        },
      ],
    });
    cw.on(GetMetricDataCommand)
      .callsFakeOnce((input: GetMetricDataCommandInput) => ({
        ...answer({ ...input, MetricDataQueries: input.MetricDataQueries!.slice(0, 1) }),
        NextToken: 'page2',
      }))
      .callsFake((input: GetMetricDataCommandInput) =>
        answer({
          ...input,
          MetricDataQueries: input.NextToken ? input.MetricDataQueries!.slice(1) : input.MetricDataQueries,
        }),
      );
    const r = await runCli(['report', '--json'], { env, now });
    const m = r.json().models[0];
    expect(m.invocations).toBe(10);
    expect(m.inputTokens).toBe(10);
  });

  test('a failed percentile batch leaves the rest of the report intact, shows n/a and warns', async () => {
    cw.on(ListMetricsCommand).resolves({
      Metrics: [
        {
          Namespace: 'AWS/Bedrock',
          MetricName: 'Invocations',
          Dimensions: [{ Name: 'ModelId', Value: 'anthropic.claude-3-haiku-20240307-v1:0' }],
        },
      ],
    });
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      if (input.MetricDataQueries!.some((q) => /^p\d+$/.test(q.MetricStat!.Stat!))) {
        return Promise.reject(
          Object.assign(new Error('Internal failure'), {
            name: 'InternalServiceFault',
            $metadata: { httpStatusCode: 500 },
          }),
        );
      }
      return Promise.resolve(answer(input));
    });
    const r = await runCli(['report'], { env: { ...env, COLUMNS: '200' }, now });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/anthropic\.claude-3-haiku-20240307-v1:0 +10 +10/);
    expect(r.stdout).toContain('n/a');
    expect(r.stderr).toContain('percentile figures could not be fetched (CloudWatch GetMetricData answered HTTP 500)');
  });

  test('a failed per-day batch is reported, not shown as days without usage', async () => {
    cw.on(ListMetricsCommand).resolves({
      Metrics: [
        {
          Namespace: 'AWS/Bedrock',
          MetricName: 'Invocations',
          Dimensions: [{ Name: 'ModelId', Value: 'anthropic.claude-3-haiku-20240307-v1:0' }],
        },
      ],
    });
    cw.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      if (input.MetricDataQueries!.some((q) => q.MetricStat!.Period === 3600)) {
        return Promise.reject(
          Object.assign(new Error('Rate exceeded'), { name: 'Throttling', $metadata: { httpStatusCode: 400 } }),
        );
      }
      return Promise.resolve(answer(input));
    });
    const r = await runCli(['report', '--by', 'day', '--json'], { env, now });
    expect(r.code).toBe(0);
    expect(r.json().models[0].invocations).toBe(10);
    expect(r.stderr).toContain('the per-day breakdown is missing 8 figures (Throttling: Rate exceeded)');
  });
});
