import { relative } from 'node:path';
import type { GlobalOptions } from '../config/settings.js';
import { configPath, readConfigJson } from '../config/file.js';
import { configSet } from '../config/store.js';
import type { IO } from '../io/output.js';
import { askConfirm, tell } from '../io/prompts.js';
import type { Answers } from './flow-ask.js';

/** setup-all's answers kept in the config file (after a question), so the next run starts from them. */

export /** Offers to keep answers that differ from the config file, so the next run starts from them. */
async function offerToSave(opts: GlobalOptions, io: IO, answers: Answers): Promise<void> {
  const file = configPath(opts.config, io.cwd);
  const saved = readConfigJson(file) ?? {};
  const alarms = (saved.alarms ?? {}) as { emails?: string[] };
  const changes: [string, string, string][] = [];
  if (answers.region !== undefined && answers.region !== saved.region)
    changes.push(['region', answers.region, 'the Region']);
  if (answers.email !== undefined && answers.email.join(',') !== (alarms.emails ?? []).join(','))
    changes.push(['alarms.emails', answers.email.join(','), 'the alert addresses']);
  if (answers.audit !== undefined && (saved.audit as { enabled?: boolean } | undefined)?.enabled !== answers.audit)
    changes.push(['audit.enabled', String(answers.audit), 'the audit trail choice']);
  if (!changes.length) return;
  const labels = changes.map(([, , label]) => label);
  const what = labels.length > 1 ? `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]!}` : labels[0]!;
  const shown = relative(io.cwd, file).startsWith('..') ? file : relative(io.cwd, file);
  if (!(await askConfirm(io, `Save ${what} in ${shown} for next time?`, true))) return;
  for (const [key, value] of changes) configSet({ config: opts.config, cwd: io.cwd }, key, value);
  tell(io, `Saved in ${shown}; change them with \`bedrock-monitor config set\`.`);
}
