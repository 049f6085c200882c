import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CloudTrailClient,
  CreateTrailCommand,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, GetBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeMetricFiltersCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeAlarmsCommand, GetDashboardCommand, ListTagsForResourceCommand } from '@aws-sdk/client-cloudwatch';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { cliFor, emptyDir, fromSnapshot, useMoto } from '../../support/cli.js';
import { ACCOUNT, sdk } from '../../support/aws.js';
import { cloudTrailCorpus } from '../../support/cloudtrail.js';
import { mapLimit } from '../../../src/lib/core/concurrency.js';

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const aws = () => sdk(emulator().url, REGION);
const cloudtrail = () =>
  new CloudTrailClient({
    region: REGION,
    endpoint: emulator().url,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
const BUCKET = `bedrock-logs-${ACCOUNT}-${REGION}`;
const TRAIL = 'bedrock-monitor-trail';
const TRAIL_ARN = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/${TRAIL}`;
const DEFAULT_TYPES = [
  'AgentAlias',
  'InlineAgent',
  'KnowledgeBase',
  'Guardrail',
  'FlowAlias',
  'PromptVersion',
  'AsyncInvoke',
  'Model',
].map((t) => `AWS::Bedrock::${t}`);

function configDir(audit: Record<string, unknown> = {}): string {
  const dir = emptyDir();
  writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify({ audit: { enabled: true, ...audit } }));
  return dir;
}

type Selector = { FieldSelectors?: { Field?: string; Equals?: string[] }[] };
const typesOf = (selectors: Selector[] | undefined): string[] =>
  (selectors ?? []).flatMap((s) => s.FieldSelectors?.find((f) => f.Field === 'resources.type')?.Equals ?? []).sort();
const recordsManagement = (selectors: Selector[] | undefined): boolean =>
  (selectors ?? []).some((s) =>
    s.FieldSelectors?.some((f) => f.Field === 'eventCategory' && f.Equals?.includes('Management')),
  );

async function policySids(): Promise<Record<string, unknown>[]> {
  const p = await aws().s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));
  return (JSON.parse(p.Policy ?? '{}') as { Statement: Record<string, unknown>[] }).Statement;
}

describe('audit-trail on the emulator', () => {
  /** The trail audit-trail makes on an empty account: made once, then a copy of the emulator's state after it. */
  const withTrail = fromSnapshot(emulator, 'trail', async () => {
    expect((await cli(['audit-trail'], { cwd: configDir() })).code).toBe(0);
  });

  test(
    'creates the trail as specified, the bucket policy statements ' + 'before it, and a re-run writes nothing',
    async () => {
      const cwd = configDir();
      const r = await cli(['audit-trail', '--json'], { cwd });
      expect(r.code).toBe(0);
      const ops = r.writes.map((w) => w.operation);
      expect(ops.indexOf('PutBucketPolicy')).toBeGreaterThanOrEqual(0);
      expect(ops.indexOf('PutBucketPolicy')).toBeLessThan(ops.indexOf('CreateTrail'));
      expect(ops.indexOf('PutEventSelectors')).toBeLessThan(ops.indexOf('StartLogging'));

      const ct = cloudtrail();
      const { Trail } = await ct.send(new GetTrailCommand({ Name: TRAIL }));
      expect(Trail).toMatchObject({
        S3BucketName: BUCKET,
        S3KeyPrefix: 'cloudtrail',
        IsMultiRegionTrail: true,
        LogFileValidationEnabled: true,
        IncludeGlobalServiceEvents: true,
      });
      const sel = await ct.send(new GetEventSelectorsCommand({ TrailName: TRAIL }));
      expect(typesOf(sel.AdvancedEventSelectors)).toEqual([...DEFAULT_TYPES].sort());
      // No other trail records management events: this one does (the first copy is free).
      expect(recordsManagement(sel.AdvancedEventSelectors)).toBe(true);
      expect((await ct.send(new GetTrailStatusCommand({ Name: TRAIL }))).IsLogging).toBe(true);
      const tags = await ct.send(new ListTagsCommand({ ResourceIdList: [TRAIL_ARN] }));
      expect(tags.ResourceTagList?.[0]?.TagsList).toEqual([{ Key: 'ManagedBy', Value: 'bedrock-monitor' }]);

      const statements = await policySids();
      expect(statements.map((s) => s.Sid).sort()).toEqual([
        'AmazonBedrockLogsWrite',
        'BedrockMonitorCloudTrailAclCheck',
        'BedrockMonitorCloudTrailWrite',
        'DenyInsecureTransport',
      ]);
      expect(statements.find((s) => s.Sid === 'BedrockMonitorCloudTrailWrite')).toMatchObject({
        Principal: { Service: 'cloudtrail.amazonaws.com' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${BUCKET}/cloudtrail/AWSLogs/${ACCOUNT}/*`,
        Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': TRAIL_ARN } },
      });
      expect(
        (await aws().cw.send(new GetDashboardCommand({ DashboardName: 'BedrockSecurity' }))).DashboardBody,
      ).toContain('Managed by bedrock-monitor (security view)');

      const again = await cli(['audit-trail', '--json'], { cwd });
      expect(again.code).toBe(0);
      expect(again.writes).toEqual([]);
      expect(new Set(again.json().outcomes.map((o: { action: string }) => o.action))).toEqual(new Set(['unchanged']));
      expect((await cli(['status'], { cwd })).stdout).toMatch(/cloudtrail-trail\s+bedrock-monitor-trail\s+ok/);
    },
  );

  test(
    'turned on over an existing bucket: the CloudTrail statements are added once, checked by status, never ' +
      'duplicated; turned off, they are kept',
    async () => {
      const cwd = emptyDir();
      expect((await cli(['setup-all', '--yes'], { cwd })).code).toBe(0);
      expect((await cli(['config', 'set', 'audit.enabled', 'true'], { cwd })).code).toBe(0);
      // The bucket exists without them: status sees the missing statements before any trail is made.
      const before = (await cli(['status', '--json'], { cwd }))
        .json()
        .rows.find((r: { resource: string }) => r.resource === 's3-bucket');
      expect(before.status).toBe('drifted');
      expect(JSON.stringify(before.changes)).toContain('BedrockMonitorCloudTrailWrite');

      const r = await cli(['audit-trail', '--json'], { cwd });
      expect(r.code).toBe(0);
      const ops = r.writes.map((w) => w.operation);
      expect(ops.indexOf('PutBucketPolicy')).toBeGreaterThanOrEqual(0);
      expect(ops.indexOf('PutBucketPolicy')).toBeLessThan(ops.indexOf('CreateTrail'));
      const sids = async () => (await policySids()).map((st) => st.Sid).sort();
      const withTrail = [
        'AmazonBedrockLogsWrite',
        'BedrockMonitorCloudTrailAclCheck',
        'BedrockMonitorCloudTrailWrite',
        'DenyInsecureTransport',
      ];
      expect(await sids()).toEqual(withTrail);

      // Another rewrite of the policy (large-data delivery on) keeps each statement once.
      writeFileSync(
        join(cwd, 'bedrock-monitor.config.json'),
        JSON.stringify({
          audit: { enabled: true },
          logging: { destinations: ['s3', 'cloudwatch'], largeDataS3KeyPrefix: 'large-data' },
        }),
      );
      expect((await cli(['create-bucket'], { cwd })).code).toBe(0);
      expect(await sids()).toEqual([...withTrail, 'AmazonBedrockLargeDataWrite'].sort());
      expect((await cli(['create-bucket', '--json'], { cwd })).writes).toEqual([]);

      // Audit off, trail still there until cleanup: its statements are not the bucket step's to remove.
      writeFileSync(join(cwd, 'bedrock-monitor.config.json'), JSON.stringify({}));
      const off = await cli(['create-bucket', '--json'], { cwd });
      expect(off.code).toBe(0);
      expect(await sids()).toEqual(withTrail);
    },
  );

  test('with audit off, audit-trail refuses (exit 2, no request) and setup-all makes no trail', async () => {
    const off = await cli(['audit-trail']);
    expect(off.code).toBe(2);
    expect(off.stderr).toContain('audit is off');
    expect(off.requests).toEqual([]);
    const all = await cli(['setup-all', '--yes', '--json']);
    expect(all.json().outcomes.map((o: { resource: string }) => o.resource)).not.toContain('cloudtrail-trail');
    expect(all.requests.some((q) => q.service === 'CloudTrail')).toBe(false);
  });

  test('interactive setup-all asks about the audit trail, with its cost, and a yes sets it up', async () => {
    const dir = emptyDir();
    const r = await cli(['setup-all', '--json'], {
      cwd: dir,
      env: { CI: undefined },
      answers: [
        { prompt: /AWS Region to monitor/, keys: '\r' },
        { prompt: /Alert email addresses/, keys: '\r' },
        { prompt: /record who calls Bedrock in a CloudTrail trail/, keys: 'y\r' },
        { prompt: /Save the Region and the audit trail choice in .* for next time\?/, keys: 'y\r' },
        { prompt: /Create or repair \d+ resources/, keys: 'y\r' },
      ],
    });
    expect(r.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- strips terminal escape sequences
    expect(r.stderr.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '').replace(/\s+/g, ' ')).toContain(
      'Data events cost $0.10 per 100,000',
    );
    expect(r.json().outcomes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'cloudtrail-trail', action: 'created' }),
        expect.objectContaining({ name: 'BedrockSecurity', action: 'created' }),
      ]),
    );
    // The yes was saved: status and cleanup know about the trail from now on.
    const status = await cli(['status', '--json'], { cwd: dir });
    expect(status.json().rows.map((row: { resource: string }) => row.resource)).toContain('cloudtrail-trail');
  });

  test(
    'when another logging trail records management events, this ' + 'one leaves them out and says which trail',
    async () => {
      const { s3 } = aws();
      await s3.send(new CreateBucketCommand({ Bucket: 'org-audit-logs' }));
      const ct = cloudtrail();
      await ct.send(
        new CreateTrailCommand({ Name: 'org-audit', S3BucketName: 'org-audit-logs', IsMultiRegionTrail: true }),
      );
      await ct.send(new StartLoggingCommand({ Name: 'org-audit' }));
      const r = await cli(['setup-all', '--yes', '--audit', '--json'], { cwd: emptyDir() });
      expect(r.code).toBe(0);
      const trail = r.json().outcomes.find((o: { resource: string }) => o.resource === 'cloudtrail-trail');
      expect(trail.note).toContain(`recorded by trail arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/org-audit`);
      const sel = await ct.send(new GetEventSelectorsCommand({ TrailName: TRAIL }));
      expect(recordsManagement(sel.AdvancedEventSelectors)).toBe(false);
      expect(typesOf(sel.AdvancedEventSelectors)).toEqual([...DEFAULT_TYPES].sort());
    },
  );

  test('a trail logging only data events, or not logging, does not count as recording management events', async () => {
    const { s3 } = aws();
    await s3.send(new CreateBucketCommand({ Bucket: 'other-logs' }));
    const ct = cloudtrail();
    await ct.send(new CreateTrailCommand({ Name: 'data-only', S3BucketName: 'other-logs' }));
    await ct.send(
      new PutEventSelectorsCommand({
        TrailName: 'data-only',
        AdvancedEventSelectors: [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Data'] },
              { Field: 'resources.type', Equals: ['AWS::S3::Object'] },
            ],
          },
        ],
      }),
    );
    await ct.send(new StartLoggingCommand({ Name: 'data-only' }));
    await ct.send(new CreateTrailCommand({ Name: 'stopped', S3BucketName: 'other-logs' }));
    await ct.send(new CreateTrailCommand({ Name: 'writes-only', S3BucketName: 'other-logs' }));
    await ct.send(
      new PutEventSelectorsCommand({
        TrailName: 'writes-only',
        EventSelectors: [{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }],
      }),
    );
    await ct.send(new StartLoggingCommand({ Name: 'writes-only' }));
    const r = await cli(['audit-trail', '--json'], { cwd: configDir() });
    expect(r.code).toBe(0);
    expect(
      recordsManagement((await ct.send(new GetEventSelectorsCommand({ TrailName: TRAIL }))).AdvancedEventSelectors),
    ).toBe(true);
  });

  test('status sees a trail that stopped logging (exit 3); audit-trail starts it again', async () => {
    const cwd = configDir();
    await withTrail();
    await cloudtrail().send(new StopLoggingCommand({ Name: TRAIL }));
    const status = await cli(['status', '--json'], { cwd });
    expect(status.code).toBe(3);
    const row = status.json().rows.find((x: { resource: string }) => x.resource === 'cloudtrail-trail');
    expect(row).toMatchObject({ status: 'drifted', changes: [{ field: 'logging', from: false, to: true }] });
    const fix = await cli(['audit-trail', '--json'], { cwd });
    expect(fix.writes.map((w) => w.operation)).toEqual(['StartLogging']);
    expect((await cloudtrail().send(new GetTrailStatusCommand({ Name: TRAIL }))).IsLogging).toBe(true);
  });

  test("cleanup deletes only the tool's trail: a foreign trail survives", async () => {
    const cwd = configDir();
    await withTrail();
    await aws().s3.send(new CreateBucketCommand({ Bucket: 'team-logs' }));
    await cloudtrail().send(new CreateTrailCommand({ Name: 'team-trail', S3BucketName: 'team-logs' }));
    const r = await cli(['cleanup', '--yes', '--json'], { cwd });
    expect(r.code).toBe(0);
    expect(r.json().outcomes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ resource: 'cloudtrail-trail', name: TRAIL, action: 'deleted' }),
      ]),
    );
    const left = (await cloudtrail().send(new DescribeTrailsCommand({}))).trailList?.map((t) => t.Name);
    expect(left).toEqual(['team-trail']);
  });

  test('a same-named trail without the tag is refused (exit 2) and survives cleanup', async () => {
    await cli(['create-bucket'], { cwd: configDir() });
    await cloudtrail().send(new CreateTrailCommand({ Name: TRAIL, S3BucketName: BUCKET }));
    const cwd = configDir();
    const refused = await cli(['audit-trail'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('exists but is not tagged ManagedBy=bedrock-monitor');
    expect(refused.writes.filter((w) => w.service === 'CloudTrail')).toEqual([]);
    const r = await cli(['cleanup', '--yes', '--json'], { cwd });
    expect(r.json().outcomes.find((o: { resource: string }) => o.resource === 'cloudtrail-trail')).toMatchObject({
      action: 'skipped',
    });
    expect((await cloudtrail().send(new GetTrailCommand({ Name: TRAIL }))).Trail?.Name).toBe(TRAIL);
  });

  test(
    'CloudWatch Logs delivery and alarms: role, log group, metric filter and alarms, tagged; cleanup with ' +
      'audit turned off still removes them',
    async () => {
      const cwd = configDir({ cloudWatchLogs: true, alarms: { enabled: true } });
      const r = await cli(['audit-trail', '--json'], { cwd });
      expect(r.code).toBe(0);
      const { Trail } = await cloudtrail().send(new GetTrailCommand({ Name: TRAIL }));
      expect(Trail?.CloudWatchLogsLogGroupArn).toBe(
        `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/cloudtrail/bedrock-monitor:*`,
      );
      expect(Trail?.CloudWatchLogsRoleArn).toBe(
        `arn:aws:iam::${ACCOUNT}:role/BedrockMonitorCloudTrailToLogs-${REGION}`,
      );
      const role = await aws().iam.send(new GetRoleCommand({ RoleName: `BedrockMonitorCloudTrailToLogs-${REGION}` }));
      expect(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? '')).toContain('cloudtrail.amazonaws.com');
      const filters = await aws().logs.send(
        new DescribeMetricFiltersCommand({ logGroupName: '/aws/cloudtrail/bedrock-monitor' }),
      );
      expect(filters.metricFilters?.[0]).toMatchObject({
        filterName: 'bedrock-monitor-refused-bedrock-calls',
        metricTransformations: [
          expect.objectContaining({ metricNamespace: 'BedrockMonitor', metricName: 'RefusedBedrockCalls' }),
        ],
      });
      const alarms = await aws().cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'BedrockSecurity-' }));
      expect(alarms.MetricAlarms?.map((a) => a.AlarmName).sort()).toEqual([
        'BedrockSecurity-GuardrailInterventions',
        'BedrockSecurity-RefusedCalls',
      ]);
      expect(
        alarms.MetricAlarms?.every(
          (a) => a.AlarmActions?.[0] === `arn:aws:sns:${REGION}:${ACCOUNT}:bedrock-usage-alerts`,
        ),
      ).toBe(true);
      for (const a of alarms.MetricAlarms ?? [])
        expect((await aws().cw.send(new ListTagsForResourceCommand({ ResourceARN: a.AlarmArn }))).Tags).toEqual([
          { Key: 'ManagedBy', Value: 'bedrock-monitor' },
        ]);
      expect(role.Role?.Tags).toEqual([{ Key: 'ManagedBy', Value: 'bedrock-monitor' }]);
      expect((await cli(['audit-trail', '--json'], { cwd })).writes).toEqual([]);

      const gone = await cli(['cleanup', '--yes', '--json'], { cwd: emptyDir() });
      expect(gone.code).toBe(0);
      const deleted = gone
        .json()
        .outcomes.filter((o: { action: string }) => o.action === 'deleted')
        .map((o: { resource: string; name: string }) => `${o.resource} ${o.name}`);
      expect(deleted).toEqual(
        expect.arrayContaining([
          'cloudtrail-trail bedrock-monitor-trail',
          'metric-filter bedrock-monitor-refused-bedrock-calls',
          'alarm BedrockSecurity-RefusedCalls',
          'log-group /aws/cloudtrail/bedrock-monitor',
          `iam-role BedrockMonitorCloudTrailToLogs-${REGION}`,
          'dashboard BedrockSecurity',
        ]),
      );
    },
  );

  test('audit.alarms without CloudWatch Logs delivery is a config error (exit 2) naming the keys', async () => {
    const r = await cli(['audit-trail'], { cwd: configDir({ alarms: { enabled: true } }) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('audit.alarms needs audit.cloudWatchLogs: true');
    expect(r.requests).toEqual([]);
  });
});

