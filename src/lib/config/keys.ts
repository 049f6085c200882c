import { z } from 'zod';
import { usageError } from '../core/errors.js';
import { editDistance, nearest } from '../core/suggest.js';
import { ConfigFileSchema } from './schema.js';

/**
 * The config file's keys, read from its zod schema (never listed by hand): dotted paths such as
 * `alarms.thresholds.tokensPerHour`, the type of each, and how a value typed on the command line
 * becomes that type. Used by `config set/get/unset/list` and by the config file's own error messages.
 */

/** The value at a path of a JSON document, or undefined. */
export function valueAt(obj: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined),
    obj,
  );
}

export type KeyKind = 'string' | 'number' | 'boolean' | 'enum' | 'list' | 'object';

export interface KeyInfo {
  /** Dotted path; a record's entries appear as `prices.<model ID>`. */
  key: string;
  kind: KeyKind;
  /** For enums and lists of enums: the allowed values. */
  choices?: string[];
  nullable: boolean;
  schema: z.ZodTypeAny;
}

/** Strips optional, nullable, default and refinement wrappers, noting nullability. */
export function unwrap(schema: z.ZodTypeAny): { base: z.ZodTypeAny; nullable: boolean } {
  let s = schema;
  let nullable = false;
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s._def.innerType as z.ZodTypeAny;
    else if (s instanceof z.ZodNullable) {
      nullable = true;
      s = s._def.innerType as z.ZodTypeAny;
    } else if (s instanceof z.ZodEffects) s = s._def.schema as z.ZodTypeAny;
    else return { base: s, nullable };
  }
}

function kindOf(base: z.ZodTypeAny): { kind: KeyKind; choices?: string[] } {
  if (base instanceof z.ZodNumber) return { kind: 'number' };
  if (base instanceof z.ZodBoolean) return { kind: 'boolean' };
  if (base instanceof z.ZodEnum) return { kind: 'enum', choices: base.options as string[] };
  if (base instanceof z.ZodArray) {
    const inner = unwrap(base.element as z.ZodTypeAny).base;
    return { kind: 'list', ...(inner instanceof z.ZodEnum ? { choices: inner.options as string[] } : {}) };
  }
  if (base instanceof z.ZodObject || base instanceof z.ZodRecord) return { kind: 'object' };
  return { kind: 'string' };
}

function walk(schema: z.ZodTypeAny, prefix: string, out: KeyInfo[]): void {
  const { base, nullable } = unwrap(schema);
  if (base instanceof z.ZodObject) {
    for (const [k, v] of Object.entries(base.shape as Record<string, z.ZodTypeAny>))
      walk(v, prefix ? `${prefix}.${k}` : k, out);
    return;
  }
  if (base instanceof z.ZodRecord) {
    out.push({ key: `${prefix}.<model ID>`, kind: 'object', nullable, schema: base.valueSchema as z.ZodTypeAny });
    const value = unwrap(base.valueSchema as z.ZodTypeAny).base;
    if (value instanceof z.ZodObject) {
      for (const [k, v] of Object.entries(value.shape as Record<string, z.ZodTypeAny>))
        out.push({
          key: `${prefix}.<model ID>.${k}`,
          nullable: unwrap(v).nullable,
          schema: v,
          ...kindOf(unwrap(v).base),
        });
    }
    return;
  }
  out.push({ key: prefix, nullable, schema, ...kindOf(base) });
}

let cached: KeyInfo[] | undefined;
/** Every key of the config file, in schema order. */
export function configKeys(): KeyInfo[] {
  cached ??= (() => {
    const out: KeyInfo[] = [];
    walk(ConfigFileSchema, '', out);
    return out.filter((k) => k.key !== '$schema');
  })();
  return cached;
}

/** The key names a person can type (record entries as `prices.<model ID>`). */
export function keyNames(): string[] {
  return configKeys().map((k) => k.key);
}

/**
 * The nearest name part, only when it is close: a prefix, or at most one edit in a word of four letters or fewer (so
 * "nope" suggests nothing rather than "name"), else one in three letters (at least two).
 */
function closest(word: string, candidates: string[]): string | undefined {
  const c = nearest(word, candidates);
  if (c === undefined || c.toLowerCase().startsWith(word.toLowerCase())) return c;
  const limit = word.length <= 4 ? 1 : Math.max(2, Math.floor(word.length / 3));
  return editDistance(word.toLowerCase(), c.toLowerCase()) <= limit ? c : undefined;
}

