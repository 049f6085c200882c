import { z } from 'zod';
import snapshot from './snapshot/snapshot.json' with { type: 'json' };
import { normalizeModelId, type ResolvedPrice } from './price.js';
import { RefreshedTableSchema, type RefreshedTable } from './refreshed.js';

/**
 * The Price List snapshot bundled with the tool: per Region, the table `prices refresh` would build, made by
 * scripts/build-price-snapshot.mjs through the same parser (see snapshot/SOURCES.md for where each figure came
 * from). Used when no refreshed table is cached, so every on-demand token-billed model is priced offline.
 */

const BilledOtherwiseSchema = z
  .object({ model: z.string().min(1), family: z.string().min(1), billing: z.string().min(1) })
  .strict();
export type BilledOtherwise = z.infer<typeof BilledOtherwiseSchema>;

const SnapshotSchema = z
  .object({
    kind: z.literal('bedrock-monitor price snapshot'),
    version: z.literal(1),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    sources: z.string().min(1),
    note: z.string(),
    tables: z.array(RefreshedTableSchema).min(1),
    billedOtherwise: z.array(BilledOtherwiseSchema),
  })
  .strict();
export type PriceSnapshot = z.infer<typeof SnapshotSchema>;

let cached: PriceSnapshot | undefined;

/** The bundled snapshot, validated once (a broken hand edit fails loudly, never prices at zero). */
export function priceSnapshot(): PriceSnapshot {
  if (!cached) {
    const parsed = SnapshotSchema.safeParse(snapshot);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `src/lib/pricing/snapshot/snapshot.json is invalid at ${issue?.path.join('.') ?? '?'}: ` +
          `${issue?.message ?? 'unknown problem'}`,
      );
    }
    cached = parsed.data;
  }
  return cached;
}

/** The snapshot's table for a Region, or undefined when the snapshot does not cover it. */
export function snapshotTable(region: string): RefreshedTable | undefined {
  return priceSnapshot().tables.find((t) => t.region === region);
}

/** Why a model is unpriced in a Region the snapshot does not cover (and no refreshed table is cached). */
export function noRateReason(regions: string[]): string {
  return `no rate for ${regions.join(', ')} in the snapshot of ${priceSnapshot().date}; run ${refreshCommand(regions)}`;
}

/** The command that fetches the Price List table, as warnings print it: one per Region named, else the plain one. */
export function refreshCommand(regions: string[] = []): string {
  if (!regions.length) return '`bedrock-monitor prices refresh`';
  return regions.map((r) => `\`bedrock-monitor prices refresh --region ${r}\``).join(', ');
}

/**
 * Models Bedrock bills by something other than tokens (images, video, provisioned model units), by model ID; such a
 * model is named as such and never priced by tokens.
 */
export function billedOtherwise(modelId: string): BilledOtherwise | undefined {
  const id = modelId.trim();
  if (/:provisioned-model\//.test(id)) return priceSnapshot().billedOtherwise.find((b) => /provisioned/.test(b.family));
  if (/:custom-model/.test(id)) return priceSnapshot().billedOtherwise.find((b) => /custom-model/.test(b.family));
  const family = normalizeModelId(id).family ?? '';
  return priceSnapshot().billedOtherwise.find(
    (b) =>
      !b.family.startsWith('arn:') &&
      (family === b.family || family.startsWith(b.family.endsWith('.') ? b.family : `${b.family}-`)),
  );
}

/** A cache token kind a model's table states no rate for. */
export type MissingRate = 'cacheWrite1h' | 'cacheRead' | 'cacheWrite';

/**
 * The warnings for tokens a model's table states no rate for, one line per model (and Region when several are
 * priced): cache reads and writes priced at $0, 1-hour cache writes at the 5-minute rate. Keyed by model and Region
 * joined by NUL, the Region empty when only one is priced (the metrics report too).
 */
export function rateNotes(missing: Map<string, Set<MissingRate>>): Set<string> {
  const notes = new Set<string>();
  for (const [key, kinds] of missing) {
    const [model, region] = key.split('\u0000') as [string, string];
    const zero = (['cacheRead', 'cacheWrite'] as const).filter((k) => kinds.has(k));
    const what = zero.map((k) => (k === 'cacheRead' ? 'cache-read' : 'cache-write')).join(' and ');
    const where = region ? `${region}'s price table` : 'the price table';
    const refresh = refreshCommand(region ? [region] : []);
    if (zero.length)
      notes.add(
        `${model} has no ${what} rate${zero.length > 1 ? 's' : ''} in ${where}: its ${what} tokens are priced at ` +
          `$0 (if AWS bills them, the cost is under-estimated; ${refresh} fetches AWS's current table)`,
      );
    // With no cache-write rate at all, the 1-hour writes are in the $0 above.
    if (kinds.has('cacheWrite1h') && !kinds.has('cacheWrite'))
      notes.add(`${model} has no 1-hour cache-write rate: its 1-hour cache writes are priced at the 5-minute rate`);
  }
  return notes;
}

/** The kinds of `tokens` that `price` has no rate for (cache reads and writes at $0, 1-hour writes at the 5-minute). */
export function missingRates(
  price: Pick<ResolvedPrice, 'noRate' | 'cacheWrite1h'>,
  tokens: { cacheReadTokens: number | null; cacheWriteTokens: number | null; cacheWrite1hTokens?: number | null },
): MissingRate[] {
  const kinds: MissingRate[] = (price.noRate ?? []).filter(
    (k) => ((k === 'cacheRead' ? tokens.cacheReadTokens : tokens.cacheWriteTokens) ?? 0) > 0,
  );
  if ((tokens.cacheWrite1hTokens ?? 0) > 0 && price.cacheWrite1h === undefined) kinds.push('cacheWrite1h');
  return kinds;
}
