import type { Ctx } from '../context/context.js';
import type { Outcome, ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, toBmError } from '../aws/errors.js';
import { BmError, ExitCode, usageError } from '../core/errors.js';
import { isAbort } from '../core/abort.js';
import { count } from '../io/format.js';
import type { Output } from '../io/output.js';
import { topicArn, topicSubscriptions } from '../resources/topic.js';
import { renderOutcomes } from './render.js';
import { inScope, isEnabled, STEPS, type Step, type StepName } from './steps.js';

/**
 * cleanup: every step's resources, in reverse order of the registry (dependants first), each
 * deleted only when its own ownership rule says it is the tool's (or with --force). A failed
 * deletion is recorded and the rest go on, except what the failed resource still needs.
 */

/** One existing resource, whether it is the tool's, and the step it belongs to. */
export interface Candidate {
  step: StepName;
  def: ResourceDef<unknown>;
  owned: boolean;
  /** What a foreign one is, when its definition can say. */
  foreign?: string;
}

export interface CleanupOptions {
  keepLogs: boolean;
}

/** The steps that hold logged data, kept by --keep-logs. */
const LOG_STEPS = new Set<StepName>(['create-bucket', 'create-log-group', 'audit-log-group']);

async function exists(def: ResourceDef<unknown>): Promise<{ owned: boolean; foreign?: string } | undefined> {
  if (def.ownership.probe) {
    const owned = await def.ownership.probe();
    return owned === undefined ? undefined : { owned };
  }
  const actual = await def.read();
  if (actual === undefined) return undefined;
  const owned = await def.ownership.owns(actual);
  const foreign = owned ? undefined : def.ownership.describeForeign?.(actual);
  return { owned, ...(foreign ? { foreign } : {}) };
}

async function stepCandidates(ctx: Ctx, step: Step): Promise<Candidate[]> {
  const defs = [...(await step.resources(ctx)), ...((await step.strays?.(ctx)) ?? [])].filter(
    (d) => d.remove !== undefined,
  );
  const found = await Promise.all(defs.map(exists));
  return defs.flatMap((def, i) => {
    const f = found[i];
    return f ? [{ step: step.name, def, ...f }] : [];
  });
}

/**
 * A step the settings no longer want (audit turned off) may still have left resources: they are
 * looked for too, so nothing the tool made is forgotten, but a failed look is only a warning.
 */
async function disabledStepCandidates(ctx: Ctx, step: Step): Promise<Candidate[]> {
  try {
    return await stepCandidates(ctx, step);
  } catch (err) {
    ctx.events.warn(
      `could not check for resources of the ${step.name} step (off in these settings): ${toBmError(err).message}`,
    );
    return [];
  }
}

/** Every resource cleanup would consider, in deletion order. Reads only. */
export async function findCandidates(ctx: Ctx, opts: CleanupOptions): Promise<Candidate[]> {
  await ctx.account();
  // Account-level resources are removed once per account, from the home Region.
  const steps = [...STEPS]
    .reverse()
    .filter((s) => inScope(s, ctx.settings) && !(opts.keepLogs && LOG_STEPS.has(s.name)));
  const perStep = await Promise.all(
    steps.map((s) => (isEnabled(s, ctx.settings) ? stepCandidates(ctx, s) : disabledStepCandidates(ctx, s))),
  );
  return perStep.flat();
}

function deletable(c: Candidate, force: boolean): boolean {
  return c.owned || (force && c.def.ownership.forceDeletes !== false);
}

function leftAlone(c: Candidate): string {
  const force = c.def.ownership.forceDeletes === false ? '' : ' (use --force to delete it anyway)';
  return `${c.foreign ?? `not ${c.def.ownership.rule}`}: left alone${force}`;
}

/**
 * Deletes in order, continuing after a failure. A resource whose step is needed by a step whose
 * deletion failed is kept (the survivor still uses it). A resource already gone counts as deleted.
 */
