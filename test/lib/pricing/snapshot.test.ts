import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Aggregate, GroupFigures } from '../../../src/lib/logs/aggregate.js';
import { parseDims } from '../../../src/lib/logs/dims.js';
import { OFFER_CODES, parsePriceList } from '../../../src/lib/pricing/offers.js';
import { costUsd, priceFor } from '../../../src/lib/pricing/price.js';
import { buildModels, ratesOn, type RefreshedTable } from '../../../src/lib/pricing/refreshed.js';
import { billedOtherwise, noRateReason, priceSnapshot, snapshotTable } from '../../../src/lib/pricing/snapshot.js';
import { bundledPriceTable } from '../../../src/lib/pricing/table.js';
import { computeLogsReport } from '../../../src/lib/report/logs-compute.js';

/**
 * The bundled Price List snapshot: built by the parser `prices refresh` uses (so the two never disagree), every
 * on-demand token model of the corpus priced, each cost the public rate × tokens to the cent, history by day.
 */

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'src', 'lib', 'pricing', 'snapshot');
const table = snapshotTable('us-east-1')!;

/** A Region's figures as transcribed (us-east-1's beside the model, the others' under `regions`). */
interface Figures {
  source: string;
  effectiveDate: string;
  regional?: Record<string, string>;
  global?: Record<string, string>;
  notBuilt?: string;
}
interface SourceRow extends Figures {
  model: string;
  provider: string;
  unit: '1K tokens' | '1M tokens';
  regions?: Record<string, Figures>;
}
const ROWS = JSON.parse(readFileSync(join(DIR, 'source-rows.json'), 'utf8')) as {
  regions: string[];
  models: SourceRow[];
};
/**
 * Region short codes as AWS writes them in usage types, from "AWS Region billing codes",
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html.
 */
const BILLING_CODE: Record<string, string> = {
  'us-east-1': 'USE1',
  'us-west-2': 'USW2',
  'ca-central-1': 'CAN1',
  'sa-east-1': 'SAE1',
  'eu-west-2': 'EUW2',
  'eu-west-3': 'EUW3',
  'eu-central-1': 'EUC1',
  'ap-northeast-1': 'APN1',
  'ap-southeast-1': 'APS1',
  'ap-southeast-2': 'APS2',
  'ap-south-1': 'APS3',
};
const rowOf = (name: string): SourceRow => ROWS.models.find((m) => m.model === name)!;

