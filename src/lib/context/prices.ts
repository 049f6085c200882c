import type { RegionCtx } from './context.js';
import { readPriceCache } from '../pricing/cache-file.js';
import { priceFor, type ResolvedPrice } from '../pricing/price.js';
import type { RefreshedTable } from '../pricing/refreshed.js';
import { bundledPriceTable } from '../pricing/table.js';
import { priceSnapshot, snapshotTable } from '../pricing/snapshot.js';

/**
 * Which price table a run uses. The table `prices refresh` fetched for the Region is used when
 * present; the bundled table stays the offline fallback (per model, for what the refreshed one
 * lacks); config-file overrides win over both. Report, dashboard and alarms all price through here.
 */

export interface PricesInUse {
  /**
   * refreshed: the cached Price List table for this Region; snapshot: the Price List snapshot shipped with the tool;
   * bundled: the Claude-only list-price table (Regions the snapshot does not cover).
   */
  table: 'refreshed' | 'snapshot' | 'bundled';
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

/** The read cache's key of a Region's table (`prices refresh` invalidates it when it writes the Region's). */
export const priceTableKey = (region: string): string => `price-table:${region}`;

/**
 * The table for a Region (default: the context's), read once per Region in a run: the refreshed cache for that Region,
 * else the snapshot when it covers the Region, else the bundled (Claude-only, us-east-1 list price) fallback. Every
 * report, the bill and the dashboard price through here.
 */
export function pricesInUse(ctx: RegionCtx, region: string = ctx.settings.region): Promise<TableInUse> {
  return ctx.cache.get<TableInUse>(priceTableKey(region), () => {
    const read = readPriceCache(ctx.io.env, region);
    const bundled = bundledPriceTable();
    const snap = snapshotTable(region);
    const fallback: PricesInUse = snap
      ? { table: 'snapshot', source: priceSnapshot().sources, date: priceSnapshot().date }
      : { table: 'bundled', source: bundled.sources[0]!, date: bundled.date };
    const offline = snap ? { refreshed: snap } : { refreshed: undefined };
    if (read.status === 'ok') {
      const t = read.table;
      return Promise.resolve({
        refreshed: t,
        info: {
          table: 'refreshed',
          source: t.source,
          date: t.fetchedAt.slice(0, 10),
          fetchedAt: t.fetchedAt,
          path: read.path,
        },
      });
    }
    if (read.status === 'invalid')
      return Promise.resolve({ ...offline, info: { ...fallback, path: read.path, problem: read.problem } });
    return Promise.resolve({ ...offline, info: fallback });
  });
}

/** The tables of several Regions (each read once per run), by Region. */
export async function pricesByRegion(ctx: RegionCtx, regions: Iterable<string>): Promise<Map<string, TableInUse>> {
  const unique = [...new Set(regions)].sort();
  const tables = await Promise.all(unique.map((r) => pricesInUse(ctx, r)));
  return new Map(unique.map((r, i) => [r, tables[i]!]));
}

/** Warnings about the table in use: damaged cache file, or an old refresh. */
export function pricesWarnings(info: PricesInUse, now: Date): string[] {
  if (info.problem)
    return [
      `the cached price table ${info.path ?? ''} is not usable (${info.problem}); using ${describePrices(info)}: ` +
        `run \`bedrock-monitor prices refresh\``,
    ];
  if (info.table === 'refreshed' && info.fetchedAt) {
    const days = Math.floor((now.getTime() - Date.parse(info.fetchedAt)) / 86_400_000);
    if (days > STALE_DAYS)
      return [
        `prices were refreshed ${days} days ago (${info.date}): run \`bedrock-monitor prices refresh\` for ` +
          `current ones`,
      ];
  }
  return [];
}

/** One line naming the table in use, for a report, a dashboard header or an alarm description. */
export function describePrices(info: PricesInUse): string {
  if (info.table === 'refreshed')
    return `AWS Price List prices fetched ${info.date} (prices refresh), bundled table for models it lacks`;
  if (info.table === 'snapshot') return `the bundled Price List snapshot of ${info.date}`;
  return `the bundled price table of ${info.date}`;
}

/** A model ID's price in this run: config override, else the refreshed table, else the bundled one. */
export async function priceInRun(ctx: RegionCtx, modelId: string): Promise<ResolvedPrice | undefined> {
  return priceFor(modelId, ctx.settings.prices, (await pricesInUse(ctx)).refreshed);
}

/** The words before a table's date in a report's cost note: "AWS Price List prices fetched 2026-12-01". */
export function pricesLabel(table: PricesInUse['table'] | undefined): string {
  if (table === 'refreshed') return 'AWS Price List prices fetched';
  if (table === 'snapshot') return 'the Price List snapshot of';
  return 'list prices of';
}
