import { BEDROCK_REGIONS_BY_PARTITION } from './bedrock-regions.js';
import { checkRegion } from './validate.js';

/**
 * Which accounts and Regions a command works on. With none of these given (flags or config
 * `targets.*`), a command works on one target: the caller's account in the resolved Region.
 */
export interface TargetSelection {
  /** Explicit Region codes, or every enabled Region where Bedrock is offered. */
  regions?: string[] | 'all';
  /** Explicit 12-digit account IDs, or every ACTIVE account of the organization. */
  accounts?: string[] | 'org';
  /** The role assumed in each account other than the caller's (default OrganizationAccountAccessRole). */
  assumeRole?: string;
}

export const DEFAULT_ASSUME_ROLE = 'OrganizationAccountAccessRole';

function list(raw: string): string[] {
  return [
    ...new Set(
      raw
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    ),
  ];
}

/** `--regions us-east-1,eu-west-1` or `--regions all`: a message naming what is wrong, or the value. */
export function parseRegions(raw: string): string[] | 'all' | { error: string } {
  if (raw.trim() === 'all') return 'all';
  const regions = list(raw);
  if (!regions.length) return { error: 'expected a comma-separated list of Region codes, or "all"' };
  for (const r of regions) {
    const msg = checkRegion(r);
    if (msg) return { error: msg };
  }
  return regions;
}

/** `--accounts 111111111111,222222222222` or `--accounts org`. */
export function parseAccounts(raw: string): string[] | 'org' | { error: string } {
  if (raw.trim() === 'org') return 'org';
  const accounts = list(raw);
  if (!accounts.length) return { error: 'expected a comma-separated list of 12-digit account IDs, or "org"' };
  const bad = accounts.find((a) => !/^\d{12}$/.test(a));
  if (bad !== undefined) return { error: `"${bad}" is not a 12-digit AWS account ID (or use "org")` };
  return accounts;
}

/** An IAM role name (not an ARN): letters, digits and +=,.@_- up to 64 characters. */
export function checkRoleName(v: string): string | undefined {
  return /^[\w+=,.@-]{1,64}$/.test(v) ? undefined : `"${v}" is not an IAM role name (up to 64 of A-Z a-z 0-9 +=,.@_-)`;
}

/** One place the tool works: an account in a Region (credentials come from the client factory). */
export interface Target {
  account: string;
  region: string;
}

export const targetLabel = (t: Target): string => `${t.account} ${t.region}`;

/**
 * Targets run at once by default. Each target is one account in one Region, and API quotas are per account and
 * Region, so targets share no quota except the account-wide ones: IAM (global per account), STS AssumeRole
 * and Organizations in the caller's account. Eight keeps the IAM reads of one account's Regions and the
 * AssumeRole calls (one per account) far below those throttles (docs/fleet.md); config targets.concurrency.
 */
export const DEFAULT_TARGET_CONCURRENCY = 8;

/**
 * Regions where Amazon Bedrock is offered, per partition: generated from botocore's endpoint data by
 * scripts/bedrock-regions.mjs (core/bedrock-regions.ts says which version and when). `--regions all` is the list of
 * the run's partition, narrowed to the Regions the account has enabled (EC2 DescribeRegions lists only enabled ones).
 */
export const BEDROCK_REGIONS: readonly string[] = Object.values(BEDROCK_REGIONS_BY_PARTITION).flat();

/** The Regions where Bedrock is offered in the partition of `region`. */
export function bedrockRegionsOf(region: string): readonly string[] {
  return (
    Object.values(BEDROCK_REGIONS_BY_PARTITION).find((rs) => rs.includes(region)) ??
    BEDROCK_REGIONS_BY_PARTITION[partitionOf(region)] ??
    []
  );
}

/** The partition a Region belongs to (for ARNs). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The role entered in another account. */
export function roleArnFor(account: string, role: string, region: string): string {
  return `arn:${partitionOf(region)}:iam::${account}:role/${role}`;
}

/**
 * Where a fleet's account-level resources live (the budget, the multi-Region trail): the configured home
 * Region (targets.homeRegion), else the Region the tool runs in (--region, AWS_REGION, config region, the
 * profile's). The same in every run, whichever Regions it targets, so they are never repointed; a run whose
 * Regions leave it out leaves them alone.
 */
export function homeRegionOf(configured: string | undefined, base: string): string {
  return configured ?? base;
}
