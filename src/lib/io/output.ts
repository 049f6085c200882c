import { Chalk, type ChalkInstance } from 'chalk';
import type CliTable3 from 'cli-table3';
import { createRequire } from 'node:module';
import type { Readable, Writable } from 'node:stream';

export interface OutStream extends Writable {
  isTTY?: boolean;
  columns?: number;
}
export interface InStream extends Readable {
  isTTY?: boolean;
}

/** Everything the CLI touches of the outside world, injectable for tests. */
export interface IO {
  stdout: OutStream;
  stderr: OutStream;
  stdin: InStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface Spinner {
  text(msg: string): void;
  succeed(msg?: string): void;
  fail(msg?: string): void;
  stop(): void;
}

/** An environment flag is set unless empty, "0" or "false" (CI, NO_COLOR, FORCE_COLOR). */
export function truthyEnv(v: string | undefined): boolean {
  return v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
}

/**
 * Results go to stdout; progress, spinners and warnings to stderr. Spinners only when stderr is a
 * TTY and CI is not set. Colour honours --no-color, NO_COLOR and FORCE_COLOR.
 */
export class Output {
  readonly c: ChalkInstance;
  readonly interactiveStderr: boolean;

  constructor(
    readonly io: IO,
    readonly opts: { json: boolean; color: boolean; verbose: boolean },
  ) {
    const env = io.env;
    const colorWanted = opts.color && !truthyEnv(env.NO_COLOR) && env.TERM !== 'dumb';
    const level = colorWanted && (truthyEnv(env.FORCE_COLOR) || io.stdout.isTTY === true) ? 1 : 0;
    this.c = new Chalk({ level });
    this.interactiveStderr = io.stderr.isTTY === true && !truthyEnv(env.CI);
  }

  /** The same output with "results" sent to stderr: for plans shown before a prompt. */
  toStderr(): Output {
    return new Output({ ...this.io, stdout: this.io.stderr }, this.opts);
  }

  get json(): boolean {
    return this.opts.json;
  }

  /** Terminal width for tables: COLUMNS wins (tests fix it), then the TTY, then 80. */
  get columns(): number {
    const fromEnv = Number(this.io.env.COLUMNS);
    if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
    return this.io.stdout.columns ?? 80;
  }

  /** A result line on stdout. */
  print(text = ''): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** The --json document on stdout. */
  printJson(data: unknown): void {
    this.io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  }

  info(msg: string): void {
    this.io.stderr.write(`${msg}\n`);
  }

  warn(msg: string): void {
    this.io.stderr.write(`${this.c.yellow('warning:')} ${msg}\n`);
  }

  debug(msg: string): void {
    if (this.opts.verbose) this.io.stderr.write(`${this.c.dim(msg)}\n`);
  }

  error(msg: string, hint?: string): void {
    this.io.stderr.write(`${this.c.red('error:')} ${msg}\n`);
    if (hint) this.io.stderr.write(`${this.c.dim(hint)}\n`);
  }

  /** A spinner on an interactive stderr; plain progress lines (only on success/failure) otherwise. */
  async spinner(text: string): Promise<Spinner> {
    if (!this.interactiveStderr) {
      return {
        text: () => undefined,
        succeed: (m) => (m ? this.info(m) : undefined),
        fail: (m) => (m ? this.info(m) : undefined),
        stop: () => undefined,
      };
    }
    const { default: ora } = await import('ora');
    const s = ora({ text, stream: this.io.stderr, color: 'cyan', isEnabled: true }).start();
    return {
      text: (m) => {
        s.text = m;
      },
      succeed: (m) => void s.succeed(m),
      fail: (m) => void s.fail(m),
      stop: () => void s.stop(),
    };
  }

  /** A borderless table, right-aligning the given columns. */
  table(head: string[], rows: string[][], rightAligned: number[] = []): string {
    // Loaded on first use, so that --help and --version do not pay for it.
    const Table = createRequire(import.meta.url)('cli-table3') as typeof CliTable3;
    const t = new Table({
      head: head.map((h) => this.c.bold(h)),
      chars: {
        top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
        'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
      },
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
      colAligns: head.map((_, i) => (rightAligned.includes(i) ? 'right' : 'left')),
    });
    t.push(...rows);
    return t
      .toString()
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n');
  }
}

/** Renders a value compactly for a human line ("7 → 30", policy documents shortened). */
export function brief(value: unknown, max = 70): string {
  if (value === null || value === undefined) return '(none)';
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}
