/**
 * Runs `fn` over `items` with at most `limit` calls in flight; results keep the items' order.
 * The first rejection rejects the whole (like Promise.all); callers that want partial results catch
 * inside `fn`.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return results;
}

/**
 * A shared bound on calls to one API: at most `concurrency` in flight, and starts spaced at least
 * `minIntervalMs` apart (so at most 1000 / minIntervalMs calls per second).
 */
export class Limiter {
  private active = 0;
  private nextStart = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly minIntervalMs: number,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
    private readonly clock: () => number = Date.now,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.concurrency) await new Promise<void>((r) => this.queue.push(r));
    this.active++;
    try {
      const now = this.clock();
      const start = Math.max(now, this.nextStart);
      this.nextStart = start + this.minIntervalMs;
      if (start > now) await this.sleep(start - now);
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}
