import { usageError } from '../core/errors.js';
import { homeRegionOf } from '../core/targets.js';
import * as v from '../core/validate.js';
import { loadConfigFile } from './file.js';
import { describeIssue, valueAt } from './keys.js';
import { ConfigFileSchema, type AccountKey, type ConfigFile, type ConfigResolved, type RunKey } from './schema.js';

/** A config key's value with its derived default filled in (the file's `roleName` keys are optional). */
type Resolved = Omit<ConfigResolved, 'roleName' | 'audit'> & {
  /** The logging role (default BedrockCloudWatchLoggingRole-<region>). */
  roleName: string;
  audit: ConfigResolved['audit'] & { roleName: string };
};

/**
 * The account-level part (keys marked `scoped('account', …)` in schema.ts: audit, budget, bill): one value per
 * account, read by the steps converged once per account in the home Region.
 */
export type AccountSettings = Pick<Resolved, AccountKey>;

/**
 * The Region-level part (every key not marked in schema.ts: bucket, log group, logging, dashboard, alarms, Athena,
 * the logging role): what each Region's resources are made of. A Region-level step sees this, the run's part, and
 * the account facts it needs (AccountFacts), never AccountSettings.
 */
export type RegionSettings = Omit<Resolved, AccountKey | RunKey>;

/** What only a run knows: the Region it works in, the profile, the endpoint, the file read. */
export interface RunFacts {
  region: string;
  /**
   * Where account-level steps run (the budget, the multi-Region trail and its role and log group): this
   * Region for one target; across many Regions of an account, the fleet's home Region only.
   */
  homeRegion: string;
  profile: string | undefined;
  endpointUrl: string | undefined;
  configFile: string | undefined;
}

/** The run's part: its keys (`scoped('run', …)`: targets, prices, quotas) and its facts. */
export type RunSettings = Omit<Pick<Resolved, RunKey>, '$schema' | 'region'> & RunFacts;

/**
 * Every setting, resolved: the account's part, the Region's part and the run's. Each type is derived from the
 * config file's schema (schema.ts: each key declared once, with its default and its scope).
 */
export type Settings = AccountSettings & RegionSettings & RunSettings;

/** What a Region-level step's functions receive (steps.ts): no account-level key. */
export type RegionView = RegionSettings & RunSettings;

/**
 * What Region-level resources must know of the account's settings, computed once per account
 * (accountFacts) and handed to them by name: so that no Region reads an account-level key.
 */
export interface AccountFacts {
  /**
   * The audit trail while `audit.enabled`, else null: the log bucket policy and its KMS key policy of the Region the
   * trail writes to let CloudTrail write (resources/trail-bucket.ts, kms.ts). `region`: the home Region for a
   * multi-Region trail (the one trail writes to that Region's bucket only); null for one-Region trails (each Region
   * has its own, writing to its own bucket).
   */
  trail: { name: string; s3KeyPrefix: string; region: string | null } | null;
  /**
   * While a budget is wanted (`budget.monthlyUsd` set), the Region whose alarm topic it notifies (the home Region),
   * else null: only that topic's policy lets AWS Budgets publish (topic.ts).
   */
  budgetRegion: string | null;
  /** The Region whose log bucket receives the CUR 2.0 export (`bill.enabled`: the home Region), else null. */
  curExportRegion: string | null;
}

/** The trail that writes to this Region's log bucket (its facts' trail, unless it writes to another Region's). */
export const trailInto = (facts: AccountFacts, region: string): AccountFacts['trail'] =>
  facts.trail && (facts.trail.region === null || facts.trail.region === region) ? facts.trail : null;

/** The account facts of these settings (the same for every Region of the account). */
export function accountFacts(s: AccountSettings & Pick<RunFacts, 'homeRegion'>): AccountFacts {
  const trailRegion = s.audit.multiRegion ? s.homeRegion : null;
  return {
    trail: s.audit.enabled ? { name: s.audit.trailName, s3KeyPrefix: s.audit.s3KeyPrefix, region: trailRegion } : null,
    budgetRegion: s.budget.monthlyUsd !== undefined ? s.homeRegion : null,
    curExportRegion: s.bill.enabled ? s.homeRegion : null,
  };
}

export type TargetSettings = Settings['targets'];
export type AuditSettings = Settings['audit'];
export type LoggingSettings = Settings['logging'];
/** A budget that is wanted (settings.budget.monthlyUsd set). */
export type BudgetSettings = Settings['budget'] & { monthlyUsd: number };

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

/** Lays dotted values over a document (a copy); undefined values are skipped. */
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

/** Where a setting's value comes from, lowest first. */
export type Source = 'default' | 'file' | 'env' | 'flag';

/** The layers a run's settings are made of, each written with the config file's keys (`alarms.prefix`). */
export interface SettingLayers {
  /** The config file read (undefined when there is none). */
  configFile: string | undefined;
  file: ConfigFile;
  /** AWS_REGION / AWS_DEFAULT_REGION (checked like the flag). */
  env: SettingOverrides;
  /** The shared flags (--region, --regions, --accounts, --assume-role) and the command's own. */
  flags: SettingOverrides;
}

