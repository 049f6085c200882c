import { beforeEach, describe, expect, test } from '@jest/globals';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { cliFor, fromSnapshot, useMoto } from '../../support/cli.js';
import { ACCOUNT } from '../../support/aws.js';
import { callerBase, createOrganization, memberBase, type ClientBase } from '../../support/org.js';
import { putMetrics, syntheticUsage } from '../../support/synthetic.js';
import { FleetMetricsReportDocSchema, ReportDocSchema } from '../../support/schemas.js';

/**
 * The CloudWatch metrics report over an organization: each account and Region's own AWS/Bedrock metrics (moto keeps
 * each account's CloudWatch apart and maps assumed-role credentials to the role's account), read with that target's
 * credentials and merged. The merged figures equal the sum of the single-target runs, each made as a person in that
 * account would (its own credentials, no target flags).
 */

const emulator = useMoto();
const cli = cliFor(() => emulator().url, 'us-east-1');
const REGIONS = ['us-east-1', 'eu-west-1'];
const NOW = new Date('2026-11-22T03:30:00Z');
const START = new Date('2026-11-20T00:00:00Z');
const END = new Date('2026-11-21T00:00:00Z');
const WINDOW = ['--since', START.toISOString(), '--until', END.toISOString()];
const MODELS = ['anthropic.claude-3-haiku-20240307-v1:0', 'meta.llama3-1-70b-instruct-v1:0'];
const SUMS = ['invocations', 'inputTokens', 'outputTokens', 'clientErrors', 'serverErrors', 'throttles'] as const;

let members: string[] = [];
const base = (region = 'us-east-1'): ClientBase => callerBase(emulator().url, region);
const credsOf = async (account: string, region: string): Promise<ClientBase> =>
  account === ACCOUNT ? base(region) : memberBase(base(), account, region);

/** Synthetic usage (hourly, one seed per target) in an account and Region's own CloudWatch. */
async function seed(account: string, region: string, seedNo: number): Promise<void> {
  const cfg = await credsOf(account, region);
  const cw = new CloudWatchClient({ ...cfg, disableRequestCompression: true });
  await putMetrics(cw, syntheticUsage(MODELS.slice(0, 1 + (seedNo % 2)), START, END, 120, seedNo));
}

/**
 * The single-target report of one account and Region, run with that account's own credentials (the SDK's default
 * chain reads them from the process environment, set for the run and restored after).
 */
async function single(account: string, region: string) {
  const c = (await credsOf(account, region)).credentials;
  const keys = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'] as const;
  const saved = keys.map((k) => process.env[k]);
  const values = [c.accessKeyId, c.secretAccessKey, c.sessionToken];
  keys.forEach((k, i) => (values[i] === undefined ? delete process.env[k] : (process.env[k] = values[i])));
  try {
    const r = await cli(['report', ...WINDOW, '--json'], { env: { AWS_REGION: region }, now: NOW });
    expect(r.code).toBe(0);
    return ReportDocSchema.parse(r.json());
  } finally {
    keys.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
  }
}

// Built for the first test; later ones start from a copy of moto's state after it (the same member accounts).
beforeEach(
  fromSnapshot(emulator, 'organization', async () => {
    members = await createOrganization(base());
    // The caller's account in both Regions, the first member in us-east-1 only; the second member has no usage.
    await seed(ACCOUNT, 'us-east-1', 11);
    await seed(ACCOUNT, 'eu-west-1', 12);
    await seed(members[0]!, 'us-east-1', 13);
  }),
);

