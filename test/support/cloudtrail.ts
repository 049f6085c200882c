import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { prng } from './synthetic.js';

/**
 * SYNTHETIC CloudTrail log files for tests, the demo and benchmarks (never shipped): Bedrock calls by
 * a fixed cast of principals, in the layout AWS documents
 * (`AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`,
 * each file `{"Records": [...]}`), with noise the audit must ignore: other services, another Region,
 * calls before the previous window, digest files, and files delivered on the day after their calls.
 * Deterministic for a seed. The truth per role (`--by role`) is computed from the cast, not from the records'
 * identity fields, so it checks how the audit reads `userIdentity`.
 */

export interface Actor {
  /**
   * The row `audit --by role` must report (src/lib/core/identity.ts): an assumed-role actor's sessions (several
   * per role, as session names often are) merged into the role, in the form the invocation logs allow.
   */
  principal: string;
  identity: (rnd: () => number, account: string) => Record<string, unknown>;
  ips: string[];
  events: string[];
  /** Share of calls refused / failing otherwise. */
  denied: number;
  failing: number;
  weight: number;
  /** Active in the audited window and/or the previous one. */
  current: boolean;
  previous: boolean;
}

/** The role behind an assumed-role session, as the audit and the report name it; its IAM ARN is the issuer's. */
const role = (account: string, name: string): string => `arn:aws:sts::${account}:assumed-role/${name}`;
const iamRole = (account: string, name: string): string => `arn:aws:iam::${account}:role/${name}`;

export function cast(account: string): Actor[] {
  const assumed = (name: string) => (rnd: () => number, acct: string) => ({
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE${name.toUpperCase()}:session-${Math.floor(rnd() * 5)}`,
    arn: `arn:aws:sts::${acct}:assumed-role/${name}/session-${Math.floor(rnd() * 5)}`,
    accountId: acct,
    accessKeyId: 'ASIAEXAMPLE',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: `AROAEXAMPLE${name.toUpperCase()}`,
        arn: iamRole(acct, name),
        accountId: acct,
        userName: name,
      },
      attributes: { mfaAuthenticated: 'false' },
    },
  });
  const user = (name: string) => (_rnd: () => number, acct: string) => ({
    type: 'IAMUser',
    principalId: `AIDAEXAMPLE${name.toUpperCase()}`,
    arn: `arn:aws:iam::${acct}:user/${name}`,
    accountId: acct,
    userName: name,
  });
  const runtime = ['InvokeModel', 'Converse', 'ConverseStream', 'InvokeModelWithResponseStream'];
  return [
    {
      principal: role(account, 'ChatApp'),
      identity: assumed('ChatApp'),
      ips: ['203.0.113.10', '203.0.113.11'],
      events: runtime,
      denied: 0,
      failing: 0.03,
      weight: 6,
      current: true,
      previous: true,
    },
    {
      principal: `arn:aws:iam::${account}:user/alice`,
      identity: user('alice'),
      ips: ['198.51.100.7'],
      events: ['Converse', 'InvokeModel', 'ListFoundationModels'],
      denied: 0.02,
      failing: 0,
      weight: 2,
      current: true,
      previous: true,
    },
    {
      principal: role(account, 'SupportAgent'),
      identity: assumed('SupportAgent'),
      ips: ['10.0.1.20', '10.0.1.21', '10.0.1.22'],
      events: ['InvokeAgent', 'Retrieve', 'ApplyGuardrail', 'Converse'],
      denied: 0,
      failing: 0.01,
      weight: 3,
      current: true,
      previous: false,
    },
    {
      principal: `arn:aws:iam::${account}:user/mallory`,
      identity: user('mallory'),
      ips: ['192.0.2.66'],
      events: ['InvokeModel', 'Converse'],
      denied: 0.9,
      failing: 0,
      weight: 1,
      current: true,
      previous: false,
    },
    {
      principal: 'bedrock.amazonaws.com',
      identity: () => ({ type: 'AWSService', invokedBy: 'bedrock.amazonaws.com' }),
      ips: ['bedrock.amazonaws.com'],
      events: ['InvokeModel'],
      denied: 0,
      failing: 0,
      weight: 1,
      current: true,
      previous: true,
    },
    {
      principal: role(account, 'RetiredBatch'),
      identity: assumed('RetiredBatch'),
      ips: ['10.0.9.9'],
      events: ['InvokeModel'],
      denied: 0,
      failing: 0,
      weight: 1,
      current: false,
      previous: true,
    },
  ];
}

export interface PrincipalTruth {
  calls: number;
  errors: number;
  accessDenied: number;
  eventNames: Record<string, number>;
  sourceIps: string[];
  firstSeen: string;
  lastSeen: string;
  new: boolean;
}

export interface CorpusOptions {
  account: string;
  region: string;
  /** The audited window; the previous one of the same length is filled too. */
  start: Date;
  end: Date;
  /** Bedrock calls per window in the Region (before noise). */
  calls?: number;
  seed?: number;
  /**
   * Minutes between two deliveries of a Region's file (CloudTrail's are about 5, the default). A file delivered at a
   * time may hold records of any time before it (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/
   * cloudtrail-log-file-examples.html): the demo delivers hourly, for fewer files to write and read.
   */
  deliveryMinutes?: number;
}

export interface GeneratedRecord {
  record: Record<string, unknown>;
  actor: Actor | undefined;
  time: number;
}

export interface Corpus {
  files: { key: string; body: Buffer }[];
  records: GeneratedRecord[];
  /** Per principal, for Bedrock calls in the Region and window. */
  truth: Record<string, PrincipalTruth>;
}

const MANAGEMENT = new Set([
  'InvokeModel',
  'Converse',
  'ConverseStream',
  'InvokeModelWithResponseStream',
  'ListFoundationModels',
]);

function bedrockRecord(
  a: Actor,
  t: number,
  rnd: () => number,
  account: string,
  region: string,
): Record<string, unknown> {
  const eventName = a.events[Math.floor(rnd() * a.events.length)]!;
  const roll = rnd();
  const errorCode =
    roll < a.denied
      ? 'AccessDeniedException'
      : roll < a.denied + a.failing
        ? rnd() < 0.5
          ? 'ThrottlingException'
          : 'ValidationException'
        : undefined;
  const management = MANAGEMENT.has(eventName);
  return {
    eventVersion: '1.09',
    userIdentity: a.identity(rnd, account),
    eventTime: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'bedrock.amazonaws.com',
    eventName,
    awsRegion: region,
    sourceIPAddress: a.ips[Math.floor(rnd() * a.ips.length)],
    userAgent: 'Boto3/1.35.0 md/Botocore#1.35.0 (SYNTHETIC)',
    ...(errorCode
      ? {
          errorCode,
          errorMessage:
            errorCode === 'AccessDeniedException'
              ? 'User is not authorized to perform: bedrock:InvokeModel'
              : 'synthetic failure',
        }
      : {}),
    requestParameters: { modelId: 'anthropic.claude-3-haiku-20240307-v1:0' },
    responseElements: null,
    requestID: `req-${Math.floor(rnd() * 1e12)}`,
    eventID: `evt-${Math.floor(rnd() * 1e12)}`,
    readOnly: rnd() < 0.5,
    eventType: 'AwsApiCall',
    managementEvent: management,
    recipientAccountId: account,
    eventCategory: management ? 'Management' : 'Data',
    ...(management
      ? {}
      : {
          resources: [
            { type: 'AWS::Bedrock::AgentAlias', ARN: `arn:aws:bedrock:${region}:${account}:agent-alias/AGENT/ALIAS` },
          ],
        }),
  };
}

function noiseRecord(t: number, rnd: () => number, account: string, region: string): Record<string, unknown> {
  const s3 = rnd() < 0.5;
  return {
    eventVersion: '1.09',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${account}:user/ops`, accountId: account },
    eventTime: new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: s3 ? 's3.amazonaws.com' : 'sts.amazonaws.com',
    eventName: s3 ? 'GetObject' : 'AssumeRole',
    awsRegion: region,
    sourceIPAddress: '198.51.100.200',
    eventCategory: s3 ? 'Data' : 'Management',
  };
}

