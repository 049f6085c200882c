import { Chalk, type ChalkInstance } from 'chalk';
import type { Readable, Writable } from 'node:stream';
import { wrapWords } from './format.js';
import { renderTable, type TableInput } from './table.js';

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

  /**
   * The width results must fit: undefined when stdout is not a terminal (a pipe or a file gets
   * everything in full); in a terminal COLUMNS wins (tests fix it), then the terminal's, then 80.
   */
  get width(): number | undefined {
    if (this.io.stdout.isTTY !== true) return undefined;
    const fromEnv = Number(this.io.env.COLUMNS);
    if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
    return this.io.stdout.columns ?? 80;
  }

  /** The width of stderr when it is a terminal (errors, warnings and prompts wrap to it). */
  get errWidth(): number | undefined {
    if (this.io.stderr.isTTY !== true) return undefined;
    const fromEnv = Number(this.io.env.COLUMNS);
    if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
    return this.io.stderr.columns ?? 80;
  }

  /** The width as a number: unlimited (Infinity) off a terminal. */
  get columns(): number {
    return this.width ?? Number.POSITIVE_INFINITY;
  }

  /** A result line on stdout. */
  print(text = ''): void {
    this.io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** A sentence on stdout, wrapped at spaces to the terminal (continuation lines indented by `hang`). */
  say(text: string, hang = 0): void {
    for (const line of wrapWords(text, this.width, hang)) this.print(line);
  }

  /** The --json document on stdout. */
  printJson(data: unknown): void {
    this.io.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  }

  /** Text already drawn for a format (CSV, markdown, HTML, a table), as it is, on stdout. */
  write(text: string): void {
    this.io.stdout.write(text);
  }

  info(msg: string): void {
    this.io.stderr.write(`${msg}\n`);
  }

  warn(msg: string): void {
    const [first = '', ...rest] = this.wrapErr(`warning: ${msg}`);
    this.io.stderr.write(
      `${this.c.yellow('warning:')}${first.slice('warning:'.length)}\n${rest.map((l) => `${l}\n`).join('')}`,
    );
  }

  /** Lines of a message for stderr, each of its lines wrapped to a terminal's width. */
  private wrapErr(text: string): string[] {
    return text.split('\n').flatMap((l) => wrapWords(l, this.errWidth, l.startsWith('  ') ? 4 : 0));
  }

  debug(msg: string): void {
    if (this.opts.verbose) this.io.stderr.write(`${this.c.dim(msg)}\n`);
  }

  /** An error on stderr; `quiet` ones (the person's own choice, such as a cancelled prompt) without "error:". */
  error(msg: string, hint?: string, quiet = false): void {
    const [first = '', ...rest] = this.wrapErr(quiet ? msg : `error: ${msg}`);
    const head = quiet ? first : `${this.c.red('error:')}${first.slice('error:'.length)}`;
    this.io.stderr.write([head, ...rest].map((l) => `${l}\n`).join(''));
    if (hint)
      this.io.stderr.write(
        this.wrapErr(hint)
          .map((l) => `${this.c.dim(l)}\n`)
          .join(''),
      );
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
    // discardStdin: false keeps the terminal out of raw mode, so Ctrl-C still sends SIGINT while it spins.
    const s = ora({ text, stream: this.io.stderr, color: 'cyan', isEnabled: true, discardStdin: false }).start();
    return {
      text: (m) => {
        s.text = m;
      },
      succeed: (m) => void s.succeed(m),
      fail: (m) => void s.fail(m),
      stop: () => void s.stop(),
    };
  }

  /** A table fitted to the width (see io/table.ts), headings in bold. */
  fitTable(input: TableInput, style: { footer?: (s: string) => string } = {}): string {
    return renderTable(input, this.width, { head: (h) => this.c.bold(h), ...style });
  }

  /** A borderless table whose columns all stay (cells may be coloured), right-aligning the given columns. */
  table(head: string[], rows: string[][], rightAligned: number[] = []): string {
    const columns = head.map((h, i) => ({
      head: h,
      priority: 0,
      align: rightAligned.includes(i) ? ('right' as const) : ('left' as const),
    }));
    return renderTable({ columns, rows }, undefined, { head: (h) => this.c.bold(h) });
  }
}

/** Renders a value compactly for a human line ("7 → 30"); shortened only to `max` (no limit by default). */
export function brief(value: unknown, max = Number.POSITIVE_INFINITY): string {
  if (value === null || value === undefined) return '(none)';
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return s.length > max ? `${s.slice(0, Math.max(1, max - 1))}…` : s;
}
