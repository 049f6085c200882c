import { CreateRoleCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, PutRolePolicyCommand, TagRoleCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import type { Ctx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, errorName } from '../aws/errors.js';
import { logGroupArn } from '../aws/names.js';
import { hasManagedTag, MANAGED_TAG_RULE, MANAGED_TAGS } from '../aws/ownership.js';
import { normalizePolicy, type PolicyDocument } from '../aws/policy.js';
import { logGroupResource, type LogGroupState } from './log-group.js';
import { deleteRole, type RoleState } from './role.js';

/**
 * CloudWatch Logs delivery for the audit trail (`audit.cloudWatchLogs`): its own log group and the
 * role CloudTrail assumes to write to it, as AWS documents them
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html).
 */

export const TRAIL_LOGS_POLICY_NAME = 'BedrockMonitorCloudTrailToLogs';

/** The documented trust policy. AWS notes that aws:SourceArn/SourceAccount do not apply to this role. */
export function trailLogsTrustPolicy(): PolicyDocument {
  return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
}

/**
 * CreateLogStream and PutLogEvents on the trail's streams only. CloudTrail names them
 * `<account>_CloudTrail_<region>…`; a multi-Region trail writes one per source Region into the one
 * group, so the pattern then leaves the Region open.
 */
export function trailLogsPolicy(region: string, account: string, logGroupName: string, multiRegion: boolean): PolicyDocument {
  const stream = `${logGroupArn(region, account, logGroupName)}:log-stream:${account}_CloudTrail_${multiRegion ? '' : region}*`;
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'AWSCloudTrailCreateLogStream2014110', Effect: 'Allow', Action: ['logs:CreateLogStream'], Resource: [stream] },
      { Sid: 'AWSCloudTrailPutLogEvents20141101', Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [stream] },
    ],
  };
}

export async function trailLogsRoleResource(ctx: Ctx): Promise<ResourceDef<RoleState>> {
  const { region, audit } = ctx.settings;
  const account = await ctx.account();
  const iam = ctx.aws.get(IAMClient);
  const roleName = audit.roleName;
  const trust = trailLogsTrustPolicy();
  const permissions = trailLogsPolicy(region, account, audit.logGroupName, audit.multiRegion);
  const putPolicy = async (): Promise<void> => void (await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: TRAIL_LOGS_POLICY_NAME, PolicyDocument: JSON.stringify(permissions) })));
  return {
    resource: 'iam-role',
    name: roleName,
    desired: { trustPolicy: normalizePolicy(trust), inlinePolicy: normalizePolicy(permissions), managedTag: true },
    async read() {
      const role = await absentIfNotFound(iam.send(new GetRoleCommand({ RoleName: roleName })));
      if (!role?.Role) return undefined;
      const inline = await absentIfNotFound(iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: TRAIL_LOGS_POLICY_NAME })));
      return { trustPolicy: normalizePolicy(role.Role.AssumeRolePolicyDocument), inlinePolicy: normalizePolicy(inline?.PolicyDocument), managedTag: hasManagedTag(role.Role.Tags) };
    },
    ownership: { rule: MANAGED_TAG_RULE, owns: (s) => s.managedTag },
    attributes: [
      { field: 'trustPolicy', get: (s) => s.trustPolicy, update: async () => void (await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(trust) }))) },
      { field: 'inlinePolicy', get: (s) => s.inlinePolicy, afterCreate: true, update: putPolicy },
      { field: 'tags.ManagedBy', get: (s) => s.managedTag, update: async () => void (await iam.send(new TagRoleCommand({ RoleName: roleName, Tags: MANAGED_TAGS }))) },
    ],
    async create() {
      await iam.send(
        new CreateRoleCommand({
          RoleName: roleName,
          AssumeRolePolicyDocument: JSON.stringify(trust),
          Description: `Lets CloudTrail deliver the audit trail ${audit.trailName} to CloudWatch Logs (managed by bedrock-monitor)`,
          Tags: MANAGED_TAGS,
        }),
      );
    },
    alreadyExists: (err) => errorName(err) === 'EntityAlreadyExists' || errorName(err) === 'EntityAlreadyExistsException',
    remove: () => deleteRole(iam, roleName),
  };
}

/** The trail's log group: the invocation log group's definition, with the audit name and retention. */
export function trailLogGroupResource(ctx: Ctx): Promise<ResourceDef<LogGroupState>> {
  const { audit } = ctx.settings;
  return logGroupResource({ ...ctx, settings: { ...ctx.settings, logGroupName: audit.logGroupName, logRetentionDays: audit.logRetentionDays, logGroupKmsKeyArn: undefined } });
}
