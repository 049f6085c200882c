import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { describeIssue } from './keys.js';
import { ConfigFileSchema, type ConfigFile } from './schema.js';

export const DEFAULT_CONFIG_FILE = 'bedrock-monitor.config.json';

/** The file `--config` names, else ./bedrock-monitor.config.json. */
export function configPath(path: string | undefined, cwd = process.cwd()): string {
  return resolve(cwd, path ?? DEFAULT_CONFIG_FILE);
}

/** The file's JSON as it is (an object), or undefined when there is no file. Not validated. */
export function readConfigJson(file: string): Record<string, unknown> | undefined {
  if (!existsSync(file)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw usageError(`${file}: not valid JSON: ${(err as Error).message}`, undefined, undefined, 'E_CONFIG_INVALID');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw usageError(`${file}: must hold a JSON object ({ … })`, undefined, undefined, 'E_CONFIG_INVALID');
  return raw as Record<string, unknown>;
}

/** Every problem of a config document, one line each (empty when it is valid). */
export function configProblems(raw: unknown): string[] {
  const parsed = ConfigFileSchema.safeParse(raw);
  return parsed.success ? [] : parsed.error.issues.flatMap((i) => describeIssue(i).split('\n'));
}

/**
 * Writes the file whole (to a temporary file first, then renamed over it), two-space indented. A missing directory
 * is created, readable by its owner only (0700, as the AWS CLI makes ~/.aws): `config set` names where to write.
 */
export function writeConfigJson(file: string, data: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = join(dirname(file), `.${Date.now()}-${process.pid}.bedrock-monitor.tmp`);
  writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
  renameSync(tmp, file);
}

/** Loads and validates the config file; `explicit` means the user named it, so it must exist. */
export function loadConfigFile(
  path: string | undefined,
  cwd = process.cwd(),
): { file: string | undefined; config: ConfigFile } {
  const file = configPath(path, cwd);
  const raw = readConfigJson(file);
  if (raw === undefined) {
    if (path !== undefined)
      throw usageError(
        `--config: file not found: ${file}`,
        'Create it with `bedrock-monitor config set KEY VALUE --config <file>`.',
        undefined,
        'E_CONFIG_NOT_FOUND',
      );
    return { file: undefined, config: {} };
  }
  const problems = configProblems(raw);
  if (problems.length === 1) throw usageError(`${file}: ${problems[0]!}`, undefined, undefined, 'E_CONFIG_INVALID');
  if (problems.length > 1)
    throw usageError(
      `${file} has ${problems.length} problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      undefined,
      undefined,
      'E_CONFIG_INVALID',
    );
  // As written: the defaults are filled in once the run's layers are laid over it (settings.ts).
  return { file, config: raw };
}
