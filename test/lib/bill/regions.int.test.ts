import { describe, expect, test } from '@jest/globals';
import { CreateDatabaseCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { curSql } from '../../../src/lib/bill/cur.js';
import { priceCachePath, writePriceCache } from '../../../src/lib/pricing/cache-file.js';
import type { RefreshedTable } from '../../../src/lib/pricing/refreshed.js';
import { BillDocSchema as BillSchema } from '../../support/schemas.js';
import { ACCOUNT, sdk } from '../../support/aws.js';
import { cliFor, emptyDir, fromSnapshot, useMoto } from '../../support/cli.js';
import { writeCur, type Line } from '../../support/bill-corpus.js';
import { athenaResultsBody } from '../../support/emulator.js';

/**
 * `bill` over invocation logs in two Regions, each priced with its own Region's table, as the logs report prices them
 * (refreshed table of the record's Region; CUR 2.0's product_region_code on the billed side:
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-product.html, a string). Both Regions' tables
 * are refreshed cache files written here (prices-<region>.json, the shape `prices refresh` writes), so the test does
 * not depend on which Regions the bundled snapshot covers. The export and the logs are in moto's S3; the export is
 * read by the embedded DuckDB, then by Athena (moto runs no SQL: its rows are queued, computed by the embedded
 * engine's SQL over the same export). Rates and calls are SYNTHETIC.
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const TOKYO_REGION = 'ap-northeast-1';
const cli = cliFor(() => emulator().url, REGION);
const BUCKET = `bedrock-logs-${ACCOUNT}-${REGION}`;
const CUR = `s3://${BUCKET}/cur2/bedrock-monitor-cur2`;
const LOGS = `s3://${BUCKET}/logs`;
const now = new Date('2026-12-06T00:00:00Z');
const EAST = `arn:aws:sts::${ACCOUNT}:assumed-role/East/s-1`;
const TOKYO = `arn:aws:sts::${ACCOUNT}:assumed-role/Tokyo/s-2`;
/** Calls the same model in both Regions: its lines meet its records Region by Region, each at its own rate. */
const ROAM = `arn:aws:sts::${ACCOUNT}:assumed-role/Roam/s-3`;

type Rates = Record<'Nova Pro' | 'Llama 3.1 70B', { input: number; output: number }>;
/** USD per million tokens, SYNTHETIC: each Region's own, Tokyo's higher. */
const RATES: Record<string, Rates> = {
  [REGION]: { 'Nova Pro': { input: 0.8, output: 3.2 }, 'Llama 3.1 70B': { input: 0.72, output: 0.72 } },
  [TOKYO_REGION]: { 'Nova Pro': { input: 1.04, output: 4.16 }, 'Llama 3.1 70B': { input: 0.99, output: 0.99 } },
};
const FETCHED: Record<string, string> = { [REGION]: '2026-12-01', [TOKYO_REGION]: '2026-12-02' };

function table(region: string): RefreshedTable {
  return {
    kind: 'bedrock-monitor price table',
    version: 1,
    source: 'AWS Price List API (GetProducts)',
    region,
    fetchedAt: `${FETCHED[region]}T08:00:00.000Z`,
    currency: 'USD',
    unit: 'per million tokens',
    offers: [{ serviceCode: 'AmazonBedrock', products: 4 }],
    models: Object.entries(RATES[region]!).map(([name, regional]) => ({
      name,
      provider: name.startsWith('Nova') ? 'Amazon' : 'Meta',
      offers: ['AmazonBedrock' as const],
      regional,
    })),
  };
}

const MODEL_IDS: Record<keyof Rates, string> = {
  'Nova Pro': 'amazon.nova-pro-v1:0',
  'Llama 3.1 70B': 'meta.llama3-1-70b-instruct-v1:0',
};
const USAGE: Record<keyof Rates, string> = { 'Nova Pro': 'NovaPro', 'Llama 3.1 70B': 'Llama3-1-70B' };
const PREFIX: Record<string, string> = { [REGION]: 'USE1', [TOKYO_REGION]: 'APN1' };

/** The calls: who, where, which model, tokens. */
const CALLS: { principal: string; region: string; model: keyof Rates; in: number; out: number }[] = [
  { principal: EAST, region: REGION, model: 'Nova Pro', in: 1_000_000, out: 200_000 },
  { principal: EAST, region: REGION, model: 'Llama 3.1 70B', in: 500_000, out: 250_000 },
  { principal: TOKYO, region: TOKYO_REGION, model: 'Nova Pro', in: 1_000_000, out: 200_000 },
  { principal: TOKYO, region: TOKYO_REGION, model: 'Llama 3.1 70B', in: 300_000, out: 100_000 },
  { principal: ROAM, region: REGION, model: 'Nova Pro', in: 400_000, out: 50_000 },
  { principal: ROAM, region: TOKYO_REGION, model: 'Nova Pro', in: 600_000, out: 70_000 },
];

/** TOKYO's Nova Pro output billed at $4.30 per million where Tokyo's table says $4.16 (price-table: $0.028). */
const BILLED_TOKYO_NOVA_OUT = 4.3;

const micro = (usd: number): number => Math.round(usd * 1e6);
/** tokens × rate per million, in millionths of a dollar. */
const cost = (tokens: number, perMillion: number): number => Math.round(tokens * perMillion);

function lines(): Line[] {
  return CALLS.flatMap((c) => {
    const r = RATES[c.region]![c.model];
    const out = c.principal === TOKYO && c.model === 'Nova Pro' ? BILLED_TOKYO_NOVA_OUT : r.output;
    const usage = `${PREFIX[c.region]}-${USAGE[c.model]}`;
    return [
      { principal: c.principal, usageType: `${usage}-input-tokens`, tokens: c.in, costUsd: cost(c.in, r.input) / 1e6 },
      { principal: c.principal, usageType: `${usage}-output-tokens`, tokens: c.out, costUsd: cost(c.out, out) / 1e6 },
    ].map((l) => ({ ...l, region: c.region }));
  });
}

function record(i: number, c: (typeof CALLS)[number]) {
  return {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: '2026-11-12T09:00:00Z',
    accountId: ACCOUNT,
    region: c.region,
    requestId: `r-${i}`,
    operation: 'Converse',
    modelId: MODEL_IDS[c.model],
    identity: { arn: c.principal },
    input: { inputTokenCount: c.in },
    output: { outputTokenCount: c.out },
  };
}

const parquet = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? parquet(p) : p.endsWith('.parquet') ? [p] : [];
  });

