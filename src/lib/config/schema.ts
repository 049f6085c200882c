import { z } from 'zod';
import * as v from '../core/validate.js';
import { RatesSchema } from '../pricing/table.js';
import { checkDataEventType, checkTrailName, DEFAULT_DATA_EVENT_TYPES } from '../core/cloudtrail.js';
import {
  checkRoleName as checkAssumeRoleName,
  DEFAULT_ASSUME_ROLE,
  DEFAULT_TARGET_CONCURRENCY,
  parseAccounts,
  parseRegions,
} from '../core/targets.js';

/**
 * The config file's schema, and the one declaration of every config key: its type, its check and its default
 * (`.default(…)`). Parsing a document gives the resolved settings (Settings in settings.ts is derived from it);
 * the file and the flags are checked by it (strict: an unknown key or a bad value is an error naming the key).
 * A default that depends on the Region or account is `.optional()` here and described in DERIVED_DEFAULTS.
 */

function check<T>(fn: (x: T) => string | undefined) {
  return (x: T, ctx: z.RefinementCtx) => {
    const msg = fn(x);
    if (msg) ctx.addIssue({ code: z.ZodIssueCode.custom, message: msg });
  };
}

const positiveInt = z.number().int('must be a whole number').positive('must be greater than zero');

const nonNegative = z.number().nonnegative('must be zero or more');

/** A list without repeats (the first of each kept). */
const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

/**
 * Where a key's value applies (docs/architecture.md, "Account and Region settings"). Unmarked keys are the
 * Region's: what each Region's resources are made of (bucket, log group, logging, dashboard, alarms, Athena,
 * the logging role), converged in every Region. `scoped('account', …)` marks a key of the account: one value per
 * account, for what is converged once per account in the home Region (the budget, the trail and its role and log
 * group, the CUR export). `scoped('run', …)` marks a key of the run itself (the targets, prices, quotas): neither
 * the account's nor the Region's resources. Settings in settings.ts splits by these marks.
 */
export type KeyScope = 'account' | 'run';
export interface Scoped<S extends KeyScope> {
  readonly settingScope: S;
}

function scoped<S extends KeyScope, T extends z.ZodTypeAny>(scope: S, schema: T): T & Scoped<S> {
  return Object.assign(schema, { settingScope: scope });
}

/** The defaults of settings that depend on the Region or account, described for `config get` and `config list`. */
export const DERIVED_DEFAULTS: Record<string, string> = {
  roleName: 'BedrockCloudWatchLoggingRole-<region>',
  bucketName: 'bedrock-logs-<account>-<region>',
  'audit.roleName': 'BedrockMonitorCloudTrailToLogs-<region>',
  'targets.homeRegion': '<region>',
};

/** `audit`: the CloudTrail trail for Bedrock, its optional CloudWatch Logs delivery and the security view. */
const AuditSchema = z
  .object({
    enabled: z.boolean().default(false),
    trailName: z.string().superRefine(check(checkTrailName)).default('bedrock-monitor-trail'),
    multiRegion: z.boolean().default(true),
    /** Where the trail writes in the log bucket: `<prefix>/AWSLogs/<account>/CloudTrail/...`. */
    s3KeyPrefix: z.string().superRefine(check(v.checkKeyPrefix)).default('cloudtrail'),
    dataEventTypes: z
      .array(z.string().superRefine(check(checkDataEventType)))
      .transform(unique)
      .default([...DEFAULT_DATA_EVENT_TYPES]),
    /** 'auto': only when no other logging trail in the account already records them. */
    managementEvents: z.union([z.literal('auto'), z.boolean()]).default('auto'),
    cloudWatchLogs: z.boolean().default(false),
    logGroupName: z.string().superRefine(check(v.checkLogGroupName)).default('/aws/cloudtrail/bedrock-monitor'),
    logRetentionDays: z.number().superRefine(check(v.checkRetentionDays)).default(90),
    /** Default: DERIVED_DEFAULTS. */
    roleName: z.string().superRefine(check(v.checkRoleName)).optional(),
    dashboardName: z.string().superRefine(check(v.checkDashboardName)).default('BedrockSecurity'),
    alarms: z
      .object({
        enabled: z.boolean().default(false),
        prefix: z.string().superRefine(check(v.checkAlarmPrefix)).default('BedrockSecurity-'),
        refusedCallsPer5Min: nonNegative.default(0),
        guardrailInterventionsPerHour: nonNegative.default(10),
      })
      .strict()
      .default({}),
  })
  .strict();

const percent = z.number().positive('must be greater than zero').max(1_000_000, 'must be at most 1000000 (percent)');

