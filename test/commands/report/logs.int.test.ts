import { beforeEach, describe, expect, test } from '@jest/globals';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { PutModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ACCOUNT, sdk } from '../../support/aws.js';
import { cliFor, useMoto } from '../../support/cli.js';
import {
  APP_SEARCH,
  APP_SUPPORT,
  corpusRates,
  defaultSpec,
  partitionRoot,
  putCorpus,
  quantileCont,
  toUsdRates,
  writeCorpus,
  type Acc,
  type CorpusTruth,
  type TruthDim,
} from '../../support/corpus.js';
import { putMetrics, seedingClients } from '../../support/synthetic.js';
import { logsReportDocSchema, schemaIssues } from '../../support/schemas.js';

/**
 * Who spent what, on moto: a generated corpus of invocation logs in the log bucket (the Region's
 * logging configuration points at it), read by the local engine through the cache; the figures per
 * principal, role, tag and application equal the generator's truth (cost to the cent), and so do
 * those read from a local copy with --logs DIR.
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const BUCKET = 'bedrock-logs-test-corpus';
const SPEC = defaultSpec({ keyPrefix: 'bedrock', malformedEvery: 300 });
const WINDOW = [
  '--since',
  SPEC.start.toISOString(),
  '--until',
  new Date(SPEC.start.getTime() + SPEC.hours * 3_600_000).toISOString(),
];
const now = new Date(SPEC.start.getTime() + 3 * 24 * 3_600_000);
const cli = cliFor(() => emulator().url, REGION);

/** The tool is told the application profiles' prices (moto has no GetInferenceProfile). */
function workDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bm-logs-'));
  const rates = corpusRates(SPEC);
  const prices = Object.fromEntries(
    [APP_SEARCH(ACCOUNT, REGION), APP_SUPPORT(ACCOUNT, REGION)].map((a) => [a, toUsdRates(rates[a]!)]),
  );
  writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify({ prices }));
  return dir;
}

async function seedBucket(): Promise<CorpusTruth> {
  const { s3, bedrock } = sdk(emulator().url, REGION);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await bedrock.send(
    new PutModelInvocationLoggingConfigurationCommand({
      loggingConfig: { s3Config: { bucketName: BUCKET, keyPrefix: SPEC.keyPrefix }, textDataDeliveryEnabled: true },
    }),
  );
  return putCorpus(s3, BUCKET, SPEC);
}

type Row = Record<string, unknown> & { invocations: number; costUsd: number | null; priced: boolean };

/** Every row equals the truth for its group: counts, tokens, errors, latency percentiles and cost to the cent. */
function expectTruth(rows: Row[], dim: TruthDim, truth: CorpusTruth): void {
  const groups = truth.groups[dim];
  expect(rows.map((r) => r[dim]).sort()).toEqual([...groups.keys()].sort());
  for (const row of rows) {
    const t: Acc = groups.get(row[dim] as string)!;
    expect({
      group: row[dim],
      invocations: row.invocations,
      inputTokens: row.inputTokens,
      outputTokens: row.outputTokens,
      cacheReadTokens: row.cacheReadTokens,
      cacheWriteTokens: row.cacheWriteTokens,
      cacheWrite1hTokens: row.cacheWrite1hTokens,
      errors: row.errors,
      priced: row.priced,
    }).toEqual({
      group: row[dim],
      invocations: t.invocations,
      inputTokens: t.inputTokens,
      outputTokens: t.outputTokens,
      cacheReadTokens: t.cacheReadTokens,
      cacheWriteTokens: t.cacheWriteTokens,
      cacheWrite1hTokens: t.cacheWrite1hTokens,
      errors: t.errors,
      priced: t.priced,
    });
    if (t.pricedInvocations === 0) expect(row.costUsd).toBeNull();
    else {
      expect(Math.round((row.costUsd ?? NaN) * 100)).toBe(Math.round(t.costNanoUsd / 1e7));
      expect(row.costUsd).toBeCloseTo(t.costNanoUsd / 1e9, 5);
    }
    for (const [field, p] of [
      ['latencyP50Ms', 0.5],
      ['latencyP90Ms', 0.9],
      ['latencyP99Ms', 0.99],
    ] as const) {
      const want = quantileCont(t.latencies, p);
      if (want === null) expect(row[field]).toBeNull();
      else expect(row[field]).toBeCloseTo(want, 2);
    }
  }
}

const DIMS: TruthDim[] = ['principal', 'role', 'tag:team', 'application'];

