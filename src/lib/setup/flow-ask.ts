import type { GlobalOptions } from '../config/settings.js';
import { resolveSettings } from '../config/settings.js';
import { configPath, readConfigJson } from '../config/file.js';
import type { IO } from '../io/output.js';
import { askConfirm, askInput } from '../io/prompts.js';
import { checkEmail, checkRegion } from '../core/validate.js';
import { offerToSave } from './flow-save.js';

/**
 * Interactive setup-all: asks for the Region, alert addresses and the audit trail the command line
 * and config did not give (flags are never asked again), offers to save the answers in the config
 * file, shows the plan and asks before the first write.
 */
export async function askSetupQuestions(
  opts: GlobalOptions & { email?: string[]; audit?: boolean },
  io: IO,
): Promise<Answers> {
  let current: { region?: string; emails: string[]; audit?: boolean } = { emails: [] };
  try {
    const s = await resolveSettings(
      opts,
      { 'alarms.emails': opts.email },
      io.env,
      () => Promise.resolve(undefined),
      io.cwd,
    );
    current = { region: s.region, emails: s.alarms.emails, audit: s.audit.enabled };
  } catch {
    // No Region resolvable yet: that is what the question is for.
  }
  const answers: Answers = {};
  // Over many Regions (--regions) there is no one Region to ask for.
  if (opts.region === undefined && opts.regions === undefined) {
    const region = await askInput(io, 'AWS Region to monitor', {
      default: current.region ?? 'us-east-1',
      check: (v) => checkRegion(v.trim()),
    });
    answers.region = region.trim();
  }
  if (opts.email === undefined) {
    const emails = await askInput(io, 'Alert email addresses, comma-separated (optional)', {
      default: current.emails.join(', '),
      check: (v) => splitEmails(v).map(checkEmail).find(Boolean),
    });
    answers.email = splitEmails(emails);
  }
  // Asked only when neither --audit nor the config file has decided (a saved "no" is a decision too).
  const savedAudit = (readConfigJson(configPath(opts.config, io.cwd))?.audit as { enabled?: unknown } | undefined)
    ?.enabled;
  if (opts.audit === undefined && !current.audit && typeof savedAudit !== 'boolean')
    answers.audit = await askConfirm(io, AUDIT_QUESTION, false);
  await offerToSave(opts, io, answers);
  return answers;
}

export interface Answers {
  region?: string;
  email?: string[];
  audit?: boolean;
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