/** AWS Budgets cost budget (opt-in: made only when monthlyUsd is set; cleanup finds it by name either way). */
const BudgetSchema = z
  .object({
    monthlyUsd: z.number().positive('must be greater than zero').optional(),
    name: z.string().superRefine(check(v.checkBudgetName)).default('bedrock-monitor-monthly'),
    /** Cost Explorer SERVICE names the budget counts (Marketplace models bill under their own names). */
    services: z
      .array(z.string().min(1, 'must not be empty'))
      .min(1, 'needs at least one service name')
      .transform(unique)
      .default(['Amazon Bedrock']),
    actualPercent: percent.default(80),
    forecastedPercent: percent.default(100),
  })
  .strict();

/** Anomaly-detection alarms on invocations and tokens (opt-in); no `models`: those CloudWatch lists at setup. */
const AnomalySchema = z
  .object({
    enabled: z.boolean().default(false),
    models: z.array(z.string().min(1, 'must not be empty')).transform(unique).optional(),
    bandWidth: z.number().positive('must be greater than zero').max(100, 'must be at most 100').default(2),
    prefix: z.string().superRefine(check(v.checkAlarmPrefix)).default('BedrockAnomaly-'),
  })
  .strict();

/** Quota headroom in the report. */
const QuotasSchema = z
  .object({
    warnPercent: percent.default(80),
    /** Output-token burndown multipliers by model family, over the built-in table. */
    burndown: z.record(z.string().min(1), z.number().positive('must be greater than zero')).default({}),
  })
  .strict();

/** A flag's parser as the key's check and its result: kept in the file as typed (a list, or comma-separated). */
function parsedBy<T>(parse: (raw: string) => T | { error: string }) {
  return z.union([z.string(), z.array(z.string())]).transform((x, ctx): T => {
    const r = parse(Array.isArray(x) ? x.join(',') : x);
    if (typeof r === 'object' && r !== null && 'error' in r) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: r.error });
      return z.NEVER;
    }
    return r;
  });
}

/**
 * Which accounts and Regions commands work on (the --regions/--accounts/--assume-role flags; docs/fleet.md); none of
 * regions and accounts means one target.
 */
const TargetsSchema = z
  .object({
    regions: parsedBy(parseRegions).optional(),
    accounts: parsedBy(parseAccounts).optional(),
    assumeRole: z.string().superRefine(check(checkAssumeRoleName)).default(DEFAULT_ASSUME_ROLE),
    externalId: z
      .string()
      .regex(/^[\w+=,.@:/-]{2,1224}$/, 'must be 2-1224 of A-Z a-z 0-9 +=,.@:/-')
      .optional(),
    concurrency: positiveInt.max(64, 'must be at most 64').default(DEFAULT_TARGET_CONCURRENCY),
    /** Default: DERIVED_DEFAULTS. */
    homeRegion: z.string().superRefine(check(v.checkRegion)).optional(),
  })
  .strict();

/** A price override: a model without prompt caching has no cache prices (its cache tokens, none, cost 0). */
const PriceSchema = RatesSchema.extend({
  cacheWrite: RatesSchema.shape.cacheWrite.default(0),
  cacheRead: RatesSchema.shape.cacheRead.default(0),
});

const LoggingSchema = z
  .object({
    destinations: z
      .array(z.enum(['cloudwatch', 's3']))
      .min(1, 'needs at least one of cloudwatch, s3')
      .transform((d) => unique(d).sort())
      .default(['cloudwatch', 's3']),
    textDataDeliveryEnabled: z.boolean().default(true),
    imageDataDeliveryEnabled: z.boolean().default(false),
    embeddingDataDeliveryEnabled: z.boolean().default(false),
    videoDataDeliveryEnabled: z.boolean().default(false),
    audioDataDeliveryEnabled: z.boolean().default(false),
    s3KeyPrefix: z.string().superRefine(check(v.checkKeyPrefix)).default(''),
    largeDataS3KeyPrefix: z.string().superRefine(check(v.checkKeyPrefix)).optional(),
  })
  .strict();

const positive = z.number().positive('must be greater than zero');

