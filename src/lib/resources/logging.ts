import {
  BedrockClient,
  DeleteModelInvocationLoggingConfigurationCommand,
  GetModelInvocationLoggingConfigurationCommand,
  PutModelInvocationLoggingConfigurationCommand,
} from '../sdk/client-bedrock.js';
import type { LoggingConfig } from '@aws-sdk/client-bedrock';
import { CloudWatchLogsClient } from '../sdk/client-cloudwatch-logs.js';
import { GetRoleCommand, IAMClient } from '../sdk/client-iam.js';
import { S3Client } from '../sdk/client-s3.js';
import type { RegionView } from '../config/settings.js';
import type { RegionCtx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, errorName, isAwsError } from '../aws/errors.js';
import { BmError, ExitCode, usageError } from '../core/errors.js';
import { roleArn } from '../aws/names.js';
import { bucketRegion } from './bucket.js';
import { findLogGroup } from './log-group.js';

export interface LoggingState {
  cloudWatchConfig: {
    logGroupName: string;
    roleArn: string;
    largeDataBucket: string | null;
    largeDataKeyPrefix: string | null;
  } | null;
  s3Config: { bucketName: string; keyPrefix: string } | null;
  textDataDeliveryEnabled: boolean;
  imageDataDeliveryEnabled: boolean;
  embeddingDataDeliveryEnabled: boolean;
  videoDataDeliveryEnabled: boolean;
  audioDataDeliveryEnabled: boolean;
}

/** The data-type flags, each written explicitly: a put that omits one turns it off. */
export const DELIVERY_FLAGS = [
  'textDataDeliveryEnabled',
  'imageDataDeliveryEnabled',
  'embeddingDataDeliveryEnabled',
  'videoDataDeliveryEnabled',
  'audioDataDeliveryEnabled',
] as const;

export function normalizeLoggingConfig(c: LoggingConfig | undefined): LoggingState | undefined {
  if (!c || (!c.cloudWatchConfig && !c.s3Config)) return undefined;
  const cw = c.cloudWatchConfig;
  return {
    cloudWatchConfig: cw?.logGroupName
      ? {
          logGroupName: cw.logGroupName,
          roleArn: cw.roleArn ?? '',
          largeDataBucket: cw.largeDataDeliveryS3Config?.bucketName ?? null,
          largeDataKeyPrefix: cw.largeDataDeliveryS3Config?.bucketName
            ? (cw.largeDataDeliveryS3Config.keyPrefix ?? '')
            : null,
        }
      : null,
    s3Config: c.s3Config?.bucketName
      ? { bucketName: c.s3Config.bucketName, keyPrefix: c.s3Config.keyPrefix ?? '' }
      : null,
    ...flagsOf(c),
  };
}

function flagsOf(
  c: Pick<LoggingConfig, (typeof DELIVERY_FLAGS)[number]>,
): Pick<LoggingState, (typeof DELIVERY_FLAGS)[number]> {
  return Object.fromEntries(DELIVERY_FLAGS.map((f) => [f, c[f] ?? false])) as Pick<
    LoggingState,
    (typeof DELIVERY_FLAGS)[number]
  >;
}

export function toLoggingConfig(s: LoggingState): LoggingConfig {
  const cw = s.cloudWatchConfig;
  return {
    ...(cw
      ? {
          cloudWatchConfig: {
            logGroupName: cw.logGroupName,
            roleArn: cw.roleArn,
            ...(cw.largeDataBucket
              ? {
                  largeDataDeliveryS3Config: { bucketName: cw.largeDataBucket, keyPrefix: cw.largeDataKeyPrefix ?? '' },
                }
              : {}),
          },
        }
      : {}),
    ...(s.s3Config ? { s3Config: { bucketName: s.s3Config.bucketName, keyPrefix: s.s3Config.keyPrefix } } : {}),
    ...flagsOf(s),
  };
}

/** The names a configuration must point at to count as this tool's. */
export interface OwnTargets {
  logGroupName: string;
  roleArn: string;
  bucketName: string;
}

/** True when a configuration sends logs somewhere that is not one of this tool's resources. */
export function pointsElsewhere(actual: LoggingState, own: OwnTargets): boolean {
  const cw = actual.cloudWatchConfig;
  if (cw && (cw.logGroupName !== own.logGroupName || cw.roleArn !== own.roleArn)) return true;
  if (cw?.largeDataBucket && cw.largeDataBucket !== own.bucketName) return true;
  if (actual.s3Config && actual.s3Config.bucketName !== own.bucketName) return true;
  return false;
}

export async function ownTargets(ctx: RegionCtx): Promise<OwnTargets> {
  return {
    logGroupName: ctx.settings.logGroupName,
    roleArn: roleArn(ctx.settings.region, await ctx.account(), ctx.settings.roleName),
    bucketName: await ctx.bucketName(),
  };
}

export async function readLoggingConfig(ctx: RegionCtx): Promise<LoggingState | undefined> {
  const r = await absentIfNotFound(
    ctx.aws.get(BedrockClient).send(new GetModelInvocationLoggingConfigurationCommand({})),
  );
  return normalizeLoggingConfig(r?.loggingConfig);
}

const PERMISSION_RETRY = /failed to validate permissions/i;
/** Backoff for IAM propagation: about a minute in all. */
export const PERMISSION_RETRY_DELAYS_MS = [2000, 3000, 5000, 8000, 10000, 15000, 17000];

function desiredLogging(settings: RegionView, own: OwnTargets): LoggingState {
  const { logging } = settings;
  const wantCw = logging.destinations.includes('cloudwatch');
  return {
    cloudWatchConfig: wantCw
      ? {
          logGroupName: own.logGroupName,
          roleArn: own.roleArn,
          largeDataBucket: logging.largeDataS3KeyPrefix !== undefined ? own.bucketName : null,
          largeDataKeyPrefix: logging.largeDataS3KeyPrefix ?? null,
        }
      : null,
    s3Config: logging.destinations.includes('s3')
      ? { bucketName: own.bucketName, keyPrefix: logging.s3KeyPrefix }
      : null,
    ...flagsOf(logging),
  };
}

