import type { IO } from './output.js';

/** Prompts on stderr (stdout stays for results), only ever called when the session is interactive. */
function context(io: IO) {
  return { input: io.stdin, output: io.stderr, clearPromptOnDone: false };
}

/**
 * A text prompt. The check runs on every keystroke (its message is shown beside the answer while
 * typing) and again on Enter, where an invalid answer is refused with the message.
 */
export async function askInput(
  io: IO,
  message: string,
  opts: { default?: string; check?: (v: string) => string | undefined },
): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  const check = opts.check ?? (() => undefined);
  return input(
    {
      message,
      default: opts.default,
      validate: (v) => check(v) ?? true,
      transformer: (v, { isFinal }) => {
        if (isFinal || v === '') return v;
        const problem = check(v);
        return problem ? `${v}  ✗ ${problem}` : `${v}  ✓`;
      },
    },
    context(io),
  );
}

export async function askConfirm(io: IO, message: string, defaultYes: boolean): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message, default: defaultYes }, context(io));
}

/** A line for the person answering the questions (on stderr, with the prompts). */
export function tell(io: IO, text: string): void {
  io.stderr.write(`${text}\n`);
}
