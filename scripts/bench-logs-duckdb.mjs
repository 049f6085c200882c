// npm run bench: a bare DuckDB read_json query over a list of log files, per-principal sums (what the
// local engine is compared with: no pricing, no percentiles, five columns). Usage:
// node scripts/bench-logs-duckdb.mjs FILES.txt START END   (START and END as 2026-11-20T00:00:00)
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const [list, start, end] = process.argv.slice(2);
const files = readFileSync(list, 'utf8').split('\n').filter(Boolean);
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const fileList = files.map((f) => `'${f}'`).join(',');
const q = `SELECT identity.arn AS p, count(*)::DOUBLE, sum(input.inputTokenCount)::DOUBLE,
    sum(output.outputTokenCount)::DOUBLE,
    sum(input.cacheReadInputTokenCount)::DOUBLE, sum(input.cacheWriteInputTokenCount)::DOUBLE
  FROM read_json([${fileList}], format = 'newline_delimited', compression = 'gzip',
    ignore_errors = true,
    columns = {schemaType: 'VARCHAR', "timestamp": 'VARCHAR', identity: 'STRUCT(arn VARCHAR)',
      input: 'STRUCT(inputTokenCount BIGINT, cacheReadInputTokenCount BIGINT, cacheWriteInputTokenCount BIGINT)',
      output: 'STRUCT(outputTokenCount BIGINT)'})
  WHERE schemaType = 'ModelInvocationLog'
    AND substr("timestamp", 1, 19) >= '${start}' AND substr("timestamp", 1, 19) < '${end}'
  GROUP BY 1`;
const rows = (await c.runAndReadAll(q)).getRows();
process.stdout.write(JSON.stringify(Object.fromEntries(rows.map(([p, ...v]) => [p, v]))));
