#!/usr/bin/env node
// Where `npm test`'s time goes (docs/testing.md): runs the suite (or the files given) once, as npm test
// does, and prints per test file the wall time jest measured, the worker's CPU time, its moto server's and its child
// processes' (CLI binaries, python) CPU time, slowest first, then the totals and the whole run's user+sys CPU.
// Run after `npm run transpile`:  node scripts/test-profile.mjs [jest args…]  (BM_E2E=1: the set npm run test:e2e runs)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

// Node's flags as package.json's "test" script gives them (jest's workers inherit them).
const testScript = JSON.parse(readFileSync('package.json', 'utf8')).scripts.test;
const NODE_FLAGS = (
  process.env.BM_PROFILE_NODE_FLAGS ??
  /\bnode((?: --\S+)*) node_modules\/jest/.exec(testScript)?.[1] ??
  ''
)
  .split(' ')
  .filter(Boolean);
const dir = mkdtempSync(join(tmpdir(), 'bm-profile-'));
const out = join(dir, 'files.jsonl');
const json = join(dir, 'jest.json');
const t0 = Date.now();
const r = spawnSync(
  process.execPath,
  [
    ...NODE_FLAGS,
    'node_modules/jest/bin/jest.js',
    '--setupFilesAfterEnv',
    '<rootDir>/scripts/test-profile-hook.mjs',
    '--json',
    '--outputFile',
    json,
    ...process.argv.slice(2),
  ],
  {
    stdio: ['ignore', 'ignore', process.env.BM_PROFILE_QUIET ? 'ignore' : 'inherit'],
    env: { ...process.env, BM_PROFILE_OUT: out },
  },
);
const wall = (Date.now() - t0) / 1000;
// cutime + cstime of this process: jest and everything it waited for (workers, moto servers, spawned CLIs).
const stat = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
const childCpu = (Number(stat[13]) + Number(stat[14])) / 100;
const jest = JSON.parse(readFileSync(json, 'utf8'));
const perf = new Map(jest.testResults.map((t) => [t.name, (t.endTime - t.startTime) / 1000]));
const rows = readFileSync(out, 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l))
  .map((p) => ({ ...p, jestS: perf.get(p.file) ?? 0 }))
  .sort((a, b) => b.jestS - a.jestS);
const s = (ms) => (ms / 1000).toFixed(1).padStart(6);
// Columns: jest's wall time for the file; in the worker, CPU from the file's setup to its end, of which loading its
// imports; its moto server's CPU; its child processes' CPU; the worker's CPU before the file (jest's own work between
// files). Then the file.
const COLUMNS = ['cpuMs', 'motoCpuMs', 'childCpuMs', 'loadMs', 'betweenMs'];
console.log(['jest s', 'cpu s', 'moto s', 'kids s', 'load s', 'gap s'].map((h) => h.padStart(6)).join(' ') + '  file');
for (const p of rows) {
  const file = relative(process.cwd(), p.file);
  console.log(`${p.jestS.toFixed(1).padStart(6)} ${COLUMNS.map((k) => s(p[k] ?? 0)).join(' ')}  ${file}`);
}
const sum = (k) => rows.reduce((a, p) => a + (p[k] ?? 0), 0);
console.log(
  `${sum('jestS').toFixed(1).padStart(6)} ${COLUMNS.map((k) => s(sum(k))).join(' ')}  total over ${rows.length} files`,
);
console.log(
  `run: ${wall.toFixed(1)} s wall, ${childCpu.toFixed(1)} s CPU (user+sys, jest, its workers and moto servers)`,
);
// BM_PROFILE_TIMELINE=1: each worker's files in the order it ran them, with their start and end (seconds from jest's
// start), to see where a worker waited or finished early.
if (process.env.BM_PROFILE_TIMELINE) {
  for (const w of [...new Set(rows.map((p) => p.worker))].sort()) {
    console.log(`worker ${w}:`);
    for (const p of rows.filter((q) => q.worker === w).sort((a, b) => a.startMs - b.startMs)) {
      const from = (p.startMs - t0) / 1000;
      const to = from + p.wallMs / 1000;
      console.log(`  ${from.toFixed(1).padStart(6)} ${to.toFixed(1).padStart(6)}  ${relative(process.cwd(), p.file)}`);
    }
  }
}
rmSync(dir, { recursive: true, force: true });
process.exit(r.status ?? 1);
