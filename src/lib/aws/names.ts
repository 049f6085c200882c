/** Names, ARNs and tags shared by the resource definitions. */

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export const roleArn = (region: string, account: string, roleName: string): string =>
  `arn:${partitionOf(region)}:iam::${account}:role/${roleName}`;

export const logGroupArn = (region: string, account: string, logGroupName: string): string =>
  `arn:${partitionOf(region)}:logs:${region}:${account}:log-group:${logGroupName}`;

/** The stream Bedrock writes to; the role may write nowhere else. */
export const LOG_STREAM_NAME = 'aws/bedrock/modelinvocations';

export const logStreamArn = (region: string, account: string, logGroupName: string): string =>
  `${logGroupArn(region, account, logGroupName)}:log-stream:${LOG_STREAM_NAME}`;

export const bucketArn = (region: string, bucket: string): string => `arn:${partitionOf(region)}:s3:::${bucket}`;

export const bedrockSourceArn = (region: string, account: string): string =>
  `arn:${partitionOf(region)}:bedrock:${region}:${account}:*`;

/** `prefix/` or '' for an empty prefix. */
export const withSlash = (prefix: string): string => (prefix ? `${prefix}/` : '');
