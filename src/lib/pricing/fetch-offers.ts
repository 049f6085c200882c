import { paginateGetProducts } from '../sdk/client-pricing.js';
import type { GetProductsCommandOutput, PricingClient } from '@aws-sdk/client-pricing';
import { OFFER_CODES, parsePriceList, type OfferCode, type PriceRecord } from './offers.js';
import { buildModels, type BuildResult, type RefreshedTable } from './refreshed.js';

/**
 * `prices refresh`: every Bedrock token product of the Region from the three offers, through
 * GetProducts (regionCode filter, 100 per page, every page), turned into the refreshed table.
 * The Price List API answers only in us-east-1 and ap-south-1: the caller passes a client there.
 */

export interface OfferFetch {
  serviceCode: OfferCode;
  products: number;
  records: PriceRecord[];
  malformed: number;
  publicationDate: string | undefined;
}

export async function fetchOffer(
  client: PricingClient,
  serviceCode: OfferCode,
  region: string,
  onPage?: (products: number) => void,
): Promise<OfferFetch> {
  const result: OfferFetch = { serviceCode, products: 0, records: [], malformed: 0, publicationDate: undefined };
  const pages: AsyncIterable<GetProductsCommandOutput> = paginateGetProducts(
    { client, pageSize: 100 },
    {
      ServiceCode: serviceCode,
      FormatVersion: 'aws_v1',
      Filters: [{ Type: 'TERM_MATCH', Field: 'regionCode', Value: region }],
    },
  );
  for await (const page of pages) {
    const items = priceListItems(page.PriceList);
    const parsed = parsePriceList(items, serviceCode);
    result.products += parsed.products;
    result.malformed += parsed.malformed;
    result.records.push(...parsed.records);
    result.publicationDate ??= publicationDate(items[0]);
    onPage?.(result.products);
  }
  return result;
}

/**
 * PriceList elements as strings. The SDK hands each over as a LazyJsonString (a String object
 * holding the JSON text, typed loosely), so they are converted rather than assumed.
 */
function priceListItems(list: unknown): string[] {
  return Array.isArray(list) ? list.map((x: unknown) => String(x)) : [];
}

function publicationDate(item: string | undefined): string | undefined {
  if (!item) return undefined;
  try {
    return (JSON.parse(item) as { publicationDate?: string }).publicationDate;
  } catch {
    return undefined;
  }
}

export interface Refreshed {
  table: RefreshedTable;
  build: BuildResult;
  malformed: number;
}

/** Fetches the three offers one after another (a few pages each) and builds the table. */
export async function refreshPrices(
  client: PricingClient,
  region: string,
  now: Date,
  onProgress?: (msg: string) => void,
): Promise<Refreshed> {
  const fetched: OfferFetch[] = [];
  for (const code of OFFER_CODES) {
    onProgress?.(`reading ${code}`);
    fetched.push(await fetchOffer(client, code, region, (n) => onProgress?.(`reading ${code}: ${n} products`)));
  }
  const build = buildModels(fetched.flatMap((f) => f.records));
  const table: RefreshedTable = {
    kind: 'bedrock-monitor price table',
    version: 1,
    source: 'AWS Price List API (GetProducts)',
    region,
    fetchedAt: now.toISOString(),
    currency: 'USD',
    unit: 'per million tokens',
    offers: fetched.map((f) => ({
      serviceCode: f.serviceCode,
      products: f.products,
      ...(f.publicationDate ? { publicationDate: f.publicationDate } : {}),
    })),
    models: build.models,
  };
  return { table, build, malformed: fetched.reduce((a, f) => a + f.malformed, 0) };
}
