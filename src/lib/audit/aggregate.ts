import { principalOf, roleOf } from '../core/identity.js';
import { isAccessDenied } from './identity.js';
import type { Timeline } from './timeline.js';
import { GROUP_FIELD, type AuditRow, type AuditTotals, type CallGroup, type GroupBy } from './types.js';

/**
 * Folds call groups into one row per --by value. Both sources feed it (the event history one event
 * at a time, the engine pre-counted groups), so the rules live here once. Memory grows with the
 * number of distinct values, never with the number of calls.
 */

interface Acc {
  key: string | null;
  calls: number;
  errors: number;
  denied: number;
  events: Map<string, number>;
  ips: Map<string, number>;
  principals: Map<string, number>;
  accounts: Map<string, number>;
  regions: Map<string, number>;
  first: number;
  last: number;
}

const NULL_KEY = '\u0000';

function bump(m: Map<string, number>, k: string, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n);
}

/** Most frequent first, then alphabetical: stable output for equal counts. */
function ranked(m: Map<string, number>): string[] {
  return [...m].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0)).map(([k]) => k);
}

export class AuditAggregator {
  private readonly accs = new Map<string, Acc>();
  private readonly previousKeys = new Set<string>();

  constructor(
    private readonly groupBy: GroupBy,
    private readonly deniedOnly: boolean,
    /** Also counts the calls per period (the audit's timeline). */
    private readonly timeline?: Timeline,
  ) {}

  private keyOf(g: CallGroup, principal: string): string | null {
    if (this.groupBy === 'principal') return principal;
    if (this.groupBy === 'role') return roleOf(g.identity);
    if (this.groupBy === 'event') return g.eventName;
    if (this.groupBy === 'source-ip') return g.sourceIp;
    if (this.groupBy === 'account') return g.account;
    if (this.groupBy === 'region') return g.region;
    return g.errorCode;
  }

  add(g: CallGroup): void {
    const principal = principalOf(g.identity);
    const key = this.keyOf(g, principal);
    const id = key ?? NULL_KEY;
    // `new` means no Bedrock call at all in the previous window, refused or not.
    if (g.previous) {
      this.previousKeys.add(id);
      return;
    }
    const denied = isAccessDenied(g.errorCode);
    if (this.deniedOnly && !denied) return;
    this.timeline?.add(key, g, denied);
    let a = this.accs.get(id);
    if (!a) {
      a = {
        key,
        calls: 0,
        errors: 0,
        denied: 0,
        events: new Map(),
        ips: new Map(),
        principals: new Map(),
        accounts: new Map(),
        regions: new Map(),
        first: g.first,
        last: g.last,
      };
      this.accs.set(id, a);
    }
    a.calls += g.count;
    if (g.errorCode) a.errors += g.count;
    if (denied) a.denied += g.count;
    bump(a.events, g.eventName, g.count);
    if (g.sourceIp) bump(a.ips, g.sourceIp, g.count);
    bump(a.principals, principal, g.count);
    if (g.account) bump(a.accounts, g.account, g.count);
    if (g.region) bump(a.regions, g.region, g.count);
    a.first = Math.min(a.first, g.first);
    a.last = Math.max(a.last, g.last);
  }

  /** The rows, busiest first; `new` is null when the previous window could not be read. */
  result(previousRead: boolean): { rows: AuditRow[]; totals: AuditTotals } {
    const field = GROUP_FIELD[this.groupBy];
    const accs = [...this.accs.entries()].sort(([x, a], [y, b]) => b.calls - a.calls || (x < y ? -1 : x > y ? 1 : 0));
    const rows: AuditRow[] = accs.map(([id, a]) => ({
      [field]: a.key,
      calls: a.calls,
      errors: a.errors,
      accessDenied: a.denied,
      eventNames: Object.fromEntries(ranked(a.events).map((e) => [e, a.events.get(e)!])),
      sourceIps: ranked(a.ips),
      principals: ranked(a.principals),
      accounts: ranked(a.accounts),
      regions: ranked(a.regions),
      firstSeen: new Date(a.first).toISOString(),
      lastSeen: new Date(a.last).toISOString(),
      new: previousRead ? !this.previousKeys.has(id) : null,
    }));
    const distinct = (pick: (a: Acc) => Map<string, number>): number =>
      new Set(accs.flatMap(([, a]) => [...pick(a).keys()])).size;
    const totals: AuditTotals = {
      calls: rows.reduce((n, r) => n + r.calls, 0),
      errors: rows.reduce((n, r) => n + r.errors, 0),
      accessDenied: rows.reduce((n, r) => n + r.accessDenied, 0),
      principals: distinct((a) => a.principals),
      sourceIps: distinct((a) => a.ips),
      new: rows.filter((r) => r.new === true).length,
    };
    return { rows, totals };
  }
}
