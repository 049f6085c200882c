/**
 * npm run test:live: bedrock-monitor against a real AWS account. Skipped (one line, exit 0) unless
 * BEDROCK_MONITOR_LIVE=1 and AWS credentials are present. It runs setup-all under unique names,
 * makes one Converse call to a cheap text model, waits for the CloudWatch metric and for the
 * invocation log record (CloudWatch Logs and S3), checks that report, status (exit 0) and the log
 * bucket see it, and always ends with cleanup --yes. It prints counts and names, never a prompt or
 * a response. See docs/live-test.md for the permissions it needs and what it costs.
 *
 * Environment: BEDROCK_MONITOR_LIVE=1 (required), AWS credentials and Region as for the AWS CLI,
 * BEDROCK_MONITOR_LIVE_REGION (default AWS_REGION, then us-east-1), BEDROCK_MONITOR_LIVE_MODEL
 * (default amazon.nova-micro-v1:0), BEDROCK_MONITOR_LIVE_TIMEOUT_MIN (default 15).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The SDK's packages (and ./converse.js) are imported where they are used, once the gate has passed: without
// BEDROCK_MONITOR_LIVE=1 the script only says why it skipped, in 0.12 s of CPU instead of the 0.8 s that loading them
// took first (test/project/live.test.ts runs it that way, and once with the flag but no credentials).
import type { AwsCredentialIdentity } from '@smithy/types';

export type Gate = { run: true; credentials: AwsCredentialIdentity } | { run: false; reason: string };

/** Whether to run: the opt-in flag, then credentials from the standard chain (no network without the flag). */
export async function liveGate(
  env: NodeJS.ProcessEnv,
  credentials?: () => Promise<AwsCredentialIdentity>,
): Promise<Gate> {
  if (env.BEDROCK_MONITOR_LIVE !== '1')
    return { run: false, reason: 'set BEDROCK_MONITOR_LIVE=1 (and AWS credentials) to run it against a real account' };
  const provider = credentials ?? (await import('@aws-sdk/credential-provider-node')).defaultProvider();
  try {
    return { run: true, credentials: await provider() };
  } catch (err) {
    return {
      run: false,
      reason:
        `BEDROCK_MONITOR_LIVE=1 but no AWS credentials were found ` +
        `(${(err as Error).message.split('\n')[0] ?? ''})`,
    };
  }
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const say = (msg: string): void => void process.stdout.write(`test:live: ${msg}\n`);

/** Runs the built CLI; returns its exit code and parsed --json output. */
function cli(args: string[], config: string): { code: number; json: unknown } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/bedrock-monitor.js'), ...args, '--config', config, '--json'], {
    encoding: 'utf8',
    env: { ...process.env, CI: 'true' },
  });
  let json: unknown;
  try {
    json = JSON.parse(r.stdout);
  } catch {
    json = undefined;
  }
  if (r.status !== 0 && args[0] !== 'status') process.stderr.write(r.stderr);
  return { code: r.status ?? 1, json };
}

