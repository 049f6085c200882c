import { count } from '../io/format.js';
import type { Output } from '../io/output.js';
import { converged, convergedLine, renderNextSteps, renderOutcomes } from './render.js';
import type { SetupAllData } from './flow-run.js';

/** setup-all's human output, drawn from the same document as --json. */

/** After Ctrl-C: what was done, each step that did not finish, and one line on where that leaves things. */
function renderInterrupted(out: Output, data: SetupAllData, stopped: SetupAllData['steps']): void {
  if (data.outcomes.length) renderOutcomes(out, data.outcomes);
  out.print('');
  for (const s of data.steps.filter((x) => x.status !== 'ok')) {
    const label = s.status === 'interrupted' ? 'interrupted' : s.status === 'not-started' ? 'not started' : s.status;
    const paint = s.status === 'failed' ? out.c.red : out.c.yellow;
    out.print(`${paint(label.padEnd(13))} ${s.step}`);
  }
  out.print('');
  const changed = data.outcomes.filter((o) => ['created', 'updated'].includes(o.action)).length;
  out.say(
    `${count(changed, 'resource')} created or updated in ${data.region} before the interrupt; ` +
      `${count(stopped.length, 'step')} did not finish.`,
  );
}

/** What setup-all printed for people: outcomes (or one line when nothing changed), failures, then the next steps. */
export function renderSetupAll(out: Output, data: SetupAllData, dryRun: boolean): void {
  const failed = data.steps.filter((s) => s.status === 'failed');
  const skipped = data.steps.filter((s) => s.status === 'skipped');
  const stopped = data.steps.filter((s) => s.status === 'interrupted' || s.status === 'not-started');
  if (stopped.length) {
    renderInterrupted(out, data, stopped);
    return;
  }
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