/** CloudTrail times have whole seconds. */
const sec = (ms: number): number => Math.floor(ms / 1000) * 1000;

function pick(actors: Actor[], rnd: () => number): Actor {
  const total = actors.reduce((n, a) => n + a.weight, 0);
  let r = rnd() * total;
  for (const a of actors) if ((r -= a.weight) < 0) return a;
  return actors[actors.length - 1]!;
}

/** The records: Bedrock calls in both windows, and noise that must not count. */
export function generateRecords(o: CorpusOptions): GeneratedRecord[] {
  const rnd = prng(o.seed ?? 7);
  const actors = cast(o.account);
  const len = o.end.getTime() - o.start.getTime();
  const out: GeneratedRecord[] = [];
  const n = o.calls ?? 2000;
  const windows = [
    { from: o.start.getTime(), who: actors.filter((a) => a.current) },
    { from: o.start.getTime() - len, who: actors.filter((a) => a.previous) },
  ];
  for (const w of windows) {
    for (let i = 0; i < n; i++) {
      const a = pick(w.who, rnd);
      const t = sec(w.from + Math.floor(rnd() * len));
      out.push({ record: bedrockRecord(a, t, rnd, o.account, o.region), actor: a, time: t });
    }
  }
  const other = o.region === 'us-west-2' ? 'eu-west-1' : 'us-west-2';
  for (let i = 0; i < n / 4; i++) {
    const t = sec(o.start.getTime() - len + Math.floor(rnd() * 2 * len));
    out.push({ record: noiseRecord(t, rnd, o.account, o.region), actor: undefined, time: t });
    // Bedrock calls in another Region, and before the previous window: neither may count.
    const a = pick(
      actors.filter((x) => x.current),
      rnd,
    );
    out.push({ record: bedrockRecord(a, t, rnd, o.account, other), actor: undefined, time: t });
    const early = sec(o.start.getTime() - len - 1000 - Math.floor(rnd() * 6 * 3_600_000));
    out.push({ record: bedrockRecord(a, early, rnd, o.account, o.region), actor: undefined, time: early });
  }
  // At the edges: a call at the window's start counts, one at its end does not.
  const edge = actors[0]!;
  out.push({
    record: bedrockRecord(edge, o.start.getTime(), rnd, o.account, o.region),
    actor: edge,
    time: o.start.getTime(),
  });
  out.push({
    record: bedrockRecord(edge, o.end.getTime(), rnd, o.account, o.region),
    actor: undefined,
    time: o.end.getTime(),
  });
  return out;
}

