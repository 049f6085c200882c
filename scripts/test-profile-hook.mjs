// Jest setupFilesAfterEnv for scripts/test-profile.mjs only (never in jest.config.js): records, per test
// file, the jest worker's CPU time and its moto server's CPU time (from /proc), from after the test
// environment is up to after the file's last test, into the file BM_PROFILE_OUT names (one JSON a line).
import { afterAll, expect } from '@jest/globals';
import { appendFileSync, readFileSync, readdirSync } from 'node:fs';

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

const cpu0 = process.cpuUsage();
const moto0 = motoCpuMs();
const wall0 = Date.now();
afterAll(() => {
  const cpu = process.cpuUsage(cpu0);
  appendFileSync(
    process.env.BM_PROFILE_OUT,
    JSON.stringify({
      file: expect.getState().testPath,
      worker: process.env.JEST_WORKER_ID,
      wallMs: Date.now() - wall0,
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      motoCpuMs: motoCpuMs() - moto0,
    }) + '\n',
  );
});
