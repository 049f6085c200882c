import { bundledPriceTable } from '../pricing/table.js';
import type { Output } from '../io/output.js';
import { modelIdForms } from '../io/model-id.js';
import type { Column } from '../io/table.js';
import { describePrices } from '../context/prices.js';
import type { PricesListData, RefreshData } from './prices.js';

const NOT_PUBLISHED = '—';
/** Made once: toLocaleString with options makes a formatter per call (~34 µs, against ~0.8 µs with this one). */
const USD_RATE = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 });
const rate = (n: number | null): string => (n === null ? NOT_PUBLISHED : `$${USD_RATE.format(n)}`);

const SOURCE_LABEL = { config: 'config', 'price-list': 'price list', snapshot: 'snapshot', table: 'bundled' } as const;

/** A model ID or family as a config override names it (`anthropic.claude-3-haiku`), not a Price List name. */
const MODEL_ID = /^[a-z0-9-]+\.[a-z0-9.:-]+$/;

/**
 * Model, routing and the input and output rates stay; in a narrow terminal the cache rates and the
 * date go first (a column of nothing but "—" before anything), then a config override's model ID is
 * shortened (never a Price List name: "Claude Opus 4.6" has no shorter form), then the source.
 * Model names never wrap: "Claude Opus 4." over "6" would misread. Into a pipe, everything.
 */
const COLUMNS: Column[] = [
  { head: 'MODEL', priority: 0, shorter: (cell) => (MODEL_ID.test(cell) ? modelIdForms(cell) : []) },
  { head: 'SOURCE', priority: 1, keep: true },
  { head: 'ROUTING', priority: 0 },
  { head: 'INPUT', priority: 0, align: 'right' },
  { head: 'OUTPUT', priority: 0, align: 'right' },
  { head: 'CACHE READ', priority: 2, align: 'right' },
  { head: 'CACHE WRITE', priority: 3, align: 'right' },
  { head: 'CACHE WRITE 1H', priority: 5, align: 'right' },
  { head: 'BATCH IN', priority: 6, align: 'right' },
  { head: 'BATCH OUT', priority: 6, align: 'right' },
  { head: 'DATE', priority: 4, wrap: true },
];

export function renderPricesList(out: Output, data: PricesListData): void {
  out.say(
    `Prices in ${data.region} (USD per million tokens). In use: ${describePrices(data.inUse)}; config overrides win.`,
  );
  out.print('');
  out.print(
    out.fitTable({
      columns: COLUMNS,
      rows: data.rows.map((r) => [
        r.model,
        SOURCE_LABEL[r.source],
        r.routing,
        rate(r.input),
        rate(r.output),
        rate(r.cacheRead),
        rate(r.cacheWrite),
        rate(r.cacheWrite1h),
        rate(r.batchInput),
        rate(r.batchOutput),
        r.date,
      ]),
      missing: NOT_PUBLISHED,
    }),
  );
  out.print('');
  const premium = Math.round(bundledPriceTable().geographicPremium * 100);
  out.say(
    `regional: in-Region and geographic (us., eu., …) profile IDs; global: global. profile IDs (only models that ` +
      `have one). The bundled Claude table adds its ${premium}% geographic premium to regional rates for the ` +
      `families that carry one. DATE: when the rate took effect. "—": not published.`,
  );
  if (data.inUse.table !== 'refreshed')
    out.say(
      'Run `bedrock-monitor prices refresh` to fetch current prices for every model from the AWS Price List API.',
    );
}

export function renderRefresh(out: Output, data: RefreshData): void {
  const products = data.offers.map((o) => `${o.serviceCode} ${o.products}`).join(', ');
  out.say(
    `${data.written ? 'Fetched' : 'Would write (--dry-run)'} ${data.models} models' token prices for ` +
      `${data.region} from the AWS Price List (${products} products).`,
  );
  out.say(`${data.written ? 'Saved to' : 'Cache file'}: ${data.path} (fetched ${data.fetchedAt})`);
  if (data.incomplete.length) out.say(`Not priced (no input or output price published): ${data.incomplete.join(', ')}`);
  if (data.conflicts.length) out.say(`Offers disagreed (the Marketplace offer was used): ${data.conflicts.length}`);
  out.say('report now uses these prices; run `bedrock-monitor prices list` to see them.');
}
