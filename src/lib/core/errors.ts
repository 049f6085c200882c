/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  drift: 3,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The one error type of bedrock-monitor. Everything that should stop a command is thrown as (or
 * translated into) a BmError, and `main()` is the single place that prints it and sets the exit code.
 */
export class BmError extends Error {
  readonly exitCode: ExitCodeValue;
  readonly hint: string | undefined;
  /** Extra data for --json error output and for callers (e.g. a foreign logging configuration). */
  readonly details: unknown;

  constructor(message: string, opts: { exitCode?: ExitCodeValue; hint?: string; cause?: unknown; details?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BmError';
    this.exitCode = opts.exitCode ?? ExitCode.failure;
    this.hint = opts.hint;
    this.details = opts.details;
  }
}

/** Invalid input or a refused action: exit 2. */
export function usageError(message: string, hint?: string, details?: unknown): BmError {
  return new BmError(message, { exitCode: ExitCode.usage, hint, details });
}
