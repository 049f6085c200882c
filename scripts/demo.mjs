#!/usr/bin/env node
// npm run demo: the whole product on a local AWS emulator (moto), no AWS account needed.
// setup-all → seed 24 h of SYNTHETIC Bedrock usage → status → report → who spent what (logs) → cleanup →
// bill (a SYNTHETIC CUR 2.0 export beside SYNTHETIC logs, bridged), then a small organization (2 accounts ×
// 2 Regions): fleet setup-all, status finding one drifted target, who spent what across the organization (logs)
// and the merged CloudWatch metrics report; moto is always stopped.
// Each `bedrock-monitor …` shown runs through the CLI's main() in this process, as bin/bedrock-monitor.js runs it:
// the same output and exit codes, for one Node start and one loading of the AWS SDK instead of one per command.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, onInterrupt } from '../dist/cli.js';
import { Interruption } from '../dist/lib/core/abort.js';
import { demoColour, demoStyle } from '../.build/test/support/demo-style.js';
import { Moto, MOTO_MISSING } from '../.build/test/support/emulator.js';
import {
  DEMO_MODELS,
  putLogRecords,
  putMetrics,
  seedingClients,
  syntheticLogRecords,
  syntheticUsage,
} from '../.build/test/support/synthetic.js';
import { cloudTrailCorpus, writeCorpus } from '../.build/test/support/cloudtrail.js';
import { LINES, writeCur, writeRecords } from '../.build/test/support/bill-corpus.js';
import { GetBucketPolicyCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudWatchLogsClient, PutRetentionPolicyCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import {
  APP_SEARCH,
  APP_SUPPORT,
  corpusRates,
  defaultSpec,
  putCorpus,
  toUsdRates,
  writeCorpus as writeLogsCorpus,
} from '../.build/test/support/corpus.js';

// The seeding clients are built here, outside the CLI: keep the SDK's Node-version notice off the script's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const REGION = 'us-east-1';
// Kept after the demo (outside its throwaway directory); BM_DEMO_HTML puts it elsewhere.
const REPORT_HTML = process.env.BM_DEMO_HTML || join(tmpdir(), 'bedrock-monitor-demo-report.html');
const ACCOUNT = '123456789012'; // moto's account

// Colour as the CLI has it: only on a terminal, never with NO_COLOR (or TERM=dumb), forced by FORCE_COLOR.
const { bold, dim } = demoStyle(demoColour(process.env, process.stdout.isTTY === true));

function banner(text) {
  process.stdout.write(`\n${bold(`━━ ${text}`)}\n`);
}

/**
 * Runs one bedrock-monitor command, as `bedrock-monitor ARGS` would, in this process (the CLI's main(), which the
 * binary calls): the output and exit code are the binary's, without a Node start and the AWS SDK's loading per
 * command. `stdout`, when given, receives the command's standard output instead of the terminal.
 */
async function run(env, args, stdout) {
  if (!stdout) process.stdout.write(`${dim(`$ bedrock-monitor ${args.join(' ')}`)}\n`);
  commandRunning = true;
  const code = await main(args, { env, ...(stdout ? { stdout } : {}) }, { interruption }).finally(() => {
    commandRunning = false;
  });
  if (interruption.by) {
    interrupted(code);
    await new Promise(() => undefined); // the demo ends there
  }
  return code;
}

/** Where the demo writes another HTML page: beside the report's (audit.html, bill.html). */
function besideReport(name) {
  return /report\.html$/.test(REPORT_HTML)
    ? REPORT_HTML.replace(/report\.html$/, `${name}.html`)
    : `${REPORT_HTML}.${name}.html`;
}

/** Runs a command whose stdout is an HTML page into `path`; says where it went. Returns the exit code. */
async function writeHtml(env, args, path, what) {
  process.stdout.write(`${dim(`$ bedrock-monitor ${args.join(' ')} > ${path}`)}\n`);
  const chunks = [];
  const page = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  const code = await run(env, args, page);
  writeFileSync(path, Buffer.concat(chunks));
  if (code === 0) console.log(`Wrote ${what} to ${path} (open it in a browser; no network needed).`);
  return code;
}

let moto;
const stop = async () => {
  if (moto) await moto.stop();
  moto = undefined;
};
// Ctrl-C or SIGTERM while a command runs: it stops as the binary would (its requests cut, what it did listed) and
// the demo ends there, the emulator stopped; a second signal, or a command not done within 1.5 s, ends it at once.
// Between commands (the demo's own seeding), the demo ends at once.
const interruption = new Interruption();
let commandRunning = false;
const interrupted = (code) => {
  void stop().finally(() => {
    rmSync(configDir, { recursive: true, force: true });
    process.exit(code);
  });
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (!commandRunning) return interrupted(signal === 'SIGTERM' ? 143 : 130);
    if (interruption.by) return interrupted(onInterrupt(interruption));
    interruption.stop(signal);
    setTimeout(() => interrupted(onInterrupt(interruption)), 1500).unref();
  });
}

