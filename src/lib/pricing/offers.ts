/**
 * AWS Price List products for Amazon Bedrock tokens, parsed into per-model rates. Pure: no AWS, no
 * clock. Three offers carry Bedrock token prices (measured against published offer files):
 *
 * - AmazonBedrockFoundationModels: models sold through AWS Marketplace (Claude 3.x-5, Cohere, …),
 *   unit "1M tokens" (some GetProducts answers say "Units" and put "Million" in the description),
 *   model named by `servicename` ("Claude Haiku 4.5 (Amazon Bedrock Edition)"), usage types such as
 *   `USE1-MP:USE1_InputTokenCount_Global-Units` or `USE1-MP:USE1_input_tokens_global_standard-Units`.
 * - AmazonBedrock: Amazon and openly licensed models and legacy Claude, unit "1K tokens", `model`
 *   and `provider` attributes, usage types such as `USE1-gpt-oss-120b-input-tokens`.
 * - AmazonBedrockService: newer SKUs (e.g. Claude Sonnet 4 cross-Region global), unit "1K tokens".
 *
 * Only on-demand, standard-tier token prices are kept, for in-Region/geographic ("regional") and
 * global routing, plus batch input and output; flex, priority, latency-optimized, long-context, reserved and
 * provisioned SKUs, the bedrock-mantle endpoint and custom models are skipped.
 */

export const OFFER_CODES = ['AmazonBedrockFoundationModels', 'AmazonBedrockService', 'AmazonBedrock'] as const;
export type OfferCode = (typeof OFFER_CODES)[number];

export type RateKind = 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'cacheWrite1h' | 'batchInput' | 'batchOutput';
export type Routing = 'regional' | 'global';

/** One token price from one product. */
export interface PriceRecord {
  offer: OfferCode;
  /** The model's display name in the Price List, e.g. "Claude Haiku 4.5" or "gpt-oss-120b". */
  model: string;
  provider: string | undefined;
  kind: RateKind;
  routing: Routing;
  usdPerMillion: number;
  usagetype: string;
  effectiveDate: string | undefined;
}

/** A GetProducts `PriceList` element, once parsed (the API returns each one as a JSON string). */
export interface PriceListProduct {
  product?: { productFamily?: string; attributes?: Record<string, string>; sku?: string };
  serviceCode?: string;
  terms?: { OnDemand?: Record<string, Term> };
  version?: string;
  publicationDate?: string;
}

interface Term {
  effectiveDate?: string;
  priceDimensions?: Record<string, { unit?: string; description?: string; pricePerUnit?: Record<string, string> }>;
}

const EDITION = / \(Amazon Bedrock Edition\)$/;

/** Marketplace (FM offer) usage types, camel grammar: USE1-MP:USE1_CacheReadInputTokenCount_Global-Units. */
const FM_CAMEL: Record<string, RateKind> = {
  InputTokenCount: 'input',
  OutputTokenCount: 'output',
  CacheReadInputTokenCount: 'cacheRead',
  CacheWriteInputTokenCount: 'cacheWrite',
  CacheWrite1hInputTokenCount: 'cacheWrite1h',
};

function classifyMarketplace(usage: string): { kind: RateKind; routing: Routing } | undefined {
  const m = /^[A-Z0-9]+-MP:[A-Z0-9]+_(.+)-Units$/.exec(usage);
  if (!m) return undefined;
  const body = m[1]!;
  const camel = /^([A-Za-z0-9]+?)(_Global)?$/.exec(body);
  if (camel && FM_CAMEL[camel[1]!]) return { kind: FM_CAMEL[camel[1]!]!, routing: camel[2] ? 'global' : 'regional' };
  // Batch: USE1-MP:USE1_InputTokenCount_Batch-Units.
  const batch = /^(Input|Output)TokenCount_Batch$/.exec(body);
  if (batch) return { kind: batch[1] === 'Input' ? 'batchInput' : 'batchOutput', routing: 'regional' };
  // Snake grammar (newer models): input_tokens_global_standard, cache_write_tokens_1h_standard.
  const io = /^(input|output)_tokens(_global)?_standard$/.exec(body);
  if (io) return { kind: io[1] === 'input' ? 'input' : 'output', routing: io[2] ? 'global' : 'regional' };
  const cache = /^cache_(read|write)_tokens(_1h)?(_global)?_standard$/.exec(body);
  if (!cache || (cache[1] === 'read' && cache[2])) return undefined;
  const kind: RateKind = cache[1] === 'read' ? 'cacheRead' : cache[2] ? 'cacheWrite1h' : 'cacheWrite';
  return { kind, routing: cache[3] ? 'global' : 'regional' };
}