describe('report --by DIM on the invocation logs in S3 (local engine, cache)', () => {
  let cache: string;
  let cwd: string;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'bm-cache-'));
    cwd = workDir();
  });
  const run = (args: string[]) => cli([...args, ...WINDOW, '--json'], { now, cwd, env: { XDG_CACHE_HOME: cache } });

  test(
    "per principal, role, tag and application: the generator's truth, cost to the cent; a second report " +
      'downloads nothing',
    async () => {
      const truth = await seedBucket();
      for (const [i, dim] of DIMS.entries()) {
        const r = await run(['report', '--by', dim]);
        expect(r.code).toBe(0);
        const rep = r.json();
        expect(schemaIssues(logsReportDocSchema([dim]), rep)).toEqual([]);
        expectTruth(rep.rows, dim, truth);
        expect(rep.totals).toMatchObject({
          invocations: truth.totals.invocations,
          inputTokens: truth.totals.inputTokens,
          errors: truth.totals.errors,
        });
        expect(Math.round(rep.totals.costUsd * 100)).toBe(Math.round(truth.totals.costNanoUsd / 1e7));
        expect(rep.skipped).toEqual({
          malformedLines: truth.malformedLines,
          objects: SPEC.hours,
          unreadableFiles: [],
          unreadableFields: [],
          outsideTargets: { files: 0, records: 0, by: [] },
        });
        expect(rep.source).toMatchObject({
          kind: 'logs',
          engine: 'local',
          location: `s3://${BUCKET}/${partitionRoot(SPEC)}`,
          cacheDir: join(cache, 'bedrock-monitor', 's3'),
        });
        const gets = r.requests.filter((q) => q.operation === 'GetObject').length;
        // The first report fetches every log object of the window once; later ones only list.
        expect(gets).toBe(i === 0 ? rep.source.objects : 0);
        expect(rep.source.downloadedObjects).toBe(gets);
        expect(r.writes).toEqual([]);
      }
    },
  );

  test(
    'a rewritten object (new ETag) is fetched again and its old ' + 'copy removed; --no-cache leaves no cache',
    async () => {
      await seedBucket();
      expect((await run(['report', '--by', 'principal'])).code).toBe(0);
      const { s3 } = sdk(emulator().url, REGION);
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: partitionRoot(SPEC) }));
      const victim = listed.Contents!.find((o) => o.Key!.endsWith('.json.gz') && !o.Key!.includes('/data/'))!.Key!;
      const extra = {
        schemaType: 'ModelInvocationLog',
        timestamp: '2026-11-20T01:00:00Z',
        identity: { arn: 'arn:aws:iam::123456789012:user/late' },
        modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
        input: { inputTokenCount: 1_000_000 },
        output: { outputTokenCount: 0 },
      };
      await s3.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: victim, Body: gzipSync(`${JSON.stringify(extra)}\n`) }),
      );
      const r = await run(['report', '--by', 'principal']);
      expect(r.requests.filter((q) => q.operation === 'GetObject')).toHaveLength(1);
      const late = r.json().rows.find((x: Row) => x.principal === 'arn:aws:iam::123456789012:user/late');
      expect(late).toMatchObject({ invocations: 1, inputTokens: 1_000_000, costUsd: 0.25 });
      const dir = join(cache, 'bedrock-monitor', 's3', BUCKET, victim.slice(0, victim.lastIndexOf('/')));
      expect(readdirSync(dir).filter((f) => f.endsWith(victim.slice(victim.lastIndexOf('/') + 1)))).toHaveLength(1);

      const cache2 = mkdtempSync(join(tmpdir(), 'bm-cache-'));
      const n = await cli(['report', '--by', 'principal', '--no-cache', ...WINDOW, '--json'], {
        now,
        cwd,
        env: { XDG_CACHE_HOME: cache2 },
      });
      expect(n.code).toBe(0);
      expect(n.json().source.cacheDir).toBeNull();
      expect(existsSync(join(cache2, 'bedrock-monitor'))).toBe(false);
    },
  );

  test('the same figures from a local copy with --logs DIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-corpus-'));
    const truth = writeCorpus(dir, SPEC);
    for (const dim of [...DIMS, 'tag:env', 'operation', 'model', 'hour'] as TruthDim[]) {
      const r = await run(['report', '--by', dim, '--logs', dir, '--no-reconcile']);
      expect(r.code).toBe(0);
      expectTruth(r.json().rows, dim, truth);
      expect(r.requests).toEqual([]);
      // Permission check and data/ bodies are not log files (checked on every run: each reads the same files).
      expect(r.json().skipped).toEqual({
        malformedLines: truth.malformedLines,
        objects: truth.skippedObjects,
        unreadableFiles: [],
        unreadableFields: [],
        outsideTargets: { files: 0, records: 0, by: [] },
      });
    }
  });

  test('reconciliation: per model, logs against CloudWatch totals for the same window', async () => {
    const truth = await seedBucket();
    const model = 'anthropic.claude-3-haiku-20240307-v1:0';
    const t = truth.groups.model.get(model)!;
    const at = new Date(SPEC.start.getTime() + 3_600_000);
    await putMetrics(seedingClients(emulator().url, REGION).cw, [
      { modelId: model, metric: 'Invocations', timestamp: at, value: t.invocations - 7 },
      { modelId: model, metric: 'InputTokenCount', timestamp: at, value: t.inputTokens },
      { modelId: model, metric: 'OutputTokenCount', timestamp: at, value: t.outputTokens + 100 },
    ]);
    const r = await run(['report', '--by', 'principal']);
    const rec = r.json().reconciliation;
    expect(rec.available).toBe(true);
    expect(rec.models.find((m: { modelId: string }) => m.modelId === model)).toEqual({
      modelId: model,
      logs: { invocations: t.invocations, inputTokens: t.inputTokens, outputTokens: t.outputTokens },
      metrics: { invocations: t.invocations - 7, inputTokens: t.inputTokens, outputTokens: t.outputTokens + 100 },
      difference: { invocations: 7, inputTokens: 0, outputTokens: -100 },
    });
    // Models with logs but no metrics show as such.
    expect(rec.models.find((m: { modelId: string }) => m.modelId === 'meta.llama3-1-70b-instruct-v1:0')).toMatchObject({
      metrics: null,
      difference: { invocations: null },
    });
  });

  test('no logging configuration: exit 1 and says how to get logs', async () => {
    const r = await run(['report', '--by', 'principal']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Model invocation logging is not enabled in us-east-1');
    expect(r.stderr).toContain('--logs');
  });
});
