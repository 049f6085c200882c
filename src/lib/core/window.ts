import { usageError } from './errors.js';

/** Every input error here is about the time window (docs/errors.md). */
const windowError = (message: string, hint?: string): ReturnType<typeof usageError> =>
  usageError(message, hint, undefined, 'E_USAGE_WINDOW');

/**
 * The time window a command is asked for: the last `--hours` (a default when none is given), or
 * `--since` (and optional `--until`). The rules every command shares, checked before any request;
 * what a window means to a source (CloudWatch's alignment, CloudTrail's previous window) is the
 * caller's.
 */

export interface WindowFlags {
  hours?: number;
  since?: string;
  until?: string;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * An ISO 8601 date or date-time. Without an offset it is UTC (as every time the tool prints), not the
 * machine's zone; a date that does not exist (2026-02-30) is refused rather than rolled over.
 */
export function parseIsoDate(flag: string, raw: string): Date {
  const bad = () => windowError(`${flag}: "${raw}" is not an ISO 8601 date-time (e.g. 2026-11-21T00:00:00Z)`);
  const m = ISO_8601.exec(raw);
  if (!m) throw bad();
  const utc = m[1] !== undefined && m[4] === undefined ? `${raw}Z` : raw;
  const t = Date.parse(utc);
  if (Number.isNaN(t)) throw bad();
  const [y = 0, mo = 0, d = 0] = raw.slice(0, 10).split('-').map(Number);
  // The calendar date as typed must exist (checked on the date part, before any offset is applied).
  const day = new Date(Date.UTC(y, mo - 1, d));
  if (day.getUTCFullYear() !== y || day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) {
    throw windowError(`${flag}: "${raw}" is not a date of the calendar`);
  }
  return new Date(t);
}

/** Start and end as asked (not aligned); `--until` may be up to a minute ahead of the clock. */
export function windowFromFlags(req: WindowFlags, now: Date, defaultHours = 24): { start: Date; end: Date } {
  if (req.hours !== undefined && (req.since !== undefined || req.until !== undefined)) {
    throw windowError('--hours cannot be combined with --since/--until: give a duration or a start (and optional end)');
  }
  if (req.since !== undefined) {
    const start = parseIsoDate('--since', req.since);
    if (start.getTime() >= now.getTime())
      throw windowError(`--since (${start.toISOString()}) is in the future: it is now ${now.toISOString()}`);
    const end = req.until !== undefined ? parseIsoDate('--until', req.until) : now;
    if (start.getTime() >= end.getTime())
      throw windowError(`--since (${start.toISOString()}) must be before --until (${end.toISOString()})`);
    if (end.getTime() > now.getTime() + 60_000) throw windowError(`--until (${end.toISOString()}) is in the future`);
    return { start, end };
  }
  if (req.until !== undefined) throw windowError('--until needs --since');
  const hours = req.hours ?? defaultHours;
  if (!(hours > 0)) throw windowError('--hours must be greater than zero');
  const start = new Date(now.getTime() - hours * 3_600_000);
  if (!Number.isFinite(start.getTime())) throw windowError(`--hours ${hours} reaches before any date there is`);
  return { start, end: now };
}
