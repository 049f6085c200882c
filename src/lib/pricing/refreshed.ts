import { z } from 'zod';
import { OFFER_CODES, type OfferCode, type PriceRecord, type RateKind, type Routing } from './offers.js';

/**
 * The refreshed price table: per model (as the Price List names it), USD per million tokens for
 * regional (in-Region and geographic profiles) and global routing. Written by `prices refresh`,
 * validated by a schema whenever it is read back, so a damaged cache file is never used.
 */

const usd = z.number().finite().nonnegative();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Where a table came from: `prices refresh`, or the snapshot bundled with the tool (same parser, same shape). */
export const TABLE_SOURCES = ['AWS Price List API (GetProducts)', 'bundled Price List snapshot'] as const;

const RateSetSchema = z
  .object({
    input: usd,
    output: usd,
    cacheRead: usd.optional(),
    cacheWrite: usd.optional(),
    cacheWrite1h: usd.optional(),
    /** Batch inference, where offered (regional only). */
    batchInput: usd.optional(),
    batchOutput: usd.optional(),
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
    /** YYYY-MM-DD: the Price List's effective date of the current rates, when it said. */
    effective: day.optional(),
    /** Earlier rates, newest first: each in force from `from` (when known) until the day before `until`. */
    history: z
      .array(
        z
          .object({
            from: day.optional(),
            until: day,
            regional: RateSetSchema.optional(),
            global: RateSetSchema.optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();
export type RefreshedModel = z.infer<typeof ModelSchema>;

export const RefreshedTableSchema = z
  .object({
    kind: z.literal('bedrock-monitor price table'),
    version: z.literal(1),
    source: z.enum(TABLE_SOURCES),
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

type Slot = { usd: number; offer: OfferCode; day: string };

interface Acc {
  name: string;
  provider: string | undefined;
  offers: Set<OfferCode>;
  /** Every price seen per routing and kind, any effective date. */
  rates: Record<Routing, Partial<Record<RateKind, Slot[]>>>;
}

const dayOf = (r: PriceRecord): string => (r.effectiveDate ?? '').slice(0, 10);

function addRecord(acc: Acc, r: PriceRecord, conflicts: Set<string>): void {
  acc.provider ??= r.provider;
  acc.offers.add(r.offer);
  const slots = (acc.rates[r.routing][r.kind] ??= []);
  const sameDay = slots.find((x) => x.day === dayOf(r));
  if (!sameDay) {
    slots.push({ usd: r.usdPerMillion, offer: r.offer, day: dayOf(r) });
    return;
  }
  if (sameDay.usd !== r.usdPerMillion)
    conflicts.add(
      `${r.model} ${r.kind} (${r.routing}): ${sameDay.offer} ${sameDay.usd}, ${r.offer} ${r.usdPerMillion}`,
    );
  if (OFFER_RANK[r.offer] < OFFER_RANK[sameDay.offer]) Object.assign(sameDay, { usd: r.usdPerMillion, offer: r.offer });
}

/** The price in force on a day: the latest effective on or before it, else the earliest known. */
function slotOn(slots: Slot[] | undefined, day: string): Slot | undefined {
  if (!slots?.length) return undefined;
  const sorted = [...slots].sort((a, b) => a.day.localeCompare(b.day));
  return [...sorted].reverse().find((x) => x.day <= day) ?? sorted[0];
}

function setOn(rates: Acc['rates'][Routing], day: string): RateSet | undefined {
  const at = Object.fromEntries(Object.entries(rates).map(([kind, slots]) => [kind, slotOn(slots, day)])) as Partial<
    Record<RateKind, Slot>
  >;
  return rateSet(at);
}

const dayBefore = (d: string): string => new Date(Date.parse(`${d}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

/** The current rates and, newest first, the sets in force before each later effective date that changed a price. */
function modelOf(acc: Acc): RefreshedModel | undefined {
  const slots = (['regional', 'global'] as const).flatMap((r) => Object.values(acc.rates[r]).flat());
  const days = [...new Set(slots.map((x) => x.day).filter(Boolean))].sort();
  const latest = '9999-12-31';
  const regional = setOn(acc.rates.regional, latest);
  const global = setOn(acc.rates.global, latest);
  if (!regional && !global) return undefined;
  const history: NonNullable<RefreshedModel['history']> = [];
  for (let i = days.length - 1; i > 0; i--) {
    const before = dayBefore(days[i]!);
    const r = setOn(acc.rates.regional, before);
    const g = setOn(acc.rates.global, before);
    const after = { r: setOn(acc.rates.regional, days[i]!), g: setOn(acc.rates.global, days[i]!) };
    if (JSON.stringify([r, g]) === JSON.stringify([after.r, after.g])) continue;
    history.push({ from: days[i - 1], until: days[i]!, ...(r ? { regional: r } : {}), ...(g ? { global: g } : {}) });
  }
  return {
    name: acc.name,
    ...(acc.provider ? { provider: acc.provider } : {}),
    offers: [...acc.offers].sort((a, b) => OFFER_RANK[a] - OFFER_RANK[b]),
    ...(regional ? { regional } : {}),
    ...(global ? { global } : {}),
    ...(days.length ? { effective: days[days.length - 1] } : {}),
    ...(history.length ? { history } : {}),
  };
}

/**
 * Groups records by model and keeps, for each routing, the sets that have input and output prices. Records of one
 * model with different effective dates keep history: the latest price of each kind is current, earlier ones are
 * listed with the day they stopped applying.
 */
export function buildModels(records: PriceRecord[]): BuildResult {
  const byKey = new Map<string, Acc>();
  const conflicts = new Set<string>();
  for (const r of records) {
    const key = compactName(r.model);
    let acc = byKey.get(key);
    if (!acc) {
      acc = { name: r.model, provider: r.provider, offers: new Set(), rates: { regional: {}, global: {} } };
      byKey.set(key, acc);
    }
    addRecord(acc, r, conflicts);
  }
  const models: RefreshedModel[] = [];
  const incomplete: string[] = [];
  for (const acc of byKey.values()) {
    const model = modelOf(acc);
    if (model) models.push(model);
    else incomplete.push(acc.name);
  }
  models.sort((a, b) => a.name.localeCompare(b.name));
  return { models, incomplete: incomplete.sort(), conflicts: [...conflicts].sort() };
}

function rateSet(r: Partial<Record<RateKind, { usd: number }>>): RateSet | undefined {
  if (!r.input || !r.output) return undefined;
  const opt = (k: RateKind): Partial<RateSet> => (r[k] ? { [k]: r[k].usd } : {});
  return {
    input: r.input.usd,
    output: r.output.usd,
    ...opt('cacheRead'),
    ...opt('cacheWrite'),
    ...opt('cacheWrite1h'),
    ...opt('batchInput'),
    ...opt('batchOutput'),
  };
}

/** The model's rates for a routing in force on a day (YYYY-MM-DD): current, or the history entry covering it. */
export function ratesOn(model: RefreshedModel, routing: Routing, day: string | undefined): RateSet | undefined {
  // History is newest first: the oldest entry whose end is after the day covers it.
  const h = day ? [...(model.history ?? [])].reverse().find((x) => day < x.until) : undefined;
  return h ? h[routing] : model[routing];
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
  // Model IDs carry "-instruct"/"-chat" where Price List names do not (meta.llama3-3-70b-instruct, "Llama 3.3 70B").
  const plain = rest.replace(/(instruct|chat)$/, '');
  const withProvider = compactName(family);
  const matches = table.models.filter((m) => {
    const name = compactName(m.name);
    if (name !== rest && name !== plain && name !== withProvider) return false;
    if (!m.provider) return true;
    const p = compactName(m.provider);
    return p.startsWith(provider) || provider.startsWith(p);
  });
  // Two Price List names that compact alike would be a guess: price neither.
  return matches.length === 1 ? matches[0] : undefined;
}
