import { afterEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CostExplorerClient,
  GetCostAndUsageCommand,
  type GetCostAndUsageCommandInput,
  type GetCostAndUsageCommandOutput,
} from '@aws-sdk/client-cost-explorer';
import { ceTimePeriod, isBedrockService, tokensPerUnit } from '../../../src/lib/bill/ce.js';
import { billSource } from '../../../src/commands/bill.js';
import { BillDocSchema } from '../../support/schemas.js';
import { cliFor, emptyDir, runCli, useMoto } from '../../support/cli.js';
import { ACCOUNT, EXPECTED_CAUSES, LINES, SONNET, writeRecords, type Line } from '../../support/bill-corpus.js';

/**
 * `bill` with Cost Explorer as the source (no CUR 2.0 export). The answers are GetCostAndUsage responses in the shape
 * of botocore's ce service model (2017-10-25: ResultsByTime[].TimePeriod/Groups[].Keys/Metrics.{Amount,Unit},
 * Estimated, NextPageToken), built from the same SYNTHETIC line items as the CUR 2.0 test
 * (test/support/bill-corpus.ts): Cost Explorer's SERVICE is the product name ("Amazon Bedrock",
 * "Claude Sonnet 4.5 (Amazon Bedrock Edition)"), RECORD_TYPE the line item type, USAGE_TYPE the usage type. moto
 * runs no cost model: its GetCostAndUsage answers each new request body with the next result queued at
 * /moto-api/static/ce/cost-and-usage-results (moto 5.2.1,
 * moto/ce/models.py), so the round trip queues one result per request in the order `bill` makes them.
 */

const moto = useMoto();
const cli = cliFor(() => moto().url);
const now = new Date('2026-12-06T00:00:00Z');
const micro = (usd: number) => Math.round(usd * 1e6);

const serviceOf = (l: Line) => l.product ?? 'Amazon Bedrock';
const quantityOf = (l: Line) => {
  const unit = l.unit ?? '1K tokens';
  return unit === 'Units' ? l.tokens / 1e6 : unit === '1K tokens' ? l.tokens / 1000 : 1;
};

/** Sums line items by the given keys into Cost Explorer groups. */
function groups(lines: Line[], keys: (l: Line) => string[], usage: boolean) {
  const by = new Map<string, { Keys: string[]; cost: number; qty: number; unit: string }>();
  for (const l of lines) {
    const k = keys(l);
    const g = by.get(JSON.stringify(k)) ?? { Keys: k, cost: 0, qty: 0, unit: l.unit ?? '1K tokens' };
    g.cost += l.costUsd;
    g.qty += quantityOf(l);
    by.set(JSON.stringify(k), g);
  }
  return [...by.values()].map((g) => ({
    Keys: g.Keys,
    Metrics: {
      UnblendedCost: { Amount: g.cost.toFixed(10), Unit: 'USD' },
      ...(usage ? { UsageQuantity: { Amount: String(g.qty), Unit: g.unit } } : {}),
    },
  }));
}

/** One ResultByTime per day of November 2026; the corpus's items fall on the 12th. */
function daily(dayGroups: ReturnType<typeof groups>, estimated = false) {
  return Array.from({ length: 30 }, (_, i) => {
    const d = new Date(Date.UTC(2026, 10, 1 + i));
    const next = new Date(Date.UTC(2026, 10, 2 + i));
    const start = d.toISOString().slice(0, 10);
    return {
      TimePeriod: { Start: start, End: next.toISOString().slice(0, 10) },
      Total: {},
      Groups: start === '2026-11-12' ? dayGroups : [],
      Estimated: estimated,
    };
  });
}

