import type { RegionView, Settings } from '../config/settings.js';
import type { Ctx, RegionCtx } from '../context/context.js';
import { ensure, inspect, settleAll, type Outcome, type ResourceDef, type StatusRow } from '../aws/ensure.js';
import { alarmResources, deleteAlarms, strayAlarmResources, unwantedAlarms } from '../resources/alarms.js';
import {
  anomalyAlarmResource,
  anomalySpecs,
  deleteAnomalyAlarms,
  strayAnomalyAlarms,
} from '../resources/anomaly-alarms.js';
import { budgetResource } from '../resources/budget.js';
import { bucketResource } from '../resources/bucket.js';
import { dashboardResource } from '../resources/dashboard.js';
import { bucketKeyArn, keyPolicyOutcomes, keyPolicyRows } from '../resources/kms.js';
import { athenaTableResources } from '../resources/athena-table.js';
import { insightRuleResources, strayInsightRules } from '../resources/insight-rules.js';
import { logGroupResource } from '../resources/log-group.js';
import { glueColumns } from '../logs/schema.js';
import { checkPrerequisites, loggingResource } from '../resources/logging.js';
import { roleResource } from '../resources/role.js';
import { subscriptionResource, topicArn, topicResource, topicSubscriptions } from '../resources/topic.js';
import {
  auditLogsOn,
  auditOn,
  auditTrailNeeds,
  convergeTrail,
  securityNeeds,
  securityResources,
  securityStrays,
} from './audit-steps.js';
import { trailResource } from '../resources/trail.js';
import { trailLogGroupResource, trailLogsRoleResource } from '../resources/trail-logs.js';
import { curDeliveryRows } from '../resources/cur-export.js';
import { convergeCurExport, curExportResources } from './cur-steps.js';

/**
 * The step registry: every step says which steps it needs and which resources it converges. The
 * single-step commands, setup-all's graph and status all read it, so a new subsystem is one entry.
 */

export type StepName =
  | 'setup-iam'
  | 'create-bucket'
  | 'create-log-group'
  | 'enable-logging'
  | 'dashboard'
  | 'topic'
  | 'alarms'
  | 'audit-iam'
  | 'audit-log-group'
  | 'audit-trail'
  | 'security-view'
  | 'budget'
  | 'anomaly-alarms'
  | 'athena-table'
  | 'cur-export';

export interface StepOptions {
  /** Run on its own (not inside setup-all): check prerequisites and name the step that makes each. */
  standalone?: boolean;
  /** alarms: delete this tool's alarms that are no longer configured. */
  prune?: boolean;
}

/**
 * Where a step's resources live: in every Region ('region'), or once per account ('account': the budget,
 * the multi-Region trail and what serves it, the CUR export), converged in the home Region only so that two
 * Regions of one account never repoint or fight over them.
 */
export type StepScope = 'account' | 'region';

/**
 * The settings a step's functions receive, by its scope: a Region-level step sees the Region's and the run's
 * settings (RegionView: reading an account-level key is a type error) and `ctx.accountFacts`; an account-level
 * step sees every setting, the Region-level ones being its home Region's (the budget notifies that Region's topic,
 * the trail and the CUR export write to that Region's bucket).
 */
export type ScopedSettings<K extends StepScope> = K extends 'region' ? RegionView : Settings;
export type ScopedCtx<K extends StepScope> = K extends 'region' ? RegionCtx : Ctx;

