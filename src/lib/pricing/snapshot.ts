import { z } from 'zod';
import snapshot from './snapshot/snapshot.json' with { type: 'json' };
import { normalizeModelId } from './price.js';
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
