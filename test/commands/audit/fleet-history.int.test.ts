import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CloudTrailClient,
  LookupEventsCommand,
  type Event,
  type LookupEventsCommandInput,
} from '@aws-sdk/client-cloudtrail';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import { cliFor, useMoto } from '../../support/cli.js';
import { ACCOUNT } from '../../support/aws.js';
import { cloudTrailCorpus, truthOf, type GeneratedRecord } from '../../support/cloudtrail.js';
import { callerBase, createOrganization } from '../../support/org.js';
import { AuditDocSchema } from '../../support/schemas.js';

/**
 * audit --source history over an organization: each account and Region's own event history, read with that
 * account's credentials. moto plays AWS Organizations and STS (cross-account AssumeRole: the assumed role's
 * credentials act in its account), but moto 5.2.1 does not implement CloudTrail LookupEvents (its cloudtrail
 * responses cover trails, event selectors, insight selectors and tags only), so an aws-sdk-client-mock stub answers
 * LookupEvents in the documented shape (Events: [{EventId, EventName, EventTime, EventSource, CloudTrailEvent}],
 * NextToken; https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html), per account (the
 * one moto says the request's credentials belong to, GetCallerIdentity) and Region (the client's).
 */

const emulator = useMoto();
const cli = cliFor(() => emulator().url, 'us-east-1');
const REGIONS = ['us-east-1', 'eu-west-1'];
const END = new Date('2026-03-10T12:00:00Z');
const START = new Date(END.getTime() - 24 * 3_600_000);
const WINDOW = ['--since', START.toISOString(), '--until', END.toISOString()];
const MANAGEMENT = (r: GeneratedRecord): boolean => r.record.eventCategory === 'Management';

const ct = mockClient(CloudTrailClient);
let members: string[] = [];
/** Per "account region": its generated CloudTrail records. */
const histories = new Map<string, GeneratedRecord[]>();

/** LookupEvents over one account and Region's records: management events in [StartTime, EndTime], newest first. */
function lookup(records: GeneratedRecord[], input: LookupEventsCommandInput) {
  const events: Event[] = records
    .filter((r) => MANAGEMENT(r))
    .sort((a, b) => b.time - a.time)
    .map((r) => ({
      EventId: String(r.record.eventID),
      EventName: String(r.record.eventName),
      EventTime: new Date(r.time),
      EventSource: String(r.record.eventSource),
      CloudTrailEvent: JSON.stringify(r.record),
    }))
    .filter(
      (e) =>
        e.EventSource === input.LookupAttributes?.[0]?.AttributeValue &&
        e.EventTime.getTime() >= input.StartTime!.getTime() &&
        e.EventTime.getTime() <= input.EndTime!.getTime(),
    );
  const offset = Number(input.NextToken ?? 0);
  const page = events.slice(offset, offset + (input.MaxResults ?? 50));
  return { Events: page, ...(offset + page.length < events.length ? { NextToken: String(offset + page.length) } : {}) };
}

const accounts = new Map<string, string>();
/** The account moto says credentials act in. */
async function accountOf(creds: AwsCredentialIdentity): Promise<string> {
  if (!accounts.has(creds.accessKeyId)) {
    const sts = new STSClient({ endpoint: emulator().url, region: 'us-east-1', credentials: creds });
    accounts.set(creds.accessKeyId, (await sts.send(new GetCallerIdentityCommand({}))).Account!);
  }
  return accounts.get(creds.accessKeyId)!;
}

beforeEach(async () => {
  members = await createOrganization(callerBase(emulator().url));
  histories.clear();
  // The caller's account and the first member have calls in both Regions; the second member none.
  [ACCOUNT, members[0]!].forEach((account, a) =>
    REGIONS.forEach((region, r) => {
      const c = cloudTrailCorpus({ account, region, start: START, end: END, seed: 5 + a * 7 + r, calls: 60 });
      histories.set(`${account} ${region}`, c.records);
    }),
  );
  ct.reset();
  ct.on(LookupEventsCommand).callsFake(async (input: LookupEventsCommandInput, getClient) => {
    const client = getClient();
    const region = await client.config.region();
    const account = await accountOf(await client.config.credentials());
    return lookup(histories.get(`${account} ${region}`) ?? [], input);
  });
});
afterEach(() => void ct.reset());

type Row = { account?: string; region?: string; calls: number; regions: string[] };
const rowsOf = (doc: { rows: unknown[] }): Row[] => doc.rows as Row[];

/** Management calls of an account in a Region in the window, from the generator's truth. */
function callsOf(account: string, region: string): number {
  const records = histories.get(`${account} ${region}`) ?? [];
  const t = truthOf(records, { account, region, start: START, end: END }, MANAGEMENT);
  return Object.values(t).reduce((n, x) => n + x.calls, 0);
}

