/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  drift: 3,
  /** Ctrl-C, at a prompt or while a command works (128 + SIGINT, as shells report it). */
  interrupted: 130,
  /** SIGTERM while a command works (128 + 15). */
  terminated: 143,
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
  /** Not a failure but the person's own choice (a declined or cancelled prompt): printed without "error:". */
  readonly quiet: boolean;

  /** True for the error of a run that Ctrl-C or SIGTERM stopped (exit 130 or 143). */
  get interrupted(): boolean {
    return this.exitCode === ExitCode.interrupted || this.exitCode === ExitCode.terminated;
  }

  constructor(
    message: string,
    opts: { exitCode?: ExitCodeValue; hint?: string; cause?: unknown; details?: unknown; quiet?: boolean } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BmError';
    this.exitCode = opts.exitCode ?? ExitCode.failure;
    this.hint = opts.hint;
    this.details = opts.details;
    this.quiet = opts.quiet ?? (opts.exitCode === ExitCode.interrupted || opts.exitCode === ExitCode.terminated);
  }
}

/** Invalid input or a refused action: exit 2. */
export function usageError(message: string, hint?: string, details?: unknown): BmError {
  return new BmError(message, { exitCode: ExitCode.usage, hint, details });
}

/** The person stopped the command (Ctrl-C, a cancelled prompt): exit 130, no "error:". */
export function interrupted(
  message = 'Interrupted: nothing more was changed.',
  exitCode: ExitCodeValue = ExitCode.interrupted,
): BmError {
  return new BmError(message, { exitCode });
}

/** What `--json` prints for an error, under "error". */
export interface ErrorJson {
  message: string;
  hint: string | null;
  exitCode: number;
  details: unknown;
}

export function errorJson(e: BmError): ErrorJson {
  return { message: e.message, hint: e.hint ?? null, exitCode: e.exitCode, details: e.details ?? null };
}
