import { usageError } from '../core/errors.js';
import * as v from '../core/validate.js';
import type { Rates } from '../pricing/table.js';
import { loadConfigFile } from './file.js';
import type { ConfigFile } from './schema.js';
import { DEFAULT_DATA_EVENT_TYPES } from '../core/cloudtrail.js';
import { DEFAULT_ASSUME_ROLE, DEFAULT_TARGET_CONCURRENCY, parseAccounts, parseRegions } from '../core/targets.js';

export interface LoggingSettings {
  destinations: ('cloudwatch' | 's3')[];
  textDataDeliveryEnabled: boolean;
  imageDataDeliveryEnabled: boolean;
  embeddingDataDeliveryEnabled: boolean;
  videoDataDeliveryEnabled: boolean;
  audioDataDeliveryEnabled: boolean;
  s3KeyPrefix: string;
  largeDataS3KeyPrefix: string | undefined;
}

export interface AlarmThresholds {
  tokensPerHour: number;
  errorsPer5Min: number;
  invocationsPerHour: number;
  latencyMs: number;
  costUsdPerHour: number | null;
}

/** The audit subsystem: a CloudTrail trail for Bedrock, its CloudWatch Logs delivery, the security view. */
export interface AuditSettings {
  enabled: boolean;
  trailName: string;
  multiRegion: boolean;
  /** Where the trail writes in the log bucket: `<prefix>/AWSLogs/<account>/CloudTrail/...`. */
  s3KeyPrefix: string;
  dataEventTypes: string[];
  /** 'auto': only when no other logging trail in the account already records them. */
  managementEvents: 'auto' | boolean;
  cloudWatchLogs: boolean;
  logGroupName: string;
  logRetentionDays: number;
  roleName: string;
  dashboardName: string;
  alarms: { enabled: boolean; prefix: string; refusedCallsPer5Min: number; guardrailInterventionsPerHour: number };
}

/** The AWS Budgets cost budget; undefined settings.budget means no budget is made. */
export interface BudgetSettings {
  monthlyUsd: number;
  name: string;
  /** Cost Explorer SERVICE names the budget counts (Marketplace models bill under their own names). */
  services: string[];
  actualPercent: number;
  forecastedPercent: number;
}

/** Anomaly-detection alarms: opt-in; `models` undefined means the models CloudWatch lists at setup. */
export interface AnomalySettings {
  enabled: boolean;
  models: string[] | undefined;
  bandWidth: number;
  prefix: string;
}

export interface QuotaSettings {
  warnPercent: number;
  /** Output-token burndown multipliers by model family, over the built-in table. */
  burndown: Record<string, number>;
}

export interface AthenaSettings {
  /** The athena-table step runs in setup-all (status and cleanup look at it either way). */
  enabled: boolean;
  database: string;
  table: string;
  workgroup: string;
  /** Query results go to s3://<log bucket>/<resultsPrefix>/. */
  resultsPrefix: string;
}

/** Which accounts and Regions to work on (docs/fleet.md); none of regions/accounts means one target. */
export interface TargetSettings {
  regions: string[] | 'all' | undefined;
  accounts: string[] | 'org' | undefined;
  assumeRole: string;
  externalId: string | undefined;
  concurrency: number;
  homeRegion: string | undefined;
}

/** Every setting, resolved: defaults < config file < environment < flags. */
export interface Settings {
  region: string;
  /**
   * Where account-level steps run (the budget, the multi-Region trail and its role and log group): this
   * Region for one target; across many Regions of an account, the fleet's home Region only.
   */
  homeRegion: string;
  targets: TargetSettings;
  profile: string | undefined;
  endpointUrl: string | undefined;
  configFile: string | undefined;
  roleName: string;
  /** Undefined means the default `bedrock-logs-<account>-<region>`, known once STS has answered. */
  bucketName: string | undefined;
  logGroupName: string;
  logRetentionDays: number;
  bucketExpirationDays: number;
  noncurrentExpirationDays: number;
  abortIncompleteMultipartUploadDays: number;
  kmsKeyId: string | undefined;
  logGroupKmsKeyArn: string | undefined;
  logging: LoggingSettings;
  dashboardName: string;
  alarms: { topicName: string; prefix: string; emails: string[]; thresholds: AlarmThresholds; costModelId: string };
  prices: Record<string, Rates>;
  audit: AuditSettings;
  budget: BudgetSettings | undefined;
  /** The budget's name even when no budget is wanted, so cleanup can find one an earlier config made. */
  budgetName: string;
  anomaly: AnomalySettings;
  quotas: QuotaSettings;
  athena: AthenaSettings;
  /** `bill`: the CUR 2.0 export (s3://BUCKET/PREFIX) the bill command reads by default. */
  bill: { enabled: boolean; cur: string | undefined };
  /** Contributor Insights rules (top principals and models by tokens) when logging goes to CloudWatch Logs. */
  contributorInsights: boolean;
}

