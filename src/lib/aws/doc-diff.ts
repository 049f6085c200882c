/**
 * Differences between two JSON documents (a dashboard body, a policy, a Contributor Insights rule)
 * in the document's own terms: widgets by title, statements by Sid, keys by path. `status` prints
 * these instead of both whole documents; `--json` carries them beside the documents.
 */

export interface Difference {
  /** Where, e.g. `widget "Invocations by model"`, `statement "AllowBudgets"`, `Contribution.Keys`. */
  path: string;
  /** `missing`: the configured document has it and the actual one not; `added`: the other way round. */
  change: 'added' | 'missing' | 'changed';
  /** For a changed widget or statement: which of its elements differ (e.g. `Action`, `Condition.StringLike`). */
  elements?: string[];
}

type Doc = Record<string, unknown> | unknown[];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value as a document: an object or array, or a string holding one (policies often are); else undefined. */
function asDoc(v: unknown): Doc | undefined {
  if (typeof v === 'string') {
    try {
      const parsed = JSON.parse(v) as unknown;
      return typeof parsed === 'object' && parsed !== null ? (parsed as Doc) : undefined;
    } catch {
      return undefined;
    }
  }
  return typeof v === 'object' && v !== null ? (v as Doc) : undefined;
}

function canonical(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) =>
      isObject(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
    ) ?? 'undefined'
  );
}

const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);

/** Arrays whose items people know by name, and what one item is called. */
const ITEM_WORD: Record<string, string> = { widgets: 'widget', Statement: 'statement', statements: 'statement' };

/** The name an item goes by: a Sid, a widget's title, a Name; else its first words or its position. */
function itemName(item: unknown, i: number): string {
  if (!isObject(item)) return `#${i + 1}`;
  const props = isObject(item.properties) ? item.properties : {};
  const named = item.Sid ?? props.title ?? item.title ?? item.Name ?? item.name;
  if (typeof named === 'string' && named) return `"${named}"`;
  const text = typeof props.markdown === 'string' ? props.markdown.replace(/[#*\s]+/g, ' ').trim() : '';
  return text ? `"${text.slice(0, 30)}${text.length > 30 ? '…' : ''}"` : `#${i + 1}`;
}

const isStatement = (v: unknown): boolean => isObject(v) && 'Effect' in v;

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** The dotted paths (at most `depth` deep) under which two values differ. */
function differingPaths(a: unknown, b: unknown, path: string, depth: number): string[] {
  if (same(a, b)) return [];
  if (depth === 0 || !isObject(a) || !isObject(b)) return [path];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => differingPaths(a[k], b[k], join(path, k), depth - 1));
}

/** Matches the items of two named arrays by name: missing, added and changed ones (with what changed). */
function namedItems(actual: unknown[], wanted: unknown[], word: string, out: Difference[]): void {
  const byName = (list: unknown[]): Map<string, unknown> => new Map(list.map((x, i) => [itemName(x, i), x]));
  const a = byName(actual);
  const b = byName(wanted);
  for (const [name, item] of b) {
    if (!a.has(name)) out.push({ path: `${word} ${name}`, change: 'missing' });
    else if (!same(a.get(name), item)) {
      const elements = differingPaths(a.get(name), item, '', 2);
      out.push({ path: `${word} ${name}`, change: 'changed', elements });
    }
  }
  for (const name of a.keys()) if (!b.has(name)) out.push({ path: `${word} ${name}`, change: 'added' });
}

function walk(actual: unknown, wanted: unknown, path: string, key: string, out: Difference[], depth: number): void {
  if (same(actual, wanted)) return;
  const word = ITEM_WORD[key];
  if (Array.isArray(actual) && Array.isArray(wanted) && word) return namedItems(actual, wanted, word, out);
  if (isObject(actual) && isObject(wanted) && depth < 4) {
    const keys = [...new Set([...Object.keys(wanted), ...Object.keys(actual)])];
    for (const k of keys) {
      // Policy statements kept by Sid (the tool's own statements of a shared policy).
      const at = isStatement(wanted[k] ?? actual[k]) ? `statement "${k}"` : join(path, k);
      if (!(k in actual)) out.push({ path: at, change: 'missing' });
      else if (!(k in wanted)) out.push({ path: at, change: 'added' });
      else if (at !== join(path, k) && !same(actual[k], wanted[k]))
        out.push({ path: at, change: 'changed', elements: differingPaths(actual[k], wanted[k], '', 2) });
      else walk(actual[k], wanted[k], join(path, k), k, out, depth + 1);
    }
    return;
  }
  out.push({ path: path || '(the document)', change: 'changed' });
}

/**
 * The differences between the actual and the configured document, or undefined when the values
 * are not documents (a number, a plain string): those are shown as they are.
 */
export function documentDiff(actual: unknown, wanted: unknown): Difference[] | undefined {
  const a = asDoc(actual);
  const b = asDoc(wanted);
  if (a === undefined || b === undefined) return undefined;
  const out: Difference[] = [];
  walk(a, b, '', '', out, 0);
  return out;
}

/** One difference as a short line: `widget "Errors": missing`, `statement "X": changed (Action)`. */
export function differenceLine(d: Difference): string {
  const what = d.elements?.length ? ` (${d.elements.join(', ')})` : '';
  return `${d.path}: ${d.change}${what}`;
}
