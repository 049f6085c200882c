import {
  CreateBucketCommand,
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetPublicAccessBlockCommand,
  PutBucketEncryptionCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type BucketLocationConstraint,
  type LifecycleRule,
  type Tag,
} from '@aws-sdk/client-s3';
import type { Ctx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { errorName, isAwsError, isNotFound } from '../aws/errors.js';
import { BmError } from '../core/errors.js';
import { bedrockSourceArn, bucketArn, hasManagedTag, MANAGED_BY_KEY, MANAGED_BY_VALUE, withSlash } from '../aws/names.js';
import { normalizeStatement, parsePolicy, statementsOf, type PolicyDocument, type Statement } from '../aws/policy.js';

export const LOGS_WRITE_SID = 'AmazonBedrockLogsWrite';
export const DENY_INSECURE_SID = 'DenyInsecureTransport';
export const LIFECYCLE_RULE_ID = 'bedrock-monitor-log-retention';

/** The bucket policy statement AWS documents for Bedrock invocation log delivery. */
export function logsWriteStatement(region: string, account: string, bucket: string, keyPrefix: string): Statement {
  return {
    Sid: LOGS_WRITE_SID,
    Effect: 'Allow',
    Principal: { Service: 'bedrock.amazonaws.com' },
    Action: ['s3:PutObject'],
    Resource: [`${bucketArn(region, bucket)}/${withSlash(keyPrefix)}AWSLogs/${account}/BedrockModelInvocationLogs/*`],
    Condition: {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': bedrockSourceArn(region, account) },
    },
  };
}

export function denyInsecureTransportStatement(region: string, bucket: string): Statement {
  return {
    Sid: DENY_INSECURE_SID,
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucketArn(region, bucket), `${bucketArn(region, bucket)}/*`],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

export interface LifecycleDays {
  expirationDays: number;
  noncurrentDays: number;
  abortMultipartDays: number;
}

export function lifecycleRule(d: LifecycleDays): LifecycleRule {
  return {
    ID: LIFECYCLE_RULE_ID,
    Status: 'Enabled',
    Filter: { Prefix: '' },
    Expiration: { Days: d.expirationDays },
    NoncurrentVersionExpiration: { NoncurrentDays: d.noncurrentDays },
    AbortIncompleteMultipartUpload: { DaysAfterInitiation: d.abortMultipartDays },
  };
}

function normalizeRule(r: LifecycleRule | undefined): Record<string, unknown> | null {
  if (!r) return null;
  return {
    status: r.Status ?? null,
    prefix: r.Filter?.Prefix ?? r.Prefix ?? '',
    expirationDays: r.Expiration?.Days ?? null,
    noncurrentDays: r.NoncurrentVersionExpiration?.NoncurrentDays ?? null,
    abortMultipartDays: r.AbortIncompleteMultipartUpload?.DaysAfterInitiation ?? null,
  };
}

const PUBLIC_ACCESS_BLOCK = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

export interface BucketState {
  objectOwnership: string | null;
  publicAccessBlock: Record<string, boolean> | null;
  encryption: { algorithm: string; kmsKeyId: string | null } | null;
  versioning: string | null;
  lifecycleRule: Record<string, unknown> | null;
  policyStatements: Record<string, Record<string, unknown> | null>;
  managedTag: boolean;
  /** Kept to merge with: what the tool does not own is written back untouched. */
  otherRules: LifecycleRule[];
  otherStatements: Statement[];
  policyVersion: string | undefined;
  otherTags: Tag[];
}

/** "Not found" of one bucket sub-resource means "not configured"; a missing bucket is handled apart. */
async function optional<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (errorName(err) === 'NoSuchBucket') throw err;
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function foreignBucketError(bucket: string, cause?: unknown): BmError {
  return new BmError(`S3 bucket "${bucket}" already exists and is not this account's (bucket names are global across all AWS accounts).`, {
    hint: 'Choose another name: set "bucketName" in bedrock-monitor.config.json or pass --bucket-name.',
    cause,
  });
}

/** The region a bucket is in, undefined when missing; a bucket we may not read is someone else's. */
export async function bucketRegion(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    const c = loc.LocationConstraint as string | undefined;
    return !c ? 'us-east-1' : c === 'EU' ? 'eu-west-1' : c;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    if (isAwsError(err) && (err.$metadata?.httpStatusCode === 403 || errorName(err) === 'AccessDenied')) throw foreignBucketError(bucket, err);
    throw err;
  }
}

export async function bucketResource(ctx: Ctx): Promise<ResourceDef<BucketState>> {
  const { region, kmsKeyId, logging } = ctx.settings;
  const account = await ctx.account();
  const bucket = await ctx.bucketName();
  const s3 = ctx.aws.get(S3Client);
  const managedStatements = [logsWriteStatement(region, account, bucket, logging.s3KeyPrefix), denyInsecureTransportStatement(region, bucket)];
  const rule = lifecycleRule({
    expirationDays: ctx.settings.bucketExpirationDays,
    noncurrentDays: ctx.settings.noncurrentExpirationDays,
    abortMultipartDays: ctx.settings.abortIncompleteMultipartUploadDays,
  });
  const encryption = kmsKeyId ? { algorithm: 'aws:kms', kmsKeyId } : { algorithm: 'AES256', kmsKeyId: null };
  const desired: BucketState = {
    objectOwnership: 'BucketOwnerEnforced',
    publicAccessBlock: PUBLIC_ACCESS_BLOCK,
    encryption,
    versioning: 'Enabled',
    lifecycleRule: normalizeRule(rule),
    policyStatements: Object.fromEntries(managedStatements.map((s): [string, Record<string, unknown>] => [s.Sid ?? '', normalizeStatement(s)])),
    managedTag: true,
    otherRules: [],
    otherStatements: [],
    policyVersion: '2012-10-17',
    otherTags: [],
  };
  const B = { Bucket: bucket };

  return {
    resource: 's3-bucket',
    name: bucket,
    desired,
    async read() {
      const where = await bucketRegion(s3, bucket);
      if (where === undefined) return undefined;
      if (where !== region) {
        throw new BmError(`S3 bucket "${bucket}" is in ${where}, but Bedrock can only log to a bucket in ${region}.`, {
          hint: 'Set "bucketName" in bedrock-monitor.config.json to a bucket in this Region (or leave it unset for the default).',
        });
      }
      try {
        const [own, pab, enc, ver, lc, pol, tags] = await Promise.all([
          optional(s3.send(new GetBucketOwnershipControlsCommand(B))),
          optional(s3.send(new GetPublicAccessBlockCommand(B))),
          optional(s3.send(new GetBucketEncryptionCommand(B))),
          s3.send(new GetBucketVersioningCommand(B)),
          optional(s3.send(new GetBucketLifecycleConfigurationCommand(B))),
          optional(s3.send(new GetBucketPolicyCommand(B))),
          optional(s3.send(new GetBucketTaggingCommand(B))),
        ]);
        const sse = enc?.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
        const rules = lc?.Rules ?? [];
        const policy: PolicyDocument | undefined = pol?.Policy ? parsePolicy(pol.Policy) : undefined;
        const statements = statementsOf(policy);
        const c = pab?.PublicAccessBlockConfiguration;
        return {
          objectOwnership: own?.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null,
          publicAccessBlock: c
            ? { BlockPublicAcls: !!c.BlockPublicAcls, IgnorePublicAcls: !!c.IgnorePublicAcls, BlockPublicPolicy: !!c.BlockPublicPolicy, RestrictPublicBuckets: !!c.RestrictPublicBuckets }
            : null,
          encryption: sse?.SSEAlgorithm ? { algorithm: sse.SSEAlgorithm, kmsKeyId: sse.KMSMasterKeyID ?? null } : null,
          versioning: ver.Status ?? null,
          lifecycleRule: normalizeRule(rules.find((r) => r.ID === LIFECYCLE_RULE_ID)),
          policyStatements: Object.fromEntries(
            managedStatements.map((m): [string, Record<string, unknown> | null] => {
              const found = statements.find((s) => s.Sid === m.Sid);
              return [m.Sid ?? '', found ? normalizeStatement(found) : null];
            }),
          ),
          managedTag: hasManagedTag(tags?.TagSet),
          otherRules: rules.filter((r) => r.ID !== LIFECYCLE_RULE_ID),
          otherStatements: statements.filter((s) => !managedStatements.some((m) => m.Sid === s.Sid)),
          policyVersion: policy?.Version,
          otherTags: (tags?.TagSet ?? []).filter((t) => t.Key !== MANAGED_BY_KEY),
        };
      } catch (err) {
        if (errorName(err) === 'NoSuchBucket') return undefined; // deleted between the two reads
        throw err;
      }
    },
    owned: (s) => s.managedTag,
    // Tags first: S3 cannot tag at CreateBucket everywhere, so keep the untagged moment short.
    attributes: [
      {
        field: 'tags.ManagedBy',
        get: (s) => s.managedTag,
        afterCreate: true,
        update: async (_d, actual) => {
          await s3.send(new PutBucketTaggingCommand({ ...B, Tagging: { TagSet: [...(actual?.otherTags ?? []), { Key: MANAGED_BY_KEY, Value: MANAGED_BY_VALUE }] } }));
        },
      },
      {
        field: 'objectOwnership',
        get: (s) => s.objectOwnership,
        afterCreate: true,
        update: async () => {
          await s3.send(new PutBucketOwnershipControlsCommand({ ...B, OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } }));
        },
      },
      {
        field: 'publicAccessBlock',
        get: (s) => s.publicAccessBlock,
        afterCreate: true,
        update: async () => {
          await s3.send(new PutPublicAccessBlockCommand({ ...B, PublicAccessBlockConfiguration: PUBLIC_ACCESS_BLOCK }));
        },
      },
      {
        field: 'encryption',
        get: (s) => s.encryption,
        afterCreate: true,
        update: async () => {
          await s3.send(
            new PutBucketEncryptionCommand({
              ...B,
              ServerSideEncryptionConfiguration: {
                Rules: [
                  kmsKeyId
                    ? { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: kmsKeyId }, BucketKeyEnabled: true }
                    : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
                ],
              },
            }),
          );
        },
      },
      {
        field: 'versioning',
        get: (s) => s.versioning,
        afterCreate: true,
        update: async () => {
          await s3.send(new PutBucketVersioningCommand({ ...B, VersioningConfiguration: { Status: 'Enabled' } }));
        },
      },
      {
        field: `lifecycle[${LIFECYCLE_RULE_ID}]`,
        get: (s) => s.lifecycleRule,
        afterCreate: true,
        update: async (_d, actual) => {
          await s3.send(new PutBucketLifecycleConfigurationCommand({ ...B, LifecycleConfiguration: { Rules: [...(actual?.otherRules ?? []), rule] } }));
        },
      },
      {
        field: 'policy',
        get: (s) => s.policyStatements,
        afterCreate: true,
        update: async (_d, actual) => {
          const doc = { Version: actual?.policyVersion ?? '2012-10-17', Statement: [...(actual?.otherStatements ?? []), ...managedStatements] };
          await s3.send(new PutBucketPolicyCommand({ ...B, Policy: JSON.stringify(doc) }));
        },
      },
    ],
    async create() {
      try {
        await s3.send(
          new CreateBucketCommand({
            ...B,
            ObjectOwnership: 'BucketOwnerEnforced',
            ...(region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
          }),
        );
      } catch (err) {
        const name = errorName(err);
        if (name === 'BucketAlreadyExists') throw foreignBucketError(bucket, err);
        // Another run created it a moment ago: carry on and configure it.
        if (name !== 'BucketAlreadyOwnedByYou') throw err;
      }
    },
  };
}