export const DEFAULTS = {
  logGroupName: '/aws/bedrock/modelinvocations',
  logRetentionDays: 30,
  bucketExpirationDays: 90,
  noncurrentExpirationDays: 30,
  abortIncompleteMultipartUploadDays: 7,
  logging: {
    destinations: ['cloudwatch', 's3'],
    textDataDeliveryEnabled: true,
    imageDataDeliveryEnabled: false,
    embeddingDataDeliveryEnabled: false,
    videoDataDeliveryEnabled: false,
    audioDataDeliveryEnabled: false,
    s3KeyPrefix: '',
    largeDataS3KeyPrefix: undefined,
  } satisfies LoggingSettings,
  dashboardName: 'BedrockUsageMonitoring',
  alarms: {
    topicName: 'bedrock-usage-alerts',
    prefix: 'Bedrock-',
    costModelId: 'anthropic.claude-sonnet-4-5-20250929-v1:0',
    thresholds: {
      tokensPerHour: 100_000,
      errorsPer5Min: 10,
      invocationsPerHour: 1_000,
      latencyMs: 10_000,
      costUsdPerHour: null,
    } satisfies AlarmThresholds,
  },
  audit: {
    enabled: false,
    trailName: 'bedrock-monitor-trail',
    multiRegion: true,
    s3KeyPrefix: 'cloudtrail',
    managementEvents: 'auto',
    cloudWatchLogs: false,
    logGroupName: '/aws/cloudtrail/bedrock-monitor',
    logRetentionDays: 90,
    dashboardName: 'BedrockSecurity',
    alarms: { enabled: false, prefix: 'BedrockSecurity-', refusedCallsPer5Min: 0, guardrailInterventionsPerHour: 10 },
  },
  budget: { name: 'bedrock-monitor-monthly', services: ['Amazon Bedrock'], actualPercent: 80, forecastedPercent: 100 },
  anomaly: { bandWidth: 2, prefix: 'BedrockAnomaly-' },
  quotas: { warnPercent: 80 },
  athena: {
    enabled: false,
    database: 'bedrock_monitor',
    table: 'invocation_logs',
    workgroup: 'primary',
    resultsPrefix: 'athena-results',
  } satisfies AthenaSettings,
  contributorInsights: true,
  targets: { assumeRole: DEFAULT_ASSUME_ROLE, concurrency: DEFAULT_TARGET_CONCURRENCY },
} as const;

export const defaultAuditRoleName = (region: string): string => `BedrockMonitorCloudTrailToLogs-${region}`;
export const defaultRoleName = (region: string): string => `BedrockCloudWatchLoggingRole-${region}`;
export const defaultBucketName = (account: string, region: string): string => `bedrock-logs-${account}-${region}`;

/** Global options as commander hands them over. */
export interface GlobalOptions {
  region?: string;
  /** Target flags (commands whose spec has `targets`): see core/targets.ts. */
  regions?: string[] | 'all';
  accounts?: string[] | 'org';
  assumeRole?: string;
  profile?: string;
  endpointUrl?: string;
  config?: string;
  json?: boolean;
  output?: string;
  dryRun?: boolean;
  yes?: boolean;
  force?: boolean;
  color?: boolean;
  verbose?: boolean;
}

