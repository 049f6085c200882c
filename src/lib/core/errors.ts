/** Exit codes, documented in docs/errors.md. */
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
 * Stable error codes, each listed in docs/errors.md (test/project/readme.test.ts checks both ways): scripts and tests
 * match the code, not the message. `E_USAGE_…` and `E_CONFIG_…` exit 2 (invalid input), `E_REFUSED_…` and `E_ABORTED`
 * exit 2 (a refused action), `E_AWS_…` and the others exit 1, `E_INTERRUPTED` 130. An error without a code of its
 * own has its kind's: `E_USAGE`, `E_FAILURE` or `E_INTERRUPTED`.
 */
export type ErrorCode = `E_${string}`;

const DEFAULT_CODE: Record<ExitCodeValue, ErrorCode> = {
  0: 'E_FAILURE',
  1: 'E_FAILURE',
  2: 'E_USAGE',
  3: 'E_FAILURE',
  130: 'E_INTERRUPTED',
  143: 'E_INTERRUPTED',
};

/**
 * The one error type of bedrock-monitor. Everything that should stop a command is thrown as (or
 * translated into) a BmError, and `main()` is the single place that prints it and sets the exit code.
 */
export class BmError extends Error {
  readonly exitCode: ExitCodeValue;
  /** Stable and documented (docs/errors.md); in --json errors as "code". */
  readonly code: ErrorCode;
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
    opts: {
      exitCode?: ExitCodeValue;
      code?: ErrorCode;
      hint?: string;
      cause?: unknown;
      details?: unknown;
      quiet?: boolean;
    } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BmError';
    this.exitCode = opts.exitCode ?? ExitCode.failure;
    this.code = opts.code ?? DEFAULT_CODE[this.exitCode];
    this.hint = opts.hint;
    this.details = opts.details;
    this.quiet = opts.quiet ?? (opts.exitCode === ExitCode.interrupted || opts.exitCode === ExitCode.terminated);
  }
}

/** Invalid input or a refused action: exit 2 (code `E_USAGE` unless given). */
export function usageError(message: string, hint?: string, details?: unknown, code?: ErrorCode): BmError {
  return new BmError(message, { exitCode: ExitCode.usage, hint, details, code });
}

/** The person stopped the command (Ctrl-C, a cancelled prompt): exit 130, no "error:". */
export function interrupted(
  message = 'Interrupted: nothing more was changed.',
  exitCode: ExitCodeValue = ExitCode.interrupted,
): BmError {
  return new BmError(message, { exitCode, code: 'E_INTERRUPTED' });
}

/** What `--json` prints for an error, under "error". */
export interface ErrorJson {
  code: ErrorCode;
  message: string;
  hint: string | null;
  exitCode: number;
  details: unknown;
}

export function errorJson(e: BmError): ErrorJson {
  return { code: e.code, message: e.message, hint: e.hint ?? null, exitCode: e.exitCode, details: e.details ?? null };
}
