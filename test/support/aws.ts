import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { BedrockClient } from '@aws-sdk/client-bedrock';
import { KMSClient } from '@aws-sdk/client-kms';

/** Plain SDK clients on the emulator, for tests to look at and tamper with resources directly. */
export function sdk(endpoint: string, region = 'us-east-1') {
  const c = { region, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  return {
    iam: new IAMClient(c),
    s3: new S3Client({ ...c, forcePathStyle: true }),
    logs: new CloudWatchLogsClient(c),
    cw: new CloudWatchClient(c),
    sns: new SNSClient(c),
    bedrock: new BedrockClient(c),
    kms: new KMSClient(c),
  };
}

export const ACCOUNT = '123456789012';
