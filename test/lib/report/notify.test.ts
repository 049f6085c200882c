import { describe, expect, test } from '@jest/globals';
import { MAX_MESSAGE_BYTES, reportMessage, reportSubject } from '../../../src/lib/report/notify.js';
import { totalsOf } from '../../../src/lib/report/compute.js';
import type { ModelRow, Report } from '../../../src/lib/report/types.js';

function row(i: number): ModelRow {
  return {
    modelId:
      `arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/` +
      `team-${String(i).padStart(5, '0')}-${'x'.repeat(40)}`,
    invocations: 10 + i,
    inputTokens: 1000,
    outputTokens: 100,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    clientErrors: 0,
    serverErrors: 0,
    throttles: 0,
    latencyAvgMs: 500,
    latencyP50Ms: null,
    latencyP90Ms: null,
    latencyP99Ms: null,
    timeToFirstTokenP50Ms: null,
    timeToFirstTokenP99Ms: null,
    priced: true,
    costUsd: 1 + i / 1000,
  };
}

function report(models: number): Report {
  const rows = Array.from({ length: models }, (_x, i) => row(i)).reverse();
  return {
    window: { start: '2026-11-20T00:00:00.000Z', end: '2026-11-27T00:00:00.000Z', hours: 168 },
    region: 'ap-southeast-2',
    models: rows,
    totals: totalsOf(rows),
    projection: { monthlyCostUsd: 1, hoursPerMonth: 730 },
    prices: { source: 'x', date: '2026-11-22', estimate: true },
    warnings: [],
  };
}

describe('the SNS message (Publish: at most 262,144 bytes; subject ' + 'under 100 characters, printable ASCII)', () => {
  test('a report that fits is sent whole', () => {
    const { message, truncated } = reportMessage(report(3));
    expect(truncated).toBe(false);
    expect(message).toContain('Bedrock usage in ap-southeast-2, 2026-11-20 00:00 → 2026-11-27 00:00 UTC (7 days)');
    expect(message.match(/team-\d{5}/g)).toHaveLength(3);
  });

  test('a report too big for one message keeps the costliest models that fit and every total', () => {
    const big = report(1500);
    const { message, truncated } = reportMessage(big);
    expect(truncated).toBe(true);
    const bytes = Buffer.byteLength(message, 'utf8');
    expect(bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(bytes).toBeGreaterThan(MAX_MESSAGE_BYTES * 0.9);
    const shown = Number(/\((\d+) of 1500 models shown/.exec(message)?.[1]);
    expect(shown).toBeGreaterThan(100);
    expect(message.match(/team-\d{5}/g)).toHaveLength(shown);
    // The costliest first (the report's order), and the TOTAL row counts all 1,500 models.
    expect(message).toContain('team-01499');
    expect(message).toMatch(/TOTAL\s+1,139,250/);
  });

  test('the subject names the window and Region, in UTC, within the limits', () => {
    const s = reportSubject(report(1), 'ap-southeast-2');
    expect(s).toBe('Bedrock usage, ap-southeast-2, 2026-11-20 00:00 to 2026-11-27 00:00 UTC');
    expect(s.length).toBeLessThan(100);
    const odd = reportSubject(report(1), `x\n×${'y'.repeat(200)}`);
    expect(odd.length).toBeLessThan(100);
    // Printable ASCII only: SNS replaces a subject with anything else by an error text.
    expect(odd).toMatch(/^[\x20-\x7e]+$/);
    expect(odd.endsWith('...')).toBe(true);
  });
});
