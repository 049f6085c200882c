import { describe, expect, test } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { parseDims } from '../../../src/lib/logs/dims.js';
import {
  DEFAULT_MAX_OBJECT_BYTES,
  DEFAULT_MEMORY_LIMIT_BYTES,
  engineBudget,
  queryJsonFiles,
} from '../../../src/lib/logs/duckdb.js';
import { parseLogsArg, partitionPrefixes, partitionRoot, pathMayHold } from '../../../src/lib/logs/location.js';
import { pricedAsFor } from '../../../src/lib/logs/profiles.js';
import { localName, syncObjects } from '../../../src/lib/logs/s3-cache.js';
import type { Ctx } from '../../../src/lib/context/context.js';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { duckColumns, isLogFileKey } from '../../../src/lib/logs/schema.js';
import { costUsd, priceFor } from '../../../src/lib/pricing/price.js';
import { ConfigFileSchema } from '../../../src/lib/config/schema.js';
import { runCli } from '../../support/cli.js';
import { Interruption } from '../../../src/lib/core/abort.js';
import { fakeAws, queryAction, s3Error, stsIdentity, when, xml } from '../../support/fake-aws.js';
import { APP_SEARCH, corpusRates, defaultSpec, toUsdRates, writeCorpus } from '../../support/corpus.js';
import { expectGolden } from '../../support/golden.js';

const env = { AWS_REGION: 'us-east-1' };
const WINDOW = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-20T06:00:00Z'];
const now = new Date('2026-11-22T00:00:00Z');

describe('--by dimensions', () => {
  test('parses every dimension, tags by key', () => {
    expect(parseDims('principal,tag:team,model')).toEqual([
      { kind: 'principal', name: 'principal' },
      { kind: 'tag', key: 'team', name: 'tag:team' },
      { kind: 'model', name: 'model' },
    ]);
    expect(parseDims('hour, role ,application,operation').map((d) => d.kind)).toEqual([
      'hour',
      'role',
      'application',
      'operation',
    ]);
  });

  test.each([
    [
      'nope',
      '"nope" is not a dimension (use model, hour, day, week, month, principal, role, application, operation, ' +
        'tag:KEY, account, region)',
    ],
    ['tag', '"tag" needs a key, e.g. tag:team'],
    ['tag:', 'needs a request-metadata key after "tag:"'],
    ["tag:a'b", 'needs a request-metadata key'],
    ['principal,principal', '"principal" is given twice'],
    ['day,hour', 'day and hour are two periods: pick one'],
    ['week,month', 'week and month are two periods: pick one'],
    ['principal,', 'has an empty dimension'],
  ])('--by %s is refused (exit 2) before any request', async (by, message) => {
    const r = await runCli(['report', '--by', by], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
    expect(r.requests).toEqual([]);
  });
});

describe('bad input: exit 2 with one line, and no request', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bm-empty-'));
  const outside = mkdtempSync(join(tmpdir(), 'bm-outside-'));
  mkdirSync(join(outside, '2026/10/01/00'), { recursive: true });
  writeFileSync(join(outside, '2026/10/01/00/x.json.gz'), gzipSync('{}\n'));
  test.each([
    [
      ['--by', 'principal', '--source', 'metrics'],
      'needs the invocation logs (CloudWatch metrics know only model and day): drop --source metrics',
    ],
    [
      ['--logs', dir, '--source', 'metrics'],
      '--logs reads the invocation logs: it cannot be combined with --source metrics',
    ],
    [['--logs', '/nonexistent/logs'], '--logs: /nonexistent/logs does not exist'],
    [['--logs', 'ftp://example.com/x'], 'is neither s3://BUCKET/PREFIX nor a local directory'],
    [['--logs', 's3://Bad_Bucket/x'], '--logs: "Bad_Bucket" may contain only lowercase letters'],
    [['--logs', dir, ...WINDOW], 'holds no invocation log files for the window'],
    [['--logs', outside, ...WINDOW], 'holds no invocation log files for the window'],
    [['--engine', 'athena', '--logs', dir], '--engine athena reads the Athena table'],
    [['--engine', 'insights', '--logs', 's3://bucket-name/p'], '--engine insights reads the CloudWatch Logs group'],
    [['--engine', 'spark'], '--engine: "spark" is not one of local, athena, insights'],
    [['--workgroup', 'no spaces'], 'is not a valid Athena workgroup name'],
    [['--logs', ''], '--logs: empty (give s3://BUCKET/PREFIX or a directory)'],
    [['--dry-run'], '--dry-run goes with --notify'],
    [['--by', 'principal', '--workgroup', 'primary'], '--workgroup is for --engine athena'],
    [['--no-cache'], '--no-cache is for the invocation logs read by the local engine'],
    [
      ['--by', 'principal', '--engine', 'athena', '--no-cache'],
      '--no-cache is for the invocation logs read by the local engine',
    ],
    [
      ['--source', 'logs', '--notify'],
      '--notify works with the CloudWatch report (by model or day): drop it, or drop the logs options ' +
        '(--logs, --engine, --source logs)',
    ],
  ])('report %j', async (args, message) => {
    const r = await runCli(['report', ...args], { env, now });
    expect(r.stderr).toContain(message);
    expect(r.code).toBe(2);
    expect(r.requests).toEqual([]);
  });

  test('athena config keys are validated by the schema', () => {
    expect(
      ConfigFileSchema.safeParse({
        athena: {
          enabled: true,
          database: 'bedrock_monitor',
          table: 'invocation_logs',
          workgroup: 'primary',
          resultsPrefix: 'athena-results',
        },
      }).success,
    ).toBe(true);
    const bad = ConfigFileSchema.safeParse({ athena: { database: 'Has-Caps' } });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.path).toEqual(['athena', 'database']);
    expect(ConfigFileSchema.safeParse({ athena: { unknown: 1 } }).success).toBe(false);
  });
});