export interface StepOf<K extends StepScope> {
  name: StepName;
  /** Decides what its functions receive (ScopedCtx) and where it is converged (inScope). */
  scope: K;
  /**
   * An account-level step converged in every Region after all with these settings (a one-Region trail is each
   * Region's own). Absent: home Region only.
   */
  everyRegion?(settings: ScopedSettings<K>): boolean;
  /** Opt-in steps: whether these settings want it (absent: always). */
  enabled?(settings: ScopedSettings<K>): boolean;
  /** The command that runs this step on its own, when it is not the step's name. */
  command?: string;
  /** The steps whose resources this one needs, with these settings. */
  needs(settings: ScopedSettings<K>): StepName[];
  /** Its resources, in the order status lists them. */
  resources(ctx: ScopedCtx<K>): Promise<ResourceDef<unknown>[]>;
  /** Converges them; by default, ensure() on each in order. */
  converge?(ctx: ScopedCtx<K>, opts: StepOptions): Promise<Outcome[]>;
  /**
   * Status rows beyond its resources (alarms no longer wanted), each naming the command that repairs it if not the
   * step's own.
   */
  extraStatus?(ctx: ScopedCtx<K>): Promise<(StatusRow & { repair?: string })[]>;
  /** Resources it once made that the settings no longer ask for (cleanup deletes the tool's own). */
  strays?(ctx: ScopedCtx<K>): Promise<ResourceDef<unknown>[]>;
  /** Deletes several of its resources in fewer calls than one each (cleanup). */
  removeBatch?(ctx: ScopedCtx<K>, defs: ResourceDef<unknown>[]): Promise<void>;
  /** Reads that must succeed before setup-all writes anything (an invalid setting exits 2 first). */
  preflight?(ctx: ScopedCtx<K>): Promise<void>;
}

export type Step = StepOf<'region'> | StepOf<'account'>;

/** A Region-level step (its functions see RegionView) and an account-level one (every setting): typed by scope. */
const regionStep = (step: Omit<StepOf<'region'>, 'scope'>): StepOf<'region'> => ({ scope: 'region', ...step });
const accountStep = (step: Omit<StepOf<'account'>, 'scope'>): StepOf<'account'> => ({ scope: 'account', ...step });

function loggingNeeds(s: RegionView): StepName[] {
  const needs: StepName[] = [];
  if (s.logging.destinations.includes('cloudwatch')) needs.push('setup-iam', 'create-log-group');
  if (s.logging.destinations.includes('s3') || s.logging.largeDataS3KeyPrefix !== undefined)
    needs.push('create-bucket');
  return needs;
}

/** Metric alarms first: a composite alarm can name only alarms that exist. Outcomes in listing order. */
async function convergeAlarms(ctx: RegionCtx, opts: StepOptions): Promise<Outcome[]> {
  // Strays first: they come from the same listings, which the alarm writes below invalidate.
  const unwanted = await unwantedAlarms(ctx);
  const defs = await alarmResources(ctx);
  const isComposite = (d: ResourceDef<unknown>): boolean => d.resource === 'composite-alarm';
  const done = new Map<ResourceDef<unknown>, Outcome>();
  for (const group of [defs.filter((d) => !isComposite(d)), defs.filter(isComposite)]) {
    const outcomes = await settleAll(group.map((d) => ensure(d, ctx)));
    group.forEach((d, i) => done.set(d, outcomes[i]!));
  }
  const alarms = defs.map((d) => done.get(d)!);
  const prune = opts.prune === true;
  if (prune && !ctx.dryRun && unwanted.length)
    await deleteAlarms(
      ctx,
      unwanted.map((a) => a.name),
    );
  const pruned: Outcome[] = unwanted.map((a) => ({
    resource: a.resource,
    name: a.name,
    action: prune ? (ctx.dryRun ? 'would-delete' : 'deleted') : 'skipped',
    changes: [],
    ...(prune ? {} : { note: 'no longer wanted; run `bedrock-monitor alarms --prune` to delete it' }),
  }));
  return [...alarms, ...pruned];
}

/** Alarms that are no longer wanted show as drift until `alarms --prune` removes them. */
async function unwantedAlarmRows(ctx: RegionCtx): Promise<(StatusRow & { repair: string })[]> {
  return (await unwantedAlarms(ctx)).map((a) => ({
    resource: a.resource,
    name: a.name,
    status: 'drifted',
    changes: [{ field: 'wanted', from: true, to: false }],
    repair: 'alarms --prune',
  }));
}

