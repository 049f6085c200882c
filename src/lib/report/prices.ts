import { PricingClient } from '@aws-sdk/client-pricing';
import type { Ctx } from '../context/context.js';
import { BmError } from '../core/errors.js';
import { partitionOf } from '../aws/names.js';
import { priceCachePath, writePriceCache } from '../pricing/cache-file.js';
import { refreshPrices } from '../pricing/fetch-offers.js';
import type { RefreshedTable } from '../pricing/refreshed.js';
import { bundledPriceTable } from '../pricing/table.js';
import { pricesInUse, pricesWarnings, type PricesInUse } from '../context/prices.js';

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
  ctx.cache.invalidate('price-table');
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
      return r
        ? [
            {
              model: m.name,
              source: 'price-list' as const,
              routing,
              input: r.input,
              output: r.output,
              cacheRead: r.cacheRead ?? null,
              cacheWrite: r.cacheWrite ?? null,
              cacheWrite1h: r.cacheWrite1h ?? null,
              date,
            },
          ]
        : [];
    }),
  );
}

/** Every rate a report could use: config overrides, the refreshed table (if any), the bundled table. */
export async function listPrices(ctx: Ctx): Promise<PricesListData> {
  const { refreshed, info } = await pricesInUse(ctx);
  const bundled = bundledPriceTable();
  const config: PriceRow[] = Object.entries(ctx.settings.prices).map(([model, r]) => ({
    model,
    source: 'config',
    routing: 'any',
    ...r,
    cacheWrite1h: null,
    date: ctx.settings.configFile ?? 'config',
  }));
  const table: PriceRow[] = bundled.models.map((m) => ({
    model: m.name,
    source: 'table',
    routing: 'global',
    input: m.input,
    output: m.output,
    cacheRead: m.cacheRead,
    cacheWrite: m.cacheWrite,
    cacheWrite1h: null,
    date: bundled.date,
  }));
  return {
    region: ctx.settings.region,
    inUse: info,
    rows: [...config, ...(refreshed ? refreshedRows(refreshed) : []), ...table],
    warnings: pricesWarnings(info, ctx.now()),
  };
}
