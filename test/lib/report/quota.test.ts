import { describe, expect, test } from '@jest/globals';
import {
  burndownFor,
  burndownNote,
  computeHeadroom,
  mergeQuotas,
  parseQuota,
  quotaFamily,
  type MinuteSeries,
  type Quota,
} from '../../../src/lib/report/quota-compute.js';

const f = (xs: number[]): Float64Array => Float64Array.from(xs);
const T0 = new Date('2026-11-20T10:00:00Z');
const at = (minute: number): string => new Date(T0.getTime() + minute * 60_000).toISOString();

// Quota names as Service Quotas spells them (awslabs/bedrock-usage-analyzer metadata/quota-index.csv,
// read from live ListServiceQuotas answers) and as the user guide writes them (quotas-runtime page).
const SONNET_45_CRIS_TPM: Quota = {
  QuotaCode: 'L-F4DDD3EB',
  QuotaName: 'Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1',
  Value: 6000,
};
const SONNET_45_CRIS_RPM: Quota = {
  QuotaCode: 'L-4A6BFAB1',
  QuotaName: 'Cross-region model inference requests per minute for Anthropic Claude Sonnet 4.5 V1',
  Value: 50,
};
const HAIKU_3_TPM_DEFAULT: Quota = {
  QuotaCode: 'L-8CE99163',
  QuotaName: 'On-demand model inference tokens per minute for Anthropic Claude 3 Haiku',
  Value: 200_000,
};
const HAIKU_3_TPM_APPLIED: Quota = { ...HAIKU_3_TPM_DEFAULT, Value: 400_000 };
const HAIKU_3_RPM: Quota = {
  QuotaCode: 'L-2DC80978',
  QuotaName: 'On-demand model inference requests per minute for Anthropic Claude 3 Haiku',
  Value: 1000,
};
const HAIKU_45_GLOBAL_TPM: Quota = {
  QuotaCode: 'L-9A11C666',
  QuotaName: 'Global cross-region model inference tokens per minute for Anthropic Claude Haiku 4.5',
  Value: 1000,
};
const HAIKU_3_TPD: Quota = {
  QuotaCode: 'L-A60EE1AF',
  QuotaName: 'Model invocation max tokens per day for Anthropic Claude 3 Haiku (doubled for cross-region calls)',
  Value: 1,
};
const HAIKU_35_TPM: Quota = {
  QuotaCode: 'L-X',
  QuotaName: 'On-demand model inference tokens per minute for Anthropic Claude 3.5 Haiku',
  Value: 1,
};

