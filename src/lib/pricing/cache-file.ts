import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RefreshedTableSchema, type RefreshedTable } from './refreshed.js';

/**
 * Where `prices refresh` keeps the refreshed table: $XDG_CACHE_HOME/bedrock-monitor/, else
 * $HOME/.cache/bedrock-monitor/ (the XDG default), one file per Region, with its fetch date inside.
 */

export function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  const xdg = env.XDG_CACHE_HOME;
  if (xdg && xdg.startsWith('/')) return join(xdg, 'bedrock-monitor');
  const home = env.HOME ?? env.USERPROFILE;
  return home ? join(home, '.cache', 'bedrock-monitor') : undefined;
}

export function priceCachePath(env: NodeJS.ProcessEnv, region: string): string | undefined {
  const dir = cacheDir(env);
  return dir ? join(dir, `prices-${region}.json`) : undefined;
}

export type CacheRead =
  | { status: 'ok'; table: RefreshedTable; path: string }
  | { status: 'absent'; path: string | undefined }
  | { status: 'invalid'; path: string; problem: string };

/** The refreshed table for a Region, if a valid one is cached. Never throws. */
export function readPriceCache(env: NodeJS.ProcessEnv, region: string): CacheRead {
  const path = priceCachePath(env, region);
  if (!path) return { status: 'absent', path };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { status: 'absent', path };
  }
  try {
    const parsed = RefreshedTableSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        status: 'invalid',
        path,
        problem: `${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}`,
      };
    }
    if (parsed.data.region !== region)
      return { status: 'invalid', path, problem: `it holds prices for ${parsed.data.region}, not ${region}` };
    return { status: 'ok', table: parsed.data, path };
  } catch (err) {
    return { status: 'invalid', path, problem: `not valid JSON (${(err as Error).message})` };
  }
}

/** Writes the table whole or not at all (a temporary file renamed over the old one). */
export function writePriceCache(path: string, table: RefreshedTable): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(table, null, 2)}\n`);
  renameSync(tmp, path);
}