describe('where the logs are', () => {
  test('--logs s3:// and the partition root under a key prefix', () => {
    expect(parseLogsArg('s3://my-bucket/team/logs/', '/')).toEqual({
      kind: 's3',
      bucket: 'my-bucket',
      prefix: 'team/logs/',
    });
    expect(parseLogsArg('s3://my-bucket', '/')).toEqual({ kind: 's3', bucket: 'my-bucket', prefix: '' });
    expect(partitionRoot('', '111122223333', 'eu-west-1')).toBe(
      'AWSLogs/111122223333/BedrockModelInvocationLogs/eu-west-1/',
    );
    expect(partitionRoot('team/logs/', '111122223333', 'eu-west-1')).toBe(
      'team/logs/AWSLogs/111122223333/BedrockModelInvocationLogs/eu-west-1/',
    );
    // A prefix that already reaches into the tree (e.g. another account's copy) is taken as it is.
    expect(partitionRoot('x/AWSLogs/999/BedrockModelInvocationLogs', '111', 'us-east-1')).toBe(
      'x/AWSLogs/999/BedrockModelInvocationLogs/us-east-1/',
    );
    expect(partitionRoot('x/AWSLogs/999/BedrockModelInvocationLogs/us-west-2/', '111', 'us-east-1')).toBe(
      'x/AWSLogs/999/BedrockModelInvocationLogs/us-west-2/',
    );
  });

  test(
    "only the window's partitions are listed (and the hour after, for " + 'late delivery); whole days as one prefix',
    () => {
      expect(
        partitionPrefixes('r/', { start: new Date('2026-11-20T22:00:00Z'), end: new Date('2026-11-21T01:00:00Z') }),
      ).toEqual(['r/2026/11/20/22/', 'r/2026/11/20/23/', 'r/2026/11/21/00/', 'r/2026/11/21/01/']);
      expect(
        partitionPrefixes('r/', { start: new Date('2026-11-19T23:30:00Z'), end: new Date('2026-11-22T00:00:00Z') }),
      ).toEqual(['r/2026/11/19/23/', 'r/2026/11/20/', 'r/2026/11/21/', 'r/2026/11/22/00/']);
      expect(
        pathMayHold('2026/11/20/05/x.json.gz', {
          start: new Date('2026-11-20T06:00:00Z'),
          end: new Date('2026-11-20T07:00:00Z'),
        }),
      ).toBe(false);
      expect(
        pathMayHold('2026/11/20/07/x.json.gz', {
          start: new Date('2026-11-20T06:00:00Z'),
          end: new Date('2026-11-20T07:00:00Z'),
        }),
      ).toBe(true);
      expect(pathMayHold('anything/x.json', { start: new Date(0), end: new Date(1) })).toBe(true);
    },
  );

  test('a tree of day partitions (CloudTrail): whole days only, and the day after for late delivery', () => {
    const daily = { unit: 'day', lagMs: 86_400_000 } as const;
    const w = { start: new Date('2026-03-08T12:00:00Z'), end: new Date('2026-03-10T12:00:00Z') };
    expect(partitionPrefixes('r/', w, daily)).toEqual([
      'r/2026/03/08/',
      'r/2026/03/09/',
      'r/2026/03/10/',
      'r/2026/03/11/',
    ]);
    expect(pathMayHold('CloudTrail/us-east-1/2026/03/07/x.json.gz', w, daily)).toBe(false);
    expect(pathMayHold('CloudTrail/us-east-1/2026/03/08/x.json.gz', w, daily)).toBe(true);
    expect(pathMayHold('CloudTrail/us-east-1/2026/03/11/x.json.gz', w, daily)).toBe(true);
    expect(pathMayHold('CloudTrail/us-east-1/2026/03/12/x.json.gz', w, daily)).toBe(false);
  });

  test('what is not a log file: data/ bodies, the permission check, empty objects', () => {
    expect(isLogFileKey('p/2026/11/20/10/20261120T101500123Z_abc.json.gz', 100)).toBe(true);
    expect(isLogFileKey('p/2026/11/20/10/data/abc_input.json.gz', 100)).toBe(false);
    expect(isLogFileKey('p/AWSLogs/1/BedrockModelInvocationLogs/amazon-bedrock-logs-permission-check', 0)).toBe(false);
    expect(isLogFileKey('p/x_output.json.gz', 10)).toBe(false);
    expect(isLogFileKey('p/empty.json.gz', 0)).toBe(false);
    expect(isLogFileKey('p/notes.txt', 10)).toBe(false);
  });

  test('cached copies are named by key and ETag; a key that could escape the cache is hashed', () => {
    expect(localName('AWSLogs/1/B/us-east-1/2026/11/20/10/f.json.gz', '"abc123"')).toBe(
      'AWSLogs/1/B/us-east-1/2026/11/20/10/abc123~f.json.gz',
    );
    expect(localName('../../etc/passwd.json.gz', 'e')).toMatch(/^_\/e~[0-9a-f]{32}\.json\.gz$/);
    expect(localName('a/[*]/x.json', 'e')).toMatch(/^_\/e~[0-9a-f]{32}\.json$/);
  });
});

