import { existsSync, statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { checkBucketName } from '../core/validate.js';
import { DELIVERY_LAG_MS, hourKey } from './sql.js';

/** Every input error here is about --logs (docs/errors.md). */
const logsError = (message: string, hint?: string): ReturnType<typeof usageError> =>
  usageError(message, hint, undefined, 'E_USAGE_LOGS_LOCATION');

/** Where invocation logs are read from. */
export type LogLocation =
  | { kind: 's3'; bucket: string; prefix: string }
  | { kind: 'dir'; path: string }
  | { kind: 'cloudwatch'; logGroupName: string };

export function describeLocation(l: LogLocation): string {
  if (l.kind === 's3') return `s3://${l.bucket}/${l.prefix}`;
  if (l.kind === 'dir') return l.path;
  return `CloudWatch Logs ${l.logGroupName}`;
}

/** Parses `--logs s3://BUCKET/PREFIX` or `--logs DIR`. Local checks only: no request. */
export function parseLogsArg(raw: string, cwd: string): LogLocation {
  if (raw.trim() === '') throw logsError('--logs: empty (give s3://BUCKET/PREFIX or a directory)');
  if (raw.startsWith('s3://')) {
    const rest = raw.slice(5);
    const slash = rest.indexOf('/');
    const bucket = slash < 0 ? rest : rest.slice(0, slash);
    const prefix = slash < 0 ? '' : rest.slice(slash + 1).replace(/^\/+/, '');
    const bad = checkBucketName(bucket);
    if (bad) throw logsError(`--logs: ${bad} (expected s3://BUCKET/PREFIX)`);
    return { kind: 's3', bucket, prefix };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw))
    throw logsError(`--logs: "${raw}" is neither s3://BUCKET/PREFIX nor a local directory`);
  const path = isAbsolute(raw) ? raw : resolve(cwd, raw);
  if (!existsSync(path))
    throw logsError(
      `--logs: ${path} does not exist (give a directory of *.json.gz / *.json log files, or s3://BUCKET/PREFIX)`,
    );
  if (!statSync(path).isDirectory()) throw logsError(`--logs: ${path} is not a directory`);
  if (/[*?[\]{}]/.test(path))
    throw logsError(
      `--logs: ${path} contains one of * ? [ ] { }, which the log reader (DuckDB) treats as a pattern: use a ` +
        `path without them (e.g. a symbolic link)`,
    );
  return { kind: 'dir', path };
}

/**
 * The key prefix holding the hour partitions of one account and Region:
 * `<prefix>/AWSLogs/<account>/BedrockModelInvocationLogs/<region>/`. A prefix that already
 * reaches into that tree is taken as it is.
 */
export function partitionRoot(prefix: string, account: string, region: string): string {
  const p = prefix.replace(/\/+$/, '');
  if (/(^|\/)BedrockModelInvocationLogs$/.test(p)) return `${p}/${region}/`;
  if (/(^|\/)BedrockModelInvocationLogs\/[a-z0-9-]+$/.test(p)) return `${p}/`;
  return `${p ? `${p}/` : ''}AWSLogs/${account}/BedrockModelInvocationLogs/${region}/`;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How a log tree is partitioned by time: `YYYY/MM/DD/HH/` (invocation logs) or `YYYY/MM/DD/`
 * (CloudTrail), and how long after a record its file may land in a later partition.
 */
export interface Partitioning {
  unit: 'hour' | 'day';
  lagMs: number;
}

/** Bedrock's invocation logs: hour partitions, records delivered within the hour after them. */
export const INVOCATION_LOG_PARTITIONS: Partitioning = { unit: 'hour', lagMs: DELIVERY_LAG_MS };

const unitMs = (p: Partitioning): number => (p.unit === 'day' ? DAY : HOUR);

/**
 * The partitions of a window (plus the lag after it, for late delivery), as key prefixes under
 * `root`: a whole UTC day as one `YYYY/MM/DD/` prefix (one listing instead of 24), the ragged
 * ends of an hourly tree hour by hour.
 */
export function partitionPrefixes(
  root: string,
  window: { start: Date; end: Date },
  p: Partitioning = INVOCATION_LOG_PARTITIONS,
): string[] {
  const step = unitMs(p);
  const first = Math.floor(window.start.getTime() / step) * step;
  const last = Math.floor((window.end.getTime() + p.lagMs - 1) / step) * step;
  const prefixes: string[] = [];
  for (let t = first; t <= last;) {
    const dayStart = Math.floor(t / DAY) * DAY;
    if (t === dayStart && dayStart + DAY - step <= last) {
      prefixes.push(`${root}${hourKey(new Date(t)).slice(0, 10)}/`);
      t += DAY;
    } else {
      prefixes.push(`${root}${hourKey(new Date(t))}/`);
      t += HOUR;
    }
  }
  return prefixes;
}

/**
 * Whether a local file can hold records of the window, judged by a `YYYY/MM/DD/HH` (or, for a daily
 * tree, `YYYY/MM/DD`) part of its path (a copy of the S3 tree); files elsewhere may hold anything and are read.
 */
export function pathMayHold(
  path: string,
  window: { start: Date; end: Date },
  p: Partitioning = INVOCATION_LOG_PARTITIONS,
): boolean {
  const m = (
    p.unit === 'day' ? /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\// : /(?:^|\/)(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//
  ).exec(path);
  if (!m) return true;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0));
  if (Number.isNaN(t)) return true;
  return t + unitMs(p) > window.start.getTime() && t <= window.end.getTime() + p.lagMs - 1;
}