describe('report (CloudWatch metrics) across an organization', () => {
  test('merged rows and totals equal the sum of the single-target runs; a target without data is a row', async () => {
    const args = ['report', '--accounts', 'org', '--regions', REGIONS.join(','), ...WINDOW, '--json'];
    const r = await cli(args, { now: NOW });
    expect(r.code).toBe(0);
    const doc = FleetMetricsReportDocSchema.parse(r.json());
    expect(doc.groupBy).toEqual(['account', 'region', 'model']);
    // Each Region priced from its own table, and said so: the snapshot covers us-east-1, not eu-west-1.
    expect(doc.prices.regions?.map((p) => [p.region, p.table])).toEqual([
      ['eu-west-1', 'bundled'],
      ['us-east-1', 'snapshot'],
    ]);
    expect(doc.warnings).toContainEqual(expect.stringMatching(/^eu-west-1's records are priced from the bundled/));
    const targets = [ACCOUNT, ...members].flatMap((account) => REGIONS.map((region) => ({ account, region })));
    const singles = [];
    for (const t of targets) singles.push({ ...t, rep: await single(t.account, t.region) });
    for (const k of SUMS) expect(doc.totals[k]).toBe(singles.reduce((a, s) => a + (s.rep.totals[k] ?? 0), 0));
    expect(doc.totals.costUsd).toBeCloseTo(
      singles.reduce((a, s) => a + s.rep.totals.costUsd, 0),
      6,
    );
    // One row per account, Region and model, equal to that target's own model row.
    const want = singles.flatMap((s) =>
      s.rep.models.map((m) => [s.account, s.region, m.modelId, m.invocations, m.inputTokens, m.costUsd]),
    );
    expect(
      doc.rows.map((x) => [x.account, x.region, x.modelId, x.invocations, x.inputTokens, x.costUsd]).sort(),
    ).toEqual(want.sort());
    expect(want.length).toBeGreaterThan(3);
    // Every chosen target has a row: with data, or none in the window.
    expect(doc.targets.map((t) => [t.account, t.region, t.status])).toEqual(
      singles
        .map((s) => [s.account, s.region, s.rep.models.length ? 'data' : 'no data'])
        .sort((a, b) => a[0]!.localeCompare(b[0]!) || a[1]!.localeCompare(b[1]!)),
    );
    expect(doc.targets.filter((t) => t.status === 'no data').map((t) => t.account)).toContain(members[1]);
    // Members were read with their own credentials.
    const assumed = r.requests.filter((q) => q.operation === 'AssumeRole');
    expect(new Set(assumed.map((q) => (q.input as { RoleArn: string }).RoleArn))).toEqual(
      new Set(members.map((m) => `arn:aws:iam::${m}:role/OrganizationAccountAccessRole`)),
    );
  }, 180_000);

  test('--source metrics --by account and --by region,model regroup the same figures', async () => {
    const flags = ['--accounts', 'org', '--regions', REGIONS.join(','), ...WINDOW, '--json'];
    const all = FleetMetricsReportDocSchema.parse((await cli(['report', ...flags], { now: NOW })).json());
    const byAccount = await cli(['report', '--source', 'metrics', '--by', 'account', ...flags], { now: NOW });
    expect(byAccount.code).toBe(0);
    const a = FleetMetricsReportDocSchema.parse(byAccount.json());
    const sumBy = (key: (r: (typeof all.rows)[number]) => string) => {
      const m = new Map<string, number>();
      for (const row of all.rows) m.set(key(row), (m.get(key(row)) ?? 0) + (row.invocations ?? 0));
      return m;
    };
    expect(new Map(a.rows.map((x) => [x.account!, x.invocations]))).toEqual(sumBy((x) => x.account!));
    expect(a.rows.every((x) => x.region === null && x.modelId === null)).toBe(true);
    const rm = FleetMetricsReportDocSchema.parse(
      (await cli(['report', '--source', 'metrics', '--by', 'region,model', ...flags], { now: NOW })).json(),
    );
    expect(new Map(rm.rows.map((x) => [`${x.region} ${x.modelId}`, x.invocations]))).toEqual(
      sumBy((x) => `${x.region} ${x.modelId}`),
    );
    expect(rm.rows.every((x) => x.account === null)).toBe(true);
    expect(rm.totals).toEqual(all.totals);
    // --by day: the fleet's days sum to its totals.
    const days = FleetMetricsReportDocSchema.parse(
      (await cli(['report', '--by', 'day', ...flags], { now: NOW })).json(),
    );
    const perDay = days.days!.map((d) => (d as unknown as { invocations: number }).invocations);
    expect(perDay.reduce((n, x) => n + x, 0)).toBe(all.totals.invocations);
    // --top 2 --sort invocations: the two busiest rows, then the rest summed as others, adding up to the totals.
    const top = await cli(['report', '--top', '2', '--sort', 'invocations', ...flags], { now: NOW });
    expect(top.code).toBe(0);
    const t = FleetMetricsReportDocSchema.parse(top.json());
    const busiest = [...all.rows].sort((x, y) => y.invocations! - x.invocations!).slice(0, 2);
    expect(t.rows.map((x) => [x.account, x.region, x.modelId, x.invocations])).toEqual(
      busiest.map((x) => [x.account, x.region, x.modelId, x.invocations]),
    );
    expect(t.others?.groups).toBe(all.rows.length - 2);
    for (const k of SUMS)
      expect(t.rows.reduce((n, x) => n + (x[k] ?? 0), 0) + (t.others?.[k] ?? 0)).toBe(all.totals[k]);
    const shown = await cli(['report', '--top', '2', ...flags.slice(0, -1)], { now: NOW, env: { COLUMNS: '200' } });
    expect(shown.stdout).toMatch(new RegExp(`others \\(${all.rows.length - 2}\\)\\s+[\\d,]+`));
  }, 180_000);

  test('a role that cannot be assumed is a row with its reason and fix; the others report (exit 1)', async () => {
    const stranger = '999999999999';
    const flags = ['--accounts', `${ACCOUNT},${stranger}`, '--regions', 'us-east-1', ...WINDOW];
    const r = await cli(['report', ...flags, '--json'], { now: NOW });
    expect(r.code).toBe(1);
    const doc = FleetMetricsReportDocSchema.parse(r.json());
    const failed = doc.targets.find((t) => t.account === stranger)!;
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('E_AWS_ASSUME_ROLE');
    expect(failed.error?.hint).toContain('--assume-role');
    expect(doc.error?.code).toBe('E_FLEET_FAILED');
    const own = await single(ACCOUNT, 'us-east-1');
    expect(doc.totals.invocations).toBe(own.totals.invocations);

    const human = await cli(['report', ...flags], { now: NOW, env: { COLUMNS: '200' } });
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/ACCOUNT\s+REGION\s+MODEL\s+INVOCATIONS/);
    expect(human.stdout).toMatch(new RegExp(`${stranger}\\s+us-east-1\\s+failed: cannot assume`));
    expect(human.stdout).toContain('Fleet: 2 targets (2 accounts × 1 Region): 1 with data, 0 without data');
    expect(human.stderr).toContain('1 of 2 targets could not be read');
  }, 180_000);

  test('flags the merged report cannot honour are refused before any request', async () => {
    const r = await cli(['report', '--source', 'metrics', '--by', 'account'], { now: NOW });
    expect([r.code, r.requests]).toEqual([2, []]);
    expect(r.stderr).toContain('add --regions and/or --accounts');
  });
});