/** The export and the logs (as Bedrock writes them, one object per Region and hour) in moto's S3. */
async function upload(curDir: string): Promise<void> {
  const s3 = sdk(emulator().url, REGION).s3;
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const f of parquet(curDir))
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: `cur2/bedrock-monitor-cur2/${f.slice(curDir.length + 1)}`,
        Body: readFileSync(f),
      }),
    );
  for (const region of [REGION, TOKYO_REGION]) {
    const body = CALLS.map((c, i) => (c.region === region ? [JSON.stringify(record(i, c))] : []))
      .flat()
      .join('\n');
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key:
          `logs/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/${region}/2026/11/12/09/` +
          `${ACCOUNT}_BedrockModelInvocationLogs_${region}_20261112T0900Z_0001.json.gz`,
        Body: gzipSync(`${body}\n`),
      }),
    );
  }
}

/** What Athena would answer: the embedded engine's rows for the export, every cell a string, a header row first. */
async function athenaAnswer(curDir: string) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run("SET TimeZone = 'UTC'");
  const cols = new Set(['line_item_iam_principal', 'product', 'product_servicecode', 'product_region_code']);
  const sql = curSql(parquet(curDir), cols, new Date('2026-11-01T00:00:00Z'), new Date('2026-12-01T00:00:00Z'));
  const rows = (await c.runAndReadAll(sql)).getRowObjectsJS();
  c.closeSync();
  db.closeSync();
  const names = Object.keys(rows[0]!);
  return athenaResultsBody(rows, names, { account: ACCOUNT, region: REGION });
}

/** Each principal's estimate: its Region's rates × its logged tokens, in millionths of a dollar. */
function expectedEstimate(principal: string): number {
  return CALLS.filter((c) => c.principal === principal).reduce((a, c) => {
    const r = RATES[c.region]![c.model];
    return a + cost(c.in, r.input) + cost(c.out, r.output);
  }, 0);
}

