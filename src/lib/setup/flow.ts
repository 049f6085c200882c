import { relative } from 'node:path';
import type { Ctx } from '../context/context.js';
import { resolveSettings, type GlobalOptions } from '../config/settings.js';
import { configPath, readConfigJson } from '../config/file.js';
import { configSet } from '../config/store.js';
import type { Outcome } from '../aws/ensure.js';
import { BmError, ExitCode, type ErrorJson } from '../core/errors.js';
import { count } from '../io/format.js';
import type { IO, Output } from '../io/output.js';
import { askConfirm, askInput, tell } from '../io/prompts.js';
import { converged, convergedLine, renderNextSteps, renderOutcomes, renderPlan, type NextSteps } from './render.js';
import { emailWarnings, nextSteps } from './next.js';
import { setupFailure, setupAll, type StepResult } from './run.js';
import { collectStatus } from './steps.js';
import { checkEmail, checkRegion } from '../core/validate.js';

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
    const s = await resolveSettings(opts, { emails: opts.email }, io.env, () => Promise.resolve(undefined), io.cwd);
    current = { region: s.region, emails: s.alarms.emails, audit: s.audit.enabled };
  } catch {
    // No Region resolvable yet: that is what the question is for.
  }
  const answers: Answers = {};
  if (opts.region === undefined) {
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

interface Answers {
  region?: string;
  email?: string[];
  audit?: boolean;
}

/** Offers to keep answers that differ from the config file, so the next run starts from them. */
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

const AUDIT_QUESTION =
  'Also record who calls Bedrock in a CloudTrail trail (audit-trail)? Data events cost $0.10 per 100,000; ' +
  'management events are free unless another trail records them (then they are not copied)';

export function splitEmails(v: string): string[] {
  return v
    .split(/[,\s]+/)
    .map((e) => e.trim())
    .filter(Boolean);
}

export interface SetupAllData extends NextSteps {
  region: string;
  ok: boolean;
  outcomes: Outcome[];
  steps: { step: string; status: StepResult['status']; error?: ErrorJson; blockedBy?: string[] }[];
  warnings: string[];
}

/**
 * In a terminal: the plan on stderr, and a question before the first write (nothing to ask when nothing would change).
 */
async function confirmPlan(ctx: Ctx): Promise<void> {
  if (!ctx.interactive || ctx.dryRun) return;
  const rows = await collectStatus(ctx);
  // What setup-all would write: not the rows a person must act on (a KMS key policy).
  const pending = rows.filter((r) => r.status !== 'ok' && !r.manual);
  if (pending.length === 0) return;
  const yes = await ctx.events.confirm(
    (plan) => renderPlan(plan, rows, ctx.settings.region),
    `Create or repair ${count(pending.length, 'resource')} in ${ctx.settings.region}?`,
    true,
  );
  if (!yes)
    throw new BmError('Aborted: nothing was changed.', { exitCode: ExitCode.usage, code: 'E_ABORTED', quiet: true });
}

function progressLine(c: Output['c'], r: StepResult): string {
  if (r.status === 'ok') return `${c.green('✔')} ${r.step}: ${summarize(r.outcomes)}`;
  if (r.status === 'failed') return `${c.red('✖')} ${r.step} failed`;
  return `${c.yellow('-')} ${r.step} skipped: needs ${r.blockedBy?.join(', ') ?? ''}`;
}

export async function runSetupAll(ctx: Ctx): Promise<{ data: SetupAllData; error: BmError | undefined }> {
  await confirmPlan(ctx);
  const spinner = await ctx.events.spinner('Setting up');
  const running = new Set<string>();
  const results = await setupAll(ctx, {
    onStart: (step) => {
      running.add(step);
      spinner.text(`Running ${[...running].join(', ')}`);
    },
    onDone: (r) => {
      running.delete(r.step);
      spinner.text(running.size ? `Running ${[...running].join(', ')}` : 'Finishing');
      // Progress, for a person watching: a pipe gets the result alone.
      ctx.events.progress((c) => progressLine(c, r));
    },
  }).finally(() => spinner.stop());
  const ok = (step: string): boolean => results.some((r) => r.step === step && r.status === 'ok');
  const warnings = emailWarnings(ctx);
  const next = await nextSteps(ctx, { topic: ok('topic'), dashboard: ok('dashboard') });
  return {
    data: {
      region: ctx.settings.region,
      ok: results.every((r) => r.status === 'ok'),
      outcomes: results.flatMap((r) => r.outcomes),
      steps: results.map((r) => ({
        step: r.step,
        status: r.status,
        ...(r.error ? { error: r.error } : {}),
        ...(r.blockedBy ? { blockedBy: r.blockedBy } : {}),
      })),
      ...next,
      warnings,
    },
    error: setupFailure(results),
  };
}

function summarize(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.action, (counts.get(o.action) ?? 0) + 1);
  return [...counts].map(([a, n]) => `${n} ${a}`).join(', ') || 'nothing to do';
}

/** What setup-all printed for people: outcomes (or one line when nothing changed), failures, then the next steps. */
export function renderSetupAll(out: Output, data: SetupAllData, dryRun: boolean): void {
  const failed = data.steps.filter((s) => s.status === 'failed');
  const skipped = data.steps.filter((s) => s.status === 'skipped');
  if (!failed.length && converged(data.outcomes)) {
    out.say(convergedLine(data.outcomes, data.region));
  } else {
    renderOutcomes(out, data.outcomes);
    out.print('');
    for (const s of failed) out.print(`${out.c.red('failed'.padEnd(9))}${s.step} (the error is below)`);
    for (const s of skipped)
      out.print(`${out.c.yellow('skipped'.padEnd(9))}${s.step}: needs ${s.blockedBy?.join(', ') ?? ''}`);
    if (failed.length || skipped.length) out.print('');
    const changed = data.outcomes.filter((o) => o.action !== 'unchanged').length;
    if (failed.length) out.say('Fix what failed and run setup-all again: completed steps are not redone.');
    else if (dryRun) out.say('Plan only (--dry-run): nothing was changed.');
    else out.say(`Done: ${count(changed, 'resource')} created or updated in ${data.region}.`);
  }
  renderNextSteps(out, data);
}
