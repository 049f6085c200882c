import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The tool's cache: `$XDG_CACHE_HOME/bedrock-monitor`, else `~/.cache/bedrock-monitor` (a relative XDG_CACHE_HOME is
 * ignored, as the spec says).
 */
export function cacheRoot(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME || homedir(), '.cache');
  return join(base, 'bedrock-monitor');
}
