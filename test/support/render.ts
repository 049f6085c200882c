import { PassThrough } from 'node:stream';
import { Output } from '../../src/lib/io/output.js';

/** The widths every human output is checked at: three terminals and a pipe (undefined). */
export const WIDTHS = [60, 80, 160, undefined] as const;
export type Width = (typeof WIDTHS)[number];

export const widthName = (w: Width): string => (w === undefined ? 'piped' : String(w));

/**
 * An Output as a command would have it, writing to captured streams: a terminal `width` columns
 * wide (COLUMNS), or a pipe when width is undefined. No colour (NO_COLOR), TZ fixed to UTC.
 */
export function capture(
  width: Width,
  env: Record<string, string> = {},
): { out: Output; stdout: () => string; stderr: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let o = '';
  let e = '';
  stdout.on('data', (d: Buffer) => (o += d.toString()));
  stderr.on('data', (d: Buffer) => (e += d.toString()));
  if (width !== undefined) for (const s of [stdout, stderr]) Object.assign(s, { isTTY: true, columns: width });
  const io = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: { NO_COLOR: '1', TZ: 'UTC', ...(width !== undefined ? { COLUMNS: String(width) } : {}), ...env },
    cwd: '/',
  };
  const out = new Output(io, { json: false, color: true, verbose: false });
  return { out, stdout: () => o, stderr: () => e };
}

/** Lines longer than the width, except links (a link is never broken, so that it stays clickable). */
export function overlong(text: string, width: number | undefined): string[] {
  if (width === undefined) return [];
  return text.split('\n').filter((l) => l.length > width && !/https:\/\/\S+$/.test(l));
}
