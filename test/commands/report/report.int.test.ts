import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliFor, emptyDir, useMoto } from '../../support/cli.js';
import { expectGolden } from '../../support/golden.js';
import { putMetrics, seedingClients, type Datapoint } from '../../support/synthetic.js';

const emulator = useMoto();
const REGION = 'us-east-1';
const NOW = '2026-11-22T03:30:00Z';
const WINDOW = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-21T00:00:00Z'];
const env = { TZ: 'UTC', COLUMNS: '80', NO_COLOR: '1' };
const now = new Date(NOW);
const cli = cliFor(() => emulator().url, REGION);

const GLOBAL_SONNET = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
const US_SONNET = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
const HAIKU_3 = 'anthropic.claude-3-haiku-20240307-v1:0';
const HAIKU_45_ARN =
  'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0';
const LLAMA = 'meta.llama3-1-70b-instruct-v1:0';

type Seed = Record<string, number>;
/** Per model, the truth for the window; each figure is split over two datapoints inside it. */
const TRUTH: Record<string, Seed> = {
  [GLOBAL_SONNET]: {
    Invocations: 100,
    InputTokenCount: 200_000,
    OutputTokenCount: 50_000,
    CacheReadInputTokenCount: 1_000_000,
    CacheWriteInputTokenCount: 100_000,
    InvocationClientErrors: 2,
    InvocationServerErrors: 1,
    InvocationThrottles: 4,
  },
  [US_SONNET]: {
    Invocations: 100,
    InputTokenCount: 200_000,
    OutputTokenCount: 50_000,
    CacheReadInputTokenCount: 1_000_000,
    CacheWriteInputTokenCount: 100_000,
    InvocationClientErrors: 0,
    InvocationServerErrors: 0,
    InvocationThrottles: 0,
  },
  [HAIKU_3]: {
    Invocations: 1000,
    InputTokenCount: 4_000_000,
    OutputTokenCount: 1_000_000,
    CacheReadInputTokenCount: 0,
    CacheWriteInputTokenCount: 0,
    InvocationClientErrors: 10,
    InvocationServerErrors: 2,
    InvocationThrottles: 20,
  },
  [HAIKU_45_ARN]: {
    Invocations: 50,
    InputTokenCount: 100_000,
    OutputTokenCount: 20_000,
    CacheReadInputTokenCount: 0,
    CacheWriteInputTokenCount: 10_000,
    InvocationClientErrors: 0,
    InvocationServerErrors: 0,
    InvocationThrottles: 0,
  },
  [LLAMA]: {
    Invocations: 10,
    InputTokenCount: 5_000,
    OutputTokenCount: 1_000,
    CacheReadInputTokenCount: 0,
    CacheWriteInputTokenCount: 0,
    InvocationClientErrors: 0,
    InvocationServerErrors: 0,
    InvocationThrottles: 0,
  },
};
const LATENCY: Record<string, [number, number]> = {
  [GLOBAL_SONNET]: [1000, 3000],
  [US_SONNET]: [1500, 2500],
  [HAIKU_3]: [400, 600],
  [HAIKU_45_ARN]: [700, 900],
  [LLAMA]: [2000, 2000],
};

/** Costs worked out by hand from the published per-million prices. */
const EXPECTED_COST: Record<string, number | null> = {
  // 0.2M in × $3 + 0.05M out × $15 + 1M cache read × $0.30 + 0.1M cache write × $3.75
  [GLOBAL_SONNET]: 0.6 + 0.75 + 0.3 + 0.375,
  // the same at the 10% geographic premium
  [US_SONNET]: 2.2275,
  // 4M × $0.25 + 1M × $1.25, no premium before Sonnet 4.5
  [HAIKU_3]: 2.25,
  // (0.1M × $1 + 0.02M × $5 + 0.01M × $1.25) × 1.1
  [HAIKU_45_ARN]: 0.23375,
  // 5,000 in + 1,000 out × $0.72 per million (Llama 3.1 70B, the bundled Price List snapshot)
  [LLAMA]: 0.00432,
};

