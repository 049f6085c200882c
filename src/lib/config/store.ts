import { z } from 'zod';
import { usageError } from '../core/errors.js';
import { configPath, configProblems, readConfigJson, writeConfigJson } from './file.js';
import { configKeys, describeIssue, parseValue, resolveKey, unwrap, valueAt as at, type KeyInfo } from './keys.js';
import { coherenceProblems } from './settings.js';
import { ConfigFileSchema, DERIVED_DEFAULTS } from './schema.js';

/**
 * `config set/get/unset/list`: settings that last, in the config file, checked by the same schema
 * that checks the file when a command loads it. Flags stay one-run overrides.
 */

export type Source = 'file' | 'default' | 'unset';

export interface ConfigEntry {
  key: string;
  value: unknown;
  source: Source;
}

let defaults: unknown;
/** The default for a key: the schema's, a described derived value, or undefined (unset). */
export function defaultOf(key: string): unknown {
  if (key in DERIVED_DEFAULTS) return DERIVED_DEFAULTS[key];
  defaults ??= ConfigFileSchema.parse({});
  return at(defaults, key.split('.'));
}

/** Problems of a document that is valid key by key, as a command would refuse them. */
function incoherence(data: unknown): string[] {
  const parsed = ConfigFileSchema.safeParse(data);
  return parsed.success ? coherenceProblems(parsed.data).map((p) => p.message) : [];
}

function setAt(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) {
    const next = o[k];
    if (!next || typeof next !== 'object' || Array.isArray(next)) o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[path[path.length - 1]!] = value;
}

/** Removes a path and any object it leaves empty. Returns whether anything was there. */
function deleteAt(obj: Record<string, unknown>, path: string[]): boolean {
  const [head, ...rest] = path;
  if (head === undefined || !(head in obj)) return false;
  if (!rest.length) {
    delete obj[head];
    return true;
  }
  const child = obj[head];
  if (!child || typeof child !== 'object') return false;
  const removed = deleteAt(child as Record<string, unknown>, rest);
  if (removed && Object.keys(child).length === 0) delete obj[head];
  return removed;
}

function checkValue(key: string, info: KeyInfo, value: unknown): void {
  const parsed = info.schema.safeParse(value);
  if (parsed.success) return;
  const problems = parsed.error.issues.map((i) =>
    i.path.length ? describeIssue({ ...i, path: [key, ...i.path] }) : `${key}: ${i.message}`,
  );
  const allowed =
    info.choices && !problems.some((p) => p.includes(info.choices![0]!)) ? ` (one of ${info.choices.join(', ')})` : '';
  throw usageError(`${problems.join('; ')}${allowed}`);
}

export interface SetResult {
  file: string;
  key: string;
  value: unknown;
  previous: unknown;
  created: boolean;
  /** Problems elsewhere in the file, left as they were. */
  otherProblems: string[];
}

/** `config set KEY VALUE`: typed by the schema, checked, and written (the file is created when missing). */
export function configSet(opts: { config?: string | undefined; cwd: string }, key: string, raw: string): SetResult {
  const { info, path } = resolveKey(key);
  const value = parseValue(key, info, raw);
  checkValue(key, info, value);
  const file = configPath(opts.config, opts.cwd);
  const existing = readConfigJson(file);
  const data = existing ?? {};
  const before = new Set(configProblems(data));
  const incoherentBefore = new Set(before.size ? [] : incoherence(data));
  const previous = at(data, path);
  setAt(data, path, value);
  // Problems this change would cause refuse it; problems the file already had are left, with a warning.
  const after = configProblems(data);
  let caused = after.filter((p) => !before.has(p));
  // Settings that contradict each other: checked once the file is valid key by key, as a command would.
  if (!caused.length && !after.length) {
    caused = incoherence(data).filter((p) => !incoherentBefore.has(p));
  }
  if (caused.length)
    throw usageError(
      `${key}: ${caused.join('; ')}`,
      path[0] === 'prices'
        ? `Set the whole entry: bedrock-monitor config set prices.${path[1]} '{"input": 3, "output": 15, ` +
            `"cacheWrite": 3.75, "cacheRead": 0.3}'`
        : undefined,
    );
  writeConfigJson(file, data);
  return { file, key, value, previous: previous ?? null, created: existing === undefined, otherProblems: after };
}

/** `config unset KEY`: back to the default. A key the file does not hold is not an error. */
export function configUnset(
  opts: { config?: string | undefined; cwd: string },
  key: string,
): { file: string; key: string; removed: boolean; previous: unknown } {
  const known = configKeys().some((k) => k.key === key || k.key.startsWith(`${key}.`));
  const path = known ? key.split('.') : resolveKey(key).path;
  const file = configPath(opts.config, opts.cwd);
  const data = readConfigJson(file);
  if (!data) return { file, key, removed: false, previous: null };
  const previous = at(data, path);
  const removed = deleteAt(data, path);
  if (removed) writeConfigJson(file, data);
  return { file, key, removed, previous: previous ?? null };
}

/** `config get KEY`: the file's value, else the default. */
export function configGet(
  opts: { config?: string | undefined; cwd: string },
  key: string,
): ConfigEntry & { file: string } {
  const { path } = resolveKey(key);
  const file = configPath(opts.config, opts.cwd);
  const data = readConfigJson(file) ?? {};
  const inFile = at(data, path);
  if (inFile !== undefined) return { file, key, value: inFile, source: 'file' };
  // The schema's default where the file holds the entry around it (a price's cache rates), else the key's own.
  const parsed = key in DERIVED_DEFAULTS ? undefined : ConfigFileSchema.safeParse(data);
  const d = parsed?.success ? at(parsed.data, path) : defaultOf(key);
  return { file, key, value: d ?? null, source: d === undefined || d === null ? 'unset' : 'default' };
}

/** `config list`: every key with its value and where it comes from, plus the file's price overrides. */
export function configList(opts: { config?: string | undefined; cwd: string }): {
  file: string;
  exists: boolean;
  entries: ConfigEntry[];
} {
  const file = configPath(opts.config, opts.cwd);
  const data = readConfigJson(file);
  const entries: ConfigEntry[] = [];
  for (const k of configKeys()) {
    if (k.key.includes('<')) continue;
    const inFile = at(data ?? {}, k.key.split('.'));
    const d = defaultOf(k.key);
    entries.push(
      inFile !== undefined
        ? { key: k.key, value: inFile, source: 'file' }
        : { key: k.key, value: d ?? null, source: d === undefined || d === null ? 'unset' : 'default' },
    );
  }
  const prices = data?.prices;
  if (prices && typeof prices === 'object')
    for (const [id, v] of Object.entries(prices)) entries.push({ key: `prices.${id}`, value: v, source: 'file' });
  return { file, exists: data !== undefined, entries };
}

/** A value as a person types it back: strings bare, lists comma-separated, the rest as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  return JSON.stringify(value);
}

/** Whether a key takes a list (for help and prompts). */
export function isList(key: string): boolean {
  return unwrap(resolveKey(key).info.schema).base instanceof z.ZodArray;
}
