/**
 * CloudWatch's search-expression matching, as "CloudWatch search expression syntax" documents it
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/search-expression-syntax.html),
 * for checking the tool's SEARCH terms against real Bedrock model IDs without an AWS account:
 *
 * - "CloudWatch generates tokens distinguished by the camel-case capitalization in the original
 *   string. Numeric characters also serve as the start of new tokens, and non-alphanumeric
 *   characters serve as delimiters … All generated tokens are in lowercase."
 * - Partial (unquoted) terms match a whole token; "Searches can also match composite tokens, which
 *   are multiple tokens that appear consecutively in the original name."
 * - A double-quoted term matches only the exact whole string.
 */

/**
 * The tokens of one alphanumeric run: a new token at an upper-case letter after a lower-case one or a digit, and where
 * digits start.
 */
function splitRun(run: string): string[] {
  return run
    .split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[^0-9])(?=[0-9])/)
    .filter(Boolean)
    .map((t) => t.toLowerCase());
}

/**
 * Each string's tokens, computed once: every dashboard a test run writes checks each of its SEARCH terms against every
 * model ID below (test/support/contracts.ts), so the same few hundred IDs are tokenized again and again otherwise.
 */
const sequences = new Map<string, readonly string[]>();
const allTokens = new Map<string, readonly string[]>();

/** The token sequence of a name or value (without the whole-string token). */
export function tokenSequence(value: string): readonly string[] {
  let seq = sequences.get(value);
  if (!seq) {
    seq = value
      .split(/[^A-Za-z0-9]+/)
      .filter(Boolean)
      .flatMap(splitRun);
    sequences.set(value, seq);
  }
  return seq;
}

/** Every token CloudWatch generates: the whole string (delimiters dropped) and its parts. */
export function tokens(value: string): readonly string[] {
  let all = allTokens.get(value);
  if (!all) {
    all = [value.replace(/[^A-Za-z0-9]/g, '').toLowerCase(), ...tokenSequence(value)];
    allTokens.set(value, all);
  }
  return all;
}

/** Whether an unquoted (partial or composite) term matches a value. */
export function partialMatch(term: string, value: string): boolean {
  const want = tokenSequence(term);
  if (want.length === 1) return tokens(value).includes(want[0]!);
  const have = tokenSequence(value);
  for (let i = 0; i + want.length <= have.length; i++) {
    if (want.every((t, j) => have[i + j] === t)) return true;
  }
  return false;
}

/** Whether a double-quoted term matches a value: only as the exact whole string. */
export function exactMatch(term: string, value: string): boolean {
  return term === value;
}

/**
 * Real Bedrock model IDs per price-table family, as CloudWatch reports them in the ModelId
 * dimension: base IDs, geographic and global inference profiles, and inference-profile ARNs.
 */
export const MODEL_IDS: Record<string, string[]> = {
  'anthropic.claude-opus-4-6': [
    'anthropic.claude-opus-4-6-v1',
    'global.anthropic.claude-opus-4-6-v1',
    'us.anthropic.claude-opus-4-6-v1',
  ],
  'anthropic.claude-opus-4-5': [
    'anthropic.claude-opus-4-5-20251101-v1:0',
    'global.anthropic.claude-opus-4-5-20251101-v1:0',
    'eu.anthropic.claude-opus-4-5-20251101-v1:0',
  ],
  'anthropic.claude-opus-4-1': [
    'anthropic.claude-opus-4-1-20250805-v1:0',
    'us.anthropic.claude-opus-4-1-20250805-v1:0',
  ],
  'anthropic.claude-opus-4': ['anthropic.claude-opus-4-20250514-v1:0', 'us.anthropic.claude-opus-4-20250514-v1:0'],
  'anthropic.claude-3-opus': ['anthropic.claude-3-opus-20240229-v1:0', 'us.anthropic.claude-3-opus-20240229-v1:0'],
  'anthropic.claude-sonnet-4-6': [
    'anthropic.claude-sonnet-4-6',
    'global.anthropic.claude-sonnet-4-6',
    'us.anthropic.claude-sonnet-4-6',
  ],
  'anthropic.claude-sonnet-4-5': [
    'anthropic.claude-sonnet-4-5-20250929-v1:0',
    'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'jp.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'au.anthropic.claude-sonnet-4-5-20250929-v1:0',
    'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0',
  ],
  'anthropic.claude-sonnet-4': [
    'anthropic.claude-sonnet-4-20250514-v1:0',
    'us.anthropic.claude-sonnet-4-20250514-v1:0',
    'apac.anthropic.claude-sonnet-4-20250514-v1:0',
    'global.anthropic.claude-sonnet-4-20250514-v1:0',
  ],
  'anthropic.claude-3-7-sonnet': [
    'anthropic.claude-3-7-sonnet-20250219-v1:0',
    'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
  ],
  'anthropic.claude-3-5-sonnet': [
    'anthropic.claude-3-5-sonnet-20240620-v1:0',
    'anthropic.claude-3-5-sonnet-20241022-v2:0',
    'us.anthropic.claude-3-5-sonnet-20241022-v2:0',
  ],
  'anthropic.claude-3-sonnet': [
    'anthropic.claude-3-sonnet-20240229-v1:0',
    'anthropic.claude-3-sonnet-20240229-v1:0:200k',
  ],
  'anthropic.claude-haiku-4-5': [
    'anthropic.claude-haiku-4-5-20251001-v1:0',
    'us.anthropic.claude-haiku-4-5-20251001-v1:0',
    'eu.anthropic.claude-haiku-4-5-20251001-v1:0',
    'global.anthropic.claude-haiku-4-5-20251001-v1:0',
  ],
  'anthropic.claude-3-5-haiku': [
    'anthropic.claude-3-5-haiku-20241022-v1:0',
    'us.anthropic.claude-3-5-haiku-20241022-v1:0',
  ],
  'anthropic.claude-3-haiku': [
    'anthropic.claude-3-haiku-20240307-v1:0',
    'anthropic.claude-3-haiku-20240307-v1:0:200k',
    'us.anthropic.claude-3-haiku-20240307-v1:0',
    'apac.anthropic.claude-3-haiku-20240307-v1:0',
  ],
};

/** Other models' IDs, which no Claude family term may match. */
export const OTHER_MODEL_IDS = [
  'meta.llama3-1-70b-instruct-v1:0',
  'amazon.nova-micro-v1:0',
  'us.amazon.nova-pro-v1:0',
  'anthropic.claude-v2:1',
  'anthropic.claude-instant-v1',
  'mistral.mistral-large-2407-v1:0',
  'cohere.command-r-plus-v1:0',
];

export const ALL_MODEL_IDS = [...Object.values(MODEL_IDS).flat(), ...OTHER_MODEL_IDS];
