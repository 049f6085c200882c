import { GetObjectCommand, paginateListObjectsV2, S3Client } from '../sdk/client-s3.js';
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Ctx } from '../context/context.js';
import { isAwsError, errorName } from '../aws/errors.js';
import { mapLimit } from '../core/concurrency.js';
import { BmError } from '../core/errors.js';

/**
 * S3 objects on the local disk, generically: list some prefixes of a bucket, keep the objects a
 * caller accepts, and bring each into a local directory once. A cached copy is named by its key
 * and ETag, so an unchanged object is never fetched again and a rewritten one is; a download is
 * checked against the listed size before it is renamed into place (a truncated gzip file would
 * otherwise read as fewer records, silently). Invocation logs and CloudTrail files both use it.
 */

/** What the objects are and which command reads them, for the error messages. */
export interface ObjectKind {
  what: string;
  command: string;
}

export const INVOCATION_LOGS: ObjectKind = { what: 'the invocation logs', command: 'report' };

export interface RemoteObject {
  key: string;
  size: number;
  etag: string;
}

export interface Listing {
  objects: RemoteObject[];
  /** Objects under the prefixes the caller did not accept (e.g. `data/` bodies, permission checks). */
  skipped: number;
  /** ListObjectsV2 calls made. */
  calls: number;
}

export const LIST_CONCURRENCY = 8;
export const DOWNLOAD_CONCURRENCY = 8;

/** S3 refuses access with these: the message names the bucket and the permission. */
function accessDenied(err: unknown, bucket: string, permission: string, kind: ObjectKind): BmError | undefined {
  if (!isAwsError(err)) return undefined;
  const name = errorName(err);
  if (name !== 'AccessDenied' && name !== 'AccessDeniedException' && err.$metadata?.httpStatusCode !== 403)
    return undefined;
  return new BmError(`Access denied reading ${kind.what} in bucket ${bucket}: the caller needs ${permission} on it.`, {
    hint:
      `Grant ${permission} on arn:aws:s3:::${bucket}${permission === 's3:ListBucket' ? '' : '/*'} (and ` +
      `kms:Decrypt if the bucket uses SSE-KMS), or point --logs at logs you can read.`,
    cause: err,
  });
}

export async function listObjects(
  ctx: Ctx,
  bucket: string,
  prefixes: string[],
  accept: (key: string, size: number) => boolean,
  kind = INVOCATION_LOGS,
): Promise<Listing> {
  const s3 = ctx.aws.get(S3Client);
  let calls = 0;
  let skipped = 0;
  const perPrefix = await mapLimit(prefixes, LIST_CONCURRENCY, async (Prefix) => {
    const found: RemoteObject[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix })) {
        calls++;
        for (const o of page.Contents ?? []) {
          if (!o.Key) continue;
          const size = o.Size ?? 0;
          if (!accept(o.Key, size)) skipped++;
          else found.push({ key: o.Key, size, etag: (o.ETag ?? '').replace(/"/g, '') });
        }
      }
    } catch (err) {
      throw accessDenied(err, bucket, 's3:ListBucket', kind) ?? err;
    }
    return found;
  });
  return { objects: perPrefix.flat(), skipped, calls };
}

/** The next path segments below `prefix` (ListObjectsV2 with a `/` delimiter), e.g. the accounts under `AWSLogs/`. */
export async function listChildPrefixes(
  ctx: Ctx,
  bucket: string,
  prefix: string,
  kind = INVOCATION_LOGS,
): Promise<string[]> {
  const found: string[] = [];
  try {
    for await (const page of paginateListObjectsV2(
      { client: ctx.aws.get(S3Client) },
      { Bucket: bucket, Prefix: prefix, Delimiter: '/' },
    )) {
      for (const p of page.CommonPrefixes ?? [])
        if (p.Prefix) found.push(p.Prefix.slice(prefix.length).replace(/\/$/, ''));
    }
  } catch (err) {
    throw accessDenied(err, bucket, 's3:ListBucket', kind) ?? err;
  }
  return found;
}