describe('the local engine (DuckDB)', () => {
  test('a file that is not gzip is left out and named; the other files are read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-duck-'));
    writeFileSync(join(dir, 'good.json.gz'), gzipSync('{"schemaType":"ModelInvocationLog","modelId":"m"}\nnot json\n'));
    writeFileSync(join(dir, 'bad.json.gz'), 'this is not gzip');
    writeFileSync(join(dir, 'plain.json'), '{"schemaType":"ModelInvocationLog","modelId":"n"}\n');
    const r = await queryJsonFiles({
      files: ['good.json.gz', 'bad.json.gz', 'plain.json'].map((f) => join(dir, f)),
      columns: duckColumns(),
      view: 'v',
      sql:
        `SELECT count(*) FILTER (WHERE "schemaType" = 'ModelInvocationLog') AS ok, count(*) FILTER (WHERE ` +
        `"schemaType" IS NULL) AS bad FROM v`,
      tempDir: dir,
    });
    expect(r.rows).toEqual([{ ok: 2, bad: 1 }]);
    expect(r.unreadable).toEqual([
      { file: join(dir, 'bad.json.gz'), reason: expect.stringContaining('not a GZIP stream') },
    ]);
  });

  test("a file whose name begins another one is not blamed for the other's error", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-duck-'));
    writeFileSync(join(dir, 'a.json'), '{"schemaType":"ModelInvocationLog","modelId":"n"}\n');
    writeFileSync(join(dir, 'a.json.gz'), 'this is not gzip');
    const r = await queryJsonFiles({
      files: ['a.json', 'a.json.gz'].map((f) => join(dir, f)),
      columns: duckColumns(),
      view: 'v',
      sql: `SELECT count(*) AS n FROM v`,
      tempDir: dir,
    });
    expect(r.rows).toEqual([{ n: 1 }]);
    expect(r.unreadable.map((u) => u.file)).toEqual([join(dir, 'a.json.gz')]);
  });

  test('Ctrl-C interrupts a running query: it rejects as interrupted (130) at once, not when it ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-duck-'));
    writeFileSync(join(dir, 'a.json'), '{"schemaType":"ModelInvocationLog"}\n');
    const run = new Interruption();
    // A query of many minutes: a cross join of two large ranges.
    const query = queryJsonFiles({
      files: [join(dir, 'a.json')],
      columns: duckColumns(),
      view: 'v',
      // With a parameter: prepared, then run, in two calls (DuckDB clears an interrupt when each starts).
      sql:
        'SELECT count(*) AS n FROM v, range($n) a, range($n) b, range($n) c ' +
        'WHERE a.range + b.range + c.range = -1',
      params: { n: 100_000 },
      tempDir: dir,
      threads: 1,
      signal: run.signal,
    });
    setTimeout(() => run.stop('SIGINT'), 300);
    const started = Date.now();
    await expect(query).rejects.toMatchObject({ interrupted: true, exitCode: 130 });
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('the local engine plugs in other JSON logs (CloudTrail files: one document of Records)', () => {
  test('whole-document files with a column spec and SQL of their own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-ct-'));
    writeFileSync(
      join(dir, 'a.json.gz'),
      gzipSync(
        JSON.stringify({
          Records: [
            { eventName: 'InvokeModel', userIdentity: { arn: 'u1' } },
            { eventName: 'Converse', userIdentity: { arn: 'u2' } },
            { eventName: 'Converse', userIdentity: { arn: 'u2' } },
          ],
        }),
      ),
    );
    const r = await queryJsonFiles({
      files: [join(dir, 'a.json.gz')],
      columns: "{Records: 'STRUCT(eventName VARCHAR, userIdentity STRUCT(arn VARCHAR))[]'}",
      format: 'unstructured',
      view: 'trail',
      sql:
        'SELECT r.userIdentity.arn AS who, count(*) AS n FROM (SELECT unnest(Records) AS r FROM trail) GROUP ' +
        'BY 1 ORDER BY 1',
      tempDir: dir,
    });
    expect(r.rows).toEqual([
      { who: 'u1', n: 1 },
      { who: 'u2', n: 2 },
    ]);
  });

  test("parameters, and errors: fail throws DuckDB's error naming the file instead of leaving it out", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-ct-'));
    writeFileSync(
      join(dir, 'a.json'),
      JSON.stringify({ Records: [{ eventName: 'InvokeModel' }, { eventName: 'Converse' }] }),
    );
    writeFileSync(join(dir, 'b.json'), '{"Records": [ {"eventName": ');
    const q = {
      columns: "{Records: 'STRUCT(eventName VARCHAR)[]'}",
      format: 'unstructured' as const,
      view: 'trail',
      sql: 'SELECT count(*) AS n FROM (SELECT unnest(Records) AS r FROM trail) WHERE r.eventName = $name',
      params: { name: 'Converse' },
      tempDir: dir,
    };
    expect((await queryJsonFiles({ ...q, files: [join(dir, 'a.json')] })).rows).toEqual([{ n: 1 }]);
    await expect(
      queryJsonFiles({ ...q, files: [join(dir, 'a.json'), join(dir, 'b.json')], errors: 'fail' }),
    ).rejects.toThrow(/Malformed JSON in file ".*b\.json"/);
  });

  test(
    'a whole document larger than the default value size is read: the bound fits the largest file (gzip ' + 'trailer)',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bm-ct-'));
      // Some 70 MB in 700 records of 100 kB: above the 64 MiB default whatever the record count, which only costs
      // time (70,000 records of 1 kB took DuckDB twice as long); gzip's fastest level, the size is what counts.
      const record = { eventName: 'InvokeModel', pad: 'x'.repeat(100_000) };
      const big = JSON.stringify({ Records: Array.from({ length: 700 }, () => record) });
      writeFileSync(join(dir, 'big.json.gz'), gzipSync(big, { level: 1 }));
      const files = [join(dir, 'big.json.gz')];
      const budget = engineBudget({ files, format: 'unstructured' });
      expect(budget.maxObjectBytes).toBeGreaterThan(big.length);
      expect(budget.maxObjectBytes).toBeGreaterThan(DEFAULT_MAX_OBJECT_BYTES);
      const r = await queryJsonFiles({
        files,
        columns: "{Records: 'STRUCT(eventName VARCHAR)[]'}",
        format: 'unstructured',
        errors: 'fail',
        view: 't',
        sql: 'SELECT count(*) AS n FROM (SELECT unnest(Records) FROM t)',
        tempDir: dir,
      });
      expect(r.rows).toEqual([{ n: 700 }]);
    },
  );
});

