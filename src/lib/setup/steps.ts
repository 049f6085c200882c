import type { Settings } from '../config/settings.js';
import type { Ctx } from '../context/context.js';
import { ensure, inspect, type Outcome, type ResourceDef, type StatusRow } from '../aws/ensure.js';
import { alarmResource, alarmSpecs, deleteAlarms, strayAlarmResources, unwantedAlarms } from '../resources/alarms.js';
import { athenaTableResources } from '../resources/athena-table.js';
import { bucketResource } from '../resources/bucket.js';
import { dashboardResource } from '../resources/dashboard.js';
import { insightRuleResources, strayInsightRules } from '../resources/insight-rules.js';
import { logGroupResource } from '../resources/log-group.js';
import { glueColumns } from '../logs/schema.js';
import { checkPrerequisites, loggingResource } from '../resources/logging.js';
import { roleResource } from '../resources/role.js';
import { subscriptionResource, topicResource } from '../resources/topic.js';

/**
 * The step registry: every step says which steps it needs and which resources it converges. The
 * single-step commands, setup-all's graph and status all read it, so a new subsystem is one entry.
 */

export type StepName = 'setup-iam' | 'create-bucket' | 'create-log-group' | 'enable-logging' | 'dashboard' | 'topic' | 'alarms' | 'athena-table';

export interface StepOptions {
  /** Run on its own (not inside setup-all): check prerequisites and name the step that makes each. */
  standalone?: boolean;
  /** alarms: delete this tool's alarms that are no longer configured. */
  prune?: boolean;
}

export interface Step {
  name: StepName;
  /** Opt-in steps: whether setup-all runs it and status checks it (cleanup always looks). Default: always. */
  enabled?(settings: Settings): boolean;
  /** The steps whose resources this one needs, with these settings. */
  needs(settings: Settings): StepName[];
  /** Its resources, in the order status lists them. */
  resources(ctx: Ctx): Promise<ResourceDef<unknown>[]>;
  /** Converges them; by default, ensure() on each in order. */
  converge?(ctx: Ctx, opts: StepOptions): Promise<Outcome[]>;
  /** Status rows beyond its resources (alarms no longer wanted). */
  extraStatus?(ctx: Ctx): Promise<StatusRow[]>;
  /** Resources it once made that the settings no longer ask for (cleanup deletes the tool's own). */
  strays?(ctx: Ctx): Promise<ResourceDef<unknown>[]>;
  /** Deletes several of its resources in fewer calls than one each (cleanup). */
  removeBatch?(ctx: Ctx, defs: ResourceDef<unknown>[]): Promise<void>;
}

function loggingNeeds(s: Settings): StepName[] {
  const needs: StepName[] = [];
  if (s.logging.destinations.includes('cloudwatch')) needs.push('setup-iam', 'create-log-group');
  if (s.logging.destinations.includes('s3') || s.logging.largeDataS3KeyPrefix !== undefined) needs.push('create-bucket');
  return needs;
}

async function convergeAlarms(ctx: Ctx, opts: StepOptions): Promise<Outcome[]> {
  const alarms = await Promise.all(alarmSpecs(ctx.settings).map(async (s) => ensure(await alarmResource(ctx, s), ctx)));
  const names = (await unwantedAlarms(ctx)).map((a) => a.name);
  const prune = opts.prune === true;
  if (prune && !ctx.dryRun && names.length) await deleteAlarms(ctx, names);
  const pruned: Outcome[] = names.map((name) => ({
    resource: 'alarm',
    name,
    action: prune ? (ctx.dryRun ? 'would-delete' : 'deleted') : 'skipped',
    changes: [],
    ...(prune ? {} : { note: 'no longer wanted; run `bedrock-monitor alarms --prune` to delete it' }),
  }));
  return [...alarms, ...pruned];
}

