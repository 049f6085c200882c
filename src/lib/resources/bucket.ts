import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectsCommand,
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
  ListObjectVersionsCommand,
} from '../sdk/client-s3.js';
import type { BucketLocationConstraint, LifecycleRule, ObjectIdentifier, Tag } from '@aws-sdk/client-s3';
import { trailInto, type AccountFacts } from '../config/settings.js';
import type { RegionCtx } from '../context/context.js';
import type { Attribute, ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, errorName, isAwsError, isNotFound } from '../aws/errors.js';
import { BmError } from '../core/errors.js';
import { bedrockSourceArn, bucketArn, withSlash } from '../aws/names.js';
import { hasManagedTag, MANAGED_BY_KEY, MANAGED_BY_VALUE, MANAGED_TAG_RULE } from '../aws/ownership.js';
import { normalizeStatement, parsePolicy, statementsOf, type PolicyDocument, type Statement } from '../aws/policy.js';
import { bucketKeyArn } from './kms.js';
import { trailBucketStatements, TRAIL_ACL_SID, TRAIL_WRITE_SID } from './trail-bucket.js';
import { curBucketStatements, curExportOn, CUR_WRITE_SID } from './cur-bucket.js';

export const LOGS_WRITE_SID = 'AmazonBedrockLogsWrite';
export const LARGE_DATA_WRITE_SID = 'AmazonBedrockLargeDataWrite';
export const DENY_INSECURE_SID = 'DenyInsecureTransport';
/**
 * Every statement the tool manages, by Sid: one that is not wanted (large data off) is removed. The
 * CloudTrail statements are managed while the audit is enabled; when it is turned off they are kept
 * as they are (the trail may still exist until cleanup deletes it), like a statement of someone else's. The
 * Data Exports statement likewise, while `bill.enabled` (in the home Region's bucket).
 */
function managedSids(facts: AccountFacts, region: string): string[] {
  return [
    LOGS_WRITE_SID,
    LARGE_DATA_WRITE_SID,
    DENY_INSECURE_SID,
    ...(facts.trail ? [TRAIL_ACL_SID, TRAIL_WRITE_SID] : []),
    ...(curExportOn(facts, region) ? [CUR_WRITE_SID] : []),
  ];
}
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

/**
 * Large-data delivery (bodies over 100 KB and binary data, `largeDataDeliveryS3Config`): AWS does
 * not say whether Bedrock or the role writes those objects, so the bucket policy grants Bedrock
 * the large-data prefix too, with the same conditions, as the role's inline policy does.
 */
export function largeDataWriteStatement(region: string, account: string, bucket: string, keyPrefix: string): Statement {
  return {
    ...logsWriteStatement(region, account, bucket, keyPrefix),
    Sid: LARGE_DATA_WRITE_SID,
    Resource: [`${bucketArn(region, bucket)}/${withSlash(keyPrefix)}*`],
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

const PUBLIC_ACCESS_BLOCK = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

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
  return new BmError(
    `S3 bucket "${bucket}" already exists and is not this account's (bucket names are global across all AWS accounts).`,
    {
      code: 'E_AWS_BUCKET_NAME_TAKEN',
      hint: 'Choose another name: set "bucketName" in bedrock-monitor.config.json or pass --bucket-name.',
      cause,
    },
  );
}

/** The region a bucket is in, undefined when missing; a bucket we may not read is someone else's. */
export async function bucketRegion(s3: S3Client, bucket: string): Promise<string | undefined> {
  try {
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: bucket }));
    const c = loc.LocationConstraint as string | undefined;
    return !c ? 'us-east-1' : c === 'EU' ? 'eu-west-1' : c;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    if (isAwsError(err) && (err.$metadata?.httpStatusCode === 403 || errorName(err) === 'AccessDenied'))
      throw foreignBucketError(bucket, err);
    throw err;
  }
}

interface BucketPlan {
  s3: S3Client;
  bucket: string;
  region: string;
  kmsKeyId: string | undefined;
  managedStatements: Statement[];
  /** The Sids compared and written; every other statement is kept as it is. */
  managedSids: string[];
  rule: LifecycleRule;
}

function desiredState(plan: BucketPlan): BucketState {
  const { kmsKeyId } = plan;
  return {
    objectOwnership: 'BucketOwnerEnforced',
    publicAccessBlock: PUBLIC_ACCESS_BLOCK,
    encryption: kmsKeyId ? { algorithm: 'aws:kms', kmsKeyId } : { algorithm: 'AES256', kmsKeyId: null },
    versioning: 'Enabled',
    lifecycleRule: normalizeRule(plan.rule),
    policyStatements: Object.fromEntries(
      plan.managedSids.map((sid): [string, Record<string, unknown> | null] => {
        const wanted = plan.managedStatements.find((m) => m.Sid === sid);
        return [sid, wanted ? normalizeStatement(wanted) : null];
      }),
    ),
    managedTag: true,
    otherRules: [],
    otherStatements: [],
    policyVersion: '2012-10-17',
    otherTags: [],
  };
}