async function seed(): Promise<void> {
  const points: Datapoint[] = [];
  const at = (h: number) => new Date(Date.UTC(2026, 10, 20, h));
  for (const [modelId, seedValues] of Object.entries(TRUTH)) {
    for (const [metric, total] of Object.entries(seedValues)) {
      const first = Math.floor(total * 0.3);
      points.push(
        { modelId, metric, timestamp: at(6), value: first },
        { modelId, metric, timestamp: at(18), value: total - first },
      );
      // Outside the window: must not be counted.
      points.push({ modelId, metric, timestamp: new Date(Date.UTC(2026, 10, 21, 6)), value: 999 });
    }
    const [a, b] = LATENCY[modelId]!;
    points.push(
      { modelId, metric: 'InvocationLatency', timestamp: at(6), value: a },
      { modelId, metric: 'InvocationLatency', timestamp: at(18), value: b },
    );
  }
  await putMetrics(seedingClients(emulator().url, REGION).cw, points);
}

describe('report on seeded metrics', () => {
  test('every figure equals the seeded truth and every cost equals tokens × list price', async () => {
    await seed();
    const r = await cli(['report', ...WINDOW, '--json'], { env, now });
    expect(r.code).toBe(0);
    const rep = r.json();
    expect(rep.window).toEqual({ start: '2026-11-20T00:00:00.000Z', end: '2026-11-21T00:00:00.000Z', hours: 24 });
    expect(rep.region).toBe(REGION);
    expect(rep.models.map((m: { modelId: string }) => m.modelId).sort()).toEqual(Object.keys(TRUTH).sort());
    for (const m of rep.models) {
      const t = TRUTH[m.modelId]!;
      expect([
        m.invocations,
        m.inputTokens,
        m.outputTokens,
        m.cacheReadTokens,
        m.cacheWriteTokens,
        m.clientErrors,
        m.serverErrors,
        m.throttles,
      ]).toEqual([
        t.Invocations,
        t.InputTokenCount,
        t.OutputTokenCount,
        t.CacheReadInputTokenCount,
        t.CacheWriteInputTokenCount,
        t.InvocationClientErrors,
        t.InvocationServerErrors,
        t.InvocationThrottles,
      ]);
      const [a, b] = LATENCY[m.modelId]!;
      expect(m.latencyAvgMs).toBe((a + b) / 2);
      const expected = EXPECTED_COST[m.modelId];
      if (expected === null) {
        expect(m).toMatchObject({ priced: false, costUsd: null });
      } else {
        expect(m.priced).toBe(true);
        expect(m.costUsd).toBeCloseTo(expected!, 6);
      }
    }
    const sum = (k: string) => Object.values(TRUTH).reduce((acc, t) => acc + t[k]!, 0);
    expect(rep.totals).toMatchObject({
      invocations: sum('Invocations'),
      inputTokens: sum('InputTokenCount'),
      outputTokens: sum('OutputTokenCount'),
      cacheReadTokens: sum('CacheReadInputTokenCount'),
      cacheWriteTokens: sum('CacheWriteInputTokenCount'),
      clientErrors: sum('InvocationClientErrors'),
      serverErrors: sum('InvocationServerErrors'),
      throttles: sum('InvocationThrottles'),
      unpricedModels: [],
    });
    const pricedTotal = 2.025 + 2.2275 + 2.25 + 0.23375 + 0.00432;
    expect(rep.totals.costUsd).toBeCloseTo(pricedTotal, 6);
    expect(rep.totals.errorRate).toBeCloseTo(15 / 1260, 6);
    expect(rep.totals.throttleRate).toBeCloseTo(24 / (1260 + 24), 6);
    expect(rep.totals.costPer1000InvocationsUsd).toBeCloseTo((pricedTotal / 1260) * 1000, 5);
    expect(rep.projection.monthlyCostUsd).toBeCloseTo((pricedTotal / 24) * 730, 2);
    // Models sorted by cost, unpriced last.
    expect(rep.models.map((m: { modelId: string }) => m.modelId)).toEqual([
      HAIKU_3,
      US_SONNET,
      GLOBAL_SONNET,
      HAIKU_45_ARN,
      LLAMA,
    ]);
    // moto answers percentile statistics with a server error: the report still prints, and says so.
    expect(rep.models[0].latencyP99Ms).toBeNull();
    expect(r.stderr).toContain('percentile figures could not be fetched');
    // Llama is priced by the bundled Price List snapshot now.
    expect(r.stderr).not.toContain(`${LLAMA} is not in the price table`);
  });

  test('cache tokens of a model whose table states no cache rate: priced at $0, and a warning says so', async () => {
    const at = new Date(Date.UTC(2026, 10, 20, 6));
    const seeded: Record<string, number> = {
      Invocations: 10,
      InputTokenCount: 5_000,
      OutputTokenCount: 1_000,
      CacheReadInputTokenCount: 2_000,
    };
    await putMetrics(
      seedingClients(emulator().url, REGION).cw,
      Object.entries(seeded).map(([metric, value]) => ({ modelId: LLAMA, metric, timestamp: at, value })),
    );
    const rep = (await cli(['report', ...WINDOW, '--json'], { env, now })).json();
    // The snapshot (the Price List) states no cache rate for Llama 3.1 70B: input and output only.
    expect(rep.models[0]).toMatchObject({ modelId: LLAMA, cacheReadTokens: 2_000, priced: true });
    expect(rep.models[0].costUsd).toBeCloseTo(EXPECTED_COST[LLAMA]!, 8);
    expect(rep.warnings).toContainEqual(
      `${LLAMA} has no cache-read rate in the price table: its cache-read tokens are priced at $0 (if AWS bills ` +
        "them, the cost is under-estimated; `bedrock-monitor prices refresh` fetches AWS's current table)",
    );
  });

  test.each<[string, string[], Record<string, string>, boolean]>([
    ['table-60.txt', ['--output', 'table'], { COLUMNS: '60' }, true],
    ['table-80.txt', ['--output', 'table'], { COLUMNS: '80' }, true],
    ['table-160.txt', [], { COLUMNS: '160' }, true],
    ['table-piped.txt', [], { COLUMNS: '80' }, false],
    ['report.json', ['--json'], {}, false],
    ['report.csv', ['--output', 'csv'], {}, false],
    ['report-by-day.csv', ['--output', 'csv', '--by', 'day'], {}, false],
    ['report.md', ['--output', 'markdown', '--by', 'day'], {}, false],
  ])('golden output: %s', async (file, args, extraEnv, stdoutTty) => {
    await seed();
    const r = await cli(['report', ...WINDOW, ...args], { env: { ...env, ...extraEnv }, now, stdoutTty });
    expect(r.code).toBe(0);
    expectGolden(`${file}`, r.stdout);
    if (stdoutTty)
      for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(Number(extraEnv.COLUMNS));
  });

  test('piped, the table is never cut: every column and every full model ID, whatever COLUMNS says', async () => {
    await seed();
    const r = await cli(['report', ...WINDOW], { env: { ...env, COLUMNS: '60' }, now });
    expect(r.stdout).toContain(HAIKU_45_ARN);
    for (const head of ['CACHE READ', 'THROTTLES', 'P99 MS', 'TTFT P99']) expect(r.stdout).toContain(head);
  });

  test('--by day splits the window by UTC day with the same totals', async () => {
    await seed();
    const r = await cli(
      ['report', '--since', '2026-11-20T00:00:00Z', '--until', '2026-11-22T00:00:00Z', '--by', 'day', '--json'],
      { env, now },
    );
    const rep = r.json();
    expect(rep.days.map((d: { date: string }) => d.date)).toEqual(['2026-11-20', '2026-11-21']);
    expect(rep.days[0].invocations).toBe(1260);
    expect(rep.days[1].invocations).toBe(999 * 5);
    expect(rep.days[0].invocations + rep.days[1].invocations).toBe(rep.totals.invocations);
  });

  test('--since 7d --by week --output csv: weeks from Monday, the totals row marked by kind', async () => {
    await seed();
    const r = await cli(['report', '--since', '7d', '--by', 'week', '--output', 'csv'], { env, now });
    expect(r.code).toBe(0);
    const [head, ...rows] = r.stdout.trim().split('\n');
    const keys = head!.split(',');
    const records = rows.map((l) => Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v])));
    expect(records.filter((x) => Object.values(x).includes('TOTAL'))).toEqual([]);
    expect(records.map((x) => x.kind).at(-1)).toBe('total');
    const weeks = records.filter((x) => x.kind === 'week');
    expect(weeks.map((x) => x.week)).toEqual(['2026-11-09', '2026-11-16']);
    const total = records.find((x) => x.kind === 'total')!;
    expect(weeks.reduce((a, x) => a + Number(x.invocations), 0)).toBe(Number(total.invocations));
    const json = (await cli(['report', '--since', '7d', '--by', 'month', '--json'], { env, now })).json();
    expect(json.periods.unit).toBe('month');
    expect(json.periods.rows.map((x: { date: string }) => x.date)).toEqual(['2026-11']);
  });

  test('a price override in the config file prices an unknown model', async () => {
    await seed();
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'bedrock-monitor.config.json'),
      JSON.stringify({ prices: { [LLAMA]: { input: 0.72, output: 0.72, cacheWrite: 0, cacheRead: 0 } } }),
    );
    const rep = (await cli(['report', ...WINDOW, '--json'], { env, now, cwd: dir })).json();
    const llama = rep.models.find((m: { modelId: string }) => m.modelId === LLAMA);
    expect(llama).toMatchObject({ priced: true });
    expect(llama.costUsd).toBeCloseTo(((5_000 + 1_000) * 0.72) / 1e6, 6);
    expect(rep.totals.unpricedModels).toEqual([]);
  });

  test('no data in the window: one line, exit 0; JSON has an empty list and zero totals', async () => {
    const r = await cli(['report', ...WINDOW], { env, now });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'Bedrock usage in us-east-1, 2026-11-20 00:00 → 2026-11-21 00:00 UTC (24 h)\n\n' +
        'No Amazon Bedrock usage in us-east-1 between 2026-11-20 00:00 and 2026-11-21 00:00 UTC.\n',
    );
    const j = (await cli(['report', ...WINDOW, '--json'], { env, now })).json();
    expect(j.models).toEqual([]);
    expect(j.totals).toMatchObject({ invocations: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 });
  });

  test('CloudWatch requests stay flat as models grow: one GetMetricData call per 500 queries', async () => {
    const counts: Record<number, Record<string, number>> = {};
    for (const n of [5, 30]) {
      await emulator().reset();
      const points: Datapoint[] = [];
      for (let i = 0; i < n; i++)
        points.push({
          modelId: `anthropic.claude-3-haiku-2024030${i % 10}-v${i}:0`,
          metric: 'Invocations',
          timestamp: new Date(Date.UTC(2026, 10, 20, 6)),
          value: 1,
        });
      await putMetrics(seedingClients(emulator().url, REGION).cw, points);
      const r = await cli(['report', ...WINDOW, '--json'], { env, now });
      expect(r.json().models).toHaveLength(n);
      counts[n] = {};
      for (const q of r.requests) counts[n][q.operation] = (counts[n][q.operation] ?? 0) + 1;
    }
    // 9 count/average figures + 5 percentiles per model: 30 models = 270 + 150 queries, still one call each.
    expect(counts[5]).toEqual(counts[30]);
    // One listing of the namespace finds the models and the names their metrics are listed under.
    expect(counts[30]!.ListMetrics).toBe(1);
  });
});

