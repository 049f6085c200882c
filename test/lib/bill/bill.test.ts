import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BillDocSchema as BillSchema } from '../../support/schemas.js';
import { principalMatcher, roleOf } from '../../../src/lib/bill/bridge.js';
import { classifyUsage, modelKey } from '../../../src/lib/bill/usage.js';
import { billWindow } from '../../../src/commands/bill.js';
import { readCur } from '../../../src/lib/bill/cur.js';
import { Interruption } from '../../../src/lib/core/abort.js';
import type { Ctx } from '../../../src/lib/context/context.js';
import { snapshotTable } from '../../../src/lib/pricing/snapshot.js';
import { emptyDir, runCli } from '../../support/cli.js';
import {
  ACCOUNT,
  CHAT,
  EXPECTED_CAUSES,
  LINES,
  RECORDS,
  RESEARCH,
  SONNET,
  writeCur,
  writeRecords,
} from '../../support/bill-corpus.js';

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

const micro = (usd: number) => Math.round(usd * 1e6);

describe('bill: CUR 2.0 beside the logs, bridged by named causes', () => {
  const cur = emptyDir();
  const logs = emptyDir();
  const env = { XDG_CACHE_HOME: emptyDir(), AWS_REGION: 'us-east-1' };
  const now = new Date('2026-12-06T00:00:00Z');
  beforeAll(async () => {
    await writeCur(cur, LINES);
    writeRecords(logs);
  });
  const bill = async (...args: string[]) =>
    runCli(['bill', '--month', '2026-11', '--cur', cur, '--logs', logs, ...args], { env, now });

  test('Ctrl-C: reading the export stops as interrupted (exit 130), not as a failed read', async () => {
    const run = new Interruption();
    const ctx = (signal: AbortSignal) => ({ signal }) as unknown as Ctx;
    const read = (signal: AbortSignal) =>
      readCur(
        ctx(signal),
        { kind: 'dir', path: cur },
        { start: new Date('2026-11-01'), end: new Date('2026-12-01') },
        true,
      );
    expect((await read(run.signal)).lines.length).toBeGreaterThan(0);
    run.stop('SIGINT');
    await expect(read(run.signal)).rejects.toMatchObject({ interrupted: true, exitCode: 130 });
  });

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
    expect(byRole.rows.map((r) => r.key)).toContain(`arn:aws:sts::${ACCOUNT}:assumed-role/Research`);
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

  test('a Region the price snapshot does not cover: every logged model unpriced, saying why', async () => {
    // The same calls, made in a Region the snapshot lacks (the first of these: the snapshot grows; China's prices are
    // not in the Price List API the snapshot is made from).
    const region = ['eu-west-1', 'sa-east-1', 'af-south-1', 'cn-north-1'].find((x) => !snapshotTable(x))!;
    expect(region).toBeDefined();
    const euLogs = emptyDir();
    const eu = RECORDS.map((x) => JSON.stringify({ ...x, region })).join('\n');
    writeFileSync(join(euLogs, 'records.json'), `${eu}\n`);
    const r = await runCli(['bill', '--month', '2026-11', '--cur', cur, '--logs', euLogs, '--json'], {
      env: { ...env, AWS_REGION: region },
      now,
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    const j = BillSchema.parse(r.json());
    expect(j.prices.table).toBe('bundled');
    expect(j.bridge.estimatedUsd).toBe(0);
    expect(j.unpricedModels).toContain('global.anthropic.claude-sonnet-4-5-20250929-v1:0');
    expect(j.unpricedModels).toHaveLength(RECORDS.length);
    const refresh = `\`bedrock-monitor prices refresh --region ${region}\``;
    const reason = new RegExp(`: no rate for ${region} in the snapshot of \\d{4}-\\d{2}-\\d{2}; run ${refresh}$`);
    expect(j.warnings.find((w) => w.startsWith('not in the price table'))).toMatch(reason);
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
    await bad(['--month', '2026-11', '--source', 'cur'], '--cur: no CUR 2.0 export given');
    await bad(['--by', 'team', '--cur', cur], '--by: "team" is not one of principal, role, model, day, account');
    await bad(['--source', 'ce', '--engine', 'athena'], '--engine athena: reads a CUR 2.0 export, not Cost Explorer');
    await bad(['--cur', cur, '--engine', 'athena'], '--engine athena: needs the export in S3');
    await bad(['--cur', 's3://b/p', '--workgroup', 'wg'], '--workgroup: only with --engine athena');
    await bad(['--cur', 's3://b/p', '--engine', 'athena', '--workgroup', 'a b'], '--workgroup');
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

describe('the role, as the bill and the logs name it', () => {
  const BILLED = 'arn:aws:iam::123456789012:role/service-role/Research';
  const SESSION = 'arn:aws:sts::123456789012:assumed-role/Research/jane@example.com';

  test('a billed IAM role and a logged session give the role audit and report --by role show', () => {
    expect(roleOf(BILLED)).toBe('arn:aws:sts::123456789012:assumed-role/Research');
    expect(roleOf(SESSION)).toBe('arn:aws:sts::123456789012:assumed-role/Research');
    expect(roleOf('arn:aws:iam::123456789012:user/ci')).toBe('arn:aws:iam::123456789012:user/ci');
  });

  test('a logged session is matched to the role the bill names, path and all; else kept', () => {
    const match = principalMatcher([
      { principal: BILLED } as never,
      { principal: SESSION.replace('jane', 'bob') } as never,
    ]);
    expect(match(SESSION)).toBe(BILLED);
    expect(match(SESSION.replace('jane', 'bob'))).toBe(SESSION.replace('jane', 'bob'));
    expect(match('arn:aws:sts::123456789012:assumed-role/Other/x')).toBe(
      'arn:aws:sts::123456789012:assumed-role/Other/x',
    );
  });
});
