import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { stoppedError, throwIfStopped } from '../core/abort.js';
import { BmError } from '../core/errors.js';

/**
 * The embedded engine: DuckDB over local JSON files (gzip or plain), a record per line or whole
 * documents. Generic: a caller names the files, the column spec and the SQL; invocation logs and
 * CloudTrail files both plug in this way. Nothing is downloaded at run time (DuckDB's JSON reader is
 * linked in; extension autoloading is switched off), memory is bounded and spilling goes to a
 * directory the caller owns.
 */

export interface JsonQuery {
  /** Local files, every one non-empty (DuckDB fails a whole query on an empty gzip file). */
  files: string[];
  /** The `columns={…}` argument of read_json: the declared fields; undeclared keys are skipped. */
  columns: string;
  /**
   * One record per line (invocation logs, the default), or whole JSON documents
   * (e.g. CloudTrail's `{"Records": […]}`).
   */
  format?: 'newline_delimited' | 'unstructured';
  /** The name the SQL reads the files by. */
  view: string;
  /** Add a `filename` column naming each row's file (where a record came from). */
  filename?: boolean;
  sql: string;
  /** Values of the SQL's `$name` parameters. */
  params?: Record<string, DuckDBValue>;
  /**
   * The largest JSON value (a line, or a whole document) the reader accepts, in bytes. Default: 64 MiB
   * for lines; for whole documents, the largest file's uncompressed size.
   */
  maxObjectBytes?: number;
  /**
   * `tolerate` (default): a malformed line reads as an all-NULL row and a file DuckDB cannot read is
   * left out (and reported). `fail`: the first malformed or unreadable file fails the query with
   * DuckDB's own error, for a caller that words it.
   */
  errors?: 'tolerate' | 'fail';
  /** Where DuckDB may spill (never the working directory). */
  tempDir: string;
  /**
   * At most this many threads (default: one per 16 MiB of the files as stored, up to the cores and at most 8); fewer
   * when the reader's buffers would not fit the memory bound.
   */
  threads?: number;
  /** DuckDB's own memory bound in bytes; the process stays within a few hundred MB of it. */
  memoryLimitBytes?: number;
  /** The run's: when it fires (Ctrl-C), the running query is interrupted and the call rejects as interrupted. */
  signal?: AbortSignal;
}

export interface JsonQueryResult {
  rows: Record<string, unknown>[];
  /** Files DuckDB could not read at all (not gzip, vanished): left out, with the reason. */
  unreadable: { file: string; reason: string }[];
}

const MIB = 1024 * 1024;
export const DEFAULT_MEMORY_LIMIT_BYTES = 320_000_000;
export const DEFAULT_MAX_OBJECT_BYTES = 64 * MIB;
/** DuckDB never takes a smaller maximum_object_size than its default, 16 MiB; the option is a 32-bit count. */
const MIN_OBJECT_BYTES = 16 * MIB;
const MAX_OBJECT_BYTES = 2 ** 31 - 1;
/** What a query needs besides the reader's buffers (its aggregation spills beyond that). */
const QUERY_RESERVE_BYTES = 48 * MIB;

/**
 * The files' size as stored (gzip or plain) that is worth one more thread. Below it a thread's start, its hand-offs
 * and its waits for work cost more CPU than it saves time: a report over a few MB of logs (a small account's day) ran
 * in about 70 ms less CPU on one thread than on two, on a busy 2-core machine (docs/testing.md).
 */
const BYTES_PER_THREAD = 16 * MIB;

/**
 * One thread per BYTES_PER_THREAD of the files (a vanished file counts 0), at least one, up to the cores this process
 * may use (`availableParallelism`: a CPU affinity mask counts, and no /proc/cpuinfo is read as `cpus()` does) and 8:
 * the local engine's default, and the CUR 2.0 export's Parquet files' (bill).
 */
export function defaultThreads(files: string[]): number {
  const bytes = files.reduce((n, f) => n + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
  return Math.max(1, Math.min(availableParallelism(), 8, Math.ceil(bytes / BYTES_PER_THREAD)));
}

/** A file's uncompressed size: gzip's trailer (ISIZE, the size modulo 2^32) for a gzip file, else its size. */
function uncompressedBytes(file: string): number {
  const size = statSync(file).size;
  if (!/\.gz$/i.test(file) || size < 18) return size;
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(2);
    const tail = Buffer.alloc(4);
    readSync(fd, head, 0, 2, 0);
    readSync(fd, tail, 0, 4, size - 4);
    return head[0] === 0x1f && head[1] === 0x8b ? Math.max(size, tail.readUInt32LE(0)) : size;
  } finally {
    closeSync(fd);
  }
}

/**
 * Threads, memory bound and largest JSON value for a query. DuckDB's JSON reader holds two buffers
 * of maximum_object_size for each thread, whatever the files' sizes, and a whole document is parsed
 * in memory besides: the threads are as many as fit the bound (at least one), and the bound grows
 * only when one reader alone would not fit (a document larger than the bound allows).
 */
export function engineBudget(
  q: Pick<JsonQuery, 'files' | 'format' | 'maxObjectBytes' | 'threads' | 'memoryLimitBytes'>,
): { threads: number; memoryLimitBytes: number; maxObjectBytes: number } {
  const whole = q.format === 'unstructured';
  const largest =
    q.maxObjectBytes ??
    (whole ? q.files.reduce((m, f) => Math.max(m, uncompressedBytes(f) + MIB), 0) : DEFAULT_MAX_OBJECT_BYTES);
  const maxObjectBytes = Math.min(MAX_OBJECT_BYTES, Math.max(MIN_OBJECT_BYTES, largest));
  const perThread = (whole ? 4 : 2) * maxObjectBytes;
  const limit = q.memoryLimitBytes ?? DEFAULT_MEMORY_LIMIT_BYTES;
  const wanted = q.threads ?? defaultThreads(q.files);
  const threads = Math.max(1, Math.min(wanted, Math.floor((limit - QUERY_RESERVE_BYTES) / perThread)));
  return { threads, memoryLimitBytes: Math.max(limit, QUERY_RESERVE_BYTES + perThread * threads), maxObjectBytes };
}

