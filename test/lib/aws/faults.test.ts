import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { IAMClient, GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  S3Client,
  GetBucketLocationCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
} from '@aws-sdk/client-s3';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  BedrockClient,
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import {
  SNSClient,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  ListSubscriptionsByTopicCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { runCli } from '../../support/cli.js';

function awsError(name: string, message: string, status: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, attempts: 1 },
    ...extra,
  });
}

const sts = mockClient(STSClient);
const iam = mockClient(IAMClient);
const s3 = mockClient(S3Client);
const logs = mockClient(CloudWatchLogsClient);
const bedrock = mockClient(BedrockClient);
const env = { AWS_REGION: 'us-west-2' };

beforeEach(() => {
  for (const m of [sts, iam, s3, logs, bedrock]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
});
afterEach(() => {
  for (const m of [sts, iam, s3, logs, bedrock]) m.reset();
});

// Faults whose message names the service and operation are in faults-http.test.ts: those names come
// from the SDK middleware, which aws-sdk-client-mock bypasses.
describe('AWS faults become one clear error line and exit 1', () => {
  test('a bucket name owned by another account suggests a config change', async () => {
    s3.on(GetBucketLocationCommand).rejects(awsError('AccessDenied', 'Access Denied', 403));
    const r = await runCli(['create-bucket', '--bucket-name', 'taken-name'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('S3 bucket "taken-name" already exists and is not this account\'s');
    expect(r.stderr).toContain('"bucketName"');
  });

  test('BucketAlreadyExists on create is the same error', async () => {
    s3.on(GetBucketLocationCommand).rejects(awsError('NoSuchBucket', 'not found', 404));
    s3.on(CreateBucketCommand).rejects(
      awsError('BucketAlreadyExists', 'The requested bucket name is not available', 409),
    );
    const r = await runCli(['create-bucket', '--bucket-name', 'taken-name'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("already exists and is not this account's");
  });

  test('missing credentials say how to provide them', async () => {
    sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }),
      );
    const r = await runCli(['status'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No AWS credentials found');
    expect(r.stderr).toContain('AWS_PROFILE');
  });
});

describe('enable-logging waits for IAM propagation', () => {
  const validation = () =>
    awsError(
      'ValidationException',
      'Failed to validate permissions for log group: /aws/bedrock/modelinvocations, with role: ' +
        'arn:aws:iam::111122223333:role/x',
      400,
    );

  beforeEach(() => {
    iam
      .on(GetRoleCommand)
      .resolves({ Role: { RoleName: 'r', Arn: 'arn', Path: '/', RoleId: 'id', CreateDate: new Date() } });
    iam.on(GetRolePolicyCommand).resolves({});
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: '/aws/bedrock/modelinvocations' }] });
    s3.on(GetBucketLocationCommand).resolves({ LocationConstraint: 'us-west-2' });
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({});
  });

  test('retries "Failed to validate permissions" with backoff and reports progress', async () => {
    bedrock
      .on(PutModelInvocationLoggingConfigurationCommand)
      .rejectsOnce(validation())
      .rejectsOnce(validation())
      .resolves({});
    const sleeps: number[] = [];
    const r = await runCli(['enable-logging'], { env, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^created\s+logging-config\s+us-west-2/);
    expect(sleeps).toEqual([2000, 3000]);
    expect(r.stderr.match(/retrying in/g)).toHaveLength(2);
    expect(bedrock.commandCalls(PutModelInvocationLoggingConfigurationCommand)).toHaveLength(3);
  });

  test('gives up after about a minute with a message saying what to check', async () => {
    bedrock.on(PutModelInvocationLoggingConfigurationCommand).rejects(validation());
    const sleeps: number[] = [];
    const r = await runCli(['enable-logging'], { env, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) });
    expect(r.code).toBe(1);
    const total = sleeps.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(55_000);
    expect(total).toBeLessThanOrEqual(65_000);
    expect(r.stderr).toContain('Bedrock still cannot use role');
    expect(r.stderr).toContain('bedrock-monitor status');
  });

  test('other validation errors are not retried', async () => {
    bedrock
      .on(PutModelInvocationLoggingConfigurationCommand)
      .rejects(awsError('ValidationException', 'Bucket ACLs must be disabled', 400));
    const sleeps: number[] = [];
    const r = await runCli(['enable-logging'], { env, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) });
    expect(r.code).toBe(1);
    expect(sleeps).toEqual([]);
    expect(r.stderr).toContain('ValidationException: Bucket ACLs must be disabled');
  });
});

