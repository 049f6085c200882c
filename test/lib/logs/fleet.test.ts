import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDims } from '../../../src/lib/logs/dims.js';
import { pathTarget, splitByScope } from '../../../src/lib/logs/scope.js';
import { aggregationSql, ATHENA, DUCKDB } from '../../../src/lib/logs/sql.js';
import { shortLabels } from '../../../src/lib/report/logs-render.js';
import { emptyDir, runCli } from '../../support/cli.js';
import {
  CORPUS_ACCOUNT,
  corpusRates,
  defaultSpec,
  toUsdRates,
  writeCorpus,
  type CorpusTruth,
} from '../../support/corpus.js';
import { expectGolden } from '../../support/golden.js';
import { logsReportDocSchema } from '../../support/schemas.js';

/**
 * Invocation logs of many accounts and Regions in one tree (a central bucket's copy): records are told apart by the
 * `AWSLogs/<account>/BedrockModelInvocationLogs/<region>/` part of their path, only the chosen targets count, and the
 * others are left out and reported. The merged report equals the sum of the per-target reports, figure by figure.
 */

const OTHER_ACCOUNT = '210987654321';
const ACCOUNTS = [CORPUS_ACCOUNT, OTHER_ACCOUNT];
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-northeast-1'];
const BASE = defaultSpec({ records: 240, hours: 3, filesPerHour: 2, malformedEvery: 0 });
const WINDOW = [
  '--since',
  BASE.start.toISOString(),
  '--until',
  new Date(BASE.start.getTime() + BASE.hours * 3_600_000).toISOString(),
];

interface Tree {
  dir: string;
  cwd: string;
  truth: Map<string, CorpusTruth>;
}

