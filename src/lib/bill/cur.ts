import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ctx } from '../context/context.js';
import { BmError } from '../core/errors.js';
import { cacheRoot } from '../logs/cache-dir.js';
import { defaultThreads, hasGlobChars, withDuckDb } from '../logs/duckdb.js';
import type { LogLocation } from '../logs/location.js';
import { listObjects, syncObjects, type ObjectKind } from '../logs/s3-cache.js';
import type { BilledLine } from './bridge.js';

/**
 * The bill's Bedrock line items from a CUR 2.0 Data Export (Parquet), read by the embedded DuckDB; objects in S3 come
 * through the same local cache as the invocation logs. Column names and types are the CUR 2.0 data dictionary's
 * (https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html, …-cur2-product.html,
 * …-cur2-pricing.html, …-cur2-resource-tags.html): line_item_usage_account_id (string), line_item_iam_principal
 * (string), line_item_usage_start_date (timestamp), line_item_usage_type (string), line_item_line_item_type (string),
 * line_item_product_code (string), line_item_unblended_cost (double), line_item_usage_amount (double),
 * pricing_unit (string), product_servicecode (string), product (map<string,string>), resource_tags
 * (map<string,string>).
 */

export const CUR_FILES: ObjectKind = { what: 'the CUR 2.0 export', command: 'bill' };

/** The Bedrock offers whose line items the bill holds; Claude is sold as "… (Amazon Bedrock Edition)". */
export const BEDROCK_CODES = ['AmazonBedrock', 'AmazonBedrockService', 'AmazonBedrockFoundationModels'];

/** Tokens per unit of line_item_usage_amount, by pricing_unit ("1K tokens", "1M tokens", Marketplace "Units"). */
const UNIT_SQL =
  "CASE WHEN lower(pricing_unit) LIKE '1k%' THEN 1000 WHEN lower(pricing_unit) LIKE '1m%' OR " +
  "lower(pricing_unit) LIKE 'million%' OR lower(pricing_unit) = 'units' THEN 1000000 ELSE 1 END";

export interface CurRead {
  lines: BilledLine[];
  files: number;
  /** Whether the export has line_item_iam_principal (the Data Export's caller-identity option). */
  hasPrincipal: boolean;
  hasTags: boolean;
}

function parquetFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return parquetFiles(p);
    return /\.parquet$/i.test(e.name) && statSync(p).size > 0 ? [p] : [];
  });
}

async function localCopies(ctx: Ctx, loc: Extract<LogLocation, { kind: 's3' }>, noCache: boolean, scratch: string) {
  const listing = await listObjects(
    ctx,
    loc.bucket,
    [loc.prefix],
    (k, size) => /\.parquet$/i.test(k) && size > 0,
    CUR_FILES,
  );
  const dir = noCache ? join(scratch, 's3', loc.bucket) : join(cacheRoot(ctx.io.env), 's3', loc.bucket);
  mkdirSync(dir, { recursive: true });
  return (await syncObjects(ctx, { bucket: loc.bucket, objects: listing.objects, dir, kind: CUR_FILES })).files;
}

/** A UTC time as a TIMESTAMP literal both DuckDB and Athena read (from a Date: no user text reaches the SQL). */
const toTs = (d: Date): string => d.toISOString().replace('T', ' ').replace('Z', '');

/** What differs between the embedded engine's SQL and Athena's (Trino) for the one line-item aggregate. */
export interface CurDialect {
  day: (col: string) => string;
  mapGet: (map: string, key: string) => string;
  /** The resource tags under iamPrincipal/ as a JSON object text. */
  principalTags: string;
}

export const CUR_DUCKDB: CurDialect = {
  day: (c) => `strftime(${c}, '%Y-%m-%d')`,
  mapGet: (m, k) => `${m}['${k}']`,
  principalTags:
    'to_json(map_from_entries(list_filter(map_entries(resource_tags), ' + "e -> starts_with(e.key, 'iamPrincipal/'))))",
};

/** Trino: https://trino.io/docs/current/functions/map.html (element_at, map_filter), …/functions/json.html. */
export const CUR_ATHENA: CurDialect = {
  day: (c) => `date_format(${c}, '%Y-%m-%d')`,
  mapGet: (m, k) => `element_at(${m}, '${k}')`,
  principalTags: "json_format(CAST(map_filter(resource_tags, (k, v) -> starts_with(k, 'iamPrincipal/')) AS JSON))",
};

/**
 * The bill's one query: Bedrock line items of the window, summed per account, principal, day, usage type, product,
 * line item type and principal tags. `from` is a relation (read_parquet(…) or a Glue table); `cols` the columns the
 * export has (absent optional ones read as empty); `where` extra conditions (Athena's partition pruning).
 */