describe('the bundled snapshot is what the Price List parser makes of its products', () => {
  test('a table for every Region of the source rows: us-east-1 and the Regions the AWS page mirror lists', () => {
    expect(priceSnapshot().tables.map((t) => t.region)).toEqual(ROWS.regions);
    expect(ROWS.regions).toEqual(expect.arrayContaining(['us-east-1', 'us-west-2', 'eu-central-1', 'ap-south-1']));
  });

  test.each(ROWS.regions)('offers-%s.json parsed and built as `prices refresh` does gives its table', (region) => {
    const products = JSON.parse(readFileSync(join(DIR, `offers-${region}.json`), 'utf8')) as {
      serviceCode: string;
      product: { attributes: { regionCode: string; usagetype: string } };
    }[];
    expect(products.length).toBeGreaterThan(0);
    const records = OFFER_CODES.flatMap(
      (code) =>
        parsePriceList(
          products.filter((p) => p.serviceCode === code).map((p) => JSON.stringify(p)),
          code,
        ).records,
    );
    expect(records).toHaveLength(products.length);
    const built = buildModels(records);
    expect(built.incomplete).toEqual([]);
    expect(built.conflicts).toEqual([]);
    expect(built.models).toEqual(snapshotTable(region)!.models);
    expect(snapshotTable(region)!.source).toBe('bundled Price List snapshot');
    // Every product is the Region's, with the Region's billing prefix (us-east-1 → USE1-, eu-central-1 → EUC1-).
    const prefixes = new Set(products.map((p) => p.product.attributes.usagetype.split('-')[0]));
    expect([...prefixes]).toEqual([BILLING_CODE[region]]);
    expect(new Set(products.map((p) => p.product.attributes.regionCode))).toEqual(new Set([region]));
    expect(priceSnapshot().date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test('every figure has a sources entry; SOURCES.md names each source id', () => {
    const sources = readFileSync(join(DIR, 'SOURCES.md'), 'utf8');
    const ids = ROWS.models.flatMap((m) => [m.source, ...Object.values(m.regions ?? {}).map((r) => r.source)]);
    for (const id of new Set(ids)) expect(sources).toContain(`\`${id}\``);
  });

  test('routing as AWS sells it: Claude 3 regional only; Sonnet 4.5 global and regional, with 1-hour writes', () => {
    const byName = (n: string) => table.models.find((m) => m.name === n)!;
    for (const n of ['Claude 3 Haiku', 'Claude 3 Opus', 'Claude 3.5 Sonnet', 'Claude 3.7 Sonnet'])
      expect(byName(n).global).toBeUndefined();
    expect(byName('Claude Sonnet 4.5').global).toMatchObject({ input: 3, cacheWrite: 3.75, cacheWrite1h: 6 });
    expect(byName('Claude Sonnet 4.5').regional).toMatchObject({ input: 3.3, cacheWrite1h: 6.6 });
    expect(byName('Nova Pro').regional).toMatchObject({ batchInput: 0.4, batchOutput: 1.6 });
  });

  test('image, video and provisioned models are named as billed otherwise, never priced by tokens', () => {
    expect(billedOtherwise('amazon.nova-canvas-v1:0')).toMatchObject({ billing: 'per image' });
    expect(billedOtherwise('amazon.nova-reel-v1:1')).toMatchObject({ billing: 'per second of video' });
    expect(billedOtherwise('stability.sd3-5-large-v1:0')).toMatchObject({ billing: 'per image' });
    expect(billedOtherwise('arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123')).toMatchObject({
      billing: 'per model unit per hour',
    });
    expect(billedOtherwise('amazon.nova-pro-v1:0')).toBeUndefined();
    expect(priceFor('amazon.nova-canvas-v1:0', {}, table)).toBeUndefined();
  });
});

function emptyAggregate(): Aggregate {
  return {
    groups: [],
    targets: [],
    latency: [],
    totalLatency: { count: 0, p50: null, p90: null, p99: null },
    skipped: { malformedLines: 0, objects: 0, unreadableFiles: [], outsideTargets: { files: 0, records: 0, by: [] } },
    source: { kind: 'logs', engine: 'local', location: '/corpus', bodyUsageFields: true, exactPercentiles: true },
    warnings: [],
  };
}

/**
 * Public on-demand rates, us-east-1, USD per 1,000 tokens as https://aws.amazon.com/bedrock/pricing/ states them
 * (transcribed in SOURCES.md), written here independently of the snapshot.
 */
const PUBLIC_PER_1K: Record<string, { input: number; output: number; cacheRead?: number; cacheWrite?: number }> = {
  'amazon.nova-pro-v1:0': { input: 0.0008, output: 0.0032, cacheRead: 0.0002 },
  'us.amazon.nova-lite-v1:0': { input: 0.00006, output: 0.00024, cacheRead: 0.000015 },
  'amazon.nova-micro-v1:0': { input: 0.000035, output: 0.00014 },
  'meta.llama3-1-70b-instruct-v1:0': { input: 0.00072, output: 0.00072 },
  'us.meta.llama3-3-70b-instruct-v1:0': { input: 0.00072, output: 0.00072 },
  'meta.llama3-8b-instruct-v1:0': { input: 0.0003, output: 0.0006 },
  'mistral.mistral-large-2402-v1:0': { input: 0.004, output: 0.012 },
  'mistral.mixtral-8x7b-instruct-v0:1': { input: 0.00045, output: 0.0007 },
  'mistral.mistral-7b-instruct-v0:2': { input: 0.00015, output: 0.0002 },
  'global.anthropic.claude-sonnet-4-5-20250929-v1:0': {
    input: 0.003,
    output: 0.015,
    cacheRead: 0.0003,
    cacheWrite: 0.00375,
  },
  'us.anthropic.claude-sonnet-4-5-20250929-v1:0': {
    input: 0.0033,
    output: 0.0165,
    cacheRead: 0.00033,
    cacheWrite: 0.004125,
  },
  'anthropic.claude-3-haiku-20240307-v1:0': { input: 0.00025, output: 0.00125 },
  'us.anthropic.claude-3-5-haiku-20241022-v1:0': {
    input: 0.0008,
    output: 0.004,
    cacheRead: 0.00008,
    cacheWrite: 0.001,
  },
};

function group(model: string, i: number): GroupFigures {
  const r = PUBLIC_PER_1K[model]!;
  return {
    keys: [model],
    model,
    invocations: 100 + i,
    inputTokens: 1_234_567 + 1000 * i,
    outputTokens: 345_678 + 333 * i,
    cacheReadTokens: r.cacheRead ? 2_000_000 + i : 0,
    cacheWriteTokens: r.cacheWrite ? 400_000 + i : 0,
    cacheWrite1hTokens: 0,
    errors: 0,
  };
}

describe('done when: a logs report over Nova, Llama, Mistral and Claude calls prices every model', () => {
  const groups = Object.keys(PUBLIC_PER_1K).map(group);
  const aggregate: Aggregate = { ...emptyAggregate(), groups };
  const report = computeLogsReport({
    aggregate,
    dims: parseDims('model'),
    window: { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-21T00:00:00Z') } as never,
    region: 'us-east-1',
    overrides: {},
    pricedAs: new Map(),
    metrics: null,
    priceTable: { source: priceSnapshot().sources, date: priceSnapshot().date, table: 'snapshot' },
    refreshed: table,
  });

  test('no unpriced model, no unpriced row', () => {
    expect(report.totals.unpricedModels).toEqual([]);
    expect(report.rows.every((r) => r.priced)).toBe(true);
    expect(report.warnings.filter((w) => /unpriced|not in the price table/.test(w))).toEqual([]);
  });

  test.each(Object.keys(PUBLIC_PER_1K))('%s costs the public rate × tokens, to the cent', (model) => {
    const g = groups.find((x) => x.model === model)!;
    const r = PUBLIC_PER_1K[model]!;
    const expected =
      (g.inputTokens * r.input +
        g.outputTokens * r.output +
        g.cacheReadTokens * (r.cacheRead ?? 0) +
        g.cacheWriteTokens * (r.cacheWrite ?? 0)) /
      1000;
    const row = report.rows.find((x) => x.model === model)!;
    expect(Math.round(row.costUsd! * 100)).toBe(Math.round(expected * 100));
  });
});

describe('price history: each record at the rate in force on its day', () => {
  const product = (usd: string, effective: string, kind: 'input-tokens' | 'output-tokens') =>
    JSON.stringify({
      serviceCode: 'AmazonBedrock',
      product: { attributes: { usagetype: `USE1-NovaPro-${kind}`, model: 'Nova Pro', provider: 'Amazon' } },
      terms: {
        OnDemand: {
          [`${effective}.T`]: {
            effectiveDate: `${effective}T00:00:00Z`,
            priceDimensions: { d: { unit: '1K tokens', pricePerUnit: { USD: usd } } },
          },
        },
      },
    });
  const built = buildModels(
    parsePriceList(
      [
        product('0.0010', '2026-01-01', 'input-tokens'),
        product('0.0040', '2026-01-01', 'output-tokens'),
        product('0.0008', '2026-06-01', 'input-tokens'),
      ],
      'AmazonBedrock',
    ).records,
  );
  const t: RefreshedTable = { ...table, models: built.models };

  test('the newest price is current; the older one is kept with the day it stopped applying', () => {
    expect(built.conflicts).toEqual([]);
    expect(built.models[0]).toMatchObject({
      regional: { input: 0.8, output: 4 },
      effective: '2026-06-01',
      history: [{ from: '2026-01-01', until: '2026-06-01', regional: { input: 1, output: 4 } }],
    });
    expect(ratesOn(built.models[0]!, 'regional', '2026-05-31')).toEqual({ input: 1, output: 4 });
    expect(ratesOn(built.models[0]!, 'regional', '2026-06-01')).toEqual({ input: 0.8, output: 4 });
  });

  test('priceFor with a day: before the change the old rate, from it the new one', () => {
    const tokens = { inputTokens: 1_000_000, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
    expect(costUsd(tokens, priceFor('amazon.nova-pro-v1:0', {}, t, '2026-05-31')!)).toBe(1);
    expect(costUsd(tokens, priceFor('amazon.nova-pro-v1:0', {}, t, '2026-06-01')!)).toBe(0.8);
    expect(priceFor('amazon.nova-pro-v1:0', {}, t)).toMatchObject({ input: 0.8, effective: '2026-06-01' });
  });

  test('a logs report by day prices each day at its own rate', () => {
    const g = (day: string): GroupFigures => ({
      keys: [day],
      model: 'amazon.nova-pro-v1:0',
      invocations: 1,
      inputTokens: 1_000_000,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      errors: 0,
    });
    const rep = computeLogsReport({
      aggregate: {
        groups: [g('2026-05-31'), g('2026-06-01')],
        targets: [],
        latency: [],
        totalLatency: { count: 0, p50: null, p90: null, p99: null },
        skipped: {
          malformedLines: 0,
          objects: 0,
          unreadableFiles: [],
          outsideTargets: { files: 0, records: 0, by: [] },
        },
        source: { kind: 'logs', engine: 'local', location: '/corpus', bodyUsageFields: true, exactPercentiles: true },
        warnings: [],
      },
      dims: parseDims('day'),
      window: { start: new Date('2026-05-31T00:00:00Z'), end: new Date('2026-06-02T00:00:00Z') } as never,
      region: 'us-east-1',
      overrides: {},
      pricedAs: new Map(),
      metrics: null,
      priceTable: { source: 's', date: '2026-06-01', table: 'refreshed' },
      refreshed: t,
    });
    expect(rep.rows.map((r) => [r.day, r.costUsd])).toEqual([
      ['2026-05-31', 1],
      ['2026-06-01', 0.8],
    ]);
  });
});

describe('Regions the snapshot does not cover', () => {
  const sonnet = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
  test('eu-west-1 (Ireland: not in the mirror) has no snapshot table', () => {
    expect(priceSnapshot().tables.map((t) => t.region)).not.toContain('eu-west-1');
    expect(snapshotTable('eu-west-1')).toBeUndefined();
  });

  test("without the bundled fallback a model is unpriced there, with the reason; never another Region's rate", () => {
    // What report still does for such a Region: the bundled Claude list prices (us-east-1's), Nova unpriced.
    expect(priceFor(sonnet, {}, undefined)?.source).toBe('table');
    expect(priceFor('amazon.nova-pro-v1:0', {}, undefined)).toBeUndefined();
    // What bill does: nothing but the config file's overrides.
    expect(priceFor(sonnet, {}, undefined, '2026-11-12', false)).toBeUndefined();
    const override = { input: 1, output: 2, cacheRead: 0, cacheWrite: 0 };
    expect(priceFor(sonnet, { [sonnet]: override }, undefined, undefined, false)?.source).toBe('config');
    expect(noRateReason(['eu-west-1', 'me-south-1'])).toBe(
      `no rate for eu-west-1, me-south-1 in the snapshot of ${priceSnapshot().date}; run ` +
        '`bedrock-monitor prices refresh --region eu-west-1`, `bedrock-monitor prices refresh --region me-south-1`',
    );
  });
});

describe('each Region of the snapshot holds what the sources state for it, and nothing else', () => {
  test("a model the mirror does not list in a Region is absent there (never us-east-1's rate)", () => {
    const frankfurt = snapshotTable('eu-central-1')!;
    expect(frankfurt.models.map((m) => m.name).sort()).toEqual(
      ROWS.models
        .filter((m) => m.regions?.['eu-central-1'] && !m.regions['eu-central-1'].notBuilt)
        .map((m) => m.model)
        .sort(),
    );
    expect(priceFor('amazon.nova-pro-v1:0', {}, frankfurt, undefined, false)).toBeUndefined();
    expect(priceFor('anthropic.claude-3-haiku-20240307-v1:0', {}, frankfurt)).toMatchObject({
      input: 0.25,
      output: 1.25,
      source: 'price-list',
    });
  });

  test('routings, cache and batch rates only where stated for the Region', () => {
    const oregon = snapshotTable('us-west-2')!;
    const byName = (n: string) => oregon.models.find((m) => m.name === n)!;
    // Claude 4.5 and later: the documented global/regional rule (the mirror lists Sonnet 4.5 at the regional rate).
    expect(rowOf('Claude Sonnet 4.5').regions!['us-west-2']).toMatchObject({ listed: '3.3/16.5' });
    expect(byName('Claude Sonnet 4.5').global).toMatchObject({ input: 3, cacheWrite1h: 6 });
    expect(byName('Claude Sonnet 4.5').regional).toMatchObject({ input: 3.3, cacheWrite1h: 6.6 });
    // Others: input and output only (the mirror states no cache, batch or global rate outside us-east-1).
    expect(byName('Nova Pro').regional).toEqual({ input: 0.8, output: 3.2 });
    expect(byName('Claude 3 Haiku').global).toBeUndefined();
  });

  test('a Claude model kept out of a Region (no cache rates stated there) costs the same in the bundled table', () => {
    const kept = ROWS.models
      .filter((m) => m.provider === 'Anthropic')
      .flatMap((m) =>
        Object.entries(m.regions ?? {})
          .filter(([, r]) => r.notBuilt)
          .map(([region, r]) => ({ model: m.model, region, r })),
      );
    expect(kept.length).toBeGreaterThan(0);
    for (const { model, region, r } of kept) {
      expect(snapshotTable(region)!.models.find((m) => m.name === model)).toBeUndefined();
      const bundled = bundledPriceTable().models.find((b) => b.name === model);
      expect([model, region, bundled?.input, bundled?.output]).toEqual([
        model,
        region,
        Number(r.regional!.input),
        Number(r.regional!.output),
      ]);
    }
  });

  test('a figure the mirror gives at a launch price older than the dated page is kept out: unpriced there', () => {
    const oregon = snapshotTable('us-west-2')!;
    for (const model of ['Llama 3.1 70B', 'Llama 3.1 405B', 'Llama 3.2 11B', 'Llama 3.2 90B']) {
      const r = rowOf(model).regions!['us-west-2']!;
      expect([model, r.notBuilt]).toEqual([model, expect.stringMatching(/launch price/)]);
      expect(Number(r.regional!.input)).toBeGreaterThan(Number(rowOf(model).regional!.input));
      expect(oregon.models.find((m) => m.name === model)).toBeUndefined();
    }
    expect(priceFor('meta.llama3-1-405b-instruct-v1:0', {}, oregon)).toBeUndefined();
    expect(priceFor('meta.llama3-1-8b-instruct-v1:0', {}, oregon)).toMatchObject({ input: 0.22, output: 0.22 });
  });
});

describe('done when: a logs report over records in two snapshot Regions prices each at its own Region', () => {
  /** Model ID → the source row's name; each priced in us-west-2 and ap-south-1 from the mirror's figures. */
  const MODELS: Record<string, string> = {
    'amazon.nova-pro-v1:0': 'Nova Pro',
    'amazon.nova-lite-v1:0': 'Nova Lite',
    'meta.llama3-70b-instruct-v1:0': 'Llama 3 70B',
    'mistral.mixtral-8x7b-instruct-v0:1': 'Mixtral 8x7B',
    'openai.gpt-oss-120b-1:0': 'gpt-oss-120b',
    'anthropic.claude-3-haiku-20240307-v1:0': 'Claude 3 Haiku',
  };
  const REGIONS = ['us-west-2', 'ap-south-1'];
  const groups: GroupFigures[] = REGIONS.flatMap((region, r) =>
    Object.keys(MODELS).map((model, i) => ({
      keys: [region, model],
      model,
      region,
      invocations: 10 + i,
      inputTokens: 2_345_678 + 1000 * i + 7 * r,
      outputTokens: 456_789 + 333 * i + 11 * r,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      cacheWrite1hTokens: 0,
      errors: 0,
    })),
  );
  const regionPrices = new Map(
    REGIONS.map((region) => [
      region,
      {
        info: { source: priceSnapshot().sources, date: priceSnapshot().date, table: 'snapshot' as const },
        refreshed: snapshotTable(region)!,
      },
    ]),
  );
  const report = computeLogsReport({
    aggregate: { ...emptyAggregate(), groups },
    dims: parseDims('region,model'),
    window: { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-21T00:00:00Z') } as never,
    region: 'us-east-1',
    overrides: {},
    pricedAs: new Map(),
    metrics: null,
    priceTable: { source: priceSnapshot().sources, date: priceSnapshot().date, table: 'snapshot' },
    refreshed: table,
    regionPrices,
  });

  test('no unpriced model in either Region', () => {
    expect(report.totals.unpricedModels).toEqual([]);
    expect(report.rows.every((r) => r.priced)).toBe(true);
  });

  test.each(REGIONS.flatMap((region) => Object.keys(MODELS).map((model) => [region, model])))(
    "%s: %s costs that Region's transcribed rate × tokens, to the cent",
    (region, model) => {
      const row = rowOf(MODELS[model]!);
      const rates = row.regions![region]!.regional!;
      const per = row.unit === '1K tokens' ? 1000 : 1_000_000;
      const g = groups.find((x) => x.region === region && x.model === model)!;
      const expected = (g.inputTokens * Number(rates.input) + g.outputTokens * Number(rates.output)) / per;
      const got = report.rows.find((x) => x.region === region && x.model === model)!;
      expect(Math.round(got.costUsd! * 100)).toBe(Math.round(expected * 100));
    },
  );

  test('the Regions differ where the page says so (Nova Pro: 0.80 in Oregon, 0.94 in Mumbai per million input)', () => {
    expect(rowOf('Nova Pro').regions!['us-west-2']!.regional!.input).toBe('0.0008');
    expect(rowOf('Nova Pro').regions!['ap-south-1']!.regional!.input).toBe('0.00094');
    const cost = (region: string) =>
      report.rows.find((x) => x.region === region && x.model === 'amazon.nova-pro-v1:0')!;
    expect(cost('ap-south-1').costUsd).toBeGreaterThan(cost('us-west-2').costUsd!);
  });
});