describe(
  "the engine's threads fit its memory bound (DuckDB reserves two " + 'buffers of the largest value per thread)',
  () => {
    test('lines of up to 64 MiB: two threads in 320 MB however many cores; small documents: more', () => {
      expect(engineBudget({ files: [], threads: 8 })).toEqual({
        threads: 2,
        memoryLimitBytes: DEFAULT_MEMORY_LIMIT_BYTES,
        maxObjectBytes: DEFAULT_MAX_OBJECT_BYTES,
      });
      expect(engineBudget({ files: [], threads: 1 }).threads).toBe(1);
      expect(engineBudget({ files: [], threads: 8, format: 'unstructured', maxObjectBytes: 1000 })).toMatchObject({
        threads: 4,
        maxObjectBytes: 16 * 1024 * 1024,
        memoryLimitBytes: DEFAULT_MEMORY_LIMIT_BYTES,
      });
    });

    test('none asked for: one per 16 MiB of the files as stored, at least one, up to the cores', () => {
      const dir = mkdtempSync(join(tmpdir(), 'bm-duck-'));
      const MIB = 1024 * 1024;
      // Sparse files: their size is what counts, nothing is read.
      const sized = (name: string, bytes: number): string => {
        const f = join(dir, name);
        writeFileSync(f, '');
        truncateSync(f, bytes);
        return f;
      };
      const small = [sized('a.json.gz', 10 * MIB), sized('b.json.gz', 6 * MIB)];
      expect(engineBudget({ files: small }).threads).toBe(1);
      // A file that vanished since it was listed counts nothing (DuckDB then names it unreadable).
      expect(engineBudget({ files: [...small, join(dir, 'gone.json.gz')] }).threads).toBe(1);
      expect(engineBudget({ files: [] }).threads).toBe(1);
      const large = [...small, sized('c.json', 24 * MIB)];
      // 40 MiB: three threads where there are three cores (small documents: four would fit the bound).
      expect(engineBudget({ files: large, format: 'unstructured', maxObjectBytes: 1000 }).threads).toBe(
        Math.min(3, availableParallelism()),
      );
      // Lines of up to 64 MiB: the memory bound still allows two.
      expect(engineBudget({ files: large }).threads).toBe(Math.min(2, availableParallelism()));
    });

    test('one document too large for the bound: one thread, and the bound grows to hold it', () => {
      const b = engineBudget({ files: [], threads: 8, format: 'unstructured', maxObjectBytes: 300 * 1024 * 1024 });
      expect(b.threads).toBe(1);
      expect(b.memoryLimitBytes).toBeGreaterThanOrEqual(4 * 300 * 1024 * 1024);
    });

    test(
      'four or eight threads asked for, eight files: the query runs (it ran out of memory when every core got a ' +
        'reader)',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'bm-duck-'));
        const files = Array.from({ length: 8 }, (_, i) => join(dir, `f${i}.json.gz`));
        for (const f of files)
          writeFileSync(f, gzipSync('{"schemaType":"ModelInvocationLog","modelId":"m"}\n'.repeat(20_000)));
        for (const threads of [4, 8]) {
          const r = await queryJsonFiles({
            files,
            columns: duckColumns(),
            view: 'v',
            sql: 'SELECT count(*) AS n FROM v',
            tempDir: dir,
            threads,
          });
          expect(r.rows).toEqual([{ n: 160_000 }]);
        }
      },
    );
  },
);

