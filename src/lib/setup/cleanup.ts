import { BedrockClient, DeleteModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import { CloudWatchClient, DeleteDashboardsCommand, GetDashboardCommand, ListTagsForResourceCommand as ListAlarmTags } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient, DeleteLogGroupCommand, ListTagsForResourceCommand as ListLogTags } from '@aws-sdk/client-cloudwatch-logs';
import {
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { DeleteBucketCommand, DeleteBucketPolicyCommand, DeleteObjectsCommand, GetBucketTaggingCommand, ListObjectVersionsCommand, S3Client, type ObjectIdentifier } from '@aws-sdk/client-s3';
import { DeleteTopicCommand, GetTopicAttributesCommand, ListTagsForResourceCommand as ListTopicTags, SNSClient } from '@aws-sdk/client-sns';
import type { Ctx } from '../context/context.js';
import type { Outcome } from '../aws/ensure.js';
import { absentIfNotFound } from '../aws/errors.js';
import { usageError } from '../core/errors.js';
import type { Output } from '../io/output.js';
import { askConfirm } from '../io/prompts.js';
import { renderOutcomes } from './render.js';
import { hasManagedTag, logGroupArn } from '../aws/names.js';
import { alarmsWithPrefix, deleteAlarms } from '../resources/alarms.js';
import { bucketRegion } from '../resources/bucket.js';
import { findLogGroup } from '../resources/log-group.js';
import { describeTargets, ownTargets, pointsElsewhere, readLoggingConfig } from '../resources/logging.js';
import { topicArn } from '../resources/topic.js';

/** One resource cleanup found: whether the tool owns it, and how to delete it. */
export interface Candidate {
  resource: string;
  name: string;
  owned: boolean;
  /** Why an unowned resource is left alone. */
  reason?: string;
  remove(): Promise<void>;
}

export interface CleanupOptions {
  keepLogs: boolean;
}

/**
 * Finds every resource setup creates, in the order they must be deleted (dependants first):
 * logging configuration, alarms, dashboard, topic, log group, bucket, role. Reads only.
 */
export async function findCandidates(ctx: Ctx, opts: CleanupOptions): Promise<{ candidates: Candidate[]; warnings: string[] }> {
  const warnings: string[] = [];
  const { region, roleName, logGroupName, dashboardName } = ctx.settings;
  const account = await ctx.account();
  const iam = ctx.aws.get(IAMClient);
  const s3 = ctx.aws.get(S3Client);
  const logs = ctx.aws.get(CloudWatchLogsClient);
  const cw = ctx.aws.get(CloudWatchClient);
  const sns = ctx.aws.get(SNSClient);
  const bucket = await ctx.bucketName();
  const topic = await topicArn(ctx);
  const untagged = 'not tagged ManagedBy=bedrock-monitor: left alone (use --force to delete it anyway)';

  const [logging, own, alarms, dashboard, topicAttrs, group, role, bucketWhere] = await Promise.all([
    readLoggingConfig(ctx),
    ownTargets(ctx),
    alarmsWithPrefix(ctx),
    absentIfNotFound(cw.send(new GetDashboardCommand({ DashboardName: dashboardName }))),
    absentIfNotFound(sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))),
    opts.keepLogs ? undefined : findLogGroup(logs, logGroupName),
    absentIfNotFound(iam.send(new GetRoleCommand({ RoleName: roleName }))),
    opts.keepLogs ? undefined : bucketRegion(s3, bucket),
  ]);

  const candidates: Candidate[] = [];
  if (logging) {
    if (pointsElsewhere(logging, own)) {
      warnings.push(`the model invocation logging configuration in ${region} points at ${describeTargets(logging)}, not at this tool's resources: left alone`);
    } else {
      candidates.push({
        resource: 'logging-config',
        name: region,
        owned: true,
        remove: async () => void (await ctx.aws.get(BedrockClient).send(new DeleteModelInvocationLoggingConfigurationCommand({}))),
      });
    }
  }
  const alarmTags = await Promise.all(alarms.map((a) => cw.send(new ListAlarmTags({ ResourceARN: a.AlarmArn }))));
  const ownedAlarms = alarms.filter((_a, i) => hasManagedTag(alarmTags[i]?.Tags)).sort((a, b) => (a.AlarmName ?? '').localeCompare(b.AlarmName ?? ''));
  for (const a of alarms.filter((x) => !ownedAlarms.includes(x))) {
    candidates.push({ resource: 'alarm', name: a.AlarmName ?? '', owned: false, reason: untagged, remove: () => deleteAlarms(ctx, [a.AlarmName ?? '']) });
  }
  for (const a of ownedAlarms) candidates.push({ resource: 'alarm', name: a.AlarmName ?? '', owned: true, remove: () => deleteAlarms(ctx, [a.AlarmName ?? '']) });
  if (dashboard) {
    // Dashboards cannot be tagged: the configured name is the tool's.
    candidates.push({ resource: 'dashboard', name: dashboardName, owned: true, remove: async () => void (await cw.send(new DeleteDashboardsCommand({ DashboardNames: [dashboardName] }))) });
  }
  if (topicAttrs) {
    const tags = await absentIfNotFound(sns.send(new ListTopicTags({ ResourceArn: topic })));
    const owned = hasManagedTag(tags?.Tags);
    candidates.push({
      resource: 'sns-topic',
      name: ctx.settings.alarms.topicName,
      owned,
      ...(owned ? {} : { reason: untagged }),
      // Deleting a topic deletes its subscriptions.
      remove: async () => void (await sns.send(new DeleteTopicCommand({ TopicArn: topic }))),
    });
  }
  if (group) {
    const tags = await absentIfNotFound(logs.send(new ListLogTags({ resourceArn: logGroupArn(region, account, logGroupName) })));
    const owned = hasManagedTag(tags?.tags);
    candidates.push({ resource: 'log-group', name: logGroupName, owned, ...(owned ? {} : { reason: untagged }), remove: async () => void (await logs.send(new DeleteLogGroupCommand({ logGroupName }))) });
  }
  if (bucketWhere) {
    const tags = await absentIfNotFound(s3.send(new GetBucketTaggingCommand({ Bucket: bucket })));
    const owned = hasManagedTag(tags?.TagSet);
    candidates.push({ resource: 's3-bucket', name: bucket, owned, ...(owned ? {} : { reason: untagged }), remove: () => emptyAndDeleteBucket(ctx, bucket) });
  }
  if (role?.Role) {
    const owned = hasManagedTag(role.Role.Tags);
    candidates.push({ resource: 'iam-role', name: roleName, owned, ...(owned ? {} : { reason: untagged }), remove: () => deleteRole(ctx, roleName) });
  }
  return { candidates, warnings };
}

