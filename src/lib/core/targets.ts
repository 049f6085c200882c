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
