import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ctx } from '../context/context.js';
import { throwIfStopped } from '../core/abort.js';
import { usageError } from '../core/errors.js';
import { fromSqlRows, type Aggregate, type OutsideTargets } from './aggregate.js';
import type { Dim } from './dims.js';
import { hasGlobChars, queryJsonFiles } from './duckdb.js';
import { scanDirectory } from './local-files.js';
import { cacheRoot } from './cache-dir.js';
import { describeLocation, partitionPrefixes, partitionRoot, pathMayHold, type LogLocation } from './location.js';
import { progressText } from './progress.js';
import { changedSince, splitReadable, type Split, type Unreadable } from './readable.js';
import { splitByScope, type LogScope, type LogTarget } from './scope.js';
import { duckColumns, isLogFileKey } from './schema.js';
import { aggregationSql, DUCKDB, type SqlWindow } from './sql.js';

/**
 * The local engine: find the log files of the window (a local directory, or the hour partitions
 * of an S3 prefix brought into the cache), then run the shared SQL over them with DuckDB.
 */

export interface LocalRequest {
  location: Extract<LogLocation, { kind: 's3' } | { kind: 'dir' }>;
  dims: Dim[];
  window: SqlWindow;
  /** Stream through a temporary directory instead of the cache. */
  noCache: boolean;
  onProgress?: (msg: string) => void;
  /** Whose records count (default: any): files and records of other accounts and Regions are left out and counted. */
  scope?: LogScope;
  /** In an S3 tree, the accounts and Regions whose partitions are listed (default: the context's). */
  targets?: LogTarget[];
}

export const VIEW = 'invocation_log';

interface Files {
  files: string[];
  skippedObjects: number;
  outside: OutsideTargets;
  source: Aggregate['source'];
}

/** The files of a local directory that can hold the window. Local checks only. */
export function localFiles(path: string, window: SqlWindow): { files: string[]; bytes: number; skipped: number } {
  // DuckDB would expand glob characters in a file name: such files cannot be read as they are.
  return scanDirectory(
    path,
    (rel, size) => isLogFileKey(rel, size) && pathMayHold(rel, window) && !hasGlobChars(join(path, rel)),
  );
}

/** Throws a usage error when a directory holds no log file for the window (before any request). */
export function checkLocalFiles(path: string, window: SqlWindow): void {
  const scan = localFiles(path, window);
  if (!scan.files.length) {
    throw usageError(
      `--logs: ${path} holds no invocation log files for the window (${window.start.toISOString()} → ` +
        `${window.end.toISOString()})`,
      'Give a copy of the S3 tree (…/BedrockModelInvocationLogs/<region>/YYYY/MM/DD/HH/*.json.gz) or a ' +
        'directory of *.json.gz / *.json files, and check --since/--until/--hours.',
    );
  }
}

async function s3Files(
  ctx: Ctx,
  loc: Extract<LogLocation, { kind: 's3' }>,
  req: LocalRequest,
  dir: string,
  cacheDir: string | null,
): Promise<Files> {
  const { listObjects, syncObjects } = await import('./s3-cache.js');
  const targets = req.targets ?? [{ account: await ctx.account(), region: ctx.settings.region }];
  // A prefix that already reaches into one account's and Region's tree gives one root for every target.
  const roots = [...new Set(targets.map((t) => partitionRoot(loc.prefix, t.account, t.region)))];
  const listing = await listObjects(
    ctx,
    loc.bucket,
    roots.flatMap((root) => partitionPrefixes(root, req.window)),
    (key, size) => {
      const root = roots.find((r) => key.startsWith(r)) ?? '';
      return isLogFileKey(key, size) && pathMayHold(key.slice(root.length), req.window);
    },
  );
  const split = splitByScope(
    listing.objects.map((o) => o.key),
    req.scope ?? {},
  );
  const keep = new Set(split.inside);
  const objects = listing.objects.filter((o) => keep.has(o.key));
  const sync = await syncObjects(ctx, {
    bucket: loc.bucket,
    objects,
    dir: join(dir, loc.bucket),
    onProgress: (done, total, bytes, totalBytes) =>
      req.onProgress?.(progressText('Fetching logs', done, total, bytes, totalBytes)),
  });
  return {
    files: sync.files,
    skippedObjects: listing.skipped,
    outside: split.outside,
    source: {
      kind: 'logs',
      engine: 'local',
      location:
        roots.length === 1
          ? `s3://${loc.bucket}/${roots[0]}`
          : `s3://${loc.bucket}/${loc.prefix} (${roots.length} account and Region trees)`,
      objects: objects.length,
      bytes: objects.reduce((a, o) => a + o.size, 0),
      downloadedObjects: sync.downloaded,
      downloadedBytes: sync.downloadedBytes,
      cacheDir,
      listCalls: listing.calls,
      bodyUsageFields: true,
      exactPercentiles: true,
    },
  };
}

