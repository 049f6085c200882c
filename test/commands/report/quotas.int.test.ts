import { describe, expect, test } from '@jest/globals';
import { cliFor, useMoto } from '../../support/cli.js';
import { putMetrics, seedingClients, type Datapoint } from '../../support/synthetic.js';
import type { SyntheticQuota } from '../../support/emulator.js';

/**
 * report --quotas on moto: per-minute metrics seeded with PutMetricData, Bedrock quotas from the
 * emulator's synthetic Service Quotas (moto has none for "bedrock"). Truth worked out by hand.
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const now = new Date('2026-11-20T12:00:00Z');
const WINDOW = ['--since', '2026-11-20T10:00:00Z', '--until', '2026-11-20T11:00:00Z'];
const US_SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const EU_SONNET = 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';
const GLOBAL_HAIKU_45 = 'global.anthropic.claude-haiku-4-5-20251001-v1:0';

const QUOTAS: { applied: SyntheticQuota[]; defaults: SyntheticQuota[] } = {
  applied: [
    {
      ServiceCode: 'bedrock',
      QuotaCode: 'L-F4DDD3EB',
      QuotaName: 'Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1',
      Value: 6000,
    },
    {
      ServiceCode: 'bedrock',
      QuotaCode: 'L-8CE99163',
      QuotaName: 'On-demand model inference tokens per minute for Anthropic Claude 3 Haiku',
      Value: 400_000,
    },
  ],
  defaults: [
    {
      ServiceCode: 'bedrock',
      QuotaCode: 'L-8CE99163',
      QuotaName: 'On-demand model inference tokens per minute for Anthropic Claude 3 Haiku',
      Value: 200_000,
    },
    {
      ServiceCode: 'bedrock',
      QuotaCode: 'L-4A6BFAB1',
      QuotaName: 'Cross-region model inference requests per minute for Anthropic Claude Sonnet 4.5 V1',
      Value: 50,
    },
    {
      ServiceCode: 'bedrock',
      QuotaCode: 'L-9A11C666',
      QuotaName: 'Global cross-region model inference tokens per minute for Anthropic Claude Haiku 4.5',
      Value: 1000,
    },
    {
      ServiceCode: 'bedrock',
      QuotaCode: 'L-2DC80978',
      QuotaName: 'On-demand model inference requests per minute for Anthropic Claude 3 Haiku',
      Value: 1000,
    },
  ],
};

async function seed(): Promise<void> {
  const t = (minute: number, second = 0) => new Date(Date.UTC(2026, 10, 20, 10, minute, second));
  const p = (modelId: string, metric: string, timestamp: Date, value: number): Datapoint => ({
    modelId,
    metric,
    timestamp,
    value,
  });
  await putMetrics(seedingClients(emulator().url, REGION).cw, [
    p(US_SONNET, 'Invocations', t(0), 2),
    p(US_SONNET, 'InputTokenCount', t(0), 1000),
    p(US_SONNET, 'OutputTokenCount', t(0), 100),
    p(US_SONNET, 'Invocations', t(1), 5),
    p(US_SONNET, 'InputTokenCount', t(1), 2000),
    p(US_SONNET, 'OutputTokenCount', t(1), 300),
    p(US_SONNET, 'CacheWriteInputTokens', t(1), 500),
    // Two datapoints in minute 3: summed (600 + 400 output tokens).
    p(US_SONNET, 'Invocations', t(3), 3),
    p(US_SONNET, 'InputTokenCount', t(3), 500),
    p(US_SONNET, 'OutputTokenCount', t(3, 5), 600),
    p(US_SONNET, 'OutputTokenCount', t(3, 40), 400),
    p(US_SONNET, 'CacheReadInputTokens', t(3), 1_000_000), // cache reads never count
    p(EU_SONNET, 'Invocations', t(3), 1),
    p(EU_SONNET, 'InputTokenCount', t(3), 100),
    p(EU_SONNET, 'OutputTokenCount', t(3), 20),
    p(HAIKU_3, 'Invocations', t(0), 1),
    p(HAIKU_3, 'InputTokenCount', t(0), 300),
    p(HAIKU_3, 'OutputTokenCount', t(0), 100),
    p(HAIKU_3, 'Invocations', t(4), 10),
    p(HAIKU_3, 'InputTokenCount', t(4), 9000),
    p(HAIKU_3, 'OutputTokenCount', t(4), 1000),
    p(GLOBAL_HAIKU_45, 'Invocations', t(1), 1),
    p(GLOBAL_HAIKU_45, 'InputTokenCount', t(1), 9999),
    p(GLOBAL_HAIKU_45, 'EstimatedTPMQuotaUsage', t(1), 700),
    // Outside the window: never counted.
    p(HAIKU_3, 'InputTokenCount', new Date(Date.UTC(2026, 10, 20, 11, 30)), 5_000_000),
    p(US_SONNET, 'Invocations', new Date(Date.UTC(2026, 10, 20, 9, 59)), 999),
  ]);
}

describe('report --quotas', () => {
  test('peak tokens/requests per minute against the applied quotas equal the hand-computed truth', async () => {
    await seed();
    emulator().setBedrockQuotas(QUOTAS);
    const r = await cli(['report', ...WINDOW, '--quotas', '--json'], { now });
    expect(r.code).toBe(0);
    const q = r.json().quotas;
    expect(q).toMatchObject({ available: true, warnPercent: 80, quotasRead: 5 });
    const byFamily = Object.fromEntries(
      q.rows.map((row: { family: string; inferenceType: string }) => [`${row.inferenceType} ${row.family}`, row]),
    );
    // minute 3: us (500 + 0 + (600 + 400) × 5) + eu (100 + 20 × 5) = 5,500 + 200 = 5,700 of 6,000.
    expect(byFamily['cross-region anthropic.claude-sonnet-4-5']).toMatchObject({
      models: [EU_SONNET, US_SONNET],
      peakTokensPerMinute: 5700,
      peakTokensAt: '2026-11-20T10:03:00.000Z',
      burndown: 5,
      tokensMethod: 'computed',
      peakRequestsPerMinute: 5,
      peakRequestsAt: '2026-11-20T10:01:00.000Z',
      tpmQuota: { code: 'L-F4DDD3EB', value: 6000 },
      tpmPercent: 95,
      rpmPercent: 10,
      flagged: true,
    });
    // Claude 3 Haiku at the assumed 5x (quotas-token-burndown.html: "all other Anthropic models version 4.7 and
    // below"): minute 4 = 9,000 + 1,000 × 5 = 14,000 of 400,000 = 3.5%; minute 0 (300 + 100 × 5 = 800) is not the peak.
    expect(byFamily['on-demand anthropic.claude-3-haiku']).toMatchObject({
      peakTokensPerMinute: 14_000,
      tpmQuota: { value: 400_000 },
      tpmPercent: 3.5,
      note: expect.stringContaining('burndown 5x assumed'),
      peakRequestsPerMinute: 10,
      rpmPercent: 1,
      flagged: false,
    });
    expect(byFamily['global anthropic.claude-haiku-4-5']).toMatchObject({
      peakTokensPerMinute: 700,
      tokensMethod: 'estimated',
      tpmPercent: 70,
      rpmQuota: null,
      rpmPercent: null,
    });
    expect(
      r.requests
        .filter((x) => x.service === 'Service Quotas')
        .map((x) => x.operation)
        .sort(),
    ).toEqual(['ListAWSDefaultServiceQuotas', 'ListServiceQuotas']);
  });

  test('the text report shows the headroom table and flags models above the warning percentage', async () => {
    await seed();
    emulator().setBedrockQuotas(QUOTAS);
    const r = await cli(['report', ...WINDOW, '--quotas'], { now, env: { COLUMNS: '120' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Quota headroom: peak per minute in the window against Service Quotas (warning at 80%)');
    expect(r.stdout).toMatch(
      /!\s+anthropic\.claude-sonnet-4-5 \(2 IDs\)\s+cross-region\s+5,700\s+6,000\s+95\.0%\s+5\s+50\s+10\.0%/,
    );
    expect(r.stdout).toContain(`! above 80% of a quota: ${EU_SONNET}, ${US_SONNET}`);
    expect(r.stdout).toContain('Output burndown applied: anthropic.claude-sonnet-4-5 5x');
    expect(r.stdout).toContain('max_tokens');
  });

  test('without quotas for bedrock, peaks are still shown and quotas are n/a with a note', async () => {
    await seed();
    const r = await cli(['report', ...WINDOW, '--quotas', '--json'], { now });
    expect(r.code).toBe(0);
    const q = r.json().quotas;
    expect(
      q.rows.every((x: { tpmQuota: unknown; tpmPercent: unknown }) => x.tpmQuota === null && x.tpmPercent === null),
    ).toBe(true);
    expect(q.notes[0]).toContain('Service Quotas returned no quotas for "bedrock"');
  });

  test('a window older than 15 days has no 1-minute data: said, not guessed', async () => {
    const r = await cli(
      ['report', '--since', '2026-10-01T00:00:00Z', '--until', '2026-10-02T00:00:00Z', '--quotas', '--json'],
      { now },
    );
    expect(r.code).toBe(0);
    expect(r.json().quotas).toMatchObject({
      available: false,
      reason: expect.stringContaining('1-minute data for 15 days'),
      rows: [],
    });
    expect(r.requests.filter((x) => x.service === 'Service Quotas')).toEqual([]);
  });
});
