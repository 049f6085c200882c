import {
  AddTagsCommand,
  CloudTrailClient,
  CreateTrailCommand,
  DeleteTrailCommand,
  GetEventSelectorsCommand,
  GetTrailCommand,
  GetTrailStatusCommand,
  ListTagsCommand,
  PutEventSelectorsCommand,
  StartLoggingCommand,
  UpdateTrailCommand,
} from '../sdk/client-cloudtrail.js';
import type { AdvancedEventSelector } from '@aws-sdk/client-cloudtrail';
import type { Ctx } from '../context/context.js';
import type { Attribute, ResourceDef } from '../aws/ensure.js';
import { errorName, isAwsError } from '../aws/errors.js';
import { logGroupArn, roleArn } from '../aws/names.js';
import { hasManagedTag, MANAGED_TAG_RULE, MANAGED_TAGS } from '../aws/ownership.js';
import { BmError, usageError } from '../core/errors.js';
import { PERMISSION_RETRY_DELAYS_MS } from './logging.js';
import { managementCoverage, type ManagementCoverage } from './trail-coverage.js';
import { trailArn } from './trail-bucket.js';
import { normalizeSelectors, trailSelectors } from './trail-selectors.js';

/**
 * The audit trail: a CloudTrail trail writing to the log bucket under `audit.s3KeyPrefix`, with
 * log-file validation, multi-Region by default, advanced event selectors for Bedrock's data-event
 * types (and management events when no other trail records them), optional CloudWatch Logs
 * delivery, the ManagedBy tag, and logging on. Trail APIs take the trail's NAME here, never its ARN
 * (moto 5.2.1 fails StartLogging by ARN and ignores DeleteTrail by ARN; AWS accepts both); tags are
 * keyed by ARN.
 */

export interface TrailState {
  /** Not compared: where tags are read. */
  arn: string;
  /** Not compared: a trail is changed only from its home Region. */
  homeRegion: string;
  s3: { bucket: string; prefix: string };
  multiRegion: boolean;
  logFileValidation: boolean;
  cloudWatchLogs: { logGroupArn: string; roleArn: string } | null;
  eventSelectors: string[];
  logging: boolean;
  managedTag: boolean;
}

interface TrailPlan {
  ct: CloudTrailClient;
  name: string;
  arn: string;
  region: string;
  bucket: string;
  selectors: AdvancedEventSelector[];
  desired: TrailState;
}

const stripWildcard = (arn: string | undefined): string => (arn ?? '').replace(/:\*$/, '');

const notFound = (err: unknown): boolean => errorName(err) === 'TrailNotFoundException';

async function readTrail(plan: TrailPlan): Promise<TrailState | undefined> {
  const { ct, name } = plan;
  let trail;
  try {
    trail = (await ct.send(new GetTrailCommand({ Name: name }))).Trail;
  } catch (err) {
    if (notFound(err)) return undefined;
    throw err;
  }
  if (!trail) return undefined;
  const arn = trail.TrailARN ?? plan.arn;
  const [status, selectors, tags] = await Promise.all([
    ct.send(new GetTrailStatusCommand({ Name: name })),
    ct.send(new GetEventSelectorsCommand({ TrailName: name })),
    ct.send(new ListTagsCommand({ ResourceIdList: [arn] })),
  ]);
  const cwGroup = stripWildcard(trail.CloudWatchLogsLogGroupArn);
  return {
    arn,
    homeRegion: trail.HomeRegion ?? plan.region,
    s3: { bucket: trail.S3BucketName ?? '', prefix: trail.S3KeyPrefix ?? '' },
    multiRegion: trail.IsMultiRegionTrail === true,
    logFileValidation: trail.LogFileValidationEnabled === true,
    cloudWatchLogs: cwGroup ? { logGroupArn: cwGroup, roleArn: trail.CloudWatchLogsRoleArn ?? '' } : null,
    eventSelectors: normalizeSelectors(selectors.AdvancedEventSelectors),
    logging: status.IsLogging === true,
    // One ARN asked for: one entry back.
    managedTag: hasManagedTag(tags.ResourceTagList?.[0]?.TagsList),
  };
}

const ROLE_NOT_READY = new Set(['InvalidCloudWatchLogsRoleArnException', 'InvalidCloudWatchLogsLogGroupArnException']);

/**
 * Runs a trail write, waiting for IAM: right after the CloudWatch Logs role is created, CloudTrail
 * answers "Access denied" until the role has propagated. A bucket policy without the CloudTrail
 * statements is named with the step that repairs it.
 */
async function trailWrite(ctx: Ctx, write: () => Promise<unknown>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await write();
      return;
    } catch (err) {
      const name = errorName(err);
      if (name === 'InsufficientS3BucketPolicyException') {
        throw new BmError(
          `CloudTrail may not write to the log bucket: ${isAwsError(err) ? err.message : String(err)}`,
          {
            hint:
              'Run `bedrock-monitor create-bucket` with audit enabled (it adds the CloudTrail statements to ' +
              'the bucket policy), then retry.',
            cause: err,
          },
        );
      }
      const delay = PERMISSION_RETRY_DELAYS_MS[attempt];
      if (
        !ROLE_NOT_READY.has(name) ||
        delay === undefined ||
        !/access denied/i.test(isAwsError(err) ? err.message : '')
      )
        throw err;
      ctx.events.note(
        `CloudTrail cannot use the CloudWatch Logs role yet (IAM changes take a moment to propagate); ` +
          `retrying in ${delay / 1000}s`,
      );
      await ctx.sleep(delay);
    }
  }
}