export async function removeCandidates(
  ctx: Ctx,
  candidates: Candidate[],
  progress: (done: number, total: number) => void = () => undefined,
): Promise<Outcome[]> {
  const outcomes = new Map<Candidate, Outcome>();
  const failedSteps = new Set<StepName>();
  const stepOf = new Map(STEPS.map((s) => [s.name, s]));
  const keptFor = (c: Candidate): StepName | undefined =>
    [...failedSteps].find((f) => stepOf.get(f)?.needs(ctx.settings).includes(c.step));
  const base = (c: Candidate) => ({ resource: c.def.resource, name: c.def.name, changes: [] });
  const byStep = new Map<StepName, Candidate[]>();
  for (const c of candidates) byStep.set(c.step, [...(byStep.get(c.step) ?? []), c]);

  const total = candidates.filter((c) => deletable(c, ctx.force)).length;
  let done = 0;
  for (const [stepName, group] of byStep) {
    const todo: Candidate[] = [];
    for (const c of group) {
      const kept = keptFor(c);
      if (!deletable(c, ctx.force)) outcomes.set(c, { ...base(c), action: 'skipped', note: leftAlone(c) });
      else if (ctx.signal.aborted) outcomes.set(c, { ...base(c), action: 'not-started' });
      else if (ctx.dryRun) outcomes.set(c, { ...base(c), action: 'would-delete' });
      else if (kept)
        outcomes.set(c, {
          ...base(c),
          action: 'skipped',
          note: `kept: ${kept} could not be deleted and still needs it`,
        });
      else todo.push(c);
    }
    progress(done, total);
    const results = await deleteGroup(ctx, stepOf.get(stepName)!, todo);
    todo.forEach((c, i) => {
      // A delete cut short by Ctrl-C may still have reached AWS: said so, not claimed either way.
      const note = ctx.signal.aborted ? INFLIGHT : results[i]!.error;
      const outcome: Outcome = results[i]!.error
        ? { ...base(c), action: 'failed', note }
        : { ...base(c), action: 'deleted' };
      outcomes.set(c, outcome);
      ctx.record?.(outcome);
    });
    done += todo.length;
    if (results.some((r) => r.error)) failedSteps.add(stepName);
  }
  return candidates.map((c) => outcomes.get(c)!);
}

const INFLIGHT = 'interrupted while its delete was in flight: it may be gone already (bedrock-monitor status tells)';

async function deleteGroup(ctx: Ctx, step: Step, group: Candidate[]): Promise<{ error?: string }[]> {
  const attempt = async (run: () => Promise<unknown>): Promise<{ error?: string }> => {
    try {
      await absentIfNotFound(run());
      return {};
    } catch (err) {
      if (isAbort(err, ctx.signal)) return { error: 'interrupted while it was being deleted: run cleanup again' };
      return { error: toBmError(err).message };
    }
  };
  if (step.removeBatch && group.length > 1) {
    const r = await attempt(() =>
      step.removeBatch!(
        ctx,
        group.map((c) => c.def),
      ),
    );
    return group.map(() => r);
  }
  const results: { error?: string }[] = [];
  for (const c of group) results.push(await attempt(() => c.def.remove!()));
  return results;
}

export interface CleanupData {
  region: string;
  outcomes: Outcome[];
  /** The topic's subscriptions (endpoints), which go with it. */
  subscriptions: string[];
  warnings: string[];
}

/** The endpoints subscribed to the topic that cleanup deletes (they go with it). */
async function doomedSubscriptions(ctx: Ctx, candidates: Candidate[]): Promise<string[]> {
  if (!candidates.some((c) => c.def.resource === 'sns-topic' && deletable(c, ctx.force))) return [];
  const subs = await topicSubscriptions(ctx, await topicArn(ctx));
  // Sorted: SNS lists a topic's subscriptions in no fixed order.
  return subs
    .map((s) => `${s.Endpoint ?? '?'}${s.Protocol && s.Protocol !== 'email' ? ` (${s.Protocol})` : ''}`)
    .sort();
}

/** What is gone for good once the bucket and the log group are deleted. */
function lossLine(toDelete: Candidate[]): string | undefined {
  const bucket = toDelete.find((c) => c.def.resource === 's3-bucket');
  const group = toDelete.find((c) => c.def.resource === 'log-group');
  const lost = [
    bucket ? `every invocation log object in s3://${bucket.def.name} (all versions)` : '',
    group ? `every log event in ${group.def.name}` : '',
  ].filter(Boolean);
  if (!lost.length) return undefined;
  return `Lost for good: ${lost.join(', and ')}. To keep them, run cleanup with --keep-logs.`;
}

