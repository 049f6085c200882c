import { usageError } from '../core/errors.js';

/**
 * The ensure helper. Every managed resource is described once as a ResourceDef: how to read it, its
 * desired state, the attributes to compare, how to create, update and delete it, and how the tool
 * knows an existing one is its own. `ensure` reads first, writes only what differs and returns an
 * Outcome; `inspect` does the same read and compare without writing, for `status` and for plans.
 */

export type Action =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'deleted'
  | 'skipped'
  | 'failed'
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
  /** Why a resource was skipped or failed, or anything else a person should know. */
  note?: string;
}

export type Health = 'ok' | 'drifted' | 'missing';

export interface StatusRow {
  resource: string;
  name: string;
  status: Health;
  changes: Change[];
  /** For example that a same-named resource is not the tool's. */
  note?: string;
  /** Never written by the tool: a person acts on it (the note says how), e.g. a KMS key policy. */
  manual?: boolean;
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

/**
 * How the tool knows an existing resource is its own: the one ownership rule, used by ensure,
 * status, cleanup and prune alike. A resource that is not the tool's is never changed or deleted
 * without --force (which adopts it: updates it and claims it).
 */
export interface Ownership<S> {
  /** The rule in words, for messages: e.g. "tagged ManagedBy=bedrock-monitor". */
  rule: string;
  /** Whether an existing resource (as `read` returned it) is the tool's. */
  owns(actual: S): boolean | Promise<boolean>;
  /** Makes an adopted or rewritten resource the tool's, when its writes do not (e.g. tags after an update). */
  claim?(): Promise<void>;
  /**
   * True when the resource's update API ignores the ownership mark (PutMetricAlarm and
   * PutCompositeAlarm ignore Tags on update): `claim` then runs after every update, not only
   * after adopting a foreign one.
   */
  claimAfterUpdate?: boolean;
  /**
   * For cleanup: whether it exists (undefined: absent) and is the tool's, in fewer requests than a
   * full read. Without it, cleanup uses read() and owns().
   */
  probe?(): Promise<boolean | undefined>;
  /** False when --force must not delete a foreign one (the Region's logging configuration). */
  forceDeletes?: boolean;
  /** The error for refusing to change a foreign one, when the generic message would say too little. */
  refusal?(actual: S): Error;
  /** What a foreign one is, for the note cleanup prints when it leaves it alone. */
  describeForeign?(actual: S): string;
}

export interface ResourceDef<S> {
  resource: string;
  name: string;
  desired: S;
  /** The current state, or undefined when the resource does not exist. */
  read(): Promise<S | undefined>;
  attributes: Attribute<S>[];
  create(desired: S): Promise<void>;
  /**
   * True for the error `create` throws when the resource appeared since it was read (another run,
   * a person): ensure then reads it again and goes through the ownership check like any existing one.
   */
  alreadyExists?(err: unknown): boolean;
  /** Writes every changed attribute that has no update of its own, in one go. */
  update?(desired: S, actual: S, changedFields: string[]): Promise<void>;
  ownership: Ownership<S>;
  /** Deletes it (cleanup); absent for what goes with its parent (subscriptions with their topic). */
  remove?(): Promise<void>;
}

/** JSON with object keys sorted, so that equal values have equal text. */
export function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        return Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        );
      }
      return v;
    }) ?? 'undefined'
  );
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

export const notOwnedNote = (rule: string): string => `exists but is not ${rule}: needs --force`;

/** Reads and compares without writing anything. Ownership is checked only where it matters: on drift. */
export async function inspect<S>(def: ResourceDef<S>): Promise<StatusRow> {
  const actual = await def.read();
  if (actual === undefined) return { resource: def.resource, name: def.name, status: 'missing', changes: [] };
  const changes = compare(def, actual);
  if (!changes.length) return { resource: def.resource, name: def.name, status: 'ok', changes };
  const owned = await def.ownership.owns(actual);
  return {
    resource: def.resource,
    name: def.name,
    status: 'drifted',
    changes,
    ...(owned ? {} : { note: notOwnedNote(def.ownership.rule) }),
  };
}

export interface EnsureOptions {
  dryRun: boolean;
  force?: boolean;
}

/** Converges one resource: read, compare, write only what differs (nothing under dryRun). */
export async function ensure<S>(def: ResourceDef<S>, opts: EnsureOptions): Promise<Outcome> {
  const actual = await def.read();
  if (actual !== undefined) return converge(def, actual, opts);
  if (opts.dryRun) return { resource: def.resource, name: def.name, action: 'would-create', changes: [] };
  try {
    await def.create(def.desired);
  } catch (err) {
    if (!def.alreadyExists?.(err)) throw err;
    // It appeared since the read: read again and treat it like any existing resource.
    const now = await def.read();
    if (now === undefined) throw err;
    return converge(def, now, opts);
  }
  for (const attr of def.attributes) {
    if (attr.afterCreate && attr.update) await attr.update(def.desired, undefined);
  }
  return { resource: def.resource, name: def.name, action: 'created', changes: [] };
}

async function converge<S>(def: ResourceDef<S>, actual: S, opts: EnsureOptions): Promise<Outcome> {
  const base = { resource: def.resource, name: def.name };
  const changes = compare(def, actual);
  if (changes.length === 0) return { ...base, action: 'unchanged', changes };
  const owned = await def.ownership.owns(actual);
  if (opts.dryRun)
    return {
      ...base,
      action: 'would-update',
      changes,
      ...(owned || opts.force ? {} : { note: notOwnedNote(def.ownership.rule) }),
    };
  if (!owned && opts.force !== true) {
    if (def.ownership.refusal) throw def.ownership.refusal(actual);
    throw usageError(
      `${def.resource} ${def.name} exists but is not ${def.ownership.rule}, so bedrock-monitor will not change it.`,
      "Pass --force to adopt it (update it to the configured state and make it this tool's), or configure " +
        'another name.',
      { resource: def.resource, name: def.name, changes },
      'E_REFUSED_NOT_OWNED',
    );
  }
  await writeChanges(def, actual, changes);
  if (!owned || def.ownership.claimAfterUpdate) await def.ownership.claim?.();
  return { ...base, action: 'updated', changes };
}

async function writeChanges<S>(def: ResourceDef<S>, actual: S, changes: Change[]): Promise<void> {
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
}