function dirFiles(loc: Extract<LogLocation, { kind: 'dir' }>, window: SqlWindow, scope: LogScope): Files {
  const scan = localFiles(loc.path, window);
  // Only the part below the directory says where a file was logged.
  const rel = (f: string): string => f.slice(loc.path.length);
  const byRel = new Map(scan.files.map((f) => [rel(f), f]));
  const split = splitByScope([...byRel.keys()], scope);
  const files = split.inside.map((r) => byRel.get(r)!);
  return {
    files,
    skippedObjects: scan.skipped,
    outside: split.outside,
    source: {
      kind: 'logs',
      engine: 'local',
      location: describeLocation(loc),
      objects: files.length,
      bytes: files.reduce((a, f) => a + statSync(f).size, 0),
      bodyUsageFields: true,
      exactPercentiles: true,
    },
  };
}

/**
 * Runs the shared SQL over the files found, with DuckDB. A file is counted whole or not at all, and DuckDB reads a
 * gzip file cut short up to the cut (lib/logs/readable.ts): so every file is also read to its end, at the same time
 * as the query (the check used to run first, and doubled the time of a report over a large directory), unless the
 * tool's cache records it whole as it is now. When a file fails the check, rare, the query runs again without it,
 * unless the query left out the same files already (leftOutAlike).
 */
async function aggregateFound(req: LocalRequest, found: Files, scratch: string, ctx: Ctx): Promise<Aggregate> {
  req.onProgress?.(`Reading ${found.files.length} log files`);
  const sql = aggregationSql({
    relation: VIEW,
    dims: req.dims,
    window: req.window,
    dialect: DUCKDB,
    ...(req.scope ? { targets: req.scope } : {}),
  });
  const { signal } = ctx;
  const query = (files: string[]) =>
    queryJsonFiles({ files, columns: duckColumns(), view: VIEW, filename: true, sql, tempDir: scratch, signal });
  const recordDir = req.noCache ? null : join(cacheRoot(ctx.io.env), 'checked');
  // The query has ended before this goes on, on Ctrl-C too (the scratch directory DuckDB spills to is removed
  // afterwards); the checks stop at the first interrupted one (they do not use it).
  const [split, first] = await Promise.all([
    splitReadable(found.files, { recordDir, signal }).catch((err: unknown) => ({ failed: err })),
    query(found.files).catch((err: unknown) => ({ failed: err })),
  ]);
  throwIfStopped(signal);
  if ('failed' in split) throw split.failed;
  const checked = await recheckChanged(split, signal);
  let result: Awaited<ReturnType<typeof query>>;
  if (!checked.changed && 'rows' in first && leftOutAlike(first.unreadable, checked.unreadable))
    result = { rows: first.rows, unreadable: [] }; // the first query read exactly the files found whole
  else if (checked.unreadable.length || checked.changed) {
    if (checked.unreadable.length)
      req.onProgress?.(`Reading ${checked.readable.length} log files (${checked.unreadable.length} left out)`);
    result = await query(checked.readable);
  } else if ('failed' in first) throw first.failed;
  else result = first;
  const parsed = fromSqlRows(result.rows, req.dims);
  return {
    groups: parsed.groups,
    targets: parsed.targets,
    latency: parsed.latency,
    totalLatency: parsed.totalLatency,
    skipped: {
      malformedLines: parsed.malformedLines,
      objects: found.skippedObjects,
      unreadableFiles: [...checked.unreadable, ...result.unreadable],
      unreadableFields: parsed.unreadableFields,
      outsideTargets: { ...found.outside, records: parsed.outsideRecords },
    },
    source: found.source,
    warnings: [],
  };
}

