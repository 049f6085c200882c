/**
 * Reads that several resources share within one run (one DescribeAlarms for every alarm, one
 * subscription listing for every address). Explicit by design: a key is loaded once, and a write
 * that changes what it describes must `invalidate` it, so a later read in the same run sees the write.
 */
export class ReadCache {
  private readonly entries = new Map<string, Promise<unknown>>();

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.entries.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.entries.set(key, p);
      // A failed read is not remembered: the next caller tries again.
      p.catch(() => this.entries.delete(key));
    }
    return p;
  }

  invalidate(key: string): void {
    this.entries.delete(key);
  }
}
