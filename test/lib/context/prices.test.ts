import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { priceCachePath, writePriceCache } from '../../../src/lib/pricing/cache-file.js';
import type { RateSet, RefreshedModel, RefreshedTable } from '../../../src/lib/pricing/refreshed.js';
import { snapshotTable } from '../../../src/lib/pricing/snapshot.js';
import { emptyDir, runCli } from '../../support/cli.js';
import {
  CORPUS_ACCOUNT,
  corpusRates,
  defaultSpec,
  toUsdRates,
  writeCorpus,
  type Acc,
  type CorpusSpec,
  type CorpusTruth,
} from '../../support/corpus.js';
import { logsReportDocSchema } from '../../support/schemas.js';

/**
 * One price table per Region, each record at the rate in force on its day: a tree of two Regions' logs where
 * eu-west-1 has a refreshed table of its own (every rate doubled) prices each Region's records at its own rates; a
 * price change inside the window prices each record at its day's rate whatever the report is grouped by. Expected
 * costs are the corpus generator's truth (its rates are the us-east-1 snapshot's), scaled by hand.
 */

const isApp = (model: string): boolean => model.includes(':application-inference-profile/');

const times = (r: RateSet | undefined, k: number): RateSet | undefined =>
  r && (Object.fromEntries(Object.entries(r).map(([f, v]) => [f, v * k])) as RateSet);

/** The us-east-1 snapshot as a refreshed table of `region`, each model as `model` makes it. */
function tableOf(region: string, fetchedAt: string, model: (m: RefreshedModel) => RefreshedModel): RefreshedTable {
  const snap = snapshotTable('us-east-1')!;
  return { ...snap, source: 'AWS Price List API (GetProducts)', region, fetchedAt, models: snap.models.map(model) };
}

const scaled =
  (k: number) =>
  (m: RefreshedModel): RefreshedModel => {
    const rest = { ...m };
    delete rest.history;
    return {
      ...rest,
      ...(m.regional ? { regional: times(m.regional, k) } : {}),
      ...(m.global ? { global: times(m.global, k) } : {}),
    };
  };

interface Tree {
  dir: string;
  cwd: string;
  cache: string;
  truth: Map<string, CorpusTruth>;
}

/** The corpus of each spec in one tree; its application profiles priced by the config file (as a user would). */
function tree(specs: CorpusSpec[]): Tree {
  const dir = emptyDir();
  const cwd = emptyDir();
  const truth = new Map<string, CorpusTruth>();
  const prices: Record<string, unknown> = {};
  for (const spec of specs) {
    truth.set(spec.region, writeCorpus(dir, spec));
    for (const [id, rates] of Object.entries(corpusRates(spec))) if (isApp(id)) prices[id] = toUsdRates(rates);
  }
  writeFileSync(join(cwd, 'bedrock-monitor.config.json'), JSON.stringify({ prices }));
  return { dir, cwd, cache: emptyDir(), truth };
}