function trailSettingsInput(plan: TrailPlan, update: boolean) {
  const d = plan.desired;
  const cw = d.cloudWatchLogs;
  return {
    Name: plan.name,
    S3BucketName: d.s3.bucket,
    S3KeyPrefix: d.s3.prefix,
    IsMultiRegionTrail: d.multiRegion,
    // CloudTrail rejects a multi-Region trail without global service events.
    IncludeGlobalServiceEvents: true,
    EnableLogFileValidation: d.logFileValidation,
    // On an update, empty strings remove CloudWatch Logs delivery.
    ...(cw
      ? { CloudWatchLogsLogGroupArn: `${cw.logGroupArn}:*`, CloudWatchLogsRoleArn: cw.roleArn }
      : update
        ? { CloudWatchLogsLogGroupArn: '', CloudWatchLogsRoleArn: '' }
        : {}),
  };
}

function trailAttributes(ctx: Ctx, plan: TrailPlan): Attribute<TrailState>[] {
  const { ct, name, arn } = plan;
  return [
    {
      field: 'tags.ManagedBy',
      get: (s) => s.managedTag,
      update: async () => void (await ct.send(new AddTagsCommand({ ResourceId: arn, TagsList: MANAGED_TAGS }))),
    },
    { field: 's3', get: (s) => s.s3 },
    { field: 'multiRegion', get: (s) => s.multiRegion },
    { field: 'logFileValidation', get: (s) => s.logFileValidation },
    { field: 'cloudWatchLogs', get: (s) => s.cloudWatchLogs },
    {
      field: 'eventSelectors',
      get: (s) => s.eventSelectors,
      afterCreate: true,
      update: () =>
        trailWrite(ctx, () =>
          ct.send(new PutEventSelectorsCommand({ TrailName: name, AdvancedEventSelectors: plan.selectors })),
        ),
    },
    // Last, so that a new trail starts logging only once its selectors are in place.
    {
      field: 'logging',
      get: (s) => s.logging,
      afterCreate: true,
      update: async () => void (await ct.send(new StartLoggingCommand({ Name: name }))),
    },
  ];
}

function trailOwnership(plan: TrailPlan): ResourceDef<TrailState>['ownership'] {
  const elsewhere = (s: TrailState): boolean => s.homeRegion !== plan.region;
  return {
    rule: `${MANAGED_TAG_RULE}, homed in ${plan.region}`,
    owns: (s) => s.managedTag && !elsewhere(s),
    claim: async () => void (await plan.ct.send(new AddTagsCommand({ ResourceId: plan.arn, TagsList: MANAGED_TAGS }))),
    describeForeign: (s) =>
      elsewhere(s) ? `a trail of that name is homed in ${s.homeRegion}` : `not ${MANAGED_TAG_RULE}`,
    refusal: (s) =>
      elsewhere(s)
        ? usageError(
            `CloudTrail trail ${plan.name} is homed in ${s.homeRegion}; it can only be changed from there.`,
            'Set "audit.trailName" to another name, or run with --region ' + s.homeRegion + '.',
          )
        : usageError(
            `CloudTrail trail ${plan.name} exists but is not ${MANAGED_TAG_RULE}, so bedrock-monitor will ` +
              `not change it.`,
            'Pass --force to adopt it, or set "audit.trailName" to another name.',
          ),
  };
}

export async function trailResource(ctx: Ctx): Promise<ResourceDef<TrailState>> {
  const { region, audit } = ctx.settings;
  const account = await ctx.account();
  const bucket = await ctx.bucketName();
  const arn = trailArn(region, account, audit.trailName);
  const coverage = await managementCoverage(ctx, arn);
  const selectors = trailSelectors(audit.dataEventTypes, coverage.include);
  if (selectors.length === 0) {
    throw usageError(
      `audit: trail ${coverage.recordedBy ?? ''} already records management events and audit.dataEventTypes ` +
        `is empty, so the audit trail would record nothing.`,
      'Add data-event types to "audit.dataEventTypes", or set "audit.enabled" to false.',
    );
  }
  const desired: TrailState = {
    arn,
    homeRegion: region,
    s3: { bucket, prefix: audit.s3KeyPrefix },
    multiRegion: audit.multiRegion,
    logFileValidation: true,
    cloudWatchLogs: audit.cloudWatchLogs
      ? {
          logGroupArn: logGroupArn(region, account, audit.logGroupName),
          roleArn: roleArn(region, account, audit.roleName),
        }
      : null,
    eventSelectors: normalizeSelectors(selectors),
    logging: true,
    managedTag: true,
  };
  const plan: TrailPlan = {
    ct: ctx.aws.get(CloudTrailClient),
    name: audit.trailName,
    arn,
    region,
    bucket,
    selectors,
    desired,
  };
  return {
    resource: 'cloudtrail-trail',
    name: audit.trailName,
    desired,
    read: () => readTrail(plan),
    attributes: trailAttributes(ctx, plan),
    ownership: trailOwnership(plan),
    create: () =>
      trailWrite(ctx, () =>
        plan.ct.send(new CreateTrailCommand({ ...trailSettingsInput(plan, false), TagsList: MANAGED_TAGS })),
      ),
    alreadyExists: (err) => errorName(err) === 'TrailAlreadyExistsException',
    update: () => trailWrite(ctx, () => plan.ct.send(new UpdateTrailCommand(trailSettingsInput(plan, true)))),
    remove: () => deleteTrail(plan),
  };
}

async function deleteTrail(plan: TrailPlan): Promise<void> {
  try {
    await plan.ct.send(new DeleteTrailCommand({ Name: plan.name }));
  } catch (err) {
    if (!notFound(err)) throw err;
  }
}

/** What the trail does with management events (read once per run), for the setup outcome. */
export async function trailCoverage(ctx: Ctx): Promise<ManagementCoverage> {
  const { region, audit } = ctx.settings;
  return managementCoverage(ctx, trailArn(region, await ctx.account(), audit.trailName));
}