export function curAggregateSql(
  from: string,
  cols: Set<string>,
  window: { start: Date; end: Date },
  d: CurDialect,
  where: string[] = [],
): string {
  const principal = cols.has('line_item_iam_principal') ? "coalesce(line_item_iam_principal, '')" : "''";
  const name = cols.has('product')
    ? `coalesce(${d.mapGet('product', 'product_name')}, ${d.mapGet('product', 'servicename')}, '')`
    : "''";
  const service = cols.has('product_servicecode') ? "coalesce(product_servicecode, '')" : "''";
  const tags = cols.has('resource_tags') ? `coalesce(${d.principalTags}, '{}')` : "'{}'";
  // The line's Region: product_region_code, else the product map's region (legacy CUR's product/region).
  const region = [
    ...(cols.has('product_region_code') ? ["nullif(product_region_code, '')"] : []),
    ...(cols.has('product') ? [d.mapGet('product', 'region')] : []),
  ];
  const codes = BEDROCK_CODES.map((c) => `'${c}'`).join(', ');
  return (
    `SELECT line_item_usage_account_id AS account, ${principal} AS principal, ` +
    `${d.day('line_item_usage_start_date')} AS day, line_item_usage_type AS usage_type, ` +
    `${name} AS product_name, line_item_line_item_type AS line_item_type, ${tags} AS tags, ` +
    `coalesce(${[...region, "''"].join(', ')}) AS region, ` +
    `sum(line_item_unblended_cost) AS cost, sum(line_item_usage_amount * ${UNIT_SQL}) AS tokens ` +
    `FROM ${from} ` +
    `WHERE (line_item_product_code IN (${codes}) OR ${service} IN (${codes}) ` +
    `OR ${name} LIKE '%(Amazon Bedrock Edition)') ` +
    `AND line_item_usage_start_date >= TIMESTAMP '${toTs(window.start)}' ` +
    `AND line_item_usage_start_date < TIMESTAMP '${toTs(window.end)}' ` +
    where.map((w) => `AND ${w} `).join('') +
    'GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8'
  );
}

const parquetList = (files: string[]): string => files.map((f) => `'${f.replace(/'/g, "''")}'`).join(', ');

export function curSql(files: string[], cols: Set<string>, start: Date, end: Date): string {
  return curAggregateSql(
    `read_parquet([${parquetList(files)}], union_by_name = true)`,
    cols,
    { start, end },
    CUR_DUCKDB,
  );
}

/** One result row of the aggregate (DuckDB values or Athena's strings) as a billed line. */
export function billedLine(r: Record<string, unknown>): BilledLine {
  return {
    account: text(r.account),
    principal: text(r.principal),
    day: text(r.day),
    usageType: text(r.usage_type),
    productName: text(r.product_name),
    lineItemType: text(r.line_item_type),
    costUsd: Number(r.cost ?? 0),
    tokens: Number(r.tokens ?? 0),
    tags: tagsOf(text(r.tags, '{}')),
    region: text(r.region),
  };
}

async function query(
  files: string[],
  start: Date,
  end: Date,
  tempDir: string,
  signal: AbortSignal,
): Promise<Omit<CurRead, 'files'>> {
  const options = { threads: defaultThreads(files), memoryLimitBytes: 320 * 2 ** 20, tempDir, signal };
  return withDuckDb(options, async (c) => {
    const described = await c.runAndReadAll(
      `DESCRIBE SELECT * FROM read_parquet([${parquetList(files)}], union_by_name = true)`,
    );
    const cols = new Set(described.getRowObjectsJS().map((r) => text(r.column_name)));
    const reader = await c.runAndReadAll(curSql(files, cols, start, end));
    const lines = reader.getRowObjectsJS().map(billedLine);
    return { lines, hasPrincipal: cols.has('line_item_iam_principal'), hasTags: cols.has('resource_tags') };
  });
}

/** A DuckDB value as text (strings as they are, numbers printed, anything else the default). */
const text = (v: unknown, d = ''): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : d;

function tagsOf(json: string): Record<string, string> {
  try {
    const o = JSON.parse(json) as Record<string, string>;
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k.replace(/^iamPrincipal\//, ''), String(v)]));
  } catch {
    return {};
  }
}

/** Reads the export's Bedrock line items for the window. */
export async function readCur(
  ctx: Ctx,
  loc: Extract<LogLocation, { kind: 's3' } | { kind: 'dir' }>,
  window: { start: Date; end: Date },
  noCache: boolean,
): Promise<CurRead> {
  const scratch = mkdtempSync(join(tmpdir(), 'bedrock-monitor-cur-'));
  try {
    const files = loc.kind === 'dir' ? parquetFiles(loc.path) : await localCopies(ctx, loc, noCache, scratch);
    if (!files.length)
      throw new BmError(
        `No CUR 2.0 Parquet files under ${loc.kind === 'dir' ? loc.path : `s3://${loc.bucket}/${loc.prefix}`}.`,
        {
          hint:
            "Point --cur at the Data Export's S3 prefix (its data/ folder holds BILLING_PERIOD=… partitions of " +
            '*.parquet); a new Data Export fills in within 24 hours.',
        },
      );
    const bad = files.find(hasGlobChars);
    if (bad) throw new BmError(`${bad} contains one of * ? [ ] { }, which DuckDB reads as a pattern: rename it.`);
    return { ...(await query(files, window.start, window.end, scratch, ctx.signal)), files: files.length };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
