import { compactName } from '../pricing/refreshed.js';

/**
 * What a Bedrock line item of the bill is, from its usage type and product, using the grammars the Price List uses
 * (src/lib/pricing/offers.ts) and CUR 2.0 writes: `USE1-Claude4.6Sonnet-input-tokens`,
 * `USE1-NovaPro-cache-read-input-token-count`, `USE1-Llama3-1-405B-output-tokens-batch`,
 * `USE1-MP:USE1_CacheWrite1hInputTokenCount_Global-Units` (Marketplace, model in the product name), provisioned
 * throughput by model-unit hours, and the bedrock-mantle (OpenAI-compatible) endpoint's `-mantle-` types.
 */

export type TokenKind = 'input' | 'output' | 'cacheRead' | 'cacheWrite' | 'cacheWrite1h';
export type Routing = 'regional' | 'global';

export type UsageClass =
  | { type: 'tokens'; kind: TokenKind; routing: Routing; model: string }
  | { type: 'batch'; model: string }
  | { type: 'mantle'; model: string }
  | { type: 'provisioned'; model: string }
  | { type: 'other' };

const CAMEL: Record<string, TokenKind> = {
  InputTokenCount: 'input',
  OutputTokenCount: 'output',
  CacheReadInputTokenCount: 'cacheRead',
  CacheWriteInputTokenCount: 'cacheWrite',
  CacheWrite1hInputTokenCount: 'cacheWrite1h',
};

const DASHED: Record<string, TokenKind> = {
  'input-tokens': 'input',
  'output-tokens': 'output',
  'cache-read-input-token-count': 'cacheRead',
  'cache-write-input-token-count': 'cacheWrite',
  'cache-write-1h-input-token-count': 'cacheWrite1h',
};

function marketplace(usage: string, model: string): UsageClass | undefined {
  const m = /^[A-Z0-9]+-MP:[A-Z0-9]+_(.+)-Units$/.exec(usage);
  if (!m) return undefined;
  const body = m[1]!;
  if (/_Batch$/.test(body)) return { type: 'batch', model };
  if (/Reserved|ProvisionedThroughput|ModelUnit/i.test(body)) return { type: 'provisioned', model };
  const camel = /^([A-Za-z0-9]+?)(_Global)?$/.exec(body);
  const kind = camel && CAMEL[camel[1]!];
  if (kind) return { type: 'tokens', kind, routing: camel[2] ? 'global' : 'regional', model };
  const snake = /^(input|output|cache_read|cache_write)_tokens(_1h)?(_global)?_standard$/.exec(body);
  if (!snake) return { type: 'other' };
  const k = { input: 'input', output: 'output', cache_read: 'cacheRead', cache_write: 'cacheWrite' }[snake[1]!]!;
  return {
    type: 'tokens',
    kind: (k === 'cacheWrite' && snake[2] ? 'cacheWrite1h' : k) as TokenKind,
    routing: snake[3] ? 'global' : 'regional',
    model,
  };
}

/** Classifies one line item; `productName` is CUR's (e.g. "Claude Sonnet 4.6 (Amazon Bedrock Edition)"). */
export function classifyUsage(usageType: string, productName: string): UsageClass {
  const edition = productName.replace(/ \(Amazon Bedrock Edition\)$/, '').trim();
  const mp = marketplace(usageType, edition);
  if (mp) return mp;
  if (/ProvisionedThroughput|ModelUnit|-PT-/i.test(usageType)) {
    return {
      type: 'provisioned',
      model: /^[A-Z0-9]+-(.+?)-(ProvisionedThroughput|ModelUnit|PT)/i.exec(usageType)?.[1] ?? '',
    };
  }
  const m = new RegExp(
    '^[A-Z0-9]+-(.+?)-(input-tokens|output-tokens|cache-read-input-token-count|' +
      'cache-write(?:-1h)?-input-token-count)(.*)$',
  ).exec(usageType);
  if (!m) return { type: 'other' };
  const [, model, kindText, tail] = m as unknown as [string, string, string, string];
  if (/-mantle/.test(model) || /mantle/.test(tail)) return { type: 'mantle', model: model.replace(/-mantle$/, '') };
  if (/^-batch$/.test(tail)) return { type: 'batch', model };
  if (tail && tail !== '-cross-region-global') return { type: 'other' };
  return { type: 'tokens', kind: DASHED[kindText]!, routing: tail ? 'global' : 'regional', model };
}

/**
 * A key that a bill's model name and a model ID's family share: the lowercase words sorted (without provider and
 * "instruct"/"chat"), then the digits in order ("Claude4.6Sonnet", "Claude Sonnet 4.6" and anthropic.claude-sonnet-4-6
 * agree; so do "Mistral Large (24.02)" and mistral.mistral-large-2402).
 */
export function modelKey(name: string): string {
  const noProvider = /^[a-z0-9-]+\.[a-z]/.test(name) ? name.slice(name.indexOf('.') + 1) : name;
  const text = noProvider
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/(\d+)\.0(?!\d)/g, '$1');
  const words = (text.match(/[a-z]+/g) ?? []).filter((w) => w !== 'instruct' && w !== 'chat').sort();
  const digits = (text.match(/\d+/g) ?? []).join('');
  return words.length || digits ? `${words.join(' ')}|${digits}` : compactName(name);
}
