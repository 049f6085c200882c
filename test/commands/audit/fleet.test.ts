import { describe, expect, test } from '@jest/globals';
import { emptyDir, runCli } from '../../support/cli.js';
import { cloudTrailCorpus, truthOf, writeCorpus, type GeneratedRecord } from '../../support/cloudtrail.js';
import { AuditDocSchema } from '../../support/schemas.js';

/**
 * audit over an organization trail's tree: CloudTrail writes `AWSLogs/<org-id>/<account>/CloudTrail/<region>/…`
 * (CloudTrail User Guide, "Finding your CloudTrail log files"), one folder per member account. The audit counts the
 * chosen accounts' and Regions' calls only, and says how many files it left out.
 */

const ORG = 'o-a1b2c3d4e5';
const ACCOUNTS = ['111111111111', '222222222222'];
const REGIONS = ['us-east-1', 'eu-west-1'];
const END = new Date('2026-03-10T12:00:00Z');
const START = new Date(END.getTime() - 24 * 3_600_000);
const WINDOW = ['--since', START.toISOString(), '--until', END.toISOString()];

/** Two member accounts × two Regions under one organization trail; the records of each account, for the truth. */
function orgTree(): { dir: string; records: Map<string, GeneratedRecord[]> } {
  const dir = emptyDir();
  const records = new Map<string, GeneratedRecord[]>();
  ACCOUNTS.forEach((account, a) =>
    REGIONS.forEach((region, r) => {
      const c = cloudTrailCorpus({ account, region, start: START, end: END, seed: 3 + a * 5 + r, calls: 40 });
      writeCorpus(
        dir,
        c.files.map((f) => ({ ...f, key: f.key.replace(/^AWSLogs\//, `AWSLogs/${ORG}/`) })),
      );
      records.set(account, [...(records.get(account) ?? []), ...c.records]);
    }),
  );
  return { dir, records };
}

/** Bedrock calls of an account in a Region in the window, from the generator's truth. */
function callsOf(tree: ReturnType<typeof orgTree>, account: string, region: string): number {
  const t = truthOf(tree.records.get(account)!, { account, region, start: START, end: END });
  return Object.values(t).reduce((n, x) => n + x.calls, 0);
}

async function audit(dir: string, args: string[]) {
  const r = await runCli(['audit', '--logs', dir, ...WINDOW, '--json', ...args], {
    env: { AWS_REGION: 'us-east-1' },
    now: END,
  });
  if (r.code !== 0) throw new Error(`audit ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  expect(AuditDocSchema.safeParse(r.json()).error).toBeUndefined();
  return r;
}

describe('audit over an organization trail', () => {
  const tree = orgTree();

  test('--by account across two accounts and two Regions: each account its calls, rows say where', async () => {
    const r = await audit(tree.dir, [
      '--by',
      'account',
      '--accounts',
      ACCOUNTS.join(','),
      '--regions',
      REGIONS.join(','),
    ]);
    const data = r.json<{ rows: { account: string; calls: number; regions: string[] }[]; scope: unknown }>();
    expect(data.scope).toEqual({ accounts: ACCOUNTS, regions: REGIONS });
    const want = Object.fromEntries(
      ACCOUNTS.map((a) => [a, REGIONS.reduce((n, region) => n + callsOf(tree, a, region), 0)]),
    );
    expect(Object.values(want).every((n) => n > 0)).toBe(true);
    expect(Object.fromEntries(data.rows.map((x) => [x.account, x.calls]))).toEqual(want);
    for (const row of data.rows) expect([...row.regions].sort()).toEqual([...REGIONS].sort());
    expect(r.requests).toEqual([]);
  });

  test('--by region, one account: only its calls, the other account left out and said so', async () => {
    const r = await audit(tree.dir, ['--by', 'region', '--accounts', ACCOUNTS[0]!, '--regions', REGIONS.join(',')]);
    const data = r.json<{ rows: { region: string; calls: number; accounts: string[] }[]; warnings: string[] }>();
    expect(Object.fromEntries(data.rows.map((x) => [x.region, x.calls]))).toEqual(
      Object.fromEntries(REGIONS.map((region) => [region, callsOf(tree, ACCOUNTS[0]!, region)])),
    );
    expect(data.rows.every((x) => x.accounts.join() === ACCOUNTS[0])).toBe(true);
    expect(data.warnings.join('\n')).toMatch(/left out \d+ CloudTrail files of other accounts or Regions/);
  });

  test('without target flags: the Region of --region, every account of the tree', async () => {
    const r = await audit(tree.dir, ['--by', 'account']);
    const data = r.json<{ rows: { account: string; calls: number }[] }>();
    expect(Object.fromEntries(data.rows.map((x) => [x.account, x.calls]))).toEqual(
      Object.fromEntries(ACCOUNTS.map((a) => [a, callsOf(tree, a, 'us-east-1')])),
    );
  });

  test('the human table names the accounts of each principal when the rows span several', async () => {
    const r = await runCli(
      ['audit', '--logs', tree.dir, ...WINDOW, '--accounts', ACCOUNTS.join(','), '--regions', 'eu-west-1'],
      { env: { AWS_REGION: 'us-east-1', COLUMNS: '200' }, now: END },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Bedrock calls in eu-west-1 of accounts ${ACCOUNTS.join(', ')}`);
    expect(r.stdout).toMatch(/ACCOUNTS/);
  });
});