async function until<T>(what: string, minutes: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + minutes * 60_000;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what} after ${minutes} minutes`);
    await new Promise((r) => setTimeout(r, 20_000));
  }
}

interface Names {
  region: string;
  model: string;
  account: string;
  id: string;
  config: string;
  bucket: string;
  logGroup: string;
}

function uniqueConfig(region: string, account: string): Omit<Names, 'model'> {
  const id = `bmlive${Date.now().toString(36)}`;
  const bucket = `bedrock-monitor-live-${id}-${account}`;
  const logGroup = `/bedrock-monitor-live/${id}`;
  const config = join(mkdtempSync(join(tmpdir(), 'bm-live-')), 'bedrock-monitor.config.json');
  const settings = {
    region,
    roleName: `bm-live-${id}`,
    bucketName: bucket,
    logGroupName: logGroup,
    dashboardName: `bm-live-${id}`,
    alarms: { prefix: `bm-live-${id}-`, topicName: `bm-live-${id}` },
  };
  writeFileSync(config, JSON.stringify(settings, null, 2));
  return { region, account, id, config, bucket, logGroup };
}

/** The Region has one logging configuration: never replace someone else's. */
async function refuseIfLoggingExists(region: string): Promise<void> {
  const { BedrockClient, GetModelInvocationLoggingConfigurationCommand } = await import('@aws-sdk/client-bedrock');
  const c = (await new BedrockClient({ region }).send(new GetModelInvocationLoggingConfigurationCommand({})))
    .loggingConfig;
  if (c?.cloudWatchConfig || c?.s3Config) {
    throw new Error(
      `${region} already has a model invocation logging configuration, which setup-all would replace: run ` +
        `the live test in a Region without one (BEDROCK_MONITOR_LIVE_REGION)`,
    );
  }
}

async function checks(n: Names, requestId: string, minutes: number): Promise<void> {
  const { CloudWatchLogsClient, FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const { ListObjectsV2Command, S3Client } = await import('@aws-sdk/client-s3');
  const report = await until('the Invocations metric', minutes, () => {
    const r = cli(['report', '--hours', '1'], n.config).json as
      { models?: { modelId: string; invocations: number | null }[] } | undefined;
    return Promise.resolve(r?.models?.find((m) => m.modelId === n.model && (m.invocations ?? 0) >= 1));
  });
  say(`report sees ${report.invocations ?? 0} invocation(s) of ${n.model}`);
  const logs = new CloudWatchLogsClient({ region: n.region });
  // Logging is per Region: other callers' records may land here too. Ours is the one with our request ID.
  const records = await until('the log record in CloudWatch Logs', minutes, async () => {
    const r = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: n.logGroup,
        filterPattern: `{ $.modelId = "${n.model}" }`,
        limit: 50,
      }),
    );
    return r.events?.length ? r.events : undefined;
  });
  const ours = records.some((e) => requestId !== '' && (e.message ?? '').includes(requestId));
  say(
    `${n.logGroup} has ${records.length} record(s) for ` +
      `${n.model}${ours ? `, including request ${requestId}` : ` (none names request ${requestId})`}`,
  );
  const s3 = new S3Client({ region: n.region });
  const key = await until('the log object in S3', minutes, async () => {
    const r = await s3.send(
      new ListObjectsV2Command({
        Bucket: n.bucket,
        Prefix: `AWSLogs/${n.account}/BedrockModelInvocationLogs/${n.region}/`,
      }),
    );
    return r.Contents?.find((o) => o.Key && !o.Key.includes('permission-check') && (o.Size ?? 0) > 0)?.Key;
  });
  say(`the log bucket has ${key}`);
  const status = cli(['status'], n.config);
  if (status.code !== 0)
    throw new Error(
      `status exited ${status.code}: ${JSON.stringify((status.json as { rows?: unknown[] } | undefined)?.rows ?? [])}`,
    );
  say('status: every resource ok (exit 0)');
}

async function run(credentials: AwsCredentialIdentity): Promise<void> {
  const env = process.env;
  const region = env.BEDROCK_MONITOR_LIVE_REGION ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const model = env.BEDROCK_MONITOR_LIVE_MODEL ?? 'amazon.nova-micro-v1:0';
  const minutes = Number(env.BEDROCK_MONITOR_LIVE_TIMEOUT_MIN ?? 15);
  const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
  const account = (await new STSClient({ region }).send(new GetCallerIdentityCommand({}))).Account ?? '';
  await refuseIfLoggingExists(region);
  const n: Names = { ...uniqueConfig(region, account), model };
  say(`account ${account}, ${region}, model ${model}, names bm-live-${n.id}*`);
  try {
    const setup = cli(['setup-all', '--yes'], n.config);
    if (setup.code !== 0) throw new Error(`setup-all exited ${setup.code}`);
    say('setup-all: ok');
    const { converse } = await import('./converse.js');
    const call = await converse({ region, modelId: model, credentials });
    say(`Converse: ${call.inputTokens} input and ${call.outputTokens} output tokens (request ${call.requestId})`);
    await checks(n, call.requestId, minutes);
  } finally {
    const cleanup = cli(['cleanup', '--yes'], n.config);
    say(
      cleanup.code === 0
        ? 'cleanup --yes: everything removed'
        : `cleanup --yes exited ${cleanup.code}: check for resources named bm-live-${n.id}*`,
    );
    if (cleanup.code !== 0) process.exitCode = 1;
  }
}

export async function main(): Promise<number> {
  const gate = await liveGate(process.env);
  if (!gate.run) {
    say(`skipped: ${gate.reason}`);
    return 0;
  }
  try {
    await run(gate.credentials);
    say('passed');
    return process.exitCode === 1 ? 1 : 0;
  } catch (err) {
    say(`FAILED: ${(err as Error).message}`);
    return 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  void main().then((code) => process.exit(code));
}
