import { expect, test } from '@jest/globals';
import { useMoto } from '../support/cli.js';

const emulator = useMoto();

interface SelfCheck {
  metricData: { cases: number; values: number; mismatches: number[] };
  headers: { cases: number; plain: number; mismatches: string[] };
}

// test/support/moto_server.py replaces two pieces of moto and of Python's http.server with faster code that must
// answer exactly as they do (docs/testing.md, "The emulator, sixth session"): GetMetricData without its rescan of
// the window per period, and the parsing of plain request headers. The server runs both versions on random inputs
// (seeded: the same inputs every run) and reports every input on which they differ.
test('the test moto server answers GetMetricData and parses headers exactly as moto and the email parser', async () => {
  const r = await fetch(`${emulator().url}/moto-api/bm-selfcheck`, { method: 'POST' });
  expect(r.status).toBe(200);
  const check = (await r.json()) as SelfCheck;
  expect(check.metricData.mismatches).toEqual([]);
  expect(check.headers.mismatches).toEqual([]);
  // Inputs that exercise both: many datapoints counted into periods, and both header paths (the fast one and the
  // email parser's for continuation lines, stray CRs, lines without a colon).
  expect(check.metricData.cases).toBe(40);
  expect(check.metricData.values).toBeGreaterThan(300);
  expect(check.headers.plain).toBeGreaterThan(100);
  expect(check.headers.cases - check.headers.plain).toBeGreaterThan(100);
});
