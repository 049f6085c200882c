import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import {
  parsePriceList,
  perMillion,
  recordOf,
  type OfferCode,
  type PriceListProduct,
} from '../../../src/lib/pricing/offers.js';
import { buildModels, findModel, type RefreshedTable } from '../../../src/lib/pricing/refreshed.js';
import { refreshPrices } from '../../../src/lib/pricing/fetch-offers.js';
import { priceCachePath, readPriceCache, writePriceCache } from '../../../src/lib/pricing/cache-file.js';
import { normalizeModelId, priceFor } from '../../../src/lib/pricing/price.js';
import { fixturePages, serveFixture } from '../../support/pricing-fixture.js';
import { emptyDir } from '../../support/cli.js';

const pricing = mockClient(PricingClient);
afterEach(() => {
  pricing.reset();
});

function records(offer: OfferCode) {
  return fixturePages()[offer]!.flatMap(
    (p) =>
      parsePriceList(
        p.PriceList.map((x) => JSON.stringify(x)),
        offer,
      ).records,
  );
}

let requests: Record<string, unknown>[] = [];

async function refreshedTable(): Promise<RefreshedTable> {
  requests = serveFixture(pricing);
  return (
    await refreshPrices(new PricingClient({ region: 'us-east-1' }), 'us-east-1', new Date('2026-11-20T08:00:00Z'))
  ).table;
}

describe('Price List products → token prices (recorded GetProducts answers)', () => {
  test(
    'units: "1K tokens" ×1000, "1M tokens" ×1, "Units" by the ' + 'description; anything else is not a token price',
    () => {
      expect(perMillion('1K tokens', '', '0.0001500000')).toBe(0.15);
      expect(perMillion('1M tokens', '', '1.1000000000')).toBe(1.1);
      // Some GetProducts answers reportedly say "Units" for Marketplace SKUs (UNCONFIRMED): the description decides.
      expect(perMillion('Units', 'AWS Marketplace software usage|us-east-1|Million Input Tokens Regional', '1.1')).toBe(
        1.1,
      );
      expect(perMillion('Units', 'no scale named', '1.1')).toBeUndefined();
      expect(perMillion('1M TPM Hour', 'Per Hour per 1K Output TPM Reserved 3 Month Global', '0.27')).toBeUndefined();
      expect(perMillion('1K tokens', '', 'abc')).toBeUndefined();
    },
  );

  test('AmazonBedrock: legacy usage types and batch kept, flex/priority and bedrock-mantle skipped', () => {
    const r = records('AmazonBedrock');
    expect(r.map((x) => `${x.model} ${x.kind} ${x.routing} ${x.usdPerMillion}`).sort()).toEqual([
      'Claude 2.0 input regional 8',
      'Claude 3 Haiku input regional 0.25',
      'gpt-oss-120b batchInput regional 0.075',
      'gpt-oss-120b input regional 0.15',
      'gpt-oss-120b output regional 0.6',
    ]);
    expect(r.find((x) => x.model === 'gpt-oss-120b')).toMatchObject({
      provider: 'OpenAI',
      offer: 'AmazonBedrock',
      effectiveDate: '2026-07-01T00:00:00Z',
    });
  });

  test(
    'AmazonBedrockFoundationModels: model from servicename, camel and snake grammars, regional and global; ' +
      'batch kept, reserved skipped',
    () => {
      const r = records('AmazonBedrockFoundationModels');
      const haiku = r
        .filter((x) => x.model === 'Claude Haiku 4.5')
        .map((x) => `${x.kind} ${x.routing} ${x.usdPerMillion}`)
        .sort();
      expect(haiku).toEqual([
        'batchOutput regional 2.75',
        'cacheRead global 0.1',
        'cacheRead regional 0.11',
        'cacheWrite global 1.25',
        'cacheWrite regional 1.375',
        'cacheWrite1h global 2',
        'cacheWrite1h regional 2.2',
        'input global 1',
        'input regional 1.1',
        'output global 5',
        'output regional 5.5',
      ]);
      const opus = r
        .filter((x) => x.model === 'Claude Opus 5')
        .map((x) => `${x.kind} ${x.routing} ${x.usdPerMillion}`)
        .sort();
      expect(opus).toEqual([
        'cacheRead global 0.5',
        'cacheRead regional 0.55',
        'cacheWrite global 6.25',
        'cacheWrite regional 6.875',
        'cacheWrite1h global 10',
        'cacheWrite1h regional 11',
        'input global 5',
        'input regional 5.5',
        'output global 25',
        'output regional 27.5',
      ]);
    },
  );

  test('AmazonBedrockService: cross-region-global SKUs are global; long-context and batch skipped', () => {
    expect(
      records('AmazonBedrockService')
        .map((x) => `${x.model} ${x.kind} ${x.routing} ${x.usdPerMillion}`)
        .sort(),
    ).toEqual([
      'Claude Sonnet 4 cacheRead global 0.3',
      'Claude Sonnet 4 cacheWrite global 3.75',
      'Claude Sonnet 4 input global 3',
      'Claude Sonnet 4 output global 15',
    ]);
  });

  test('a malformed element is counted, not fatal; an unknown offer is ignored', () => {
    const parsed = parsePriceList(
      ['{not json', JSON.stringify({ serviceCode: 'AmazonEC2', product: { attributes: { usagetype: 'x' } } })],
      'AmazonBedrock',
    );
    expect(parsed).toMatchObject({ products: 2, malformed: 1 });
    expect(recordOf({ serviceCode: 'AmazonEC2' } satisfies PriceListProduct)).toBeUndefined();
  });

  test(
    'merged table: offers agree on Claude Sonnet 4; input-only legacy models and mantle-only models are not ' +
      'priced',
    () => {
      const all = (['AmazonBedrockFoundationModels', 'AmazonBedrockService', 'AmazonBedrock'] as const).flatMap(
        records,
      );
      const built = buildModels(all);
      expect(built.conflicts).toEqual([]);
      expect(built.incomplete).toEqual(['Claude 2.0', 'Claude 3 Haiku']);
      expect(built.models.map((m) => m.name)).toEqual([
        'Claude Haiku 4.5',
        'Claude Opus 5',
        'Claude Sonnet 4',
        'gpt-oss-120b',
      ]);
      expect(built.models.find((m) => m.name === 'Claude Sonnet 4')).toEqual({
        name: 'Claude Sonnet 4',
        provider: 'Anthropic',
        offers: ['AmazonBedrockFoundationModels', 'AmazonBedrockService'],
        regional: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
        global: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
        effective: '2026-07-01',
      });
      expect(built.models.find((m) => m.name === 'gpt-oss-120b')).toEqual({
        name: 'gpt-oss-120b',
        provider: 'OpenAI',
        offers: ['AmazonBedrock'],
        regional: { input: 0.15, output: 0.6, batchInput: 0.075 },
        effective: '2026-07-01',
      });
    },
  );

  test('two offers that disagree: the Marketplace offer wins and the conflict is reported', () => {
    const base = records('AmazonBedrockService').find((x) => x.kind === 'input')!;
    const built = buildModels([
      { ...base, usdPerMillion: 9 },
      { ...base, offer: 'AmazonBedrockFoundationModels', usdPerMillion: 3 },
      { ...base, kind: 'output', usdPerMillion: 15 },
    ]);
    expect(built.models[0]!.global!.input).toBe(3);
    expect(built.conflicts).toEqual([
      'Claude Sonnet 4 input (global): AmazonBedrockService 9, AmazonBedrockFoundationModels 3',
    ]);
  });
});