describe('audit --source history across an organization', () => {
  test('each account and Region read with its own credentials; rows attributed; equal to the truth', async () => {
    const args = ['audit', '--by', 'account', '--accounts', 'org', '--regions', REGIONS.join(','), ...WINDOW];
    const r = await cli([...args, '--json'], { now: END });
    expect(r.code).toBe(0);
    const doc = AuditDocSchema.parse(r.json());
    const all = [ACCOUNT, ...members];
    const want = Object.fromEntries(
      [ACCOUNT, members[0]!].map((a) => [a, REGIONS.reduce((n, region) => n + callsOf(a, region), 0)]),
    );
    expect(Object.values(want).every((n) => n > 0)).toBe(true);
    expect(Object.fromEntries(rowsOf(doc).map((x) => [x.account, x.calls]))).toEqual(want);
    for (const row of rowsOf(doc)) expect([...row.regions].sort()).toEqual([...REGIONS].sort());
    expect(doc.targets!.map((t) => [t.account, t.region, t.status, t.events])).toEqual(
      all
        .flatMap((a) => REGIONS.map((region) => [a, region, 'read', callsOf(a, region)]))
        .sort((x, y) => String(x[0]).localeCompare(String(y[0])) || String(x[1]).localeCompare(String(y[1]))),
    );
    expect(doc.scope).toEqual({ accounts: [...all].sort(), regions: REGIONS });
    // Members' histories were read with their own credentials.
    const assumed = r.requests.filter((q) => q.operation === 'AssumeRole');
    expect(new Set(assumed.map((q) => (q.input as { RoleArn: string }).RoleArn))).toEqual(
      new Set(members.map((m) => `arn:aws:iam::${m}:role/OrganizationAccountAccessRole`)),
    );
    // --by region over the same histories: each Region's calls over the accounts.
    const byRegion = AuditDocSchema.parse(
      (await cli(['audit', '--by', 'region', ...args.slice(3), '--json'], { now: END })).json(),
    );
    expect(Object.fromEntries(rowsOf(byRegion).map((x) => [x.region, x.calls]))).toEqual(
      Object.fromEntries(REGIONS.map((region) => [region, callsOf(ACCOUNT, region) + callsOf(members[0]!, region)])),
    );
  }, 120_000);

  test('an account whose role cannot be assumed is a row with its reason and fix (exit 1)', async () => {
    const stranger = '999999999999';
    const flags = ['--by', 'account', '--accounts', `${members[0]},${stranger}`, '--regions', 'us-east-1', ...WINDOW];
    const r = await cli(['audit', ...flags, '--json'], { now: END });
    expect(r.code).toBe(1);
    const doc = AuditDocSchema.parse(r.json());
    expect(rowsOf(doc).map((x) => [x.account, x.calls])).toEqual([[members[0], callsOf(members[0]!, 'us-east-1')]]);
    const failed = doc.targets!.find((t) => t.account === stranger)!;
    expect([failed.status, failed.events, failed.error?.code]).toEqual(['failed', null, 'E_AWS_ASSUME_ROLE']);
    expect(doc.error?.code).toBe('E_FLEET_FAILED');
    const human = await cli(['audit', ...flags], { now: END, env: { COLUMNS: '200' } });
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('Per account and Region (event history):');
    expect(human.stdout).toMatch(new RegExp(`${stranger}\\s+us-east-1\\s+failed: cannot assume`));
    expect(human.stdout).toContain('Fix: Create the role OrganizationAccountAccessRole');
    // Markdown (a wiki page, a pull request) carries the same per-target table.
    const md = await cli(['audit', ...flags, '--output', 'markdown'], { now: END });
    expect(md.code).toBe(1);
    expect(md.stdout).toContain('**Per account and Region (event history)**');
    expect(md.stdout).toContain('| ACCOUNT | REGION | CALLS | NOTE |');
    expect(md.stdout).toMatch(
      new RegExp(`\\| ${members[0]} \\| us-east-1 \\| ${callsOf(members[0]!, 'us-east-1')} \\| +\\|`),
    );
    expect(md.stdout).toMatch(new RegExp(`\\| ${stranger} \\| us-east-1 \\|  \\| failed: cannot assume`));
  }, 120_000);

  test("the caller's own account alone is read as before: no AssumeRole, no per-target rows", async () => {
    const r = await cli(['audit', '--accounts', ACCOUNT, '--regions', 'us-east-1', ...WINDOW, '--json'], { now: END });
    expect(r.code).toBe(0);
    const doc = AuditDocSchema.parse(r.json());
    expect(doc.targets).toBeUndefined();
    expect(r.requests.filter((q) => q.operation === 'AssumeRole')).toEqual([]);
    expect(doc.totals.calls).toBe(callsOf(ACCOUNT, 'us-east-1'));
  });
});
