import { checked, defineCommand, emailOption, numeric, outcomesResult } from '../lib/cli/command.js';
import { checkAlarmPrefix, checkTopicName, parsePositiveNumber } from '../lib/core/validate.js';

interface Opts {
  email?: string[];
  topicName?: string;
  alarmPrefix?: string;
  tokensPerHour?: number;
  errorsPer5Min?: number;
  invocationsPerHour?: number;
  latencyMs?: number;
  costUsdPerHour?: number;
  prune?: boolean;
}

const positive = numeric(parsePositiveNumber);

export default defineCommand<Opts>({
  name: 'alarms',
  targets: true,
  fleet: 'step',
  summary: 'Create or repair the SNS topic, email subscriptions and the alarms that cover every model',
  group: 'Single steps (setup-all runs them all):',
  examples: [
    'bedrock-monitor alarms --email oncall@example.com --email lead@example.com',
    'bedrock-monitor alarms --tokens-per-hour 500000 --cost-usd-per-hour 20',
    "bedrock-monitor alarms --prune   # also delete this tool's alarms that are no longer configured",
    'bedrock-monitor config set alarms.thresholds.tokensPerHour 500000   # keep a threshold for every later run',
  ],
  flags: { 'dry-run': true, force: true },
  configure: (cmd) =>
    emailOption(cmd)
      .option(
        '--topic-name <name>',
        'SNS topic name (default bedrock-usage-alerts; config alarms.topicName)',
        checked(checkTopicName),
      )
      .option(
        '--alarm-prefix <prefix>',
        'alarm name prefix (default Bedrock-; config alarms.prefix)',
        checked(checkAlarmPrefix),
      )
      .option(
        '--tokens-per-hour <n>',
        'HighTokenUsage: input tokens or output tokens per hour, each (default 100000; config ' +
          'alarms.thresholds.tokensPerHour)',
        positive,
      )
      .option(
        '--errors-per-5-min <n>',
        'HighErrorRate: client errors or server errors per 5 minutes, each (default 10; config ' +
          'alarms.thresholds.errorsPer5Min)',
        positive,
      )
      .option(
        '--invocations-per-hour <n>',
        'InvocationSpike: invocations per hour (default 1000; config alarms.thresholds.invocationsPerHour)',
        positive,
      )
      .option(
        '--latency-ms <n>',
        'HighLatency: average latency in ms over 5 minutes (default 10000; config alarms.thresholds.latencyMs)',
        positive,
      )
      .option(
        '--cost-usd-per-hour <n>',
        'HighCost: estimated USD per hour for one kind of token, at alarms.costModelId rates (off unless ' +
          'set; config alarms.thresholds.costUsdPerHour)',
        positive,
      )
      .option('--prune', 'delete alarms with the prefix, created by this tool, that are no longer configured'),
  overrides: (o) => ({
    'alarms.emails': o.email,
    'alarms.topicName': o.topicName,
    'alarms.prefix': o.alarmPrefix,
    'alarms.thresholds.tokensPerHour': o.tokensPerHour,
    'alarms.thresholds.errorsPer5Min': o.errorsPer5Min,
    'alarms.thresholds.invocationsPerHour': o.invocationsPerHour,
    'alarms.thresholds.latencyMs': o.latencyMs,
    'alarms.thresholds.costUsdPerHour': o.costUsdPerHour,
  }),
  run: async (ctx, o) => {
    const { runStepShown } = await import('../lib/setup/progress.js');
    const { emailWarnings, nextSteps } = await import('../lib/setup/next.js');
    const { renderNextSteps } = await import('../lib/setup/render.js');
    // The topic and its subscriptions first: the alarms notify it.
    const outcomes = [
      ...(await runStepShown(ctx, 'topic')),
      ...(await runStepShown(ctx, 'alarms', { prune: o.prune === true })),
    ];
    const warnings = emailWarnings(ctx);
    const next = await nextSteps(ctx, { topic: true, dashboard: false });
    return {
      ...outcomesResult(outcomes, ctx.settings.region, (out) => renderNextSteps(out, next)),
      data: { outcomes, subscriptions: next.subscriptions, warnings },
    };
  },
});
