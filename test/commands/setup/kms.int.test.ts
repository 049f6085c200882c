import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetBucketEncryptionCommand } from '@aws-sdk/client-s3';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  GetKeyPolicyCommand,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import { cliFor, emptyDir, useMoto } from '../../support/cli.js';
import { ACCOUNT, sdk } from '../../support/aws.js';
import { schemaIssues, StepDocSchema } from '../../support/schemas.js';

/**
 * The bucket's KMS key. S3's API reference: "If you are using encryption with cross-account or
 * Amazon Web Services service operations, you must use a fully qualified KMS key ARN"
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html); Bedrock's
 * user guide gives the key-policy statement an SSE-KMS log bucket needs
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html).
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const aws = () => sdk(emulator().url, REGION);
const BUCKET = `bedrock-logs-${ACCOUNT}-${REGION}`;

function withKey(kmsKeyId: string, extra: Record<string, unknown> = {}): string {
  const dir = emptyDir();
  writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify({ kmsKeyId, ...extra }));
  return dir;
}

/** The KMSMasterKeyID of every PutBucketEncryption the run sent. */
function sentKeys(r: Awaited<ReturnType<typeof cli>>): unknown[] {
  return r.writes
    .filter((w) => w.operation === 'PutBucketEncryption')
    .map(
      (w) =>
        (
          w.input as {
            ServerSideEncryptionConfiguration: {
              Rules: { ApplyServerSideEncryptionByDefault: { KMSMasterKeyID?: string } }[];
            };
          }
        ).ServerSideEncryptionConfiguration.Rules[0]?.ApplyServerSideEncryptionByDefault.KMSMasterKeyID,
    );
}

/** The statement AWS documents for an SSE-KMS log bucket (Bedrock user guide, model invocation logging). */
const documented = {
  Effect: 'Allow',
  Principal: { Service: 'bedrock.amazonaws.com' },
  Action: 'kms:GenerateDataKey',
  Resource: '*',
  Condition: {
    StringEquals: { 'aws:SourceAccount': ACCOUNT },
    ArnLike: { 'aws:SourceArn': `arn:aws:bedrock:${REGION}:${ACCOUNT}:*` },
  },
};

