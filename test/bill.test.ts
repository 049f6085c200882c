import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { classifyUsage, modelKey } from '../src/lib/bill/usage.js';
import { billWindow } from '../src/commands/bill.js';
import { emptyDir, runCli } from './support/cli.js';

/**
 * `bill` over a CUR 2.0 export built here as Parquet (DuckDB's COPY … TO … (FORMAT parquet)) from the CUR 2.0 data
 * dictionary, beside an invocation-log corpus with one known gap of each named cause. Column names and types:
 * https://docs.aws.amazon.com/cur/latest/userguide/table-dictionary-cur2-line-item.html (line_item_iam_principal,
 * line_item_usage_type, line_item_line_item_type, line_item_unblended_cost, line_item_usage_amount, …),
 * …/table-dictionary-cur2-pricing.html (pricing_unit), …/table-dictionary-cur2-product.html (product_servicecode,
 * the product map) and …/table-dictionary-cur2-resource-tags.html (resource_tags, map<string,string>). Usage types
 * as AWS writes them (USE1-Claude4.6Sonnet-input-tokens, USE1-MP:USE1_InputTokenCount_Global-Units); principal
 * attribution: https://docs.aws.amazon.com/bedrock/latest/userguide/cost-mgmt-iam-principal-tracking.html.
 * All data here is SYNTHETIC.
 */

const ACCOUNT = '123456789012';
const CHAT = `arn:aws:sts::${ACCOUNT}:assumed-role/ChatService/i-0abc`;
const RESEARCH = `arn:aws:sts::${ACCOUNT}:assumed-role/Research/jane@example.com`;
const BOT = `arn:aws:iam::${ACCOUNT}:user/batch-bot`;
const SONNET = 'Claude Sonnet 4.5 (Amazon Bedrock Edition)';

interface Line {
  principal: string;
  usageType: string;
  /** Tokens (written as usage amount in the pricing unit). */
  tokens: number;
  costUsd: number;
  product?: string;
  type?: string;
  unit?: string;
  tags?: Record<string, string>;
  /** YYYY-MM-DD (default 2026-11-12, the day of the logged calls). */
  day?: string;
}

/** The bill: tokens × the published rate (USD per million), unless a cause says otherwise. */
const bl = (
  principal: string,
  usageType: string,
  tokens: number,
  perMillion: number,
  more: Partial<Line> = {},
): Line => ({
  principal,
  usageType,
  tokens,
  costUsd: (tokens * perMillion) / 1e6,
  ...more,
});
const MP = { product: SONNET, unit: 'Units', tags: { 'iamPrincipal/team': 'research' } };
const LINES: Line[] = [
  // Nova Pro: billed exactly as logged (no cause).
  bl(CHAT, 'USE1-NovaPro-input-tokens', 1_000_000, 0.8),
  bl(CHAT, 'USE1-NovaPro-output-tokens', 200_000, 3.2),
  // Llama 3.1 70B: 200,000 input tokens more than the logs hold (calls not in the logs: $0.144).
  bl(CHAT, 'USE1-Llama3-1-70B-input-tokens', 700_000, 0.72),
  bl(CHAT, 'USE1-Llama3-1-70B-output-tokens', 500_000, 0.72),
  // Sonnet 4.5 global: the logs lack the TTL split, the bill says 1-hour writes ($0.45 cache-write tier).
  bl(RESEARCH, 'USE1-MP:USE1_InputTokenCount_Global-Units', 100_000, 3, MP),
  bl(RESEARCH, 'USE1-MP:USE1_OutputTokenCount_Global-Units', 10_000, 15, MP),
  bl(RESEARCH, 'USE1-MP:USE1_CacheWrite1hInputTokenCount_Global-Units', 200_000, 6, MP),
  // Sonnet 4.5 called by a us. ID but billed at the global rate (routing: −$0.45).
  bl(RESEARCH, 'USE1-MP:USE1_InputTokenCount_Global-Units', 1_000_000, 3, MP),
  bl(RESEARCH, 'USE1-MP:USE1_OutputTokenCount_Global-Units', 100_000, 15, MP),
  // Mistral Large: the bill's input rate is $4.50, the table's $4.00 (price table: $0.50).
  bl(BOT, 'USE1-MistralLarge2402-input-tokens', 1_000_000, 4.5),
  bl(BOT, 'USE1-MistralLarge2402-output-tokens', 100_000, 12),
  // Batch, never in the logs ($1.08).
  bl(BOT, 'USE1-Llama3-1-70B-input-tokens-batch', 2_000_000, 0.36),
  bl(BOT, 'USE1-Llama3-1-70B-output-tokens-batch', 1_000_000, 0.36),
  // The OpenAI-compatible endpoint (bedrock-mantle), not logged ($0.30).
  bl(CHAT, 'USE1-openai.gpt-oss-120b-mantle-input-tokens-standard', 2_000_000, 0.15),
  // Provisioned Throughput ($20.00) and a credit (−$5.00), without a principal.
  { principal: '', usageType: 'USE1-ProvisionedThroughput-ModelUnits', tokens: 0, costUsd: 20, unit: 'Hours' },
  { principal: '', usageType: 'USE1-NovaPro-input-tokens', tokens: 0, costUsd: -5, type: 'Credit' },
];

