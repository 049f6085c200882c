/** Numbers, durations and times as people write them. */

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** "45 min", "29 h 38 min", "24 h", "3 days 4 h": whole minutes, days from 48 hours on. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const min = minutes % 60;
  if (hours < 48) return min ? `${hours} h ${min} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  const h = hours % 24;
  return h ? `${plural(days, 'day')} ${h} h` : plural(days, 'day');
}

/** "1 resource", "3 resources". */
export function count(n: number, one: string, many?: string): string {
  return plural(n, one, many);
}

/**
 * Prose wrapped at spaces to `width` (undefined: one line, as into a pipe); continuation lines are
 * indented by `hang`. A word longer than the line stays whole.
 */
export function wrapWords(text: string, width: number | undefined, hang = 0): string[] {
  if (width === undefined || text.length <= width) return [text];
  const indent = /^ */.exec(text)![0];
  const words = text.slice(indent.length).split(' ');
  const lines: string[] = [];
  let line = indent;
  for (const w of words) {
    const candidate = line.trim() ? `${line} ${w}` : `${line}${w}`;
    if (candidate.length > width && line.trim()) {
      lines.push(line);
      line = `${' '.repeat(hang)}${w}`;
    } else {
      line = candidate;
    }
  }
  if (line.trim()) lines.push(line);
  return lines;
}

/** After one of these a value may be cut without splitting a token. */
const BOUNDARY = /[\s,:;{}[\]"/.=-]/;
/** Characters of shared text kept around a difference, for context. */
const CONTEXT = 12;

/** The nearest token boundary at or before i. */
function boundaryBefore(s: string, i: number): number {
  let k = i;
  while (k > 0 && !BOUNDARY.test(s[k - 1]!)) k--;
  return k;
}

/** The nearest token boundary at or after i. */
function boundaryAfter(s: string, i: number): number {
  let k = i;
  while (k < s.length && !BOUNDARY.test(s[k - 1] ?? ' ')) k++;
  return k;
}

/** Cut at a token boundary to at most `room` characters, marking the cut with "…". */
function cutAt(s: string, room: number): string {
  if (s.length <= room) return s;
  const k = boundaryBefore(s, room - 1);
  return `${s.slice(0, k > 0 ? k : room - 1)}…`;
}

/**
 * Two long values made short enough to compare: what they share at the start and at the end
 * becomes "…" (cut only at token boundaries, keeping a little context), so the difference shows.
 */
export function focusPair(from: string, to: string, room: number): [string, string] {
  if (from.length <= room && to.length <= room) return [from, to];
  let p = 0;
  while (p < from.length && p < to.length && from[p] === to[p]) p++;
  // Shared text only a little longer than the context is kept whole rather than replaced by "…".
  p = p <= CONTEXT + 8 ? 0 : boundaryBefore(from, p - CONTEXT);
  let q = 0;
  while (q < from.length - p && q < to.length - p && from[from.length - 1 - q] === to[to.length - 1 - q]) q++;
  const keepEnd = (s: string): number => (q <= CONTEXT + 8 ? s.length : boundaryAfter(s, s.length - q + CONTEXT));
  const focus = (s: string): string => {
    const end = q > 0 ? Math.min(s.length, keepEnd(s)) : s.length;
    return `${p > 0 ? '…' : ''}${s.slice(p, end)}${end < s.length ? '…' : ''}`;
  };
  return [cutAt(focus(from), room), cutAt(focus(to), room)];
}

/** The time zone a report's times are shown in: TZ, else UTC. */
export function zoneOf(tz: string | undefined): string {
  return tz && tz.length ? tz : 'UTC';
}

/**
 * One formatter per zone, made on first use: making an Intl.DateTimeFormat costs ~140 µs, formatting with one ~2.5 µs,
 * and a table of events formats a time per row. null: a zone Intl does not know.
 */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatterFor(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f !== undefined) return f;
  try {
    f = new Intl.DateTimeFormat('sv-SE', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
  } catch {
    f = null;
  }
  formatters.set(zone, f);
  return f;
}

/** "2026-11-21 10:17" in the zone (zoneOf); the ISO text's own minutes when the zone is not one Intl knows. */
export function formatTime(iso: string, tz: string | undefined): string {
  const f = formatterFor(zoneOf(tz));
  try {
    if (f) return f.format(new Date(iso));
  } catch {
    // an ISO text Date cannot read: its own minutes, as for an unknown zone
  }
  return iso.slice(0, 16).replace('T', ' ');
}
