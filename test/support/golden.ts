import { expect } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TEST_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const GOLDEN_DIR = join(TEST_DIR, 'golden');

/**
 * The golden file `name` of the running test file: test/golden mirrors the test tree, so the goldens of
 * test/lib/io/table.test.ts are in test/golden/lib/io/table/ (and of x.int.test.ts or x.e2e.test.ts in …/x/). A
 * name still in the old layout (test/golden/<name>, e.g. "human/…") is found there until scripts/golden-layout.mjs
 * moves it.
 */
export function goldenPath(name: string): string {
  const testPath = expect.getState().testPath;
  if (!testPath) return join(GOLDEN_DIR, name);
  const mirror = relative(TEST_DIR, testPath).replace(/(\.int|\.e2e)?\.test\.ts$/, '');
  const file = join(GOLDEN_DIR, mirror, name);
  const legacy = join(GOLDEN_DIR, name);
  return !existsSync(file) && existsSync(legacy) ? legacy : file;
}

/**
 * Compares text with the golden file `name` (see goldenPath). With UPDATE_GOLDEN=1 the file is
 * (re)written instead, for a person to review in the diff; a missing golden file is a failure, never
 * silently created.
 */
export function expectGolden(name: string, actual: string): void {
  const file = goldenPath(name);
  const shown = relative(join(TEST_DIR, '..'), file).split(sep).join('/');
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file))
    throw new Error(`golden file ${shown} is missing: run the test with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
