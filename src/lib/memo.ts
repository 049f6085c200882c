/** Per-run memo of shared reads (one DescribeAlarms, one ListSubscriptionsByTopic per run). */
const cache = new WeakMap<object, Map<string, Promise<unknown>>>();

export function memo<T>(owner: object, key: string, load: () => Promise<T>): Promise<T> {
  let m = cache.get(owner);
  if (!m) cache.set(owner, (m = new Map<string, Promise<unknown>>()));
  let p = m.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    m.set(key, p);
    p.catch(() => m.delete(key));
  }
  return p;
}