describe('quota names, matched loosely and never by a shipped code', () => {
  test("Service Quotas names and the user guide's template names parse; per-day quotas are not per-minute ones", () => {
    expect(parseQuota(SONNET_45_CRIS_TPM)).toMatchObject({
      type: 'cross-region',
      metric: 'tokens',
      model: 'anthropicclaudesonnet45',
    });
    expect(parseQuota(HAIKU_45_GLOBAL_TPM)).toMatchObject({
      type: 'global',
      metric: 'tokens',
      model: 'anthropicclaudehaiku45',
    });
    expect(parseQuota(HAIKU_3_RPM)).toMatchObject({ type: 'on-demand', metric: 'requests' });
    expect(
      parseQuota({
        QuotaCode: 'L-1',
        QuotaName: 'Cross-Region InvokeModel tokens per minute for Amazon Nova Pro',
        Value: 5,
      }),
    ).toMatchObject({ type: 'cross-region', metric: 'tokens', model: 'amazonnovapro' });
    expect(
      parseQuota({
        QuotaCode: 'L-2',
        QuotaName: 'Global cross-region model inference tokens per minute for GPT-6 Sol',
        Value: 5,
      }),
    ).toMatchObject({ type: 'global', model: 'gpt6sol' });
    expect(parseQuota(HAIKU_3_TPD)).toBeUndefined();
  });

  test('applied values win over defaults by quota code', () => {
    expect(mergeQuotas([HAIKU_3_TPM_APPLIED], [HAIKU_3_TPM_DEFAULT, HAIKU_3_RPM])).toEqual([
      HAIKU_3_TPM_APPLIED,
      HAIKU_3_RPM,
    ]);
  });

  // quotas-token-burndown.html, current wording (quoted in quota-compute.ts): 15x for Claude 4.8, 10x for Opus 5.5,
  // Sonnet 5, Opus 5 and Fable 5.1, 5x for "all other Anthropic models version 4.7 and below", 1:1 for all others.
  test('burndown: 15x Claude 4.8, 10x the 5-series, 5x Anthropic 4.7 and below (Haiku 4.5 too), 1:1 others', () => {
    expect(burndownFor('anthropic.claude-sonnet-4-5')).toBe(5);
    expect(burndownFor('anthropic.claude-opus-4')).toBe(5);
    expect(burndownFor('anthropic.claude-3-7-sonnet')).toBe(5);
    expect(burndownFor('anthropic.claude-haiku-4-5')).toBe(5);
    expect(burndownFor('anthropic.claude-opus-4-8')).toBe(15);
    expect(burndownFor('anthropic.claude-sonnet-5')).toBe(10);
    expect(burndownFor('anthropic.claude-opus-5-5')).toBe(10);
    expect(burndownFor('anthropic.claude-opus-5')).toBe(10);
    expect(burndownFor('anthropic.claude-fable-5-1')).toBe(10);
    expect(burndownFor('amazon.nova-pro')).toBe(1);
    expect(burndownFor('amazon.nova-pro', { 'amazon.nova-pro': 2 })).toBe(2);
  });

  test('an ambiguous or unnamed Anthropic rate is the safe assumption, said in a note; config silences it', () => {
    expect(burndownFor('anthropic.claude-3-haiku')).toBe(5);
    expect(burndownNote('anthropic.claude-3-haiku')).toMatch(/5x assumed: AWS gives 5x to "all other Anthropic/);
    expect(burndownNote('anthropic.claude-3-haiku', { 'anthropic.claude-3-haiku': 1 })).toBeUndefined();
    expect(burndownFor('anthropic.claude-opus-6')).toBe(1);
    expect(burndownNote('anthropic.claude-opus-6')).toMatch(/1x assumed: AWS does not name this Anthropic model/);
    expect(burndownNote('anthropic.claude-sonnet-4-5')).toBeUndefined();
    expect(burndownNote('amazon.nova-pro')).toBeUndefined();
  });

  // Service Quotas names the two 3.5 Sonnet releases apart (awslabs/bedrock-usage-analyzer metadata/quota-index.csv,
  // commit 59ae10abb5ce17880940d5bcf2a02203eef9ff9d): L-A50569E5 "… for Anthropic Claude 3.5 Sonnet" is
  // anthropic.claude-3-5-sonnet-20240620-v1:0, L-AD41C330 "… for Anthropic Claude 3.5 Sonnet V2" is …-20241022-v2:0.
  test('Claude 3.5 Sonnet V1 and V2 keep their own quotas and rows', () => {
    const v1: Quota = {
      QuotaCode: 'L-A50569E5',
      QuotaName: 'On-demand model inference tokens per minute for Anthropic Claude 3.5 Sonnet',
      Value: 400_000,
    };
    const v2: Quota = {
      QuotaCode: 'L-AD41C330',
      QuotaName: 'On-demand model inference tokens per minute for Anthropic Claude 3.5 Sonnet V2',
      Value: 800_000,
    };
    expect(quotaFamily('anthropic.claude-3-5-sonnet-20241022-v2:0')).toBe('anthropic.claude-3-5-sonnet-v2');
    expect(quotaFamily('us.anthropic.claude-3-5-sonnet-20240620-v1:0')).toBe('anthropic.claude-3-5-sonnet');
    const rows = computeHeadroom({
      start: T0,
      minutes: 1,
      series: [
        { modelId: 'anthropic.claude-3-5-sonnet-20240620-v1:0', inputTokens: f([4000]), invocations: f([1]) },
        { modelId: 'anthropic.claude-3-5-sonnet-20241022-v2:0', inputTokens: f([8000]), invocations: f([1]) },
      ],
      quotas: [v1, v2],
      warnPercent: 80,
      burndown: {},
    });
    // 8,000 of 800,000 = 1% (V2); 4,000 of 400,000 = 1% (V1): two rows (the larger peak first), one quota each.
    expect(rows.map((r) => [r.models[0], r.tpmQuota?.code, r.tpmPercent, r.note?.includes('quotas match')])).toEqual([
      ['anthropic.claude-3-5-sonnet-20241022-v2:0', 'L-AD41C330', 1, false],
      ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'L-A50569E5', 1, false],
    ]);
  });
});

