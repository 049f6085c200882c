import { usageError } from '../core/errors.js';

export const RETENTION_DAYS = 455;
const DAY = 86_400_000;

export interface WindowRequest {
  hours?: number;
  since?: string;
  until?: string;
  byDay?: boolean;
}

export interface ReportWindow {
  start: Date;
  end: Date;
  /** Seconds: the period of the whole-window query, a multiple of the granularity. */
  periodSeconds: number;
  /** Granularity CloudWatch allows for a window starting this long ago (60, 300 or 3600 s). */
  granularitySeconds: number;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseIsoDate(flag: string, raw: string): Date {
  const t = Date.parse(raw);
  if (!ISO_8601.test(raw) || Number.isNaN(t)) throw usageError(`${flag}: "${raw}" is not an ISO 8601 date-time (e.g. 2026-11-21T00:00:00Z)`);
  return new Date(t);
}

/** Period granularity CloudWatch requires for data that starts `ageMs` ago. */
export function granularityFor(ageMs: number): number {
  if (ageMs < 15 * DAY) return 60;
  if (ageMs < 63 * DAY) return 300;
  return 3600;
}

/**
 * Validates the requested window (before any request) and aligns it to the granularity CloudWatch
 * keeps for data of that age, so one datapoint per query covers the whole window exactly.
 */
export function resolveWindow(req: WindowRequest, now: Date): ReportWindow {
  if (req.hours !== undefined && (req.since !== undefined || req.until !== undefined)) {
    throw usageError('--hours cannot be combined with --since/--until: give a duration or a start (and optional end)');
  }
  let start: Date;
  let end: Date;
  if (req.since !== undefined) {
    start = parseIsoDate('--since', req.since);
    if (start.getTime() >= now.getTime()) throw usageError(`--since (${start.toISOString()}) is in the future: it is now ${now.toISOString()}`);
    end = req.until !== undefined ? parseIsoDate('--until', req.until) : now;
    if (start.getTime() >= end.getTime()) throw usageError(`--since (${start.toISOString()}) must be before --until (${end.toISOString()})`);
    if (end.getTime() > now.getTime() + 60_000) throw usageError(`--until (${end.toISOString()}) is in the future`);
  } else if (req.until !== undefined) {
    throw usageError('--until needs --since');
  } else {
    const hours = req.hours ?? 24;
    if (!(hours > 0)) throw usageError('--hours must be greater than zero');
    end = now;
    start = new Date(now.getTime() - hours * 3_600_000);
  }
  if (now.getTime() - start.getTime() > RETENTION_DAYS * DAY) {
    throw usageError(`the window starts more than ${RETENTION_DAYS} days ago, beyond what CloudWatch keeps (--hours at most ${RETENTION_DAYS * 24})`);
  }
  let g = granularityFor(now.getTime() - start.getTime()) * 1000;
  if (req.byDay) g = Math.max(g, 3_600_000);
  let s: number;
  let e: number;
  if (req.since === undefined) {
    // "The last N hours": whole periods ending at the last complete one, exactly N hours long
    // (rounded up to whole periods).
    e = Math.floor(end.getTime() / g) * g;
    s = e - Math.ceil((end.getTime() - start.getTime()) / g) * g;
  } else {
    s = Math.floor(start.getTime() / g) * g;
    e = Math.max(Math.ceil(end.getTime() / g) * g, s + g);
  }
  return { start: new Date(s), end: new Date(e), periodSeconds: (e - s) / 1000, granularitySeconds: g / 1000 };
}
