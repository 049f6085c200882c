import { usageError } from '../core/errors.js';

/** Every input error here is about --by (docs/errors.md). */
const byError = (message: string, hint?: string): ReturnType<typeof usageError> =>
  usageError(message, hint, undefined, 'E_USAGE_BY');

/**
 * The dimensions a report can group by. `model` and `day` also exist in CloudWatch metrics; every
 * other one needs the invocation logs.
 */
export const DIM_KINDS = ['model', 'day', 'hour', 'principal', 'role', 'application', 'operation', 'tag'] as const;
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

export const DIMS_HELP = 'model, day, hour, principal, role, application, operation, tag:KEY';

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
  if (dims.some((d) => d.kind === 'day') && dims.some((d) => d.kind === 'hour'))
    throw byError('--by: day and hour together say the same thing twice: pick one');
  return dims;
}

/** CloudWatch metrics can answer `model` and `day` (alone or together); everything else needs the logs. */
export function metricsCanAnswer(dims: Dim[]): boolean {
  return dims.every((d) => d.kind === 'model' || d.kind === 'day');
}