/**
 * Whether the query and the check left out the same files: then the query's rows are over exactly the files found
 * whole, and need not be read again (a directory with a file that is not gzip at all, which DuckDB refuses too). A
 * file cut short is not among them: DuckDB reads it up to the cut, so the query counted part of it.
 */
function leftOutAlike(byQuery: { file: string }[], byCheck: { file: string }[]): boolean {
  const files = new Set(byCheck.map((u) => u.file));
  return byQuery.length === files.size && byQuery.every((u) => files.has(u.file));
}

/**
 * A file trusted by its record but changed while the query ran is checked now: left out if it is no longer whole, and
 * either way the query runs again (`changed`), over what is whole now.
 */
async function recheckChanged(
  split: Split,
  signal: AbortSignal,
): Promise<{ readable: string[]; unreadable: Unreadable[]; changed: boolean }> {
  const changed = await changedSince(split.trusted);
  if (!changed.length) return { ...split, changed: false };
  const again = await splitReadable(changed, { signal });
  const left = new Set(again.unreadable.map((u) => u.file));
  return {
    readable: split.readable.filter((f) => !left.has(f)),
    unreadable: [...split.unreadable, ...again.unreadable],
    changed: true,
  };
}

/** Runs the local engine. With --no-cache, the downloads live in a temporary directory removed afterwards. */
export async function aggregateLocal(ctx: Ctx, req: LocalRequest): Promise<Aggregate> {
  const scratch = mkdtempSync(join(tmpdir(), 'bedrock-monitor-'));
  try {
    let found: Files;
    if (req.location.kind === 'dir') found = dirFiles(req.location, req.window, req.scope ?? {});
    else {
      const cacheDir = req.noCache ? null : join(cacheRoot(ctx.io.env), 's3');
      const dir = cacheDir ?? join(scratch, 's3');
      mkdirSync(dir, { recursive: true });
      found = await s3Files(ctx, req.location, req, dir, cacheDir);
    }
    return await aggregateFound(req, found, scratch, ctx);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** One target's own log bucket, read with that target's credentials (a fleet report without --logs). */
export interface S3Source {
  ctx: Ctx;
  location: Extract<LogLocation, { kind: 's3' }>;
  target: LogTarget;
}

/**
 * The local engine over many S3 sources (each account and Region's own bucket, each listed and fetched with its own
 * credentials), aggregated in one DuckDB pass: latency percentiles stay exact across targets.
 */
export async function aggregateLocalMany(
  base: Ctx,
  sources: S3Source[],
  req: Omit<LocalRequest, 'location' | 'targets'>,
): Promise<Aggregate> {
  const scratch = mkdtempSync(join(tmpdir(), 'bedrock-monitor-'));
  try {
    const cacheDir = req.noCache ? null : join(cacheRoot(base.io.env), 's3');
    const dir = cacheDir ?? join(scratch, 's3');
    mkdirSync(dir, { recursive: true });
    const parts: Files[] = [];
    // One source at a time: the downloads share the machine's bandwidth and the cache directory.
    for (const s of sources)
      parts.push(
        await s3Files(s.ctx, s.location, { ...req, location: s.location, targets: [s.target] }, dir, cacheDir),
      );
    const sum = (k: 'objects' | 'bytes' | 'downloadedObjects' | 'downloadedBytes' | 'listCalls'): number =>
      parts.reduce((a, p) => a + (p.source[k] ?? 0), 0);
    const found: Files = {
      files: parts.flatMap((p) => p.files),
      skippedObjects: parts.reduce((a, p) => a + p.skippedObjects, 0),
      outside: {
        files: parts.reduce((a, p) => a + p.outside.files, 0),
        records: 0,
        by: parts.flatMap((p) => p.outside.by),
      },
      source: {
        kind: 'logs',
        engine: 'local',
        location:
          parts.length === 1
            ? parts[0]!.source.location
            : `each target's own log bucket (${parts.length} account and Region trees)`,
        objects: sum('objects'),
        bytes: sum('bytes'),
        downloadedObjects: sum('downloadedObjects'),
        downloadedBytes: sum('downloadedBytes'),
        cacheDir,
        listCalls: sum('listCalls'),
        bodyUsageFields: true,
        exactPercentiles: true,
      },
    };
    return await aggregateFound({ ...req, location: sources[0]!.location }, found, scratch, base);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