/** Reads the config file and the environment, and takes the flags: no precedence decided yet. */
export function settingLayers(
  opts: GlobalOptions,
  overrides: SettingOverrides,
  env: NodeJS.ProcessEnv,
  cwd = process.cwd(),
): SettingLayers {
  const loaded = loadConfigFile(opts.config, cwd);
  return {
    configFile: loaded.file,
    file: loaded.config,
    env: { region: checkedEnv(env, ['AWS_REGION', 'AWS_DEFAULT_REGION'], v.checkRegion) },
    flags: {
      ...overrides,
      region: opts.region,
      'targets.regions': opts.regions,
      'targets.accounts': opts.accounts,
      'targets.assumeRole': opts.assumeRole,
    },
  };
}

/** The layer a key's value comes from: the highest that sets it. */
export function sourceOf(layers: SettingLayers, key: string): Source {
  if ((layers.flags as Record<string, unknown>)[key] !== undefined) return 'flag';
  if ((layers.env as Record<string, unknown>)[key] !== undefined) return 'env';
  return valueAt(layers.file, key.split('.')) !== undefined ? 'file' : 'default';
}

/** The precedence, decided here and nowhere else: defaults (in the schema) < config file < environment < flags. */
export function layered(layers: SettingLayers): ConfigResolved {
  const doc = withOverrides(withOverrides(layers.file, layers.env), layers.flags);
  const parsed = ConfigFileSchema.safeParse(doc);
  if (!parsed.success) {
    throw usageError(parsed.error.issues.map((i) => describeIssue(i)).join('; '));
  }
  return parsed.data;
}

function firstOf(regions: string[] | 'all' | undefined): string | undefined {
  return Array.isArray(regions) ? regions[0] : undefined;
}

/** The Region: flag, environment, config file (as layered), then the profile's, then the first target Region. */
async function resolveRegion(c: ConfigResolved, profileRegion: () => Promise<string | undefined>): Promise<string> {
  const region = c.region ?? (await profileRegion()) ?? firstOf(c.targets.regions);
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

/**
 * What resolved settings contradict among themselves (prefixes that overlap, an alarm without the log group it
 * counts), as every command refuses them; the schema checks each key alone.
 */
export function coherenceProblems(c: ConfigResolved): { message: string; hint?: string }[] {
  const problems: { message: string; hint?: string }[] = [];
  const { audit, alarms } = c;
  const securityAlarms = audit.enabled && audit.alarms.enabled;
  if (securityAlarms && !audit.cloudWatchLogs)
    problems.push({
      message:
        'audit.alarms needs audit.cloudWatchLogs: true (the refused-calls alarm counts a metric filter on the ' +
        "trail's log group)",
    });
  if (securityAlarms && audit.alarms.prefix.startsWith(alarms.prefix))
    problems.push({
      message:
        `audit.alarms.prefix "${audit.alarms.prefix}" starts with alarms.prefix "${alarms.prefix}": the alarms ` +
        `step would take the security alarms for stray alarms of its own; choose prefixes that do not overlap`,
    });
  if (audit.enabled && audit.managementEvents === false && audit.dataEventTypes.length === 0)
    problems.push({
      message: 'audit: with managementEvents false and no dataEventTypes the trail would record nothing',
    });
  const anomaly = alarms.anomaly.prefix;
  if (anomaly.startsWith(alarms.prefix) || alarms.prefix.startsWith(anomaly))
    problems.push({
      message:
        `alarms.anomaly.prefix "${anomaly}" overlaps the alarm prefix "${alarms.prefix}": the two sets of alarms ` +
        `would be taken for each other.`,
      hint: 'Choose prefixes where neither starts with the other (defaults: "Bedrock-" and "BedrockAnomaly-").',
    });
  return problems;
}

/**
 * Resolves every setting. Throws a usage error (exit 2) for anything invalid, so no AWS request is made with a bad
 * input. Precedence is layered(): defaults < config file < environment (AWS_REGION, AWS_PROFILE, AWS_ENDPOINT_URL) <
 * flags. `profileRegion` (the Region of the AWS profile in ~/.aws/config) is asked only when nothing else names one.
 */
export async function resolveSettings(
  opts: GlobalOptions,
  overrides: SettingOverrides,
  env: NodeJS.ProcessEnv,
  profileRegion: (profile: string | undefined) => Promise<string | undefined>,
  cwd = process.cwd(),
): Promise<Settings> {
  const layers = settingLayers(opts, overrides, env, cwd);
  const c = layered(layers);
  const problem = coherenceProblems(c)[0];
  if (problem) throw usageError(problem.message, problem.hint);
  const profile = opts.profile ?? fromEnv(env, ['AWS_PROFILE'])?.value;
  const region = await resolveRegion(c, () => profileRegion(profile));
  return {
    ...withoutSchemaKey(c),
    region,
    // targets.homeRegion in a single-target run too: a run in another Region leaves the account's resources alone.
    homeRegion: homeRegionOf(c.targets.homeRegion, region),
    profile,
    endpointUrl: opts.endpointUrl ?? checkedEnv(env, ['AWS_ENDPOINT_URL'], v.checkEndpointUrl),
    configFile: layers.configFile,
    roleName: c.roleName ?? defaultRoleName(region),
    audit: { ...c.audit, roleName: c.audit.roleName ?? defaultAuditRoleName(region) },
  };
}

function withoutSchemaKey(c: ConfigResolved): Omit<ConfigResolved, '$schema'> {
  const rest: Partial<ConfigResolved> = { ...c };
  delete rest.$schema;
  return rest as Omit<ConfigResolved, '$schema'>;
}
