import { describe, expect, test } from '@jest/globals';
import { BmError } from '../../../src/lib/core/errors.js';
import { mergeFleetMetrics, type TargetReport } from '../../../src/lib/report/fleet-metrics-compute.js';
import type { ModelRow, Report } from '../../../src/lib/report/types.js';
import { totalsOf } from '../../../src/lib/report/compute.js';

/** The merge of per-target metrics reports (pure): groups, weighted latency, totals, per-target rows, warnings. */

const WINDOW = { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-21T00:00:00Z') };
const PRICES = { source: 'test', date: '2026-11-22', estimate: true as const };

function row(modelId: string, invocations: number, latency: number, cost: number | null): ModelRow {
  return {
    modelId,
    invocations,
    inputTokens: invocations * 10,
    outputTokens: invocations * 2,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    clientErrors: 1,
    serverErrors: 0,
    throttles: 0,
    latencyAvgMs: latency,
    latencyP50Ms: null,
    latencyP90Ms: null,
    latencyP99Ms: null,
    timeToFirstTokenP50Ms: null,
    timeToFirstTokenP99Ms: null,
    priced: cost !== null,
    costUsd: cost,
  };
}

function report(models: ModelRow[], warnings: string[] = []): Report {
  return {
    window: { start: WINDOW.start.toISOString(), end: WINDOW.end.toISOString(), hours: 24 },
    region: 'us-east-1',
    models,
    totals: totalsOf(models),
    projection: { monthlyCostUsd: 0, hoursPerMonth: 730 },
    prices: PRICES,
    warnings,
  };
}

const A = '111111111111';
const B = '222222222222';
const runs: TargetReport[] = [
  { target: { account: A, region: 'us-east-1' }, value: report([row('m1', 100, 1000, 1), row('m2', 10, 500, null)]) },
  { target: { account: B, region: 'us-east-1' }, value: report([row('m1', 300, 2000, 3)], ['only B says this']) },
  { target: { account: B, region: 'eu-west-1' }, value: report([]) },
  { target: { account: A, region: 'eu-west-1' }, error: new BmError('cannot assume', { hint: 'create the role' }) },
];

describe('mergeFleetMetrics', () => {
  test('by model across accounts: sums, latency weighted by invocations, unpriced kept apart', () => {
    const m = mergeFleetMetrics({ runs, groupBy: ['model'], window: WINDOW, priceTable: PRICES });
    const m1 = m.rows.find((r) => r.modelId === 'm1')!;
    expect([m1.account, m1.region, m1.invocations, m1.costUsd, m1.priced]).toEqual([null, null, 400, 4, true]);
    expect(m1.latencyAvgMs).toBe(1750); // (100 × 1000 + 300 × 2000) / 400
    const m2 = m.rows.find((r) => r.modelId === 'm2')!;
    expect([m2.costUsd, m2.priced]).toEqual([null, false]);
    expect(m.totals.invocations).toBe(410);
    expect(m.totals.costUsd).toBe(4);
    expect(m.totals.unpricedModels).toEqual(['m2']);
  });

  test('every target has a row: data, no data, failed with its error; warnings of some targets say whose', () => {
    const m = mergeFleetMetrics({ runs, groupBy: ['account', 'region', 'model'], window: WINDOW, priceTable: PRICES });
    expect(m.targets.map((t) => [t.account, t.region, t.status, t.invocations])).toEqual([
      [A, 'eu-west-1', 'failed', null],
      [A, 'us-east-1', 'data', 110],
      [B, 'eu-west-1', 'no data', 0],
      [B, 'us-east-1', 'data', 300],
    ]);
    expect(m.targets[0]!.error).toMatchObject({ message: 'cannot assume', hint: 'create the role' });
    expect(m.rows).toHaveLength(3);
    expect(m.warnings).toEqual([`${B} us-east-1: only B says this`]);
    expect(m.scope).toEqual({ accounts: [A, B], regions: ['us-east-1', 'eu-west-1'] });
  });

  test('by account: one row per account with data', () => {
    const m = mergeFleetMetrics({ runs, groupBy: ['account'], window: WINDOW, priceTable: PRICES });
    expect(m.rows.map((r) => [r.account, r.invocations])).toEqual([
      [B, 300],
      [A, 110],
    ]);
  });
});