/** A key as a safe relative path (no `..`, no glob characters DuckDB would expand), keeping its extension. */
export function localName(key: string, etag: string): string {
  const tag = etag.replace(/[^0-9A-Za-z-]/g, '') || 'noetag';
  const slash = key.lastIndexOf('/');
  const dir = key.slice(0, slash + 1);
  const base = key.slice(slash + 1);
  const safe = /^[\w.=+@-]+$/;
  const dirOk = dir.split('/').every((seg) => seg === '' || (safe.test(seg) && seg !== '.' && seg !== '..'));
  if (dirOk && safe.test(base) && !key.startsWith('/')) return `${dir}${tag}~${base}`;
  const ext = /\.json\.gz$/.test(key) ? '.json.gz' : /\.json$/.test(key) ? '.json' : '';
  return `_/${tag}~${createHash('sha256').update(key).digest('hex').slice(0, 32)}${ext}`;
}

export interface SyncOptions {
  bucket: string;
  objects: RemoteObject[];
  /** The bucket's directory (cache or temporary). */
  dir: string;
  concurrency?: number;
  onProgress?: (done: number, total: number, bytes: number, totalBytes: number) => void;
  /** Default: invocation logs. */
  kind?: ObjectKind;
}

export interface SyncResult {
  /** Local paths, in the order of `objects`. */
  files: string[];
  downloaded: number;
  downloadedBytes: number;
  /** Objects already on disk with this ETag and size. */
  cached: number;
}

async function download(ctx: Ctx, bucket: string, o: RemoteObject, file: string, kind: ObjectKind): Promise<void> {
  const part = `${file}.part-${process.pid}`;
  mkdirSync(dirname(file), { recursive: true });
  try {
    const r = await ctx.aws
      .get(S3Client)
      .send(new GetObjectCommand({ Bucket: bucket, Key: o.key, ...(o.etag ? { IfMatch: `"${o.etag}"` } : {}) }));
    if (!r.Body) throw new BmError(`S3 returned no body for s3://${bucket}/${o.key}`);
    await pipeline(r.Body as Readable, createWriteStream(part));
    const got = statSync(part).size;
    if (got !== o.size)
      throw new BmError(
        `Download of s3://${bucket}/${o.key} is incomplete (${got} of ${o.size} bytes); run the ${kind.command} again`,
      );
    renameSync(part, file);
  } catch (err) {
    rmSync(part, { force: true });
    throw accessDenied(err, bucket, 's3:GetObject', kind) ?? err;
  }
}

/** Whether the process that wrote a `.part-<pid>` file is gone (a crash or Ctrl-C left it behind). */
function abandoned(entry: string): boolean {
  const pid = Number(/\.part-(\d+)$/.exec(entry)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes older copies (other ETags) of the keys just downloaded, and partial downloads whose process
 * is gone. A cached name is `<etag>~<key's name>` (or `<etag>~<hash of the key>` under `_/`): what
 * follows `~` names the key, so two keys never share it. Another process's download in progress is left alone.
 */
function pruneOldCopies(files: string[]): void {
  const byDir = new Map<string, Set<string>>();
  for (const f of files)
    byDir.set(dirname(f), (byDir.get(dirname(f)) ?? new Set()).add(f.slice(dirname(f).length + 1)));
  for (const [dir, names] of byDir) {
    const keys = new Set([...names].map((n) => n.slice(n.indexOf('~') + 1)));
    for (const entry of readdirSync(dir)) {
      if (names.has(entry)) continue;
      if (entry.includes('.part-') ? abandoned(entry) : keys.has(entry.slice(entry.indexOf('~') + 1)))
        rmSync(join(dir, entry), { force: true });
    }
  }
}

/** Brings every object into `dir`, downloading only what is not there yet. */
export async function syncObjects(ctx: Ctx, opts: SyncOptions): Promise<SyncResult> {
  const files = opts.objects.map((o) => join(opts.dir, localName(o.key, o.etag)));
  const totalBytes = opts.objects.reduce((a, o) => a + o.size, 0);
  let done = 0;
  let bytes = 0;
  let downloaded = 0;
  let downloadedBytes = 0;
  const fresh: string[] = [];
  await mapLimit(opts.objects, opts.concurrency ?? DOWNLOAD_CONCURRENCY, async (o, i) => {
    const file = files[i]!;
    if (!(existsSync(file) && statSync(file).size === o.size)) {
      await download(ctx, opts.bucket, o, file, opts.kind ?? INVOCATION_LOGS);
      downloaded++;
      downloadedBytes += o.size;
      fresh.push(file);
    }
    done++;
    bytes += o.size;
    opts.onProgress?.(done, opts.objects.length, bytes, totalBytes);
  });
  if (fresh.length) pruneOldCopies(fresh);
  return { files, downloaded, downloadedBytes, cached: opts.objects.length - downloaded };
}
