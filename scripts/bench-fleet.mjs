#!/usr/bin/env node
// Fleet status over 3 accounts × 3 Regions on moto: requests per target against a single-target run, and
// wall time against the sum of the single-target runs. Part of `npm run bench` (scripts/bench.mjs); run
// alone (`npm run build && npm run build:support && node scripts/bench-fleet.mjs`) it rewrites only the
// "Fleet status" section of BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { Moto } from '../.build/test/support/emulator.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'bin/bedrock-monitor.js');
const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1'];
const ms = (n) => `${Math.round(n)} ms`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return elapsed;
}

/** Requests per (access key, Region): one group per target, plus the caller's own reads. */
function perTarget(requests) {
  const groups = new Map();
  for (const r of requests) {
    const k = `${r.signedBy} ${r.signedIn}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return groups;
}

/** The fleet section: its Markdown lines and its targets (rows of bench.mjs's Targets table). */
export async function benchFleet(moto, env, runs = 3) {
  await moto.reset();
  const base = {
    region: 'us-east-1',
    endpoint: moto.url,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  };
  const org = new OrganizationsClient(base);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const members = [];
  for (const name of ['a', 'b']) {
    const r = await org.send(new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }));
    members.push(r.CreateAccountStatus.AccountId);
  }
  const fleet = ['--accounts', 'org', '--regions', REGIONS.join(',')];
  timed(['setup-all', '--yes', ...fleet], env);

  // One target alone, as a single-target run (the caller's account, no target flag), for each Region.
  const single = [];
  for (const region of REGIONS) {
    const times = [];
    let requests = [];
    for (let i = 0; i < runs; i++) {
      await moto.startRecording();
      times.push(timed(['status', '--region', region], env));
      requests = await moto.stopRecording();
    }
    single.push({ region, timeMs: median(times), requests: requests.length });
  }
  const times = [];
  let requests = [];
  for (let i = 0; i < runs; i++) {
    await moto.startRecording();
    times.push(timed(['status', ...fleet], env));
    requests = await moto.stopRecording();
  }
  const fleetMs = median(times);
  // Per target: requests signed with that target's credentials in its Region (the caller's own target shares
  // its key with the fleet's own reads: ListAccounts, AssumeRole, the caller's GetCallerIdentity).
  const overheadOps = new Set(['ListAccounts', 'AssumeRole', 'ListAccountAliases']);
  const groups = [...perTarget(requests.filter((r) => !overheadOps.has(r.operation)))].map(([k, rs]) => [k, rs.length]);
  const overhead = requests.filter((r) => overheadOps.has(r.operation)).length;
  const singleRequests = single[0].requests;
  const targetCounts = groups.map(([, n]) => n);
  // The caller's us-east-1 group also holds the run's own GetCallerIdentity (who is asking, before the fan-out).
  const sumSingle = single.reduce((s, x) => s + x.timeMs, 0) * 3;
  const lines = [
    '## Fleet status (3 accounts × 3 Regions)',
    '',
    `An organization on moto (the caller's account and two accounts it created), set up with \`setup-all --yes ` +
      `${fleet.join(' ')}\`; then \`status ${fleet.join(' ')}\` against \`status --region R\` for one target. ` +
      `Median of ${runs} runs each; requests from moto's recorder, grouped by the signing key and Region.`,
    '',
    '| run | wall time | HTTP requests |',
    '|---|---:|---:|',
    ...single.map((s) => `| \`status --region ${s.region}\` (one target) | ${ms(s.timeMs)} | ${s.requests} |`),
    `| \`status ${fleet.join(' ')}\` (9 targets) | ${ms(fleetMs)} | ${requests.length} |`,
    '',
    `Requests per target in the fleet run: ${targetCounts.sort((a, b) => a - b).join(', ')} (single-target run: ` +
      `${singleRequests}); fleet-wide: ${overhead} (ListAccounts, one AssumeRole per member account, one ` +
      `ListAccountAliases per account); the caller's home target also carries the run's own ` +
      `GetCallerIdentity. Sum of nine single-target runs (three per Region measured × 3 accounts): ` +
      `${ms(sumSingle)}; the fleet run: ${ms(fleetMs)}.`,
    '',
  ];
  const extra = targetCounts.map((n) => n - singleRequests);
  const targets = [
    [
      'fleet status: requests per target equal the single-target run',
      `${targetCounts.length} targets, ${Math.min(...targetCounts)}–${Math.max(...targetCounts)} requests each ` +
        `(single: ${singleRequests})`,
      targetCounts.length === 9 && extra.filter((d) => d !== 0).length <= 1 && extra.every((d) => d === 0 || d === 1),
    ],
    [
      'fleet status over 9 targets well under (≤ 50% of) the sum of single-target runs',
      `${ms(fleetMs)} vs ${ms(sumSingle)}`,
      fleetMs <= sumSingle / 2,
    ],
  ];
  lines.push(...targets.map(([t, m, ok]) => `- ${t}: ${m} (${ok ? 'met' : '**not met**'})`), '');
  return { lines, targets };
}

// Alone: measure, and replace the Fleet section of BENCHMARKS.md.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const moto = await Moto.start();
  const env = {
    ...process.env,
    AWS_ENDPOINT_URL: moto.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_PROFILE: '',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    CI: 'true',
  };
  let result;
  try {
    result = await benchFleet(moto, env);
  } finally {
    await moto.stop();
  }
  const file = join(root, 'BENCHMARKS.md');
  const md = readFileSync(file, 'utf8');
  const section = `${result.lines.join('\n')}\n`;
  const start = md.indexOf('## Fleet status');
  const next = start < 0 ? -1 : md.indexOf('\n## ', start + 1);
  const updated =
    start >= 0
      ? md.slice(0, start) + section + (next >= 0 ? md.slice(next + 1) : '')
      : md.replace('## Targets', `${section}\n## Targets`);
  writeFileSync(file, updated);
  console.log(result.lines.join('\n'));
  for (const [t, m, ok] of result.targets) console.log(`${ok ? '✔' : '✖'} ${t}: ${m}`);
  process.exit(result.targets.every(([, , ok]) => ok) ? 0 : 1);
}
