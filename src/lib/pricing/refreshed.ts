import { z } from 'zod';
import { OFFER_CODES, type OfferCode, type PriceRecord, type RateKind, type Routing } from './offers.js';

/**
 * The refreshed price table: per model (as the Price List names it), USD per million tokens for
 * regional (in-Region and geographic profiles) and global routing. Written by `prices refresh`,
 * validated by a schema whenever it is read back, so a damaged cache file is never used.
 */

const usd = z.number().finite().nonnegative();

const RateSetSchema = z
  .object({
    input: usd,
    output: usd,
    cacheRead: usd.optional(),
    cacheWrite: usd.optional(),
    cacheWrite1h: usd.optional(),
  })
  .strict();
export type RateSet = z.infer<typeof RateSetSchema>;

const ModelSchema = z
  .object({
    name: z.string().min(1),
    provider: z.string().min(1).optional(),
    offers: z.array(z.enum(OFFER_CODES)).min(1),
    regional: RateSetSchema.optional(),
    global: RateSetSchema.optional(),
  })
  .strict();
export type RefreshedModel = z.infer<typeof ModelSchema>;

export const RefreshedTableSchema = z
  .object({
    kind: z.literal('bedrock-monitor price table'),
    version: z.literal(1),
    source: z.literal('AWS Price List API (GetProducts)'),
    region: z.string().min(1),
    fetchedAt: z.string().datetime(),
    currency: z.literal('USD'),
    unit: z.literal('per million tokens'),
    offers: z.array(
      z
        .object({
          serviceCode: z.enum(OFFER_CODES),
          products: z.number().int().nonnegative(),
          publicationDate: z.string().optional(),
        })
        .strict(),
    ),
    models: z.array(ModelSchema),
  })
  .strict();
export type RefreshedTable = z.infer<typeof RefreshedTableSchema>;

/** Lower index wins when two offers price the same model, kind and routing. */
const OFFER_RANK: Record<OfferCode, number> = {
  AmazonBedrockFoundationModels: 0,
  AmazonBedrockService: 1,
  AmazonBedrock: 2,
};

/** Letters and digits only, ".0" version tails collapsed: "Nova 2.0 Lite" ≡ "nova-2-lite" ≡ "nova2lite". */
export function compactName(s: string): string {
  return s
    .toLowerCase()
    .replace(/(\d+)\.0\b/g, '$1')
    .replace(/[^a-z0-9]/g, '');
}

export interface BuildResult {
  models: RefreshedModel[];
  /** Models dropped because an input or output price is missing for every routing. */
  incomplete: string[];
  /** Same model, kind and routing priced differently by two offers (the preferred offer wins). */
  conflicts: string[];
}

interface Acc {
  name: string;
  provider: string | undefined;
  offers: Set<OfferCode>;
  rates: Record<Routing, Partial<Record<RateKind, { usd: number; offer: OfferCode }>>>;
}

/** Groups records by model and keeps, for each routing, the sets that have input and output prices. */
export function buildModels(records: PriceRecord[]): BuildResult {
  const byKey = new Map<string, Acc>();
  const conflicts = new Set<string>();
  for (const r of records) {
    const key = compactName(r.model);
    const acc = byKey.get(key) ?? {
      name: r.model,
      provider: r.provider,
      offers: new Set<OfferCode>(),
      rates: { regional: {}, global: {} },
    };
    acc.provider ??= r.provider;
    acc.offers.add(r.offer);
    const prev = acc.rates[r.routing][r.kind];
    if (prev && prev.usd !== r.usdPerMillion)
      conflicts.add(`${r.model} ${r.kind} (${r.routing}): ${prev.offer} ${prev.usd}, ${r.offer} ${r.usdPerMillion}`);
    if (!prev || OFFER_RANK[r.offer] < OFFER_RANK[prev.offer])
      acc.rates[r.routing][r.kind] = { usd: r.usdPerMillion, offer: r.offer };
    byKey.set(key, acc);
  }
  const models: RefreshedModel[] = [];
  const incomplete: string[] = [];
  for (const acc of byKey.values()) {
    const regional = rateSet(acc.rates.regional);
    const global = rateSet(acc.rates.global);
    if (!regional && !global) {
      incomplete.push(acc.name);
      continue;
    }
    models.push({
      name: acc.name,
      ...(acc.provider ? { provider: acc.provider } : {}),
      offers: [...acc.offers].sort((a, b) => OFFER_RANK[a] - OFFER_RANK[b]),
      ...(regional ? { regional } : {}),
      ...(global ? { global } : {}),
    });
  }
  models.sort((a, b) => a.name.localeCompare(b.name));
  return { models, incomplete: incomplete.sort(), conflicts: [...conflicts].sort() };
}

function rateSet(r: Partial<Record<RateKind, { usd: number }>>): RateSet | undefined {
  if (!r.input || !r.output) return undefined;
  return {
    input: r.input.usd,
    output: r.output.usd,
    ...(r.cacheRead ? { cacheRead: r.cacheRead.usd } : {}),
    ...(r.cacheWrite ? { cacheWrite: r.cacheWrite.usd } : {}),
    ...(r.cacheWrite1h ? { cacheWrite1h: r.cacheWrite1h.usd } : {}),
  };
}

/**
 * The refreshed entry for a model family (provider.name, from normalizeModelId), or undefined.
 * Names are compared with letters and digits only, with or without the provider ("Anthropic
 * Claude …" and "Claude …"); a Price List provider, when given, must agree with the ID's.
 */
export function findModel(table: RefreshedTable, family: string): RefreshedModel | undefined {
  const dot = family.indexOf('.');
  const provider = family.slice(0, dot);
  const rest = compactName(family.slice(dot + 1));
  const withProvider = compactName(family);
  const matches = table.models.filter((m) => {
    const name = compactName(m.name);
    if (name !== rest && name !== withProvider) return false;
    if (!m.provider) return true;
    const p = compactName(m.provider);
    return p.startsWith(provider) || provider.startsWith(p);
  });
  // Two Price List names that compact alike would be a guess: price neither.
  return matches.length === 1 ? matches[0] : undefined;
}