/** Anomaly alarms for every model; when CloudWatch lists none yet, say why nothing was made. */
async function convergeAnomalyAlarms(ctx: RegionCtx): Promise<Outcome[]> {
  const specs = await anomalySpecs(ctx);
  if (ctx.settings.alarms.anomaly.enabled && specs.length === 0) {
    const note =
      'no model has Invocations in CloudWatch yet: set alarms.anomaly.models, or run setup-all again after ' +
      'the first invocations';
    return [
      {
        resource: 'anomaly-alarm',
        name: `${ctx.settings.alarms.anomaly.prefix}*`,
        action: 'skipped',
        changes: [],
        note,
      },
    ];
  }
  return settleAll(specs.map((s) => ensure(anomalyAlarmResource(ctx, s), ctx)));
}

/**
 * The budget; when it is created or changed with only the default service, a note that models sold
 * through AWS Marketplace (Claude among them) bill under service names of their own.
 */
async function convergeBudget(ctx: Ctx): Promise<Outcome[]> {
  const outcome = await ensure(await budgetResource(ctx), ctx);
  const services = ctx.settings.budget.services;
  if (outcome.action !== 'unchanged' && services.length === 1 && services[0] === 'Amazon Bedrock') {
    outcome.note =
      'counts the "Amazon Bedrock" service only: models sold through AWS Marketplace, such as Claude, bill ' +
      'under their own "… (Amazon Bedrock Edition)" names; add those to budget.services (docs/commands/budget.md)';
  }
  return [outcome];
}

/** The alarm topic and its email subscriptions. */
async function topicResources(ctx: RegionCtx): Promise<ResourceDef<unknown>[]> {
  return [
    await topicResource(ctx),
    ...(await Promise.all(ctx.settings.alarms.emails.map((e) => subscriptionResource(ctx, e)))),
  ];
}

/** A multi-Region trail (and its role, log group and security view) is the account's; a one-Region trail is not. */
const oneRegionTrail = (s: Settings): boolean => !s.audit.multiRegion;

