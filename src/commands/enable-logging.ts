import { InvalidArgumentError } from 'commander';
import { defineCommand, outcomesResult } from '../lib/cli/command.js';

function destinations(v: string): ('cloudwatch' | 's3')[] {
  const parts = v
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .filter(Boolean);
  const bad = parts.filter((p) => p !== 'cloudwatch' && p !== 's3');
  if (!parts.length || bad.length)
    throw new InvalidArgumentError(`expected a comma-separated list of cloudwatch, s3 (got "${v}")`);
  return parts as ('cloudwatch' | 's3')[];
}

export default defineCommand<{ destinations?: ('cloudwatch' | 's3')[] }>({
  name: 'enable-logging',
  targets: true,
  fleet: 'step',
  summary: 'Point Bedrock model invocation logging at the role, log group and bucket',
  group: 'Single steps (setup-all runs them all):',
  examples: [
    'bedrock-monitor enable-logging --region us-east-1',
    'bedrock-monitor enable-logging --destinations cloudwatch',
    'bedrock-monitor enable-logging --force   # replace a configuration that points elsewhere',
  ],
  flags: { 'dry-run': true, force: 'replace a logging configuration that points at other destinations' },
  configure: (cmd) =>
    cmd.option(
      '--destinations <list>',
      'where logs go: cloudwatch,s3 (default both; config logging.destinations)',
      destinations,
    ),
  overrides: (o) => ({ 'logging.destinations': o.destinations }),
  run: async (ctx) =>
    outcomesResult(
      await (await import('../lib/setup/progress.js')).runStepShown(ctx, 'enable-logging', { standalone: true }),
      ctx.settings.region,
    ),
});
