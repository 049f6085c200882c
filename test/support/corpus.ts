import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { prng, prngAfter } from './synthetic.js';

/**
 * A deterministic corpus of SYNTHETIC Bedrock model invocation logs, laid out as Bedrock writes them
 * to S3 (`<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/<time>_<id>.json.gz`),
 * with realistic bodies, many principals, tags, models, operations, errors and prompt-cache use, and
 * the truth: what a correct reader must find, per principal, role, tag, application, model,
 * operation, day and hour, costed with its own rate table (not the tool's). Test support only:
 * never shipped. Same spec, same bytes.
 *
 * What the truth counts, record by record (the rules the tool documents):
 * - invocations: every record whose timestamp is in the window, errors included; errors: those with errorCode;
 * - tokens: the counts the record carries (input.*TokenCount, output.outputTokenCount);
 * - 1-hour cache writes: only where the record says the TTL (Converse usage.cacheDetails, Anthropic
 *   usage.cache_creation); streamed bodies are chunk arrays the reader does not open;
 * - latency: output.outputBodyJson.metrics.latencyMs of successful Converse records;
 * - malformed lines, `data/` objects and the zero-byte permission-check object are not records.
 */

export interface CorpusSpec {
  seed: number;
  records: number;
  /** Start of the first hour (UTC, whole hour). */
  start: Date;
  hours: number;
  filesPerHour: number;
  account: string;
  region: string;
  /** The logging configuration's key prefix ('' for none). */
  keyPrefix: string;
  /** Average bytes of prompt and response bodies per record (about 3,800 makes 1 GB from 260k records). */
  bodyBytes: number;
  /** One malformed line after every N records (0: none). */
  malformedEvery: number;
}

export const CORPUS_ACCOUNT = '123456789012';

export const defaultSpec = (over: Partial<CorpusSpec> = {}): CorpusSpec => ({
  seed: 7,
  records: 2_000,
  start: new Date(Date.UTC(2026, 10, 20, 0)),
  hours: 6,
  filesPerHour: 3,
  account: CORPUS_ACCOUNT,
  region: 'us-east-1',
  keyPrefix: '',
  bodyBytes: 600,
  malformedEvery: 0,
  ...over,
});

/** Rates in thousandths of a dollar per million tokens, so that costs add up exactly in nano-dollars. */
export interface MilliRates {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite1h: number;
}

const r = (input: number, output: number, cacheRead: number, cacheWrite: number, cacheWrite1h: number): MilliRates => ({
  input,
  output,
  cacheRead,
  cacheWrite,
  cacheWrite1h,
});

export const APP_SEARCH = (account: string, region: string): string =>
  `arn:aws:bedrock:${region}:${account}:application-inference-profile/s34rch0app01`;
export const APP_SUPPORT = (account: string, region: string): string =>
  `arn:aws:bedrock:${region}:${account}:application-inference-profile/supp0rt0app2`;

interface ModelSpec {
  id: string;
  weight: number;
  /** Published list prices (Anthropic's, with Bedrock's 10% geographic premium where it applies); null: unpriced. */
  rates: MilliRates | null;
  claude: boolean;
}

