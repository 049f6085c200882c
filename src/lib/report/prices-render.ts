import type { Output } from '../io/output.js';
import { describePrices } from '../context/prices.js';
import type { PricesListData, RefreshData } from './prices.js';

const rate = (n: number | null): string => (n === null ? '—' : `$${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`);

const SOURCE_LABEL = { config: 'config', 'price-list': 'price list', table: 'bundled' } as const;

export function renderPricesList(out: Output, data: PricesListData): void {
  out.print(`Prices in ${data.region} (USD per million tokens). In use: ${describePrices(data.inUse)}; config overrides win.`);
  out.print('');
  out.print(
    out.table(
      ['MODEL', 'SOURCE', 'ROUTING', 'INPUT', 'OUTPUT', 'CACHE READ', 'CACHE WRITE', 'CACHE WRITE 1H', 'DATE'],
      data.rows.map((r) => [r.model, SOURCE_LABEL[r.source], r.routing, rate(r.input), rate(r.output), rate(r.cacheRead), rate(r.cacheWrite), rate(r.cacheWrite1h), r.date]),
      [3, 4, 5, 6, 7],
    ),
  );
  out.print('');
  out.print('regional: in-Region and geographic (us., eu., …) profile IDs; global: global. profile IDs. The bundled table lists global rates');
  out.print('and adds its 10% geographic premium for the families that carry one. "—": not published.');
  if (data.inUse.table === 'bundled') out.print('Run `bedrock-monitor prices refresh` to fetch current prices for every model from the AWS Price List API.');
}

export function renderRefresh(out: Output, data: RefreshData): void {
  const products = data.offers.map((o) => `${o.serviceCode} ${o.products}`).join(', ');
  out.print(`${data.written ? 'Fetched' : 'Would write (--dry-run)'} ${data.models} models' token prices for ${data.region} from the AWS Price List (${products} products).`);
  out.print(`${data.written ? 'Saved to' : 'Cache file'}: ${data.path} (fetched ${data.fetchedAt})`);
  if (data.incomplete.length) out.print(`Not priced (no input or output price published): ${data.incomplete.join(', ')}`);
  if (data.conflicts.length) out.print(`Offers disagreed (the Marketplace offer was used): ${data.conflicts.length}`);
  out.print('report now uses these prices; run `bedrock-monitor prices list` to see them.');
}
