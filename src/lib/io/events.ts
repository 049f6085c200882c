import type { Output, Spinner } from './output.js';
import { askConfirm } from './prompts.js';

/**
 * The one event sink of a run (`ctx.events`). Code below the commands never writes to a stream itself (checked by
 * test/project/architecture.test.ts): it reports here, and the command decides what is shown. Warnings are kept
 * and become part of the result: `execute()` (lib/cli/command.ts) adds them to the document's `warnings` and prints
 * each once on stderr, also under --json. Notes (a retry, a step finished) and questions are shown on stderr as they
 * happen; they are never part of the result.
 */
export class RunEvents {
  /** The warnings of this run, in the order they were reported, each once. */
  readonly warnings: string[] = [];

  constructor(private readonly out: Output) {}

  /** Something a person should know about the result (kept for the result and --json "warnings"). */
  warn(message: string): void {
    if (!this.warnings.includes(message)) this.warnings.push(message);
  }

  /** A warning the result already carries in its own `warnings` field: shown on stderr now, not added again. */
  shown(message: string): void {
    this.out.warn(message);
  }

  /** A sentence for people on stderr, wrapped to a terminal like the rest of what they read there. */
  tell(text: string): void {
    this.out.toStderr().say(text);
  }

  /** A progress note while work goes on (a retry, a step done), on stderr; `text` may use colours. */
  note(text: string | ((c: Output['c']) => string)): void {
    this.out.info(typeof text === 'string' ? text : text(this.out.c));
  }

  /** A note for people watching a terminal only: a pipe or a log gets the result alone. */
  progress(text: string | ((c: Output['c']) => string)): void {
    if (this.out.interactiveStderr) this.note(text);
  }

  /** Detail for --verbose (each AWS request, SDK notices, throttling retries). */
  debug(message: string): void {
    this.out.debug(message);
  }

  /** A spinner on an interactive stderr (nothing otherwise). */
  spinner(text: string): Promise<Spinner> {
    return this.out.spinner(text);
  }

  /**
   * Shows what a question is about (`show` draws it on stderr) and asks it; true for yes. Only in interactive
   * sessions (the caller checks `ctx.interactive`).
   */
  async confirm(show: (out: Output) => void, question: string, defaultYes: boolean): Promise<boolean> {
    show(this.out.toStderr());
    return askConfirm(this.out.io, question, defaultYes);
  }
}