// The demo's settings live in a throwaway config file, as a team's would in their repository.
const configDir = mkdtempSync(join(tmpdir(), 'bedrock-monitor-demo-'));
const config = join(configDir, 'bedrock-monitor.config.json');
// The synthetic logs' application inference profiles, priced by override (moto has no GetInferenceProfile).
const appPrices = Object.fromEntries(
  [APP_SEARCH, APP_SUPPORT]
    .map((f) => f(ACCOUNT, REGION))
    .map((arn) => [arn, toUsdRates(corpusRates({ account: ACCOUNT, region: REGION })[arn])]),
);
const DEMO_CONFIG = {
  alarms: { emails: ['oncall@example.com'], thresholds: { costUsdPerHour: 5 } },
  budget: { monthlyUsd: 200 },
  prices: appPrices,
};
writeFileSync(config, JSON.stringify(DEMO_CONFIG, null, 2));

/**
 * SYNTHETIC Bedrock quotas for the demo models, named as Service Quotas names them
 * (see docs/commands/report.md, "Quota headroom").
 */
function syntheticQuotas() {
  const q = (n, name, value) => ({
    ServiceCode: 'bedrock',
    QuotaCode: `L-DEMO${String(n).padStart(4, '0')}`,
    QuotaName: name,
    Value: value,
    Unit: 'None',
    Adjustable: true,
  });
  return {
    applied: [
      q(1, 'Global cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1', 20_000),
      q(2, 'Cross-region model inference tokens per minute for Anthropic Claude Sonnet 4.5 V1', 6_000),
      q(3, 'Cross-region model inference tokens per minute for Anthropic Claude Haiku 4.5', 200_000),
      q(4, 'On-demand model inference tokens per minute for Anthropic Claude 3 Haiku', 10_000),
    ],
    defaults: [
      q(5, 'On-demand model inference tokens per minute for Meta Llama 3.1 70B Instruct', 300_000),
      q(6, 'On-demand model inference requests per minute for Anthropic Claude 3 Haiku', 20),
    ],
  };
}

/**
 * 10. A small organization: this (management) account and an account it creates, with the
 * OrganizationAccountAccessRole AWS puts in accounts an organization creates, in two Regions: every target
 * costs its setup's and status's requests (~45 and ~22), so the demo's fleet is the smallest that shows a
 * management and a member account in several Regions.
 */
