import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { usageError } from '../core/errors.js';
import { ConfigFileSchema, type ConfigFile } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'bedrock-monitor.config.json';

function formatIssue(file: string, issue: z.ZodIssue): string {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : p)).join('.').replace(/\.\[/g, '[');
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k));
    return `${file}: unknown key ${keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `${file}: "${path || '(top level)'}" ${issue.message}`;
}

/** Loads and validates the config file; `explicit` means the user named it, so it must exist. */
export function loadConfigFile(path: string | undefined, cwd = process.cwd()): { file: string | undefined; config: ConfigFile } {
  const explicit = path !== undefined;
  const file = resolve(cwd, path ?? DEFAULT_CONFIG_FILE);
  if (!existsSync(file)) {
    if (explicit) throw usageError(`--config: file not found: ${file}`);
    return { file: undefined, config: {} };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw usageError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = ConfigFileSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw usageError(first ? formatIssue(file, first) : `${file}: invalid config`);
  }
  return { file, config: parsed.data };
}

