import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The test runtime (test/support/environment.cjs, runtime.cjs): the test files of a jest worker share one vm context
 * and one copy of node_modules' packages, but nothing a file does reaches the next. Two probe files run in one worker.
 */
describe('two test files in one jest worker', () => {
  test('share the SDK and a code cache but not process.env, client stubs or the SDK once-per-process warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-runtime-'));
    try {
      const out = join(dir, 'probes.jsonl');
      const env: NodeJS.ProcessEnv = { ...process.env, BM_SHARED_MOTO: '0', BM_PROBE_OUT: out };
      delete env.BM_SHARE_MODULES; // the default
      const r = spawnSync(
        process.execPath,
        [
          '--experimental-vm-modules',
          '--no-warnings=ExperimentalWarning',
          'node_modules/jest/bin/jest.js',
          '--runInBand',
          '--ci',
          '--testMatch',
          '<rootDir>/test/fixtures/runtime/*.probe.ts',
        ],
        { cwd: root, encoding: 'utf8', env },
      );
      expect(r.stderr).toContain('Tests:       2 passed, 2 total');
      const lines = readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.map((l) => l.file).sort()).toEqual(['first', 'second']);
      for (const l of lines) {
        expect(l).toMatchObject({
          envLeaked: false,
          stubbedAtStart: false,
          sdkErrorIsError: true,
          credentialWarnings: 1,
        });
      }
      // The second file got the first file's SDK and src modules (not copies of its own).
      expect(lines.map((l) => l.sameSdk)).toEqual([false, true]);
      expect(lines.map((l) => l.sameSrc)).toEqual([false, true]);
      // The second compiled jest's own modules (jest-circus, expect…), which every file loads again, from the code
      // cache the first left.
      expect(lines[0]!.fromCodeCache).toBe(0);
      expect(lines[1]!.fromCodeCache).toBeGreaterThan(50);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
