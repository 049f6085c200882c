import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { mapLimit } from '../core/concurrency.js';

/**
 * Whether a log file can be read whole, decided per file before any of it is counted. DuckDB reads a
 * gzip file cut short (`gzip -t`: "unexpected end of file") up to the cut and goes on: the records
 * before it would count and the file would pass for read. So every gzip file is decompressed to its
 * end first (its CRC and length checked by zlib), and a file that fails is left out whole: none of its
 * records count, even those before the damage, and the report names it with the reason.
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

/** Reads one file to its end (through gunzip for `.gz`): undefined when whole, else why not. */
export async function checkReadable(file: string): Promise<string | undefined> {
  try {
    const read = createReadStream(file, { highWaterMark: CHUNK });
    if (/\.gz$/i.test(file)) await pipeline(read, createGunzip({ chunkSize: CHUNK }), sink());
    else await pipeline(read, sink());
    return undefined;
  } catch (err) {
    return unreadableReason(err);
  }
}

/** Splits files into those read whole and those left out (in the order given). */
export async function splitReadable(
  files: string[],
  concurrency = 4,
): Promise<{ readable: string[]; unreadable: Unreadable[] }> {
  const reasons = await mapLimit(files, concurrency, checkReadable);
  return {
    readable: files.filter((_, i) => reasons[i] === undefined),
    unreadable: files.flatMap((file, i) => (reasons[i] === undefined ? [] : [{ file, reason: reasons[i] }])),
  };
}
