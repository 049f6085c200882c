import { afterAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { PricingClient } from '@aws-sdk/client-pricing';
import { runCli, type CliResult } from '../../support/cli.js';
import { expectGolden } from '../../support/golden.js';
import { serveFixture } from '../../support/pricing-fixture.js';
import { overlong, WIDTHS, widthName, type Width } from '../../support/render.js';

/**
 * What `prices list` and `prices refresh` print, golden at 60, 80 and 160 columns and into a pipe
 * (TZ=UTC, NO_COLOR): the bundled table, the table after a refresh (Price List answers from the
 * recorded fixture), with a config override, and an invalid action. No request reaches AWS.
 */

const pricing = mockClient(PricingClient);
afterAll(() => pricing.restore());

const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://127.0.0.1:9' };
const fetchedAt = new Date('2026-11-20T08:00:00Z');
const later = new Date('2026-11-21T06:00:00Z');

/** A new directory whose path is always as long (wrapped lines that name it do not depend on TMPDIR). */
const emptyDir = (): string => mkdtempSync('/tmp/bm-gold-');

/** A run in a terminal `width` wide (stdout and stderr), or into a pipe. */
async function run(
  args: string[],
  width: Width,
  opts: { cwd?: string; cache?: string; now?: Date } = {},
): Promise<CliResult> {
  const terminal = width === undefined ? {} : { stdoutTty: true, tty: true };
  const r = await runCli(args, {
    ...terminal,
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    now: opts.now ?? later,
    env: {
      ...env,
      CI: '1',
      XDG_CACHE_HOME: opts.cache ?? emptyDir(),
      COLUMNS: width === undefined ? undefined : String(width),
    },
  });
  expect(r.requests).toEqual([]);
  return r;
}

/** stdout, then stderr when there is any, with the run's temporary directories named. */
function screen(r: CliResult, dirs: Record<string, string>): string {
  let text = `${r.stdout}${r.stderr ? `--- stderr ---\n${r.stderr}` : ''}`;
  for (const [name, dir] of Object.entries(dirs)) text = text.replaceAll(dir, name);
  return text;
}

function check(name: string, text: string, width: Width): void {
  expectGolden(name, text);
  expect(overlong(text, width)).toEqual([]);
}

describe.each(WIDTHS.map((w) => [widthName(w), w] as const))('at %s', (label, width) => {
  test('prices list: the bundled table', async () => {
    const r = await run(['prices', 'list'], width);
    expect(r.code).toBe(0);
    check(`list-bundled-${label}.txt`, screen(r, {}), width);
  });

  test('prices refresh, then prices list: the Price List table, a config override, the bundled one', async () => {
    pricing.reset();
    serveFixture(pricing);
    const cache = emptyDir();
    const refresh = await run(['prices', 'refresh'], width, { cache, now: fetchedAt });
    expect(refresh.code).toBe(0);
    check(`refresh-${label}.txt`, screen(refresh, { '<cache>': cache }), width);
    const cwd = emptyDir();
    writeFileSync(
      join(cwd, 'bedrock-monitor.config.json'),
      JSON.stringify({
        prices: { 'anthropic.claude-3-haiku': { input: 0.2, output: 1, cacheRead: 0.02, cacheWrite: 0.25 } },
      }),
    );
    const list = await run(['prices', 'list'], width, { cache, cwd });
    expect(list.code).toBe(0);
    check(`list-refreshed-${label}.txt`, screen(list, { '<cache>': cache, '<dir>': cwd }), width);
  });

  test('an invalid action: one error line, exit 2', async () => {
    const r = await run(['prices', 'update'], width);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    check(`error-${label}.txt`, screen(r, {}), width);
  });
});

describe('prices list --region: the snapshot for the Regions it covers', () => {
  interface Row {
    model: string;
    source: string;
    routing: string;
    input: number;
    output: number;
    cacheRead: number | null;
  }
  const list = async (region: string) => {
    const r = await runCli(['prices', 'list', '--region', region, '--json'], {
      now: later,
      env: { ...env, XDG_CACHE_HOME: emptyDir() },
    });
    expect([r.code, r.requests]).toEqual([0, []]);
    return r.json<{ inUse: { table: string }; rows: Row[] }>();
  };

  test("eu-central-1: Frankfurt's figures from the snapshot, other Claude models from the bundled table", async () => {
    const doc = await list('eu-central-1');
    expect(doc.inUse.table).toBe('snapshot');
    const snap = doc.rows.filter((r) => r.source === 'snapshot').map((r) => [r.model, r.input, r.output]);
    // The AWS pricing page's Frankfurt table (SOURCES.md, mirror-aditya), per million tokens.
    expect(snap).toEqual([
      ['Claude 3 Haiku', 0.25, 1.25],
      ['Claude 3 Sonnet', 3, 15],
      ['Llama 3.2 1B', 0.13, 0.13],
      ['Llama 3.2 3B', 0.19, 0.19],
    ]);
    expect(doc.rows.some((r) => r.model === 'Nova Pro')).toBe(false);
    expect(new Set(doc.rows.filter((r) => r.source !== 'snapshot').map((r) => r.source))).toEqual(new Set(['table']));
  });

  test('eu-west-1 (not in the snapshot): the bundled Claude table only', async () => {
    const doc = await list('eu-west-1');
    expect(doc.inUse.table).toBe('bundled');
    expect(new Set(doc.rows.map((r) => r.source))).toEqual(new Set(['table']));
  });
});