/** AmazonBedrock and AmazonBedrockService grammar: USE1-<Model>-input-tokens[-cross-region-global]. */
function classifyBedrock(usage: string): { kind: RateKind; routing: Routing } | undefined {
  if (/-mantle-|custom-model/i.test(usage)) return undefined;
  const batch = /^[A-Z0-9]+-.+?-(input|output)-tokens-batch$/.exec(usage);
  if (batch) return { kind: batch[1] === 'input' ? 'batchInput' : 'batchOutput', routing: 'regional' };
  const m = new RegExp(
    /^[A-Z0-9]+-.+?-(input-tokens|output-tokens|cache-read-input-token-count|cache-write-input-token-count)/.source +
      /(-cross-region-global)?$/.source,
  ).exec(usage);
  if (!m) return undefined;
  const kinds: Record<string, RateKind> = {
    'input-tokens': 'input',
    'output-tokens': 'output',
    'cache-read-input-token-count': 'cacheRead',
    'cache-write-input-token-count': 'cacheWrite',
  };
  return { kind: kinds[m[1]!]!, routing: m[2] ? 'global' : 'regional' };
}

/** USD per million tokens from one price dimension, or undefined when it is not a token price. */
export function perMillion(
  unit: string | undefined,
  description: string | undefined,
  usd: string | undefined,
): number | undefined {
  const price = usd === undefined ? NaN : Number(usd);
  if (!Number.isFinite(price) || price < 0) return undefined;
  const u = (unit ?? '').trim().toLowerCase();
  let scale: number | undefined;
  if (u === '1k tokens') scale = 1000;
  else if (u === '1m tokens') scale = 1;
  else if (u === 'units')
    scale = /\bmillion\b/i.test(description ?? '')
      ? 1
      : /\b(1k|thousand)\b/i.test(description ?? '')
        ? 1000
        : undefined;
  if (scale === undefined) return undefined;
  // Published to ten decimal places: round to a millionth of a dollar per million tokens.
  return Math.round(price * scale * 1e6) / 1e6;
}

function offerOf(p: PriceListProduct): OfferCode | undefined {
  const code = p.serviceCode ?? p.product?.attributes?.servicecode;
  return (OFFER_CODES as readonly string[]).includes(code ?? '') ? (code as OfferCode) : undefined;
}

/** The token price a product carries, or undefined (with no error) when it is not one we keep. */
export function recordOf(p: PriceListProduct, fallbackOffer?: OfferCode): PriceRecord | undefined {
  const attrs = p.product?.attributes ?? {};
  const offer = offerOf(p) ?? fallbackOffer;
  const usage = attrs.usagetype ?? '';
  if (!offer || !usage) return undefined;
  const cls = offer === 'AmazonBedrockFoundationModels' ? classifyMarketplace(usage) : classifyBedrock(usage);
  if (!cls) return undefined;
  const model =
    offer === 'AmazonBedrockFoundationModels' ? (attrs.servicename ?? '').replace(EDITION, '') : (attrs.model ?? '');
  if (!model.trim()) return undefined;
  const terms = Object.values(p.terms?.OnDemand ?? {});
  for (const term of terms) {
    for (const dim of Object.values(term.priceDimensions ?? {})) {
      const usd = perMillion(dim.unit, dim.description, dim.pricePerUnit?.USD);
      if (usd !== undefined) {
        return {
          offer,
          model: model.trim(),
          provider: attrs.provider?.trim() || undefined,
          ...cls,
          usdPerMillion: usd,
          usagetype: usage,
          effectiveDate: term.effectiveDate,
        };
      }
    }
  }
  return undefined;
}

/** Parses GetProducts `PriceList` strings; a malformed element is counted, not fatal. */
export function parsePriceList(
  items: string[],
  offer: OfferCode,
): { records: PriceRecord[]; products: number; malformed: number } {
  const records: PriceRecord[] = [];
  let malformed = 0;
  for (const item of items) {
    let product: PriceListProduct;
    try {
      product = JSON.parse(item) as PriceListProduct;
    } catch {
      malformed++;
      continue;
    }
    const r = recordOf(product, offer);
    if (r) records.push(r);
  }
  return { records, products: items.length, malformed };
}
