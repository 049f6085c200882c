/** Numbers and durations as people write them. */

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
