import { Writable } from 'node:stream';
import { toBmError } from '../aws/errors.js';
import { explainRegionFailure } from './region-enabled.js';
import { mapLimit } from '../core/concurrency.js';
import { BmError, ExitCode } from '../core/errors.js';
import { bedrockRegionsOf, homeRegionOf, targetLabel, type Target, type TargetSelection } from '../core/targets.js';
import { Output } from '../io/output.js';
import type { Ctx } from './context.js';
import { load } from '../sdk/load.js';

/** The targets of a fleet run, and what decided them. */
export interface FleetPlan {
  /** The caller's own account (used directly, no role assumed). */
  caller: string;
  /** Where account-level steps run. */
  home: string;
  targets: Target[];
  /** Regions `--regions all` left out, and why. */
  skippedRegions: { region: string; reason: string }[];
}

/** Every ACTIVE account of the organization (from the management account or a delegated administrator). */
export async function organizationAccounts(ctx: Ctx): Promise<string[]> {
  const { OrganizationsClient, paginateListAccounts } = load('@aws-sdk/client-organizations');
  const accounts: string[] = [];
  try {
    for await (const page of paginateListAccounts({ client: ctx.aws.get(OrganizationsClient) }, {}))
      for (const a of page.Accounts ?? []) if (a.Id && (a.State ?? a.Status) === 'ACTIVE') accounts.push(a.Id);
  } catch (err) {
    const name = (err as { name?: string }).name ?? '';
    const hint =
      name === 'AWSOrganizationsNotInUseException'
        ? 'This account is not in an organization: list the accounts with --accounts ID,ID instead of "org".'
        : '--accounts org reads AWS Organizations ListAccounts: run it from the management account or a ' +
          'delegated administrator account (docs/fleet.md, "Permissions"), or list the accounts by ID.';
    throw new BmError(`--accounts org: cannot list the organization's accounts: ${(err as Error).message}`, {
      hint,
      code: 'E_AWS_ORGANIZATIONS',
      cause: err,
    });
  }
  return accounts.sort();
}

/**
 * `--regions all`: the Regions where Bedrock is offered (core/targets.ts, from the Bedrock user guide) that
 * the caller's account has enabled (EC2 DescribeRegions answers with enabled Regions only), in the
 * partition the tool runs in. An opt-in Region enabled in the caller's account but not in a member account
 * is that target's failed row, with the fix.
 */
export async function enabledBedrockRegions(
  ctx: Ctx,
): Promise<{ regions: string[]; skipped: FleetPlan['skippedRegions'] }> {
  const { EC2Client, DescribeRegionsCommand } = load('@aws-sdk/client-ec2');
  const r = await ctx.aws.get(EC2Client).send(new DescribeRegionsCommand({}));
  const enabled = new Set((r.Regions ?? []).map((x) => x.RegionName).filter((x): x is string => !!x));
  const offered = bedrockRegionsOf(ctx.settings.region);
  return {
    regions: offered.filter((x) => enabled.has(x)),
    skipped: offered
      .filter((x) => !enabled.has(x))
      .map((region) => ({ region, reason: 'not enabled for the account (an opt-in Region)' })),
  };
}

/** Resolves `targets.*` (flags or config) into accounts × Regions. Reads STS, and Organizations/EC2 when asked. */
export async function planFleet(ctx: Ctx): Promise<FleetPlan> {
  const t = ctx.settings.targets;
  const caller = await ctx.account();
  const accounts = t.accounts === 'org' ? await organizationAccounts(ctx) : (t.accounts ?? [caller]);
  let regions: string[];
  let skippedRegions: FleetPlan['skippedRegions'] = [];
  if (t.regions === 'all') ({ regions, skipped: skippedRegions } = await enabledBedrockRegions(ctx));
  else regions = t.regions ?? [ctx.settings.region];
  if (!accounts.length) throw new BmError('--accounts org: the organization lists no ACTIVE account');
  if (!regions.length) throw new BmError('--regions all: no enabled Region of this account offers Bedrock');
  const home = homeRegionOf(t.homeRegion, ctx.settings.region);
  const targets = accounts.flatMap((account) => regions.map((region) => ({ account, region })));
  return { caller, home, targets, skippedRegions };
}

/** The account's alias (IAM ListAccountAliases), where the target's credentials may read it. */
export async function accountAlias(ctx: Ctx): Promise<string | undefined> {
  try {
    const { IAMClient, ListAccountAliasesCommand } = load('@aws-sdk/client-iam');
    const r = await ctx.aws.get(IAMClient).send(new ListAccountAliasesCommand({}));
    return r.AccountAliases?.[0];
  } catch {
    return undefined;
  }
}

/** One target's part of a run that reads many targets itself (report, audit): its value, or why not. */
export interface TargetRun<T> {
  target: Target;
  value?: T;
  error?: BmError;
}

const silent = (): Writable => new Writable({ write: (_chunk, _enc, done) => done() });

/**
 * Runs `fn` in each target's own context (its credentials, its Region), at most `targets.concurrency` at once. A
 * target that fails (a role that cannot be assumed, a refused read) is its own error; the others go on. An interrupt
 * stops them all.
 */
export async function eachTarget<T>(
  base: Ctx,
  plan: FleetPlan,
  fn: (ctx: Ctx, t: Target) => Promise<T>,
): Promise<TargetRun<T>[]> {
  const out = new Output({ ...base.io, stdout: silent(), stderr: silent() }, { ...base.out.opts, verbose: false });
  return mapLimit(plan.targets, base.settings.targets.concurrency, async (target): Promise<TargetRun<T>> => {
    let ctx: Ctx | undefined;
    try {
      ctx = await base.forTarget(target, { home: plan.home, caller: plan.caller, out });
      const value = await fn(ctx, target);
      for (const w of ctx.events.warnings) base.events.warn(`${targetLabel(target)}: ${w}`);
      return { target, value };
    } catch (err) {
      const e = toBmError(
        ctx
          ? await explainRegionFailure(ctx.aws, target.region, err, {
              account: target.account,
              member: target.account !== plan.caller,
            })
          : err,
      );
      if (e.exitCode === ExitCode.interrupted) throw e;
      return { target, error: e };
    }
  });
}

/** The plan for a selection given to the command itself (report, audit), over the settings' other target keys. */
export function planFor(ctx: Ctx, sel: TargetSelection): Promise<FleetPlan> {
  const targets = { ...ctx.settings.targets, regions: sel.regions, accounts: sel.accounts };
  return planFleet({ ...ctx, settings: { ...ctx.settings, targets } });
}
