import { layered, settingLayers, sourceOf, type GlobalOptions } from '../config/settings.js';
import type { IO } from '../io/output.js';
import { askConfirm, askInput } from '../io/prompts.js';
import { checkEmail, checkRegion } from '../core/validate.js';
import { offerToSave, type Answers } from './flow-save.js';

/**
 * Interactive setup-all: asks for the Region, alert addresses and the audit trail the command line
 * and config did not give (flags are never asked again), offers to save the answers in the config
 * file, shows the plan and asks before the first write. What is set where comes from the settings'
 * layers (config/settings.ts), the one place that decides precedence.
 */
export async function askSetupQuestions(
  opts: GlobalOptions & { email?: string[]; audit?: boolean },
  io: IO,
): Promise<Answers> {
  const layers = settingLayers(opts, { 'alarms.emails': opts.email, 'audit.enabled': opts.audit }, io.env, io.cwd);
  const current = layered(layers);
  const answers: Answers = {};
  // Over many Regions (--regions) there is no one Region to ask for.
  if (sourceOf(layers, 'region') !== 'flag' && opts.regions === undefined) {
    const region = await askInput(io, 'AWS Region to monitor', {
      default: current.region ?? 'us-east-1',
      check: (v) => checkRegion(v.trim()),
    });
    answers.region = region.trim();
  }
  if (sourceOf(layers, 'alarms.emails') !== 'flag') {
    const emails = await askInput(io, 'Alert email addresses, comma-separated (optional)', {
      default: current.alarms.emails.join(', '),
      check: (v) => splitEmails(v).map(checkEmail).find(Boolean),
    });
    answers.email = splitEmails(emails);
  }
  // Asked only when neither --audit nor the config file has decided (a saved "no" is a decision too).
  if (sourceOf(layers, 'audit.enabled') === 'default') answers.audit = await askConfirm(io, AUDIT_QUESTION, false);
  await offerToSave(opts, io, answers, layers.file);
  return answers;
}

const AUDIT_QUESTION =
  'Also record who calls Bedrock in a CloudTrail trail (audit-trail)? Data events cost $0.10 per 100,000; ' +
  'management events are free unless another trail records them (then they are not copied)';

export function splitEmails(v: string): string[] {
  return v
    .split(/[,\s]+/)
    .map((e) => e.trim())
    .filter(Boolean);
}