async function organizationDemo(url, env) {
  banner('10. An organization: setup-all and status over 2 accounts × 2 Regions (--accounts org --regions …)');
  const base = { region: REGION, endpoint: url, credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } };
  const org = new OrganizationsClient(base);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const name = 'team-search';
  const r = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
  const member = r.CreateAccountStatus.AccountId;
  console.log(`organization: management ${ACCOUNT}, member ${member} (OrganizationAccountAccessRole)`);
  const fleetConfig = join(configDir, 'fleet.config.json');
  writeFileSync(fleetConfig, JSON.stringify({ alarms: { emails: ['oncall@example.com'] } }, null, 2));
  const fleet = ['--accounts', 'org', '--regions', 'us-east-1,eu-west-1', '--config', fleetConfig];
  let failed = await run(env, ['setup-all', '--yes', ...fleet]);
  // Someone changes the member's log group retention by hand, in one Region.
  const sts = new STSClient(base);
  const role = `arn:aws:iam::${member}:role/OrganizationAccountAccessRole`;
  const c = (await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'by-hand' }))).Credentials;
  const logs = new CloudWatchLogsClient({
    ...base,
    region: 'eu-west-1',
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
  });
  await logs.send(new PutRetentionPolicyCommand({ logGroupName: '/aws/bedrock/modelinvocations', retentionInDays: 7 }));
  console.log(`By hand: the log group retention in ${member} eu-west-1 set to 7 days.`);
  const status = await run(env, ['status', ...fleet]);
  console.log(dim(`(exit ${status}: 3 means drift, here in exactly one account and Region)`));
  if (status !== 3) failed ||= 1;
  failed ||= await organizationSpend(env, { base, member, sts, fleetConfig, fleet });
  // (cleanup works across the fleet the same way: `cleanup --yes --accounts org --regions …`; the emulator goes.)
  return failed;
}

/** Client settings acting inside a member account (through its OrganizationAccountAccessRole), in a Region. */
async function memberClientBase(base, sts, account, region) {
  const role = `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`;
  const c = (await sts.send(new AssumeRoleCommand({ RoleArn: role, RoleSessionName: 'demo-seed' }))).Credentials;
  return {
    ...base,
    region,
    credentials: { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken },
  };
}

/**
 * 10 (continued). Who spent what across the organization: SYNTHETIC invocation logs of both accounts in one
 * central tree (AWSLogs/<account>/BedrockModelInvocationLogs/<region>/…), reported by account and principal; then
 * SYNTHETIC CloudWatch metrics in the member's own account, merged by the metrics report across every target.
 */
async function organizationSpend(env, { base, member, sts, fleetConfig, fleet }) {
  banner('10b. Who spent what across the organization: report --by account,principal over a central logs tree');
  const tree = join(configDir, 'org-logs');
  const start = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 6 * 3_600_000);
  const prices = {};
  const placed = [
    [ACCOUNT, 'us-east-1', 51],
    [member, 'eu-west-1', 52],
  ];
  for (const [account, region, seed] of placed) {
    const spec = defaultSpec({ records: 400, start, hours: 5, filesPerHour: 1, seed, account, region });
    for (const [id, rates] of Object.entries(corpusRates(spec)))
      if (id.includes(':application-inference-profile/')) prices[id] = toUsdRates(rates);
    const truth = writeLogsCorpus(tree, spec);
    console.log(`${truth.totals.invocations} SYNTHETIC invocation records of ${account} in ${region}`);
  }
  writeFileSync(fleetConfig, JSON.stringify({ alarms: { emails: ['oncall@example.com'] }, prices }, null, 2));
  const regions = ['--regions', 'us-east-1,eu-west-1', '--config', fleetConfig];
  let failed = await run(env, [
    'report',
    '--hours',
    '6',
    '--by',
    'account,principal',
    '--logs',
    tree,
    '--no-reconcile',
    '--accounts',
    `${ACCOUNT},${member}`,
    ...regions,
    '--top',
    '6',
  ]);
  banner('10c. The CloudWatch metrics of every account and Region, merged: report --accounts org --regions …');
  const hourStart = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 3_600_000);
  const cfg = await memberClientBase(base, sts, member, 'eu-west-1');
  const cw = new CloudWatchClient({ ...cfg, disableRequestCompression: true });
  await putMetrics(cw, syntheticUsage(DEMO_MODELS.slice(0, 2), hourStart, new Date(), 60, 52));
  console.log(
    `SYNTHETIC Bedrock metrics in the member's eu-west-1, beside those seeded in step 2 in the management account's ` +
      `${REGION}; the other two targets have none.`,
  );
  failed ||= await run(env, ['report', '--hours', '6', ...fleet]);
  return failed;
}

