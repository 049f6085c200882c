#!/usr/bin/env node
// node scripts/build-price-snapshot.mjs (after npm run build): the bundled price snapshot.
//
// Reads src/lib/pricing/snapshot/source-rows.json (prices transcribed from the public pages listed in
// SOURCES.md), writes each price as an AWS Price List GetProducts product (the documented product shape and
// the usage-type grammar AWS uses) to offers-<region>.json, then parses those products with the very code
// `prices refresh` runs (parsePriceList, buildModels from dist/lib/pricing) into snapshot.json.
// The products are RECONSTRUCTED from the pages, not downloaded from the Price List API (no network here):
// SKUs and rate codes are derived from the usage type, and say so.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parsePriceList } from '../dist/lib/pricing/offers.js';
import { buildModels } from '../dist/lib/pricing/refreshed.js';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'lib', 'pricing', 'snapshot');
const rows = JSON.parse(readFileSync(join(DIR, 'source-rows.json'), 'utf8'));

/**
 * Usage-type prefixes as AWS writes them (Region code → billing short code), from "AWS Region billing codes",
 * https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-region-billing-codes.html (eu-west-1 is
 * plain "EU"), and `location` as the Price List names the Region.
 */
const PREFIX = {
  'us-east-1': 'USE1',
  'us-east-2': 'USE2',
  'us-west-2': 'USW2',
  'ca-central-1': 'CAN1',
  'sa-east-1': 'SAE1',
  'eu-west-1': 'EU',
  'eu-west-2': 'EUW2',
  'eu-west-3': 'EUW3',
  'eu-central-1': 'EUC1',
  'ap-northeast-1': 'APN1',
  'ap-southeast-1': 'APS1',
  'ap-southeast-2': 'APS2',
  'ap-south-1': 'APS3',
};
const LOCATION = {
  'us-east-1': 'US East (N. Virginia)',
  'us-east-2': 'US East (Ohio)',
  'us-west-2': 'US West (Oregon)',
  'ca-central-1': 'Canada (Central)',
  'sa-east-1': 'South America (Sao Paulo)',
  'eu-west-2': 'EU (London)',
  'eu-west-3': 'EU (Paris)',
  'eu-central-1': 'EU (Frankfurt)',
  'ap-northeast-1': 'Asia Pacific (Tokyo)',
  'ap-southeast-1': 'Asia Pacific (Singapore)',
  'ap-southeast-2': 'Asia Pacific (Sydney)',
  'ap-south-1': 'Asia Pacific (Mumbai)',
};

const BEDROCK_SUFFIX = {
  input: 'input-tokens',
  output: 'output-tokens',
  cacheRead: 'cache-read-input-token-count',
  cacheWrite: 'cache-write-input-token-count',
  batchInput: 'input-tokens-batch',
  batchOutput: 'output-tokens-batch',
};
const FM_BODY = {
  input: 'InputTokenCount',
  output: 'OutputTokenCount',
  cacheRead: 'CacheReadInputTokenCount',
  cacheWrite: 'CacheWriteInputTokenCount',
  cacheWrite1h: 'CacheWrite1hInputTokenCount',
  batchInput: 'InputTokenCount_Batch',
  batchOutput: 'OutputTokenCount_Batch',
};

function usagetype(row, region, kind, routing) {
  const p = PREFIX[region];
  if (!p) throw new Error(`${region}: no usage-type prefix`);
  if (row.offer === 'AmazonBedrockFoundationModels') {
    const body = FM_BODY[kind];
    if (!body) throw new Error(`${row.model}: no Marketplace usage type for ${kind}`);
    return `${p}-MP:${p}_${body}${routing === 'global' ? '_Global' : ''}-Units`;
  }
  const suffix = BEDROCK_SUFFIX[kind];
  if (!suffix) throw new Error(`${row.model}: no AmazonBedrock usage type for ${kind}`);
  return `${p}-${row.code}-${suffix}${routing === 'global' ? '-cross-region-global' : ''}`;
}

const sku = (s) => createHash('sha256').update(s).digest('hex').slice(0, 16).toUpperCase();