describe('prompt-cache metrics under either spelling', () => {
  const at = (h: number) => new Date(Date.UTC(2026, 10, 20, h));
  const seedCache = (modelId: string, names: Record<string, number>): Datapoint[] => [
    { modelId, metric: 'Invocations', timestamp: at(6), value: 10 },
    { modelId, metric: 'InputTokenCount', timestamp: at(6), value: 1_000 },
    ...Object.entries(names).map(([metric, value]) => ({ modelId, metric, timestamp: at(7), value })),
  ];

  test(
    'the documented names (CacheReadInputTokenCount, ' + 'CacheWriteInputTokenCount) are counted and priced',
    async () => {
      await putMetrics(
        seedingClients(emulator().url, REGION).cw,
        seedCache(GLOBAL_SONNET, { CacheReadInputTokenCount: 1_000_000, CacheWriteInputTokenCount: 100_000 }),
      );
      const r = await cli(['report', ...WINDOW, '--json'], { env, now });
      const m = r.json().models[0];
      expect([m.cacheReadTokens, m.cacheWriteTokens]).toEqual([1_000_000, 100_000]);
      // 1k input × $3 + 1M cache read × $0.30 + 0.1M cache write × $3.75, per million.
      expect(m.costUsd).toBeCloseTo(0.003 + 0.3 + 0.375, 6);
    },
  );

  test('the old spelling (CacheReadInputTokens) that older tooling seeded is still read', async () => {
    await putMetrics(
      seedingClients(emulator().url, REGION).cw,
      seedCache(HAIKU_3, { CacheReadInputTokens: 400_000, CacheWriteInputTokens: 40_000 }),
    );
    const m = (await cli(['report', ...WINDOW, '--json'], { env, now })).json().models[0];
    expect([m.cacheReadTokens, m.cacheWriteTokens]).toEqual([400_000, 40_000]);
  });

  test('a model listed under both spellings is counted once, under the documented name', async () => {
    await putMetrics(
      seedingClients(emulator().url, REGION).cw,
      seedCache(US_SONNET, {
        CacheReadInputTokenCount: 500,
        CacheReadInputTokens: 500,
        CacheWriteInputTokenCount: 70,
        CacheWriteInputTokens: 70,
      }),
    );
    const r = await cli(['report', ...WINDOW, '--json'], { env, now });
    const m = r.json().models[0];
    expect([m.cacheReadTokens, m.cacheWriteTokens]).toEqual([500, 70]);
    expect(r.json().totals.cacheReadTokens).toBe(500);
  });
});

