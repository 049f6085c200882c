import { describe, expect, test } from '@jest/globals';
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromSqlRows } from '../../../src/lib/logs/aggregate.js';
import { parseDims } from '../../../src/lib/logs/dims.js';
import { jsonViewSql, plainRow } from '../../../src/lib/logs/duckdb.js';
import { localFiles } from '../../../src/lib/logs/local.js';
import { duckColumns, TABLE_FIELDS } from '../../../src/lib/logs/schema.js';
import { aggregationSql, ATHENA, DUCKDB, type Dialect } from '../../../src/lib/logs/sql.js';
import { runCli } from '../../support/cli.js';
import {
  APP_SEARCH,
  APP_SUPPORT,
  CORPUS_ACCOUNT,
  corpusRates,
  defaultSpec,
  toUsdRates,
  writeCorpus,
} from '../../support/corpus.js';
import { expectGolden } from '../../support/golden.js';

/**
 * The one aggregation SQL text: its two renderings are golden files, and the Athena rendering, run
 * by DuckDB over a relation shaped like the Glue table (lowercase metadata columns, the `dt`
 * partition and the `$path` pseudo-column), gives the local engine's answer on the same corpus.
 */

const SPEC = defaultSpec({ malformedEvery: 250 });
const WINDOW = { start: SPEC.start, end: new Date(SPEC.start.getTime() + SPEC.hours * 3_600_000) };

