import type { Ctx } from './context.js';
import { ensure, inspect, type Outcome, type ResourceDef, type StatusRow } from './ensure.js';
import { alarmResource, alarmSpecs, deleteAlarms, unwantedAlarms } from './resources/alarms.js';
import { dashboardResource } from './resources/dashboard.js';
import { subscriptionResource, topicResource } from './resources/topic.js';

/** Dashboard, topic, subscriptions and alarms, in the order `status` lists them. */
export async function monitoringResources(ctx: Ctx): Promise<ResourceDef<unknown>[]> {
  const defs = [
    dashboardResource(ctx),
    await topicResource(ctx),
    ...(await Promise.all(ctx.settings.alarms.emails.map((e) => subscriptionResource(ctx, e)))),
    ...(await Promise.all(alarmSpecs(ctx.settings).map((s) => alarmResource(ctx, s)))),
  ];
  return defs;
}

/** Alarms that are no longer wanted show as drift until `alarms --prune` removes them. */
export async function unwantedAlarmRows(ctx: Ctx): Promise<StatusRow[]> {
  return (await unwantedAlarms(ctx)).map((a) => ({
    resource: 'alarm',
    name: a.AlarmName ?? '',
    status: 'drifted',
    changes: [{ field: 'wanted', from: true, to: false }],
  }));
}

export async function ensureDashboard(ctx: Ctx): Promise<Outcome[]> {
  return [await ensure(dashboardResource(ctx), ctx)];
}

/** The SNS topic and one email subscription per configured address. */
export async function ensureTopic(ctx: Ctx): Promise<Outcome[]> {
  const topic = await ensure(await topicResource(ctx), ctx);
  const subs = await Promise.all(ctx.settings.alarms.emails.map(async (e) => ensure(await subscriptionResource(ctx, e), ctx)));
  return [topic, ...subs];
}

/** The alarms themselves (the topic must exist); unwanted ones reported, or deleted with prune. */
export async function ensureAlarmSet(ctx: Ctx, opts: { prune: boolean }): Promise<Outcome[]> {
  const alarms = await Promise.all(alarmSpecs(ctx.settings).map(async (s) => ensure(await alarmResource(ctx, s), ctx)));
  const names = (await unwantedAlarms(ctx)).map((a) => a.AlarmName ?? '');
  if (opts.prune && !ctx.dryRun && names.length) await deleteAlarms(ctx, names);
  const pruned: Outcome[] = names.map((name) => ({
    resource: 'alarm',
    name,
    action: opts.prune ? (ctx.dryRun ? 'would-delete' : 'deleted') : 'skipped',
    changes: [],
    ...(opts.prune ? {} : { note: 'no longer wanted; run `bedrock-monitor alarms --prune` to delete it' }),
  }));
  return [...alarms, ...pruned];
}

export async function ensureAlarms(ctx: Ctx, opts: { prune: boolean }): Promise<Outcome[]> {
  return [...(await ensureTopic(ctx)), ...(await ensureAlarmSet(ctx, opts))];
}

export async function monitoringStatus(ctx: Ctx): Promise<StatusRow[]> {
  const defs = await monitoringResources(ctx);
  const rows = await Promise.all(defs.map((d) => inspect(d)));
  return [...rows, ...(await unwantedAlarmRows(ctx))];
}
