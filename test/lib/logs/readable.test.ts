import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Interruption } from '../../../src/lib/core/abort.js';
import { checkReadable, splitReadable } from '../../../src/lib/logs/readable.js';

/** The record of files found whole (lib/logs/readable.ts): what it trusts and what it does not. */
describe('splitReadable with a record of files found whole', () => {
  const setup = () => {
    const root = mkdtempSync(join(tmpdir(), 'bm-readable-'));
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

  test('records the whole file with its size, inode, modification and change times, not the cut one', async () => {
    const { records, whole, cut } = setup();
    const r = await splitReadable([whole, cut], { recordDir: records });
    expect(r.readable).toEqual([whole]);
    expect(r.unreadable).toEqual([{ file: cut, reason: 'truncated gzip (unexpected end of file)' }]);
    const s = statSync(whole, { bigint: true });
    expect(recordDoc(records).files).toEqual({ 'whole.json.gz': `${s.size}:${s.ino}:${s.mtimeNs}:${s.ctimeNs}` });
  });

  test('a file whose four values match its record is not read again: a cut one under a forged one passes', async () => {
    const { records, whole, cut } = setup();
    await splitReadable([whole], { recordDir: records });
    const doc = recordDoc(records);
    const s = statSync(cut, { bigint: true });
    doc.files['cut.json.gz'] = `${s.size}:${s.ino}:${s.mtimeNs}:${s.ctimeNs}`;
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
    // Stopped while a file is being read (32 MiB, read 1 MiB at a time): the same.
    const big = join(dirname(whole), 'big.json.gz');
    writeFileSync(big, gzipSync(Buffer.alloc(32 * 2 ** 20, 'x')));
    const later = new Interruption();
    const check = checkReadable(big, later.signal);
    setImmediate(() => later.stop('SIGINT'));
    await expect(check).rejects.toMatchObject({ interrupted: true });
  });

  test('a record that is not JSON, or of another directory, is ignored: every file is checked', async () => {
    const { records, whole, cut } = setup();
    await splitReadable([whole], { recordDir: records });
    const path = join(records, readdirSync(records)[0]!);
    writeFileSync(path, '{not json');
    expect((await splitReadable([whole, cut], { recordDir: records })).unreadable).toHaveLength(1);
    expect(recordDoc(records).files).toHaveProperty(['whole.json.gz']);
    const s = statSync(cut, { bigint: true });
    const stamp = `${s.size}:${s.ino}:${s.mtimeNs}:${s.ctimeNs}`;
    writeFileSync(path, JSON.stringify({ dir: '/elsewhere', files: { 'cut.json.gz': stamp } }));
    expect((await splitReadable([whole, cut], { recordDir: records })).unreadable).toHaveLength(1);
  });
});
