import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Ctx } from '../context/context.js';
import { usageError } from '../core/errors.js';
import { fromSqlRows, type Aggregate } from './aggregate.js';
import type { Dim } from './dims.js';
import { hasGlobChars, queryJsonFiles } from './duckdb.js';
import { scanDirectory } from './local-files.js';
import { cacheRoot } from './cache-dir.js';
import { describeLocation, partitionPrefixes, partitionRoot, pathMayHold, type LogLocation } from './location.js';
import { progressText } from './progress.js';
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
}

export const VIEW = 'invocation_log';

interface Files {
  files: string[];
  skippedObjects: number;
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
  const root = partitionRoot(loc.prefix, await ctx.account(), ctx.settings.region);
  const listing = await listObjects(
    ctx,
    loc.bucket,
    partitionPrefixes(root, req.window),
    (key, size) => isLogFileKey(key, size) && pathMayHold(key.slice(root.length), req.window),
  );
  const sync = await syncObjects(ctx, {
    bucket: loc.bucket,
    objects: listing.objects,
    dir: join(dir, loc.bucket),
    onProgress: (done, total, bytes, totalBytes) =>
      req.onProgress?.(progressText('Fetching logs', done, total, bytes, totalBytes)),
  });
  return {
    files: sync.files,
    skippedObjects: listing.skipped,
    source: {
      kind: 'logs',
      engine: 'local',
      location: `s3://${loc.bucket}/${root}`,
      objects: listing.objects.length,
      bytes: listing.objects.reduce((a, o) => a + o.size, 0),
      downloadedObjects: sync.downloaded,
      downloadedBytes: sync.downloadedBytes,
      cacheDir,
      listCalls: listing.calls,
      bodyUsageFields: true,
      exactPercentiles: true,
    },
  };
}

function dirFiles(loc: Extract<LogLocation, { kind: 'dir' }>, window: SqlWindow): Files {
  const scan = localFiles(loc.path, window);
  return {
    files: scan.files,
    skippedObjects: scan.skipped,
    source: {
      kind: 'logs',
      engine: 'local',
      location: describeLocation(loc),
      objects: scan.files.length,
      bytes: scan.bytes,
      bodyUsageFields: true,
      exactPercentiles: true,
    },
  };
}

/** Runs the local engine. With --no-cache, the downloads live in a temporary directory removed afterwards. */
export async function aggregateLocal(ctx: Ctx, req: LocalRequest): Promise<Aggregate> {
  const scratch = mkdtempSync(join(tmpdir(), 'bedrock-monitor-'));
  try {
    let found: Files;
    if (req.location.kind === 'dir') found = dirFiles(req.location, req.window);
    else {
      const cacheDir = req.noCache ? null : join(cacheRoot(ctx.io.env), 's3');
      const dir = cacheDir ?? join(scratch, 's3');
      mkdirSync(dir, { recursive: true });
      found = await s3Files(ctx, req.location, req, dir, cacheDir);
    }
    req.onProgress?.(`Aggregating ${found.files.length} log files`);
    const sql = aggregationSql({ relation: VIEW, dims: req.dims, window: req.window, dialect: DUCKDB });
    const result = await queryJsonFiles({
      files: found.files,
      columns: duckColumns(),
      view: VIEW,
      sql,
      tempDir: scratch,
    });
    const parsed = fromSqlRows(result.rows, req.dims);
    const warnings = result.unreadable.map((u) => `left out ${u.file}: ${u.reason}`);
    return {
      groups: parsed.groups,
      latency: parsed.latency,
      totalLatency: parsed.totalLatency,
      skipped: {
        malformedLines: parsed.malformedLines,
        objects: found.skippedObjects,
        unreadableFiles: result.unreadable,
      },
      source: found.source,
      warnings,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