type Join<K extends string, P extends string> = P extends '' ? K : `${P}.${K}`;
type Leaf = string | number | boolean | null | readonly unknown[];
type DottedValues<T, P extends string = ''> = {
  [K in keyof T & string]-?: NonNullable<T[K]> extends Leaf
    ? { [Q in Join<K, P>]?: T[K] }
    : DottedValues<NonNullable<T[K]>, Join<K, P>>;
}[keyof T & string];
type Intersect<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;

/**
 * Per-command flags that override config keys for one run, written with the config file's own dotted keys
 * (`'alarms.prefix'`, `'audit.enabled'`), typed from the schema: a flag is one line in its command file.
 * Only the ones the user typed are set (undefined values are ignored).
 */
export type SettingOverrides = Intersect<DottedValues<Omit<ConfigFile, 'prices' | '$schema'>>>;

/** The file's settings with the run's flags laid over them: the one place flags win over the file. */
export function withOverrides(config: ConfigFile, overrides: SettingOverrides): ConfigFile {
  const merged = structuredClone(config) as Record<string, unknown>;
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    const path = key.split('.');
    let o = merged;
    for (const k of path.slice(0, -1)) {
      if (!o[k] || typeof o[k] !== 'object') o[k] = {};
      o = o[k] as Record<string, unknown>;
    }
    o[path[path.length - 1]!] = value;
  }
  return merged;
}

