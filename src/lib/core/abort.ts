import { AsyncLocalStorage } from 'node:async_hooks';
import { BmError, ExitCode, interrupted, type ExitCodeValue } from './errors.js';

/**
 * Interrupts (Ctrl-C, SIGTERM) as one AbortSignal per run. The bin turns a signal into `stop()`;
 * the client factory hands the signal to every AWS request (an in-flight request is abandoned,
 * no new one starts), the step runner and cleanup stop between resources, waits end at once, and
 * what was done so far is reported as outcomes before the command exits 130 (143 for SIGTERM).
 */

export type StopSignal = 'SIGINT' | 'SIGTERM';

/** A line of work done so far, kept for the last-resort report when a run cannot end in time. */
export interface DoneEntry {
  action: string;
  resource: string;
  name: string;
}

/** Work that must not be cut in two (a resource and its ownership mark), for as long as it runs. */
const shielded = new AsyncLocalStorage<boolean>();
/** How many shielded calls are running (the store is disabled when none is). */
let shields = 0;

export class Interruption {
  private readonly controller = new AbortController();
  private stoppedBy: StopSignal | undefined;
  /**
   * What the run created, updated, deleted or failed to write, in order: a command that stops half-way
   * lists it (and the bin prints it if the run does not end in time).
   */
  readonly done: DoneEntry[] = [];

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get by(): StopSignal | undefined {
    return this.stoppedBy;
  }

  get exitCode(): ExitCodeValue {
    return this.stoppedBy === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
  }

  /** The first signal stops the run; later ones change nothing here (the bin exits at once on a second). */
  stop(by: StopSignal = 'SIGINT'): void {
    if (this.stoppedBy) return;
    this.stoppedBy = by;
    this.controller.abort(this.error());
  }

  /** The error an interrupted run ends with. */
  error(message = 'Interrupted: nothing more was changed.'): BmError {
    return interrupted(message, this.exitCode);
  }

  /**
   * Runs `fn` so that an interrupt does not cut it: its requests get no abort signal and may start
   * after Ctrl-C. For the few requests that belong together, such as creating a bucket and tagging it
   * as the tool's: cut in two, the next run would find an untagged bucket and refuse it.
   */
  async shield<T>(fn: () => Promise<T>): Promise<T> {
    shields++;
    try {
      return await shielded.run(true, fn);
    } finally {
      // While no work is shielded the store is switched off: an enabled AsyncLocalStorage makes Node track
      // every promise the process creates (Node 20), for as long as the process lives.
      if (--shields === 0) shielded.disable();
    }
  }

  /** True inside `shield()` (the client factory then neither aborts nor refuses the request). */
  get shielded(): boolean {
    return shielded.getStore() === true;
  }

  /** Keeps what changed something (the whole outcome, as the step reported it). */
  record(entry: DoneEntry): void {
    if (['created', 'updated', 'deleted', 'failed'].includes(entry.action)) this.done.push(entry);
  }
}

/** True for an error that the run's abort caused (the SDK's AbortError, or the signal's own reason). */
export function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  if (err instanceof BmError) return err.interrupted;
  if (!signal?.aborted) return false;
  const name = (err as { name?: unknown } | undefined)?.name;
  return name === 'AbortError' || err === signal.reason;
}

/** Throws the run's interrupted error when the signal has fired. */
export function throwIfStopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw stoppedError(signal);
}

export function stoppedError(signal: AbortSignal): BmError {
  return signal.reason instanceof BmError ? signal.reason : interrupted();
}

/** setTimeout as a promise that rejects as soon as the signal fires. */
export function sleepUnlessStopped(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(stoppedError(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(stoppedError(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A promise that rejects when the signal fires first (for work that cannot itself be aborted). */
export function unlessStopped<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(stoppedError(signal));
    const onAbort = (): void => reject(stoppedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
