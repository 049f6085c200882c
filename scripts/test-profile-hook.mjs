// Jest setupFilesAfterEnv for scripts/test-profile.mjs only (never in jest.config.js): records, per test file, the
// jest worker's CPU time, its moto server's and its child processes' (from /proc), from after the test environment is
// up to after the file's last test, into the file BM_PROFILE_OUT names (one JSON a line); also the part spent loading
// the file's imports, and the worker's CPU between the previous file's end and this file's start.
// BM_PROFILE_CPU=DIR also writes a V8 CPU profile of each file's run (its imports and tests, sampled every ms) to
// DIR/<path under test/, slashes as _>.cpuprofile: `node --cpu-prof` cannot, since jest stops its workers before they
// write one.
import { afterAll, beforeAll, expect } from '@jest/globals';
import { appendFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const TICK_MS = 10; // Linux clock ticks (USER_HZ = 100)

/** utime + stime of this worker's moto server (useMoto() in test/support/cli.ts), in ms; 0 when unknown. */
function motoCpuMs() {
  const shared = process.env.BM_MOTO_SERVERS ? JSON.parse(process.env.BM_MOTO_SERVERS) : [];
  const mine = shared[(Number(process.env.JEST_WORKER_ID ?? '1') - 1) % Math.max(1, shared.length)];
  if (!mine) return 0;
  const port = new URL(mine.url).port;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmd.some((a) => a.endsWith('moto_server.py')) || cmd[cmd.indexOf('-p') + 1] !== port) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
    } catch {
      /* gone */
    }
  }
  return 0;
}

/** cutime + cstime of this worker: the CPU of the processes it spawned and waited for (CLI binaries, python), in ms. */
function childCpuMs() {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) * TICK_MS;
}

const profiler = process.env.BM_PROFILE_CPU ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  profiler.post('Profiler.enable');
  profiler.post('Profiler.setSamplingInterval', { interval: 1000 });
  profiler.post('Profiler.start');
}

const cpu0 = process.cpuUsage();
// Jest's own work between the previous file's end in this worker (or the worker's start) and this file's setup: the
// test environment torn down and built again, the runtime, the transform cache. The worker's context is shared across
// its files (test/support/environment.cjs), so the mark survives from one file to the next.
const mark = globalThis.__bmProfileMark ?? { user: 0, system: 0 };
const betweenMs = Math.round((cpu0.user - mark.user + cpu0.system - mark.system) / 1000);
const child0 = childCpuMs();
const moto0 = motoCpuMs();
const wall0 = Date.now();
// The test file's imports are evaluated after this module and before the first beforeAll hook.
let loadMs = 0;
beforeAll(() => {
  const cpu = process.cpuUsage(cpu0);
  loadMs = Math.round((cpu.user + cpu.system) / 1000);
});
afterAll(async () => {
  const cpu = process.cpuUsage(cpu0);
  globalThis.__bmProfileMark = process.cpuUsage();
  appendFileSync(
    process.env.BM_PROFILE_OUT,
    JSON.stringify({
      file: expect.getState().testPath,
      worker: process.env.JEST_WORKER_ID,
      wallMs: Date.now() - wall0,
      startMs: wall0,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      motoCpuMs: motoCpuMs() - moto0,
      childCpuMs: childCpuMs() - child0,
      loadMs,
      betweenMs,
    }) + '\n',
  );
  if (!profiler) return;
  const name = expect
    .getState()
    .testPath.replace(/.*?\/test\//, '')
    .replace(/\//g, '_');
  const profile = await new Promise((resolve, reject) =>
    profiler.post('Profiler.stop', (err, r) => (err ? reject(err) : resolve(r.profile))),
  );
  profiler.disconnect();
  mkdirSync(process.env.BM_PROFILE_CPU, { recursive: true });
  writeFileSync(`${process.env.BM_PROFILE_CPU}/${name}.cpuprofile`, JSON.stringify(profile));
});
