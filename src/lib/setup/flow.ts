import type { Ctx } from '../context/context.js';
import { resolveSettings, type GlobalOptions } from '../config/settings.js';
import type { Outcome } from '../aws/ensure.js';
import { ExitCode, usageError } from '../core/errors.js';
import type { IO } from '../io/output.js';
import { askConfirm, askInput } from '../io/prompts.js';
import { renderOutcomes, renderStatus } from './render.js';
import { setupAll, type StepResult } from './run.js';
import { collectStatus } from './steps.js';
import { checkEmail, checkRegion } from '../core/validate.js';

/** Interactive setup-all: Region, alert addresses and the audit trail, with the resolved values as defaults. */
export async function askSetupQuestions(opts: GlobalOptions & { email?: string[]; audit?: boolean }, io: IO): Promise<{ region: string; email: string[]; audit?: boolean }> {
  let current: { region?: string; emails: string[]; audit?: boolean } = { emails: [] };
  try {
    const s = await resolveSettings(opts, { emails: opts.email }, io.env, () => Promise.resolve(undefined), io.cwd);
    current = { region: s.region, emails: s.alarms.emails, audit: s.audit.enabled };
  } catch {
    // No Region resolvable yet: that is what the question is for.
  }
  const region = await askInput(io, 'AWS Region to monitor', {
    default: current.region ?? 'us-east-1',
    check: (v) => checkRegion(v.trim()),
  });
  const emails = await askInput(io, 'Alert email addresses, comma-separated (optional)', {
    default: current.emails.join(', '),
    check: (v) => splitEmails(v).map(checkEmail).find(Boolean),
  });
  // Asked only when neither the config nor --audit has decided.
  const audit = opts.audit ?? (current.audit ? undefined : await askConfirm(io, AUDIT_QUESTION, false));
  return { region: region.trim(), email: splitEmails(emails), ...(audit === undefined ? {} : { audit }) };
}

const AUDIT_QUESTION =
  'Also record who calls Bedrock in a CloudTrail trail (audit-trail)? Data events cost $0.10 per 100,000; management events are free unless another trail records them (then they are not copied)';

export function splitEmails(v: string): string[] {
  return v
    .split(/[,\s]+/)
    .map((e) => e.trim())
    .filter(Boolean);
}

export interface SetupAllData {
  region: string;
  ok: boolean;
  outcomes: Outcome[];
  steps: { step: string; status: StepResult['status']; error?: string; blockedBy?: string[] }[];
}

export async function runSetupAll(ctx: Ctx): Promise<{ data: SetupAllData; exitCode: 0 | 1 }> {
  const out = ctx.out;
  if (ctx.interactive && !ctx.dryRun) {
    const rows = await collectStatus(ctx);
    const pending = rows.filter((r) => r.status !== 'ok');
    if (pending.length === 0) {
      out.info(`Everything in ${ctx.settings.region} is already as configured.`);
    } else {
      const planOut = out.toStderr();
      planOut.print(`Plan for ${ctx.settings.region}:`);
      renderStatus(planOut, rows);
      const yes = await askConfirm(out.io, `Create or repair ${pending.length} resource${pending.length === 1 ? '' : 's'} in ${ctx.settings.region}?`, true);
      if (!yes) throw usageError('Aborted: nothing was changed.');
    }
  }

  const spinner = await out.spinner('Setting up');
  const running = new Set<string>();
  const results = await setupAll(ctx, {
    onStart: (step) => {
      running.add(step);
      spinner.text(`Running ${[...running].join(', ')}`);
    },
    onDone: (r) => {
      running.delete(r.step);
      spinner.text(running.size ? `Running ${[...running].join(', ')}` : 'Finishing');
      const line =
        r.status === 'ok'
          ? `${out.c.green('✔')} ${r.step}: ${summarize(r.outcomes)}`
          : r.status === 'failed'
            ? `${out.c.red('✖')} ${r.step} failed: ${r.error ?? ''}`
            : `${out.c.yellow('-')} ${r.step} skipped: needs ${r.blockedBy?.join(', ') ?? ''}`;
      out.info(line);
    },
  }).finally(() => spinner.stop());
  const failed = results.filter((r) => r.status === 'failed');
  return {
    data: {
      region: ctx.settings.region,
      ok: failed.length === 0,
      outcomes: results.flatMap((r) => r.outcomes),
      steps: results.map((r) => ({ step: r.step, status: r.status, ...(r.error ? { error: r.error } : {}), ...(r.blockedBy ? { blockedBy: r.blockedBy } : {}) })),
    },
    exitCode: failed.length ? ExitCode.failure : ExitCode.ok,
  };
}

function summarize(outcomes: Outcome[]): string {
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.action, (counts.get(o.action) ?? 0) + 1);
  return [...counts].map(([a, n]) => `${n} ${a}`).join(', ') || 'nothing to do';
}

export function renderSetupAll(ctx: Ctx, data: SetupAllData): void {
  const out = ctx.out;
  renderOutcomes(out, data.outcomes);
  const failed = data.steps.filter((s) => s.status === 'failed');
  const skipped = data.steps.filter((s) => s.status === 'skipped');
  if (failed.length || skipped.length) {
    out.print('');
    for (const s of failed) out.print(`${out.c.red('failed')}   ${s.step}: ${s.error ?? ''}`);
    for (const s of skipped) out.print(`${out.c.yellow('skipped')}  ${s.step} (needs ${s.blockedBy?.join(', ') ?? ''})`);
    out.print('\nFix the failure and run setup-all again: completed steps are not redone.');
  } else {
    const changed = data.outcomes.filter((o) => o.action !== 'unchanged').length;
    out.print(`\n${ctx.dryRun ? 'Plan only (--dry-run): nothing was changed.' : changed ? `Done: ${changed} resource${changed === 1 ? '' : 's'} created or updated in ${data.region}.` : `Nothing to do: everything in ${data.region} is as configured.`}`);
  }
}