const windowOf = (spec: CorpusSpec): string[] => [
  '--since',
  spec.start.toISOString(),
  '--until',
  new Date(spec.start.getTime() + spec.hours * 3_600_000).toISOString(),
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function report(t: Tree, spec: CorpusSpec, now: Date, args: string[]): Promise<{ json: any; stderr: string }> {
  const r = await runCli(
    ['report', '--logs', t.dir, '--no-reconcile', '--region', 'us-east-1', ...windowOf(spec), '--json', ...args],
    { cwd: t.cwd, env: { XDG_CACHE_HOME: t.cache }, now },
  );
  if (r.code !== 0) throw new Error(`report ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return { json: r.json<unknown>(), stderr: r.stderr };
}

/** USD of an Acc's records at the truth's rates × k (application profiles: their config price, never scaled). */
const usdOf = (model: string, acc: Acc, k: number): number => (acc.costNanoUsd * (isApp(model) ? 1 : k)) / 1e9;
const cents = (usd: number): number => Math.round(usd * 100);

describe('each Region priced with its own table', () => {
  const BASE = defaultSpec({ records: 240, hours: 3, filesPerHour: 2, malformedEvery: 0 });
  const NOW = new Date(BASE.start.getTime() + 2 * 86_400_000);

  test("two Regions, eu-west-1 refreshed at twice the rates: each Region's records cost its own rates", async () => {
    const specs = ['us-east-1', 'eu-west-1'].map((region, i) => ({
      ...BASE,
      seed: 31 + i,
      account: CORPUS_ACCOUNT,
      region,
    }));
    const t = tree(specs);
    const env = { XDG_CACHE_HOME: t.cache };
    writePriceCache(priceCachePath(env, 'eu-west-1')!, tableOf('eu-west-1', NOW.toISOString(), scaled(2)));
    const { json, stderr } = await report(t, BASE, NOW, ['--by', 'region,model', '--regions', 'us-east-1,eu-west-1']);
    expect(logsReportDocSchema(['region', 'model']).safeParse(json).error).toBeUndefined();
    for (const [region, k] of [
      ['us-east-1', 1],
      ['eu-west-1', 2],
    ] as const) {
      const truth = t.truth.get(region)!;
      let total = 0;
      for (const [model, acc] of truth.groups.model) {
        const row = json.rows.find((r: { region: string; model: string }) => r.region === region && r.model === model);
        expect([region, model, row.invocations]).toEqual([region, model, acc.invocations]);
        expect([region, model, cents(row.costUsd)]).toEqual([region, model, cents(usdOf(model, acc, k))]);
        total += usdOf(model, acc, k);
      }
      const target = json.targets.find((r: { region: string }) => r.region === region);
      expect([region, cents(target.costUsd)]).toEqual([region, cents(total)]);
    }
    expect(json.prices.regions).toEqual([
      {
        region: 'eu-west-1',
        source: 'AWS Price List API (GetProducts)',
        date: NOW.toISOString().slice(0, 10),
        table: 'refreshed',
      },
      { region: 'us-east-1', source: expect.any(String), date: expect.any(String), table: 'snapshot' },
    ]);
    expect(stderr).not.toContain('bundled');
  }, 120_000);

  test('a Region with no table of its own: priced from the bundled fallback, and a warning says so', async () => {
    const specs = ['us-east-1', 'eu-west-1'].map((region, i) => ({ ...BASE, seed: 31 + i, region }));
    const t = tree(specs);
    const { json } = await report(t, BASE, NOW, ['--by', 'region', '--regions', 'us-east-1,eu-west-1']);
    expect(json.warnings).toContainEqual(
      expect.stringMatching(
        /^eu-west-1's records are priced from the bundled Claude list-price table .*prices refresh --region eu-west-1/,
      ),
    );
    expect(json.warnings.join('\n')).not.toContain("us-east-1's records");
    // Not silently at us-east-1's rates: the models only the snapshot prices are unpriced in eu-west-1.
    const eu = json.rows.find((r: { region: string }) => r.region === 'eu-west-1');
    expect(eu.priced).toBe(false);
    expect(json.rows.find((r: { region: string }) => r.region === 'us-east-1').priced).toBe(true);
  }, 120_000);
});

describe("a model one Region's table lacks", () => {
  const BASE = defaultSpec({ records: 240, hours: 3, filesPerHour: 2, malformedEvery: 0 });
  const NOW = new Date(BASE.start.getTime() + 2 * 86_400_000);

  test('the warning names that Region and its refresh, not the Regions that price the model', async () => {
    const specs = ['us-east-1', 'eu-west-1'].map((region, i) => ({ ...BASE, seed: 31 + i, region }));
    const t = tree(specs);
    const env = { XDG_CACHE_HOME: t.cache };
    // eu-west-1 refreshed at us-east-1's rates, without the Nova models its records use (bundled Claude table
    // has no Nova either, so nothing else prices them there).
    const used = [...t.truth.get('eu-west-1')!.groups.model.keys()];
    expect(used.some((id) => id.includes('nova'))).toBe(true);
    const table = tableOf('eu-west-1', NOW.toISOString(), (m) => m);
    writePriceCache(priceCachePath(env, 'eu-west-1')!, {
      ...table,
      models: table.models.filter((m) => !/nova/i.test(m.name)),
    });
    const { json } = await report(t, BASE, NOW, ['--by', 'region,model', '--regions', 'us-east-1,eu-west-1']);
    const lacking = json.rows.filter((r: { priced: boolean }) => !r.priced);
    expect(lacking.length).toBeGreaterThan(0);
    for (const row of lacking) {
      expect(row.region).toBe('eu-west-1');
      expect(json.warnings).toContainEqual(
        `${row.model} is not in eu-west-1's price table: its invocations there are unpriced and left out of costs ` +
          '(run `bedrock-monitor prices refresh --region eu-west-1`, or add it under "prices" in the config file)',
      );
    }
    // The same model in us-east-1 is priced there.
    for (const row of lacking)
      expect(
        json.rows.find((r: { region: string; model: string }) => r.region === 'us-east-1' && r.model === row.model)
          ?.priced,
      ).not.toBe(false);
    for (const row of lacking) expect(row.model).toMatch(/nova/);
    expect(json.warnings.join('\n')).not.toContain('is not in the price table');
  }, 120_000);
});

