import {
  CloudWatchClient,
  DeleteInsightRulesCommand,
  DescribeInsightRulesCommand,
  ListTagsForResourceCommand,
  PutInsightRuleCommand,
  TagResourceCommand,
} from '../sdk/client-cloudwatch.js';
import type { InsightRule } from '@aws-sdk/client-cloudwatch';
import type { RegionView } from '../config/settings.js';
import type { RegionCtx } from '../context/context.js';
import type { ResourceDef } from '../aws/ensure.js';
import { absentIfNotFound } from '../aws/errors.js';
import { partitionOf } from '../aws/names.js';
import { hasManagedTag, MANAGED_TAG_RULE, MANAGED_TAGS } from '../aws/ownership.js';

/**
 * Live attribution on the dashboard: CloudWatch Contributor Insights rules over the invocation log
 * group (top principals and top models, by input and by output tokens), when invocation logs go to
 * CloudWatch Logs. Each rule costs $0.50 a month plus $0.02 per million matched log events
 * (https://aws.amazon.com/cloudwatch/pricing/); `"contributorInsights": false` turns them off.
 *
 * Ownership: tagged ManagedBy=bedrock-monitor, read when ownership matters (on drift and in
 * cleanup). PutInsightRule sets tags only when it creates a rule (AWS ignores them on an update;
 * TagResource claims an adopted one under --force); moto stores the creation tags and lists them
 * (its TagResource refuses rules), so the same rule works on both.
 */

export interface RuleSpec {
  name: string;
  title: string;
  key: string;
  valueOf: string;
}

export function ruleSpecs(): RuleSpec[] {
  const by = (who: string, key: string, dir: 'Input' | 'Output', field: string): RuleSpec => ({
    name: `Bedrock-Top${who}By${dir}Tokens`,
    title: `Top ${who.toLowerCase()} by ${dir.toLowerCase()} tokens (Contributor Insights)`,
    key,
    valueOf: field,
  });
  return [
    by('Principals', '$.identity.arn', 'Input', '$.input.inputTokenCount'),
    by('Principals', '$.identity.arn', 'Output', '$.output.outputTokenCount'),
    by('Models', '$.modelId', 'Input', '$.input.inputTokenCount'),
    by('Models', '$.modelId', 'Output', '$.output.outputTokenCount'),
  ];
}

export function wantsInsightRules(s: RegionView): boolean {
  return s.contributorInsights && s.logging.destinations.includes('cloudwatch');
}

/**
 * The rule body, in the syntax of
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html
 */
export function ruleDefinition(spec: RuleSpec, logGroupName: string): Record<string, unknown> {
  return {
    Schema: { Name: 'CloudWatchLogRule', Version: 1 },
    LogGroupNames: [logGroupName],
    LogFormat: 'JSON',
    Contribution: {
      Keys: [spec.key],
      ValueOf: spec.valueOf,
      Filters: [{ Match: '$.schemaType', In: ['ModelInvocationLog'] }],
    },
    AggregateOn: 'Sum',
  };
}

/** Dashboard widgets for the rules (metric widgets with an insightRule property). */
export function insightRuleWidgets(region: string, y: number): Record<string, unknown>[] {
  return ruleSpecs().map((spec, i) => ({
    type: 'metric',
    x: (i % 2) * 12,
    y: y + Math.floor(i / 2) * 6,
    width: 12,
    height: 6,
    properties: {
      title: spec.title,
      region,
      view: 'timeSeries',
      period: 300,
      insightRule: { maxContributorCount: 10, orderBy: 'Sum', ruleName: spec.name },
      legend: { position: 'right' },
    },
  }));
}

export interface RuleState {
  definition: unknown;
  state: string;
}

async function allRules(ctx: RegionCtx): Promise<InsightRule[]> {
  return ctx.cache.get('cloudwatch:insight-rules', async () => {
    const cw = ctx.aws.get(CloudWatchClient);
    const rules: InsightRule[] = [];
    let NextToken: string | undefined;
    do {
      const r = await cw.send(new DescribeInsightRulesCommand({ NextToken }));
      rules.push(...(r.InsightRules ?? []));
      NextToken = r.NextToken;
    } while (NextToken);
    return rules;
  });
}

function parsed(definition: string | undefined): unknown {
  try {
    return JSON.parse(definition ?? '');
  } catch {
    return definition ?? null;
  }
}

export async function insightRuleResource(ctx: RegionCtx, spec: RuleSpec): Promise<ResourceDef<RuleState>> {
  const cw = ctx.aws.get(CloudWatchClient);
  const { region, logGroupName } = ctx.settings;
  const arn = `arn:${partitionOf(region)}:cloudwatch:${region}:${await ctx.account()}:insight-rule/${spec.name}`;
  const definition = ruleDefinition(spec, logGroupName);
  const put = async (tags: boolean): Promise<void> => {
    await cw.send(
      new PutInsightRuleCommand({
        RuleName: spec.name,
        RuleState: 'ENABLED',
        RuleDefinition: JSON.stringify(definition),
        ...(tags ? { Tags: MANAGED_TAGS } : {}),
      }),
    );
    ctx.cache.invalidate('cloudwatch:insight-rules');
  };
  const tag = async (): Promise<void> =>
    void (await cw.send(new TagResourceCommand({ ResourceARN: arn, Tags: MANAGED_TAGS })));
  // Tags are read only when ownership matters (drift, cleanup): a converged run reads one rule listing.
  const tagged = async (): Promise<boolean> =>
    hasManagedTag((await absentIfNotFound(cw.send(new ListTagsForResourceCommand({ ResourceARN: arn }))))?.Tags);
  return {
    resource: 'insight-rule',
    name: spec.name,
    desired: { definition, state: 'ENABLED' },
    async read() {
      const rule = (await allRules(ctx)).find((r) => r.Name === spec.name);
      return rule ? { definition: parsed(rule.Definition), state: rule.State ?? 'UNKNOWN' } : undefined;
    },
    attributes: [
      { field: 'definition', get: (s) => s.definition },
      { field: 'state', get: (s) => s.state },
    ],
    create: () => put(true),
    update: () => put(false),
    ownership: { rule: MANAGED_TAG_RULE, owns: tagged, claim: tag },
    async remove() {
      await cw.send(new DeleteInsightRulesCommand({ RuleNames: [spec.name] }));
      ctx.cache.invalidate('cloudwatch:insight-rules');
    },
  };
}

export async function insightRuleResources(ctx: RegionCtx): Promise<ResourceDef<RuleState>[]> {
  return wantsInsightRules(ctx.settings) ? Promise.all(ruleSpecs().map((s) => insightRuleResource(ctx, s))) : [];
}

/** The tool's rules when the settings no longer want them (cleanup deletes them). */
export async function strayInsightRules(ctx: RegionCtx): Promise<ResourceDef<RuleState>[]> {
  if (wantsInsightRules(ctx.settings)) return [];
  const names = new Set((await allRules(ctx)).map((r) => r.Name));
  return Promise.all(
    ruleSpecs()
      .filter((s) => names.has(s.name))
      .map((s) => insightRuleResource(ctx, s)),
  );
}