describe('pricing per record', () => {
  test('1-hour cache writes at the 1-hour rate (2x input for Claude), with the geographic premium', () => {
    const p = priceFor('us.anthropic.claude-sonnet-4-5-20250929-v1:0')!;
    expect([p.input, p.cacheWrite, p.cacheWrite1h]).toEqual([3.3, 4.125, 6.6]);
    const tokens = {
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 1_000_000,
      cacheWrite1hTokens: 400_000,
    };
    expect(costUsd(tokens, p)).toBeCloseTo(0.6 * 4.125 + 0.4 * 6.6, 6);
    // A price override without a 1-hour rate stays valid and prices 1-hour writes at cacheWrite.
    expect(
      ConfigFileSchema.safeParse({
        prices: { 'meta.llama3-1-70b-instruct-v1:0': { input: 1, output: 1, cacheWrite: 2, cacheRead: 0 } },
      }).success,
    ).toBe(true);
    const o = priceFor('x.y', { 'x.y': { input: 1, output: 1, cacheWrite: 2, cacheRead: 0 } })!;
    expect(costUsd(tokens, o)).toBeCloseTo(2, 6);
  });

  test('an application inference profile is priced as the model it routes to', () => {
    expect(pricedAsFor(['arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-haiku-4-5-20251001-v1:0'])).toBe(
      'anthropic.claude-haiku-4-5-20251001-v1:0',
    );
    // Over a geographic profile (us.): the geography's Regions, priced at the Regional (= geographic) rate.
    expect(
      pricedAsFor(['arn:aws:bedrock:us-east-1::foundation-model/m', 'arn:aws:bedrock:us-west-2::foundation-model/m']),
    ).toBe('m');
    // Over a global profile: the source Region's model ARN beside the Region-less one global routing is authorized on
    // (https://docs.aws.amazon.com/bedrock/latest/userguide/global-cross-region-inference.html): the global rate.
    expect(
      pricedAsFor([
        'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
        'arn:aws:bedrock:::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0',
      ]),
    ).toBe('global.anthropic.claude-sonnet-4-5-20250929-v1:0');
    // Regions of several geographies without the Region-less ARN is no documented shape: the Regional rate.
    expect(
      pricedAsFor(['arn:aws:bedrock:us-east-1::foundation-model/m', 'arn:aws:bedrock:eu-west-1::foundation-model/m']),
    ).toBe('m');
  });
});

