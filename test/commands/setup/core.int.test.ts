import { beforeEach, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
  DeleteRolePolicyCommand,
  UntagRoleCommand,
} from '@aws-sdk/client-iam';
import {
  DeleteBucketPolicyCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  GetBucketLocationCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  CreateBucketCommand,
} from '@aws-sdk/client-s3';
import {
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { CreateKeyCommand } from '@aws-sdk/client-kms';
import { cliFor, emptyDir, fromSnapshot, useMoto } from '../../support/cli.js';
import { ACCOUNT, sdk } from '../../support/aws.js';

const emulator = useMoto();
const REGION = 'eu-west-1';
const cli = cliFor(() => emulator().url, REGION);
const aws = () => sdk(emulator().url, REGION);
const ROLE = `BedrockCloudWatchLoggingRole-${REGION}`;
const BUCKET = `bedrock-logs-${ACCOUNT}-${REGION}`;
const LOG_GROUP = '/aws/bedrock/modelinvocations';
const STEPS = ['setup-iam', 'create-bucket', 'create-log-group', 'enable-logging'];
/** status also covers the dashboard and alarms (issue #3): a clean status needs them too. */
const ALL_STEPS = [...STEPS, 'dashboard', 'alarms'];

/**
 * A converged account, in one run: setup-all runs the very steps (lifecycle.int.test.ts checks it
 * creates what the single steps create), in one process instead of six.
 */
async function setupAll(): Promise<void> {
  const r = await cli(['setup-all', '--yes']);
  expect(r.code).toBe(0);
}

describe('on an empty account', () => {
  test('status lists every core resource as missing and exits 3', async () => {
    const r = await cli(['status', '--json']);
    expect(r.code).toBe(3);
    const rows = r.json().rows as { resource: string; status: string }[];
    expect(
      rows
        .filter((x) => ['iam-role', 's3-bucket', 'log-group', 'logging-config'].includes(x.resource))
        .map((x) => x.status),
    ).toEqual(['missing', 'missing', 'missing', 'missing']);
    expect(r.writes).toEqual([]);
  });

  test('the four steps create everything, in the AWS-documented shapes', async () => {
    for (const step of STEPS) {
      const r = await cli([step, '--json']);
      expect(r.code).toBe(0);
      expect(r.json().outcomes.map((o: { action: string }) => o.action)).toEqual(['created']);
    }
    const { iam, s3, logs, bedrock } = aws();

    const role = await iam.send(new GetRoleCommand({ RoleName: ROLE }));
    expect(JSON.parse(decodeURIComponent(role.Role!.AssumeRolePolicyDocument!))).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { Service: 'bedrock.amazonaws.com' },
          Action: 'sts:AssumeRole',
          Condition: {
            StringEquals: { 'aws:SourceAccount': ACCOUNT },
            ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${REGION}:${ACCOUNT}:*` },
          },
        },
      ],
    });
    expect(role.Role!.Tags).toContainEqual({ Key: 'ManagedBy', Value: 'bedrock-monitor' });
    const inline = await iam.send(
      new GetRolePolicyCommand({ RoleName: ROLE, PolicyName: 'BedrockMonitorLogDelivery' }),
    );
    const perms = JSON.parse(decodeURIComponent(inline.PolicyDocument!));
    expect(perms.Statement).toEqual([
      {
        Sid: 'BedrockInvocationLogsToCloudWatch',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}:log-stream:aws/bedrock/modelinvocations`,
      },
    ]);

    const B = { Bucket: BUCKET };
    expect((await s3.send(new GetBucketLocationCommand(B))).LocationConstraint).toBe(REGION);
    expect(
      (await s3.send(new GetBucketOwnershipControlsCommand(B))).OwnershipControls?.Rules?.[0]?.ObjectOwnership,
    ).toBe('BucketOwnerEnforced');
    expect((await s3.send(new GetPublicAccessBlockCommand(B))).PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(
      (await s3.send(new GetBucketEncryptionCommand(B))).ServerSideEncryptionConfiguration?.Rules?.[0]
        ?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm,
    ).toBe('AES256');
    expect((await s3.send(new GetBucketVersioningCommand(B))).Status).toBe('Enabled');
    const rules = (await s3.send(new GetBucketLifecycleConfigurationCommand(B))).Rules!;
    expect(rules).toHaveLength(1);
    expect(rules[0]).toMatchObject({
      ID: 'bedrock-monitor-log-retention',
      Status: 'Enabled',
      Expiration: { Days: 90 },
      NoncurrentVersionExpiration: { NoncurrentDays: 30 },
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    });
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand(B))).Policy!);
    expect(policy.Statement).toEqual([
      {
        Sid: 'AmazonBedrockLogsWrite',
        Effect: 'Allow',
        Principal: { Service: 'bedrock.amazonaws.com' },
        Action: ['s3:PutObject'],
        Resource: [`arn:aws:s3:::${BUCKET}/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/*`],
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${REGION}:${ACCOUNT}:*` },
        },
      },
      {
        Sid: 'DenyInsecureTransport',
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ]);
    expect((await s3.send(new GetBucketTaggingCommand(B))).TagSet).toContainEqual({
      Key: 'ManagedBy',
      Value: 'bedrock-monitor',
    });

    const groups = (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: LOG_GROUP }))).logGroups!;
    expect(groups.map((g) => [g.logGroupName, g.retentionInDays])).toEqual([[LOG_GROUP, 30]]);
    const tags = await logs.send(
      new ListTagsForResourceCommand({ resourceArn: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}` }),
    );
    expect(tags.tags).toEqual({ ManagedBy: 'bedrock-monitor' });

    const logging = await bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
    expect(logging.loggingConfig).toEqual({
      cloudWatchConfig: { logGroupName: LOG_GROUP, roleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` },
      s3Config: { bucketName: BUCKET, keyPrefix: '' },
      textDataDeliveryEnabled: true,
      imageDataDeliveryEnabled: false,
      embeddingDataDeliveryEnabled: false,
      videoDataDeliveryEnabled: false,
      audioDataDeliveryEnabled: false,
    });

    const status = await cli(['status', '--json']);
    const core = status
      .json()
      .rows.filter((r: { resource: string }) =>
        ['iam-role', 's3-bucket', 'log-group', 'logging-config'].includes(r.resource),
      );
    expect(core.map((r: { status: string }) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });
});

describe('on a converged account', () => {
  // setup-all runs once; later tests start from a copy of the emulator's state after it.
  beforeEach(fromSnapshot(emulator, 'converged', setupAll));

  test.each(STEPS)('a second run of %s makes no write request and reports unchanged', async (step) => {
    const r = await cli([step, '--json']);
    expect(r.code).toBe(0);
    expect(r.writes).toEqual([]);
    expect(r.json().outcomes.map((o: { action: string }) => o.action)).toEqual(['unchanged']);
  });

  type Drift = {
    what: string;
    tamper: (a: ReturnType<typeof aws>) => Promise<unknown>;
    resource: string;
    field: string;
    step: string;
    args?: string[];
  };
  const drifts: Drift[] = [
    {
      what: 'log retention',
      resource: 'log-group',
      field: 'retentionInDays',
      step: 'create-log-group',
      tamper: (a) => a.logs.send(new PutRetentionPolicyCommand({ logGroupName: LOG_GROUP, retentionInDays: 7 })),
    },
    {
      what: 'deleted log group',
      resource: 'log-group',
      field: '',
      step: 'create-log-group',
      tamper: (a) => a.logs.send(new DeleteLogGroupCommand({ logGroupName: LOG_GROUP })),
    },
    {
      what: 'versioning suspended',
      resource: 's3-bucket',
      field: 'versioning',
      step: 'create-bucket',
      tamper: (a) =>
        a.s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Suspended' } })),
    },
    {
      what: 'lifecycle days changed',
      resource: 's3-bucket',
      field: 'lifecycle[bedrock-monitor-log-retention]',
      step: 'create-bucket',
      tamper: (a) =>
        a.s3.send(
          new PutBucketLifecycleConfigurationCommand({
            Bucket: BUCKET,
            LifecycleConfiguration: {
              Rules: [
                {
                  ID: 'bedrock-monitor-log-retention',
                  Status: 'Enabled',
                  Filter: { Prefix: '' },
                  Expiration: { Days: 5 },
                },
              ],
            },
          }),
        ),
    },
    {
      what: 'public access block off',
      resource: 's3-bucket',
      field: 'publicAccessBlock',
      step: 'create-bucket',
      tamper: (a) =>
        a.s3.send(
          new PutPublicAccessBlockCommand({
            Bucket: BUCKET,
            PublicAccessBlockConfiguration: {
              BlockPublicAcls: false,
              IgnorePublicAcls: true,
              BlockPublicPolicy: true,
              RestrictPublicBuckets: true,
            },
          }),
        ),
    },
    {
      what: 'encryption changed',
      resource: 's3-bucket',
      field: 'encryption',
      step: 'create-bucket',
      tamper: (a) =>
        a.s3.send(
          new PutBucketEncryptionCommand({
            Bucket: BUCKET,
            ServerSideEncryptionConfiguration: {
              Rules: [
                { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'alias/other' } },
              ],
            },
          }),
        ),
    },
    {
      what: 'bucket policy deleted',
      resource: 's3-bucket',
      field: 'policy',
      step: 'create-bucket',
      tamper: (a) => a.s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET })),
    },
    {
      what: 'trust policy changed',
      resource: 'iam-role',
      field: 'trustPolicy',
      step: 'setup-iam',
      tamper: (a) =>
        a.iam.send(
          new UpdateAssumeRolePolicyCommand({
            RoleName: ROLE,
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [
                { Effect: 'Allow', Principal: { Service: 'bedrock.amazonaws.com' }, Action: 'sts:AssumeRole' },
              ],
            }),
          }),
        ),
    },
    {
      what: 'inline policy widened',
      resource: 'iam-role',
      field: 'inlinePolicy',
      step: 'setup-iam',
      tamper: (a) =>
        a.iam.send(
          new PutRolePolicyCommand({
            RoleName: ROLE,
            PolicyName: 'BedrockMonitorLogDelivery',
            PolicyDocument: JSON.stringify({
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }],
            }),
          }),
        ),
    },
    {
      what: 'inline policy deleted',
      resource: 'iam-role',
      field: 'inlinePolicy',
      step: 'setup-iam',
      tamper: (a) =>
        a.iam.send(new DeleteRolePolicyCommand({ RoleName: ROLE, PolicyName: 'BedrockMonitorLogDelivery' })),
    },
    // Without its tag the role no longer counts as the tool's: only --force re-adopts it.
    {
      what: 'role tag removed',
      resource: 'iam-role',
      field: 'tags.ManagedBy',
      step: 'setup-iam',
      args: ['--force'],
      tamper: (a) => a.iam.send(new UntagRoleCommand({ RoleName: ROLE, TagKeys: ['ManagedBy'] })),
    },
    {
      what: 'logging flags changed',
      resource: 'logging-config',
      field: 'imageDataDeliveryEnabled',
      step: 'enable-logging',
      tamper: (a) =>
        a.bedrock.send(
          new PutModelInvocationLoggingConfigurationCommand({
            loggingConfig: {
              cloudWatchConfig: { logGroupName: LOG_GROUP, roleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` },
              s3Config: { bucketName: BUCKET, keyPrefix: '' },
              textDataDeliveryEnabled: true,
              imageDataDeliveryEnabled: true,
              embeddingDataDeliveryEnabled: false,
              videoDataDeliveryEnabled: false,
            },
          }),
        ),
    },
    {
      // A re-put that omits a flag turns it off: the tool reads and writes audio like the others.
      what: 'audio delivery switched on by hand',
      resource: 'logging-config',
      field: 'audioDataDeliveryEnabled',
      step: 'enable-logging',
      tamper: (a) =>
        a.bedrock.send(
          new PutModelInvocationLoggingConfigurationCommand({
            loggingConfig: {
              cloudWatchConfig: { logGroupName: LOG_GROUP, roleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` },
              s3Config: { bucketName: BUCKET, keyPrefix: '' },
              textDataDeliveryEnabled: true,
              imageDataDeliveryEnabled: false,
              embeddingDataDeliveryEnabled: false,
              videoDataDeliveryEnabled: false,
              audioDataDeliveryEnabled: true,
            },
          }),
        ),
    },
    {
      what: 'S3 destination dropped',
      resource: 'logging-config',
      field: 's3Config',
      step: 'enable-logging',
      tamper: (a) =>
        a.bedrock.send(
          new PutModelInvocationLoggingConfigurationCommand({
            loggingConfig: {
              cloudWatchConfig: { logGroupName: LOG_GROUP, roleArn: `arn:aws:iam::${ACCOUNT}:role/${ROLE}` },
              textDataDeliveryEnabled: true,
            },
          }),
        ),
    },
  ];

  test.each(drifts)('$what is reported by status and repaired by $step', async (d) => {
    await d.tamper(aws());
    const before = await cli(['status', '--json']);
    expect(before.code).toBe(3);
    const row = before.json().rows.find((x: { resource: string }) => x.resource === d.resource);
    if (d.field) {
      expect(row.status).toBe('drifted');
      expect(row.changes.map((c: { field: string }) => c.field)).toContain(d.field);
    } else {
      expect(row.status).toBe('missing');
    }
    expect(before.writes).toEqual([]);

    const repair = await cli([d.step, ...(d.args ?? [])]);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toMatch(d.field ? /updated/ : /created/);
    if (d.field) expect(repair.stdout).toContain(`${d.field}:`);

    const after = await cli(['status']);
    expect(after.code).toBe(0);
  });

  test('bucket-policy statements and lifecycle rules the tool does not own are kept', async () => {
    const { s3 } = aws();
    const foreignStatement = {
      Sid: 'AuditorRead',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111122223333:root' },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    };
    const current = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!);
    // Someone adds their statement and drops ours; someone adds a rule and changes ours.
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            foreignStatement,
            current.Statement.find((s: { Sid: string }) => s.Sid === 'DenyInsecureTransport'),
          ],
        }),
      }),
    );
    const foreignRule = {
      ID: 'team-archive',
      Status: 'Enabled' as const,
      Filter: { Prefix: 'archive/' },
      Expiration: { Days: 400 },
    };
    await s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: BUCKET,
        LifecycleConfiguration: {
          Rules: [
            foreignRule,
            {
              ID: 'bedrock-monitor-log-retention',
              Status: 'Disabled',
              Filter: { Prefix: '' },
              Expiration: { Days: 90 },
            },
          ],
        },
      }),
    );
    const repair = await cli(['create-bucket', '--json']);
    expect(repair.code).toBe(0);
    expect(
      repair
        .json()
        .outcomes[0].changes.map((c: { field: string }) => c.field)
        .sort(),
    ).toEqual(['lifecycle[bedrock-monitor-log-retention]', 'policy']);

    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!);
    expect(policy.Statement.map((s: { Sid: string }) => s.Sid).sort()).toEqual([
      'AmazonBedrockLogsWrite',
      'AuditorRead',
      'DenyInsecureTransport',
    ]);
    expect(policy.Statement.find((s: { Sid: string }) => s.Sid === 'AuditorRead')).toEqual(foreignStatement);
    const rules = (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: BUCKET }))).Rules!;
    expect(rules.map((r) => r.ID).sort()).toEqual(['bedrock-monitor-log-retention', 'team-archive']);
    expect(rules.find((r) => r.ID === 'team-archive')).toMatchObject({
      Filter: { Prefix: 'archive/' },
      Expiration: { Days: 400 },
    });
    expect((await cli(['status'])).code).toBe(0);
  });

  test('statement order and single-vs-array forms are not drift', async () => {
    const { iam } = aws();
    await iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: ROLE,
        PolicyDocument: JSON.stringify({
          Statement: [
            {
              Condition: {
                ArnLike: { 'aws:SourceArn': [`arn:aws:bedrock:${REGION}:${ACCOUNT}:*`] },
                StringEquals: { 'aws:SourceAccount': [ACCOUNT] },
              },
              Action: ['sts:AssumeRole'],
              Principal: { Service: ['bedrock.amazonaws.com'] },
              Effect: 'Allow',
            },
          ],
          Version: '2012-10-17',
        }),
      }),
    );
    const r = await cli(['setup-iam', '--json']);
    expect(r.json().outcomes[0].action).toBe('unchanged');
    expect(r.writes).toEqual([]);
  });

  test('a changed flag is applied by the step that owns it, and only that attribute is written', async () => {
    const r = await cli(['create-log-group', '--retention-days', '90', '--json']);
    expect(r.code).toBe(0);
    expect(r.json().outcomes[0]).toEqual({
      resource: 'log-group',
      name: LOG_GROUP,
      action: 'updated',
      changes: [{ field: 'retentionInDays', from: 30, to: 90 }],
    });
    expect(r.writes.map((w) => w.operation)).toEqual(['PutRetentionPolicy']);
  });
});

describe('resources the tool does not own', () => {
  test('a same-named role without the ManagedBy tag is not changed without --force; --force adopts it', async () => {
    const { iam } = aws();
    const theirs = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    await iam.send(new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: theirs }));

    const refused = await cli(['setup-iam']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`iam-role ${ROLE} exists but is not tagged ManagedBy=bedrock-monitor`);
    expect(refused.stderr).toContain('--force');
    expect(refused.writes).toEqual([]);
    expect(
      JSON.parse(
        decodeURIComponent((await iam.send(new GetRoleCommand({ RoleName: ROLE }))).Role!.AssumeRolePolicyDocument!),
      ),
    ).toEqual(JSON.parse(theirs));

    const dry = await cli(['setup-iam', '--dry-run', '--json']);
    expect(dry.json().outcomes[0]).toMatchObject({
      action: 'would-update',
      note: 'exists but is not tagged ManagedBy=bedrock-monitor: needs --force',
    });

    const adopted = await cli(['setup-iam', '--force', '--json']);
    expect(adopted.code).toBe(0);
    expect(adopted.json().outcomes[0].changes.map((c: { field: string }) => c.field)).toEqual([
      'trustPolicy',
      'inlinePolicy',
      'tags.ManagedBy',
    ]);
    expect((await cli(['setup-iam', '--json'])).json().outcomes[0].action).toBe('unchanged');
  });

  test('a same-named untagged bucket keeps its settings without --force', async () => {
    const { s3 } = aws();
    await s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    const refused = await cli(['create-bucket']);
    expect(refused.code).toBe(2);
    expect(refused.writes).toEqual([]);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBeUndefined();
    expect((await cli(['create-bucket', '--force'])).code).toBe(0);
    expect((await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }))).Status).toBe('Enabled');
  });
});

describe('--dry-run', () => {
  test('on an empty account plans every creation with no write request', async () => {
    for (const step of ['setup-iam', 'create-bucket', 'create-log-group']) {
      const r = await cli([step, '--dry-run']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^would-create/);
      expect(r.writes).toEqual([]);
    }
    expect((await cli(['status'])).code).toBe(3);
  });

  test('on a drifted resource prints the change and leaves it drifted', async () => {
    await setupAll();
    await aws().logs.send(new PutRetentionPolicyCommand({ logGroupName: LOG_GROUP, retentionInDays: 7 }));
    const r = await cli(['create-log-group', '--dry-run']);
    expect(r.stdout).toContain('would-update');
    expect(r.stdout).toContain('retentionInDays: 7 → 30');
    expect(r.writes).toEqual([]);
    expect((await cli(['status'])).code).toBe(3);
  });
});

describe('enable-logging', () => {
  test('names the step to run when a prerequisite is missing (exit 1)', async () => {
    await cli(['setup-iam']);
    const r = await cli(['enable-logging']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('run `bedrock-monitor create-log-group`');
    expect(r.stderr).toContain('run `bedrock-monitor create-bucket`');
    expect(r.writes).toEqual([]);
  });

  test('refuses to replace a configuration pointing elsewhere (exit 2) unless --force', async () => {
    await setupAll();
    const foreign = {
      cloudWatchConfig: { logGroupName: '/team/other', roleArn: `arn:aws:iam::${ACCOUNT}:role/Other` },
      textDataDeliveryEnabled: true,
    };
    await aws().bedrock.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: foreign }));
    const refused = await cli(['enable-logging']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('/team/other');
    expect(refused.stderr).toContain('--force');
    expect(refused.writes).toEqual([]);
    const json = await cli(['enable-logging', '--json']);
    expect(json.json().error.details.current.cloudWatchConfig.logGroupName).toBe('/team/other');

    const forced = await cli(['enable-logging', '--force']);
    expect(forced.code).toBe(0);
    const after = await aws().bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
    expect(after.loggingConfig?.cloudWatchConfig?.logGroupName).toBe(LOG_GROUP);
  });

  test('--destinations cloudwatch needs no bucket and configures CloudWatch only', async () => {
    await cli(['setup-iam']);
    await cli(['create-log-group']);
    const r = await cli(['enable-logging', '--destinations', 'cloudwatch']);
    expect(r.code).toBe(0);
    const after = await aws().bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}));
    expect(after.loggingConfig?.s3Config).toBeUndefined();
    expect(after.loggingConfig?.cloudWatchConfig?.logGroupName).toBe(LOG_GROUP);
  });
});

describe('config file', () => {
  test('names and settings come from bedrock-monitor.config.json, flags win over it', async () => {
    const dir = emptyDir();
    writeFileSync(
      join(dir, 'bedrock-monitor.config.json'),
      JSON.stringify({
        roleName: 'TeamBedrockLogs',
        bucketName: 'team-bedrock-logs-eu',
        logGroupName: '/team/bedrock',
        logRetentionDays: 14,
        bucketExpirationDays: 30,
        logging: { s3KeyPrefix: 'bedrock', destinations: ['s3'] },
      }),
    );
    for (const step of ALL_STEPS) expect((await cli([step], { cwd: dir })).code).toBe(0);
    const { s3, logs, bedrock, iam } = aws();
    expect((await iam.send(new GetRoleCommand({ RoleName: 'TeamBedrockLogs' }))).Role).toBeDefined();
    expect(
      (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/team/bedrock' }))).logGroups?.[0]
        ?.retentionInDays,
    ).toBe(14);
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: 'team-bedrock-logs-eu' }))).Policy!);
    expect(policy.Statement[0].Resource).toEqual([
      `arn:aws:s3:::team-bedrock-logs-eu/bedrock/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/*`,
    ]);
    expect(
      (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'team-bedrock-logs-eu' }))).Rules?.[0]
        ?.Expiration?.Days,
    ).toBe(30);
    expect((await bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig).toMatchObject({
      s3Config: { bucketName: 'team-bedrock-logs-eu', keyPrefix: 'bedrock' },
    });
    expect((await cli(['status'], { cwd: dir })).code).toBe(0);
    const flag = await cli(['create-log-group', '--retention-days', '60', '--json'], { cwd: dir });
    expect(flag.json().outcomes[0].changes).toEqual([{ field: 'retentionInDays', from: 14, to: 60 }]);
  });

  test(
    'large-data delivery and KMS keys: the role and the bucket ' + 'policy cover only the large-data prefix',
    async () => {
      const dir = emptyDir();
      const bucketKey = (await aws().kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
      const logKey = `arn:aws:kms:${REGION}:${ACCOUNT}:key/66666666-7777-8888-9999-000000000000`;
      writeFileSync(
        join(dir, 'bedrock-monitor.config.json'),
        JSON.stringify({
          kmsKeyId: bucketKey,
          logGroupKmsKeyArn: logKey,
          logging: { largeDataS3KeyPrefix: 'large-data' },
        }),
      );
      for (const step of STEPS) expect((await cli([step], { cwd: dir })).code).toBe(0);
      const { iam, s3, logs, bedrock } = aws();
      const perms = JSON.parse(
        decodeURIComponent(
          (await iam.send(new GetRolePolicyCommand({ RoleName: ROLE, PolicyName: 'BedrockMonitorLogDelivery' })))
            .PolicyDocument!,
        ),
      );
      expect(perms.Statement[1]).toEqual({
        Sid: 'BedrockLargeInvocationDataToS3',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${BUCKET}/large-data/*`,
      });
      expect(
        (await bedrock.send(new GetModelInvocationLoggingConfigurationCommand({}))).loggingConfig?.cloudWatchConfig
          ?.largeDataDeliveryS3Config,
      ).toEqual({ bucketName: BUCKET, keyPrefix: 'large-data' });
      // The bucket policy grants Bedrock the large-data prefix under its own Sid, with the documented conditions.
      const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!);
      expect(policy.Statement.find((st: { Sid: string }) => st.Sid === 'AmazonBedrockLargeDataWrite')).toEqual({
        Sid: 'AmazonBedrockLargeDataWrite',
        Effect: 'Allow',
        Principal: { Service: 'bedrock.amazonaws.com' },
        Action: ['s3:PutObject'],
        Resource: [`arn:aws:s3:::${BUCKET}/large-data/*`],
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${REGION}:${ACCOUNT}:*` },
        },
      });
      const sse = (await s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET }))).ServerSideEncryptionConfiguration
        ?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
      expect(sse).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: bucketKey });
      expect(
        (await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: LOG_GROUP }))).logGroups?.[0]?.kmsKeyId,
      ).toBe(logKey);
      const again = await cli(['status', '--json'], { cwd: dir });
      const core = again
        .json()
        .rows.filter((r: { resource: string }) =>
          ['iam-role', 's3-bucket', 'log-group', 'logging-config'].includes(r.resource),
        );
      expect(core.map((r: { status: string }) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok']);

      // Large data switched off: the statement goes, the others stay.
      writeFileSync(
        join(dir, 'bedrock-monitor.config.json'),
        JSON.stringify({ kmsKeyId: bucketKey, logGroupKmsKeyArn: logKey }),
      );
      expect((await cli(['create-bucket'], { cwd: dir })).code).toBe(0);
      const after = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy!);
      expect(after.Statement.map((st: { Sid: string }) => st.Sid).sort()).toEqual([
        'AmazonBedrockLogsWrite',
        'DenyInsecureTransport',
      ]);
    },
  );

  test('a bucket in another Region is refused with a clear message', async () => {
    await sdk(emulator().url, 'eu-west-3').s3.send(
      new CreateBucketCommand({
        Bucket: 'logs-in-paris',
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-3' },
      }),
    );
    const r = await cli(['create-bucket', '--bucket-name', 'logs-in-paris']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is in eu-west-3');
  });
});

describe('invalid input exits 2 with one line naming the problem, and makes no AWS request', () => {
  const cases: [string, string[], Record<string, string>, RegExp][] = [
    ['bad --region', ['status', '--region', 'moon-1'], {}, /--region/],
    ['bad AWS_REGION', ['status'], { AWS_REGION: 'nowhere' }, /AWS_REGION/],
    ['no Region at all', ['status'], { AWS_REGION: '' }, /No AWS Region/],
    ['retention CloudWatch rejects', ['create-log-group', '--retention-days', '8'], {}, /--retention-days/],
    ['non-numeric retention', ['create-log-group', '--retention-days', 'abc'], {}, /--retention-days/],
    ['bad bucket name', ['create-bucket', '--bucket-name', 'Bad_Bucket'], {}, /--bucket-name/],
    ['negative days', ['create-bucket', '--expiration-days', '-5'], {}, /--expiration-days/],
    ['zero days', ['create-bucket', '--expiration-days', '0'], {}, /--expiration-days/],
    ['bad destinations', ['enable-logging', '--destinations', 'cloudwatch,kinesis'], {}, /--destinations/],
    ['bad role name', ['setup-iam', '--role-name', 'has space'], {}, /--role-name/],
    ['bad endpoint', ['status', '--endpoint-url', 'not a url'], {}, /--endpoint-url/],
    ['unknown option', ['status', '--frobnicate'], {}, /frobnicate/],
    ['unknown command', ['frobnicate'], {}, /frobnicate/],
    ['missing config file', ['status', '--config', '/nonexistent/x.json'], {}, /--config/],
  ];
  test.each(cases)('%s', async (_name, args, env, message) => {
    const r = await cli(args, { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')[0]).toMatch(/^error/);
    expect(r.requests).toEqual([]);
  });

  const badConfigs: [string, unknown, RegExp][] = [
    ['unknown key', { retentionDays: 30 }, /unknown key "retentionDays"/],
    ['unknown nested key', { logging: { destination: ['s3'] } }, /unknown key "logging.destination"/],
    ['bad retention', { logRetentionDays: 8 }, /"logRetentionDays"/],
    ['negative days', { bucketExpirationDays: -1 }, /"bucketExpirationDays"/],
    ['bad bucket name', { bucketName: 'UPPER' }, /"bucketName"/],
    ['bad region', { region: 'mars-1' }, /"region"/],
    ['bad destination', { logging: { destinations: ['kinesis'] } }, /"logging.destinations\[0\]"/],
  ];
  test.each(badConfigs)('config file with %s', async (_name, config, message) => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify(config));
    const r = await cli(['status'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.requests).toEqual([]);
  });

  test('invalid JSON in the config file', async () => {
    const dir = emptyDir();
    writeFileSync(join(dir, 'bedrock-monitor.config.json'), '{ "region": ');
    const r = await cli(['status'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not valid JSON/);
    expect(r.requests).toEqual([]);
  });
});
