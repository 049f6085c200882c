import { usageError } from '../core/errors.js';
import { MANAGED_BY_KEY, MANAGED_BY_VALUE } from './names.js';

/**
 * The ensure helper. Every managed resource is described once as a ResourceDef: how to read it, its
 * desired state, the attributes to compare, how to create it and how to update each attribute.
 * `ensure` reads first, writes only what differs, and returns an Outcome; `inspect` does the same
 * read and compare without writing, for `status` and for plans.
 */

export type Action =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'deleted'
  | 'skipped'
  | 'would-create'
  | 'would-update'
  | 'would-delete';

export interface Change {
  field: string;
  from: unknown;
  to: unknown;
}

export interface Outcome {
  resource: string;
  name: string;
  action: Action;
  changes: Change[];
  /** Why a resource was skipped, or anything else a person should know. */
  note?: string;
}

export type Health = 'ok' | 'drifted' | 'missing';

export interface StatusRow {
  resource: string;
  name: string;
  status: Health;
  changes: Change[];
}

export interface Attribute<S> {
  /** Name shown to people and in JSON, e.g. "retentionInDays". */
  field: string;
  /** The comparable (normalised, JSON-serialisable) value of this attribute in a state. */
  get(state: S): unknown;
  /**
   * Writes this attribute. Attributes without their own update are written together by the
   * resource's `update` (for APIs that replace a whole document in one call).
   */
  update?(desired: S, actual: S | undefined): Promise<void>;
  /** True when `create` does not set this attribute, so it is written right after creation. */
  afterCreate?: boolean;
}

export interface ResourceDef<S> {
  resource: string;
  name: string;
  desired: S;
  /** The current state, or undefined when the resource does not exist. */
  read(): Promise<S | undefined>;
  attributes: Attribute<S>[];
  create(desired: S): Promise<void>;
  /** Writes every changed attribute that has no update of its own, in one go. */
  update?(desired: S, actual: S, changedFields: string[]): Promise<void>;
  /**
   * For resources the tool tags: whether an existing one is the tool's. One that is not is never
   * changed without `--force` (which adopts it: updates it and tags it).
   */
  owned?(actual: S): boolean;
}

/** JSON with object keys sorted, so that equal values have equal text. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  }) ?? 'undefined';
}

export function sameValue(a: unknown, b: unknown): boolean {
  return canonical(a ?? null) === canonical(b ?? null);
}

/** Field-by-field differences between the actual and the desired state. */
export function compare<S>(def: ResourceDef<S>, actual: S): Change[] {
  const changes: Change[] = [];
  for (const attr of def.attributes) {
    const from = attr.get(actual) ?? null;
    const to = attr.get(def.desired) ?? null;
    if (!sameValue(from, to)) changes.push({ field: attr.field, from, to });
  }
  return changes;
}

/** Reads and compares without writing anything. */
export async function inspect<S>(def: ResourceDef<S>): Promise<StatusRow> {
  const actual = await def.read();
  if (actual === undefined) return { resource: def.resource, name: def.name, status: 'missing', changes: [] };
  const changes = compare(def, actual);
  return { resource: def.resource, name: def.name, status: changes.length ? 'drifted' : 'ok', changes };
}

/** Converges one resource: read, compare, write only what differs (nothing under dryRun). */
export async function ensure<S>(def: ResourceDef<S>, opts: { dryRun: boolean; force?: boolean }): Promise<Outcome> {
  const base = { resource: def.resource, name: def.name };
  const actual = await def.read();
  if (actual === undefined) {
    if (opts.dryRun) return { ...base, action: 'would-create', changes: [] };
    await def.create(def.desired);
    for (const attr of def.attributes) {
      if (attr.afterCreate && attr.update) await attr.update(def.desired, undefined);
    }
    return { ...base, action: 'created', changes: [] };
  }
  const changes = compare(def, actual);
  if (changes.length === 0) return { ...base, action: 'unchanged', changes };
  const foreign = def.owned !== undefined && !def.owned(actual) && opts.force !== true;
  const notOwned = `exists but is not tagged ${MANAGED_BY_KEY}=${MANAGED_BY_VALUE}`;
  if (opts.dryRun) return { ...base, action: 'would-update', changes, ...(foreign ? { note: `${notOwned}: needs --force` } : {}) };
  if (foreign) {
    throw usageError(
      `${def.resource} ${def.name} ${notOwned}, so bedrock-monitor will not change it.`,
      'Pass --force to adopt it (update it to the configured state and tag it), or configure another name.',
      { resource: def.resource, name: def.name, changes },
    );
  }

  const changed = new Set(changes.map((c) => c.field));
  const grouped: string[] = [];
  for (const attr of def.attributes) {
    if (!changed.has(attr.field)) continue;
    if (attr.update) await attr.update(def.desired, actual);
    else grouped.push(attr.field);
  }
  if (grouped.length) {
    if (!def.update) throw new Error(`${def.resource}: no update for ${grouped.join(', ')}`);
    await def.update(def.desired, actual, grouped);
  }
  return { ...base, action: 'updated', changes };
}
