import { IAMClient } from '../sdk/client-iam.js';
import type { Ctx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { logGroupArn } from '../aws/names.js';
import type { PolicyDocument } from '../aws/policy.js';
import { logGroupResource, type LogGroupState } from './log-group.js';
import { serviceRoleResource, type RoleState } from './role.js';

/**
 * CloudWatch Logs delivery for the audit trail (`audit.cloudWatchLogs`): its own log group and the
 * role CloudTrail assumes to write to it, as AWS documents them
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html).
 */

export const TRAIL_LOGS_POLICY_NAME = 'BedrockMonitorCloudTrailToLogs';

/** The documented trust policy. AWS notes that aws:SourceArn/SourceAccount do not apply to this role. */
export function trailLogsTrustPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' }],
  };
}

/**
 * CreateLogStream and PutLogEvents on the trail's streams only. CloudTrail names them
 * `<account>_CloudTrail_<region>…`; a multi-Region trail writes one per source Region into the one
 * group, so the pattern then leaves the Region open.
 */
export function trailLogsPolicy(
  region: string,
  account: string,
  logGroupName: string,
  multiRegion: boolean,
): PolicyDocument {
  const streams = `${account}_CloudTrail_${multiRegion ? '' : region}*`;
  const stream = `${logGroupArn(region, account, logGroupName)}:log-stream:${streams}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AWSCloudTrailCreateLogStream2014110',
        Effect: 'Allow',
        Action: ['logs:CreateLogStream'],
        Resource: [stream],
      },
      { Sid: 'AWSCloudTrailPutLogEvents20141101', Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: [stream] },
    ],
  };
}

export async function trailLogsRoleResource(ctx: Ctx): Promise<ResourceDef<RoleState>> {
  const { region, audit } = ctx.settings;
  const account = await ctx.account();
  return serviceRoleResource(ctx.aws.get(IAMClient), {
    roleName: audit.roleName,
    policyName: TRAIL_LOGS_POLICY_NAME,
    trust: trailLogsTrustPolicy(),
    permissions: trailLogsPolicy(region, account, audit.logGroupName, audit.multiRegion),
    description:
      `Lets CloudTrail deliver the audit trail ${audit.trailName} to CloudWatch Logs (managed by ` + `bedrock-monitor)`,
  });
}

/** The trail's log group: the invocation log group's definition, with the audit name and retention. */
export function trailLogGroupResource(ctx: Ctx): Promise<ResourceDef<LogGroupState>> {
  const { audit } = ctx.settings;
  return logGroupResource({
    ...ctx,
    settings: {
      ...ctx.settings,
      logGroupName: audit.logGroupName,
      logRetentionDays: audit.logRetentionDays,
      logGroupKmsKeyArn: undefined,
    },
  });
}