describe('the download cache keeps what is not its own to remove', () => {
  test(
    "two keys with the same ETag both stay; an old copy of a key goes; another process's partial download " +
      "stays, a dead one's goes",
    async () => {
      const s3 = mockClient(S3Client);
      try {
        s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from([Buffer.from('0123456789')]) }));
        const ctx = { aws: { get: () => new S3Client({ region: 'us-east-1' }) } } as unknown as Ctx;
        const dir = mkdtempSync(join(tmpdir(), 'bm-sync-'));
        // Keys with characters that get them hashed under _/, and the same ETag (identical contents).
        const objects = ['a/[x]/one.json.gz', 'a/[y]/two.json.gz'].map((key) => ({ key, size: 10, etag: 'same' }));
        const first = await syncObjects(ctx, { bucket: 'b', objects: objects.slice(0, 1), dir });
        const second = await syncObjects(ctx, { bucket: 'b', objects, dir });
        expect(second.downloaded).toBe(1);
        expect(readdirSync(join(dir, '_')).sort()).toEqual(
          second.files.map((f) => f.slice(join(dir, '_').length + 1)).sort(),
        );
        expect(second.files[0]).toBe(first.files[0]);

        // A live process's .part file (this jest worker's parent) and a dead one's.
        const dead = spawnSync('node', ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim();
        writeFileSync(join(dir, '_', `x.json.gz.part-${process.ppid}`), 'in progress');
        writeFileSync(join(dir, '_', `y.json.gz.part-${dead}`), 'left by a crash');
        const rewritten = await syncObjects(ctx, { bucket: 'b', objects: [{ ...objects[0]!, etag: 'new' }], dir });
        expect(readdirSync(join(dir, '_')).sort()).toEqual(
          [
            second.files[1]!.slice(join(dir, '_').length + 1),
            rewritten.files[0]!.slice(join(dir, '_').length + 1),
            `x.json.gz.part-${process.ppid}`,
          ].sort(),
        );
      } finally {
        s3.restore();
      }
    },
  );
});

