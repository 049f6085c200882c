import { checked, defineCommand, numeric, outcomesResult } from '../lib/cli/command.js';
import { checkBucketName, parsePositiveInt } from '../lib/core/validate.js';

export default defineCommand<{ bucketName?: string; expirationDays?: number; noncurrentExpirationDays?: number }>({
  name: 'create-bucket',
  targets: true,
  fleet: 'step',
  summary: 'Create or repair the S3 bucket for invocation logs (private, encrypted, versioned, with lifecycle)',
  group: 'Single steps (setup-all runs them all):',
  examples: [
    'bedrock-monitor create-bucket --region eu-west-1',
    'bedrock-monitor create-bucket --bucket-name my-bedrock-logs --expiration-days 365',
  ],
  flags: { 'dry-run': true, force: true },
  configure: (cmd) =>
    cmd
      .option(
        '--bucket-name <name>',
        'bucket name (default bedrock-logs-<account>-<region>; config bucketName)',
        checked(checkBucketName),
      )
      .option(
        '--expiration-days <days>',
        'days before current log objects expire (default 90; config bucketExpirationDays)',
        numeric(parsePositiveInt),
      )
      .option(
        '--noncurrent-expiration-days <days>',
        'days before noncurrent versions expire (default 30; config noncurrentExpirationDays)',
        numeric(parsePositiveInt),
      ),
  overrides: (o) => ({
    bucketName: o.bucketName,
    bucketExpirationDays: o.expirationDays,
    noncurrentExpirationDays: o.noncurrentExpirationDays,
  }),
  run: async (ctx) =>
    outcomesResult(
      await (await import('../lib/setup/progress.js')).runStepShown(ctx, 'create-bucket'),
      ctx.settings.region,
    ),
});