const EXPECTED_CAUSES = {
  'calls-not-in-logs': 0.144,
  'openai-compatible-endpoint': 0.3,
  batch: 1.08,
  'provisioned-throughput': 20,
  'credits-discounts': -5,
  routing: -0.45,
  'cache-write-tier': 0.45,
  'price-table': 0.5,
  'estimated-not-billed': -0.03,
};

function record(i: number, principal: string, modelId: string, t: { in: number; out: number; cw?: number }) {
  return {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: `2026-11-12T${String(i).padStart(2, '0')}:00:00Z`,
    accountId: ACCOUNT,
    region: 'us-east-1',
    requestId: `r-${i}`,
    operation: 'Converse',
    modelId,
    identity: { arn: principal },
    input: { inputTokenCount: t.in, ...(t.cw ? { cacheWriteInputTokenCount: t.cw } : {}) },
    output: { outputTokenCount: t.out },
  };
}

const RECORDS = [
  record(1, CHAT, 'amazon.nova-pro-v1:0', { in: 1_000_000, out: 200_000 }),
  record(2, CHAT, 'meta.llama3-1-70b-instruct-v1:0', { in: 500_000, out: 500_000 }),
  record(3, RESEARCH, 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', { in: 100_000, out: 10_000, cw: 200_000 }),
  record(4, RESEARCH, 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', { in: 1_000_000, out: 100_000 }),
  record(5, BOT, 'mistral.mistral-large-2402-v1:0', { in: 1_000_000, out: 100_000 }),
  // Logged, never billed (−$0.03).
  record(6, RESEARCH, 'meta.llama3-8b-instruct-v1:0', { in: 100_000, out: 0 }),
];

const sqlText = (s: string) => `'${s.replace(/'/g, "''")}'`;
const mapSql = (m: Record<string, string>) =>
  `MAP {${Object.entries(m)
    .map(([k, v]) => `${sqlText(k)}: ${sqlText(v)}`)
    .join(', ')}}::MAP(VARCHAR, VARCHAR)`;

/** Writes the lines as CUR 2.0 Parquet, one file per day, the way a Data Export partitions by billing period. */
async function writeCur(dir: string, lines: Line[]): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    'CREATE TABLE cur (bill_billing_period_start_date TIMESTAMP, line_item_usage_account_id VARCHAR, ' +
      'line_item_iam_principal VARCHAR, line_item_usage_start_date TIMESTAMP, line_item_usage_end_date TIMESTAMP, ' +
      'line_item_product_code VARCHAR, line_item_usage_type VARCHAR, line_item_operation VARCHAR, ' +
      'line_item_line_item_type VARCHAR, line_item_usage_amount DOUBLE, line_item_unblended_cost DOUBLE, ' +
      'pricing_unit VARCHAR, product_servicecode VARCHAR, product MAP(VARCHAR, VARCHAR), ' +
      'resource_tags MAP(VARCHAR, VARCHAR))',
  );
  for (const l of lines) {
    const unit = l.unit ?? '1K tokens';
    const amount = unit === 'Units' ? l.tokens / 1e6 : unit === '1K tokens' ? l.tokens / 1000 : 1;
    const marketplace = l.product !== undefined;
    await c.run(
      `INSERT INTO cur VALUES (TIMESTAMP '2026-11-01 00:00:00', '${ACCOUNT}', ` +
        `${l.principal ? sqlText(l.principal) : 'NULL'}, ` +
        `TIMESTAMP '${l.day ?? '2026-11-12'} 09:00:00', TIMESTAMP '${l.day ?? '2026-11-12'} 10:00:00', ` +
        `${marketplace ? "'c4x9kq3pz1example'" : "'AmazonBedrock'"}, ${sqlText(l.usageType)}, 'InvokeModel', ` +
        `${sqlText(l.type ?? 'Usage')}, ${amount}, ${l.costUsd}, ${sqlText(unit)}, ` +
        `${marketplace ? "'AmazonBedrockFoundationModels'" : "'AmazonBedrock'"}, ` +
        `${mapSql({ product_name: l.product ?? 'Amazon Bedrock', region: 'us-east-1' })}, ${mapSql(l.tags ?? {})})`,
    );
  }
  mkdirSync(join(dir, 'data', 'BILLING_PERIOD=2026-11'), { recursive: true });
  await c.run(
    `COPY cur TO ${sqlText(join(dir, 'data', 'BILLING_PERIOD=2026-11', 'bedrock-monitor-00001.snappy.parquet'))} ` +
      '(FORMAT parquet)',
  );
  c.closeSync();
  db.closeSync();
}

