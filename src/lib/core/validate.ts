import { load } from '../sdk/load.js';

/**
 * Input validators shared by flags (commander argParsers) and the config file (zod refinements).
 * Each returns an error message, or undefined when the value is fine. No AWS request is ever made
 * before every input has passed through here.
 */

export const REGION_RE = new RegExp(
  /^(us|eu|ap|sa|ca|me|af|il|mx|cn|us-gov)-/.source +
    /(north|south|east|west|central|northeast|northwest|southeast|southwest)-\d{1,2}$/.source,
);

type PartitionOf = (region: string) => { name: string; description?: string };
let partitionOf: PartitionOf | null | undefined;

/** The AWS SDK's own partition data (@aws-sdk/core), loaded on first use: a listed Region has a description. */
function sdkPartition(region: string): { name: string; description?: string } | undefined {
  if (partitionOf === undefined) {
    try {
      partitionOf = load('@aws-sdk/core/client').partition;
    } catch {
      partitionOf = null;
    }
  }
  return partitionOf?.(region);
}

export function checkRegion(v: string): string | undefined {
  if (!REGION_RE.test(v)) return `"${v}" is not an AWS Region code (expected something like us-east-1 or eu-west-2)`;
  const p = sdkPartition(v);
  if (p && p.description === undefined)
    return `"${v}" is not a Region of the ${p.name} partition (expected something like us-east-1 or eu-west-2)`;
  return undefined;
}

/** Retention values CloudWatch Logs accepts (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export function checkRetentionDays(v: number): string | undefined {
  return (LOG_RETENTION_DAYS as readonly number[]).includes(v)
    ? undefined
    : `${v} is not a retention CloudWatch Logs accepts (one of ${LOG_RETENTION_DAYS.join(', ')})`;
}

/** S3 general purpose bucket naming rules. */
export function checkBucketName(v: string): string | undefined {
  if (v.length < 3 || v.length > 63) return `"${v}" must be 3 to 63 characters long`;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(v))
    return (
      `"${v}" may contain only lowercase letters, digits, dots and hyphens, and must start and end with a ` +
      `letter or digit`
    );
  if (v.includes('..')) return `"${v}" must not contain two adjacent dots`;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v)) return `"${v}" must not look like an IP address`;
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(v) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(v))
    return `"${v}" uses a prefix or suffix S3 reserves`;
  return undefined;
}

export function checkRoleName(v: string): string | undefined {
  return /^[\w+=,.@-]{1,64}$/.test(v)
    ? undefined
    : `"${v}" is not a valid IAM role name (1-64 of letters, digits and +=,.@_-)`;
}

export function checkLogGroupName(v: string): string | undefined {
  return /^[\w\-/.#]{1,512}$/.test(v)
    ? undefined
    : `"${v}" is not a valid log group name (1-512 of letters, digits and _-/.#)`;
}

export function checkDashboardName(v: string): string | undefined {
  return /^[\w-]{1,255}$/.test(v)
    ? undefined
    : `"${v}" is not a valid dashboard name (1-255 of letters, digits, - and _)`;
}

export function checkTopicName(v: string): string | undefined {
  return /^[\w-]{1,256}$/.test(v)
    ? undefined
    : `"${v}" is not a valid SNS topic name (1-256 of letters, digits, - and _)`;
}

export function checkAlarmPrefix(v: string): string | undefined {
  return /^[\w.-]{1,64}$/.test(v)
    ? undefined
    : `"${v}" is not a valid alarm name prefix (1-64 of letters, digits and ._-)`;
}

/** AWS Budgets BudgetName: 1-100 characters, no ":" or "\\", and not containing "/action/". */
export function checkBudgetName(v: string): string | undefined {
  if (v.length < 1 || v.length > 100) return `"${v}" must be 1 to 100 characters long`;
  if (/[:\\]/.test(v) || v.includes('/action/')) return `"${v}" must not contain ":", "\\" or "/action/"`;
  return undefined;
}

export function checkKeyPrefix(v: string): string | undefined {
  if (v === '') return undefined;
  if (v.startsWith('/') || v.endsWith('/')) return `"${v}" must not start or end with "/"`;
  return /^[\w!\-.*'()/]{1,200}$/.test(v) ? undefined : `"${v}" is not a safe S3 key prefix`;
}

const KMS_KEY = new RegExp(
  '^(arn:aws[\\w-]*:kms:[a-z0-9-]+:\\d{12}:(key|alias)\\/[\\w/-]+|[0-9a-f-]{36}|alias\\/[\\w/-]+|mrk-[0-9a-f]{32})$',
);

export function checkKmsKey(v: string): string | undefined {
  return KMS_KEY.test(v) ? undefined : `"${v}" is not a KMS key ID, key ARN or alias`;
}

/** Athena database and table names: lowercase letters, digits and underscores. */
export function checkAthenaName(v: string): string | undefined {
  return /^[a-z0-9_]{1,255}$/.test(v)
    ? undefined
    : `"${v}" is not a valid Athena database or table name (1-255 of lowercase letters, digits and _)`;
}

export function checkWorkgroup(v: string): string | undefined {
  return /^[a-zA-Z0-9._-]{1,128}$/.test(v)
    ? undefined
    : `"${v}" is not a valid Athena workgroup name (1-128 of letters, digits and ._-)`;
}

export const EMAIL_RE = new RegExp(
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?/.source +
    /(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/.source,
);

export function checkEmail(v: string): string | undefined {
  return EMAIL_RE.test(v) && v.length <= 254 ? undefined : `"${v}" is not a valid email address`;
}

export function checkEndpointUrl(v: string): string | undefined {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : `"${v}" must be an http:// or https:// URL`;
  } catch {
    return `"${v}" is not a URL`;
  }
}

/** Parses a strictly positive integer ("7", not "7.5", "-1", "abc"). */
export function parsePositiveInt(raw: string): number | string {
  if (!/^\d+$/.test(raw.trim())) return `"${raw}" is not a positive whole number`;
  const n = Number(raw);
  return n > 0 && Number.isSafeInteger(n) ? n : `"${raw}" is not a positive whole number`;
}

/** Parses a non-negative finite number ("0.5", "1000"). */
export function parseNonNegativeNumber(raw: string): number | string {
  if (!/^\d+(\.\d+)?$/.test(raw.trim())) return `"${raw}" is not a non-negative number`;
  return Number(raw);
}

/** Parses a strictly positive finite number. */
export function parsePositiveNumber(raw: string): number | string {
  const n = parseNonNegativeNumber(raw);
  if (typeof n === 'number' && n <= 0) return `"${raw}" must be greater than zero`;
  return n;
}