function fromEnv(env: NodeJS.ProcessEnv, names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** A value from the first of the variables that is set, checked like the flag it stands for. */
function checkedEnv(
  env: NodeJS.ProcessEnv,
  names: string[],
  check: (v: string) => string | undefined,
): string | undefined {
  const e = fromEnv(env, names);
  if (!e) return undefined;
  const bad = check(e.value);
  if (bad) throw usageError(`${e.name}: ${bad}`);
  return e.value;
}

/** --region, then AWS_REGION / AWS_DEFAULT_REGION, the config file, and last the profile's Region. */
async function resolveRegion(
  opts: GlobalOptions,
  config: ConfigFile,
  env: NodeJS.ProcessEnv,
  profileRegion: () => Promise<string | undefined>,
): Promise<string> {
  const region =
    opts.region ??
    checkedEnv(env, ['AWS_REGION', 'AWS_DEFAULT_REGION'], v.checkRegion) ??
    config.region ??
    (await profileRegion()) ??
    // With a list of target Regions and no other Region, the first one is where the tool starts.
    firstOf(resolveTargets(opts, config).regions);
  if (!region) {
    throw usageError(
      'No AWS Region given. Bedrock invocation logging is set per Region, so the tool never picks one for you.',
      'Pass --region us-east-1, set AWS_REGION, add "region" to bedrock-monitor.config.json, or set a region ' +
        'for your profile in ~/.aws/config.',
      undefined,
      'E_USAGE_NO_REGION',
    );
  }
  const regionError = v.checkRegion(region);
  if (regionError) throw usageError(`--region: ${regionError}`, undefined, undefined, 'E_USAGE_REGION');
  return region;
}

/** A list the config file holds as an array or in the flag's comma-separated form. */
function joined(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

function parsedOrUndefined<T>(r: T | { error: string } | undefined): T | undefined {
  if (r && typeof r === 'object' && 'error' in r) return undefined;
  return r;
}

/** The target flags over config `targets.*` (the schema has checked the file's values). */
export function resolveTargets(opts: GlobalOptions, config: ConfigFile): TargetSettings {
  const t = config.targets ?? {};
  const regions = joined(t.regions);
  const accounts = joined(t.accounts);
  return {
    regions: opts.regions ?? parsedOrUndefined(regions === undefined ? undefined : parseRegions(regions)),
    accounts: opts.accounts ?? parsedOrUndefined(accounts === undefined ? undefined : parseAccounts(accounts)),
    assumeRole: opts.assumeRole ?? t.assumeRole ?? DEFAULTS.targets.assumeRole,
    externalId: t.externalId,
    concurrency: t.concurrency ?? DEFAULTS.targets.concurrency,
    homeRegion: t.homeRegion,
  };
}

/** Whether these settings ask for many targets (any Region list or account list, from flags or config). */
export const isFleet = (t: TargetSettings): boolean => t.regions !== undefined || t.accounts !== undefined;

function firstOf(regions: string[] | 'all' | undefined): string | undefined {
  return Array.isArray(regions) ? regions[0] : undefined;
}

function resolveLogging(config: ConfigFile): LoggingSettings {
  const logging: LoggingSettings = {
    ...DEFAULTS.logging,
    destinations: [...DEFAULTS.logging.destinations],
    ...stripUndefined(config.logging ?? {}),
  };
  logging.destinations = [...new Set(logging.destinations)].sort();
  return logging;
}

function resolveAlarms(config: ConfigFile): Settings['alarms'] {
  const thresholds: AlarmThresholds = {
    ...DEFAULTS.alarms.thresholds,
    ...stripUndefined(config.alarms?.thresholds ?? {}),
  };
  return {
    topicName: config.alarms?.topicName ?? DEFAULTS.alarms.topicName,
    prefix: config.alarms?.prefix ?? DEFAULTS.alarms.prefix,
    emails: [...new Set((config.alarms?.emails ?? []).map((e) => e.trim()))],
    thresholds,
    costModelId: config.alarms?.costModelId ?? DEFAULTS.alarms.costModelId,
  };
}

function resolveAudit(config: ConfigFile, region: string, alarms: Settings['alarms']): AuditSettings {
  const c = config.audit ?? {};
  const d = DEFAULTS.audit;
  const audit: AuditSettings = {
    enabled: c.enabled ?? d.enabled,
    trailName: c.trailName ?? d.trailName,
    multiRegion: c.multiRegion ?? d.multiRegion,
    s3KeyPrefix: c.s3KeyPrefix ?? d.s3KeyPrefix,
    dataEventTypes: [...new Set(c.dataEventTypes ?? DEFAULT_DATA_EVENT_TYPES)],
    managementEvents: c.managementEvents ?? d.managementEvents,
    cloudWatchLogs: c.cloudWatchLogs ?? d.cloudWatchLogs,
    logGroupName: c.logGroupName ?? d.logGroupName,
    logRetentionDays: c.logRetentionDays ?? d.logRetentionDays,
    roleName: c.roleName ?? defaultAuditRoleName(region),
    dashboardName: c.dashboardName ?? d.dashboardName,
    alarms: { ...d.alarms, ...stripUndefined(c.alarms ?? {}) },
  };
  if (audit.enabled && audit.alarms.enabled && !audit.cloudWatchLogs) {
    throw usageError(
      'audit.alarms needs audit.cloudWatchLogs: true (the refused-calls alarm counts a metric filter on the ' +
        "trail's log group)",
    );
  }
  if (audit.enabled && audit.alarms.enabled && audit.alarms.prefix.startsWith(alarms.prefix)) {
    throw usageError(
      `audit.alarms.prefix "${audit.alarms.prefix}" starts with alarms.prefix "${alarms.prefix}": the alarms ` +
        `step would take the security alarms for stray alarms of its own; choose prefixes that do not overlap`,
    );
  }
  if (audit.enabled && audit.managementEvents === false && audit.dataEventTypes.length === 0) {
    throw usageError('audit: with managementEvents false and no dataEventTypes the trail would record nothing');
  }
  return audit;
}

function resolveBudget(config: ConfigFile): BudgetSettings | undefined {
  const b = config.budget;
  const monthlyUsd = b?.monthlyUsd;
  if (monthlyUsd === undefined) return undefined;
  const d = DEFAULTS.budget;
  return {
    monthlyUsd,
    name: b?.name ?? d.name,
    services: [...new Set(b?.services ?? d.services)],
    actualPercent: b?.actualPercent ?? d.actualPercent,
    forecastedPercent: b?.forecastedPercent ?? d.forecastedPercent,
  };
}

/** The anomaly alarms get their own name prefix, which must not overlap the other alarms' prefix. */
function resolveAnomaly(config: ConfigFile, alarmPrefix: string): AnomalySettings {
  const a = config.alarms?.anomaly;
  const prefix = a?.prefix ?? DEFAULTS.anomaly.prefix;
  if (prefix.startsWith(alarmPrefix) || alarmPrefix.startsWith(prefix)) {
    throw usageError(
      `alarms.anomaly.prefix "${prefix}" overlaps the alarm prefix "${alarmPrefix}": the two sets of alarms ` +
        `would be taken for each other.`,
      'Choose prefixes where neither starts with the other (defaults: "Bedrock-" and "BedrockAnomaly-").',
    );
  }
  return {
    enabled: a?.enabled ?? false,
    models: a?.models ? [...new Set(a.models)] : undefined,
    bandWidth: a?.bandWidth ?? DEFAULTS.anomaly.bandWidth,
    prefix,
  };
}

/**
 * What the file's settings contradict among themselves (prefixes that overlap, an alarm without the
 * log group it counts), as every command would refuse them; the schema checks each key alone.
 */
export function coherenceProblems(config: ConfigFile): string[] {
  const problems: string[] = [];
  const check = (f: () => unknown): void => {
    try {
      f();
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  };
  const alarms = resolveAlarms(config);
  check(() => resolveAudit(config, 'us-east-1', alarms));
  check(() => resolveAnomaly(config, alarms.prefix));
  check(() => resolveBudget(config));
  return problems;
}

/**
 * Resolves every setting. Throws a usage error (exit 2) for anything invalid, so no AWS request is
 * made with a bad input. Precedence, decided here and nowhere else: defaults (DEFAULTS, in each resolve
 * function) < config file < environment (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL) < flags (`opts` for the
 * shared flags, `overrides` for the command's own, laid over the file by withOverrides). `profileRegion`
 * is consulted last (the region of the AWS profile in ~/.aws/config), and only when nothing else names a Region.
 */
export async function resolveSettings(
  opts: GlobalOptions,
  overrides: SettingOverrides,
  env: NodeJS.ProcessEnv,
  profileRegion: (profile: string | undefined) => Promise<string | undefined>,
  cwd = process.cwd(),
): Promise<Settings> {
  const loaded = loadConfigFile(opts.config, cwd);
  const config = withOverrides(loaded.config, overrides);
  const profile = opts.profile ?? fromEnv(env, ['AWS_PROFILE'])?.value;
  const region = await resolveRegion(opts, config, env, () => profileRegion(profile));
  const alarms = resolveAlarms(config);
  return {
    region,
    homeRegion: region,
    targets: resolveTargets(opts, config),
    profile,
    endpointUrl: opts.endpointUrl ?? checkedEnv(env, ['AWS_ENDPOINT_URL'], v.checkEndpointUrl),
    configFile: loaded.file,
    roleName: config.roleName ?? defaultRoleName(region),
    bucketName: config.bucketName,
    logGroupName: config.logGroupName ?? DEFAULTS.logGroupName,
    logRetentionDays: config.logRetentionDays ?? DEFAULTS.logRetentionDays,
    bucketExpirationDays: config.bucketExpirationDays ?? DEFAULTS.bucketExpirationDays,
    noncurrentExpirationDays: config.noncurrentExpirationDays ?? DEFAULTS.noncurrentExpirationDays,
    abortIncompleteMultipartUploadDays:
      config.abortIncompleteMultipartUploadDays ?? DEFAULTS.abortIncompleteMultipartUploadDays,
    kmsKeyId: config.kmsKeyId,
    logGroupKmsKeyArn: config.logGroupKmsKeyArn,
    logging: resolveLogging(config),
    dashboardName: config.dashboardName ?? DEFAULTS.dashboardName,
    alarms,
    prices: config.prices ?? {},
    audit: resolveAudit(config, region, alarms),
    budget: resolveBudget(config),
    budgetName: config.budget?.name ?? DEFAULTS.budget.name,
    anomaly: resolveAnomaly(config, alarms.prefix),
    quotas: {
      warnPercent: config.quotas?.warnPercent ?? DEFAULTS.quotas.warnPercent,
      burndown: config.quotas?.burndown ?? {},
    },
    athena: { ...DEFAULTS.athena, ...stripUndefined(config.athena ?? {}) },
    contributorInsights: config.contributorInsights ?? DEFAULTS.contributorInsights,
    bill: { enabled: config.bill?.enabled ?? false, cur: config.bill?.cur },
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<T>;
}