const BillSchema = z
  .object({
    kind: z.literal('bedrock-monitor bill'),
    window: z.object({ start: z.string().datetime(), end: z.string().datetime(), label: z.string() }).strict(),
    groupBy: z.enum(['principal', 'role', 'model', 'day', 'account']),
    region: z.string(),
    sources: z
      .object({
        bill: z
          .object({
            kind: z.literal('cur2'),
            location: z.string(),
            files: z.number().int(),
            lineItems: z.number().int(),
            iamPrincipal: z.boolean(),
          })
          .strict(),
        estimate: z.object({ kind: z.literal('logs'), location: z.string(), engine: z.string() }).strict(),
      })
      .strict(),
    prices: z
      .object({ table: z.enum(['refreshed', 'snapshot', 'bundled']), source: z.string(), date: z.string() })
      .strict(),
    rows: z.array(
      z
        .object({
          key: z.string(),
          billedUsd: z.number(),
          estimatedUsd: z.number(),
          differenceUsd: z.number(),
          tags: z.record(z.string()).optional(),
        })
        .strict(),
    ),
    totals: z.object({ billedUsd: z.number(), estimatedUsd: z.number(), differenceUsd: z.number() }).strict(),
    bridge: z
      .object({
        estimatedUsd: z.number(),
        billedUsd: z.number(),
        differenceUsd: z.number(),
        causes: z.array(z.object({ cause: z.string(), usd: z.number(), how: z.string().min(1) }).strict()),
        residualUsd: z.number(),
      })
      .strict(),
    unpricedModels: z.array(z.string()),
    warnings: z.array(z.string()),
  })
  .strict();

const micro = (usd: number) => Math.round(usd * 1e6);

