import { z } from 'zod';
import * as v from '../core/validate.js';
import { RatesSchema } from '../pricing/table.js';
import { checkDataEventType, checkTrailName } from '../core/cloudtrail.js';
import { checkRoleName as checkAssumeRoleName, parseAccounts, parseRegions } from '../core/targets.js';

/** The config file's schema: strict, so an unknown key or a bad value is an error naming the key. */

function check<T>(fn: (x: T) => string | undefined) {
  return (x: T, ctx: z.RefinementCtx) => {
    const msg = fn(x);
    if (msg) ctx.addIssue({ code: z.ZodIssueCode.custom, message: msg });
  };
}

const positiveInt = z.number().int('must be a whole number').positive('must be greater than zero');

const nonNegative = z.number().nonnegative('must be zero or more');

/** `audit`: the CloudTrail trail for Bedrock, its optional CloudWatch Logs delivery and the security view. */
const AuditSchema = z
  .object({
    enabled: z.boolean().optional(),
    trailName: z.string().superRefine(check(checkTrailName)).optional(),
    multiRegion: z.boolean().optional(),
    s3KeyPrefix: z.string().superRefine(check(v.checkKeyPrefix)).optional(),
    dataEventTypes: z.array(z.string().superRefine(check(checkDataEventType))).optional(),
    managementEvents: z.union([z.literal('auto'), z.boolean()]).optional(),
    cloudWatchLogs: z.boolean().optional(),
    logGroupName: z.string().superRefine(check(v.checkLogGroupName)).optional(),
    logRetentionDays: z.number().superRefine(check(v.checkRetentionDays)).optional(),
    roleName: z.string().superRefine(check(v.checkRoleName)).optional(),
    dashboardName: z.string().superRefine(check(v.checkDashboardName)).optional(),
    alarms: z
      .object({
        enabled: z.boolean().optional(),
        prefix: z.string().superRefine(check(v.checkAlarmPrefix)).optional(),
        refusedCallsPer5Min: nonNegative.optional(),
        guardrailInterventionsPerHour: nonNegative.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const percent = z.number().positive('must be greater than zero').max(1_000_000, 'must be at most 1000000 (percent)');

/** AWS Budgets cost budget (opt-in: made only when monthlyUsd is set). */
const BudgetSchema = z
  .object({
    monthlyUsd: z.number().positive('must be greater than zero').optional(),
    name: z.string().superRefine(check(v.checkBudgetName)).optional(),
    services: z.array(z.string().min(1, 'must not be empty')).min(1, 'needs at least one service name').optional(),
    actualPercent: percent.optional(),
    forecastedPercent: percent.optional(),
  })
  .strict();

/** Anomaly-detection alarms on invocations and tokens (opt-in). */
const AnomalySchema = z
  .object({
    enabled: z.boolean().optional(),
    models: z.array(z.string().min(1, 'must not be empty')).optional(),
    bandWidth: z.number().positive('must be greater than zero').max(100, 'must be at most 100').optional(),
    prefix: z.string().superRefine(check(v.checkAlarmPrefix)).optional(),
  })
  .strict();

/** Quota headroom in the report. */
const QuotasSchema = z
  .object({
    warnPercent: percent.optional(),
    burndown: z.record(z.string().min(1), z.number().positive('must be greater than zero')).optional(),
  })
  .strict();

/** A flag's parser as a refinement: the value is kept as typed (a list, or the flag's comma-separated form). */
function parsedBy(parse: (raw: string) => unknown) {
  return (x: string | string[], ctx: z.RefinementCtx) => {
    const r = parse(Array.isArray(x) ? x.join(',') : x);
    if (typeof r === 'object' && r !== null && 'error' in r)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (r as { error: string }).error });
  };
}

/** Which accounts and Regions commands work on (the --regions/--accounts/--assume-role flags; docs/fleet.md). */
const TargetsSchema = z
  .object({
    regions: z
      .union([z.string(), z.array(z.string())])
      .superRefine(parsedBy(parseRegions))
      .optional(),
    accounts: z
      .union([z.string(), z.array(z.string())])
      .superRefine(parsedBy(parseAccounts))
      .optional(),
    assumeRole: z.string().superRefine(check(checkAssumeRoleName)).optional(),
    externalId: z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 of A-Z a-z 0-9 +=,.@:/-')
      .optional(),
    concurrency: positiveInt.max(64, 'must be at most 64').optional(),
    homeRegion: z.string().superRefine(check(v.checkRegion)).optional(),
  })
  .strict();

/** The config file, validated strictly: an unknown key or a bad value is an error naming the key. */
export const ConfigFileSchema = z
  .object({
    $schema: z.string().optional(),
    region: z.string().superRefine(check(v.checkRegion)).optional(),
    roleName: z.string().superRefine(check(v.checkRoleName)).optional(),
    bucketName: z.string().superRefine(check(v.checkBucketName)).optional(),
    logGroupName: z.string().superRefine(check(v.checkLogGroupName)).optional(),
    logRetentionDays: z.number().superRefine(check(v.checkRetentionDays)).optional(),
    bucketExpirationDays: positiveInt.optional(),
    noncurrentExpirationDays: positiveInt.optional(),
    abortIncompleteMultipartUploadDays: positiveInt.optional(),
    kmsKeyId: z.string().superRefine(check(v.checkKmsKey)).optional(),
    logGroupKmsKeyArn: z
      .string()
      .regex(/^arn:aws[\w-]*:kms:/, 'must be a KMS key ARN')
      .optional(),
    logging: z
      .object({
        destinations: z
          .array(z.enum(['cloudwatch', 's3']))
          .min(1, 'needs at least one of cloudwatch, s3')
          .optional(),
        textDataDeliveryEnabled: z.boolean().optional(),
        imageDataDeliveryEnabled: z.boolean().optional(),
        embeddingDataDeliveryEnabled: z.boolean().optional(),
        videoDataDeliveryEnabled: z.boolean().optional(),
        audioDataDeliveryEnabled: z.boolean().optional(),
        s3KeyPrefix: z.string().superRefine(check(v.checkKeyPrefix)).optional(),
        largeDataS3KeyPrefix: z.string().superRefine(check(v.checkKeyPrefix)).optional(),
      })
      .strict()
      .optional(),
    dashboardName: z.string().superRefine(check(v.checkDashboardName)).optional(),
    alarms: z
      .object({
        topicName: z.string().superRefine(check(v.checkTopicName)).optional(),
        prefix: z.string().superRefine(check(v.checkAlarmPrefix)).optional(),
        emails: z.array(z.string().superRefine(check(v.checkEmail))).optional(),
        costModelId: z.string().min(1).optional(),
        thresholds: z
          .object({
            tokensPerHour: z.number().positive('must be greater than zero').optional(),
            errorsPer5Min: z.number().positive('must be greater than zero').optional(),
            invocationsPerHour: z.number().positive('must be greater than zero').optional(),
            latencyMs: z.number().positive('must be greater than zero').optional(),
            costUsdPerHour: z.number().positive('must be greater than zero').nullable().optional(),
          })
          .strict()
          .optional(),
        anomaly: AnomalySchema.optional(),
      })
      .strict()
      .optional(),
    prices: z.record(z.string().min(1), RatesSchema).optional(),
    audit: AuditSchema.optional(),
    /** `bill`: where the CUR 2.0 Data Export is (s3://BUCKET/PREFIX), for `bedrock-monitor bill`. */
    bill: z
      .object({
        enabled: z.boolean().optional(),
        cur: z
          .string()
          .regex(/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/, 'must be s3://BUCKET/PREFIX')
          .optional(),
      })
      .strict()
      .optional(),
    budget: BudgetSchema.optional(),
    quotas: QuotasSchema.optional(),
    athena: z
      .object({
        enabled: z.boolean().optional(),
        database: z.string().superRefine(check(v.checkAthenaName)).optional(),
        table: z.string().superRefine(check(v.checkAthenaName)).optional(),
        workgroup: z.string().superRefine(check(v.checkWorkgroup)).optional(),
        resultsPrefix: z.string().min(1, 'must not be empty').superRefine(check(v.checkKeyPrefix)).optional(),
      })
      .strict()
      .optional(),
    contributorInsights: z.boolean().optional(),
    targets: TargetsSchema.optional(),
  })
  .strict();

export type ConfigFile = z.infer<typeof ConfigFileSchema>;