/** Reads every setting the tool manages in one parallel round; undefined when the bucket is gone. */
async function readBucket(plan: BucketPlan): Promise<BucketState | undefined> {
  const { s3, bucket, region } = plan;
  const where = await bucketRegion(s3, bucket);
  if (where === undefined) return undefined;
  if (where !== region) {
    throw new BmError(`S3 bucket "${bucket}" is in ${where}, but Bedrock can only log to a bucket in ${region}.`, {
      hint:
        'Set "bucketName" in bedrock-monitor.config.json to a bucket in this Region (or leave it unset for the ' +
        'default).',
    });
  }
  const B = { Bucket: bucket };
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
    const found = (sid: string): Record<string, unknown> | null => {
      const st = statements.find((x) => x.Sid === sid);
      return st ? normalizeStatement(st) : null;
    };
    return {
      objectOwnership: own?.OwnershipControls?.Rules?.[0]?.ObjectOwnership ?? null,
      publicAccessBlock: c
        ? {
            BlockPublicAcls: !!c.BlockPublicAcls,
            IgnorePublicAcls: !!c.IgnorePublicAcls,
            BlockPublicPolicy: !!c.BlockPublicPolicy,
            RestrictPublicBuckets: !!c.RestrictPublicBuckets,
          }
        : null,
      encryption: sse?.SSEAlgorithm ? { algorithm: sse.SSEAlgorithm, kmsKeyId: sse.KMSMasterKeyID ?? null } : null,
      versioning: ver.Status ?? null,
      lifecycleRule: normalizeRule(rules.find((r) => r.ID === LIFECYCLE_RULE_ID)),
      policyStatements: Object.fromEntries(
        plan.managedSids.map((sid): [string, Record<string, unknown> | null] => [sid, found(sid)]),
      ),
      managedTag: hasManagedTag(tags?.TagSet),
      otherRules: rules.filter((r) => r.ID !== LIFECYCLE_RULE_ID),
      otherStatements: statements.filter((st) => !plan.managedSids.includes(st.Sid ?? '')),
      policyVersion: policy?.Version,
      otherTags: (tags?.TagSet ?? []).filter((t) => t.Key !== MANAGED_BY_KEY),
    };
  } catch (err) {
    if (errorName(err) === 'NoSuchBucket') return undefined; // deleted between the two reads
    throw err;
  }
}

