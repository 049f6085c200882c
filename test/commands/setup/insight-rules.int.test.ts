import { describe, expect, test } from '@jest/globals';
import {
  DescribeInsightRulesCommand,
  GetDashboardCommand,
  ListTagsForResourceCommand,
  PutInsightRuleCommand,
} from '@aws-sdk/client-cloudwatch';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACCOUNT, sdk } from '../../support/aws.js';
import { cliFor, useMoto } from '../../support/cli.js';

/**
 * Live attribution on the dashboard: Contributor Insights rules on the invocation log group (top
 * principals and models by tokens) and their widgets, when logs go to CloudWatch Logs; tagged,
 * drift-checked and removed by cleanup. moto stores rules and their creation tags but validates
 * neither rule nor widget syntax: those are checked here against AWS's documented shapes.
 */

const emulator = useMoto();
const REGION = 'us-east-1';
const cli = cliFor(() => emulator().url, REGION);
const RULES = [
  'Bedrock-TopPrincipalsByInputTokens',
  'Bedrock-TopPrincipalsByOutputTokens',
  'Bedrock-TopModelsByInputTokens',
  'Bedrock-TopModelsByOutputTokens',
];
const cw = () => sdk(emulator().url, REGION).cw;

function withConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'bm-rules-'));
  writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify(config));
  return dir;
}

async function rules() {
  return (await cw().send(new DescribeInsightRulesCommand({}))).InsightRules ?? [];
}

describe('Contributor Insights rules on the invocation log group', () => {
  test(
    'created with the dashboard, tagged, in the documented rule syntax; the dashboard shows them; a re-run ' +
      'writes nothing',
    async () => {
      const first = await cli(['dashboard', '--json']);
      expect(first.code).toBe(0);
      expect(
        first
          .json()
          .outcomes.map((o: { resource: string; name: string; action: string }) => [o.resource, o.name, o.action]),
      ).toEqual([
        ['dashboard', 'BedrockUsageMonitoring', 'created'],
        ...RULES.map((n) => ['insight-rule', n, 'created']),
      ]);
      const found = await rules();
      expect(found.map((r) => r.Name).sort()).toEqual([...RULES].sort());
      for (const r of found) {
        expect(r.State).toBe('ENABLED');
        const def = JSON.parse(r.Definition!) as Record<string, unknown>;
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html: the
        // Schema of a
        // CloudWatch Logs rule "must always be {"Name": "CloudWatchLogRule", "Version": 1}", LogFormat JSON, keys and
        // ValueOf as $. paths, Filters with Match/In, AggregateOn Sum or Count; LogGroupNames or LogGroupARNs, not
        // both.
        expect(def).toEqual({
          Schema: { Name: 'CloudWatchLogRule', Version: 1 },
          LogGroupNames: ['/aws/bedrock/modelinvocations'],
          LogFormat: 'JSON',
          Contribution: {
            Keys: [expect.stringMatching(/^\$\.(identity\.arn|modelId)$/)],
            ValueOf: expect.stringMatching(/^\$\.(input\.inputTokenCount|output\.outputTokenCount)$/),
            Filters: [{ Match: '$.schemaType', In: ['ModelInvocationLog'] }],
          },
          AggregateOn: 'Sum',
        });
        expect((def.Contribution as { Keys: string[] }).Keys.length).toBeLessThanOrEqual(4);
        // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutInsightRule.html: Tags are set when
        // the rule is created.
        const tags = await cw().send(
          new ListTagsForResourceCommand({
            ResourceARN: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:insight-rule/${r.Name}`,
          }),
        );
        expect(tags.Tags).toEqual([{ Key: 'ManagedBy', Value: 'bedrock-monitor' }]);
        // RuleName: 1-128 printable ASCII characters.
        expect(r.Name).toMatch(/^[\x20-\x7E]{1,128}$/);
      }
      const body = JSON.parse(
        (await cw().send(new GetDashboardCommand({ DashboardName: 'BedrockUsageMonitoring' }))).DashboardBody!,
      ) as { widgets: { type: string; properties: Record<string, unknown> }[] };
      // https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html: a
      // metric widget
      // whose properties carry insightRule {maxContributorCount, orderBy, ruleName} draws a Contributor Insights rule.
      const shown = body.widgets.filter((w) => w.properties.insightRule);
      expect(shown.map((w) => (w.properties.insightRule as { ruleName: string }).ruleName)).toEqual(RULES);
      for (const w of shown) {
        expect(w.type).toBe('metric');
        expect(w.properties.insightRule).toEqual({
          maxContributorCount: 10,
          orderBy: 'Sum',
          ruleName: expect.any(String),
        });
      }
      const again = await cli(['dashboard', '--json']);
      expect(again.writes).toEqual([]);
      expect((await cli(['status'])).stdout).not.toMatch(/insight-rule\s+\S+\s+(drifted|missing)/);
    },
  );

  test('a changed rule is drift that `dashboard` repairs', async () => {
    await cli(['dashboard']);
    const rule = RULES[0]!;
    await cw().send(
      new PutInsightRuleCommand({
        RuleName: rule,
        RuleState: 'DISABLED',
        RuleDefinition: '{"Schema":{"Name":"CloudWatchLogRule","Version":1}}',
      }),
    );
    const status = await cli(['status', '--json']);
    expect(status.code).toBe(3);
    expect(status.json().rows.find((r: { name: string }) => r.name === rule)).toMatchObject({
      status: 'drifted',
      changes: [{ field: 'definition' }, { field: 'state', from: 'DISABLED', to: 'ENABLED' }],
    });
    const fix = await cli(['dashboard', '--json']);
    expect(fix.json().outcomes.find((o: { name: string }) => o.name === rule)).toMatchObject({ action: 'updated' });
    expect((await rules()).find((r) => r.Name === rule)?.State).toBe('ENABLED');
  });

  test('a same-named rule made by hand (no ManagedBy tag) is never changed without --force', async () => {
    const other = RULES[2]!;
    await cw().send(new PutInsightRuleCommand({ RuleName: other, RuleState: 'ENABLED', RuleDefinition: '{}' }));
    const refused = await cli(['dashboard']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`insight-rule ${other} exists but is not tagged ManagedBy=bedrock-monitor`);
    expect((await rules()).find((r) => r.Name === other)?.Definition).toBe('{}');
  });

  test(
    'only when logs go to CloudWatch Logs and contributorInsights is ' + "not off; cleanup removes the tool's rules",
    async () => {
      const s3Only = withConfig({ logging: { destinations: ['s3'] } });
      expect((await cli(['dashboard', '--json'], { cwd: s3Only })).json().outcomes).toHaveLength(1);
      const off = withConfig({ contributorInsights: false });
      expect((await cli(['dashboard', '--json'], { cwd: off })).json().outcomes).toHaveLength(1);
      expect(await rules()).toEqual([]);

      await cli(['dashboard']);
      expect(await rules()).toHaveLength(4);
      // Turned off later: cleanup still finds and removes the tool's rules.
      const clean = await cli(['cleanup', '--yes', '--json'], { cwd: off });
      expect(
        clean
          .json()
          .outcomes.filter((o: { resource: string }) => o.resource === 'insight-rule')
          .map((o: { action: string }) => o.action),
      ).toEqual(['deleted', 'deleted', 'deleted', 'deleted']);
      expect(await rules()).toEqual([]);
    },
  );
});
