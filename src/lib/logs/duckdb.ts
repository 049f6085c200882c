import { cpus } from 'node:os';
import { BmError } from '../core/errors.js';

/**
 * The embedded engine: DuckDB over local newline-delimited JSON files (gzip or plain). Generic: a
 * caller names the files, the column spec and the SQL; invocation logs and CloudTrail files both
 * plug in this way. Nothing is downloaded at run time (DuckDB's JSON reader is linked in; extension
 * autoloading is switched off), memory is bounded and spilling goes to a directory the caller owns.
 */

export interface JsonQuery {
  /** Local files, every one non-empty (DuckDB fails a whole query on an empty gzip file). */
  files: string[];
  /** The `columns={…}` argument of read_json: the declared fields; undeclared keys are skipped. */
  columns: string;
  /** One record per line (invocation logs, the default), or whole JSON documents (e.g. CloudTrail's `{"Records": […]}`). */
  format?: 'newline_delimited' | 'unstructured';
  /** The name the SQL reads the files by. */
  view: string;
  sql: string;
  /** Where DuckDB may spill (never the working directory). */
  tempDir: string;
  threads?: number;
  /** DuckDB's own memory bound; the process stays within a few hundred MB of it. */
  memoryLimit?: string;
}

export interface JsonQueryResult {
  rows: Record<string, unknown>[];
  /** Files DuckDB could not read at all (not gzip, vanished): left out, with the reason. */
  unreadable: { file: string; reason: string }[];
}

export const DEFAULT_MEMORY_LIMIT = '320MB';

const GLOB_CHARS = /[*?[\]{}]/;

/** DuckDB treats file names as glob patterns: such names cannot be read safely. */
export function hasGlobChars(file: string): boolean {
  return GLOB_CHARS.test(file);
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export function jsonViewSql(view: string, files: string[], columns: string, format: JsonQuery['format'] = 'newline_delimited'): string {
  // Each file's compression from its extension (.json.gz gzip, .json plain); a bad line becomes an
  // all-NULL row (counted by the caller) instead of failing the query.
  return `CREATE OR REPLACE TEMP VIEW ${view} AS SELECT * FROM read_json([${files.map(quote).join(', ')}], format = '${format}', compression = 'auto_detect', ignore_errors = true, maximum_object_size = 67108864, columns = ${columns})`;
}

/** The file a DuckDB IO error names, when it names one of ours. */
export function fileInError(message: string, files: string[]): string | undefined {
  return files.find((f) => message.includes(f));
}

/** Plain JS values: BIGINT and HUGEINT become numbers (exact below 2^53, which token sums are). */
export function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
  return out;
}

/** Runs `sql` over the files, leaving out (and reporting) any file DuckDB cannot read at all. */
export async function queryJsonFiles(q: JsonQuery): Promise<JsonQueryResult> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(q.threads ?? Math.max(1, Math.min(cpus().length, 8))),
    memory_limit: q.memoryLimit ?? DEFAULT_MEMORY_LIMIT,
    temp_directory: q.tempDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  const unreadable: JsonQueryResult['unreadable'] = [];
  let files = [...q.files];
  try {
    for (;;) {
      if (!files.length) return { rows: [], unreadable };
      try {
        await connection.run(jsonViewSql(q.view, files, q.columns, q.format));
        const reader = await connection.runAndReadAll(q.sql);
        return { rows: reader.getRowObjectsJS().map(plainRow), unreadable };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        const bad = fileInError(message, files);
        if (!bad) throw new BmError(`The local engine (DuckDB) failed: ${message.split('\n')[0] ?? message}`, { cause: err });
        unreadable.push({ file: bad, reason: (message.split('\n')[0] ?? message).replace(/^IO Error: /, '') });
        files = files.filter((f) => f !== bad);
      }
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
