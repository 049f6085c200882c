import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { stoppedError, throwIfStopped } from '../core/abort.js';
import { mapLimit } from '../core/concurrency.js';

/**
 * Whether a log file can be read whole, decided per file before any of it is counted. DuckDB reads a
 * gzip file cut short (`gzip -t`: "unexpected end of file") up to the cut and goes on: the records
 * before it would count and the file would pass for read. So every gzip file is decompressed to its
 * end first (its CRC and length checked by zlib), and a file that fails is left out whole: none of its
 * records count, even those before the damage, and the report names it with the reason.
 *
 * A file found whole is recorded (in the tool's cache, `checked/`, one record per directory) with its device, inode,
 * size, modification and change times; a later run skips the check of a file whose five are the same, since a file
 * cut short or rewritten since has another size or change time (the change time is set by any write and cannot be
 * set back), and the caller checks again a skipped file that changed while it was read (changedSince). So a second
 * report over the same files reads them once, not twice. `--no-cache` checks every file again.
 */

export interface Unreadable {
  file: string;
  reason: string;
}

const sink = (): Writable =>
  new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });

/** Words for what went wrong: zlib's and the file system's errors, as people read them. */
export function unreadableReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const message = (e?.message ?? String(err)).replace(/\.$/, '');
  if (e?.code === 'Z_BUF_ERROR') return `truncated gzip (${message})`;
  if (e?.code === 'Z_DATA_ERROR') return `corrupt gzip (${message})`;
  return `cannot be read (${message})`;
}

/**
 * Read and decompressed 1 MiB at a time, not Node's default 64 KiB reads and 16 KiB gunzip chunks: each chunk is a
 * round trip to the thread pool and through the streams, and over the bench corpus (624 files, 1 GB uncompressed)
 * the default chunks cost 4.9-5.4 s of CPU, these 2.5-2.6 s (four files at once: at most ~8 MiB in buffers).
 */
const CHUNK = 1 << 20;

/**
 * Reads one file to its end (through gunzip for `.gz`): undefined when whole, else why not. When the signal fires
 * (Ctrl-C) the read stops and the call rejects as interrupted: the file is not called unreadable.
 */
export async function checkReadable(file: string, signal?: AbortSignal): Promise<string | undefined> {
  throwIfStopped(signal);
  try {
    const read = createReadStream(file, { highWaterMark: CHUNK });
    const opts = signal ? { signal } : {};
    if (/\.gz$/i.test(file)) await pipeline(read, createGunzip({ chunkSize: CHUNK }), sink(), opts);
    else await pipeline(read, sink(), opts);
    return undefined;
  } catch (err) {
    if (signal?.aborted) throw stoppedError(signal);
    return unreadableReason(err);
  }
}

/** What a file was when it was found whole: device, inode, size, modification and change times (ns). */
async function stampOf(file: string): Promise<string | undefined> {
  try {
    const s = await stat(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return undefined; // the check says why
  }
}

/** The record of one directory's files found whole: file name → stamp. */
type WholeFiles = Record<string, string>;

/** A file's directory as the records name it: absolute, so that a relative --logs means the same from any cwd. */
const dirOf = (file: string): string => resolve(dirname(file));

/** A JSON document, named `.checked` so that no scan for `*.json` logs takes it for one (a cache under --logs DIR). */
const recordPath = (recordDir: string, dir: string): string =>
  join(recordDir, `${createHash('sha256').update(dir).digest('hex').slice(0, 32)}.checked`);

async function readRecord(path: string, dir: string): Promise<WholeFiles> {
  try {
    const doc = JSON.parse(await readFile(path, 'utf8')) as { dir?: unknown; files?: unknown };
    return doc.dir === dir && doc.files && typeof doc.files === 'object' ? (doc.files as WholeFiles) : {};
  } catch {
    return {}; // none yet, or unreadable: every file is checked
  }
}

/**
 * Written whole or not at all (a temporary file renamed), with only the files still in the directory; a record that
 * cannot be written is only a cost (the next run checks these files again).
 */
async function writeRecord(path: string, dir: string, files: WholeFiles): Promise<void> {
  const tmp = `${path}.${randomUUID()}.tmp`;
  try {
    const present = new Set(await readdir(dir));
    const kept = Object.fromEntries(Object.entries(files).filter(([name]) => present.has(name)));
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, JSON.stringify({ dir, files: kept }));
    await rename(tmp, path);
  } catch {
    await rm(tmp, { force: true }).catch(() => undefined);
  }
}

export interface Split {
  readable: string[];
  unreadable: Unreadable[];
  /** The files not read because their record says whole, with their stamps: see changedSince(). */
  trusted: Map<string, string>;
}

/**
 * Splits files into those read whole and those left out (in the order given). `recordDir`: where the records of
 * files found whole are kept (null: check every file, record nothing). `signal`: Ctrl-C stops the reads (rejects).
 */
export async function splitReadable(
  files: string[],
  {
    recordDir = null,
    concurrency = 4,
    signal,
  }: { recordDir?: string | null; concurrency?: number; signal?: AbortSignal } = {},
): Promise<Split> {
  const dirs = [...new Set(files.map(dirOf))];
  const records = new Map<string, WholeFiles>();
  if (recordDir) await mapLimit(dirs, 8, async (d) => records.set(d, await readRecord(recordPath(recordDir, d), d)));
  const stamps = recordDir ? await mapLimit(files, 8, stampOf) : [];
  const trusted = new Map<string, string>();
  const reasons = await mapLimit(files, concurrency, async (file, i) => {
    const stamp = stamps[i];
    if (stamp !== undefined && records.get(dirOf(file))?.[basename(file)] === stamp) {
      trusted.set(file, stamp);
      return undefined;
    }
    return checkReadable(file, signal);
  });
  if (recordDir) await updateRecords(recordDir, files, stamps, reasons, records);
  return {
    readable: files.filter((_, i) => reasons[i] === undefined),
    unreadable: files.flatMap((file, i) => (reasons[i] === undefined ? [] : [{ file, reason: reasons[i] }])),
    trusted,
  };
}

/**
 * The trusted files that changed since their stamp was taken (a file cut short or rewritten while the query read
 * it): the caller checks them and reads the files again, so that no file is counted from a state never checked.
 */
export async function changedSince(trusted: Map<string, string>): Promise<string[]> {
  const files = [...trusted.keys()];
  const now = await mapLimit(files, 8, stampOf);
  return files.filter((f, i) => now[i] !== trusted.get(f));
}

/** Adds the files found whole to their directory's record, drops those found not whole; writes what changed. */
async function updateRecords(
  recordDir: string,
  files: string[],
  stamps: (string | undefined)[],
  reasons: (string | undefined)[],
  records: Map<string, WholeFiles>,
): Promise<void> {
  const changed = new Set<string>();
  files.forEach((file, i) => {
    const dir = dirOf(file);
    const record = records.get(dir)!;
    const name = basename(file);
    const stamp = reasons[i] === undefined ? stamps[i] : undefined;
    if (record[name] === stamp) return;
    if (stamp === undefined) delete record[name];
    else record[name] = stamp;
    changed.add(dir);
  });
  await mapLimit([...changed], 8, (d) => writeRecord(recordPath(recordDir, d), d, records.get(d)!));
}
