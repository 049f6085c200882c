import { normalizeModelId } from '../pricing/price.js';
import { compactName } from '../pricing/refreshed.js';

const round = (n: number, digits: number): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Quota headroom, the compute stage (pure): per model and inference type, the peak tokens and
 * requests per minute in the window against the account's applied Service Quotas.
 *
 * Tokens count as the quota counts them ("How tokens are counted in Amazon Bedrock",
 * https://docs.aws.amazon.com/bedrock/latest/userguide/quotas-token-burndown.html): input tokens +
 * cache-write tokens + output tokens × the model's burndown rate; cache reads are not counted.
 * Where CloudWatch has EstimatedTPMQuotaUsage for a model (AWS's own estimate, "including cache
 * write tokens and output burndown multipliers"), that is used instead.
 */

export type InferenceType = 'on-demand' | 'cross-region' | 'global';

/**
 * Output-token burndown rates, as data: family pattern → multiplier. The page's current wording, as quoted
 * verbatim by several independent readers in 2026 (the stored copy of the AWS page is the older list:
 * Opus 4, Sonnet 4, … 5x): "The burndown rate for Anthropic Claude models version 4.8 is 15x for output
 * tokens … Claude Opus 5.5, Claude Sonnet 5, Claude Opus 5, and Claude Fable 5.1 is 10x … For all other
 * Anthropic models version 4.7 and below, the burndown is 5x for output tokens." "For all other models, the
 * burndown rate is 1:1." So Haiku 4.5 is 5x (an AWS blog's "1:1 for Claude Haiku 4.5" predates it), and Claude 3
 * models are 5x on the literal reading, where older wording gave them 1:1: that rule carries a note (the safe
 * side: headroom is never overstated). An Anthropic family the page does not name gets 1x with a note.
 * Config `quotas.burndown` overrides any of them; EstimatedTPMQuotaUsage makes them moot where CloudWatch
 * publishes it.
 */
export const BURNDOWN = {
  source: 'https://docs.aws.amazon.com/bedrock/latest/userguide/quotas-token-burndown.html',
  date: '2026-12-06',
  rules: [
    { family: '^anthropic\\.claude-(opus|sonnet|haiku)-4-8$', multiplier: 15 },
    { family: '^anthropic\\.claude-(sonnet-5|opus-5|opus-5-5|fable-5-1)$', multiplier: 10 },
    { family: '^anthropic\\.claude-(opus|sonnet|haiku)-4(-[1-7])?$', multiplier: 5 },
    { family: '^anthropic\\.claude-3-7-sonnet$', multiplier: 5 },
    {
      family: '^anthropic\\.claude(-3(-5)?-(haiku|sonnet|opus)|-instant)?$',
      multiplier: 5,
      note:
        'burndown 5x assumed: AWS gives 5x to "all other Anthropic models version 4.7 and below", where older ' +
        'wording gave this model 1:1 (set quotas.burndown to override)',
    },
  ] as { family: string; multiplier: number; note?: string }[],
  default: 1,
  unnamed: 'burndown 1x assumed: AWS does not name this Anthropic model (set quotas.burndown to override)',
};

const burndownRule = (family: string): { multiplier: number; note?: string } | undefined =>
  BURNDOWN.rules.find((r) => new RegExp(r.family).test(family));

export function burndownFor(family: string, overrides: Record<string, number> = {}): number {
  if (overrides[family] !== undefined) return overrides[family];
  return burndownRule(family)?.multiplier ?? BURNDOWN.default;
}

/** Why a family's rate is an assumption (ambiguous or unnamed on AWS's page), unless config sets it. */
export function burndownNote(family: string, overrides: Record<string, number> = {}): string | undefined {
  if (overrides[family] !== undefined) return undefined;
  const rule = burndownRule(family);
  if (rule) return rule.note;
  return family.startsWith('anthropic.') ? BURNDOWN.unnamed : undefined;
}

/** A Service Quotas quota, as ListServiceQuotas / ListAWSDefaultServiceQuotas return it. */
export interface Quota {
  QuotaCode?: string;
  QuotaName?: string;
  Value?: number;
}

export interface QuotaRef {
  code: string;
  name: string;
  value: number;
}

interface ParsedQuota extends QuotaRef {
  type: InferenceType;
  metric: 'tokens' | 'requests';
  model: string;
}

const QUOTA_NAME = new RegExp(
  /^(on-demand|cross-?region|global cross-?region) (?:model inference|invokemodel) /.source +
    /(tokens|requests) per minute for (.+)$/.source,
  'i',
);

/**
 * Names vary ("On-demand model inference tokens per minute for Anthropic Claude 3 Haiku", "Cross-Region
 * InvokeModel tokens per minute for ${model}", "… for Anthropic Claude Sonnet 4.5 V1"): matched
 * loosely, never by a shipped quota code.
 */
export function parseQuota(q: Quota): ParsedQuota | undefined {
  const m = QUOTA_NAME.exec((q.QuotaName ?? '').trim());
  if (!m || !q.QuotaCode || q.Value === undefined) return undefined;
  const kind = m[1]!.toLowerCase().replace('-', '');
  const type: InferenceType = kind.startsWith('global')
    ? 'global'
    : kind.startsWith('cross')
      ? 'cross-region'
      : 'on-demand';
  return {
    code: q.QuotaCode,
    name: q.QuotaName!,
    value: q.Value,
    type,
    metric: m[2]!.toLowerCase() as 'tokens' | 'requests',
    model: compactName(m[3]!).replace(/v1$/, ''),
  };
}

/** Applied values win over defaults, by quota code (ListServiceQuotas omits some quotas). */
export function mergeQuotas(applied: Quota[], defaults: Quota[]): Quota[] {
  const byCode = new Map<string, Quota>();
  for (const q of defaults) if (q.QuotaCode) byCode.set(q.QuotaCode, q);
  for (const q of applied) if (q.QuotaCode) byCode.set(q.QuotaCode, q);
  return [...byCode.values()];
}

export function inferenceTypeOf(modelId: string): InferenceType | undefined {
  const scope = normalizeModelId(modelId).scope;
  return scope === 'global'
    ? 'global'
    : scope === 'geographic'
      ? 'cross-region'
      : scope === 'in-region'
        ? 'on-demand'
        : undefined;
}

/** The quota for a family, type and metric; with several candidates the smallest (with a note). */
export function matchQuota(
  quotas: ParsedQuota[],
  family: string,
  type: InferenceType,
  metric: 'tokens' | 'requests',
): { quota: QuotaRef | null; candidates: number } {
  const dot = family.indexOf('.');
  const keys = new Set([compactName(family.slice(dot + 1)), compactName(family)]);
  const found = quotas
    .filter((q) => q.type === type && q.metric === metric && keys.has(q.model))
    .sort((a, b) => a.value - b.value);
  const best = found[0];
  return { quota: best ? { code: best.code, name: best.name, value: best.value } : null, candidates: found.length };
}

/** One model's per-minute sums over the window, indexed by minute from the window start. */
export interface MinuteSeries {
  modelId: string;
  invocations?: Float64Array;
  inputTokens?: Float64Array;
  outputTokens?: Float64Array;
  cacheWriteTokens?: Float64Array;
  /** EstimatedTPMQuotaUsage, when CloudWatch publishes it for the model. */
  estimatedTpm?: Float64Array;
}

export interface HeadroomRow {
  /** The CloudWatch model IDs that share the quota (usually one). */
  models: string[];
  family: string | null;
  inferenceType: InferenceType | null;
  peakTokensPerMinute: number;
  peakTokensAt: string | null;
  /** estimated: EstimatedTPMQuotaUsage; computed: input + cache write + output × burndown. */
  tokensMethod: 'estimated' | 'computed' | 'mixed';
  burndown: number;
  peakRequestsPerMinute: number;
  peakRequestsAt: string | null;
  tpmQuota: QuotaRef | null;
  rpmQuota: QuotaRef | null;
  tpmPercent: number | null;
  rpmPercent: number | null;
  /** At or above the warning percentage of either quota. */
  flagged: boolean;
  note?: string;
}

/** The report's `quotas` section (report --quotas): exactly what --json prints. */
export interface QuotaHeadroom {
  available: boolean;
  /** Why there are no rows (the window is older than CloudWatch's 1-minute data). */
  reason?: string;
  warnPercent: number;
  burndown: { source: string; date: string };
  /** How many Bedrock quotas Service Quotas returned. */
  quotasRead: number;
  rows: HeadroomRow[];
  notes: string[];
}

export interface HeadroomInput {
  start: Date;
  minutes: number;
  series: MinuteSeries[];
  quotas: Quota[];
  warnPercent: number;
  burndown: Record<string, number>;
}

/** Quota tokens in each minute for one model: AWS's estimate when present, else the documented formula. */
function quotaTokens(s: MinuteSeries, minutes: number, burndown: number): Float64Array {
  if (s.estimatedTpm) return s.estimatedTpm;
  const out = new Float64Array(minutes);
  for (let i = 0; i < minutes; i++)
    out[i] = (s.inputTokens?.[i] ?? 0) + (s.cacheWriteTokens?.[i] ?? 0) + (s.outputTokens?.[i] ?? 0) * burndown;
  return out;
}

function peak(values: Float64Array, start: Date): { value: number; at: string | null } {
  let best = 0;
  let at = -1;
  for (let i = 0; i < values.length; i++) if (values[i]! > best) [best, at] = [values[i]!, i];
  return { value: round(best, 3), at: at < 0 ? null : new Date(start.getTime() + at * 60_000).toISOString() };
}

const pctOf = (value: number, q: QuotaRef | null): number | null =>
  q && q.value > 0 ? round((value / q.value) * 100, 1) : null;

/**
 * The family a quota is named for: the model's version when above 1 stays ("anthropic.claude-3-5-sonnet-20241022-
 * v2:0" has its own quota, "… for Anthropic Claude 3.5 Sonnet V2", apart from the V1 model's "… Claude 3.5 Sonnet").
 */
export function quotaFamily(modelId: string): string | undefined {
  const family = normalizeModelId(modelId).family;
  const version = /-v(\d+)(?::\d+)?(?::\d+k)?$/.exec(modelId.trim());
  const n = version ? Number(version[1]) : 1;
  return family && n > 1 ? `${family}-v${n}` : family;
}

function groupKey(modelId: string): string {
  const family = quotaFamily(modelId);
  const type = inferenceTypeOf(modelId);
  return family && type ? `${type} ${family}` : `model ${modelId}`;
}

/** Rows: models sharing one quota (same family and inference type) are summed minute by minute. */
export function computeHeadroom(input: HeadroomInput): HeadroomRow[] {
  const parsed = input.quotas.map(parseQuota).filter((q): q is ParsedQuota => q !== undefined);
  const groups = new Map<string, MinuteSeries[]>();
  for (const s of input.series) groups.set(groupKey(s.modelId), [...(groups.get(groupKey(s.modelId)) ?? []), s]);
  const rows = [...groups.values()].map((members) => headroomRow(members, parsed, input));
  return rows.sort(
    (a, b) =>
      (b.tpmPercent ?? -1) - (a.tpmPercent ?? -1) ||
      b.peakTokensPerMinute - a.peakTokensPerMinute ||
      a.models[0]!.localeCompare(b.models[0]!),
  );
}

function headroomRow(members: MinuteSeries[], quotas: ParsedQuota[], input: HeadroomInput): HeadroomRow {
  const { minutes, start } = input;
  const first = members[0]!.modelId;
  const family = normalizeModelId(first).family ?? null;
  const quotaKey = quotaFamily(first);
  const type = inferenceTypeOf(first) ?? null;
  const burndown = family ? burndownFor(family, input.burndown) : 1;
  const assumed = family ? burndownNote(family, input.burndown) : undefined;
  const tokens = new Float64Array(minutes);
  const requests = new Float64Array(minutes);
  for (const s of members) {
    const t = quotaTokens(s, minutes, burndown);
    for (let i = 0; i < minutes; i++) {
      tokens[i]! += t[i] ?? 0;
      requests[i]! += s.invocations?.[i] ?? 0;
    }
  }
  const estimated = members.filter((s) => s.estimatedTpm).length;
  const pt = peak(tokens, start);
  const pr = peak(requests, start);
  const tpm = quotaKey && type ? matchQuota(quotas, quotaKey, type, 'tokens') : { quota: null, candidates: 0 };
  const rpm = quotaKey && type ? matchQuota(quotas, quotaKey, type, 'requests') : { quota: null, candidates: 0 };
  const tpmPercent = pctOf(pt.value, tpm.quota);
  const rpmPercent = pctOf(pr.value, rpm.quota);
  const notes = [
    ...(!type ? ['application inference profile: its model and quota are not known from the ID'] : []),
    ...(tpm.candidates > 1 ? [`${tpm.candidates} token quotas match; the smallest is used`] : []),
    ...(assumed && estimated < members.length ? [assumed] : []),
  ];
  return {
    models: members.map((s) => s.modelId).sort(),
    family,
    inferenceType: type,
    peakTokensPerMinute: pt.value,
    peakTokensAt: pt.at,
    tokensMethod: estimated === members.length ? 'estimated' : estimated === 0 ? 'computed' : 'mixed',
    burndown,
    peakRequestsPerMinute: pr.value,
    peakRequestsAt: pr.at,
    tpmQuota: tpm.quota,
    rpmQuota: rpm.quota,
    tpmPercent,
    rpmPercent,
    flagged: (tpmPercent ?? 0) >= input.warnPercent || (rpmPercent ?? 0) >= input.warnPercent,
    ...(notes.length ? { note: notes.join('; ') } : {}),
  };
}