/** Two accounts × three Regions, each with its own seed (so no two targets hold the same records). */
function fleetTree(accounts = ACCOUNTS): Tree {
  const dir = emptyDir();
  const cwd = emptyDir();
  const truth = new Map<string, CorpusTruth>();
  const prices: Record<string, unknown> = {};
  accounts.forEach((account, a) =>
    REGIONS.forEach((region, r) => {
      const spec = { ...BASE, seed: 11 + a * 7 + r, account, region };
      truth.set(`${account}/${region}`, writeCorpus(dir, spec));
      // The corpus's application profiles are priced by the config file, as a user would.
      for (const [id, rates] of Object.entries(corpusRates(spec)))
        if (id.includes(':application-inference-profile/')) prices[id] = toUsdRates(rates);
    }),
  );
  writeFileSync(join(cwd, 'bedrock-monitor.config.json'), JSON.stringify({ prices }));
  return { dir, cwd, truth };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function report(tree: Tree, args: string[]): Promise<any> {
  const r = await runCli(
    ['report', '--logs', tree.dir, '--no-reconcile', '--region', 'us-east-1', ...WINDOW, '--json', ...args],
    { cwd: tree.cwd },
  );
  if (r.code !== 0) throw new Error(`report ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.json<unknown>();
}

const ADDITIVE = [
  'invocations',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'cacheWrite1hTokens',
  'errors',
] as const;

type Row = Record<string, unknown>;

/** Rows summed by their group's values (the figures that add up: counts, tokens, cost). */
function sumRows(rows: Row[], dims: string[]): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const row of rows) {
    const k = dims.map((d) => row[d]).join(' | ');
    const acc = out.get(k) ?? Object.fromEntries([...ADDITIVE, 'costUsd'].map((f) => [f, 0]));
    for (const f of ADDITIVE) acc[f]! += row[f] as number;
    acc.costUsd! += (row.costUsd as number | null) ?? 0;
    out.set(k, acc);
  }
  return out;
}

describe('report over a tree of two accounts and three Regions', () => {
  const dims = ['account', 'principal'];
  // The reports only read the tree: the tests of both accounts share one (built at the first that needs it).
  let both: Tree | undefined;
  const bothAccounts = (): Tree => (both ??= fleetTree());

  test('the merged report equals the sum of the per-target reports, for every figure', async () => {
    const tree = bothAccounts();
    const merged = await report(tree, [
      '--by',
      'account,principal',
      '--accounts',
      ACCOUNTS.join(','),
      '--regions',
      REGIONS.join(','),
    ]);
    expect(logsReportDocSchema(dims).safeParse(merged).error).toBeUndefined();
    const perTarget: Row[] = [];
    for (const account of ACCOUNTS)
      for (const region of REGIONS) {
        const one = await report(tree, ['--by', 'account,principal', '--accounts', account, '--regions', region]);
        // Only that target's records: the other five trees are left out and counted.
        expect(one.rows.every((r: Row) => r.account === account)).toBe(true);
        expect(one.totals.invocations).toBe(tree.truth.get(`${account}/${region}`)!.totals.invocations);
        expect(one.skipped.outsideTargets.files).toBeGreaterThan(0);
        expect(
          one.skipped.outsideTargets.by.map((b: { account: string; region: string }) => `${b.account}/${b.region}`),
        ).not.toContain(`${account}/${region}`);
        perTarget.push(...one.rows);
      }
    const want = sumRows(perTarget, dims);
    const got = sumRows(merged.rows, dims);
    expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
    for (const [k, w] of want) {
      const g = got.get(k)!;
      for (const f of ADDITIVE) expect([k, f, g[f]]).toEqual([k, f, w[f]]);
      expect(g.costUsd).toBeCloseTo(w.costUsd!, 5);
    }
    // And the fleet's totals are the truth's, with one row per target.
    const truthTotal = [...tree.truth.values()].reduce((a, t) => a + t.totals.invocations, 0);
    expect(merged.totals.invocations).toBe(truthTotal);
    expect(merged.targets).toHaveLength(6);
    for (const t of merged.targets)
      expect(t.invocations).toBe(tree.truth.get(`${t.account}/${t.region}`)!.totals.invocations);
    expect(merged.skipped.outsideTargets).toEqual({ files: 0, records: 0, by: [] });
  }, 120_000);

  test('--regions us-east-1 holds only that Region: by region, one value', async () => {
    const tree = bothAccounts();
    const r = await report(tree, ['--by', 'region,model', '--accounts', ACCOUNTS.join(','), '--regions', 'us-east-1']);
    expect(new Set(r.rows.map((x: Row) => x.region))).toEqual(new Set(['us-east-1']));
    expect(r.totals.invocations).toBe(
      ACCOUNTS.reduce((a, acc) => a + tree.truth.get(`${acc}/us-east-1`)!.totals.invocations, 0),
    );
    expect(r.scope).toEqual({ accounts: ACCOUNTS, regions: ['us-east-1'] });
    expect(r.skipped.outsideTargets.by.map((b: Row) => b.region).sort()).toEqual([
      'ap-northeast-1',
      'ap-northeast-1',
      'eu-west-1',
      'eu-west-1',
    ]);
  }, 60_000);

  test('without target flags: the Region of --region only, the others left out and said so', async () => {
    const tree = fleetTree([CORPUS_ACCOUNT]);
    const r = await runCli(
      ['report', '--by', 'principal', '--logs', tree.dir, '--no-reconcile', '--region', 'eu-west-1', ...WINDOW],
      { cwd: tree.cwd },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Bedrock usage by principal in eu-west-1,');
    expect(r.stderr).toMatch(
      new RegExp(
        `left out \\d+ log files of other accounts or Regions \\(${CORPUS_ACCOUNT} ap-northeast-1: \\d+; ` +
          `${CORPUS_ACCOUNT} us-east-1: \\d+\\): the report covers Region eu-west-1 only`,
      ),
    );
    const j = await report(tree, ['--by', 'principal', '--region', 'eu-west-1']);
    expect(j.totals.invocations).toBe(tree.truth.get(`${CORPUS_ACCOUNT}/eu-west-1`)!.totals.invocations);
  }, 60_000);

  test('golden: the human table with ACCOUNT and REGION columns, and the per-target table', async () => {
    const tree = bothAccounts();
    const r = await runCli(
      [
        'report',
        '--by',
        'account,region',
        '--logs',
        tree.dir,
        '--no-reconcile',
        '--region',
        'us-east-1',
        ...WINDOW,
        '--accounts',
        `${ACCOUNTS.join(',')},333333333333`,
        '--regions',
        REGIONS.join(','),
      ],
      { cwd: tree.cwd },
    );
    expect(r.code).toBe(0);
    expectGolden('fleet-account-region.txt', r.stdout.replaceAll(tree.dir, '<DIR>'));
    const csv = await runCli(
      [
        'report',
        '--by',
        'account,region',
        '--logs',
        tree.dir,
        '--no-reconcile',
        '--region',
        'us-east-1',
        '--accounts',
        ACCOUNTS.join(','),
        ...WINDOW,
        '--output',
        'csv',
      ],
      { cwd: tree.cwd },
    );
    expect(csv.code).toBe(0);
    const [header, ...records] = csv.stdout.trim().split('\n');
    // The documented CSV shape: kind, the context columns, the keys, the figures; a row's own region wins.
    expect(header).toBe(
      'kind,region,windowStart,windowEnd,account,invocations,inputTokens,outputTokens,cacheReadTokens,' +
        'cacheWriteTokens,cacheWrite1hTokens,errors,latencyP50Ms,latencyP90Ms,latencyP99Ms,priced,costUsd',
    );
    const regions = new Set(records.filter((r) => r.startsWith('group,')).map((r) => r.split(',')[1]));
    expect([...regions]).toEqual(['us-east-1']); // no --regions: the --region Region only
  }, 60_000);
});

describe('attribution and labels', () => {
  test('a path says its account and Region; other paths say nothing', () => {
    expect(pathTarget('p/AWSLogs/111122223333/BedrockModelInvocationLogs/eu-west-1/2026/11/20/10/x.json.gz')).toEqual({
      account: '111122223333',
      region: 'eu-west-1',
    });
    expect(pathTarget('flat/x.json.gz')).toBeUndefined();
    const s = splitByScope(
      [
        '/AWSLogs/111122223333/BedrockModelInvocationLogs/eu-west-1/a.json',
        '/AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/b.json',
        '/flat.json',
      ],
      { regions: ['us-east-1'] },
    );
    expect(s.inside).toEqual(['/AWSLogs/111122223333/BedrockModelInvocationLogs/us-east-1/b.json', '/flat.json']);
    expect(s.outside).toEqual({
      files: 1,
      records: 0,
      by: [{ account: '111122223333', region: 'eu-west-1', files: 1 }],
    });
  });

  test('the same role name in two accounts keeps its account in the label; a unique one does not', () => {
    const a = 'arn:aws:sts::111111111111:assumed-role/Dev/jane';
    const b = 'arn:aws:sts::222222222222:assumed-role/Dev/jane';
    const c = 'arn:aws:iam::222222222222:user/ci';
    const l = shortLabels([a, b, c]);
    expect(l.get(a)).toBe('111111111111:assumed-role/Dev/jane');
    expect(l.get(b)).toBe('222222222222:assumed-role/Dev/jane');
    expect(l.get(c)).toBe('user/ci');
  });

  test('the SQL: DuckDB reads the path or the record; Athena prunes by the account and region partitions', () => {
    const window = { start: BASE.start, end: new Date(BASE.start.getTime() + 3_600_000) };
    const targets = { accounts: ['111111111111'], regions: ['us-east-1', 'eu-west-1'] };
    const duck = aggregationSql({ relation: 'v', dims: parseDims('account,region'), window, dialect: DUCKDB, targets });
    expect(duck).toContain(`regexp_extract(filename, 'AWSLogs/([0-9]{12})/BedrockModelInvocationLogs/', 1)`);
    expect(duck).toContain(`"accountId"`);
    const athena = aggregationSql({ relation: 't', dims: parseDims('account'), window, dialect: ATHENA, targets });
    expect(athena).toContain(`AND "account" IN ('111111111111') AND "region" IN ('us-east-1', 'eu-west-1')`);
  });
});