describe('audit --source trail from S3', () => {
  const END = new Date('2026-03-10T12:00:00Z');
  const START = new Date(END.getTime() - 24 * 3_600_000);

  test("lists the window's day partitions, downloads each file once into the cache, and equals the truth", async () => {
    // 60 calls a window, delivered hourly (a file may hold records of any time before its delivery): 53 files in the
    // window's partitions (each one PutObject here and one GetObject in the run), 66 in all; 133 and 149 at
    // CloudTrail's usual 5 minutes, for the same records and truth.
    const corpus = cloudTrailCorpus({
      account: ACCOUNT,
      region: REGION,
      start: START,
      end: END,
      calls: 60,
      deliveryMinutes: 60,
    });
    // What the comparison with the truth covers, from the corpus: several principals, new and known, refused calls.
    const truth = Object.values(corpus.truth);
    expect(truth.length).toBeGreaterThan(3);
    expect(new Set(truth.map((t) => t.new))).toEqual(new Set([true, false]));
    expect(truth.some((t) => t.accessDenied > 0)).toBe(true);
    const { s3 } = aws();
    await s3.send(new CreateBucketCommand({ Bucket: 'trail-archive' }));
    await mapLimit(corpus.files, 8, (f) =>
      s3.send(new PutObjectCommand({ Bucket: 'trail-archive', Key: `audit/${f.key}`, Body: f.body })),
    );
    const env = { XDG_CACHE_HOME: emptyDir() };
    const args = ['audit', '--logs', 's3://trail-archive/audit', '--hours', '24', '--by', 'role', '--json'];
    const first = await cli(args, { env, now: END });
    expect(first.code).toBe(0);
    const data = first.json();
    const rows = Object.fromEntries(
      data.rows.map((r: { role: string; calls: number; accessDenied: number; new: boolean }) => [
        r.role,
        [r.calls, r.accessDenied, r.new],
      ]),
    );
    expect(rows).toEqual(
      Object.fromEntries(Object.entries(corpus.truth).map(([p, t]) => [p, [t.calls, t.accessDenied, t.new]])),
    );
    expect(data.source).toMatchObject({ kind: 'trail', location: `s3://trail-archive/audit/AWSLogs/${ACCOUNT}/` });
    const lists = first.requests.filter((q) => q.operation === 'ListObjectsV2');
    const gets = first.requests.filter((q) => q.operation === 'GetObject').length;
    // Day partitions only: the previous window, the window and the day after (4 here), plus finding the account.
    expect(lists.length).toBeLessThanOrEqual(5);
    const inPartitions = corpus.files.filter((f) =>
      /CloudTrail\/us-east-1\/2026\/03\/(08|09|10|11)\//.test(f.key),
    ).length;
    expect(gets).toBe(inPartitions);
    expect(data.source.files).toBe(inPartitions);

    const second = await cli(args, { env, now: END });
    expect(second.json().rows).toEqual(data.rows);
    expect(second.requests.filter((q) => q.operation === 'GetObject')).toEqual([]);
  });

  test("no --logs: the tool's bucket under audit.s3KeyPrefix; nothing there is a clear error (exit 2)", async () => {
    const cwd = configDir();
    await aws().s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const r = await cli(['audit', '--source', 'trail'], { cwd, env: { XDG_CACHE_HOME: emptyDir() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`no CloudTrail files for account ${ACCOUNT} under s3://${BUCKET}/cloudtrail/AWSLogs/`);
  });
});