describe('kmsKeyId is always written as the key ARN', () => {
  test('a bare key ID reaches PutBucketEncryption only as the full key ARN', async () => {
    const key = (await aws().kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    expect(key.Arn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${key.KeyId}`);
    const r = await cli(['create-bucket', '--json'], { cwd: withKey(key.KeyId!) });
    expect(r.code).toBe(0);
    expect(sentKeys(r)).toEqual([key.Arn]);
    const sse = (await aws().s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET })))
      .ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    expect(sse).toEqual({ SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.Arn });
    // Converged: the ARN read back equals the resolved one.
    expect((await cli(['create-bucket', '--json'], { cwd: withKey(key.KeyId!) })).writes).toEqual([]);
  });

  test('an alias is resolved to the ARN of the key it points at', async () => {
    const key = (await aws().kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await aws().kms.send(new CreateAliasCommand({ AliasName: 'alias/bedrock-logs', TargetKeyId: key.KeyId }));
    const r = await cli(['setup-all', '--yes'], { cwd: withKey('alias/bedrock-logs') });
    expect(r.code).toBe(0);
    expect(sentKeys(r)).toEqual([key.Arn]);
    expect(r.requests.filter((q) => q.operation === 'DescribeKey')).toHaveLength(1);
  });

  test.each([
    [
      'an unknown key ID',
      '1234abcd-12ab-34cd-56ef-1234567890ab',
      /kmsKeyId "1234abcd-12ab-34cd-56ef-1234567890ab" is not a KMS key in us-east-1/,
    ],
    ['an unknown alias', 'alias/nope', /kmsKeyId "alias\/nope" is not a KMS key in us-east-1/],
  ])('%s is refused with exit 2 before any write, by setup-all too', async (_n, id, message) => {
    for (const args of [['create-bucket'], ['setup-all', '--yes']]) {
      const r = await cli(args, { cwd: withKey(id) });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.writes).toEqual([]);
    }
  });

  test('a disabled key is refused with exit 2', async () => {
    const key = (await aws().kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    await aws().kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    const r = await cli(['create-bucket'], { cwd: withKey(key.Arn!) });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is Disabled, not Enabled');
    expect(r.writes).toEqual([]);
  });
});

describe('the key policy', () => {
  test(
    'without the Bedrock statement: create-bucket prints the exact statement, status reports it (exit 3); ' +
      'never edited',
    async () => {
      const { kms } = aws();
      const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
      const before = (await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy;
      const dir = withKey(key.KeyId!);
      const r = await cli(['create-bucket', '--json'], { cwd: dir });
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`the key policy of ${key.Arn} does not let Amazon Bedrock use the key`);
      const printed = JSON.parse(r.stderr.slice(r.stderr.indexOf('{'), r.stderr.lastIndexOf('}') + 1));
      expect(printed).toEqual({ Sid: 'AllowBedrockModelInvocationLogging', ...documented });
      expect(r.json().outcomes.find((o: { resource: string }) => o.resource === 'kms-key-policy')).toMatchObject({
        name: key.Arn,
        action: 'skipped',
      });
      // The warning is data too: in the document, once, as printed.
      expect(r.json().warnings).toEqual([expect.stringContaining(`the key policy of ${key.Arn} does not let`)]);
      expect(schemaIssues(StepDocSchema, r.json())).toEqual([]);
      expect(r.writes.some((w) => w.service === 'KMS')).toBe(false);
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy).toBe(
        before,
      );

      const status = await cli(['status', '--json'], { cwd: dir });
      expect(status.code).toBe(3);
      expect(status.json().rows.find((x: { resource: string }) => x.resource === 'kms-key-policy')).toMatchObject({
        name: key.Arn,
        status: 'drifted',
        changes: [{ field: 'statement[AllowBedrockModelInvocationLogging]', from: null }],
        // A person adds the statement: no command repairs it, and an interactive setup-all does not count it.
        manual: true,
        repair: null,
      });

      // The owner adds the documented statement (without a Sid): status is satisfied.
      const policy = JSON.parse(before!);
      policy.Statement.push(documented);
      await kms.send(
        new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: JSON.stringify(policy) }),
      );
      const fixed = await cli(['status', '--json'], { cwd: dir });
      expect(fixed.json().rows.find((x: { resource: string }) => x.resource === 'kms-key-policy')).toMatchObject({
        status: 'ok',
      });
      expect((await cli(['create-bucket'], { cwd: dir })).stderr).not.toContain('key policy');
    },
  );

  test('a statement for another account, or with a condition the tool cannot vouch for, does not count', async () => {
    const { kms } = aws();
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const policy = JSON.parse(
      (await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy!,
    );
    policy.Statement.push(
      { ...documented, Condition: { StringEquals: { 'aws:SourceAccount': '999999999999' } } },
      { ...documented, Condition: { ...documented.Condition, IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      { ...documented, Action: 'kms:Decrypt', Condition: undefined },
    );
    await kms.send(
      new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: JSON.stringify(policy) }),
    );
    const r = await cli(['status', '--json'], { cwd: withKey(key.Arn!) });
    expect(r.json().rows.find((x: { resource: string }) => x.resource === 'kms-key-policy')).toMatchObject({
      status: 'drifted',
    });
  });

  // A trail writing to an SSE-KMS bucket needs the key too: "Granting encrypt permissions for trails"
  // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail-encrypt.html):
  // cloudtrail.amazonaws.com kms:GenerateDataKey*, conditioned on aws:SourceArn and the
  // kms:EncryptionContext:aws:cloudtrail:arn of the trail.
  test('with the audit trail on, the CloudTrail statement is checked, printed with a Sid, never written', async () => {
    const { kms } = aws();
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const trail = `arn:aws:cloudtrail:${REGION}:${ACCOUNT}:trail/bedrock-monitor-trail`;
    const cloudTrail = {
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:GenerateDataKey*',
      Resource: '*',
      Condition: {
        StringEquals: { 'aws:SourceArn': trail },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': `arn:aws:cloudtrail:*:${ACCOUNT}:trail/*` },
      },
    };
    const policy = JSON.parse(
      (await kms.send(new GetKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default' }))).Policy!,
    );
    policy.Statement.push(documented);
    await kms.send(
      new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: JSON.stringify(policy) }),
    );
    const dir = withKey(key.Arn!, { audit: { enabled: true } });
    const r = await cli(['create-bucket', '--json'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.json().warnings).toEqual([
      expect.stringContaining(`the key policy of ${key.Arn} does not let CloudTrail use the key`),
    ]);
    const printed = JSON.parse(r.stderr.slice(r.stderr.indexOf('{'), r.stderr.lastIndexOf('}') + 1));
    expect(printed).toEqual({
      Sid: 'BedrockMonitorCloudTrailEncrypt',
      ...cloudTrail,
      Condition: {
        StringEquals: { 'aws:SourceArn': trail },
        StringLike: { 'kms:EncryptionContext:aws:cloudtrail:arn': trail },
      },
    });
    expect(r.writes.some((w) => w.service === 'KMS')).toBe(false);
    const status = await cli(['status', '--json'], { cwd: dir });
    expect(status.json().rows.find((x: { resource: string }) => x.resource === 'kms-key-policy')).toMatchObject({
      status: 'drifted',
      changes: [{ field: 'statement[BedrockMonitorCloudTrailEncrypt]', from: null }],
      manual: true,
    });
    // The owner adds AWS's documented statement (account-wide encryption context, no Sid): satisfied.
    policy.Statement.push(cloudTrail);
    await kms.send(
      new PutKeyPolicyCommand({ KeyId: key.KeyId, PolicyName: 'default', Policy: JSON.stringify(policy) }),
    );
    const fixed = await cli(['status', '--json'], { cwd: dir });
    expect(fixed.json().rows.find((x: { resource: string }) => x.resource === 'kms-key-policy')).toMatchObject({
      status: 'ok',
    });
  });
});