describe('headroom: hand-computed truth', () => {
  const series: MinuteSeries[] = [
    // Cross-region Sonnet 4.5 (5x output burndown), two geographic profiles sharing one quota.
    {
      modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      inputTokens: f([1000, 2000, 0, 500, 0]),
      outputTokens: f([100, 300, 0, 1000, 0]),
      cacheWriteTokens: f([0, 500, 0, 0, 0]),
      invocations: f([2, 5, 0, 3, 0]),
    },
    {
      modelId: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0',
      inputTokens: f([0, 0, 0, 100, 0]),
      outputTokens: f([0, 0, 0, 20, 0]),
      invocations: f([0, 0, 0, 1, 0]),
    },
    // On-demand Claude 3 Haiku, 5x on the current page's literal reading (an assumption, with a note).
    {
      modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
      inputTokens: f([300, 0, 0, 0, 9000]),
      outputTokens: f([100, 0, 0, 0, 1000]),
      invocations: f([1, 0, 0, 0, 10]),
    },
    // Global Haiku 4.5 with AWS's own estimate, which wins over the token formula.
    {
      modelId: 'global.anthropic.claude-haiku-4-5-20251001-v1:0',
      estimatedTpm: f([0, 700, 0, 0, 0]),
      inputTokens: f([0, 9999, 0, 0, 0]),
      invocations: f([0, 1, 0, 0, 0]),
    },
    {
      modelId: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc',
      inputTokens: f([10, 0, 0, 0, 0]),
      invocations: f([1, 0, 0, 0, 0]),
    },
  ];
  const quotas = mergeQuotas(
    [HAIKU_3_TPM_APPLIED, SONNET_45_CRIS_TPM],
    [HAIKU_3_TPM_DEFAULT, HAIKU_3_RPM, SONNET_45_CRIS_RPM, HAIKU_45_GLOBAL_TPM, HAIKU_3_TPD, HAIKU_35_TPM],
  );
  const rows = computeHeadroom({ start: T0, minutes: 5, series, quotas, warnPercent: 80, burndown: {} });

  test(
    'Sonnet 4.5 cross-region: minute 3 = (500 + 0 + 1000×5) + (100 + 20×5) = 5,700 of 6,000 = 95.0%, flagged; ' +
      'RPM peak 5 at minute 1',
    () => {
      expect(rows[0]).toEqual({
        models: ['eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0'],
        family: 'anthropic.claude-sonnet-4-5',
        inferenceType: 'cross-region',
        peakTokensPerMinute: 5700,
        peakTokensAt: at(3),
        tokensMethod: 'computed',
        burndown: 5,
        peakRequestsPerMinute: 5,
        peakRequestsAt: at(1),
        tpmQuota: { code: 'L-F4DDD3EB', name: SONNET_45_CRIS_TPM.QuotaName, value: 6000 },
        rpmQuota: { code: 'L-4A6BFAB1', name: SONNET_45_CRIS_RPM.QuotaName, value: 50 },
        tpmPercent: 95,
        rpmPercent: 10,
        flagged: true,
      });
    },
  );

  test('global Haiku 4.5 from EstimatedTPMQuotaUsage: 700 of 1,000 = 70.0%, not flagged; no RPM quota → n/a', () => {
    expect(rows[1]).toMatchObject({
      family: 'anthropic.claude-haiku-4-5',
      inferenceType: 'global',
      peakTokensPerMinute: 700,
      tokensMethod: 'estimated',
      tpmPercent: 70,
      rpmQuota: null,
      rpmPercent: null,
      flagged: false,
    });
  });

  test(
    'on-demand Claude 3 Haiku: 9,000 + 1,000×5 = 14,000 against the applied 400,000 (not the default) = 3.5%, ' +
      'never the 3.5 Haiku quota; the assumed rate is noted',
    () => {
      expect(rows[2]).toMatchObject({
        family: 'anthropic.claude-3-haiku',
        inferenceType: 'on-demand',
        peakTokensPerMinute: 14_000,
        peakTokensAt: at(4),
        burndown: 5,
        tpmQuota: { value: 400_000 },
        tpmPercent: 3.5,
        note: expect.stringContaining('burndown 5x assumed'),
        peakRequestsPerMinute: 10,
        rpmPercent: 1,
        flagged: false,
      });
    },
  );

  test('an application inference profile has no known quota: n/a with a note', () => {
    expect(rows[3]).toMatchObject({
      family: null,
      inferenceType: null,
      tpmQuota: null,
      tpmPercent: null,
      note: expect.stringContaining('application inference profile'),
    });
  });

  test('config burndown overrides and the warning percentage are honoured', () => {
    const again = computeHeadroom({
      start: T0,
      minutes: 5,
      series: series.slice(0, 1),
      quotas,
      warnPercent: 99,
      burndown: { 'anthropic.claude-sonnet-4-5': 1 },
    });
    // minute 1: 2000 + 500 + 300 = 2,800 beats minute 3: 500 + 1000 = 1,500.
    expect(again[0]).toMatchObject({ peakTokensPerMinute: 2800, peakTokensAt: at(1), burndown: 1, flagged: false });
  });
});