/** In the order status lists their resources. */
export const STEPS: Step[] = [
  regionStep({ name: 'setup-iam', needs: () => [], resources: async (ctx) => [await roleResource(ctx)] }),
  // Account facts it takes (ctx.accountFacts): `trail` (the trail's statements in the bucket policy, and its grant
  // checked in the KMS key policy) and `curExportRegion` (the Data Exports statement, in the home Region's bucket).
  regionStep({
    name: 'create-bucket',
    needs: () => [],
    resources: async (ctx) => [await bucketResource(ctx)],
    // The bucket, then the KMS key policy: read and reported, never written.
    converge: async (ctx) => [await ensure(await bucketResource(ctx), ctx), ...(await keyPolicyOutcomes(ctx))],
    extraStatus: keyPolicyRows,
    preflight: async (ctx) => void (await bucketKeyArn(ctx)),
  }),
  regionStep({ name: 'create-log-group', needs: () => [], resources: async (ctx) => [await logGroupResource(ctx)] }),
  regionStep({
    name: 'enable-logging',
    needs: loggingNeeds,
    resources: async (ctx) => [await loggingResource(ctx)],
    converge: async (ctx, opts) => {
      const def = await loggingResource(ctx);
      // Inside setup-all the prerequisites are the steps it depends on: not checked twice.
      if (opts.standalone) await checkPrerequisites(ctx);
      return [await ensure(def, ctx)];
    },
  }),
  // The dashboard and the alarms read metrics, which Bedrock publishes with or without logging: a
  // failed logging step must not leave the account without them.
  regionStep({
    name: 'dashboard',
    needs: () => [],
    // And the Contributor Insights rules its widgets show, when logs go to CloudWatch Logs.
    resources: async (ctx) => [await dashboardResource(ctx), ...(await insightRuleResources(ctx))],
    strays: strayInsightRules,
  }),
  // Account fact it takes: `budgetRegion` (the home Region's topic policy lets AWS Budgets publish while a budget is
  // wanted).
  regionStep({
    name: 'topic',
    command: 'alarms',
    needs: () => [],
    resources: topicResources,
    // The topic first: subscriptions need it.
    converge: async (ctx) => {
      const [topic, ...subs] = await topicResources(ctx);
      return [await ensure(topic!, ctx), ...(await settleAll(subs.map((s) => ensure(s, ctx))))];
    },
  }),
  regionStep({
    name: 'alarms',
    needs: () => ['topic'],
    resources: (ctx) => alarmResources(ctx),
    converge: convergeAlarms,
    extraStatus: unwantedAlarmRows,
    strays: strayAlarmResources,
    removeBatch: (ctx, defs) =>
      deleteAlarms(
        ctx,
        defs.map((d) => d.name),
      ),
  }),
  // Opt-in (`audit.enabled`): the CloudTrail trail for Bedrock and the security view.
  accountStep({
    name: 'audit-iam',
    everyRegion: oneRegionTrail,
    enabled: auditLogsOn,
    command: 'audit-trail',
    needs: () => [],
    resources: async (ctx) => [await trailLogsRoleResource(ctx)],
  }),
  accountStep({
    name: 'audit-log-group',
    everyRegion: oneRegionTrail,
    enabled: auditLogsOn,
    command: 'audit-trail',
    needs: () => [],
    resources: async (ctx) => [await trailLogGroupResource(ctx)],
  }),
  accountStep({
    name: 'audit-trail',
    everyRegion: oneRegionTrail,
    enabled: auditOn,
    needs: auditTrailNeeds,
    resources: async (ctx) => [await trailResource(ctx)],
    converge: convergeTrail,
  }),
  accountStep({
    name: 'security-view',
    everyRegion: oneRegionTrail,
    enabled: auditOn,
    command: 'audit-trail',
    needs: securityNeeds,
    resources: securityResources,
    strays: securityStrays,
  }),
  regionStep({
    name: 'anomaly-alarms',
    enabled: (s) => s.alarms.anomaly.enabled,
    // No command of its own: setup-all runs it (alarms.anomaly.enabled in the config).
    command: 'setup-all',
    needs: () => ['topic'],
    resources: async (ctx) => (await anomalySpecs(ctx)).map((s) => anomalyAlarmResource(ctx, s)),
    converge: convergeAnomalyAlarms,
    strays: strayAnomalyAlarms,
    removeBatch: (ctx, defs) =>
      deleteAnomalyAlarms(
        ctx,
        defs.map((d) => d.name),
      ),
  }),
  accountStep({
    name: 'budget',
    // AWS Budgets is per account: one budget, notifying the home Region's topic.
    enabled: (s) => s.budget.monthlyUsd !== undefined,
    // Its notifications go to the topic, whose policy lets Budgets publish.
    needs: () => ['topic'],
    resources: async (ctx) => [await budgetResource(ctx)],
    converge: convergeBudget,
  }),
  regionStep({
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
  }),
  // Opt-in (`bill.enabled`): the CUR 2.0 Data Export for `bill`, the account's (Data Exports answers in us-east-1).
  accountStep({
    name: 'cur-export',
    enabled: (s) => s.bill.enabled,
    // Its destination is the bucket, whose policy carries the Data Exports statement.
    needs: () => ['create-bucket'],
    resources: curExportResources,
    converge: convergeCurExport,
    extraStatus: curDeliveryRows,
  }),
];

export const isEnabled = (step: Step, settings: Settings): boolean => step.enabled?.(settings) ?? true;

/** Whether this Region converges the step: Region steps everywhere, account steps in the home Region only. */
export const inScope = (step: Step, settings: Settings): boolean =>
  step.scope === 'region' || settings.region === settings.homeRegion || (step.everyRegion?.(settings) ?? false);

/** The steps these settings want here, in registry order. */
export const activeSteps = (settings: Settings): Step[] =>
  STEPS.filter((s) => isEnabled(s, settings) && inScope(s, settings));

export const STEP_BY_NAME = Object.fromEntries(STEPS.map((s) => [s.name, s])) as Record<StepName, Step>;