describe("bill: each Region's records priced with that Region's table", () => {
  const curDir = emptyDir();
  const env = { XDG_CACHE_HOME: emptyDir() };
  // The export and the logs put in S3 for the first test; the second gets a copy of moto's state after it (the
  // objects' bodies included).
  const uploaded = fromSnapshot(emulator, 'uploaded', () => upload(curDir));
  beforeAll(async () => {
    await writeCur(curDir, lines());
    for (const region of [REGION, TOKYO_REGION]) writePriceCache(priceCachePath(env, region)!, table(region));
  });

  function check(j: ReturnType<typeof BillSchema.parse>): void {
    // Per principal, the estimate is each Region's rates × the tokens logged there, to the cent.
    for (const p of [EAST, TOKYO, ROAM]) {
      const row = j.rows.find((r) => r.key === p)!;
      expect([p, Math.round(row.estimatedUsd * 100)]).toEqual([p, Math.round(expectedEstimate(p) / 1e4)]);
      expect([p, micro(row.estimatedUsd)]).toEqual([p, expectedEstimate(p)]);
    }
    expect(micro(j.totals.estimatedUsd)).toBe(
      expectedEstimate(EAST) + expectedEstimate(TOKYO) + expectedEstimate(ROAM),
    );
    // The one gap: Tokyo's billed Nova Pro output rate beside Tokyo's table rate (not us-east-1's); ROAM's calls,
    // billed at each Region's rate, meet their lines Region by Region and leave no cause.
    const tokyoNovaOut = CALLS.find((c) => c.principal === TOKYO && c.model === 'Nova Pro')!.out;
    const priceTable =
      cost(tokyoNovaOut, BILLED_TOKYO_NOVA_OUT) - cost(tokyoNovaOut, RATES[TOKYO_REGION]!['Nova Pro'].output);
    expect(j.bridge.causes.map((c) => [c.cause, micro(c.usd)])).toEqual([['price-table', priceTable]]);
    expect(micro(j.bridge.residualUsd)).toBe(0);
    const sum = j.bridge.causes.reduce((a, c) => a + micro(c.usd), 0) + micro(j.bridge.residualUsd);
    expect(sum).toBe(micro(j.bridge.billedUsd) - micro(j.bridge.estimatedUsd));
    // The table of each Region, named (as the logs report's prices.regions).
    expect(j.prices).toMatchObject({ table: 'refreshed', date: FETCHED[REGION] });
    expect(j.prices.regions).toEqual([
      { region: TOKYO_REGION, table: 'refreshed', source: 'AWS Price List API (GetProducts)', date: '2026-12-02' },
      { region: REGION, table: 'refreshed', source: 'AWS Price List API (GetProducts)', date: '2026-12-01' },
    ]);
    expect(j.unpricedModels).toEqual([]);
  }

  test('the embedded engine: the export and the logs from S3', async () => {
    await uploaded();
    const r = await cli(['bill', '--month', '2026-11', '--cur', CUR, '--logs', LOGS, '--json'], { env, now });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const j = BillSchema.parse(r.json());
    check(j);
    expect(j.sources.estimate).toMatchObject({ engine: 'local', location: LOGS });

    // The terminal view names each Region's table.
    const t = await cli(['bill', '--month', '2026-11', '--cur', CUR, '--logs', LOGS], { env, now });
    expect(t.code).toBe(0);
    const flat = t.stdout.replace(/\s+/g, ' ');
    expect(flat).toContain(
      'AWS Price List prices fetched 2026-12-02 for ap-northeast-1; AWS Price List prices fetched 2026-12-01 for ' +
        'us-east-1',
    );
  });

  test('--engine athena: the query groups by Region, the bill is the same', async () => {
    await uploaded();
    const { glue } = {
      glue: new GlueClient({
        region: REGION,
        endpoint: emulator().url,
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      }),
    };
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'bedrock_monitor' } }));
    await emulator().queueResults('athena', await athenaAnswer(curDir));
    const args = ['bill', '--month', '2026-11', '--cur', CUR, '--engine', 'athena', '--logs', LOGS, '--json'];
    const r = await cli(args, { env, now });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const j = BillSchema.parse(r.json());
    check(j);
    expect(j.sources.bill).toMatchObject({ kind: 'cur2', engine: 'athena' });
  });
});
