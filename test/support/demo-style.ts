/**
 * The demo's colour, as the CLI has it (src/lib/io/output.ts): only on a terminal, never with
 * NO_COLOR (or TERM=dumb), forced by FORCE_COLOR. Kept apart from scripts/demo.mjs so that a test can
 * check the decision without running the whole demo.
 */

const flag = (v: string | undefined): boolean =>
  v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';

export function demoColour(env: NodeJS.ProcessEnv, stdoutIsTty: boolean): boolean {
  return !flag(env.NO_COLOR) && env.TERM !== 'dumb' && (stdoutIsTty || flag(env.FORCE_COLOR));
}

export function demoStyle(colour: boolean): { bold(s: string): string; dim(s: string): string } {
  return {
    bold: (s) => (colour ? `\x1b[1m${s}\x1b[0m` : s),
    dim: (s) => (colour ? `\x1b[2m${s}\x1b[0m` : s),
  };
}
