import { checked, defineCommand, numeric, outcomesResult, repeatable } from '../lib/cli/command.js';
import type { AlarmThresholds } from '../lib/config/settings.js';
import { checkAlarmPrefix, checkEmail, checkTopicName, parsePositiveNumber } from '../lib/core/validate.js';

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

const email = repeatable(checkEmail);
const positive = numeric(parsePositiveNumber);

export default defineCommand<Opts>({
  name: 'alarms',
  summary: 'Create or repair the SNS topic, email subscriptions and the alarms that cover every model',
  examples: [
    'bedrock-monitor alarms --email oncall@example.com --email lead@example.com',
    'bedrock-monitor alarms --tokens-per-hour 500000 --cost-usd-per-hour 20',
    'bedrock-monitor alarms --prune   # also delete this tool\'s alarms that are no longer configured',
  ],
  configure: (cmd) =>
    cmd
      .option('--email <address>', 'alert email address (repeatable; replaces alarms.emails)', email)
      .option('--topic-name <name>', 'SNS topic name (default bedrock-usage-alerts)', checked(checkTopicName))
      .option('--alarm-prefix <prefix>', 'alarm name prefix (default Bedrock-)', checked(checkAlarmPrefix))
      .option('--tokens-per-hour <n>', 'HighTokenUsage: input tokens or output tokens per hour, each (default 100000)', positive)
      .option('--errors-per-5-min <n>', 'HighErrorRate: client errors or server errors per 5 minutes, each (default 10)', positive)
      .option('--invocations-per-hour <n>', 'InvocationSpike: invocations per hour (default 1000)', positive)
      .option('--latency-ms <n>', 'HighLatency: average latency in ms over 5 minutes (default 10000)', positive)
      .option('--cost-usd-per-hour <n>', 'HighCost: estimated USD per hour for one kind of token, at alarms.costModelId rates (off unless set)', positive)
      .option('--prune', 'delete alarms with the prefix, created by this tool, that are no longer configured'),
  overrides: (o) => {
    const thresholds: Partial<AlarmThresholds> = {};
    if (o.tokensPerHour !== undefined) thresholds.tokensPerHour = o.tokensPerHour;
    if (o.errorsPer5Min !== undefined) thresholds.errorsPer5Min = o.errorsPer5Min;
    if (o.invocationsPerHour !== undefined) thresholds.invocationsPerHour = o.invocationsPerHour;
    if (o.latencyMs !== undefined) thresholds.latencyMs = o.latencyMs;
    if (o.costUsdPerHour !== undefined) thresholds.costUsdPerHour = o.costUsdPerHour;
    return { emails: o.email, topicName: o.topicName, alarmPrefix: o.alarmPrefix, thresholds };
  },
  run: async (ctx, o) => {
    const { runStep } = await import('../lib/setup/steps.js');
    // The topic and its subscriptions first: the alarms notify it.
    const topic = await runStep(ctx, 'topic');
    return outcomesResult([...topic, ...(await runStep(ctx, 'alarms', { prune: o.prune === true }))]);
  },
});
