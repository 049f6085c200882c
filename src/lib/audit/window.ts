import { usageError } from '../core/errors.js';
import type { AuditWindow } from './types.js';

export interface AuditWindowRequest {
  hours?: number;
  since?: string;
  until?: string;
}

/** CloudTrail's event history keeps 90 days of management events. */
export const EVENT_HISTORY_DAYS = 90;
const DAY = 86_400_000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function parseIso(flag: string, raw: string): Date {
  const t = Date.parse(raw);
  if (!ISO_8601.test(raw) || Number.isNaN(t)) throw usageError(`${flag}: "${raw}" is not an ISO 8601 date-time (e.g. 2026-11-21T00:00:00Z)`);
  return new Date(t);
}

/**
 * The audited window (the last N hours, default 24, or --since/--until) and the window of the same
 * length just before it, which says which principals are new. Checked before any request.
 */
export function resolveAuditWindow(req: AuditWindowRequest, now: Date): AuditWindow {
  if (req.hours !== undefined && (req.since !== undefined || req.until !== undefined)) {
    throw usageError('--hours cannot be combined with --since/--until: give a duration or a start (and optional end)');
  }
  let start: Date;
  let end: Date;
  if (req.since !== undefined) {
    start = parseIso('--since', req.since);
    end = req.until !== undefined ? parseIso('--until', req.until) : now;
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
  return { start, end, previousStart: new Date(2 * start.getTime() - end.getTime()) };
}

/** The oldest instant the event history still has. */
export function historyHorizon(now: Date): Date {
  return new Date(now.getTime() - EVENT_HISTORY_DAYS * DAY);
}

/** The event history cannot answer a window that starts beyond its 90 days: say so before any request. */
export function checkHistoryWindow(w: AuditWindow, now: Date): void {
  if (w.start.getTime() < historyHorizon(now).getTime()) {
    throw usageError(
      `the window starts more than ${EVENT_HISTORY_DAYS} days ago, beyond CloudTrail's event history`,
      'Use --source trail (the trail\'s files in S3 or a directory) for older calls.',
    );
  }
}