function corpusModels(account: string, region: string): ModelSpec[] {
  const sonnetUs = r(3300, 16500, 330, 4125, 6600);
  return [
    {
      id: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0',
      weight: 22,
      rates: r(3000, 15000, 300, 3750, 6000),
      claude: true,
    },
    { id: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', weight: 18, rates: sonnetUs, claude: true },
    {
      id: 'us.anthropic.claude-haiku-4-5-20251001-v1:0',
      weight: 18,
      rates: r(1100, 5500, 110, 1375, 2200),
      claude: true,
    },
    // The Price List publishes no cache rates for Claude 3 Haiku on Bedrock (no prompt caching there): the
    // generator's cache tokens for it cost nothing, as the snapshot prices them.
    { id: 'anthropic.claude-3-haiku-20240307-v1:0', weight: 12, rates: r(250, 1250, 0, 0, 0), claude: true },
    {
      id: 'us.anthropic.claude-opus-4-1-20250805-v1:0',
      weight: 4,
      // No 1-hour cache-write rate published for Opus 4.1 in the snapshot: priced at the 5-minute rate.
      rates: r(15000, 75000, 1500, 18750, 18750),
      claude: true,
    },
    // Priced by the bundled Price List snapshot (us-east-1 list prices), as Bedrock bills them.
    { id: 'meta.llama3-1-70b-instruct-v1:0', weight: 6, rates: r(720, 720, 0, 0, 0), claude: false },
    { id: 'amazon.nova-pro-v1:0', weight: 4, rates: r(800, 3200, 200, 0, 0), claude: false },
    // Application inference profiles: the truth prices them at the model they wrap (the US Sonnet 4.5
    // rate); tests give the tool the same rates as config price overrides.
    { id: APP_SEARCH(account, region), weight: 10, rates: sonnetUs, claude: true },
    { id: APP_SUPPORT(account, region), weight: 6, rates: sonnetUs, claude: true },
  ];
}

/** The rates the truth used for each priced model ID (tests hand the application profiles' to the tool). */
export function corpusRates(spec: Pick<CorpusSpec, 'account' | 'region'>): Record<string, MilliRates> {
  return Object.fromEntries(corpusModels(spec.account, spec.region).flatMap((m) => (m.rates ? [[m.id, m.rates]] : [])));
}

/** USD per million, for a config-file price override. */
export const toUsdRates = (m: MilliRates) => ({
  input: m.input / 1000,
  output: m.output / 1000,
  cacheRead: m.cacheRead / 1000,
  cacheWrite: m.cacheWrite / 1000,
  cacheWrite1h: m.cacheWrite1h / 1000,
});

const seq = (prefix: string, n: number, width = 4): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
const people = (names: string[]): string[] => names.map((n) => `${n}@example.com`);
const ROLES: { role: string; team: string | null; sessions: string[] }[] = [
  { role: 'ChatService', team: 'support', sessions: seq('i-0a1b2c3d4e5f6', 16) },
  { role: 'SearchIndexer', team: 'search', sessions: seq('lambda-indexer-', 10) },
  { role: 'BatchSummarizer', team: 'research', sessions: seq('batch-', 24) },
  { role: 'GrowthExperiments', team: 'growth', sessions: seq('ecs-task-', 12) },
  { role: 'PlatformGateway', team: 'platform', sessions: ['gw-eu', 'gw-us', 'gw-ap'] },
  {
    role: 'AWSReservedSSO_DataScience_0123456789abcdef',
    team: 'research',
    sessions: people(['alice', 'bob', 'chen', 'dmitri', 'eva', 'farah', 'gus', 'hana', 'ivan', 'jun', 'kofi', 'lena']),
  },
  {
    role: 'AWSReservedSSO_Developer_fedcba9876543210',
    team: null,
    sessions: people([
      'dana',
      'erik',
      'fiona',
      'glen',
      'hugo',
      'ines',
      'jamal',
      'kim',
      'luis',
      'mona',
      'nils',
      'olga',
      'pavel',
      'quinn',
      'rosa',
    ]),
  },
  { role: 'FinanceReports', team: 'finance', sessions: ['monthly-close', 'quarterly-close'] },
  { role: 'SupportTriage', team: 'support', sessions: seq('triage-', 8) },
  { role: 'LegalReview', team: 'legal', sessions: people(['sam', 'tara']) },
];
const USERS = [
  { user: 'ci-bot', team: 'platform' },
  { user: 'jdoe', team: null },
  { user: 'analytics-export', team: 'growth' },
];
const ENVS = ['prod', 'prod', 'prod', 'staging', 'dev'];
const FEATURES = ['summarize', 'answer', 'classify', 'extract'];
const ERRORS = [
  'ThrottlingException',
  'ValidationException',
  'ModelTimeoutException',
  'ServiceUnavailableException',
  'AccessDeniedException',
];
const OPERATIONS = [
  'Converse',
  'Converse',
  'Converse',
  'ConverseStream',
  'InvokeModel',
  'InvokeModel',
  'InvokeModelWithResponseStream',
];

const WORDS = (
  'the of and to in is that for on with as by at from this be are or an it was which can will not have has ' +
  'all more one ' +
  ('about their there when what your other these some would make like time into only also new first then than ' +
    'them well ') +
  'quarterly revenue forecast customer ticket refund invoice shipment warehouse latency cluster deployment rollback ' +
  'incident summary research paper abstract method result dataset benchmark model training evaluation prompt answer ' +
  'question context document section table figure appendix policy contract clause liability renewal pricing discount ' +
  'search index query ranking relevance embedding vector retrieval snippet citation source translate german french ' +
  'spanish japanese please explain briefly detail step list bullet compare contrast recommend option risk mitigation'
).split(' ');

/** The prompt and response text: sentences drawn from a fixed vocabulary (not real data). */
class TextPool {
  private readonly sentences: string[] = [];
  constructor(rnd: () => number) {
    for (let i = 0; i < 4000; i++) {
      const n = 6 + Math.floor(rnd() * 18);
      const words = Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)]!);
      words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
      this.sentences.push(`${words.join(' ')}.`);
    }
  }
  text(rnd: () => number, chars: number): string {
    let s = '';
    let i = Math.floor(rnd() * this.sentences.length);
    while (s.length < chars) {
      s += `${this.sentences[i % this.sentences.length]!} `;
      i += 1 + Math.floor(rnd() * 7);
    }
    return s.slice(0, Math.max(1, chars));
  }
}

