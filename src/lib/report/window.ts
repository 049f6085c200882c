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
  /** The end of the queried periods: a whole period, after `now` while the last one is still running. */
  end: Date;
  /**
   * What the figures can hold: `end`, or `now` when the last period is still running (that part of it is counted,
   * up to now). The report shows this end; unset (a window built by hand) means `end`.
   */
  until?: Date;
  /** The window as asked, before it was widened to whole periods (unset: as `start`/`end`). */
  asked?: { start: Date; end: Date };
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
  // Whole periods that hold the window asked for: from the period the start falls in to the end of the one the end
  // falls in. "The last N hours" asked at 10:37 by hour ends with the running hour (10:00 to now, counted so far), not
  // at 10:00 (its 37 minutes were dropped without a word); it starts at the whole hour, and the report says so.
  const s = Math.floor(start.getTime() / g) * g;
  const e = Math.max(Math.ceil(end.getTime() / g) * g, s + g);
  return {
    start: new Date(s),
    end: new Date(e),
    until: new Date(Math.min(e, now.getTime())),
    asked: { start, end },
    periodSeconds: (e - s) / 1000,
    granularitySeconds: g / 1000,
  };
}

/** The end the report shows: up to now while the last period is running. */
export const shownEnd = (w: Pick<ReportWindow, 'end' | 'until'>): Date => w.until ?? w.end;

const clock = (t: Date): string => t.toISOString().slice(0, 16).replace('T', ' ');
const span = (ms: number): string => {
  const m = Math.round(ms / 60_000);
  return m < 60 ? `${m} min` : `${Math.floor(m / 60)} h${m % 60 ? ` ${m % 60} min` : ''}`;
};

/**
 * What widening the window to whole periods added, said when it is a minute or more at either edge (CloudWatch's
 * figures for this window come in periods of `granularitySeconds`): nothing is left out, but more may be counted.
 */
export function widenedWarning(w: ReportWindow): string | undefined {
  if (!w.asked) return undefined;
  const before = w.asked.start.getTime() - w.start.getTime();
  const after = shownEnd(w).getTime() - w.asked.end.getTime();
  if (before < 60_000 && after < 60_000) return undefined;
  const unit = w.granularitySeconds >= 3600 ? 'whole hours' : `whole ${w.granularitySeconds / 60}-minute periods`;
  const parts = [
    ...(before >= 60_000 ? [`starts at ${clock(w.start)} UTC, ${span(before)} before the start asked`] : []),
    ...(after >= 60_000 ? [`ends at ${clock(shownEnd(w))} UTC, ${span(after)} after the end asked`] : []),
  ];
  return `CloudWatch's figures for this window come in ${unit}: the window ${parts.join(' and ')}`;
}