function encryptionRule(kmsKeyId: string | undefined) {
  return kmsKeyId
    ? {
        ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' as const, KMSMasterKeyID: kmsKeyId },
        BucketKeyEnabled: true,
      }
    : { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' as const } };
}

/** Tags first: S3 cannot tag at CreateBucket everywhere, so keep the untagged moment short. */
function bucketAttributes(plan: BucketPlan): Attribute<BucketState>[] {
  return [...settingAttributes(plan), ...documentAttributes(plan)];
}

function attr(
  field: string,
  get: (s: BucketState) => unknown,
  write: (actual: BucketState | undefined) => Promise<unknown>,
): Attribute<BucketState> {
  return { field, get, afterCreate: true, update: async (_d, actual) => void (await write(actual)) };
}

/** The ManagedBy tag is written with the creation, as one piece Ctrl-C does not cut. */
const claiming = (a: Attribute<BucketState>): Attribute<BucketState> => ({ ...a, claims: true });

/** The tag and the bucket-wide switches. */
function settingAttributes(plan: BucketPlan): Attribute<BucketState>[] {
  const { s3 } = plan;
  const B = { Bucket: plan.bucket };
  return [
    claiming(
      attr(
        'tags.ManagedBy',
        (s) => s.managedTag,
        (a) =>
          s3.send(
            new PutBucketTaggingCommand({
              ...B,
              Tagging: { TagSet: [...(a?.otherTags ?? []), { Key: MANAGED_BY_KEY, Value: MANAGED_BY_VALUE }] },
            }),
          ),
      ),
    ),
    attr(
      'objectOwnership',
      (s) => s.objectOwnership,
      () =>
        s3.send(
          new PutBucketOwnershipControlsCommand({
            ...B,
            OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
          }),
        ),
    ),
    attr(
      'publicAccessBlock',
      (s) => s.publicAccessBlock,
      () => s3.send(new PutPublicAccessBlockCommand({ ...B, PublicAccessBlockConfiguration: PUBLIC_ACCESS_BLOCK })),
    ),
    attr(
      'encryption',
      (s) => s.encryption,
      () =>
        s3.send(
          new PutBucketEncryptionCommand({
            ...B,
            ServerSideEncryptionConfiguration: { Rules: [encryptionRule(plan.kmsKeyId)] },
          }),
        ),
    ),
    attr(
      'versioning',
      (s) => s.versioning,
      () => s3.send(new PutBucketVersioningCommand({ ...B, VersioningConfiguration: { Status: 'Enabled' } })),
    ),
  ];
}

/** The lifecycle rule and the policy statements the tool owns, merged with everyone else's. */
function documentAttributes(plan: BucketPlan): Attribute<BucketState>[] {
  const { s3, rule, managedStatements } = plan;
  const B = { Bucket: plan.bucket };
  return [
    attr(
      `lifecycle[${LIFECYCLE_RULE_ID}]`,
      (s) => s.lifecycleRule,
      (a) =>
        s3.send(
          new PutBucketLifecycleConfigurationCommand({
            ...B,
            LifecycleConfiguration: { Rules: [...(a?.otherRules ?? []), rule] },
          }),
        ),
    ),
    attr(
      'policy',
      (s) => s.policyStatements,
      (a) => {
        const doc = {
          Version: a?.policyVersion ?? '2012-10-17',
          Statement: [...(a?.otherStatements ?? []), ...managedStatements],
        };
        return s3.send(new PutBucketPolicyCommand({ ...B, Policy: JSON.stringify(doc) }));
      },
    ),
  ];
}

/**
 * The policy statements wanted with these settings: the Region's own, and those the account's trail and CUR export
 * need (from its facts: the audit and bill settings are the account's).
 */
function managedStatements(ctx: RegionCtx, account: string, bucket: string): Statement[] {
  const { region, logging } = ctx.settings;
  const largeData = logging.largeDataS3KeyPrefix !== undefined && logging.destinations.includes('cloudwatch');
  return [
    logsWriteStatement(region, account, bucket, logging.s3KeyPrefix),
    ...(largeData ? [largeDataWriteStatement(region, account, bucket, logging.largeDataS3KeyPrefix ?? '')] : []),
    denyInsecureTransportStatement(region, bucket),
    ...trailBucketStatements(trailInto(ctx.accountFacts, region), region, account, bucket),
    ...curBucketStatements(ctx.accountFacts, region, account, bucket),
  ];
}

export async function bucketResource(ctx: RegionCtx): Promise<ResourceDef<BucketState>> {
  const { region } = ctx.settings;
  const account = await ctx.account();
  const bucket = await ctx.bucketName();
  const s3 = ctx.aws.get(S3Client);
  const plan: BucketPlan = {
    s3,
    bucket,
    region,
    // Always the key's full ARN: an alias or key ID is resolved with KMS first (or refused).
    kmsKeyId: await bucketKeyArn(ctx),
    managedStatements: managedStatements(ctx, account, bucket),
    managedSids: managedSids(ctx.accountFacts, region),
    rule: lifecycleRule({
      expirationDays: ctx.settings.bucketExpirationDays,
      noncurrentDays: ctx.settings.noncurrentExpirationDays,
      abortMultipartDays: ctx.settings.abortIncompleteMultipartUploadDays,
    }),
  };
  return {
    resource: 's3-bucket',
    name: bucket,
    desired: desiredState(plan),
    read: () => readBucket(plan),
    ownership: {
      rule: MANAGED_TAG_RULE,
      owns: (s) => s.managedTag,
      probe: async () =>
        (await bucketRegion(s3, bucket)) === undefined
          ? undefined
          : hasManagedTag((await optional(s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))))?.TagSet),
    },
    attributes: bucketAttributes(plan),
    async create() {
      try {
        await s3.send(
          new CreateBucketCommand({
            Bucket: bucket,
            ObjectOwnership: 'BucketOwnerEnforced',
            ...(region === 'us-east-1'
              ? {}
              : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
          }),
        );
      } catch (err) {
        if (errorName(err) === 'BucketAlreadyExists') throw foreignBucketError(bucket, err);
        throw err;
      }
    },
    alreadyExists: (err) => errorName(err) === 'BucketAlreadyOwnedByYou',
    remove: () => emptyAndDeleteBucket(s3, bucket),
  };
}

/**
 * Deletes the bucket policy (so that no Deny statement, such as ours for plain-HTTP requests, can
 * block the emptying), every object version and delete marker, 1,000 per request, then the bucket.
 */
export async function emptyAndDeleteBucket(s3: S3Client, bucket: string): Promise<void> {
  await absentIfNotFound(s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket })));
  // The SDK has no paginator for ListObjectVersions: always list from the start, since what was
  // deleted is gone.
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
    const objects: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key,
      VersionId: v.VersionId,
    }));
    if (objects.length === 0) break;
    const r = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    if (r.Errors?.length)
      throw new Error(
        `could not delete ${r.Errors.length} objects from ${bucket}: ${r.Errors[0]?.Code ?? ''} ` +
          `${r.Errors[0]?.Message ?? ''}`,
      );
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}