const GLOB_CHARS = /[*?[\]{}]/;

/** DuckDB treats file names as glob patterns: such names cannot be read safely. */
export function hasGlobChars(file: string): boolean {
  return GLOB_CHARS.test(file);
}

const quote = (s: string): string => `'${s.replace(/'/g, "''")}'`;

export function jsonViewSql(
  view: string,
  files: string[],
  columns: string,
  q: Pick<JsonQuery, 'format' | 'maxObjectBytes' | 'errors' | 'filename'> = {},
): string {
  // Each file's compression from its extension (.json.gz gzip, .json plain); when tolerated, a bad
  // line becomes an all-NULL row (counted by the caller) instead of failing the query.
  const options = [
    `format = '${q.format ?? 'newline_delimited'}'`,
    "compression = 'auto_detect'",
    `ignore_errors = ${q.errors !== 'fail'}`,
    `maximum_object_size = ${q.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES}`,
    ...(q.filename ? ['filename = true'] : []),
    `columns = ${columns}`,
  ];
  return (
    `CREATE OR REPLACE TEMP VIEW ${view} AS SELECT * FROM read_json([${files.map(quote).join(', ')}], ` +
    `${options.join(', ')})`
  );
}

/**
 * The file a DuckDB IO error names, when it names one of ours: the longest such name, since a name can begin another
 * (an error about `a.json.gz` also holds `a.json`).
 */
export function fileInError(message: string, files: string[]): string | undefined {
  let named: string | undefined;
  for (const f of files) if (message.includes(f) && f.length > (named?.length ?? -1)) named = f;
  return named;
}

/** Plain JS values: BIGINT and HUGEINT become numbers (exact below 2^53, which token sums are). */
export function plainRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'bigint' ? Number(v) : v;
  return out;
}

/** How often a stopped run interrupts DuckDB again, until its work has ended. */
const INTERRUPT_EVERY_MS = 20;

/**
 * Runs `work` on the connection so that Ctrl-C stops it: when the run's signal fires, DuckDB interrupts the running
 * statement (`connection.interrupt()`) and the call rejects as interrupted (exit 130), whatever DuckDB said. DuckDB
 * clears its interrupt flag when it starts a statement (and a statement with parameters is prepared, then run, in two
 * calls), so one interrupt could land in a gap and be lost: it is repeated until `work` has ended.
 */
async function interruptible<T>(
  connection: DuckDBConnection,
  signal: AbortSignal | undefined,
  work: () => Promise<T>,
): Promise<T> {
  throwIfStopped(signal);
  let again: NodeJS.Timeout | undefined;
  const interrupt = (): void => {
    connection.interrupt();
    again = setInterval(() => connection.interrupt(), INTERRUPT_EVERY_MS);
  };
  signal?.addEventListener('abort', interrupt, { once: true });
  try {
    const result = await work();
    throwIfStopped(signal);
    return result;
  } catch (err) {
    if (signal?.aborted) throw stoppedError(signal);
    throw err;
  } finally {
    clearInterval(again);
    signal?.removeEventListener('abort', interrupt);
  }
}

/**
 * An embedded DuckDB for one piece of work: in memory, at most `threads` threads and `memoryLimitBytes`, spilling to
 * `tempDir` (a directory the caller owns), no extension downloaded or loaded at run time, times in UTC whatever the
 * machine's zone; Ctrl-C (the signal) interrupts it (interruptible). Closed when the work ends.
 */
export async function withDuckDb<T>(
  o: { threads: number; memoryLimitBytes: number; tempDir: string; signal?: AbortSignal | undefined },
  work: (connection: DuckDBConnection) => Promise<T>,
): Promise<T> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:', {
    threads: String(o.threads),
    memory_limit: `${Math.ceil(o.memoryLimitBytes / MIB)}MiB`,
    temp_directory: o.tempDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  const connection = await instance.connect();
  try {
    return await interruptible(connection, o.signal, async () => {
      await connection.run("SET TimeZone = 'UTC'");
      return work(connection);
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/**
 * Runs `sql` over the files, leaving out (and reporting) any file DuckDB cannot read at all, unless `errors: 'fail'`.
 */
export async function queryJsonFiles(q: JsonQuery): Promise<JsonQueryResult> {
  const budget = engineBudget(q);
  const options = { ...budget, tempDir: q.tempDir, signal: q.signal };
  return withDuckDb(options, async (connection) => {
    const unreadable: JsonQueryResult['unreadable'] = [];
    let files = [...q.files];
    for (;;) {
      if (!files.length) return { rows: [], unreadable };
      try {
        await connection.run(jsonViewSql(q.view, files, q.columns, { ...q, maxObjectBytes: budget.maxObjectBytes }));
        const reader = await connection.runAndReadAll(q.sql, q.params);
        return { rows: reader.getRowObjectsJS().map(plainRow), unreadable };
      } catch (err) {
        if (q.errors === 'fail' || q.signal?.aborted) throw err;
        const message = err instanceof Error ? err.message : String(err);
        const bad = fileInError(message, files);
        if (!bad)
          throw new BmError(`The local engine (DuckDB) failed: ${message.split('\n')[0] ?? message}`, { cause: err });
        unreadable.push({ file: bad, reason: (message.split('\n')[0] ?? message).replace(/^IO Error: /, '') });
        files = files.filter((f) => f !== bad);
      }
    }
  });
}