const usage = (l: Line) => (l.type ?? 'Usage') === 'Usage';
/** The answers `bill` asks for, in its order: services × record types, then each Bedrock service's usage. */
function answers(): GetCostAndUsageCommandOutput[] {
  const others = [
    { Keys: ['Amazon Simple Storage Service', 'Usage'], Metrics: { UnblendedCost: { Amount: '3.5', Unit: 'USD' } } },
    { Keys: ['Amazon Bedrock AgentCore', 'Usage'], Metrics: { UnblendedCost: { Amount: '1.25', Unit: 'USD' } } },
  ];
  const first = [...groups(LINES, (l) => [serviceOf(l), l.type ?? 'Usage'], false), ...others];
  const perService = (s: string) =>
    groups(
      LINES.filter((l) => usage(l) && serviceOf(l) === s),
      (l) => [ACCOUNT, l.usageType],
      true,
    );
  const dims = (a: string, b: string) => [
    { Type: 'DIMENSION', Key: a },
    { Type: 'DIMENSION', Key: b },
  ];
  return [
    { ResultsByTime: daily(first), GroupDefinitions: dims('SERVICE', 'RECORD_TYPE'), $metadata: {} },
    {
      ResultsByTime: daily(perService('Amazon Bedrock')),
      GroupDefinitions: dims('LINKED_ACCOUNT', 'USAGE_TYPE'),
      $metadata: {},
    },
    { ResultsByTime: daily(perService(SONNET)), GroupDefinitions: dims('LINKED_ACCOUNT', 'USAGE_TYPE'), $metadata: {} },
  ] as GetCostAndUsageCommandOutput[];
}

const queue = (results: unknown[]): Promise<void> =>
  moto().queueResults('ce', { results: results.map((x) => ({ ...(x as object), $metadata: undefined })) });