describe('the shared aggregation SQL', () => {
  // The tests below only read the corpus: written once, at the first that needs it.
  let corpus: { dir: string; truth: ReturnType<typeof writeCorpus> } | undefined;
  const written = (): { dir: string; truth: ReturnType<typeof writeCorpus> } => {
    if (corpus) return corpus;
    const dir = mkdtempSync(join(tmpdir(), 'bm-sql-'));
    return (corpus = { dir, truth: writeCorpus(dir, SPEC) });
  };

  test.each<[string, Dialect]>([
    ['duckdb', DUCKDB],
    ['athena', ATHENA],
  ])('golden: %s rendering', (name, dialect) => {
    const sql = aggregationSql({
      relation: name === 'athena' ? '"bedrock_monitor"."invocation_logs"' : 'invocation_log',
      dims: parseDims('principal,role,tag:Team,application'),
      window: WINDOW,
      dialect,
    });
    expectGolden(`aggregation-${name}.sql`, `${sql}\n`);
  });

  test(
    'one totals row, whatever the malformed lines: rows are told ' + 'apart by grouping set, never by NULLs',
    async () => {
      const { dir } = written();
      const files = localFiles(dir, WINDOW).files;
      const instance = await DuckDBInstance.create(':memory:', { threads: '1', temp_directory: dir });
      const c = await instance.connect();
      try {
        await c.run(jsonViewSql('invocation_log', files, duckColumns(), { filename: true }));
        const sql = aggregationSql({
          relation: 'invocation_log',
          dims: parseDims('hour,operation'),
          window: WINDOW,
          dialect: DUCKDB,
        });
        const rows = (await c.runAndReadAll(sql)).getRowObjectsJS().map(plainRow);
        // A malformed line reads as all NULL, so its hour is NULL: its row of the (dims) set has every
        // grouping key NULL, like the totals row, and must not be taken for it.
        expect(rows.filter((r) => r.kind === 'total')).toHaveLength(1);
        expect(rows.filter((r) => r.kind === 'latency' && r.g0 === null)).toHaveLength(1);
      } finally {
        c.closeSync();
        instance.closeSync();
      }
    },
  );

  test(
    "the Athena rendering, run by DuckDB over the Glue table's " + 'shape, equals the local engine on the corpus',
    async () => {
      const { dir, truth } = written();
      const files = localFiles(dir, WINDOW).files;
      const instance = await DuckDBInstance.create(':memory:', { threads: '1', temp_directory: dir });
      const c = await instance.connect();
      try {
        // The table's columns only (no body member), plus what Athena adds: the projected dt and "$path".
        await c.run(
          jsonViewSql('raw', files, duckColumns(TABLE_FIELDS, undefined, 'BIGINT')).replace(
            'columns = {',
            'filename = true, columns = {',
          ),
        );
        await c.run(
          `CREATE TEMP VIEW glue_shaped AS SELECT * EXCLUDE (filename), regexp_extract(filename, ` +
            `'(\\d{4}/\\d{2}/\\d{2}/\\d{2})/[^/]+$', 1) AS dt, filename AS "$path", ` +
            // The account and region partitions, projected from the same path.
            `regexp_extract(filename, 'AWSLogs/(\\d{12})/', 1) AS account, ` +
            `regexp_extract(filename, 'BedrockModelInvocationLogs/([a-z0-9-]+)/', 1) AS region FROM raw`,
        );
        const cwd = mkdtempSync(join(tmpdir(), 'bm-'));
        const rates = corpusRates(SPEC);
        writeFileSync(
          join(cwd, 'bedrock-monitor.config.json'),
          JSON.stringify({
            prices: Object.fromEntries(
              [APP_SEARCH, APP_SUPPORT]
                .map((f) => f(CORPUS_ACCOUNT, SPEC.region))
                .map((a) => [a, toUsdRates(rates[a]!)]),
            ),
          }),
        );
        for (const by of ['principal', 'tag:team,model', 'role,operation', 'account,region,principal']) {
          const dims = parseDims(by);
          // Trino's percentile is the one function of the Athena text DuckDB does not have
          // (a macro cannot take FILTER).
          const athenaSql = aggregationSql({
            relation: 'glue_shaped',
            dims,
            window: WINDOW,
            dialect: ATHENA,
            // The report's default scope (the context's Region), here as partition pruning.
            targets: { regions: ['us-east-1'] },
          }).replace(/approx_percentile\(/g, 'quantile_cont(');
          const viaAthenaText = fromSqlRows((await c.runAndReadAll(athenaSql)).getRowObjectsJS().map(plainRow), dims);
          const local = await runCli(
            [
              'report',
              '--by',
              by,
              '--logs',
              dir,
              '--no-reconcile',
              '--since',
              WINDOW.start.toISOString(),
              '--until',
              WINDOW.end.toISOString(),
              '--json',
              '--region',
              'us-east-1',
            ],
            { cwd },
          );
          expect(local.code).toBe(0);
          const rep = local.json();
          // Sum the Athena text's per-model rows into the report's groups and compare what Athena reads.
          const sums = new Map<string, number[]>();
          for (const g of viaAthenaText.groups) {
            const k = JSON.stringify(g.keys);
            const s = sums.get(k) ?? [0, 0, 0, 0, 0, 0];
            [g.invocations, g.inputTokens, g.outputTokens, g.cacheReadTokens, g.cacheWriteTokens, g.errors].forEach(
              (v, i) => (s[i]! += v),
            );
            sums.set(k, s);
          }
          expect(sums.size).toBe(rep.rows.length);
          for (const row of rep.rows as Record<string, unknown>[]) {
            const k = JSON.stringify(dims.map((d) => row[d.name]));
            expect([k, ...(sums.get(k) ?? [])]).toEqual([
              k,
              row.invocations,
              row.inputTokens,
              row.outputTokens,
              row.cacheReadTokens,
              row.cacheWriteTokens,
              row.errors,
            ]);
          }
          expect(viaAthenaText.malformedLines).toBe(truth.malformedLines);
          expect(rep.skipped.malformedLines).toBe(truth.malformedLines);
          // What Athena cannot read (no body members in its table) is absent, not wrong.
          expect(viaAthenaText.totalLatency.count).toBe(0);
          expect(viaAthenaText.groups.every((g) => g.cacheWrite1hTokens === 0)).toBe(true);
        }
      } finally {
        c.closeSync();
        instance.closeSync();
      }
    },
  );
});
