import { z } from 'zod';
import bundled from './prices.json' with { type: 'json' };

/**
 * The bundled price table (USD per million tokens), validated by a schema when first used, so a
 * hand edit that breaks it fails loudly instead of pricing tokens at zero.
 */

const usd = z.number().finite().nonnegative('must not be negative');

/** Rates for one model or family; also the shape of a config-file price override. */
export const RatesSchema = z
  .object({
    input: usd,
    output: usd,
    cacheWrite: usd,
    cacheRead: usd,
    /**
     * 1-hour prompt-cache writes (cacheWrite is the 5-minute rate). Optional: without it, 1-hour writes are priced at
     * cacheWrite.
     */
    cacheWrite1h: usd.optional(),
  })
  .strict();
export type Rates = z.infer<typeof RatesSchema>;

const EntrySchema = RatesSchema.extend({
  family: z.string().regex(/^[a-z0-9-]+\.[a-z0-9.-]+$/, 'must be provider.family, e.g. anthropic.claude-sonnet-4-5'),
  name: z.string().min(1),
  /** Whether geographic and in-Region IDs of this family carry the premium over global ones. */
  geographicPremium: z.boolean(),
  /** Whether the family has a global. cross-Region inference profile (Claude 3 models do not). */
  globalProfile: z.boolean().optional(),
  /**
   * The family's model-ID tokens as an unquoted composite term for a CloudWatch SEARCH expression
   * (ModelId=<term>): lowercase words and numbers joined by "-". Unquoted, because a double-quoted
   * term must equal a whole value; and every number whole, because numbers match only whole tokens
   * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html).
   */
  searchTerm: z
    .string()
    .regex(
      /^[a-z]+(-[a-z0-9]+)+$/,
      'must be lowercase words and whole numbers joined by "-", e.g. claude-sonnet-4-5 (no quotes)',
    ),
}).strict();
export type PriceEntry = z.infer<typeof EntrySchema>;

export const PriceTableSchema = z
  .object({
    /** Public pages the figures were taken from. */
    sources: z.array(z.string().url()).min(1),
    note: z.string(),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    currency: z.literal('USD'),
    unit: z.literal('per million tokens'),
    geographicPremium: z.number().min(0).max(1),
    models: z.array(EntrySchema).min(1),
  })
  .strict();
export type PriceTable = z.infer<typeof PriceTableSchema>;

let cached: PriceTable | undefined;

/** The bundled table, validated once. */
export function bundledPriceTable(): PriceTable {
  if (!cached) {
    const parsed = PriceTableSchema.safeParse(bundled);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(
        `src/lib/pricing/prices.json is invalid at ${issue?.path.join('.') ?? '?'}: ` +
          `${issue?.message ?? 'unknown problem'}`,
      );
    }
    cached = parsed.data;
  }
  return cached;
}
