import { PricingClient } from '@aws-sdk/client-pricing';
import type { Ctx } from '../context/context.js';
import { BmError } from '../core/errors.js';
import { partitionOf } from '../aws/names.js';
import { priceCachePath, readPriceCache, writePriceCache } from '../pricing/cache-file.js';
import { refreshPrices } from '../pricing/fetch-offers.js';
import type { RefreshedTable } from '../pricing/refreshed.js';
import { bundledPriceTable } from '../pricing/table.js';

/**
 * Which price table a run uses, and the `prices` command. The table `prices refresh` fetched for
 * the Region is used when present; the bundled table stays the offline fallback (per model, for
 * what the refreshed one lacks); config-file overrides win over both.
 */

export interface PricesInUse {
  /** refreshed: the cached Price List table for this Region; bundled: the table shipped with the tool. */
  table: 'refreshed' | 'bundled';
  source: string;
  /** YYYY-MM-DD: when the refreshed table was fetched, or the bundled table's date. */
  date: string;
  fetchedAt?: string;
  path?: string;
  /** Why a cached table exists but is not used. */
  problem?: string;
}

/** A refreshed table older than this is used, with a warning. */
export const STALE_DAYS = 30;

/** The table for this run, read once (the cache file is the only input). */
export interface TableInUse {
  refreshed: RefreshedTable | undefined;
  info: PricesInUse;
}

export function pricesInUse(ctx: Ctx): Promise<TableInUse> {
  return ctx.cache.get<TableInUse>('price-table', () => {
    const read = readPriceCache(ctx.io.env, ctx.settings.region);
    const bundled = bundledPriceTable();
    const fallback: PricesInUse = { table: 'bundled', source: bundled.sources[0]!, date: bundled.date };
    if (read.status === 'ok') {
      const t = read.table;
      return Promise.resolve({ refreshed: t, info: { table: 'refreshed', source: t.source, date: t.fetchedAt.slice(0, 10), fetchedAt: t.fetchedAt, path: read.path } });
    }
    if (read.status === 'invalid') return Promise.resolve({ refreshed: undefined, info: { ...fallback, path: read.path, problem: read.problem } });
    return Promise.resolve({ refreshed: undefined, info: fallback });
  });
}

/** Warnings about the table in use: damaged cache file, or an old refresh. */
export function pricesWarnings(info: PricesInUse, now: Date): string[] {
  if (info.problem) return [`the cached price table ${info.path ?? ''} is not usable (${info.problem}); using the bundled table of ${info.date}: run \`bedrock-monitor prices refresh\``];
  if (info.table === 'refreshed' && info.fetchedAt) {
    const days = Math.floor((now.getTime() - Date.parse(info.fetchedAt)) / 86_400_000);
    if (days > STALE_DAYS) return [`prices were refreshed ${days} days ago (${info.date}): run \`bedrock-monitor prices refresh\` for current ones`];
  }
  return [];
}

export interface RefreshData {
  region: string;
  path: string;
  written: boolean;
  fetchedAt: string;
  offers: RefreshedTable['offers'];
  models: number;
  incomplete: string[];
  conflicts: string[];
  malformed: number;
}

/** The Price List API's endpoint Region for the partition (it answers nowhere else). */
function priceListRegion(region: string): string {
  if (partitionOf(region) !== 'aws') {
    throw new BmError(`prices refresh: the AWS Price List API does not serve ${region}'s partition.`, { hint: 'Use the bundled table, or set prices in the config file ("prices").' });
  }
  return 'us-east-1';
}

export async function runPricesRefresh(ctx: Ctx, onProgress?: (msg: string) => void): Promise<RefreshData> {
  const { region } = ctx.settings;
  const path = priceCachePath(ctx.io.env, region);
  if (!path) throw new BmError('prices refresh: no cache directory: set XDG_CACHE_HOME or HOME.', { exitCode: 2 });
  const client = ctx.aws.get(PricingClient, priceListRegion(region));
  const { table, build, malformed } = await refreshPrices(client, region, ctx.now(), onProgress);
  if (table.models.length === 0) {
    throw new BmError(`prices refresh: the Price List has no Bedrock token prices for ${region}; the previous table (if any) was kept.`, {
      hint: 'Check the Region: Bedrock may not be offered there.',
    });
  }
  if (!ctx.dryRun) writePriceCache(path, table);
  ctx.cache.invalidate('price-table');
  return { region, path, written: !ctx.dryRun, fetchedAt: table.fetchedAt, offers: table.offers, models: table.models.length, incomplete: build.incomplete, conflicts: build.conflicts, malformed };
}

/** One row of `prices list`: a model's rates from one table, USD per million tokens. */
export interface PriceRow {
  model: string;
  source: 'config' | 'price-list' | 'table';
  routing: 'regional' | 'global' | 'any';
  input: number;
  output: number;
  cacheRead: number | null;
  cacheWrite: number | null;
  cacheWrite1h: number | null;
  date: string;
}

export interface PricesListData {
  region: string;
  inUse: PricesInUse;
  rows: PriceRow[];
  warnings: string[];
}

function refreshedRows(t: RefreshedTable): PriceRow[] {
  const date = t.fetchedAt.slice(0, 10);
  return t.models.flatMap((m) =>
    (['regional', 'global'] as const).flatMap((routing) => {
      const r = m[routing];
      return r ? [{ model: m.name, source: 'price-list' as const, routing, input: r.input, output: r.output, cacheRead: r.cacheRead ?? null, cacheWrite: r.cacheWrite ?? null, cacheWrite1h: r.cacheWrite1h ?? null, date }] : [];
    }),
  );
}

/** Every rate a report could use: config overrides, the refreshed table (if any), the bundled table. */
export async function listPrices(ctx: Ctx): Promise<PricesListData> {
  const { refreshed, info } = await pricesInUse(ctx);
  const bundled = bundledPriceTable();
  const config: PriceRow[] = Object.entries(ctx.settings.prices).map(([model, r]) => ({ model, source: 'config', routing: 'any', ...r, cacheWrite1h: null, date: ctx.settings.configFile ?? 'config' }));
  const table: PriceRow[] = bundled.models.map((m) => ({ model: m.name, source: 'table', routing: 'global', input: m.input, output: m.output, cacheRead: m.cacheRead, cacheWrite: m.cacheWrite, cacheWrite1h: null, date: bundled.date }));
  return { region: ctx.settings.region, inUse: info, rows: [...config, ...(refreshed ? refreshedRows(refreshed) : []), ...table], warnings: pricesWarnings(info, ctx.now()) };
}
