/**
 * The audit's calls over time: per hour (windows up to 48 h) or per UTC day, each period's calls, refused calls
 * (AccessDenied…) and throttled calls in all and per --by value. The engine counts per period, and an event of
 * the history is one call, so each call group falls in one period (by its first call). --json prints it; the
 * HTML audit draws it as calls over time, stacked by the busiest values.
 */

export type TimelineStep = 'hour' | 'day';

/** The window, and what the timeline reads of a call group (audit/types.ts CallGroup). */
type Span = { start: Date; end: Date };
type Counted = { first: number; count: number; errorCode: string | null };

export interface TimelineCounts {
  calls: number;
  accessDenied: number;
  throttled: number;
}

export interface TimelinePeriod extends TimelineCounts {
  /** The period's start (UTC, ISO 8601); the first period starts at the window's start rounded down. */
  start: string;
  /** Per --by value with calls in the period (the value named as in the rows; null as there). */
  groups: ({ key: string | null } & TimelineCounts)[];
}

export interface AuditTimeline {
  step: TimelineStep;
  periods: TimelinePeriod[];
}

export const STEP_MS: Record<TimelineStep, number> = { hour: 3_600_000, day: 86_400_000 };

export function timelineStep(w: Span): TimelineStep {
  return w.end.getTime() - w.start.getTime() <= 48 * 3_600_000 ? 'hour' : 'day';
}

/** Throttled calls: CloudTrail's ThrottlingException (and the older Throttling / TooManyRequests codes). */
export const isThrottled = (errorCode: string | null | undefined): boolean =>
  !!errorCode && /^(Throttling|TooManyRequests)/.test(errorCode);

const NULL_KEY = '\u0000';

export class Timeline {
  readonly step: TimelineStep;
  private readonly ms: number;
  private readonly first: number;
  private readonly count: number;
  private readonly periods: Map<string, { key: string | null } & TimelineCounts>[];

  constructor(w: Span) {
    this.step = timelineStep(w);
    this.ms = STEP_MS[this.step];
    this.first = Math.floor(w.start.getTime() / this.ms) * this.ms;
    this.count = Math.max(1, Math.ceil((w.end.getTime() - this.first) / this.ms));
    this.periods = Array.from({ length: this.count }, () => new Map<string, { key: string | null } & TimelineCounts>());
  }

  /** A call group of the audited window, under its --by value. */
  add(key: string | null, g: Counted, denied: boolean): void {
    const i = Math.floor((g.first - this.first) / this.ms);
    const period = this.periods[i];
    if (!period) return;
    const id = key ?? NULL_KEY;
    const c = period.get(id) ?? { key, calls: 0, accessDenied: 0, throttled: 0 };
    c.calls += g.count;
    if (denied) c.accessDenied += g.count;
    if (isThrottled(g.errorCode)) c.throttled += g.count;
    period.set(id, c);
  }

  result(): AuditTimeline {
    const sum = (xs: TimelineCounts[], k: keyof TimelineCounts): number => xs.reduce((n, x) => n + x[k], 0);
    return {
      step: this.step,
      periods: this.periods.map((m, i) => {
        const groups = [...m.values()].sort((a, b) => b.calls - a.calls || String(a.key).localeCompare(String(b.key)));
        return {
          start: new Date(this.first + i * this.ms).toISOString(),
          calls: sum(groups, 'calls'),
          accessDenied: sum(groups, 'accessDenied'),
          throttled: sum(groups, 'throttled'),
          groups,
        };
      }),
    };
  }
}
