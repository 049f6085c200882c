import { beforeEach, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { cliFor, emptyDir, useMoto } from '../../support/cli.js';
import { ACCOUNT } from '../../support/aws.js';
import { callerBase, createOrganization, memberBase } from '../../support/org.js';
import { corpusRates, defaultSpec, putCorpus, toUsdRates, type CorpusTruth } from '../../support/corpus.js';
import { logsReportDocSchema } from '../../support/schemas.js';

/**
 * The logs report over an organization without --logs: each account's own log bucket (the one setup-all made and
 * the Region's logging configuration names), read with that account's credentials (moto keeps each account's
 * buckets apart). A target that cannot be read is a row saying why; the others are reported.
 */

const emulator = useMoto();
const cli = cliFor(() => emulator().url, 'us-east-1');
const REGION = 'us-east-1';
const base = () => callerBase(emulator().url, REGION);
const START = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 4 * 3_600_000);

let members: string[] = [];

beforeEach(async () => {
  members = await createOrganization(base());
});

/** An S3 client acting in an account (the caller's directly, a member's through its role). */
async function s3In(account: string): Promise<S3Client> {
  const cfg = account === ACCOUNT ? base() : await memberBase(base(), account);
  return new S3Client({ ...cfg, forcePathStyle: true });
}

/** Synthetic logs in one account's own bucket (moto applies the TLS-only Deny to plain HTTP: lifted here). */
async function seed(account: string, seedNo: number, prices: Record<string, unknown>): Promise<CorpusTruth> {
  const s3 = await s3In(account);
  const bucket = `bedrock-logs-${account}-${REGION}`;
  const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy!) as {
    Statement: { Sid?: string }[];
  };
  policy.Statement = policy.Statement.filter((st) => st.Sid !== 'DenyInsecureTransport');
  await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
  const spec = defaultSpec({
    records: 120,
    start: START,
    hours: 3,
    filesPerHour: 1,
    seed: seedNo,
    account,
    region: REGION,
  });
  for (const [id, rates] of Object.entries(corpusRates(spec)))
    if (id.includes(':application-inference-profile/')) prices[id] = toUsdRates(rates);
  return putCorpus(s3, bucket, spec);
}

describe('report across an organization, each account read from its own log bucket', () => {
  test('--by account sums each account’s own bucket; an account not entered is a row saying why', async () => {
    const dir = emptyDir();
    const config = join(dir, 'bedrock-monitor.config.json');
    writeFileSync(config, JSON.stringify({ alarms: { emails: ['oncall@example.com'] } }));
    expect((await cli(['setup-all', '--yes', '--accounts', 'org', '--regions', REGION], { cwd: dir })).code).toBe(0);
    const prices: Record<string, unknown> = {};
    const truth = new Map<string, CorpusTruth>();
    for (const [i, account] of [ACCOUNT, ...members].entries()) truth.set(account, await seed(account, 31 + i, prices));
    writeFileSync(config, JSON.stringify({ alarms: { emails: ['oncall@example.com'] }, prices }));
    const window = ['--since', START.toISOString(), '--until', new Date(START.getTime() + 3 * 3_600_000).toISOString()];

    const r = await cli(['report', '--by', 'account', '--accounts', 'org', '--regions', REGION, ...window, '--json'], {
      cwd: dir,
    });
    expect(r.code).toBe(0);
    const doc = logsReportDocSchema(['account']).parse(r.json<unknown>());
    const sum = [...truth.values()].reduce((a, t) => a + t.totals.invocations, 0);
    expect(doc.totals.invocations).toBe(sum);
    expect(new Map(doc.rows.map((x) => [(x as Record<string, unknown>).account, x.invocations]))).toEqual(
      new Map([...truth].map(([a, t]) => [a, t.totals.invocations])),
    );
    expect(doc.targets.map((t) => [t.account, t.status, t.invocations])).toEqual(
      [...truth].sort(([a], [b]) => a.localeCompare(b)).map(([a, t]) => [a, 'records', t.totals.invocations]),
    );
    // Each target reconciled with its own CloudWatch metrics (moto has none here: every record is a difference).
    expect(doc.reconciliation.targets?.map((t) => [t.account, t.logs.invocations])).toEqual(
      doc.targets.map((t) => [t.account, t.invocations]),
    );
    // Members were read with their own credentials.
    const assumed = r.requests.filter((q) => q.operation === 'AssumeRole');
    expect(new Set(assumed.map((q) => (q.input as { RoleArn: string }).RoleArn))).toEqual(
      new Set(members.map((m) => `arn:aws:iam::${m}:role/OrganizationAccountAccessRole`)),
    );

    const stranger = '999999999999';
    const human = await cli(
      ['report', '--by', 'account', '--accounts', `${members[0]},${stranger}`, '--regions', REGION, ...window],
      { cwd: dir },
    );
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`${stranger}\\s+${REGION}\\s+not read: cannot assume`));
    expect(human.stdout).toMatch(new RegExp(`${members[0]}\\s+${REGION}\\s+[\\d,]+`));
    expect(human.stdout).toContain('Logs against CloudWatch metrics, per account and Region:');
    expect(human.stderr).toContain(`${stranger} ${REGION}: no logs read: cannot assume`);
  }, 180_000);
});
