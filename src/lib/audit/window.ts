import { usageError } from '../core/errors.js';
import { windowFromFlags, type WindowFlags } from '../core/window.js';
import type { AuditWindow } from './types.js';

/** Every input error here is about the time window (docs/errors.md). */
const windowError = (message: string, hint?: string): ReturnType<typeof usageError> =>
  usageError(message, hint, undefined, 'E_USAGE_WINDOW');

export type AuditWindowRequest = WindowFlags;

/** CloudTrail's event history keeps 90 days of management events. */
export const EVENT_HISTORY_DAYS = 90;
const DAY = 86_400_000;

/**
 * The audited window (the last N hours, default 24, or --since/--until) and the window of the same
 * length just before it, which says which principals are new. Checked before any request.
 */
/** The longest audited window: its files are listed a day partition at a time, and the previous window doubles it. */
export const AUDIT_MAX_DAYS = 366;

export function resolveAuditWindow(req: AuditWindowRequest, now: Date): AuditWindow {
  const { start, end } = windowFromFlags(req, now);
  if (end.getTime() - start.getTime() > AUDIT_MAX_DAYS * DAY) {
    throw windowError(
      `the audited window is longer than ${AUDIT_MAX_DAYS} days (--hours at most ${AUDIT_MAX_DAYS * 24}): ` +
        `audit a year at a time`,
    );
  }
  return { start, end, previousStart: new Date(2 * start.getTime() - end.getTime()) };
}

/** The oldest instant the event history still has. */
export function historyHorizon(now: Date): Date {
  return new Date(now.getTime() - EVENT_HISTORY_DAYS * DAY);
}

/** The event history cannot answer a window that starts beyond its 90 days: say so before any request. */
export function checkHistoryWindow(w: AuditWindow, now: Date): void {
  if (w.start.getTime() < historyHorizon(now).getTime()) {
    throw windowError(
      `the window starts more than ${EVENT_HISTORY_DAYS} days ago, beyond CloudTrail's event history`,
      "Use --source trail (the trail's files in S3 or a directory) for older calls.",
    );
  }
}
