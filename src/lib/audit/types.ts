import type { ErrorJson } from '../core/errors.js';
import type { Identity } from '../core/identity.js';

export type { Identity };
import type { AuditTimeline } from './timeline.js';

/** The audit's typed values, shared by its stages: window → source → aggregate → render. */

export const GROUP_BY = ['principal', 'role', 'event', 'source-ip', 'error', 'account', 'region'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** The row field that holds the group's value, per --by. */
export const GROUP_FIELD = {
  principal: 'principal',
  role: 'role',
  event: 'eventName',
  'source-ip': 'sourceIp',
  error: 'errorCode',
  account: 'account',
  region: 'region',
} as const satisfies Record<GroupBy, string>;
export type GroupField = (typeof GROUP_FIELD)[GroupBy];

/**
 * Bedrock calls that share identity, event name, source IP and error code: one event from the
 * event history, or a group the engine counted in CloudTrail files.
 */
export interface CallGroup {
  identity: Identity;
  eventName: string;
  sourceIp: string | null;
  errorCode: string | null;
  /** The account the call was made in (the file's path, else the record's recipientAccountId) and its Region. */
  account: string | null;
  region: string | null;
  count: number;
  /** Epoch milliseconds of the first and last call. */
  first: number;
  last: number;
  /** In the previous window (same length, just before the audited one). */
  previous: boolean;
}

export interface AuditWindow {
  start: Date;
  end: Date;
  /** The window of the same length just before `start`, for `new`. */
  previousStart: Date;
}

export type AuditRow = { [K in GroupField]?: string | null } & {
  calls: number;
  errors: number;
  accessDenied: number;
  eventNames: Record<string, number>;
  sourceIps: string[];
  principals: string[];
  /** The accounts and Regions the row's calls were made in, busiest first. */
  accounts: string[];
  regions: string[];
  firstSeen: string;
  lastSeen: string;
  /** Not seen at all in the previous window; null when that window could not be read. */
  new: boolean | null;
};

export type AuditSource =
  | { kind: 'event-history'; dataEvents: false }
  | { kind: 'trail'; location: string; files: number; bytes: number; dataEvents: true };

export interface AuditTotals {
  calls: number;
  errors: number;
  accessDenied: number;
  principals: number;
  sourceIps: number;
  new: number;
}

/** Records in the window the audit could not count (a file's, for one reason). */
export interface SkippedRecords {
  /** The file's path from `AWSLogs/` (as the trail wrote it), else the path as found. */
  file: string;
  reason: string;
  records: number;
}

/** Exactly what --json prints; the other formats are drawn from it. */
/** One account and Region whose event history was read (audit --source history over many accounts). */
export interface AuditTarget {
  account: string;
  region: string;
  status: 'read' | 'failed';
  /** Bedrock calls its history held in the window; null when it could not be read. */
  events: number | null;
  /** failed: the error (its hint is the fix), else null. */
  error: ErrorJson | null;
}

export interface AuditResult {
  window: { start: string; end: string; hours: number };
  previousWindow: { start: string; end: string } | null;
  region: string;
  /** The accounts and Regions whose calls count; null where any does. */
  scope: { accounts: string[] | null; regions: string[] | null };
  source: AuditSource;
  groupBy: GroupBy;
  deniedOnly: boolean;
  rows: AuditRow[];
  totals: AuditTotals;
  /** What was read but not counted: never part of the figures, always said. */
  skipped: { records: number; by: SkippedRecords[] };
  /** Calls per hour or day of the window (audit/timeline.ts). */
  timeline: AuditTimeline;
  /** The event history of several accounts: a row per account and Region read (or failed). */
  targets?: AuditTarget[];
  warnings: string[];
}
