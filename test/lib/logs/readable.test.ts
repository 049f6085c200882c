import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Interruption } from '../../../src/lib/core/abort.js';
import { changedSince, checkReadable, splitReadable } from '../../../src/lib/logs/readable.js';
import { emptyDir } from '../../support/cli.js';

/** A record's stamp of a file, as lib/logs/readable.ts writes it: device, inode, size, mtime and ctime (ns). */
function stampOf(file: string): string {
  const s = statSync(file, { bigint: true });
  return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

/** The record of files found whole (lib/logs/readable.ts): what it trusts and what it does not. */
describe('splitReadable with a record of files found whole', () => {
  const setup = () => {
    const root = emptyDir();
    const records = join(root, 'checked');
    const whole = join(root, 'whole.json.gz');
    const cut = join(root, 'cut.json.gz');
    writeFileSync(whole, gzipSync('{"a":1}\n'.repeat(100)));
    writeFileSync(cut, gzipSync('{"a":1}\n'.repeat(100)).subarray(0, 20));
    return { records, whole, cut };
  };
  const recordDoc = (records: string) => {
    const [file] = readdirSync(records);
    return JSON.parse(readFileSync(join(records, file!), 'utf8')) as { dir: string; files: Record<string, string> };
  };

  test('records the whole file with its device, inode, size, mtime and ctime, not the cut one', async () => {
    const { records, whole, cut } = setup();
    const r = await splitReadable([whole, cut], { recordDir: records });
    expect(r.readable).toEqual([whole]);
    expect(r.unreadable).toEqual([{ file: cut, reason: 'truncated gzip (unexpected end of file)' }]);
    expect(recordDoc(records).files).toEqual({ 'whole.json.gz': stampOf(whole) });
  });

  test('a file whose stamp matches its record is not read again: a cut one under a forged one passes', async () => {
    const { records, whole, cut } = setup();
    await splitReadable([whole], { recordDir: records });
    const doc = recordDoc(records);
    doc.files['cut.json.gz'] = stampOf(cut);
    writeFileSync(join(records, readdirSync(records)[0]!), JSON.stringify(doc));
    expect((await splitReadable([whole, cut], { recordDir: records })).unreadable).toEqual([]);
    // Without the record every file is read: the cut one is found.
    expect((await splitReadable([whole, cut])).unreadable).toHaveLength(1);
  });

  test('a relative path is recorded under its absolute directory (a relative --logs means one place)', async () => {
    const { records, whole } = setup();
    const r = await splitReadable([relative(process.cwd(), whole)], { recordDir: records });
    expect(r.unreadable).toEqual([]);
    expect(recordDoc(records).dir).toBe(dirname(whole));
  });

  test('Ctrl-C: the check rejects as interrupted and calls no file unreadable; nothing is recorded', async () => {
    const { records, whole, cut } = setup();
    const run = new Interruption();
    run.stop('SIGINT');
    await expect(splitReadable([whole, cut], { recordDir: records, signal: run.signal })).rejects.toMatchObject({
      interrupted: true,
      exitCode: 130,
    });
    expect(existsSync(records)).toBe(false);
    // Stopped while a file is being read (32 MiB once decompressed, 1 MiB at a time): the same.
    const big = join(dirname(whole), 'big.json.gz');
    writeFileSync(big, gzipSync(Buffer.alloc(32 * 2 ** 20, 'x')));
    const later = new Interruption();
    const check = checkReadable(big, later.signal);
    setImmediate(() => later.stop('SIGINT'));
    await expect(check).rejects.toMatchObject({ interrupted: true });
  });

  test('a record keeps only the files still in the directory', async () => {
    const { records, whole } = setup();
    const other = join(dirname(whole), 'other.json.gz');
    writeFileSync(other, gzipSync('{"a":2}\n'));
    await splitReadable([whole, other], { recordDir: records });
    expect(Object.keys(recordDoc(records).files).sort()).toEqual(['other.json.gz', 'whole.json.gz']);
    rmSync(other);
    const added = join(dirname(whole), 'added.json.gz');
    writeFileSync(added, gzipSync('{"a":3}\n'));
    await splitReadable([whole, added], { recordDir: records });
    expect(Object.keys(recordDoc(records).files).sort()).toEqual(['added.json.gz', 'whole.json.gz']);
    expect(readdirSync(records)).toHaveLength(1); // no temporary file left
  });

  test('changedSince names a trusted file cut short or rewritten after its stamp, and no other', async () => {
    const { records, whole } = setup();
    const other = join(dirname(whole), 'other.json.gz');
    writeFileSync(other, gzipSync('{"a":2}\n'));
    await splitReadable([whole, other], { recordDir: records });
    const { trusted } = await splitReadable([whole, other], { recordDir: records });
    expect([...trusted.keys()].sort()).toEqual([other, whole].sort());
    expect(await changedSince(trusted)).toEqual([]);
    truncateSync(whole, 10);
    expect(await changedSince(trusted)).toEqual([whole]);
  });

  test('a record that is not JSON, or of another directory, is ignored: every file is checked', async () => {
    const { records, whole, cut } = setup();
    await splitReadable([whole], { recordDir: records });
    const path = join(records, readdirSync(records)[0]!);
    writeFileSync(path, '{not json');
    expect((await splitReadable([whole, cut], { recordDir: records })).unreadable).toHaveLength(1);
    expect(recordDoc(records).files).toHaveProperty(['whole.json.gz']);
    writeFileSync(path, JSON.stringify({ dir: '/elsewhere', files: { 'cut.json.gz': stampOf(cut) } }));
    expect((await splitReadable([whole, cut], { recordDir: records })).unreadable).toHaveLength(1);
  });
});