describe('bill --source ce: Cost Explorer beside the logs, on moto', () => {
  const logs = emptyDir();
  writeRecords(logs);
  const env = { XDG_CACHE_HOME: emptyDir() };
  const bill = (...args: string[]) => cli(['bill', '--month', '2026-11', '--logs', logs, ...args], { env, now });

  test('without an export it asks Cost Explorer (by model); the bridge recovers each cause to the cent', async () => {
    await queue(answers());
    const r = await bill('--json');
    expect([r.code, r.stderr]).toEqual([0, '']);
    const j = r.json();
    expect(() => BillDocSchema.parse(j)).not.toThrow();
    const ce = r.requests.filter((q) => q.service === 'Cost Explorer');
    expect(ce.map((q) => q.operation)).toEqual(['GetCostAndUsage', 'GetCostAndUsage', 'GetCostAndUsage']);
    expect(j.sources.bill).toEqual({
      kind: 'cost-explorer',
      services: ['Amazon Bedrock', SONNET],
      requests: 3,
      requestsUsd: 0.03,
      lineItems: expect.any(Number),
      iamPrincipal: false,
      estimatedDays: [],
    });
    expect(j.groupBy).toBe('model');
    const causes = Object.fromEntries(j.bridge.causes.map((c: { cause: string; usd: number }) => [c.cause, c.usd]));
    for (const [id, usd] of Object.entries(EXPECTED_CAUSES))
      expect([id, Math.round(causes[id] * 100)]).toEqual([id, Math.round(usd * 100)]);
    expect(Object.keys(causes).sort()).toEqual(Object.keys(EXPECTED_CAUSES).sort());
    expect(micro(j.bridge.residualUsd)).toBe(0);
    // Only Bedrock's services are billed: S3 and AgentCore are left out.
    expect(micro(j.totals.billedUsd)).toBe(LINES.reduce((a, l) => a + micro(l.costUsd), 0));
    expect(j.rows.find((x: { key: string }) => x.key === 'Claude Sonnet 4.5')).toMatchObject({
      billedUsd: 6.15,
      estimatedUsd: 6.15,
    });
    expect(j.warnings.join('\n')).toMatch(/3 GetCostAndUsage request\(s\) at \$0\.01 each/);
  });

  test('--by principal and --by role are refused before any request, naming --cur', async () => {
    for (const by of ['principal', 'role']) {
      const r = await bill('--source', 'ce', '--by', by);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--by ${by}: Cost Explorer cannot split the bill by`);
      expect(r.stderr).toContain('--cur s3://BUCKET/PREFIX');
      expect(r.requests).toEqual([]);
    }
    const both = await bill('--source', 'ce', '--cur', logs);
    expect([both.code, both.requests]).toEqual([2, []]);
    expect(both.stderr).toContain('--source ce: it cannot be combined with --cur');
  });

  test('the human view names the source and what it cost', async () => {
    await queue(answers());
    const r = await bill('--by', 'day');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Cost Explorer, 3 request(s), $0.03');
    expect(r.stdout).toMatch(/2026-11-12/);
    expect(r.stdout).toMatch(/residual\s+\$0\.00/);
  });
});

describe('Cost Explorer pages (aws-sdk-client-mock: NextPageToken as botocore documents it)', () => {
  // Made in the test, not at the top: a mock replaces send() on every client, and the tests above talk to moto.
  const ce = { mock: undefined as undefined | { restore(): void } };
  afterEach(() => {
    ce.mock?.restore();
  });

  test('every page is read and counted; days marked Estimated are named', async () => {
    const [first, bedrock, sonnet] = answers();
    // The Bedrock service's usage comes in two pages: the first 15 days, then the rest.
    const page1 = { ...bedrock!, ResultsByTime: bedrock!.ResultsByTime!.slice(0, 15), NextPageToken: 'page-2' };
    const page2 = { ...bedrock!, ResultsByTime: bedrock!.ResultsByTime!.slice(15) };
    const sent: GetCostAndUsageCommandInput[] = [];
    const mock = mockClient(CostExplorerClient);
    ce.mock = mock;
    mock.on(GetCostAndUsageCommand).callsFake((input: GetCostAndUsageCommandInput) => {
      sent.push(input);
      const f = input.Filter?.And?.[0]?.Dimensions?.Values?.[0];
      if (!f) return { ...first!, ResultsByTime: first!.ResultsByTime!.map((x) => ({ ...x, Estimated: true })) };
      if (f === SONNET) return sonnet;
      return input.NextPageToken === 'page-2' ? page2 : page1;
    });
    const logs = emptyDir();
    writeRecords(logs);
    const r = await runCli(['bill', '--month', '2026-11', '--logs', logs, '--json'], {
      env: { AWS_REGION: 'us-west-2', XDG_CACHE_HOME: emptyDir() },
      now,
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const j = r.json();
    expect(sent.map((s) => s.NextPageToken ?? '')).toEqual(['', '', 'page-2', '']);
    expect(sent[0]).toMatchObject({ TimePeriod: { Start: '2026-11-01', End: '2026-12-01' }, Granularity: 'DAILY' });
    expect(j.sources.bill.requests).toBe(4);
    expect(j.sources.bill.estimatedDays).toHaveLength(30);
    expect(micro(j.totals.billedUsd)).toBe(LINES.reduce((a, l) => a + micro(l.costUsd), 0));
    expect(micro(j.bridge.residualUsd)).toBe(0);
  });
});

describe('Cost Explorer details', () => {
  test('whole UTC days: the window to the day after its last instant', () => {
    const w = (a: string, b: string) => ({ start: new Date(a), end: new Date(b) });
    expect(ceTimePeriod(w('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z'))).toEqual({
      Start: '2026-11-01',
      End: '2026-12-01',
    });
    expect(ceTimePeriod(w('2026-12-01T00:00:00Z', '2026-12-05T13:00:00Z'))).toEqual({
      Start: '2026-12-01',
      End: '2026-12-06',
    });
  });

  test("Bedrock's services, and tokens per unit as for CUR's pricing_unit", () => {
    expect(['Amazon Bedrock', SONNET, 'Amazon Bedrock AgentCore', 'Amazon S3'].map(isBedrockService)).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(['1K tokens', '1M tokens', 'Units', 'Hours'].map(tokensPerUnit)).toEqual([1000, 1e6, 1e6, 1]);
  });

  test('the source: an explicit --source wins; else the export when one is named, else Cost Explorer', () => {
    expect(billSource({}, undefined)).toBe('ce');
    expect(billSource({}, 's3://b/p')).toBe('cur');
    expect(billSource({ cur: 'dir' }, undefined)).toBe('cur');
    expect(billSource({ source: 'ce' }, 's3://b/p')).toBe('ce');
    expect(() => billSource({ source: 'cur' }, undefined)).toThrow(/--cur: no CUR 2.0 export given/);
  });
});
