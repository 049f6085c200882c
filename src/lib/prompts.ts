import type { IO } from './output.js';

/** Prompts on stderr (stdout stays for results), only ever called when the session is interactive. */
function context(io: IO) {
  return { input: io.stdin, output: io.stderr, clearPromptOnDone: false };
}

export async function askInput(io: IO, message: string, opts: { default?: string; validate?: (v: string) => string | true }): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  return input({ message, default: opts.default, validate: opts.validate }, context(io));
}

export async function askConfirm(io: IO, message: string, defaultYes: boolean): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return confirm({ message, default: defaultYes }, context(io));
}