/**
 * Puts the configuration, retrying with backoff while Bedrock cannot use a role that IAM has not
 * propagated yet ("Failed to validate permissions"); any other error is thrown at once.
 */
async function putLogging(ctx: RegionCtx, desired: LoggingState, roleArnText: string): Promise<void> {
  const bedrock = ctx.aws.get(BedrockClient);
  const command = new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: toLoggingConfig(desired) });
  for (let attempt = 0; ; attempt++) {
    try {
      await bedrock.send(command);
      return;
    } catch (err) {
      const delay = PERMISSION_RETRY_DELAYS_MS[attempt];
      const propagation = isAwsError(err) && PERMISSION_RETRY.test(err.message);
      if (!(propagation && errorName(err) === 'ValidationException') || delay === undefined) {
        if (propagation) {
          throw new BmError(
            `Bedrock still cannot use role ${roleArnText} after ${attempt + 1} attempts: ${err.message}`,
            {
              code: 'E_AWS_ROLE_NOT_USABLE',
              hint:
                'Run `bedrock-monitor status` to check the role and bucket policy, repair with `setup-iam` / ' +
                '`create-bucket`, then retry.',
              cause: err,
            },
          );
        }
        throw err;
      }
      ctx.events.note(
        `Bedrock cannot use the role yet (IAM changes take a moment to propagate); retrying in ` +
          `${delay / 1000}s (attempt ${attempt + 2}/${PERMISSION_RETRY_DELAYS_MS.length + 1})`,
      );
      await ctx.sleep(delay);
    }
  }
}

/** One configuration per Region: it is the tool's when it sends logs only to the tool's resources. */
function loggingOwnership(ctx: RegionCtx, own: OwnTargets): ResourceDef<LoggingState>['ownership'] {
  return {
    rule: "pointing at this tool's role, log group and bucket",
    owns: (s) => !pointsElsewhere(s, own),
    forceDeletes: false,
    describeForeign: (actual) => `points at ${describeTargets(actual)}, not at this tool's resources`,
    refusal: (actual) =>
      usageError(
        `Model invocation logging in ${ctx.settings.region} already points elsewhere: ` +
          `${describeTargets(actual)}. Refusing to replace it.`,
        "Pass --force to replace it with this tool's configuration (the other destinations stop receiving logs).",
        { current: actual },
        'E_REFUSED_FOREIGN_LOGGING',
      ),
  };
}

export async function loggingResource(ctx: RegionCtx): Promise<ResourceDef<LoggingState>> {
  const own = await ownTargets(ctx);
  const desired = desiredLogging(ctx.settings, own);
  const put = (): Promise<void> => putLogging(ctx, desired, own.roleArn);
  return {
    resource: 'logging-config',
    name: ctx.settings.region,
    desired,
    read: () => readLoggingConfig(ctx),
    ownership: loggingOwnership(ctx, own),
    remove: async () =>
      void (await ctx.aws.get(BedrockClient).send(new DeleteModelInvocationLoggingConfigurationCommand({}))),
    attributes: [
      { field: 'cloudWatchConfig', get: (s) => s.cloudWatchConfig },
      { field: 's3Config', get: (s) => s.s3Config },
      ...DELIVERY_FLAGS.map((f) => ({ field: f, get: (s: LoggingState) => s[f] })),
    ],
    create: put,
    update: put,
  };
}

export function describeTargets(s: LoggingState): string {
  const parts: string[] = [];
  if (s.cloudWatchConfig)
    parts.push(`CloudWatch Logs ${s.cloudWatchConfig.logGroupName} (role ${s.cloudWatchConfig.roleArn})`);
  if (s.s3Config) parts.push(`S3 s3://${s.s3Config.bucketName}/${s.s3Config.keyPrefix}`);
  return parts.join(' and ') || 'no destination';
}

/** enable-logging needs the role, log group and bucket it points at: name the step that makes each. */
export async function checkPrerequisites(ctx: RegionCtx): Promise<void> {
  const { logging, roleName, logGroupName } = ctx.settings;
  const missing: string[] = [];
  const checks: Promise<void>[] = [];
  if (logging.destinations.includes('cloudwatch')) {
    checks.push(
      absentIfNotFound(ctx.aws.get(IAMClient).send(new GetRoleCommand({ RoleName: roleName }))).then((r) => {
        if (!r?.Role) missing.push(`IAM role ${roleName} (run \`bedrock-monitor setup-iam\`)`);
      }),
      findLogGroup(ctx.aws.get(CloudWatchLogsClient), logGroupName).then((g) => {
        if (!g) missing.push(`log group ${logGroupName} (run \`bedrock-monitor create-log-group\`)`);
      }),
    );
  }
  if (logging.destinations.includes('s3') || logging.largeDataS3KeyPrefix !== undefined) {
    const bucket = await ctx.bucketName();
    checks.push(
      bucketRegion(ctx.aws.get(S3Client), bucket).then((r) => {
        if (!r) missing.push(`S3 bucket ${bucket} (run \`bedrock-monitor create-bucket\`)`);
      }),
    );
  }
  await Promise.all(checks);
  if (missing.length) {
    throw new BmError(`enable-logging needs resources that do not exist: ${missing.sort().join('; ')}.`, {
      exitCode: ExitCode.failure,
      code: 'E_PREREQUISITE_MISSING',
      hint: 'Or run `bedrock-monitor setup-all` to create everything in order.',
    });
  }
}