describe('windows older than ListMetrics can see', () => {
  test(
    'a window starting more than 14 days ago warns on stderr (and ' + 'in JSON) that idle models may be missing',
    async () => {
      await seed();
      const old = await cli(
        ['report', '--since', '2026-11-01T00:00:00Z', '--until', '2026-11-21T00:00:00Z', '--json'],
        {
          env,
          now,
        },
      );
      expect(old.code).toBe(0);
      expect(old.stderr).toContain(
        'warning: the window starts more than 14 days ago: CloudWatch lists only models with data since ' +
          '2026-11-08 03:30 UTC',
      );
      expect(old.json().warnings[0]).toMatch(/missing from this report/);
      const recent = await cli(['report', ...WINDOW, '--json'], { env, now });
      expect(recent.stderr).not.toContain('14 days');
    },
  );
});

describe('invalid report input exits 2 before any AWS request', () => {
  test.each([
    ['zero hours', ['--hours', '0'], /--hours/],
    ['negative hours', ['--hours', '-3'], /--hours/],
    ['non-numeric hours', ['--hours', 'day'], /--hours/],
    ['beyond retention', ['--hours', '20000'], /--hours/],
    [
      'since after until',
      ['--since', '2026-11-21T00:00:00Z', '--until', '2026-11-20T00:00:00Z'],
      /--since .* must be before --until/,
    ],
    ['since beyond retention', ['--since', '2024-01-01T00:00:00Z'], /455 days/],
    ['not ISO 8601', ['--since', 'yesterday'], /--since: "yesterday" is neither an ISO 8601 date-time/],
    ['zero days back', ['--since', '0d'], /--since: "0d" is no time back/],
    ['month 13', ['--since', '2026-13'], /--since: "2026-13" is not a month/],
    ['top zero', ['--top', '0'], /--top/],
    ['unknown sort field', ['--sort', 'price'], /--sort.*cost, invocations/],
    ['week from Logs Insights', ['--by', 'week', '--engine', 'insights'], /Logs Insights/],
    ['until without since', ['--until', '2026-11-20T00:00:00Z'], /--until needs --since/],
    ['hours and since', ['--hours', '3', '--since', '2026-11-20T00:00:00Z'], /cannot be combined/],
    ['unknown breakdown', ['--by', 'fortnight'], /--by/],
    ['unknown format', ['--output', 'xml'], /--output/],
  ])('%s', async (_n, args, message) => {
    const r = await cli(['report', ...args], { env, now });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.requests).toEqual([]);
  });

  test('csv is refused for commands that do not have it', async () => {
    const r = await cli(['status', '--output', 'csv'], { env, now });
    expect(r.code).toBe(2);
    expect(r.requests).toEqual([]);
  });
});
