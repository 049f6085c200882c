/**
 * IAM policy documents, compared semantically: IAM returns them URL-encoded, and statement order,
 * single-value-vs-array forms and key order must not count as drift.
 */

export interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: '*' | Record<string, string | string[]>;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: Statement[] | Statement;
}

/** Parses a policy as IAM or S3 return it (URL-encoded or not). */
export function parsePolicy(text: string): PolicyDocument {
  const trimmed = text.trim();
  const decoded = trimmed.startsWith('%') || /^%7B/i.test(trimmed) ? decodeURIComponent(trimmed) : trimmed;
  return JSON.parse(decoded) as PolicyDocument;
}

export function statementsOf(doc: PolicyDocument | undefined): Statement[] {
  if (!doc) return [];
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

function sortedObject<V, W>(o: Record<string, V>, f: (v: V) => W): Record<string, W> {
  return Object.fromEntries(
    Object.entries(o)
      .map(([k, v]): [string, W] => [k, f(v)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

function arr(v: string | string[] | boolean | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  const a = Array.isArray(v) ? v : [String(v)];
  return [...new Set(a)].sort();
}

/** A statement in one canonical form. */
export function normalizeStatement(s: Statement): Record<string, unknown> {
  const out: Record<string, unknown> = { Effect: s.Effect };
  if (s.Sid) out.Sid = s.Sid;
  if (s.Principal !== undefined) {
    out.Principal = s.Principal === '*' ? '*' : sortedObject(s.Principal, arr);
  }
  for (const key of ['Action', 'NotAction', 'Resource', 'NotResource'] as const) {
    const v = arr(s[key]);
    if (v) out[key] = v;
  }
  if (s.Condition && Object.keys(s.Condition).length) {
    out.Condition = sortedObject(s.Condition, (kv) => sortedObject(kv, arr));
  }
  return out;
}

/** A whole document in canonical form: statements normalised and sorted. */
export function normalizePolicy(doc: PolicyDocument | string | undefined): Record<string, unknown> | null {
  if (doc === undefined) return null;
  const d = typeof doc === 'string' ? parsePolicy(doc) : doc;
  const statements = statementsOf(d)
    .map(normalizeStatement)
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  return { Version: d.Version ?? '2008-10-17', Statement: statements };
}