function product(row, region, kind, routing, usd) {
  const ut = usagetype(row, region, kind, routing);
  const id = sku(`${row.offer}|${region}|${ut}|${row.model}`);
  const fm = row.offer === 'AmazonBedrockFoundationModels';
  const per = row.unit === '1K tokens' ? '1K' : 'million';
  return {
    product: {
      productFamily: fm ? 'Bedrock Foundation Models' : 'Amazon Bedrock',
      sku: id,
      attributes: {
        servicecode: row.offer,
        servicename: fm ? `${row.model} (Amazon Bedrock Edition)` : 'Amazon Bedrock',
        location: LOCATION[region] ?? region,
        locationType: 'AWS Region',
        regionCode: region,
        usagetype: ut,
        ...(fm ? {} : { model: row.model, provider: row.provider }),
      },
    },
    serviceCode: row.offer,
    terms: {
      OnDemand: {
        [`${id}.JRTCKXETXF`]: {
          sku: id,
          offerTermCode: 'JRTCKXETXF',
          effectiveDate: `${row.effectiveDate}T00:00:00Z`,
          priceDimensions: {
            [`${id}.JRTCKXETXF.6YS6EN2CT7`]: {
              rateCode: `${id}.JRTCKXETXF.6YS6EN2CT7`,
              unit: row.unit,
              description: `$${usd} per ${per} ${kind} tokens (${routing}) for ${row.model} in ${region}`,
              beginRange: '0',
              endRange: 'Inf',
              pricePerUnit: { USD: usd },
            },
          },
        },
      },
    },
    version: `snapshot-${row.effectiveDate}`,
    publicationDate: `${row.effectiveDate}T00:00:00Z`,
  };
}

/**
 * A model's figures in a Region: us-east-1's beside the model, another Region's under `regions` (each with its own
 * source and date); undefined when the sources list no price there (the model stays absent) or when the entry is
 * kept for the record only (`notBuilt`: a Claude model whose cache rates no source states for that Region).
 */
function figures(row, region) {
  if (region === 'us-east-1') return row;
  const r = row.regions?.[region];
  // Never us-east-1's rates: only the routings the Region's entry states.
  return r && !r.notBuilt ? { ...row, regional: undefined, global: undefined, ...r } : undefined;
}

const date = rows.models
  .flatMap((m) => [m.effectiveDate, ...Object.values(m.regions ?? {}).map((r) => r.effectiveDate)])
  .sort()
  .at(-1);
const tables = [];
for (const region of rows.regions) {
  const items = [];
  for (const row of rows.models.map((m) => figures(m, region)).filter(Boolean))
    for (const routing of ['regional', 'global'])
      for (const [kind, usd] of Object.entries(row[routing] ?? {}))
        items.push(JSON.stringify(product(row, region, kind, routing, usd)));
  writeFileSync(
    join(DIR, `offers-${region}.json`),
    `${JSON.stringify(
      items.map((i) => JSON.parse(i)),
      null,
      1,
    )}\n`,
  );
  // The same path as `prices refresh`: parse each offer's products, then build the table.
  const records = [];
  const offers = [];
  for (const code of ['AmazonBedrockFoundationModels', 'AmazonBedrockService', 'AmazonBedrock']) {
    const mine = items.filter((i) => JSON.parse(i).serviceCode === code);
    const parsed = parsePriceList(mine, code);
    if (parsed.malformed || parsed.records.length !== mine.length)
      throw new Error(`${code}: ${mine.length} products gave ${parsed.records.length} prices`);
    records.push(...parsed.records);
    offers.push({ serviceCode: code, products: parsed.products, publicationDate: `${date}T00:00:00Z` });
  }
  const build = buildModels(records);
  if (build.incomplete.length || build.conflicts.length)
    throw new Error(`incomplete ${build.incomplete.join(', ')}; conflicts ${build.conflicts.join('; ')}`);
  tables.push({
    kind: 'bedrock-monitor price table',
    version: 1,
    source: 'bundled Price List snapshot',
    region,
    fetchedAt: `${date}T00:00:00.000Z`,
    currency: 'USD',
    unit: 'per million tokens',
    offers,
    models: build.models,
  });
  process.stderr.write(`${region}: ${items.length} products, ${build.models.length} models\n`);
}
const snapshot = {
  kind: 'bedrock-monitor price snapshot',
  version: 1,
  date,
  sources: 'src/lib/pricing/snapshot/SOURCES.md',
  note:
    'Built by scripts/build-price-snapshot.mjs from source-rows.json through the Price List parser; the ' +
    'products in offers-<region>.json are reconstructed from public pages, not downloaded from the Price List API.',
  tables,
  billedOtherwise: rows.billedOtherwise,
};
writeFileSync(join(DIR, 'snapshot.json'), `${JSON.stringify(snapshot, null, 1)}\n`);