export interface Acc {
  invocations: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  errors: number;
  /** Cost of the priced records, in nano-dollars (exact). */
  costNanoUsd: number;
  /** Every record of the group was priced. */
  priced: boolean;
  pricedInvocations: number;
  latencies: number[];
}

export const TRUTH_DIMS = [
  'principal',
  'role',
  'tag:team',
  'tag:env',
  'tag:feature',
  'application',
  'model',
  'operation',
  'day',
  'hour',
] as const;
export type TruthDim = (typeof TRUTH_DIMS)[number];

const blankAcc = (): Acc => ({
  invocations: 0,
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  cacheWrite1hTokens: 0,
  errors: 0,
  costNanoUsd: 0,
  priced: true,
  pricedInvocations: 0,
  latencies: [],
});

export interface CorpusTruth {
  window: { start: string; end: string };
  /** Per dimension, per value. */
  groups: Record<TruthDim, Map<string, Acc>>;
  /** Per UTC day and model (`<day> <model>`): what a record is priced by (the rate in force on its day). */
  dayModel: Map<string, Acc>;
  totals: Acc;
  malformedLines: number;
  /** Records in the files whose timestamp is outside the window (delivered late into its first hour). */
  outsideWindow: number;
  objects: number;
  /** Objects a reader must skip: `data/` bodies and the zero-byte permission check. */
  skippedObjects: number;
  compressedBytes: number;
  uncompressedBytes: number;
}

