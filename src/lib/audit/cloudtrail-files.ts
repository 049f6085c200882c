import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import type { Ctx } from '../context/context.js';
import { usageError } from '../core/errors.js';
import { checkBucketName } from '../core/validate.js';
import { cacheRoot } from '../logs/cache-dir.js';
import { scanDirectory } from '../logs/local-files.js';
import { partitionPrefixes, pathMayHold, type LogLocation, type Partitioning } from '../logs/location.js';
import { listChildPrefixes, listObjects, syncObjects, type ObjectKind } from '../logs/s3-cache.js';

/**
 * Finding CloudTrail log files for a window, in S3 or in a local directory, in the layout AWS
 * documents: `<prefix>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz` (organization
 * trails insert `o-<id>/` after AWSLogs). What is CloudTrail's own lives here (the layout, the
 * account's folder, which files count); listing, the cache and downloads are the logs layer's, the
 * same as for the invocation logs: only the day partitions of the window are listed, and S3 objects
 * are downloaded once per key and ETag into `$XDG_CACHE_HOME/bedrock-monitor/cloudtrail/`.
 */

export type TrailLocation = Extract<LogLocation, { kind: 's3' } | { kind: 'dir' }>;

export interface FileSet {
  files: string[];
  bytes: number;
  /** The earliest day partition (`YYYY/MM/DD`) among the files in the documented layout, if any. */
  earliestDay: string | undefined;
}

const CLOUDTRAIL_FILES: ObjectKind = { what: 'the CloudTrail files', command: 'audit' };

/** Day partitions; a file lands in its partition minutes after its calls, so the day after the window is read too. */
const TRAIL_PARTITIONS: Partitioning = { unit: 'day', lagMs: 86_400_000 };

/** `s3://bucket[/prefix]` or a directory; a string is the error message for the flag. */
export function parseLogLocation(raw: string, cwd: string): TrailLocation | string {
  if (raw.trim() === '') return 'empty (give s3://bucket/prefix or a directory)';
  if (raw.startsWith('s3://')) {
    const [bucket = '', ...rest] = raw.slice(5).split('/');
    const bad = checkBucketName(bucket);
    if (bad) return `${bad} (expected s3://bucket/prefix)`;
    const prefix = rest.filter(Boolean).join('/');
    if (prefix.split('/').includes('..')) return `"${raw}" must not contain ".." segments`;
    return { kind: 's3', bucket, prefix };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return `"${raw}" is neither s3://bucket/prefix nor a directory`;
  return { kind: 'dir', path: resolve(cwd, raw) };
}

export async function checkDirectory(path: string): Promise<void> {
  const s = await stat(path).catch(() => undefined);
  if (!s?.isDirectory())
    throw usageError(
      `--logs: "${path}" is not a directory (give a directory of CloudTrail files or s3://bucket/prefix)`,
    );
}

/** `$XDG_CACHE_HOME/bedrock-monitor/cloudtrail` (default `~/.cache/…`). */
export function cloudTrailCacheDir(env: NodeJS.ProcessEnv): string {
  return join(cacheRoot(env), 'cloudtrail');
}

const LAYOUT = /(?:^|\/)CloudTrail\/([a-z0-9-]+)\/(\d{4}\/\d{2}\/\d{2})\//;

function earliestDay(paths: string[]): string | undefined {
  let first: string | undefined;
  for (const p of paths) {
    const day = LAYOUT.exec(p)?.[2];
    if (day && (first === undefined || day < first)) first = day;
  }
  return first;
}

const ACCOUNT_IN_PATH = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})\/CloudTrail\//;

/** The accounts and Regions whose files count (absent: any). */
export interface FileScope {
  accounts?: string[];
  regions?: string[];
}

/**
 * Every `.json.gz` / `.json` file under `dir`, except digests; files in the documented layout (an account's trail
 * or an organization trail's) only for the chosen accounts and Regions and the days of the window, the others
 * counted in `outside`. Files in any other layout are all read (the engine filters their records).
 */
