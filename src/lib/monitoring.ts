import type { Ctx } from './context.js';
import type { ResourceDef } from './ensure.js';

/** Dashboard, topic, subscriptions and alarms (issue #3). */
export function monitoringResources(_ctx: Ctx): Promise<ResourceDef<unknown>[]> {
  return Promise.resolve([]);
}