/**
 * Deletes the bucket policy (so that no Deny statement, such as ours for plain-HTTP requests, can
 * block the emptying), every object version and delete marker, 1,000 per request, then the bucket.
 */
export async function emptyAndDeleteBucket(ctx: Ctx, bucket: string): Promise<void> {
  const s3 = ctx.aws.get(S3Client);
  await absentIfNotFound(s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket })));
  // Always list from the start: what was deleted is gone, so markers into a shrinking listing are not needed.
  for (;;) {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, MaxKeys: 1000 }));
    const objects: ObjectIdentifier[] = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key, VersionId: v.VersionId }));
    if (objects.length === 0) break;
    for (let i = 0; i < objects.length; i += 1000) {
      const r = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects.slice(i, i + 1000), Quiet: true } }));
      if (r.Errors?.length) throw new Error(`could not delete ${r.Errors.length} objects from ${bucket}: ${r.Errors[0]?.Code ?? ''} ${r.Errors[0]?.Message ?? ''}`);
    }
  }
  await s3.send(new DeleteBucketCommand({ Bucket: bucket }));
}

/** Inline policies first, then attached managed policies are detached (not deleted), then the role. */
export async function deleteRole(ctx: Ctx, roleName: string): Promise<void> {
  const iam = ctx.aws.get(IAMClient);
  const inline = await iam.send(new ListRolePoliciesCommand({ RoleName: roleName }));
  for (const PolicyName of inline.PolicyNames ?? []) await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName }));
  const attached = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
  for (const p of attached.AttachedPolicies ?? []) await iam.send(new DetachRolePolicyCommand({ RoleName: roleName, PolicyArn: p.PolicyArn }));
  await iam.send(new DeleteRoleCommand({ RoleName: roleName }));
}

/** Deletes in order; a resource already gone (another run) counts as deleted. */
export async function removeCandidates(ctx: Ctx, candidates: Candidate[], force: boolean): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const deletable = (c: Candidate): boolean => (c.owned || force) && !ctx.dryRun;
  // Alarms go in one DeleteAlarms call (up to 100 names each) rather than one call per alarm.
  const alarmNames = candidates.filter((c) => c.resource === 'alarm' && deletable(c)).map((c) => c.name);
  let alarmsDeleted = false;
  for (const c of candidates) {
    const base = { resource: c.resource, name: c.name, changes: [] };
    if (!c.owned && !force) {
      outcomes.push({ ...base, action: 'skipped', note: c.reason ?? 'not owned' });
      continue;
    }
    if (ctx.dryRun) {
      outcomes.push({ ...base, action: 'would-delete' });
      continue;
    }
    if (c.resource === 'alarm') {
      if (!alarmsDeleted) await deleteAlarms(ctx, alarmNames);
      alarmsDeleted = true;
    } else {
      await absentIfNotFound(c.remove());
    }
    outcomes.push({ ...base, action: 'deleted' });
  }
  return outcomes;
}

export interface CleanupData {
  region: string;
  outcomes: Outcome[];
  warnings: string[];
}

export async function runCleanup(ctx: Ctx, opts: CleanupOptions): Promise<CleanupData> {
  const out = ctx.out;
  const { candidates, warnings } = await findCandidates(ctx, opts);
  for (const w of warnings) out.warn(w);
  const toDelete = candidates.filter((c) => c.owned || ctx.force);
  if (toDelete.length && !ctx.dryRun && !ctx.yes) {
    if (!ctx.interactive) {
      throw usageError(`cleanup would delete ${toDelete.length} resources and there is no terminal to confirm on: pass --yes to delete, or --dry-run to list them.`);
    }
    const list = out.toStderr();
    list.print(`cleanup will delete in ${ctx.settings.region}:`);
    for (const c of toDelete) list.print(`  ${c.resource.padEnd(16)} ${c.name}`);
    if (!(await askConfirm(out.io, `Delete these ${toDelete.length} resources?`, false))) throw usageError('Aborted: nothing was deleted.');
  }
  const outcomes = await removeCandidates(ctx, candidates, ctx.force);
  for (const o of outcomes.filter((x) => x.action === 'skipped')) out.warn(`${o.resource} ${o.name}: ${o.note ?? ''}`);
  return { region: ctx.settings.region, outcomes, warnings };
}

export function renderCleanup(out: Output, data: CleanupData, keepLogs: boolean): void {
  if (data.outcomes.length === 0) {
    out.print(`Nothing to remove: no bedrock-monitor resources in ${data.region}.`);
    return;
  }
  renderOutcomes(out, data.outcomes);
  if (keepLogs) out.print('\n--keep-logs: the S3 bucket and the log group (the logged data) were kept.');
}