describe('S3 access denied names the bucket and the permission (HTTP-level fake, real SDK stack)', () => {
  const identity = when(queryAction('sts.', 'GetCallerIdentity'), stsIdentity('111122223333'));
  const loggingConfig = (req: { hostname: string; method: string; path: string }) =>
    req.hostname.startsWith('bedrock.') && req.path === '/logging/modelinvocations'
      ? {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ loggingConfig: { s3Config: { bucketName: 'team-logs', keyPrefix: 'bedrock' } } }),
        }
      : undefined;
  const list = (req: { hostname: string; method: string; query: Record<string, unknown> }) =>
    req.method === 'GET' && req.query['list-type'] === '2';

  test('listing refused: s3:ListBucket on the bucket', async () => {
    const aws = fakeAws(identity, loggingConfig, when(list, s3Error(403, 'AccessDenied', 'Access Denied')));
    const r = await runCli(['report', '--by', 'principal', '--no-reconcile', ...WINDOW], {
      now,
      requestHandler: aws.handler,
      env: { ...env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'bm-c-')) },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Access denied reading the invocation logs in bucket team-logs: the caller needs s3:ListBucket on it.',
    );
  });

  test('download refused: s3:GetObject on the objects', async () => {
    const key =
      'bedrock/AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/2026/11/20/01/20261120T011000000Z_a.json.gz';
    const listing =
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult ` +
      (`xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>team-logs</Name><KeyCount>1</KeyCount>` +
        `<IsTruncated>false</IsTruncated><Contents><Key>${key}</Key><Size>40</Size><ETag>&quot;abc&quot;</ETag>` +
        `</Contents></ListBucketResult>`);
    const aws = fakeAws(
      identity,
      loggingConfig,
      (req) =>
        list(req)
          ? xml(
              200,
              (req.query.prefix as string).endsWith('/2026/11/20/')
                ? listing
                : listing.replace(/<Contents>.*<\/Contents>/, '').replace('<KeyCount>1', '<KeyCount>0'),
            )
          : undefined,
      when(
        (req) => req.method === 'GET' && req.path.endsWith('.json.gz'),
        s3Error(403, 'AccessDenied', 'Access Denied'),
      ),
    );
    const r = await runCli(
      [
        'report',
        '--by',
        'principal',
        '--no-reconcile',
        '--since',
        '2026-11-20T00:00:00Z',
        '--until',
        '2026-11-21T00:00:00Z',
      ],
      { now, requestHandler: aws.handler, env: { ...env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'bm-c-')) } },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Access denied reading the invocation logs in bucket team-logs: the caller needs s3:GetObject on it.',
    );
    expect(r.stderr).toContain('arn:aws:s3:::team-logs/*');
  });
});

describe("the audit's CloudTrail files in S3 go through the same cache (HTTP-level fake, real SDK stack)", () => {
  const ACCOUNT = '123456789012';
  const identity = when(queryAction('sts.', 'GetCallerIdentity'), stsIdentity(ACCOUNT));
  const ACCOUNT_WINDOW = ['--since', '2026-03-09T12:00:00Z', '--until', '2026-03-10T12:00:00Z'];
  const END = new Date('2026-03-10T12:00:00Z');

  test('listing refused: the message names the CloudTrail files, the bucket and s3:ListBucket', async () => {
    const aws = fakeAws(
      identity,
      when(
        (req) => req.method === 'GET' && req.query['list-type'] === '2',
        s3Error(403, 'AccessDenied', 'Access Denied'),
      ),
    );
    const r = await runCli(['audit', '--logs', 's3://trail-archive/audit', ...ACCOUNT_WINDOW], {
      now: END,
      requestHandler: aws.handler,
      env: { ...env, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'bm-c-')) },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Access denied reading the CloudTrail files in bucket trail-archive: the caller needs s3:ListBucket on it.',
    );
  });

  test('a download shorter than the listed size is not cached: the audit fails, naming the object', async () => {
    const key =
      `audit/AWSLogs/${ACCOUNT}/CloudTrail/us-east-1/2026/03/10/` +
      `${ACCOUNT}_CloudTrail_us-east-1_20260310T0100Z_a.json.gz`;
    const contents = `<Contents><Key>${key}</Key><Size>40</Size><ETag>&quot;abc&quot;</ETag></Contents>`;
    const listing = (prefix: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult ` +
      (`xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>trail-archive</Name><IsTruncated>false</` +
        `IsTruncated>${key.startsWith(prefix) ? contents : ''}</ListBucketResult>`);
    const aws = fakeAws(
      identity,
      (req) =>
        req.method === 'GET' && req.query['list-type'] === '2'
          ? xml(200, listing(String(req.query.prefix)))
          : undefined,
      (req) =>
        req.method === 'GET' && req.path.endsWith('.json.gz')
          ? {
              status: 200,
              headers: { 'content-type': 'application/octet-stream', etag: '"abc"' },
              body: 'x'.repeat(30),
            }
          : undefined,
    );
    const cache = mkdtempSync(join(tmpdir(), 'bm-c-'));
    const r = await runCli(['audit', '--logs', `s3://trail-archive/audit/AWSLogs/${ACCOUNT}`, ...ACCOUNT_WINDOW], {
      now: END,
      requestHandler: aws.handler,
      env: { ...env, XDG_CACHE_HOME: cache },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `Download of s3://trail-archive/${key} is incomplete (30 of 40 bytes); run the audit again`,
    );
    expect(readdirSync(cache, { recursive: true }).filter((f) => String(f).endsWith('.json.gz'))).toEqual([]);
  });
});