describe('a model whose table states no cache-read rate', () => {
  const BASE = defaultSpec({ records: 240, hours: 3, filesPerHour: 2, malformedEvery: 0 });
  const NOW = new Date(BASE.start.getTime() + 2 * 86_400_000);

  test('its cache reads cost $0 there, and a warning names the model, the Region and the refresh', async () => {
    const specs = ['us-east-1', 'eu-west-1'].map((region, i) => ({ ...BASE, seed: 31 + i, region }));
    const t = tree(specs);
    const env = { XDG_CACHE_HOME: t.cache };
    const MODEL = 'global.anthropic.claude-sonnet-4-5-20250929-v1:0';
    const acc = t.truth.get('eu-west-1')!.groups.model.get(MODEL)!;
    expect(acc.cacheReadTokens).toBeGreaterThan(0);
    // eu-west-1 refreshed at us-east-1's rates, Claude Sonnet 4.5 without its global cache-read rate.
    const table = tableOf('eu-west-1', NOW.toISOString(), (m) => {
      if (m.name !== 'Claude Sonnet 4.5' || !m.global) return m;
      const global = { ...m.global };
      delete global.cacheRead;
      const rest = { ...m };
      delete rest.history;
      return { ...rest, global };
    });
    writePriceCache(priceCachePath(env, 'eu-west-1')!, table);
    const { json } = await report(t, BASE, NOW, ['--by', 'region,model', '--regions', 'us-east-1,eu-west-1']);
    expect(json.warnings).toContainEqual(
      `${MODEL} has no cache-read rate in eu-west-1's price table: its cache-read tokens are priced at $0 (if AWS ` +
        "bills them, the cost is under-estimated; `bedrock-monitor prices refresh --region eu-west-1` fetches AWS's " +
        'current table)',
    );
    expect(json.warnings.join('\n')).not.toContain(`${MODEL} has no cache-read rate in us-east-1`);
    // The row's cost is the truth less its cache reads at the snapshot's rate (nano-dollars per token × tokens).
    const rate = snapshotTable('us-east-1')!.models.find((m) => m.name === 'Claude Sonnet 4.5')!.global!.cacheRead!;
    const row = json.rows.find((r: { region: string; model: string }) => r.region === 'eu-west-1' && r.model === MODEL);
    expect(cents(row.costUsd)).toBe(cents(usdOf(MODEL, acc, 1) - (acc.cacheReadTokens * rate) / 1e6));
  }, 120_000);
});

describe('a price change inside the window', () => {
  // 22:00 on the 20th to 02:00 on the 21st: two UTC days.
  const SPEC = defaultSpec({
    records: 240,
    hours: 4,
    filesPerHour: 2,
    malformedEvery: 0,
    start: new Date(Date.UTC(2026, 10, 20, 22)),
  });
  const NOW = new Date(Date.UTC(2026, 10, 23));
  const CHANGE = '2026-11-21';

  /** Current rates twice the old ones from the 21st; the old ones (the truth's) in the history until then. */
  const changed = (m: RefreshedModel): RefreshedModel => ({
    ...scaled(2)(m),
    effective: CHANGE,
    history: [
      {
        until: CHANGE,
        ...(m.regional ? { regional: m.regional } : {}),
        ...(m.global ? { global: m.global } : {}),
      },
    ],
  });

  test('--by model and --by principal (not by day): each record at the rate of its day', async () => {
    const t = tree([SPEC]);
    const env = { XDG_CACHE_HOME: t.cache };
    writePriceCache(priceCachePath(env, 'us-east-1')!, tableOf('us-east-1', NOW.toISOString(), changed));
    const truth = t.truth.get('us-east-1')!;
    expect([...truth.groups.day.keys()].sort()).toEqual(['2026-11-20', CHANGE]);
    const want = new Map<string, number>();
    for (const [key, acc] of truth.dayModel) {
      const [day, model] = key.split(' ') as [string, string];
      want.set(model, (want.get(model) ?? 0) + usdOf(model, acc, day < CHANGE ? 1 : 2));
    }
    const byModel = (await report(t, SPEC, NOW, ['--by', 'model'])).json;
    expect(byModel.rows.map((r: { model: string }) => r.model).sort()).toEqual([...want.keys()].sort());
    for (const row of byModel.rows)
      expect([row.model, cents(row.costUsd)]).toEqual([row.model, cents(want.get(row.model)!)]);
    const total = [...want.values()].reduce((a, v) => a + v, 0);
    // At the last day's rate alone (what a report not by day used to do) the total would be higher by a dollar or more.
    const lastDayOnly = [...truth.groups.model].reduce((a, [m, acc]) => a + usdOf(m, acc, 2), 0);
    expect(lastDayOnly - total).toBeGreaterThan(1);
    const byPrincipal = (await report(t, SPEC, NOW, ['--by', 'principal'])).json;
    // The rows' costs are each rounded to the cent: their sum is within half a cent a row of the truth.
    expect(Math.abs(byPrincipal.totals.costUsd - total)).toBeLessThanOrEqual(0.005 * byPrincipal.rows.length + 1e-9);
    expect(cents(byPrincipal.targets[0].costUsd)).toBe(cents(total));
  }, 120_000);
});