describe('bill: CUR 2.0 beside the logs, bridged by named causes', () => {
  const cur = emptyDir();
  const logs = emptyDir();
  const env = { XDG_CACHE_HOME: emptyDir(), AWS_REGION: 'us-east-1' };
  const now = new Date('2026-12-06T00:00:00Z');
  beforeAll(async () => {
    await writeCur(cur, LINES);
    writeFileSync(join(logs, 'records.json'), RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });
  const bill = async (...args: string[]) =>
    runCli(['bill', '--month', '2026-11', '--cur', cur, '--logs', logs, ...args], { env, now });

  test('--json has the documented shape (docs/bill.md)', async () => {
    const r = await bill('--json');
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(() => BillSchema.parse(r.json())).not.toThrow();
    expect(r.requests).toEqual([]);
  });

  test('the bridge recovers each cause to the cent; causes + residual = billed − estimated exactly', async () => {
    const j = BillSchema.parse((await bill('--json')).json());
    const causes = Object.fromEntries(j.bridge.causes.map((c) => [c.cause, c.usd]));
    for (const [id, usd] of Object.entries(EXPECTED_CAUSES))
      expect([id, Math.round(causes[id]! * 100)]).toEqual([id, Math.round(usd * 100)]);
    expect(Object.keys(causes).sort()).toEqual(Object.keys(EXPECTED_CAUSES).sort());
    expect(micro(j.bridge.residualUsd)).toBe(0);
    const sum = j.bridge.causes.reduce((a, c) => a + micro(c.usd), 0) + micro(j.bridge.residualUsd);
    expect(sum).toBe(micro(j.bridge.billedUsd) - micro(j.bridge.estimatedUsd));
    expect(micro(j.totals.billedUsd)).toBe(LINES.reduce((a, l) => a + micro(l.costUsd), 0));
  });

  test("per principal, billedUsd is the sum of that principal's line items; tags come along", async () => {
    const j = BillSchema.parse((await bill('--json', '--by', 'principal')).json());
    const byPrincipal = new Map<string, number>();
    for (const l of LINES)
      byPrincipal.set(
        l.principal || '(no principal)',
        (byPrincipal.get(l.principal || '(no principal)') ?? 0) + micro(l.costUsd),
      );
    for (const [p, m] of byPrincipal) expect([p, micro(j.rows.find((r) => r.key === p)!.billedUsd)]).toEqual([p, m]);
    expect(j.rows.find((r) => r.key === RESEARCH)!.tags).toEqual({ team: 'research' });
    // The estimate per principal is the logs report's cost for it.
    expect(j.rows.find((r) => r.key === CHAT)!.estimatedUsd).toBeCloseTo(1.44 + 0.72, 6);
  });

  test('--by model and --by role group the same money differently', async () => {
    const byModel = BillSchema.parse((await bill('--json', '--by', 'model')).json());
    expect(byModel.rows.find((r) => r.key === 'Claude Sonnet 4.5')).toMatchObject({
      billedUsd: 6.15,
      estimatedUsd: 6.15,
    });
    const byRole = BillSchema.parse((await bill('--json', '--by', 'role')).json());
    expect(byRole.rows.map((r) => r.key)).toContain(`arn:aws:iam::${ACCOUNT}:role/Research`);
    for (const j of [byModel, byRole])
      expect(micro(j.totals.billedUsd)).toBe(LINES.reduce((a, l) => a + micro(l.costUsd), 0));
  });

  test('human view: rows, then the bridge from estimate to invoice', async () => {
    const r = await bill();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/From estimate to invoice:/);
    expect(r.stdout).toMatch(/cache-write-tier\s+\$0\.45/);
    expect(r.stdout).toMatch(/residual\s+\$0\.00/);
  });

  test('inputs checked before any request', async () => {
    const bad = async (args: string[], msg: string) => {
      const r = await runCli(['bill', ...args], { env, now });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(msg);
      expect(r.requests).toEqual([]);
    };
    await bad(['--month', '2026-13', '--cur', cur], '--month: "2026-13" is not a month');
    await bad(['--month', '2026-11', '--since', '2026-11-01', '--cur', cur], 'cannot be combined');
    await bad(['--month', '2026-11'], '--cur: no CUR 2.0 export given');
    await bad(['--by', 'team', '--cur', cur], '--by: "team" is not one of principal, role, model, day, account');
  });
});

describe('usage types as AWS writes them', () => {
  test.each([
    [
      'USE1-Claude4.6Sonnet-input-tokens',
      '',
      { type: 'tokens', kind: 'input', routing: 'regional', model: 'Claude4.6Sonnet' },
    ],
    ['USE1-NovaPro-cache-read-input-token-count', '', { type: 'tokens', kind: 'cacheRead', model: 'NovaPro' }],
    ['USE1-Llama3-1-405B-output-tokens-batch', '', { type: 'batch', model: 'Llama3-1-405B' }],
    [
      'USE1-MP:USE1_CacheWrite1hInputTokenCount_Global-Units',
      SONNET,
      { kind: 'cacheWrite1h', routing: 'global', model: 'Claude Sonnet 4.5' },
    ],
    ['USE1-MP:USE1_input_tokens_global_standard-Units', SONNET, { kind: 'input', routing: 'global' }],
    ['USE1-MP:USE1_InputTokenCount_Batch-Units', SONNET, { type: 'batch' }],
  ])('%s', (usage, product, expected) => {
    expect(classifyUsage(usage, product)).toMatchObject(expected);
  });

  test('bill names and model IDs meet on one key', () => {
    expect(modelKey('Claude4.6Sonnet')).toBe(modelKey('anthropic.claude-sonnet-4-6'));
    expect(modelKey('Claude Sonnet 4.6')).toBe(modelKey('anthropic.claude-sonnet-4-6'));
    expect(modelKey('Llama3-1-70B')).toBe(modelKey('Llama 3.1 70B'));
    expect(modelKey('Nova2.0Lite')).toBe(modelKey('Nova 2 Lite'));
    expect(modelKey('Claude Sonnet 4.6')).not.toBe(modelKey('Claude Sonnet 4.5'));
  });

  test('windows: a month is its calendar days in UTC', () => {
    expect(billWindow({ month: '2026-11', by: 'principal', cache: true }, new Date())).toMatchObject({
      start: new Date('2026-11-01T00:00:00Z'),
      end: new Date('2026-12-01T00:00:00Z'),
    });
  });
});