describe('golden output of the logs report (what people read)', () => {
  const SPEC = defaultSpec({ records: 600, hours: 3, malformedEvery: 200 });
  // A path of fixed length (not under $TMPDIR), so that wrapped lines do not depend on the machine.
  const dir = mkdtempSync('/tmp/bm-gold-');
  writeCorpus(dir, SPEC);
  const cwd = mkdtempSync(join(tmpdir(), 'bm-'));
  const rates = corpusRates(SPEC);
  writeFileSync(
    join(cwd, 'bedrock-monitor.config.json'),
    JSON.stringify({
      prices: { [APP_SEARCH(SPEC.account, SPEC.region)]: toUsdRates(rates[APP_SEARCH(SPEC.account, SPEC.region)]!) },
    }),
  );
  const window = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-20T03:00:00Z'];
  test.each<[string, string[], Record<string, string>]>([
    ['table-60.txt', ['--by', 'tag:team'], { COLUMNS: '60' }],
    ['table-80.txt', ['--by', 'tag:team'], { COLUMNS: '80' }],
    ['table-160.txt', ['--by', 'tag:team'], { COLUMNS: '160' }],
    ['table-piped.txt', ['--by', 'tag:team'], {}],
    ['role-env-piped.txt', ['--by', 'role,tag:env'], {}],
    ['hour.md', ['--by', 'hour,operation', '--output', 'markdown'], {}],
    ['by-team.csv', ['--by', 'tag:team,model', '--output', 'csv'], {}],
    ['by-application.json', ['--by', 'application', '--json'], {}],
  ])('%s', async (file, args, extraEnv) => {
    // With COLUMNS: in a terminal that wide; without: into a pipe, where nothing is cut.
    const r = await runCli(['report', ...args, '--logs', dir, '--no-reconcile', ...window], {
      env: { ...env, ...extraEnv },
      cwd,
      now,
      ...(extraEnv.COLUMNS ? { stdoutTty: true } : {}),
    });
    expect(r.code).toBe(0);
    if (extraEnv.COLUMNS) expect(r.stdout.split('\n').filter((l) => l.length > Number(extraEnv.COLUMNS))).toEqual([]);
    expectGolden(`${file}`, r.stdout.split(dir).join('<DIR>'));
    if (file === 'hour.md') {
      // Time first: hours in order, each hour's operations by cost.
      const hours = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('| 2026'))
        .map((l) => l.split(' | ')[0]);
      expect(hours).toEqual([...hours].sort());
    }
  });
});