/** Runs one step: its own converge, or ensure() on each of its resources in order. */
export async function runStep(ctx: Ctx, name: StepName, opts: StepOptions = {}): Promise<Outcome[]> {
  const step = STEP_BY_NAME[name];
  if (!inScope(step, ctx.settings)) return [outOfScope(step, ctx.settings)];
  if (step.converge) return step.converge(ctx, opts);
  const outcomes: Outcome[] = [];
  for (const def of await step.resources(ctx)) outcomes.push(await ensure(def, ctx));
  return outcomes;
}

/** An account-level step in a Region other than the home Region: nothing to do here. */
function outOfScope(step: Step, settings: Settings): Outcome {
  const note = `account-level: converged once per account, in ${settings.homeRegion}`;
  return { resource: step.name, name: '-', action: 'skipped', changes: [], note };
}

/** A status row, with the command that repairs it (null when there is nothing to repair). */
export type StatusLine = StatusRow & {
  /** The step that owns the resource. */
  step: StepName;
  /** What to run to repair it, e.g. `bedrock-monitor create-log-group` (with --force for one the tool does not own). */
  repair: string | null;
  /** Email subscriptions: whether the recipient has confirmed it. */
  subscription?: 'pending' | 'confirmed';
};

/** The command that runs a step on its own: its `command`, else its name (a registered command either way). */
export const commandOf = (step: Step): string => step.command ?? step.name;

/** The repair command, with the target flags the person gave (same account, Region and endpoint). */
function repairOf(ctx: Ctx, step: Step, row: StatusRow, own: string | undefined): string | null {
  if (row.status === 'ok' || row.manual) return null;
  return `bedrock-monitor ${own ?? `${commandOf(step)}${row.note ? ' --force' : ''}`}${ctx.targetFlags}`;
}

/** Reads every managed resource (no writes) and says, per resource, ok, drifted or missing, and what repairs it. */
export async function collectStatus(
  ctx: Ctx,
  onStep: (name: StepName, done: number, total: number) => void = () => undefined,
): Promise<StatusLine[]> {
  const steps = activeSteps(ctx.settings);
  let done = 0;
  const perStep = await Promise.all(
    steps.map(async (step) => {
      const rows: (StatusRow & { repair?: string })[] = await Promise.all(
        (await step.resources(ctx)).map((d) => inspect(d)),
      );
      rows.push(...((await step.extraStatus?.(ctx)) ?? []));
      const lines = await Promise.all(
        rows.map(async ({ repair, ...row }) => ({
          ...row,
          step: step.name,
          repair: repairOf(ctx, step, row, repair),
          ...(await subscriptionOf(ctx, row)),
        })),
      );
      onStep(step.name, (done += 1), steps.length);
      return lines;
    }),
  );
  return perStep.flat();
}

/** For an email subscription that exists: pending until the recipient follows the link in AWS's email. */
async function subscriptionOf(ctx: Ctx, row: StatusRow): Promise<{ subscription?: 'pending' | 'confirmed' }> {
  if (row.resource !== 'sns-subscription' || row.status === 'missing') return {};
  const state = (await subscriptionStates(ctx)).find((s) => s.email === row.name)?.state;
  return state === 'pending' || state === 'confirmed' ? { subscription: state } : {};
}

export interface SubscriptionState {
  email: string;
  state: 'pending' | 'confirmed' | 'missing';
}

/** Each configured address and its subscription on the topic (a cached read: no request after a step's own). */
export async function subscriptionStates(ctx: Ctx): Promise<SubscriptionState[]> {
  const subs = await topicSubscriptions(ctx, await topicArn(ctx));
  return ctx.settings.alarms.emails.map((email) => {
    const found = subs.find((s) => s.Protocol === 'email' && s.Endpoint?.toLowerCase() === email.toLowerCase());
    return {
      email,
      state: !found ? 'missing' : found.SubscriptionArn === 'PendingConfirmation' ? 'pending' : 'confirmed',
    };
  });
}
