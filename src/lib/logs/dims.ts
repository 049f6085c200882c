import { usageError } from '../core/errors.js';

/** Every input error here is about --by (docs/errors.md). */
const byError = (message: string, hint?: string): ReturnType<typeof usageError> =>
  usageError(message, hint, undefined, 'E_USAGE_BY');

/**
 * The dimensions a report can group by. `model` and `day` also exist in CloudWatch metrics; every
 * other one needs the invocation logs. `account` and `region` are where a record was logged: the
 * `AWSLogs/<account>/BedrockModelInvocationLogs/<region>/` part of its path, else the record's own
 * `accountId` and `region` fields.
 */
export const DIM_KINDS = [
  'model',
  'day',
  'hour',
  'week',
  'month',
  'principal',
  'role',
  'application',
  'operation',
  'tag',
  'account',
  'region',
] as const;

/** Periods: at most one per report. */
export const TIME_KINDS: readonly DimKind[] = ['hour', 'day', 'week', 'month'];
export type DimKind = (typeof DIM_KINDS)[number];

export interface Dim {
  kind: DimKind;
  /** The requestMetadata key, for `tag`. */
  key?: string;
  /** The name in output: the DIM as typed, e.g. `principal`, `tag:team`. */
  name: string;
}

/** requestMetadata keys the tool accepts in `tag:KEY` (also keeps them safe inside SQL and queries). */
const TAG_KEY = /^[A-Za-z0-9_.:/=+@-]{1,128}$/;

export const DIMS_HELP =
  'model, hour, day, week, month, principal, role, application, operation, tag:KEY, account, region';

/** Parses `--by principal,tag:team`. Throws a usage error naming what is allowed. */
export function parseDims(raw: string): Dim[] {
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => p === ''))
    throw byError(`--by: "${raw}" has an empty dimension (use a comma-separated list of ${DIMS_HELP})`);
  const dims = parts.map((p): Dim => {
    if (p.startsWith('tag:')) {
      const key = p.slice(4);
      if (!TAG_KEY.test(key))
        throw byError(`--by: "${p}" needs a request-metadata key after "tag:" (1-128 of letters, digits and _.:/=+@-)`);
      return { kind: 'tag', key, name: p };
    }
    if (p === 'tag') throw byError('--by: "tag" needs a key, e.g. tag:team');
    if (!(DIM_KINDS as readonly string[]).includes(p))
      throw byError(`--by: "${p}" is not a dimension (use ${DIMS_HELP})`);
    return { kind: p as DimKind, name: p };
  });
  const seen = new Set<string>();
  for (const d of dims) {
    if (seen.has(d.name)) throw byError(`--by: "${d.name}" is given twice`);
    seen.add(d.name);
  }
  const periods = dims.filter((d) => TIME_KINDS.includes(d.kind));
  if (periods.length > 1) throw byError(`--by: ${periods.map((d) => d.name).join(' and ')} are two periods: pick one`);
  return dims;
}

/**
 * CloudWatch metrics can answer `model` and `day` (alone or together; `week` and `month` are days summed); over many
 * targets (`fleet`) also `account` and `region` (each target's metrics are its own); everything else needs the logs.
 */
export function metricsCanAnswer(dims: Dim[], fleet = false): boolean {
  const kinds: DimKind[] = ['model', 'day', 'week', 'month', ...(fleet ? (['account', 'region'] as const) : [])];
  return dims.every((d) => kinds.includes(d.kind));
}
