import { PricingClient } from '../sdk/client-pricing.js';
import type { Ctx } from '../context/context.js';
import { BmError } from '../core/errors.js';
import { partitionOf } from '../aws/names.js';
import { priceCachePath, writePriceCache } from '../pricing/cache-file.js';
import { refreshPrices } from '../pricing/fetch-offers.js';
import type { RefreshedTable } from '../pricing/refreshed.js';
import { bundledPriceTable, type PriceEntry, type PriceTable } from '../pricing/table.js';
import { findModel } from '../pricing/refreshed.js';
import { priceTableKey, pricesInUse, pricesWarnings, type PricesInUse } from '../context/prices.js';

/** The `prices` command: refresh the table from the Price List API, list the rates in use. */

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
    throw new BmError(`prices refresh: the AWS Price List API does not serve ${region}'s partition.`, {
      hint: 'Use the bundled table, or set prices in the config file ("prices").',
    });
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
    throw new BmError(
      `prices refresh: the Price List has no Bedrock token prices for ${region}; the previous table (if any) was kept.`,
      {
        hint: 'Check the Region: Bedrock may not be offered there.',
      },
    );
  }
  if (!ctx.dryRun) writePriceCache(path, table);
  ctx.cache.invalidate(priceTableKey(region));
  return {
    region,
    path,
    written: !ctx.dryRun,
    fetchedAt: table.fetchedAt,
    offers: table.offers,
    models: table.models.length,
    incomplete: build.incomplete,
    conflicts: build.conflicts,
    malformed,
  };
}

/** One row of `prices list`: a model's rates from one table, USD per million tokens. */
export interface PriceRow {
  model: string;
  /** price-list: `prices refresh`; snapshot: the bundled Price List snapshot; table: the Claude list-price table. */
  source: 'config' | 'price-list' | 'snapshot' | 'table';
  routing: 'regional' | 'global' | 'any';
  input: number;
  output: number;
  cacheRead: number | null;
  cacheWrite: number | null;
  cacheWrite1h: number | null;
  batchInput: number | null;
  batchOutput: number | null;
  /** YYYY-MM-DD the rate took effect (the Price List's effective date), else the table's date. */
  date: string;
}

export interface PricesListData {
  region: string;
  inUse: PricesInUse;
  rows: PriceRow[];
  warnings: string[];
}

function refreshedRows(t: RefreshedTable, source: 'price-list' | 'snapshot'): PriceRow[] {
  const date = t.fetchedAt.slice(0, 10);
  return t.models.flatMap((m) =>
    (['regional', 'global'] as const).flatMap((routing) => {
      const r = m[routing];
      return r
        ? [
            {
              model: m.name,
              source,
              routing,
              input: r.input,
              output: r.output,
              cacheRead: r.cacheRead ?? null,
              cacheWrite: r.cacheWrite ?? null,
              cacheWrite1h: r.cacheWrite1h ?? null,
              batchInput: r.batchInput ?? null,
              batchOutput: r.batchOutput ?? null,
              date: m.effective ?? date,
            },
          ]
        : [];
    }),
  );
}

/**
 * The Claude list-price table's rows for the families the Price List table lacks: a regional row (with the
 * geographic premium where the family carries one) and a global row only where a global. profile exists.
 */
function bundledRows(bundled: PriceTable, priceList: RefreshedTable | undefined): PriceRow[] {
  const premium = (m: PriceEntry): number => (m.geographicPremium ? bundled.geographicPremium : 0);
  const f = (usd: number, p: number): number => Math.round(usd * (1 + p) * 1e6) / 1e6;
  return bundled.models
    .filter((m) => !(priceList && findModel(priceList, m.family)))
    .flatMap((m) =>
      (['regional', 'global'] as const)
        .filter((routing) => routing === 'regional' || m.globalProfile)
        .map((routing) => {
          const p = routing === 'global' ? 0 : premium(m);
          return {
            model: m.name,
            source: 'table' as const,
            routing,
            input: f(m.input, p),
            output: f(m.output, p),
            cacheRead: f(m.cacheRead, p),
            cacheWrite: f(m.cacheWrite, p),
            cacheWrite1h: m.cacheWrite1h === undefined ? null : f(m.cacheWrite1h, p),
            batchInput: null,
            batchOutput: null,
            date: bundled.date,
          };
        }),
    );
}

/** Every rate a report could use: config overrides, the Price List table in use (refreshed or snapshot), then the
 * bundled Claude table for what that lacks. */
export async function listPrices(ctx: Ctx): Promise<PricesListData> {
  const { refreshed, info } = await pricesInUse(ctx);
  const bundled = bundledPriceTable();
  const config: PriceRow[] = Object.entries(ctx.settings.prices).map(([model, r]) => ({
    model,
    source: 'config',
    routing: 'any',
    input: r.input,
    output: r.output,
    cacheRead: r.cacheRead,
    cacheWrite: r.cacheWrite,
    cacheWrite1h: r.cacheWrite1h ?? null,
    batchInput: null,
    batchOutput: null,
    date: ctx.settings.configFile ?? 'config',
  }));
  const source = info.table === 'refreshed' ? 'price-list' : 'snapshot';
  return {
    region: ctx.settings.region,
    inUse: info,
    rows: [...config, ...(refreshed ? refreshedRows(refreshed, source) : []), ...bundledRows(bundled, refreshed)],
    warnings: pricesWarnings(info, ctx.now()),
  };
}