/** Corrects a key part by part (`alarms.thresholdz.tokensPerHuor` → `alarms.thresholds.tokensPerHour`). */
function correctParts(key: string, names: string[]): string | undefined {
  let prefix = '';
  for (const part of key.split('.')) {
    const children = [
      ...new Set(names.filter((n) => n.startsWith(prefix)).map((n) => n.slice(prefix.length).split('.')[0]!)),
    ];
    const child = children.includes(part) ? part : closest(part, children);
    if (!child) return undefined;
    prefix = `${prefix}${child}.`;
  }
  const full = prefix.slice(0, -1);
  return names.includes(full) ? full : undefined;
}

/**
 * "did you mean …" for an unknown key: corrected part by part, else by its last part alone (a key put at the wrong
 * level).
 */
export function suggestKey(key: string): string | undefined {
  const names = keyNames().filter((k) => !k.includes('<'));
  const corrected = correctParts(key, names);
  if (corrected && corrected !== key) return corrected;
  const last = key.split('.').pop() ?? key;
  const lasts = names.map((n) => n.split('.').pop()!);
  const byLast = lasts.includes(last) ? last : closest(last, lasts);
  return byLast ? names.find((n) => n === byLast || n.endsWith(`.${byLast}`)) : undefined;
}

export interface ResolvedKey {
  info: KeyInfo;
  /** The path in the file's JSON. */
  path: string[];
}

/** A typed key to its path and schema; an unknown key is a usage error with a suggestion. */
export function resolveKey(key: string): ResolvedKey {
  const keys = configKeys();
  const exact = keys.find((k) => k.key === key && !k.key.includes('<'));
  if (exact) return { info: exact, path: key.split('.') };
  for (const k of keys.filter((x) => x.key.includes('.<model ID>'))) {
    const [prefix, field] = k.key.split('.<model ID>');
    if (!key.startsWith(`${prefix}.`)) continue;
    const rest = key.slice(prefix!.length + 1);
    if (field && rest.endsWith(field) && rest.length > field.length)
      return { info: k, path: [prefix!, rest.slice(0, -field.length), field.slice(1)] };
    if (
      !field &&
      rest &&
      !keys.some((x) => x.key.startsWith(k.key) && x.key !== k.key && rest.endsWith(x.key.slice(k.key.length)))
    )
      return { info: k, path: [prefix!, rest] };
  }
  const guess = suggestKey(key);
  throw usageError(
    `"${key}" is not a config key${guess ? ` (did you mean "${guess}"?)` : ''}`,
    'Run `bedrock-monitor config list` to see every key.',
    undefined,
    'E_CONFIG_UNKNOWN_KEY',
  );
}

const TRUE = new Set(['true', 'yes', 'on', '1']);
const FALSE = new Set(['false', 'no', 'off', '0']);

function parseScalar(key: string, raw: string, kind: KeyKind): unknown {
  if (kind === 'number') {
    const n = Number(raw.trim());
    if (raw.trim() === '' || !Number.isFinite(n)) throw usageError(`${key}: "${raw}" is not a number`);
    return n;
  }
  if (kind === 'boolean') {
    const v = raw.trim().toLowerCase();
    if (TRUE.has(v)) return true;
    if (FALSE.has(v)) return false;
    throw usageError(`${key}: "${raw}" is not true or false`);
  }
  return raw;
}

function parseJson(key: string, raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw usageError(
      `${key}: "${raw}" is not valid JSON (this key takes an object, e.g. '{"input": 3, "output": 15, ` +
        `"cacheWrite": 3.75, "cacheRead": 0.3}')`,
    );
  }
}

/** A value typed on the command line, as the key's type: numbers, booleans, comma-separated lists, JSON objects. */
export function parseValue(key: string, info: KeyInfo, raw: string): unknown {
  if (info.nullable && raw.trim() === 'null') return null;
  if (info.kind === 'object') return parseJson(key, raw);
  if (info.kind === 'list') {
    if (raw.trim().startsWith('[')) return parseJson(key, raw);
    const element = unwrap((unwrap(info.schema).base as z.ZodArray<z.ZodTypeAny>).element).base;
    return raw
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter(Boolean)
      .map((s) => parseScalar(key, s, kindOf(element).kind));
  }
  return parseScalar(key, raw, info.kind);
}

/** One line per problem: the key, and what is wrong with its value ("did you mean" for unknown keys). */
export function describeIssue(issue: z.ZodIssue): string {
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : p))
    .join('.')
    .replace(/\.\[/g, '[');
  if (issue.code === z.ZodIssueCode.unrecognized_keys) {
    return issue.keys
      .map((k) => {
        const full = path ? `${path}.${k}` : k;
        const guess = suggestKey(full);
        return `unknown key "${full}"${guess ? ` (did you mean "${guess}"?)` : ''}`;
      })
      .join('\n');
  }
  return `"${path || '(top level)'}" ${issue.message}`;
}
