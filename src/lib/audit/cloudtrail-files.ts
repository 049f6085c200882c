import type { S3Client} from '@aws-sdk/client-s3';
import { GetObjectCommand, paginateListObjectsV2, type _Object } from '@aws-sdk/client-s3';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mapLimit } from '../core/concurrency.js';
import { usageError } from '../core/errors.js';
import { checkBucketName } from '../core/validate.js';

/**
 * Finding CloudTrail log files for a window, in S3 or in a local directory, in the layout AWS
 * documents: `<prefix>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz` (organization
 * trails insert `o-<id>/` after AWSLogs). Only the day partitions of the window are listed; S3
 * objects are downloaded once per key and ETag into a local cache, a few at a time. Self-contained
 * (S3 client in, file paths out) so that it can merge with the invocation-log reader's cache.
 */

export type LogLocation = { kind: 's3'; bucket: string; prefix: string } | { kind: 'dir'; path: string };

export interface FileSet {
  files: string[];
  bytes: number;
}

/** `s3://bucket[/prefix]` or a directory; a string is the error message for the flag. */
export function parseLogLocation(raw: string, cwd: string): LogLocation | string {
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
  if (!s?.isDirectory()) throw usageError(`--logs: "${path}" is not a directory (give a directory of CloudTrail files or s3://bucket/prefix)`);
}

/** The UTC day partitions (`YYYY/MM/DD`) from `from` to the day after `to`: files arrive minutes after their events. */
export function dayPartitions(from: Date, to: Date): string[] {
  const days: string[] = [];
  const day = 86_400_000;
  for (let t = Math.floor(from.getTime() / day) * day; t <= to.getTime() + day; t += day) days.push(new Date(t).toISOString().slice(0, 10).replace(/-/g, '/'));
  return days;
}

const LAYOUT = /(?:^|\/)CloudTrail\/([a-z0-9-]+)\/(\d{4}\/\d{2}\/\d{2})\//;

/** The earliest day partition (`YYYY/MM/DD`) among files in the documented layout, if any. */
export function earliestDay(files: string[]): string | undefined {
  let first: string | undefined;
  for (const f of files) {
    const day = LAYOUT.exec(f.split(sep).join('/'))?.[2];
    if (day && (first === undefined || day < first)) first = day;
  }
  return first;
}

/**
 * Every `.json.gz` / `.json` file under `dir`, except digests; files in the documented layout only
 * for the Region and days asked for. Files in any other layout are all read (the engine filters).
 */
export async function localTrailFiles(dir: string, region: string, days: string[]): Promise<FileSet> {
  const wanted = new Set(days);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: string[] = [];
  let bytes = 0;
  for (const e of entries) {
    if (!e.isFile() || !/\.json(\.gz)?$/.test(e.name)) continue;
    const path = join(e.parentPath ?? (e as unknown as { path: string }).path, e.name);
    const rel = relative(dir, path).split(sep).join('/');
    if (rel.includes('CloudTrail-Digest/')) continue;
    const m = LAYOUT.exec(rel);
    if (m && (m[1] !== region || !wanted.has(m[2]!))) continue;
    const size = (await stat(path)).size;
    if (size === 0) continue;
    files.push(path);
    bytes += size;
  }
  return { files: files.sort(), bytes };
}

async function childPrefixes(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const found: string[] = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix, Delimiter: '/' })) {
    for (const p of page.CommonPrefixes ?? []) if (p.Prefix) found.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
  }
  return found;
}

/** `…/AWSLogs/<account>/` (or `…/AWSLogs/o-id/<account>/`), given as part of the prefix or found in the bucket. */
export async function accountBase(s3: S3Client, loc: { bucket: string; prefix: string }, account: string): Promise<{ base: string; account: string }> {
  const given = /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(\d{12})(?:\/|$)/.exec(loc.prefix);
  if (given) return { base: loc.prefix.slice(0, given.index + given[0].length).replace(/\/?$/, '/'), account: given[1]! };
  const logs = `${loc.prefix ? `${loc.prefix}/` : ''}AWSLogs/`;
  const children = await childPrefixes(s3, loc.bucket, logs);
  if (children.includes(account)) return { base: `${logs}${account}/`, account };
  for (const org of children.filter((c) => c.startsWith('o-'))) {
    if ((await childPrefixes(s3, loc.bucket, `${logs}${org}/`)).includes(account)) return { base: `${logs}${org}/${account}/`, account };
  }
  const accounts = children.filter((c) => /^\d{12}$/.test(c));
  if (accounts.length === 1) return { base: `${logs}${accounts[0]}/`, account: accounts[0]! };
  throw usageError(
    `no CloudTrail files for account ${account} under s3://${loc.bucket}/${logs}${accounts.length ? ` (found accounts ${accounts.join(', ')})` : ''}`,
    accounts.length ? `Name one: --logs s3://${loc.bucket}/${logs}<account>` : 'Give the trail\'s bucket and S3 key prefix: --logs s3://bucket/prefix',
  );
}

export interface S3FilesOptions {
  cacheDir: string;
  /** Downloads at once. */
  concurrency?: number;
  onProgress?(done: number, total: number): void;
}

/** Where an object is cached: its key, with the ETag in the file name, under the bucket's directory. */
export function cachePath(cacheDir: string, bucket: string, o: _Object): string {
  const key = o.Key ?? '';
  const etag = (o.ETag ?? 'noetag').replace(/[^A-Za-z0-9-]/g, '');
  const m = /^(.*?)(\.json(?:\.gz)?)$/.exec(key);
  return join(cacheDir, bucket, ...`${m ? m[1] : key}.${etag}${m ? m[2] : ''}`.split('/'));
}

async function download(s3: S3Client, bucket: string, o: _Object, path: string): Promise<void> {
  if (await stat(path).then(() => true, () => false)) return;
  await mkdir(dirname(path), { recursive: true });
  const part = `${path}.${process.pid}.part`;
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key, IfMatch: o.ETag }));
    await pipeline(r.Body as Readable, createWriteStream(part));
    await rename(part, path);
  } finally {
    await rm(part, { force: true });
  }
}

/** Lists the window's day partitions for the Region and brings their objects into the cache. */
export async function s3TrailFiles(s3: S3Client, loc: { bucket: string; base: string }, region: string, days: string[], opts: S3FilesOptions): Promise<FileSet> {
  const listed = await mapLimit(days, 4, async (day) => {
    const objects: _Object[] = [];
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: loc.bucket, Prefix: `${loc.base}CloudTrail/${region}/${day}/` })) {
      objects.push(...(page.Contents ?? []).filter((o) => o.Key?.endsWith('.json.gz') && (o.Size ?? 1) > 0));
    }
    return objects;
  });
  const objects = listed.flat();
  const paths = objects.map((o) => cachePath(opts.cacheDir, loc.bucket, o));
  let done = 0;
  await mapLimit(objects, opts.concurrency ?? 8, async (o, i) => {
    await download(s3, loc.bucket, o, paths[i]!);
    opts.onProgress?.(++done, objects.length);
  });
  return { files: paths, bytes: objects.reduce((n, o) => n + (o.Size ?? 0), 0) };
}

/** `$XDG_CACHE_HOME/bedrock-monitor/cloudtrail` (default `~/.cache/…`). */
export function cloudTrailCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'bedrock-monitor', 'cloudtrail');
}