export function localTrailFiles(
  dir: string,
  scope: FileScope,
  window: { start: Date; end: Date },
): FileSet & { outside: number } {
  const rels: string[] = [];
  let outside = 0;
  const scan = scanDirectory(dir, (relPath, size) => {
    const rel = relPath.split(sep).join('/');
    if (size === 0 || !/\.json(\.gz)?$/.test(rel) || rel.includes('CloudTrail-Digest/')) return false;
    const m = LAYOUT.exec(rel);
    const account = ACCOUNT_IN_PATH.exec(rel)?.[1];
    if (
      (m && scope.regions && !scope.regions.includes(m[1]!)) ||
      (account && scope.accounts && !scope.accounts.includes(account))
    ) {
      outside++;
      return false;
    }
    if (m && !pathMayHold(`${m[2]}/`, window, TRAIL_PARTITIONS)) return false;
    rels.push(rel);
    return true;
  });
  return { files: scan.files, bytes: scan.bytes, earliestDay: earliestDay(rels), outside };
}

/** The Regions under an account's `CloudTrail/` folder (for `--regions all`). */
export async function trailRegions(ctx: Ctx, bucket: string, base: string): Promise<string[]> {
  return (await listChildPrefixes(ctx, bucket, `${base}CloudTrail/`, CLOUDTRAIL_FILES)).filter((r) =>
    /^[a-z]{2}(-[a-z]+)+-\d$/.test(r),
  );
}

/** `…/AWSLogs/<account>/` (or `…/AWSLogs/o-id/<account>/`), given as part of the prefix or found in the bucket. */
export async function accountBase(
  ctx: Ctx,
  loc: { bucket: string; prefix: string },
  account: string,
): Promise<{ base: string; account: string }> {
  const given = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})(?:\/|$)/.exec(loc.prefix);
  if (given)
    return { base: loc.prefix.slice(0, given.index + given[0].length).replace(/\/?$/, '/'), account: given[1]! };
  const logs = `${loc.prefix ? `${loc.prefix}/` : ''}AWSLogs/`;
  const children = await listChildPrefixes(ctx, loc.bucket, logs, CLOUDTRAIL_FILES);
  if (children.includes(account)) return { base: `${logs}${account}/`, account };
  for (const org of children.filter((c) => c.startsWith('o-'))) {
    if ((await listChildPrefixes(ctx, loc.bucket, `${logs}${org}/`, CLOUDTRAIL_FILES)).includes(account))
      return { base: `${logs}${org}/${account}/`, account };
  }
  const accounts = children.filter((c) => /^\d{12}$/.test(c));
  if (accounts.length === 1) return { base: `${logs}${accounts[0]}/`, account: accounts[0]! };
  throw usageError(
    `no CloudTrail files for account ${account} under ` +
      `s3://${loc.bucket}/${logs}${accounts.length ? ` (found accounts ${accounts.join(', ')})` : ''}`,
    accounts.length
      ? `Name one: --logs s3://${loc.bucket}/${logs}<account>`
      : "Give the trail's bucket and S3 key prefix: --logs s3://bucket/prefix",
  );
}

export interface S3FilesOptions {
  cacheDir: string;
  onProgress?(done: number, total: number): void;
}

/** Lists the window's day partitions for the Region and brings their objects into the cache. */
export async function s3TrailFiles(
  ctx: Ctx,
  loc: { bucket: string; base: string },
  region: string,
  window: { start: Date; end: Date },
  opts: S3FilesOptions,
): Promise<FileSet> {
  const prefixes = partitionPrefixes(`${loc.base}CloudTrail/${region}/`, window, TRAIL_PARTITIONS);
  const listing = await listObjects(
    ctx,
    loc.bucket,
    prefixes,
    (key, size) => key.endsWith('.json.gz') && size > 0,
    CLOUDTRAIL_FILES,
  );
  const keys = listing.objects.map((o) => o.key);
  const sync = await syncObjects(ctx, {
    bucket: loc.bucket,
    objects: listing.objects,
    dir: join(opts.cacheDir, loc.bucket),
    kind: CLOUDTRAIL_FILES,
    onProgress: (done, total) => opts.onProgress?.(done, total),
  });
  return { files: sync.files, bytes: listing.objects.reduce((n, o) => n + o.size, 0), earliestDay: earliestDay(keys) };
}

/** How many day partitions the window's listing reads (for the progress line). */
export function dayCount(window: { start: Date; end: Date }): number {
  return partitionPrefixes('', window, TRAIL_PARTITIONS).length;
}