/** Exact quantile with linear interpolation (DuckDB's quantile_cont). */
export function quantileCont(values: number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

interface Rec {
  json: string;
  ts: number;
  keys: Record<TruthDim, string>;
  add(acc: Acc): void;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const hourPath = (t: Date): string =>
  `${t.getUTCFullYear()}/${pad(t.getUTCMonth() + 1)}/${pad(t.getUTCDate())}/${pad(t.getUTCHours())}`;
const stamp = (t: Date): string =>
  t
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.(\d{3})Z$/, '$1Z');

export function partitionRoot(spec: Pick<CorpusSpec, 'keyPrefix' | 'account' | 'region'>): string {
  return (
    `${spec.keyPrefix ? `${spec.keyPrefix}/` : ''}AWSLogs/` +
    `${spec.account}/BedrockModelInvocationLogs/${spec.region}/`
  );
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

/** Each seed's text pool, built once (4,000 sentences), and how many numbers building it drew from prng(seed). */
const pools = new Map<number, { pool: TextPool; draws: number }>();

/**
 * prng(seed) and the text pool built from its first numbers, as `new TextPool(prng(seed))` would leave them: the pool
 * is built once per seed, and the generator returned continues where building it stopped.
 */
function seededPool(seed: number): { rnd: () => number; pool: TextPool } {
  let built = pools.get(seed);
  if (!built) {
    const rnd = prng(seed);
    let draws = 0;
    const pool = new TextPool(() => {
      draws++;
      return rnd();
    });
    built = { pool, draws };
    pools.set(seed, built);
  }
  return { rnd: prngAfter(seed, built.draws), pool: built.pool };
}

class RecordMaker {
  readonly rnd: () => number;
  readonly pool: TextPool;
  readonly models: ModelSpec[];
  readonly totalWeight: number;
  private n = 0;

  constructor(readonly spec: CorpusSpec) {
    ({ rnd: this.rnd, pool: this.pool } = seededPool(spec.seed));
    this.models = corpusModels(spec.account, spec.region);
    this.totalWeight = this.models.reduce((a, m) => a + m.weight, 0);
  }

  private model(): ModelSpec {
    let x = this.rnd() * this.totalWeight;
    for (const m of this.models) {
      x -= m.weight;
      if (x < 0) return m;
    }
    return this.models[0]!;
  }

  private principal(): { arn: string; role: string; team: string | null } {
    const a = this.spec.account;
    if (this.rnd() < 0.08) {
      const u = pick(this.rnd, USERS);
      const arn = `arn:aws:iam::${a}:user/${u.user}`;
      return { arn, role: arn, team: u.team };
    }
    const x = pick(this.rnd, ROLES);
    const role = `arn:aws:sts::${a}:assumed-role/${x.role}`;
    return { arn: `${role}/${pick(this.rnd, x.sessions)}`, role, team: x.team };
  }

  private tags(team: string | null): Record<string, string> | undefined {
    if (this.rnd() < 0.15) return undefined;
    const t: Record<string, string> = { env: pick(this.rnd, ENVS) };
    if (team && this.rnd() < 0.95) t.team = team;
    if (this.rnd() < 0.4) t.feature = pick(this.rnd, FEATURES);
    if (this.rnd() < 0.3) t.traceId = `${Math.floor(this.rnd() * 1e9).toString(16)}-${(this.n % 65536).toString(16)}`;
    return t;
  }

  /** One invocation record at time `ts`. */
  record(ts: number): Rec {
    const rnd = this.rnd;
    this.n++;
    const m = this.model();
    const who = this.principal();
    const tags = this.tags(who.team);
    const op = pick(rnd, OPERATIONS);
    const error = rnd() < 0.04 ? pick(rnd, ERRORS) : undefined;
    const inputTokens =
      error === 'ThrottlingException' || error === 'AccessDeniedException' ? undefined : 200 + Math.floor(rnd() * 7800);
    const outputTokens = error ? undefined : 50 + Math.floor(rnd() * 1950);
    let cacheRead = 0;
    let cacheWrite = 0;
    let cacheWrite1h = 0;
    if (m.claude && !error) {
      if (rnd() < 0.35) cacheRead = 1000 + Math.floor(rnd() * 49000);
      if (rnd() < 0.15) {
        cacheWrite = 500 + Math.floor(rnd() * 19500);
        const saysTtl = op === 'Converse' || op === 'InvokeModel';
        if (saysTtl && rnd() < 0.45) cacheWrite1h = rnd() < 0.5 ? cacheWrite : Math.floor(cacheWrite * rnd());
      }
    }
    const latency = op === 'Converse' && !error ? 200 + Math.floor(rnd() * 9000) : undefined;
    const t = new Date(ts);
    const iso = t.toISOString().replace(/\.000Z$/, 'Z');
    const app = m.id.includes(':application-inference-profile/') ? m.id : '(none)';
    const keys: Record<TruthDim, string> = {
      principal: who.arn,
      role: who.role,
      'tag:team': tags?.team ?? '(none)',
      'tag:env': tags?.env ?? '(none)',
      'tag:feature': tags?.feature ?? '(none)',
      application: app,
      model: m.id,
      operation: op,
      day: iso.slice(0, 10),
      hour: `${iso.slice(0, 13)}:00:00Z`,
    };
    const body = {
      inTokens: inputTokens ?? 0,
      outTokens: outputTokens ?? 0,
      cacheRead,
      cacheWrite,
      cacheWrite1h,
      latency,
    };
    const json = JSON.stringify({
      schemaType: 'ModelInvocationLog',
      schemaVersion: '1.0',
      timestamp: iso,
      accountId: this.spec.account,
      identity: { arn: who.arn },
      region: this.spec.region,
      requestId: `${Math.floor(rnd() * 2 ** 32)
        .toString(16)
        .padStart(
          8,
          '0',
        )}-${(this.n & 0xffff).toString(16).padStart(4, '0')}-4000-8000-${this.n.toString(16).padStart(12, '0')}`,
      operation: op,
      modelId: m.id,
      ...(m.id.startsWith('us.') && rnd() < 0.3 ? { inferenceRegion: 'us-west-2' } : {}),
      ...(error ? { errorCode: error } : {}),
      ...(tags ? { requestMetadata: tags } : {}),
      input: this.input(op, m, body, inputTokens),
      ...(error ? {} : { output: this.output(op, m, body, outputTokens) }),
    });
    const rates = m.rates;
    return {
      json,
      ts,
      keys,
      add: (acc) => {
        acc.invocations++;
        if (error) acc.errors++;
        acc.inputTokens += inputTokens ?? 0;
        acc.outputTokens += outputTokens ?? 0;
        acc.cacheReadTokens += cacheRead;
        acc.cacheWriteTokens += cacheWrite;
        acc.cacheWrite1hTokens += cacheWrite1h;
        if (latency !== undefined) acc.latencies.push(latency);
        if (!rates) {
          acc.priced = false;
          return;
        }
        acc.pricedInvocations++;
        acc.costNanoUsd +=
          (inputTokens ?? 0) * rates.input +
          (outputTokens ?? 0) * rates.output +
          cacheRead * rates.cacheRead +
          (cacheWrite - cacheWrite1h) * rates.cacheWrite +
          cacheWrite1h * rates.cacheWrite1h;
      },
    };
  }

  private bodyText(share: number): string {
    return this.pool.text(this.rnd, Math.max(20, Math.round(this.spec.bodyBytes * share * (0.4 + 1.2 * this.rnd()))));
  }

  private input(
    op: string,
    m: ModelSpec,
    b: { cacheRead: number; cacheWrite: number },
    inputTokens: number | undefined,
  ): Record<string, unknown> {
    const text = this.bodyText(0.7);
    const large = this.rnd() < 0.01;
    const bodyJson = op.startsWith('Converse')
      ? {
          messages: [{ role: 'user', content: [{ text }] }],
          system: [{ text: 'You are a helpful assistant. Answer briefly.' }],
          inferenceConfig: { maxTokens: 2048, temperature: 0.2 },
        }
      : m.claude
        ? {
            anthropic_version: 'bedrock-2023-05-31',
            max_tokens: 2048,
            system: 'You are a helpful assistant.',
            messages: [{ role: 'user', content: [{ type: 'text', text }] }],
          }
        : { prompt: text, max_gen_len: 1024, temperature: 0.3 };
    return {
      inputContentType: 'application/json',
      ...(large ? { inputBodyS3Path: `s3://${'bucket'}/data/${this.n}_input.json.gz` } : { inputBodyJson: bodyJson }),
      ...(inputTokens !== undefined ? { inputTokenCount: inputTokens } : {}),
      ...(b.cacheRead ? { cacheReadInputTokenCount: b.cacheRead } : {}),
      ...(b.cacheWrite ? { cacheWriteInputTokenCount: b.cacheWrite } : {}),
    };
  }

  private output(
    op: string,
    m: ModelSpec,
    b: {
      inTokens: number;
      outTokens: number;
      cacheRead: number;
      cacheWrite: number;
      cacheWrite1h: number;
      latency: number | undefined;
    },
    outputTokens: number | undefined,
  ): Record<string, unknown> {
    const text = this.bodyText(0.3);
    const cacheDetails = b.cacheWrite
      ? [
          ...(b.cacheWrite1h ? [{ ttl: '1h', inputTokens: b.cacheWrite1h }] : []),
          ...(b.cacheWrite - b.cacheWrite1h ? [{ ttl: '5m', inputTokens: b.cacheWrite - b.cacheWrite1h }] : []),
        ]
      : undefined;
    const usage = {
      inputTokens: b.inTokens,
      outputTokens: b.outTokens,
      totalTokens: b.inTokens + b.outTokens,
      cacheReadInputTokens: b.cacheRead,
      cacheWriteInputTokens: b.cacheWrite,
    };
    let bodyJson: unknown;
    if (op === 'Converse') {
      bodyJson = {
        output: { message: { role: 'assistant', content: [{ text }] } },
        stopReason: 'end_turn',
        usage: { ...usage, ...(cacheDetails ? { cacheDetails } : {}) },
        metrics: { latencyMs: b.latency },
      };
    } else if (op === 'ConverseStream') {
      bodyJson = [
        { messageStart: { role: 'assistant' } },
        { contentBlockDelta: { delta: { text } } },
        { messageStop: { stopReason: 'end_turn' } },
        { metadata: { usage, metrics: { latencyMs: 900 } } },
      ];
    } else if (op === 'InvokeModel') {
      bodyJson = m.claude
        ? {
            id: `msg_${this.n}`,
            type: 'message',
            role: 'assistant',
            content: [{ type: 'text', text }],
            stop_reason: 'end_turn',
            usage: {
              input_tokens: b.inTokens,
              output_tokens: b.outTokens,
              cache_read_input_tokens: b.cacheRead,
              cache_creation_input_tokens: b.cacheWrite,
              ...(b.cacheWrite
                ? {
                    cache_creation: {
                      ephemeral_5m_input_tokens: b.cacheWrite - b.cacheWrite1h,
                      ephemeral_1h_input_tokens: b.cacheWrite1h,
                    },
                  }
                : {}),
            },
          }
        : {
            generation: text,
            prompt_token_count: b.inTokens,
            generation_token_count: b.outTokens,
            stop_reason: 'stop',
          };
    } else {
      bodyJson = [
        { type: 'message_start', message: { role: 'assistant' } },
        { type: 'content_block_delta', delta: { type: 'text_delta', text } },
        {
          type: 'message_stop',
          'amazon-bedrock-invocationMetrics': {
            inputTokenCount: b.inTokens,
            outputTokenCount: b.outTokens,
            invocationLatency: 1234,
            firstByteLatency: 210,
          },
        },
      ];
    }
    return {
      outputContentType: 'application/json',
      outputBodyJson: bodyJson,
      ...(outputTokens !== undefined ? { outputTokenCount: outputTokens } : {}),
    };
  }
}

export interface CorpusObject {
  key: string;
  body: Buffer;
}

export interface Corpus {
  objects: Iterable<CorpusObject>;
  /** Complete once `objects` has been consumed. */
  truth: CorpusTruth;
}

function newTruth(spec: CorpusSpec): CorpusTruth {
  const end = new Date(spec.start.getTime() + spec.hours * 3_600_000);
  return {
    window: { start: spec.start.toISOString(), end: end.toISOString() },
    groups: Object.fromEntries(TRUTH_DIMS.map((d) => [d, new Map<string, Acc>()])) as Record<
      TruthDim,
      Map<string, Acc>
    >,
    dayModel: new Map(),
    totals: blankAcc(),
    malformedLines: 0,
    outsideWindow: 0,
    objects: 0,
    skippedObjects: 0,
    compressedBytes: 0,
    uncompressedBytes: 0,
  };
}

function count(truth: CorpusTruth, rec: Rec, inWindow: boolean): void {
  if (!inWindow) {
    truth.outsideWindow++;
    return;
  }
  rec.add(truth.totals);
  const dm = `${rec.keys.day} ${rec.keys.model}`;
  if (!truth.dayModel.has(dm)) truth.dayModel.set(dm, blankAcc());
  rec.add(truth.dayModel.get(dm)!);
  for (const d of TRUTH_DIMS) {
    const g = truth.groups[d];
    let acc = g.get(rec.keys[d]);
    if (!acc) g.set(rec.keys[d], (acc = blankAcc()));
    rec.add(acc);
  }
}

/** Splits `total` records over the hours as evenly as whole numbers allow. */
const perHour = (spec: CorpusSpec, h: number): number =>
  Math.floor((spec.records * (h + 1)) / spec.hours) - Math.floor((spec.records * h) / spec.hours);

function* objectsOf(spec: CorpusSpec, truth: CorpusTruth): Generator<CorpusObject> {
  const gen = new RecordMaker(spec);
  const root = partitionRoot(spec);
  const startMs = spec.start.getTime();
  const endMs = startMs + spec.hours * 3_600_000;
  const emit = (key: string, body: Buffer, raw: number, skipped = false): CorpusObject => {
    truth.objects++;
    if (skipped) truth.skippedObjects++;
    truth.compressedBytes += body.length;
    truth.uncompressedBytes += raw;
    return { key, body };
  };
  yield emit(`${root.replace(/[^/]+\/$/, '')}amazon-bedrock-logs-permission-check`, Buffer.alloc(0), 0, true);
  let written = 0;
  for (let h = 0; h < spec.hours; h++) {
    const hourStart = startMs + h * 3_600_000;
    const n = perHour(spec, h);
    const times = Array.from({ length: n }, () => hourStart + Math.floor(gen.rnd() * 3_600_000)).sort((a, b) => a - b);
    // A few records from just before the window, delivered late into its first hour's files.
    if (h === 0) times.unshift(hourStart - 90_000, hourStart - 60_000, hourStart - 30_000);
    for (let f = 0; f < spec.filesPerHour; f++) {
      const sliceEnd = hourStart + ((f + 1) * 3_600_000) / spec.filesPerHour;
      const inFile = times.filter(
        (t) => t < sliceEnd && (f === 0 || t >= hourStart + (f * 3_600_000) / spec.filesPerHour),
      );
      if (!inFile.length) continue;
      const lines: string[] = [];
      for (const t of inFile) {
        const rec = gen.record(t);
        lines.push(rec.json);
        count(truth, rec, t >= startMs && t < endMs);
        written++;
        if (spec.malformedEvery && written % spec.malformedEvery === 0) {
          lines.push(rec.json.slice(0, 70));
          truth.malformedLines++;
        }
      }
      // Delivered a few minutes after the slice: the last file of an hour lands in the next hour's partition.
      const delivered = new Date(sliceEnd + 60_000 + Math.floor(gen.rnd() * 180_000));
      const text = `${lines.join('\n')}\n`;
      const raw = Buffer.byteLength(text);
      const id =
        Math.floor(gen.rnd() * 2 ** 48)
          .toString(16)
          .padStart(12, '0') + (f + 16 * h).toString(16).padStart(4, '0');
      yield emit(`${root}${hourPath(delivered)}/${stamp(delivered)}_${id}.json.gz`, gzipSync(text), raw);
    }
    // A large body delivered on its own under data/: not a log file.
    const dataBody = JSON.stringify({
      messages: [{ role: 'user', content: [{ text: gen.pool.text(gen.rnd, 4000) }] }],
    });
    yield emit(
      `${root}${hourPath(new Date(hourStart))}/data/` +
        `${(h + 1).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000_input.json.gz`,
      gzipSync(dataBody),
      dataBody.length,
      true,
    );
  }
}

/** The corpus as objects (keys relative to the bucket) and its truth, filled in as the objects are drawn. */
export function generateCorpus(spec: CorpusSpec): Corpus {
  const truth = newTruth(spec);
  return { objects: { [Symbol.iterator]: () => objectsOf(spec, truth) }, truth };
}

/** Corpora of at most this many records are drawn once per jest worker (a few MB); larger ones stream, as before. */
const DRAWN_MAX_RECORDS = 5_000;
const DRAWN = Symbol.for('bedrock-monitor.test.corpus.drawn');

/**
 * The corpus of a small spec, drawn once per jest worker and kept on the global object that the worker's test files
 * share (test/support/environment.cjs; one file's own with BM_SHARE_MODULES=0): the same spec gives the same bytes,
 * so a later writeCorpus or putCorpus of it writes the kept objects (never changed: written or sent as they are) and
 * returns its own copy of the truth. Undefined for a larger spec.
 */
function drawnCorpus(spec: CorpusSpec): { objects: CorpusObject[]; truth: () => CorpusTruth } | undefined {
  if (spec.records > DRAWN_MAX_RECORDS) return undefined;
  const global = globalThis as { [DRAWN]?: Map<string, { objects: CorpusObject[]; truth: CorpusTruth }> };
  const memo = (global[DRAWN] ??= new Map());
  const key = JSON.stringify(spec);
  let drawn = memo.get(key);
  if (!drawn) {
    const c = generateCorpus(spec);
    drawn = { objects: [...c.objects], truth: c.truth };
    memo.set(key, drawn);
  }
  const { objects, truth } = drawn;
  return { objects, truth: (): CorpusTruth => structuredClone(truth) as CorpusTruth };
}

/** The objects to write and, once they are written, the truth. */
function corpusFor(spec: CorpusSpec): { objects: Iterable<CorpusObject>; truth: () => CorpusTruth } {
  const drawn = drawnCorpus(spec);
  if (drawn) return drawn;
  const c = generateCorpus(spec);
  return { objects: c.objects, truth: () => c.truth };
}

/** Writes the corpus under `dir` (the same tree as the bucket) and returns its truth. */
export function writeCorpus(dir: string, spec: CorpusSpec): CorpusTruth {
  const c = corpusFor(spec);
  for (const o of c.objects) {
    const file = join(dir, o.key);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, o.body);
  }
  return c.truth();
}

/** USD, from nano-dollars. */
export const usd = (nano: number): number => nano / 1e9;

/** Uploads the corpus into a bucket (keys as Bedrock writes them), a few objects at a time, and returns its truth. */
export async function putCorpus(s3: S3Client, bucket: string, spec: CorpusSpec, concurrency = 8): Promise<CorpusTruth> {
  const c = corpusFor(spec);
  let inFlight: Promise<unknown>[] = [];
  for (const o of c.objects) {
    inFlight.push(
      s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: o.key,
          Body: o.body,
          ContentType: o.key.endsWith('.gz') ? 'application/x-gzip' : 'application/octet-stream',
        }),
      ),
    );
    if (inFlight.length >= concurrency) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  }
  await Promise.all(inFlight);
  return c.truth();
}