const AlarmsSchema = z
  .object({
    topicName: z.string().superRefine(check(v.checkTopicName)).default('bedrock-usage-alerts'),
    prefix: z.string().superRefine(check(v.checkAlarmPrefix)).default('Bedrock-'),
    emails: z
      .array(z.string().superRefine(check(v.checkEmail)))
      .transform((e) => unique(e.map((x) => x.trim())))
      .default([]),
    costModelId: z.string().min(1).default('anthropic.claude-sonnet-4-5-20250929-v1:0'),
    thresholds: z
      .object({
        tokensPerHour: positive.default(100_000),
        errorsPer5Min: positive.default(10),
        invocationsPerHour: positive.default(1_000),
        latencyMs: positive.default(10_000),
        costUsdPerHour: positive.nullable().default(null),
      })
      .strict()
      .default({}),
    anomaly: AnomalySchema.default({}),
  })
  .strict();

/** The config file, validated strictly: an unknown key or a bad value is an error naming the key. */
export const ConfigFileSchema = z
  .object({
    $schema: scoped('run', z.string().optional()),
    /** Default: none (the environment, then the profile's Region; the tool never picks one). */
    region: scoped('run', z.string().superRefine(check(v.checkRegion)).optional()),
    /** Default: DERIVED_DEFAULTS. */
    roleName: z.string().superRefine(check(v.checkRoleName)).optional(),
    /** Default: DERIVED_DEFAULTS (known once STS has answered). */
    bucketName: z.string().superRefine(check(v.checkBucketName)).optional(),
    logGroupName: z.string().superRefine(check(v.checkLogGroupName)).default('/aws/bedrock/modelinvocations'),
    logRetentionDays: z.number().superRefine(check(v.checkRetentionDays)).default(30),
    bucketExpirationDays: positiveInt.default(90),
    noncurrentExpirationDays: positiveInt.default(30),
    abortIncompleteMultipartUploadDays: positiveInt.default(7),
    kmsKeyId: z.string().superRefine(check(v.checkKmsKey)).optional(),
    logGroupKmsKeyArn: z
      .string()
      .regex(/^arn:aws[\w-]*:kms:/, 'must be a KMS key ARN')
      .optional(),
    logging: LoggingSchema.default({}),
    dashboardName: z.string().superRefine(check(v.checkDashboardName)).default('BedrockUsageMonitoring'),
    alarms: AlarmsSchema.default({}),
    prices: scoped('run', z.record(z.string().min(1), PriceSchema).default({})),
    audit: scoped('account', AuditSchema.default({})),
    /** `bill`: where the CUR 2.0 Data Export is (s3://BUCKET/PREFIX), for `bedrock-monitor bill`. */
    bill: scoped(
      'account',
      z
        .object({
          enabled: z.boolean().default(false),
          cur: z
            .string()
            .regex(/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/, 'must be s3://BUCKET/PREFIX')
            .optional(),
        })
        .strict()
        .default({}),
    ),
    budget: scoped('account', BudgetSchema.default({})),
    quotas: scoped('run', QuotasSchema.default({})),
    athena: z
      .object({
        /** The athena-table step runs in setup-all (status and cleanup look at it either way). */
        enabled: z.boolean().default(false),
        database: z.string().superRefine(check(v.checkAthenaName)).default('bedrock_monitor'),
        table: z.string().superRefine(check(v.checkAthenaName)).default('invocation_logs'),
        workgroup: z.string().superRefine(check(v.checkWorkgroup)).default('primary'),
        /** Query results go to s3://<log bucket>/<resultsPrefix>/. */
        resultsPrefix: z
          .string()
          .min(1, 'must not be empty')
          .superRefine(check(v.checkKeyPrefix))
          .default('athena-results'),
      })
      .strict()
      .default({}),
    /** Contributor Insights rules (top principals and models by tokens) when logging goes to CloudWatch Logs. */
    contributorInsights: z.boolean().default(true),
    targets: scoped('run', TargetsSchema.default({})),
  })
  .strict();

type Shape = typeof ConfigFileSchema.shape;
type KeysMarked<S extends KeyScope> = { [K in keyof Shape]: Shape[K] extends Scoped<S> ? K : never }[keyof Shape];
/** The account's keys (`scoped('account', …)`). */
export type AccountKey = KeysMarked<'account'>;
/** The run's keys (`scoped('run', …)`). */
export type RunKey = KeysMarked<'run'>;

/** The top-level keys marked with this scope, in the schema's order. */
export function keysOfScope(scope: KeyScope): string[] {
  const shape: Record<string, z.ZodTypeAny & Partial<Scoped<KeyScope>>> = ConfigFileSchema.shape;
  return Object.keys(shape).filter((k) => shape[k]!.settingScope === scope);
}

/** The file as written (every key optional): also the type of a run's overrides. */
export type ConfigFile = z.input<typeof ConfigFileSchema>;
/** The file with every default filled in and lists normalised. */
export type ConfigResolved = z.output<typeof ConfigFileSchema>;
