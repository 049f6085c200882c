/**
 * A SYNTHETIC bill and logs corpus for `bill`: CUR 2.0 line items written as Parquet by DuckDB (COPY … TO …
 * (FORMAT parquet)) with the CUR 2.0 data dictionary's column names and types, and invocation-log records with one
 * known gap of each cause the bridge names. Used by test/lib/bill/bill.test.ts and the demo.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ACCOUNT = '123456789012';
export const CHAT = `arn:aws:sts::${ACCOUNT}:assumed-role/ChatService/i-0abc`;
export const RESEARCH = `arn:aws:sts::${ACCOUNT}:assumed-role/Research/jane@example.com`;
export const BOT = `arn:aws:iam::${ACCOUNT}:user/batch-bot`;
export const SONNET = 'Claude Sonnet 4.5 (Amazon Bedrock Edition)';

export interface Line {
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
  /** product_region_code (default us-east-1). */
  region?: string;
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
export const LINES: Line[] = [
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

export const EXPECTED_CAUSES = {
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

export const RECORDS = [
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
export async function writeCur(dir: string, lines: Line[]): Promise<void> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  await c.run(
    'CREATE TABLE cur (bill_billing_period_start_date TIMESTAMP, line_item_usage_account_id VARCHAR, ' +
      'line_item_iam_principal VARCHAR, line_item_usage_start_date TIMESTAMP, line_item_usage_end_date TIMESTAMP, ' +
      'line_item_product_code VARCHAR, line_item_usage_type VARCHAR, line_item_operation VARCHAR, ' +
      'line_item_line_item_type VARCHAR, line_item_usage_amount DOUBLE, line_item_unblended_cost DOUBLE, ' +
      'pricing_unit VARCHAR, product_servicecode VARCHAR, product_region_code VARCHAR, ' +
      'product MAP(VARCHAR, VARCHAR), ' +
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
        `${sqlText(l.region ?? 'us-east-1')}, ` +
        `${mapSql({ product_name: l.product ?? 'Amazon Bedrock', region: l.region ?? 'us-east-1' })}, ` +
        `${mapSql(l.tags ?? {})})`,
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

/** The logs corpus as one newline-delimited JSON file in `dir`. */
export function writeRecords(dir: string): void {
  writeFileSync(join(dir, 'records.json'), RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
}
