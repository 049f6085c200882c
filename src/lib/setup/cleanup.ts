import type { Ctx } from '../context/context.js';
import type { Outcome, ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound, toBmError } from '../aws/errors.js';
import { usageError } from '../core/errors.js';
import type { Output } from '../io/output.js';
import { askConfirm } from '../io/prompts.js';
import { renderOutcomes } from './render.js';
import { isEnabled, STEPS, type Step, type StepName } from './steps.js';

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
const LOG_STEPS = new Set<StepName>(['create-bucket', 'create-log-group']);

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
  const defs = [...(await step.resources(ctx)), ...((await step.strays?.(ctx)) ?? [])].filter((d) => d.remove !== undefined);
  const found = await Promise.all(defs.map(exists));
  return defs.flatMap((def, i) => {
    const f = found[i];
    return f ? [{ step: step.name, def, ...f }] : [];
  });
}

/** Every resource cleanup would consider, in deletion order. Reads only. */
export async function findCandidates(ctx: Ctx, opts: CleanupOptions): Promise<Candidate[]> {
  await ctx.account();
  const steps = [...STEPS].reverse().filter((s) => !(opts.keepLogs && LOG_STEPS.has(s.name)));
  // An opt-in step that is off is still looked at (it may have been on once), but not being able to
  // look (e.g. no Glue permissions in an account that never used Athena) must not stop cleanup.
  const optional = (s: Step) =>
    stepCandidates(ctx, s).catch((err: unknown) => {
      ctx.out.warn(`could not check for ${s.name} resources (the step is off): ${toBmError(err).message}`);
      return [];
    });
  const perStep = await Promise.all(steps.map((s) => (isEnabled(s, ctx.settings) ? stepCandidates(ctx, s) : optional(s))));
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
export async function removeCandidates(ctx: Ctx, candidates: Candidate[]): Promise<Outcome[]> {
  const outcomes = new Map<Candidate, Outcome>();
  const failedSteps = new Set<StepName>();
  const stepOf = new Map(STEPS.map((s) => [s.name, s]));
  const keptFor = (c: Candidate): StepName | undefined => [...failedSteps].find((f) => stepOf.get(f)?.needs(ctx.settings).includes(c.step));
  const base = (c: Candidate) => ({ resource: c.def.resource, name: c.def.name, changes: [] });
  const byStep = new Map<StepName, Candidate[]>();
  for (const c of candidates) byStep.set(c.step, [...(byStep.get(c.step) ?? []), c]);

  for (const [stepName, group] of byStep) {
    const todo: Candidate[] = [];
    for (const c of group) {
      const kept = keptFor(c);
      if (!deletable(c, ctx.force)) outcomes.set(c, { ...base(c), action: 'skipped', note: leftAlone(c) });
      else if (ctx.dryRun) outcomes.set(c, { ...base(c), action: 'would-delete' });
      else if (kept) outcomes.set(c, { ...base(c), action: 'skipped', note: `kept: ${kept} could not be deleted and still needs it` });
      else todo.push(c);
    }
    const results = await deleteGroup(ctx, stepOf.get(stepName)!, todo);
    todo.forEach((c, i) => outcomes.set(c, results[i]!.error ? { ...base(c), action: 'failed', note: results[i]!.error } : { ...base(c), action: 'deleted' }));
    if (results.some((r) => r.error)) failedSteps.add(stepName);
  }
  return candidates.map((c) => outcomes.get(c)!);
}

async function deleteGroup(ctx: Ctx, step: Step, group: Candidate[]): Promise<{ error?: string }[]> {
  const attempt = async (run: () => Promise<unknown>): Promise<{ error?: string }> => {
    try {
      await absentIfNotFound(run());
      return {};
    } catch (err) {
      return { error: toBmError(err).message };
    }
  };
  if (step.removeBatch && group.length > 1) {
    const r = await attempt(() => step.removeBatch!(ctx, group.map((c) => c.def)));
    return group.map(() => r);
  }
  const results: { error?: string }[] = [];
  for (const c of group) results.push(await attempt(() => c.def.remove!()));
  return results;
}

export interface CleanupData {
  region: string;
  outcomes: Outcome[];
  warnings: string[];
}

async function confirm(ctx: Ctx, toDelete: Candidate[]): Promise<void> {
  if (!toDelete.length || ctx.dryRun || ctx.yes) return;
  if (!ctx.interactive) {
    throw usageError(`cleanup would delete ${toDelete.length} resources and there is no terminal to confirm on: pass --yes to delete, or --dry-run to list them.`);
  }
  const list = ctx.out.toStderr();
  list.print(`cleanup will delete in ${ctx.settings.region}:`);
  for (const c of toDelete) list.print(`  ${c.def.resource.padEnd(16)} ${c.def.name}`);
  if (!(await askConfirm(ctx.out.io, `Delete these ${toDelete.length} resources?`, false))) throw usageError('Aborted: nothing was deleted.');
}

export async function runCleanup(ctx: Ctx, opts: CleanupOptions): Promise<{ data: CleanupData; ok: boolean }> {
  const candidates = await findCandidates(ctx, opts);
  await confirm(ctx, candidates.filter((c) => deletable(c, ctx.force)));
  const outcomes = await removeCandidates(ctx, candidates);
  const warnings = outcomes.filter((o) => o.action === 'skipped').map((o) => `${o.resource} ${o.name}: ${o.note ?? ''}`);
  for (const w of warnings) ctx.out.warn(w);
  return { data: { region: ctx.settings.region, outcomes, warnings }, ok: !outcomes.some((o) => o.action === 'failed') };
}

export function renderCleanup(out: Output, data: CleanupData, keepLogs: boolean): void {
  if (data.outcomes.length === 0) {
    out.print(`Nothing to remove: no bedrock-monitor resources in ${data.region}.`);
    return;
  }
  renderOutcomes(out, data.outcomes);
  const failed = data.outcomes.filter((o) => o.action === 'failed');
  if (failed.length) out.print(`\n${failed.length} deletion${failed.length === 1 ? '' : 's'} failed; fix the cause and run cleanup again: what was deleted stays deleted.`);
  if (keepLogs) out.print('\n--keep-logs: the S3 bucket and the log group (the logged data) were kept.');
}
