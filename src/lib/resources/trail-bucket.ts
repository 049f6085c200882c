import { accountFacts, trailInto, type AccountFacts, type Settings } from '../config/settings.js';
import { bucketArn, partitionOf, withSlash } from '../aws/names.js';
import type { Statement } from '../aws/policy.js';

/** The audit trail's names, and the statements it needs in the log bucket's policy. */

export const TRAIL_ACL_SID = 'BedrockMonitorCloudTrailAclCheck';
export const TRAIL_WRITE_SID = 'BedrockMonitorCloudTrailWrite';

export const trailArn = (region: string, account: string, name: string): string =>
  `arn:${partitionOf(region)}:cloudtrail:${region}:${account}:trail/${name}`;

/**
 * The bucket policy statements AWS documents for trail delivery
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html),
 * with the tool's own Sids and `aws:SourceArn` = the trail. None while audit is off.
 */
export function auditBucketStatements(settings: Settings, account: string, bucket: string): Statement[] {
  return trailBucketStatements(trailInto(accountFacts(settings), settings.region), settings.region, account, bucket);
}

/** The same, from the account's trail (AccountFacts: what a Region's bucket knows of the audit settings). */
export function trailBucketStatements(
  trail: AccountFacts['trail'],
  region: string,
  account: string,
  bucket: string,
): Statement[] {
  if (!trail) return [];
  const sourceArn = trailArn(region, account, trail.name);
  return [
    {
      Sid: TRAIL_ACL_SID,
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:GetBucketAcl',
      Resource: bucketArn(region, bucket),
      Condition: { StringEquals: { 'aws:SourceArn': sourceArn } },
    },
    {
      Sid: TRAIL_WRITE_SID,
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 's3:PutObject',
      Resource: `${bucketArn(region, bucket)}/${withSlash(trail.s3KeyPrefix)}AWSLogs/${account}/*`,
      Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': sourceArn } },
    },
  ];
}
