import type { AccountFacts } from '../config/settings.js';
import { bucketArn, partitionOf } from '../aws/names.js';
import type { Statement } from '../aws/policy.js';

/** The CUR 2.0 Data Export's names, and the statement it needs in the tool's bucket policy. */

export const CUR_WRITE_SID = 'BedrockMonitorDataExportsWrite';
/** The export's name (Data Exports: 1-128 of [0-9A-Za-z-_]). */
export const CUR_EXPORT_NAME = 'bedrock-monitor-cur2';
/** Its own prefix in the tool's bucket: objects land under cur2/bedrock-monitor-cur2/data/BILLING_PERIOD=…/. */
export const CUR_S3_PREFIX = 'cur2';
/** The Data Exports API answers in us-east-1 only (https://bcm-data-exports.us-east-1.api.aws), for every Region. */
export const DATA_EXPORTS_REGION = 'us-east-1';

/** Where `bill` finds the export's Parquet files when `bill.enabled` and no `bill.cur` is set. */
export const curExportLocation = (bucket: string): string => `s3://${bucket}/${CUR_S3_PREFIX}/${CUR_EXPORT_NAME}/data`;

/**
 * Whether this Region's bucket carries the export (account-level, `bill.enabled`: the home Region's bucket only),
 * from the account's facts.
 */
export const curExportOn = (facts: AccountFacts, region: string): boolean => facts.curExportRegion === region;

/**
 * The statement AWS documents for a Data Exports destination
 * (https://docs.aws.amazon.com/cur/latest/userguide/dataexports-s3-bucket.html: principals
 * bcm-data-exports.amazonaws.com and billingreports.amazonaws.com, s3:PutObject and s3:GetBucketPolicy, conditions
 * aws:SourceAccount and aws:SourceArn = arn:aws:cur:us-east-1:ACCOUNT:definition/* and
 * arn:aws:bcm-data-exports:us-east-1:ACCOUNT:export/*), under the tool's own Sid and limited to the export's prefix.
 * None while `bill.enabled` is off, or outside the home Region.
 */
export function curBucketStatements(facts: AccountFacts, region: string, account: string, bucket: string): Statement[] {
  if (!curExportOn(facts, region)) return [];
  const p = partitionOf(region);
  const arn = bucketArn(region, bucket);
  return [
    {
      Sid: CUR_WRITE_SID,
      Effect: 'Allow',
      Principal: { Service: ['bcm-data-exports.amazonaws.com', 'billingreports.amazonaws.com'] },
      Action: ['s3:PutObject', 's3:GetBucketPolicy'],
      Resource: [arn, `${arn}/${CUR_S3_PREFIX}/*`],
      Condition: {
        StringLike: {
          'aws:SourceAccount': account,
          'aws:SourceArn': [
            `arn:${p}:cur:${DATA_EXPORTS_REGION}:${account}:definition/*`,
            `arn:${p}:bcm-data-exports:${DATA_EXPORTS_REGION}:${account}:export/*`,
          ],
        },
      },
    },
  ];
}