/** Alarms that are no longer wanted show as drift until `alarms --prune` removes them. */
async function unwantedAlarmRows(ctx: Ctx): Promise<StatusRow[]> {
  return (await unwantedAlarms(ctx)).map((a) => ({ resource: 'alarm', name: a.name, status: 'drifted', changes: [{ field: 'wanted', from: true, to: false }] }));
}

/** In the order status lists their resources. */
export const STEPS: Step[] = [
  { name: 'setup-iam', needs: () => [], resources: async (ctx) => [await roleResource(ctx)] },
  { name: 'create-bucket', needs: () => [], resources: async (ctx) => [await bucketResource(ctx)] },
  { name: 'create-log-group', needs: () => [], resources: async (ctx) => [await logGroupResource(ctx)] },
  {
    name: 'enable-logging',
    needs: loggingNeeds,
    resources: async (ctx) => [await loggingResource(ctx)],
    converge: async (ctx, opts) => {
      const def = await loggingResource(ctx);
      // Inside setup-all the prerequisites are the steps it depends on: not checked twice.
      if (opts.standalone) await checkPrerequisites(ctx);
      return [await ensure(def, ctx)];
    },
  },
  {
    name: 'dashboard',
    needs: () => ['enable-logging'],
    // And the Contributor Insights rules its widgets show, when logs go to CloudWatch Logs.
    resources: async (ctx) => [dashboardResource(ctx), ...(await insightRuleResources(ctx))],
    strays: strayInsightRules,
  },
  {
    name: 'topic',
    needs: () => [],
    resources: async (ctx) => [await topicResource(ctx), ...(await Promise.all(ctx.settings.alarms.emails.map((e) => subscriptionResource(ctx, e))))],
    // The topic first: subscriptions need it.
    converge: async (ctx) => {
      const [topic, ...subs] = await STEP_BY_NAME.topic.resources(ctx);
      return [await ensure(topic!, ctx), ...(await Promise.all(subs.map((s) => ensure(s, ctx))))];
    },
  },
  {
    name: 'alarms',
    needs: () => ['topic', 'enable-logging'],
    resources: (ctx) => Promise.all(alarmSpecs(ctx.settings).map((s) => alarmResource(ctx, s))),
    converge: convergeAlarms,
    extraStatus: unwantedAlarmRows,
    strays: strayAlarmResources,
    removeBatch: (ctx, defs) => deleteAlarms(ctx, defs.map((d) => d.name)),
  },
  {
    name: 'athena-table',
    enabled: (s) => s.athena.enabled,
    needs: () => ['create-bucket'],
    resources: (ctx) => athenaTableResources(ctx, glueColumns()),
    // The database before its table (status and cleanup list the table first).
    converge: async (ctx) => {
      const [table, database] = await athenaTableResources(ctx, glueColumns());
      const db = await ensure(database, ctx);
      return [db, await ensure(table, ctx)];
    },
  },
];

export const isEnabled = (step: Step, settings: Settings): boolean => step.enabled?.(settings) ?? true;

export const STEP_BY_NAME = Object.fromEntries(STEPS.map((s) => [s.name, s])) as Record<StepName, Step>;

/** Runs one step: its own converge, or ensure() on each of its resources in order. */
export async function runStep(ctx: Ctx, name: StepName, opts: StepOptions = {}): Promise<Outcome[]> {
  const step = STEP_BY_NAME[name];
  if (step.converge) return step.converge(ctx, opts);
  const outcomes: Outcome[] = [];
  for (const def of await step.resources(ctx)) outcomes.push(await ensure(def, ctx));
  return outcomes;
}

/** Reads every managed resource (no writes) and says, per resource, ok, drifted or missing. */
export async function collectStatus(ctx: Ctx): Promise<StatusRow[]> {
  const perStep = await Promise.all(
    STEPS.filter((step) => isEnabled(step, ctx.settings)).map(async (step) => {
      const rows = await Promise.all((await step.resources(ctx)).map((d) => inspect(d)));
      return [...rows, ...((await step.extraStatus?.(ctx)) ?? [])];
    }),
  );
  return perStep.flat();
}