describe('email subscriptions (mocked: moto confirms subscriptions at once)', () => {
  const sns = mockClient(SNSClient);
  const cw = mockClient(CloudWatchClient);
  const topic = 'arn:aws:sns:us-west-2:111122223333:bedrock-usage-alerts';

  beforeEach(() => {
    sns.reset();
    cw.reset();
    sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: topic } });
    sns.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'ManagedBy', Value: 'bedrock-monitor' }] });
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    cw.on(PutMetricAlarmCommand).resolves({});
  });

  test('a subscription pending confirmation is not subscribed again', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({
      Subscriptions: [
        { SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'OnCall@Example.com', TopicArn: topic },
      ],
    });
    const r = await runCli(['alarms', '--email', 'oncall@example.com', '--json'], { env });
    expect(r.code).toBe(0);
    expect(sns.commandCalls(SubscribeCommand)).toHaveLength(0);
    expect(r.json().outcomes.find((o: { resource: string }) => o.resource === 'sns-subscription')).toMatchObject({
      action: 'unchanged',
    });
  });

  test('subscription pages are followed before deciding an address is missing', async () => {
    sns
      .on(ListSubscriptionsByTopicCommand)
      .resolvesOnce({
        Subscriptions: [{ SubscriptionArn: `${topic}:1`, Protocol: 'email', Endpoint: 'a@example.com' }],
        NextToken: 'p2',
      })
      .resolves({
        Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'b@example.com' }],
      });
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: 'PendingConfirmation' });
    const r = await runCli(
      ['alarms', '--email', 'a@example.com', '--email', 'b@example.com', '--email', 'c@example.com'],
      { env },
    );
    expect(r.code).toBe(0);
    expect(sns.commandCalls(SubscribeCommand).map((c) => c.args[0].input.Endpoint)).toEqual(['c@example.com']);
  });
});

describe('emptying the bucket (mocked: a real S3 page holds up to 1,000 versions and delete markers together)', () => {
  test(
    'deletes page by page, 1,000 keys per DeleteObjects at most, ' + 'until the listing is empty, then the bucket',
    async () => {
      const { emptyAndDeleteBucket } = await import('../../../src/lib/resources/bucket.js');
      const s3 = mockClient(S3Client);
      try {
        const versions = (from: number, n: number) =>
          Array.from({ length: n }, (_, i) => ({ Key: `AWSLogs/x/${from + i}.json`, VersionId: `v${from + i}` }));
        s3.on(ListObjectVersionsCommand)
          .resolvesOnce({
            Versions: versions(0, 999),
            DeleteMarkers: [{ Key: 'AWSLogs/x/0.json', VersionId: 'dm0' }],
            IsTruncated: true,
          })
          .resolvesOnce({ Versions: versions(999, 51), IsTruncated: false })
          .resolves({});
        s3.on(DeleteObjectsCommand).resolves({});
        s3.on(DeleteBucketPolicyCommand).resolves({});
        s3.on(DeleteBucketCommand).resolves({});
        await emptyAndDeleteBucket(new S3Client({ region: 'us-east-1' }), 'b');
        const batches = s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input.Delete?.Objects ?? []);
        expect(batches.map((b) => b.length)).toEqual([1000, 51]);
        expect(batches[0]).toContainEqual({ Key: 'AWSLogs/x/0.json', VersionId: 'dm0' });
        expect(s3.commandCalls(ListObjectVersionsCommand).map((c) => c.args[0].input.MaxKeys)).toEqual([
          1000, 1000, 1000,
        ]);
        // The policy first (a Deny could block the emptying), the bucket last.
        expect(s3.calls().map((c) => c.args[0].constructor.name)).toEqual([
          'DeleteBucketPolicyCommand',
          'ListObjectVersionsCommand',
          'DeleteObjectsCommand',
          'ListObjectVersionsCommand',
          'DeleteObjectsCommand',
          'ListObjectVersionsCommand',
          'DeleteBucketCommand',
        ]);
      } finally {
        s3.restore();
      }
    },
  );

  test(
    'a key S3 could not delete fails the emptying, naming the ' + 'bucket and the code; the bucket is not deleted',
    async () => {
      const { emptyAndDeleteBucket } = await import('../../../src/lib/resources/bucket.js');
      const s3 = mockClient(S3Client);
      try {
        s3.on(DeleteBucketPolicyCommand).resolves({});
        s3.on(ListObjectVersionsCommand).resolves({ Versions: [{ Key: 'k', VersionId: 'v' }] });
        s3.on(DeleteObjectsCommand).resolves({
          Errors: [{ Key: 'k', VersionId: 'v', Code: 'AccessDenied', Message: 'Access Denied' }],
        });
        await expect(emptyAndDeleteBucket(new S3Client({ region: 'us-east-1' }), 'b')).rejects.toThrow(
          /b: AccessDenied/,
        );
        expect(s3.commandCalls(DeleteBucketCommand)).toHaveLength(0);
      } finally {
        s3.restore();
      }
    },
  );
});
