import { relative } from 'node:path';
import type { GlobalOptions } from '../config/settings.js';
import { configPath } from '../config/file.js';
import { valueAt } from '../config/keys.js';
import type { ConfigFile } from '../config/schema.js';
import { configSet } from '../config/store.js';
import type { IO } from '../io/output.js';
import { askConfirm, tell } from '../io/prompts.js';

/** setup-all's answers kept in the config file (after a question), so the next run starts from them. */

/** What setup-all asked and was told. */
export interface Answers {
  region?: string;
  email?: string[];
  audit?: boolean;
}

/** `unset`: how an answer reads that equals the key's absence (no addresses is what no key means). */
const SAVED: { key: string; answer: keyof Answers; label: string; unset?: string }[] = [
  { key: 'region', answer: 'region', label: 'the Region' },
  { key: 'alarms.emails', answer: 'email', label: 'the alert addresses', unset: '' },
  { key: 'audit.enabled', answer: 'audit', label: 'the audit trail choice' },
];

const typed = (v: unknown): string => (Array.isArray(v) ? v.join(',') : String(v));

/** Offers to keep answers that differ from the config file (`file`: as the settings' layers read it). */
export async function offerToSave(opts: GlobalOptions, io: IO, answers: Answers, file: ConfigFile): Promise<void> {
  const changes = SAVED.filter(({ key, answer, unset }) => {
    const value = answers[answer];
    const saved = valueAt(file, key.split('.'));
    return value !== undefined && (saved === undefined ? unset : typed(saved)) !== typed(value);
  });
  if (!changes.length) return;
  const labels = changes.map((c) => c.label);
  const what = labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]!}` : labels[0]!;
  const path = configPath(opts.config, io.cwd);
  const shown = relative(io.cwd, path).startsWith('..') ? path : relative(io.cwd, path);
  if (!(await askConfirm(io, `Save ${what} in ${shown} for next time?`, true))) return;
  for (const c of changes) configSet({ config: opts.config, cwd: io.cwd }, c.key, typed(answers[c.answer]));
  tell(io, `Saved in ${shown}; change them with \`bedrock-monitor config set\`.`);
}
