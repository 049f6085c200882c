import { findModel, ratesOn, type RefreshedTable } from './refreshed.js';
import { bundledPriceTable, type Rates } from './table.js';

/** Model IDs normalised to a family and priced from the table, a config override winning. */

export type Scope = 'global' | 'geographic' | 'in-region' | 'application-profile';

export interface ModelRef {
  modelId: string;
  /** Provider and family without profile prefix, date or version, e.g. anthropic.claude-sonnet-4-5. */
  family: string | undefined;
  scope: Scope;
}

const GEO_PREFIX = /^(us|eu|apac|jp|au|ca|us-gov)\./;

/** Normalises ARNs, inference-profile prefixes and version suffixes to a model family. */
export function normalizeModelId(modelId: string): ModelRef {
  let id = modelId.trim();
  let scope: Scope = 'in-region';
  if (id.startsWith('arn:')) {
    if (/:application-inference-profile\//.test(id))
      return { modelId, family: undefined, scope: 'application-profile' };
    id = id.slice(id.lastIndexOf('/') + 1);
  }
  if (id.startsWith('global.')) {
    scope = 'global';
    id = id.slice('global.'.length);
  } else if (GEO_PREFIX.test(id)) {
    scope = 'geographic';
    id = id.replace(GEO_PREFIX, '');
  }
  const family = id
    .replace(/:\d+k$/, '') // context-window variants such as :200k
    .replace(/-v\d+(:\d+)?$/, '') // -v1:0, -v2
    .replace(/:\d+$/, '')
    .replace(/-\d{8}$/, '') // release date
    .replace(/(\d[a-z])-\d+$/, '$1'); // a release counter after a size: openai.gpt-oss-120b-1:0
  return { modelId, family, scope };
}

export interface ResolvedPrice {
  /** USD per million tokens, with any geographic premium already applied. */
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  /** The 1-hour cache-write rate; undefined when the table or override has none (then cacheWrite applies). */
  cacheWrite1h: number | undefined;
  /** Batch inference rates, when the table has them. */
  batchInput?: number;
  batchOutput?: number;
  /** YYYY-MM-DD the rates took effect, when the Price List (or the snapshot) says. */
  effective?: string;
  /** config: an override in the config file; price-list: the table `prices refresh` fetched; table: the bundled one. */
  source: 'table' | 'config' | 'price-list';
  /** Display name of the family, or the model ID for a config override. */
  name: string;
  premium: number;
  /** Cache token kinds the table states no rate for (priced at 0 above): a report that has such tokens says so. */
  noRate?: ('cacheRead' | 'cacheWrite')[];
}

/**
 * The price of a model ID: a config override (by exact model ID, then by family) wins over the
 * refreshed Price List table (when given), which wins over the bundled table. Undefined means
 * unpriced: never guessed.
 */
export function priceFor(
  modelId: string,
  overrides: Record<string, Rates> = {},
  refreshed?: RefreshedTable,
  /** YYYY-MM-DD: price at the rate in force that day (the table's history), else the current rate. */
  day?: string,
  /** false: no fallback to the bundled Claude list prices (a Region neither refreshed nor in the snapshot). */
  bundled = true,
): ResolvedPrice | undefined {
  const exact = overrides[modelId];
  if (exact) return { ...exact, cacheWrite1h: exact.cacheWrite1h, source: 'config', name: modelId, premium: 0 };
  const ref = normalizeModelId(modelId);
  if (!ref.family) return undefined;
  const byFamily = overrides[ref.family];
  if (byFamily)
    return { ...byFamily, cacheWrite1h: byFamily.cacheWrite1h, source: 'config', name: ref.family, premium: 0 };
  return (refreshed && refreshedPrice(refreshed, ref, day)) ?? (bundled ? bundledPrice(ref) : undefined);
}

/**
 * From the refreshed table: global rates for `global.` IDs, regional rates (the Price List's
 * in-Region SKUs, which AWS also bills for geographic profiles) for the others. A model whose
 * routing the Price List does not price is left to the bundled table.
 */
function noRateOf(rates: { cacheRead?: number; cacheWrite?: number }): Pick<ResolvedPrice, 'noRate'> {
  const none = (['cacheRead', 'cacheWrite'] as const).filter((k) => rates[k] === undefined);
  return none.length ? { noRate: [...none] } : {};
}

function refreshedPrice(table: RefreshedTable, ref: ModelRef, day: string | undefined): ResolvedPrice | undefined {
  const model = findModel(table, ref.family!);
  const rates = model && ratesOn(model, ref.scope === 'global' ? 'global' : 'regional', day);
  if (!model || !rates) return undefined;
  const superseded = day !== undefined && rates !== model[ref.scope === 'global' ? 'global' : 'regional'];
  return {
    input: rates.input,
    output: rates.output,
    cacheWrite: rates.cacheWrite ?? 0,
    cacheRead: rates.cacheRead ?? 0,
    cacheWrite1h: rates.cacheWrite1h ?? undefined,
    ...noRateOf(rates),
    ...(rates.batchInput !== undefined ? { batchInput: rates.batchInput } : {}),
    ...(rates.batchOutput !== undefined ? { batchOutput: rates.batchOutput } : {}),
    ...(model.effective && !superseded ? { effective: model.effective } : {}),
    source: 'price-list',
    name: model.name,
    premium: 0,
  };
}

function bundledPrice(ref: ModelRef): ResolvedPrice | undefined {
  const table = bundledPriceTable();
  const entry = table.models.find((m) => m.family === ref.family);
  if (!entry) return undefined;
  const premium =
    entry.geographicPremium && (ref.scope === 'geographic' || ref.scope === 'in-region') ? table.geographicPremium : 0;
  // Prices are stated to the millionth of a dollar per million tokens: no float noise such as 3.3000000000000003.
  const f = (usd: number): number => Math.round(usd * (1 + premium) * 1e6) / 1e6;
  return {
    input: f(entry.input),
    output: f(entry.output),
    cacheWrite: f(entry.cacheWrite),
    cacheRead: f(entry.cacheRead),
    cacheWrite1h: entry.cacheWrite1h === undefined ? undefined : f(entry.cacheWrite1h),
    source: 'table',
    name: entry.name,
    premium,
  };
}

export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** The part of cacheWriteTokens written with a 1-hour TTL, when known (priced at cacheWrite1h). */
  cacheWrite1hTokens?: number;
}

/** Cost in USD, rounded to a millionth of a dollar so that sums do not collect float noise. */
export function costUsd(t: TokenCounts, p: ResolvedPrice): number {
  const oneHour = Math.min(t.cacheWrite1hTokens ?? 0, t.cacheWriteTokens);
  const micro =
    t.inputTokens * p.input +
    t.outputTokens * p.output +
    (t.cacheWriteTokens - oneHour) * p.cacheWrite +
    oneHour * (p.cacheWrite1h ?? p.cacheWrite) +
    t.cacheReadTokens * p.cacheRead;
  return Math.round(micro) / 1e6;
}