/** The truth per principal: from the cast, for records in the Region and window. */
export function truthOf(
  records: GeneratedRecord[],
  o: CorpusOptions,
  keep: (r: GeneratedRecord) => boolean = () => true,
): Record<string, PrincipalTruth> {
  const len = o.end.getTime() - o.start.getTime();
  const inWindow = (r: GeneratedRecord) =>
    r.actor && r.record.awsRegion === o.region && r.time >= o.start.getTime() && r.time < o.end.getTime() && keep(r);
  const before = new Set(
    records
      .filter(
        (r) =>
          r.actor &&
          r.record.awsRegion === o.region &&
          r.time >= o.start.getTime() - len &&
          r.time < o.start.getTime() &&
          keep(r),
      )
      .map((r) => r.actor!.principal),
  );
  const truth: Record<string, PrincipalTruth> = {};
  for (const r of records.filter(inWindow)) {
    const p = r.actor!.principal;
    const t = (truth[p] ??= {
      calls: 0,
      errors: 0,
      accessDenied: 0,
      eventNames: {},
      sourceIps: [],
      firstSeen: '',
      lastSeen: '',
      new: !before.has(p),
    });
    const rec = r.record as { eventName: string; errorCode?: string; sourceIPAddress: string };
    t.calls++;
    if (rec.errorCode) t.errors++;
    if (rec.errorCode === 'AccessDeniedException') t.accessDenied++;
    t.eventNames[rec.eventName] = (t.eventNames[rec.eventName] ?? 0) + 1;
    if (!t.sourceIps.includes(rec.sourceIPAddress)) t.sourceIps.push(rec.sourceIPAddress);
    const iso = new Date(r.time).toISOString();
    if (!t.firstSeen || iso < t.firstSeen) t.firstSeen = iso;
    if (!t.lastSeen || iso > t.lastSeen) t.lastSeen = iso;
  }
  for (const t of Object.values(truth)) t.sourceIps.sort();
  return truth;
}

const stamp = (t: number): string =>
  new Date(t)
    .toISOString()
    .slice(0, 16)
    .replace(/[-:]/g, '')
    .replace(/(\d{8})(\d{4})/, '$1T$2') + 'Z';

/**
 * Records into files as CloudTrail delivers them: per Region, batches delivered every 5 minutes (or `everyMinutes`),
 * 1-12 minutes late.
 */
export function toFiles(
  records: GeneratedRecord[],
  account: string,
  seed = 11,
  everyMinutes = 5,
): { key: string; body: Buffer }[] {
  const rnd = prng(seed);
  const every = everyMinutes * 60_000;
  const batches = new Map<string, Record<string, unknown>[]>();
  for (const r of records) {
    const region = String(r.record.awsRegion);
    const delivered = Math.ceil((r.time + 60_000 + Math.floor(rnd() * 11 * 60_000)) / every) * every;
    const day = new Date(delivered).toISOString().slice(0, 10).replace(/-/g, '/');
    const unique = Math.floor(rnd() * 36 ** 8)
      .toString(36)
      .padStart(8, '0')
      .toUpperCase();
    const key =
      `AWSLogs/${account}/CloudTrail/${region}/${day}/` +
      `${account}_CloudTrail_${region}_${stamp(delivered)}_${unique}${unique}.json.gz`;
    const batchKey = `${region}|${delivered}`;
    if (!batches.has(batchKey)) batches.set(batchKey, []);
    const list = batches.get(batchKey)!;
    (list as unknown as { key?: string }).key ??= key;
    list.push(r.record);
  }
  const files = [...batches.values()].map((list) => ({
    key: (list as unknown as { key: string }).key,
    body: gzipSync(JSON.stringify({ Records: list })),
  }));
  // A digest file: another format, which the audit must skip.
  files.push({
    key:
      `AWSLogs/${account}/CloudTrail-Digest/us-east-1/2026/01/01/` +
      `${account}_CloudTrail-Digest_us-east-1_trail_us-east-1_20260101T000000Z.json.gz`,
    body: gzipSync(JSON.stringify({ awsAccountId: account, digestStartTime: 'x' })),
  });
  return files;
}

export function cloudTrailCorpus(o: CorpusOptions): Corpus {
  const records = generateRecords(o);
  return {
    files: toFiles(records, o.account, (o.seed ?? 7) + 4, o.deliveryMinutes),
    records,
    truth: truthOf(records, o),
  };
}

/** Writes the files under `dir` (keys as paths); returns the number written. */
export function writeCorpus(dir: string, files: { key: string; body: Buffer }[]): number {
  for (const f of files) {
    const path = join(dir, ...f.key.split('/'));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.body);
  }
  return files.length;
}