let failed = 0;
try {
  banner('Starting the local AWS emulator (moto server)');
  moto = await Moto.start().catch((err) => {
    if (!err.message.startsWith(MOTO_MISSING)) throw err;
    console.error(`npm run demo needs the moto AWS emulator: ${MOTO_MISSING}`);
    rmSync(configDir, { recursive: true, force: true });
    process.exit(1);
  });
  console.log(`moto is listening on ${moto.url}`);
  // The commands run in this process, and the AWS SDK's credential chain reads the process's own environment.
  const env = Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.url,
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: 'demo',
    AWS_SECRET_ACCESS_KEY: 'demo',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    CI: 'true', // unattended: no prompts
    XDG_CACHE_HOME: join(configDir, 'cache'), // the log cache, removed with the config
  });
  const cli = (args) => run(env, [...args, '--config', config]);

  banner('1. setup-all: role, bucket, log group, topic, logging, dashboard, alarms, budget');
  console.log(
    `config: ${JSON.stringify({
      ...DEMO_CONFIG,
      prices: '(the two synthetic application inference profiles, priced by override)',
    })}`,
  );
  failed ||= await cli(['setup-all', '--yes']);

  banner('2. Seeding 24 hours of SYNTHETIC Bedrock usage (clearly labelled; not real traffic)');
  const end = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const start = new Date(end.getTime() - 24 * 3_600_000);
  const points = syntheticUsage(DEMO_MODELS, start, end, 30);
  const { cw, logs } = seedingClients(moto.url, REGION);
  await putMetrics(cw, points);
  const records = syntheticLogRecords(points, ACCOUNT, REGION, 300);
  await putLogRecords(logs, '/aws/bedrock/modelinvocations', records);
  console.log(
    `${points.length} synthetic metric datapoints for ${DEMO_MODELS.length} models and ${records.length} ` +
      `synthetic invocation log records (requestMetadata.synthetic = "true")`,
  );

  banner('3. status: drift check of every managed resource');
  failed ||= await cli(['status']);

  banner('4. report --hours 24 (the emulator cannot compute percentiles: those show as n/a)');
  failed ||= await cli(['report', '--hours', '24']);

  banner('5. Who spent what: report --by role / --by tag:team read the invocation logs in S3 (SYNTHETIC logs)');
  {
    // moto applies the bucket's TLS-only Deny to plain-HTTP object requests (real S3 over HTTPS is not
    // affected): the demo lifts that statement so that it can write and read the emulated bucket.
    const bucket = `bedrock-logs-${ACCOUNT}-${REGION}`;
    const s3 = new S3Client({
      region: REGION,
      endpoint: moto.url,
      forcePathStyle: true,
      credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' },
    });
    const policy = JSON.parse((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy);
    policy.Statement = policy.Statement.filter((st) => st.Sid !== 'DenyInsecureTransport');
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
    const start = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 23 * 3_600_000);
    const truth = await putCorpus(
      s3,
      bucket,
      defaultSpec({
        records: 3000,
        start,
        hours: 23,
        filesPerHour: 1,
        bodyBytes: 800,
        account: ACCOUNT,
        region: REGION,
        malformedEvery: 1000,
      }),
    );
    console.log(
      `${truth.totals.invocations} synthetic invocation records in ${truth.objects} objects under ` +
        `s3://${bucket}/AWSLogs/${ACCOUNT}/BedrockModelInvocationLogs/${REGION}/ ` +
        `(${truth.groups.principal.size} principals, ${truth.malformedLines} malformed lines, data/ bodies and ` +
        `a permission-check object to skip)`,
    );
    // The demo's metrics and logs are separate synthetic sets, so they are not reconciled here.
    failed ||= await cli(['report', '--hours', '24', '--by', 'role', '--no-reconcile']);
    failed ||= await cli(['report', '--hours', '24', '--by', 'tag:team', '--no-reconcile']);
    // The same logs as one self-contained HTML page: spend per hour stacked by team, the top teams, the tables.
    failed ||= await writeHtml(
      env,
      ['report', '--hours', '24', '--by', 'hour,tag:team', '--no-reconcile', '--output', 'html', '--config', config],
      REPORT_HTML,
      'the HTML report',
    );
  }

  banner('6. report --quotas: peak tokens and requests per minute against Service Quotas (SYNTHETIC quotas)');
  // moto has no Service Quotas for Bedrock: the emulator serves these made-up values, in the names
  // ListServiceQuotas uses, so that the headroom table has something to compare against.
  moto.setBedrockQuotas(syntheticQuotas());
  const hourStart = new Date(start.getTime() - 24 * 3_600_000);
  const hourEnd = new Date(hourStart.getTime() + 3_600_000);
  await putMetrics(cw, syntheticUsage(DEMO_MODELS, hourStart, hourEnd, 1, 7));
  console.log(
    `One more hour of SYNTHETIC usage at 1-minute resolution (${hourStart.toISOString()}), and SYNTHETIC ` +
      `quotas (codes L-DEMO…): not your account's.`,
  );
  failed ||= await cli(['report', '--since', hourStart.toISOString(), '--until', hourEnd.toISOString(), '--quotas']);

  banner('7. Audit: the CloudTrail trail for Bedrock, then who called Bedrock in SYNTHETIC CloudTrail files');
  const auditConfig = join(configDir, 'audit.config.json');
  writeFileSync(
    auditConfig,
    JSON.stringify({ alarms: { emails: ['oncall@example.com'] }, audit: { enabled: true } }, null, 2),
  );
  console.log('config: {"audit": {"enabled": true}}');
  failed ||= await run(env, ['audit-trail', '--config', auditConfig]);
  const trailDir = join(configDir, 'cloudtrail-files');
  // A file an hour and Region (CloudTrail delivers about every 5 minutes): fewer files for each audit to read.
  const corpus = cloudTrailCorpus({ account: ACCOUNT, region: REGION, start, end, calls: 250, deliveryMinutes: 60 });
  writeCorpus(trailDir, corpus.files);
  console.log(
    `${corpus.files.length} synthetic CloudTrail files, an hour of calls each ` +
      `(AWSLogs/${ACCOUNT}/CloudTrail/<region>/YYYY/MM/DD/*.json.gz; user agent "(SYNTHETIC)")`,
  );
  failed ||= await cli(['audit', '--logs', trailDir, '--hours', '24']);
  failed ||= await cli(['audit', '--logs', trailDir, '--hours', '24', '--denied', '--by', 'source-ip']);
  // The same calls as an HTML page beside the report's: calls per hour by principal, refused callers highlighted.
  failed ||= await writeHtml(
    env,
    ['audit', '--logs', trailDir, '--hours', '24', '--output', 'html', '--config', config],
    besideReport('audit'),
    'the HTML audit',
  );

  banner('8. cleanup --yes: remove everything setup created (the audit trail too, though this config has audit off)');
  failed ||= await cli(['cleanup', '--yes']);

  banner('9. bill: the invoice beside the estimate, bridged (SYNTHETIC CUR 2.0 export and logs, November 2026)');
  {
    const curDir = join(configDir, 'cur2');
    const billLogs = join(configDir, 'bill-logs');
    mkdirSync(billLogs, { recursive: true });
    await writeCur(curDir, LINES);
    writeRecords(billLogs);
    console.log(
      `${LINES.length} SYNTHETIC CUR 2.0 line items (Parquet, ${curDir}/data/BILLING_PERIOD=2026-11/) and ` +
        'SYNTHETIC invocation logs with one gap of each kind the bridge names: not your bill.',
    );
    const billArgs = ['bill', '--month', '2026-11', '--cur', curDir, '--logs', billLogs];
    failed ||= await cli(billArgs);
    // The bill as a page: billed beside estimated per principal, the bridge as a waterfall.
    failed ||= await writeHtml(
      env,
      [...billArgs, '--output', 'html', '--config', config],
      besideReport('bill'),
      'the HTML bill',
    );
  }
  failed ||= await organizationDemo(moto.url, env);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  failed = 1;
} finally {
  banner('Stopping the emulator');
  await stop();
  rmSync(configDir, { recursive: true, force: true });
}
console.log(failed ? '\nThe demo did not complete.' : '\nDemo complete.');
// No process.exit(): as the binary does, the demo ends when nothing is left to do, so a command that left
// something running (a timer, a socket, a child process) keeps it from ending, and the demo's test sees it.
process.exitCode = failed ? 1 : 0;
