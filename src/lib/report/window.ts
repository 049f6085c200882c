import { usageError } from '../core/errors.js';
import { windowFromFlags, type WindowFlags } from '../core/window.js';

/** Every input error here is about the time window (docs/errors.md). */
const windowError = (message: string, hint?: string): ReturnType<typeof usageError> =>
  usageError(message, hint, undefined, 'E_USAGE_WINDOW');

export const RETENTION_DAYS = 455;
const DAY = 86_400_000;

export interface WindowRequest extends WindowFlags {
  byDay?: boolean;
  /**
   * Hold the window to CloudWatch's retention (default). The invocation logs are the user's own files: a logs report
   * reads any age (its reconciliation with CloudWatch is then left out, see logs-report.ts).
   */
  retention?: boolean;
}

/** Whether a window starts before what CloudWatch keeps. */
export const beyondRetention = (start: Date, now: Date): boolean =>
  now.getTime() - start.getTime() > RETENTION_DAYS * DAY;

export interface ReportWindow {
  start: Date;
  end: Date;
  /** Seconds: the period of the whole-window query, a multiple of the granularity. */
  periodSeconds: number;
  /** Granularity CloudWatch allows for a window starting this long ago (60, 300 or 3600 s). */
  granularitySeconds: number;
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
  const { start, end } = windowFromFlags(req, now);
  if (req.retention !== false && beyondRetention(start, now)) {
    throw windowError(
      `the window starts more than ${RETENTION_DAYS} days ago, beyond what CloudWatch keeps (--hours at most ` +
        `${RETENTION_DAYS * 24})`,
    );
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