describe('refresh: every page of every offer, one table', () => {
  test('GetProducts per offer with the regionCode filter, following NextToken', async () => {
    const table = await refreshedTable();
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(4);
    const calls = requests as { ServiceCode: string; NextToken?: string; Filters: unknown; MaxResults: number }[];
    expect(calls.map((c) => `${c.ServiceCode} ${c.NextToken ?? '-'}`)).toEqual([
      'AmazonBedrockFoundationModels -',
      'AmazonBedrockService -',
      'AmazonBedrock -',
      'AmazonBedrock page-2',
    ]);
    for (const c of calls) {
      expect(c.Filters).toEqual([{ Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' }]);
      expect(c.MaxResults).toBe(100);
    }
    expect(table.offers).toEqual([
      { serviceCode: 'AmazonBedrockFoundationModels', products: 31, publicationDate: '2026-07-28T13:34:34Z' },
      { serviceCode: 'AmazonBedrockService', products: 6, publicationDate: '2026-07-29T23:58:47Z' },
      { serviceCode: 'AmazonBedrock', products: 12, publicationDate: '2025-06-18T22:55:50Z' },
    ]);
    expect(table).toMatchObject({
      region: 'us-east-1',
      fetchedAt: '2026-11-20T08:00:00.000Z',
      unit: 'per million tokens',
    });
  });
});

describe('which price a model ID gets: config > refreshed Price List > bundled table', () => {
  test('a non-Anthropic model the bundled table lacks is priced from the refreshed table', async () => {
    const table = await refreshedTable();
    const id = 'openai.gpt-oss-120b-1:0';
    expect(normalizeModelId(id).family).toBe('openai.gpt-oss-120b');
    expect(priceFor(id)).toBeUndefined();
    expect(priceFor(id, {}, table)).toEqual({
      input: 0.15,
      output: 0.6,
      cacheRead: 0,
      cacheWrite: 0,
      cacheWrite1h: undefined,
      batchInput: 0.075,
      effective: '2026-07-01',
      source: 'price-list',
      name: 'gpt-oss-120b',
      premium: 0,
      // The Price List states no cache rates for it: priced at 0, and said so (a report with such tokens warns).
      noRate: ['cacheRead', 'cacheWrite'],
    });
  });

  test('routing: global. IDs take global SKUs; in-Region and geographic IDs the regional ones', async () => {
    const table = await refreshedTable();
    expect(priceFor('global.anthropic.claude-haiku-4-5-20251001-v1:0', {}, table)).toMatchObject({
      input: 1,
      output: 5,
      cacheRead: 0.1,
      cacheWrite: 1.25,
      source: 'price-list',
    });
    expect(priceFor('us.anthropic.claude-haiku-4-5-20251001-v1:0', {}, table)).toMatchObject({
      input: 1.1,
      output: 5.5,
      cacheRead: 0.11,
      cacheWrite: 1.375,
      source: 'price-list',
    });
    // The Price List has no global SKU for gpt-oss-120b: a global. ID is not priced from it.
    expect(findModel(table, 'openai.gpt-oss-120b')?.global).toBeUndefined();
    expect(priceFor('global.openai.gpt-oss-120b-1:0', {}, table)).toBeUndefined();
  });

  test('the bundled table fills what the refreshed one lacks; config overrides win over both', async () => {
    const table = await refreshedTable();
    expect(priceFor('anthropic.claude-3-haiku-20240307-v1:0', {}, table)).toMatchObject({
      source: 'table',
      input: 0.25,
      output: 1.25,
    });
    const override = { 'openai.gpt-oss-120b': { input: 1, output: 2, cacheRead: 0, cacheWrite: 0 } };
    expect(priceFor('openai.gpt-oss-120b-1:0', override, table)).toMatchObject({
      source: 'config',
      input: 1,
      output: 2,
    });
  });

  test('names compare by letters and digits, with or without the provider; an ambiguous name prices nothing', () => {
    const t = {
      models: [
        { name: 'Nova 2.0 Lite', provider: 'Amazon', offers: ['AmazonBedrock'], regional: { input: 1, output: 2 } },
      ],
    } as unknown as RefreshedTable;
    expect(findModel(t, normalizeModelId('amazon.nova-2-lite-v1:0').family!)?.name).toBe('Nova 2.0 Lite');
    expect(findModel(t, 'meta.nova-2-lite')).toBeUndefined(); // provider disagrees
    const twice = { models: [...t.models, { ...t.models[0], name: 'Nova 2 Lite' }] } as unknown as RefreshedTable;
    expect(findModel(twice, 'amazon.nova-2-lite')).toBeUndefined();
  });
});

describe('the cache file', () => {
  test('under $XDG_CACHE_HOME/bedrock-monitor, else ~/.cache/bedrock-monitor; none without either', () => {
    expect(priceCachePath({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/a' }, 'eu-west-1')).toBe(
      '/x/cache/bedrock-monitor/prices-eu-west-1.json',
    );
    expect(priceCachePath({ HOME: '/home/a' }, 'eu-west-1')).toBe(
      '/home/a/.cache/bedrock-monitor/prices-eu-west-1.json',
    );
    expect(priceCachePath({ XDG_CACHE_HOME: 'relative', HOME: '/home/a' }, 'eu-west-1')).toBe(
      '/home/a/.cache/bedrock-monitor/prices-eu-west-1.json',
    );
    expect(priceCachePath({}, 'eu-west-1')).toBeUndefined();
  });

  test("round trip; a damaged file or another Region's table is reported, never used", async () => {
    const env = { XDG_CACHE_HOME: emptyDir() };
    const path = priceCachePath(env, 'us-east-1')!;
    expect(readPriceCache(env, 'us-east-1').status).toBe('absent');
    const table = await refreshedTable();
    writePriceCache(path, table);
    const read = readPriceCache(env, 'us-east-1');
    expect(read).toEqual({ status: 'ok', table, path });
    writeFileSync(path, readFileSync(path, 'utf8').replace('"input": 0.15', '"input": -1'));
    expect(readPriceCache(env, 'us-east-1')).toMatchObject({ status: 'invalid' });
    writeFileSync(path, '{');
    expect(readPriceCache(env, 'us-east-1')).toMatchObject({
      status: 'invalid',
      problem: expect.stringContaining('not valid JSON'),
    });
    const other = priceCachePath(env, 'eu-west-1')!;
    mkdirSync(join(other, '..'), { recursive: true });
    writeFileSync(other, JSON.stringify(table));
    expect(readPriceCache(env, 'eu-west-1')).toMatchObject({
      status: 'invalid',
      problem: 'it holds prices for us-east-1, not eu-west-1',
    });
  });
});
