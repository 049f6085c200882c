import type { Ctx } from './context.js';
import type { Outcome } from './ensure.js';
import { toBmError } from './errors.js';
import { ensureAlarmSet, ensureDashboard, ensureTopic } from './monitoring.js';
import { createBucket, createLogGroup, enableLogging, setupIam } from './steps.js';

/**
 * setup-all: the single steps (never copies of them), run as a dependency graph. Independent steps
 * run in parallel; a failed step skips the steps that need it while the others finish, and a
 * re-run resumes because every step converges (completed work reads as unchanged).
 */

export type StepName = 'setup-iam' | 'create-bucket' | 'create-log-group' | 'topic' | 'enable-logging' | 'dashboard' | 'alarms';

interface Step {
  name: StepName;
  deps: StepName[];
  run(ctx: Ctx): Promise<Outcome[]>;
}

function steps(ctx: Ctx): Step[] {
  const { destinations, largeDataS3KeyPrefix } = ctx.settings.logging;
  const loggingDeps: StepName[] = [];
  if (destinations.includes('cloudwatch')) loggingDeps.push('setup-iam', 'create-log-group');
  if (destinations.includes('s3') || largeDataS3KeyPrefix !== undefined) loggingDeps.push('create-bucket');
  return [
    { name: 'setup-iam', deps: [], run: setupIam },
    { name: 'create-bucket', deps: [], run: createBucket },
    { name: 'create-log-group', deps: [], run: createLogGroup },
    { name: 'topic', deps: [], run: ensureTopic },
    // The prerequisites are the steps it depends on, so their own check is not repeated.
    { name: 'enable-logging', deps: loggingDeps, run: (c) => enableLogging(c, { checkPrerequisites: false }) },
    { name: 'dashboard', deps: ['enable-logging'], run: ensureDashboard },
    { name: 'alarms', deps: ['topic', 'enable-logging'], run: (c) => ensureAlarmSet(c, { prune: false }) },
  ];
}

export interface StepResult {
  step: StepName;
  status: 'ok' | 'failed' | 'skipped';
  outcomes: Outcome[];
  error?: string;
  /** For a skipped step: the failed step it needed. */
  blockedBy?: StepName[];
}

export interface SetupEvents {
  onStart?(step: StepName): void;
  onDone?(result: StepResult): void;
}

export async function setupAll(ctx: Ctx, events: SetupEvents = {}): Promise<StepResult[]> {
  const all = steps(ctx);
  const results = new Map<StepName, Promise<StepResult>>();
  const runStep = (step: Step): Promise<StepResult> => {
    const existing = results.get(step.name);
    if (existing) return existing;
    const p = (async (): Promise<StepResult> => {
      const deps = await Promise.all(step.deps.map((d) => runStep(all.find((s) => s.name === d)!)));
      const blocked = deps.filter((d) => d.status !== 'ok').map((d) => d.step);
      let result: StepResult;
      if (blocked.length) {
        result = { step: step.name, status: 'skipped', outcomes: [], blockedBy: blocked };
      } else {
        events.onStart?.(step.name);
        try {
          result = { step: step.name, status: 'ok', outcomes: await step.run(ctx) };
        } catch (err) {
          result = { step: step.name, status: 'failed', outcomes: [], error: toBmError(err).message };
        }
      }
      events.onDone?.(result);
      return result;
    })();
    results.set(step.name, p);
    return p;
  };
  // The account ID is needed by almost every step: ask STS once, before they fan out.
  await ctx.account();
  return Promise.all(all.map(runStep));
}