/** What cleanup will delete, shown (on stderr) before it asks. */
function showDeletions(
  list: Output,
  region: string,
  toDelete: Candidate[],
  subscriptions: string[],
  leftAlone: number,
): void {
  list.say(`cleanup will delete in ${region}:`);
  list.print(
    list.fitTable({
      columns: [
        { head: 'RESOURCE', priority: 0 },
        { head: 'NAME', priority: 0, wrap: true },
      ],
      rows: toDelete.map((c) => [c.def.resource, c.def.name]),
      after: (i) =>
        toDelete[i]!.def.resource === 'sns-topic' && subscriptions.length
          ? [`    and its subscriptions: ${subscriptions.join(', ')}`]
          : [],
    }),
  );
  const loss = lossLine(toDelete);
  list.print('');
  if (loss) list.say(loss);
  list.say(
    `${count(toDelete.length, 'resource')} to delete in ` +
      `${region}${leftAlone ? `; ${leftAlone} left alone (not this tool's)` : ''}.`,
  );
}

async function confirm(ctx: Ctx, toDelete: Candidate[], subscriptions: string[], leftAlone: number): Promise<void> {
  if (!toDelete.length || ctx.dryRun || ctx.yes) return;
  if (!ctx.interactive) {
    throw usageError(
      `cleanup would delete ${count(toDelete.length, 'resource')} and there is no terminal to confirm on: ` +
        `pass --yes to delete, or --dry-run to list them.`,
      undefined,
      undefined,
      'E_REFUSED_NO_TERMINAL',
    );
  }
  const region = ctx.settings.region;
  const question = `Delete these ${count(toDelete.length, 'resource')}?`;
  if (
    !(await ctx.events.confirm(
      (list) => showDeletions(list, region, toDelete, subscriptions, leftAlone),
      question,
      false,
    ))
  )
    throw new BmError('Aborted: nothing was deleted.', { exitCode: ExitCode.usage, code: 'E_ABORTED', quiet: true });
}

/** The error a cleanup with failed deletions ends with: each one, and that a re-run picks up where it stopped. */
function cleanupFailure(outcomes: Outcome[]): BmError | undefined {
  const failed = outcomes.filter((o) => o.action === 'failed');
  if (!failed.length) return undefined;
  const lines = failed.map((o) => `${o.resource} ${o.name}: ${o.note ?? ''}`);
  return new BmError(
    failed.length === 1
      ? `could not delete ${lines[0]!}`
      : `${failed.length} deletions failed:\n${lines.map((l) => `  ${l}`).join('\n')}`,
    {
      code: 'E_CLEANUP_FAILED',
      hint: 'Fix the cause and run cleanup again: what was deleted stays deleted.',
    },
  );
}

export async function runCleanup(
  ctx: Ctx,
  opts: CleanupOptions,
): Promise<{ data: CleanupData; error: BmError | undefined }> {
  // Progress on a terminal's stderr while it looks (many reads) and while it deletes.
  let spinner = await ctx.events.spinner(`Looking for bedrock-monitor resources in ${ctx.settings.region}`);
  const found = await (async () => {
    const candidates = await findCandidates(ctx, opts);
    return { candidates, subscriptions: await doomedSubscriptions(ctx, candidates) };
  })().finally(() => spinner.stop());
  const { candidates, subscriptions } = found;
  const toDelete = candidates.filter((c) => deletable(c, ctx.force));
  await confirm(ctx, toDelete, subscriptions, candidates.length - toDelete.length);
  spinner = await ctx.events.spinner('Deleting');
  const removed = await removeCandidates(ctx, candidates, (done, total) =>
    spinner.text(`Deleting: ${done} of ${total} done`),
  ).finally(() => spinner.stop());
  const outcomes = removed.map((o) =>
    o.resource === 'sns-topic' && subscriptions.length && (o.action === 'deleted' || o.action === 'would-delete')
      ? { ...o, note: `with its subscriptions: ${subscriptions.join(', ')}` }
      : o,
  );
  // What was left alone is in the outcomes (each listed once, with why) and, for scripts, in the document's
  // `warnings`; not also a warning on stderr, which printed each a second time under the table (issue 19).
  const warnings = outcomes
    .filter((o) => o.action === 'skipped')
    .map((o) => `${o.resource} ${o.name}: ${o.note ?? ''}`);
  const error = ctx.signal.aborted
    ? ctx.interruption.error(
        'Interrupted: what is listed above as deleted is gone; run cleanup again to delete the rest.',
      )
    : cleanupFailure(outcomes);
  return { data: { region: ctx.settings.region, outcomes, subscriptions, warnings }, error };
}

/** The summary line cleanup ends with. */
export function cleanupSummary(data: CleanupData, keepLogs: boolean): string {
  const n = (a: Outcome['action']): number => data.outcomes.filter((o) => o.action === a).length;
  const parts: string[] = [];
  if (n('would-delete'))
    parts.push(
      `Would delete ${count(n('would-delete'), 'resource')} in ${data.region} (--dry-run: nothing was deleted)`,
    );
  if (n('deleted')) parts.push(`Deleted ${count(n('deleted'), 'resource')} in ${data.region}`);
  if (n('failed')) parts.push(`${n('failed')} could not be deleted`);
  if (n('skipped')) parts.push(`${n('skipped')} left alone`);
  if (n('not-started')) parts.push(`${n('not-started')} not started (interrupted)`);
  const kept = keepLogs ? '; the bucket and the log group were kept (--keep-logs)' : '';
  return `${parts.join('; ')}${kept}.`;
}

export function renderCleanup(out: Output, data: CleanupData, keepLogs: boolean): void {
  if (data.outcomes.length === 0) {
    out.say(
      `Nothing to remove: no bedrock-monitor resources in ` +
        `${data.region}${keepLogs ? ' besides the logs --keep-logs keeps' : ''}.`,
    );
    return;
  }
  renderOutcomes(out, data.outcomes);
  out.print('');
  out.say(cleanupSummary(data, keepLogs));
}
