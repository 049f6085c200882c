#!/usr/bin/env node
// npm run bench: measures bedrock-monitor against the local emulator and writes BENCHMARKS.md.
// Request counts come from moto's request recorder; times are wall-clock medians of whole CLI runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem, type as osType, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Moto } from '../.build/test/support/emulator.js';
import { putMetrics, seedingClients, syntheticUsage } from '../.build/test/support/synthetic.js';
import { cloudTrailCorpus, writeCorpus } from '../.build/test/support/cloudtrail.js';
import { benchLogs } from './bench-logs.mjs';
import { benchFleet } from './bench-fleet.mjs';

// The seeding clients are built here, outside the CLI: keep the SDK's Node-version notice off the script's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(root, 'bin/bedrock-monitor.js');
const REGION = 'us-east-1';
const RUNS = Number(process.env.BENCH_RUNS ?? 5);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (n) => `${Math.round(n)} ms`;

function timed(args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { env, encoding: 'utf8' });
  const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && !args.includes('status')) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return elapsed;
}

const moto = await Moto.start();
const env = {
  ...process.env,
  AWS_ENDPOINT_URL: moto.url,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_PROFILE: '',
  AWS_CONFIG_FILE: '/nonexistent',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  CI: 'true',
};
const cli = (...args) => [BIN, ...args];

/** Runs `prepare` then the measured command RUNS times; returns median time and the requests of the last run. */
async function measure(name, prepare, args, runs = RUNS) {
  const times = [];
  let requests = [];
  for (let i = 0; i < runs; i++) {
    await prepare();
    await moto.startRecording();
    times.push(timed(cli(...args), env));
    requests = await moto.stopRecording();
  }
  const writes = requests.filter((r) => r.write).length;
  const calls = new Set(requests.map((r) => r.invocation)).size;
  const callsOf = (op) => new Set(requests.filter((r) => r.operation === op).map((r) => r.invocation)).size;
  const getMetricData = callsOf('GetMetricData');
  const listMetrics = callsOf('ListMetrics');
  const row = {
    name,
    timeMs: median(times),
    calls,
    requests: requests.length,
    reads: requests.length - writes,
    writes,
    getMetricData,
    listMetrics,
  };
  console.error(
    `${name}: ${ms(row.timeMs)}, ${row.calls} calls, ${row.requests} HTTP requests (${row.reads} reads, ` +
      `${row.writes} writes)`,
  );
  return row;
}

const rows = [];
let logs = { targets: [], lines: [] };
let fleet = { targets: [], lines: [] };
try {
  rows.push(
    await measure('setup-all --yes, empty account', () => moto.reset(), [
      'setup-all',
      '--yes',
      '--email',
      'oncall@example.com',
    ]),
  );
  rows.push(
    await measure('setup-all --yes, converged account', async () => undefined, [
      'setup-all',
      '--yes',
      '--email',
      'oncall@example.com',
    ]),
  );
  rows.push(
    await measure(
      'cleanup --yes (after setup-all)',
      async () => {
        await moto.reset();
        timed(cli('setup-all', '--yes', '--email', 'oncall@example.com'), env);
      },
      ['cleanup', '--yes'],
      3,
    ),
  );
  for (const n of [5, 50, 200]) {
    // 9 count/average figures and 5 percentiles per model, in separate batches of up to 500 queries.
    const expectedCalls = Math.ceil((9 * n) / 500) + Math.ceil((5 * n) / 500);
    // The models are found by one ListMetrics listing, 500 metrics a page (10 seeded metrics per model).
    const expectedListings = Math.ceil((10 * n) / 500);
    rows.push({
      expectedCalls,
      expectedListings,
      ...(await measure(
        `report --hours 24, ${n} models`,
        async () => {
          await moto.reset();
          const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
          const models = Array.from({ length: n }, (_, i) => `anthropic.claude-3-haiku-20240307-v${i + 1}:0`);
          // One datapoint per model and metric: moto evaluates GetMetricData in Python, linearly in
          // datapoints × queries, so richer data measures the emulator rather than bedrock-monitor.
          await putMetrics(
            seedingClients(moto.url, REGION).cw,
            syntheticUsage(models, new Date(end.getTime() - 2 * 3_600_000), new Date(end.getTime() - 3_600_000), 60),
          );
        },
        ['report', '--hours', '24', '--json'],
        3,
      )),
    });
  }
  // Who spent what: the invocation-log engines on a 1 GB corpus (see scripts/bench-logs.mjs).
  logs = await benchLogs({ root, moto, env });
  // Fleet status over 3 accounts × 3 Regions (see scripts/bench-fleet.mjs).
  fleet = await benchFleet(moto, env);
} finally {
  await moto.stop();
}

// Start-up: no emulator involved. The three commands take turns in every round, so that drift in
// the machine's load (moto has just been stopped) weighs on all of them alike.
const startupCommands = [
  ['node -e 0', ['-e', '0']],
  ['bedrock-monitor --version', cli('--version')],
  ['bedrock-monitor --help', cli('--help')],
];
const startupTimes = Object.fromEntries(startupCommands.map(([label]) => [label, []]));
for (let round = 0; round < 24; round++) {
  for (const [label, args] of startupCommands) {
    const t = timed(args, env);
    if (round >= 3) startupTimes[label].push(t); // the first rounds warm the file cache
  }
}
const startup = Object.fromEntries(Object.entries(startupTimes).map(([k, v]) => [k, median(v)]));
const startupMin = Object.fromEntries(Object.entries(startupTimes).map(([k, v]) => [k, Math.min(...v)]));
const bare = startup['node -e 0'];

// audit --source trail over a directory of synthetic CloudTrail files: no emulator, no request.
const auditRows = [];
for (const calls of [10_000, 100_000]) {
  const dir = mkdtempSync(join(tmpdir(), 'bm-bench-trail-'));
  const end = new Date();
  const corpus = cloudTrailCorpus({
    account: '123456789012',
    region: REGION,
    start: new Date(end.getTime() - 24 * 3_600_000),
    end,
    calls,
  });
  writeCorpus(dir, corpus.files);
  const times = [0, 1, 2].map(() => timed(cli('audit', '--logs', dir, '--hours', '24', '--json'), env));
  auditRows.push({ calls, records: corpus.records.length, files: corpus.files.length, timeMs: median(times) });
  rmSync(dir, { recursive: true, force: true });
  console.error(`audit --logs DIR, ${calls} calls per window: ${ms(median(times))}`);
}
const recordsPerSecond = (r) => Math.round(r.records / (r.timeMs / 1000));

const get = (prefix) => rows.find((r) => r.name.startsWith(prefix));
const converged = get('setup-all --yes, converged');
const empty = get('setup-all --yes, empty');
const reports = rows.filter((r) => r.name.startsWith('report'));
const targets = [
  ['converged setup-all makes 0 writes', `${converged.writes} writes`, converged.writes === 0],
  ['converged setup-all makes at most 20 requests', `${converged.requests} requests`, converged.requests <= 20],
  ['setup-all on an empty account under 2 s', ms(empty.timeMs), empty.timeMs < 2000],
  [
    'report: no per-model requests: one ListMetrics page per 500 metrics, one GetMetricData call per 500 ' +
      'queries, nothing else',
    reports
      .map(
        (r) =>
          `${r.listMetrics} ListMetrics + ${r.getMetricData} GetMetricData (expected ${r.expectedListings} + ` +
          `${r.expectedCalls})`,
      )
      .join(', '),
    reports.every(
      (r) =>
        r.getMetricData === r.expectedCalls &&
        r.listMetrics === r.expectedListings &&
        r.calls === r.listMetrics + r.getMetricData,
    ),
  ],
  // Start-up (node, DuckDB) dominates small directories: the rate is a target for the large one.
  [
    'audit over CloudTrail files, 100,000 calls per window: at least 50,000 records per second',
    `${recordsPerSecond(auditRows.at(-1)).toLocaleString('en-US')}/s`,
    recordsPerSecond(auditRows.at(-1)) >= 50_000,
  ],
  [
    '--help within 2× bare node',
    `${(startup['bedrock-monitor --help'] / bare).toFixed(2)}×`,
    startup['bedrock-monitor --help'] / bare <= 2,
  ],
  ...logs.targets,
  ...fleet.targets,
];

const cpu = cpus()[0]?.model ?? 'unknown CPU';
const motoVersion = spawnSync('python3', ['-c', 'import moto; print(moto.__version__)'], {
  encoding: 'utf8',
}).stdout.trim();
const lines = [
  '# Benchmarks',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} with \`npm run bench\` (scripts/bench.mjs), against ` +
    `moto ${motoVersion} server on loopback.`,
  `Machine: ${cpu}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${osType()} ` +
    `${release()}, Node ${process.version}.`,
  '',
  'Wall time is the median of whole CLI runs (a fresh `node` process each, start-up included); request ' +
    'counts come from',
  "moto's request recorder: *HTTP requests* is every request the run sent (SDK retries included), split into reads and",
  'writes; *calls* counts distinct SDK invocations (a request and its retries once).',
  '',
  '| scenario | wall time | calls | HTTP requests | reads | writes |',
  '|---|---:|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${ms(r.timeMs)} | ${r.calls} | ${r.requests} | ${r.reads} | ${r.writes} |`),
  '',
  '## CLI start-up',
  '',
  'The three commands take turns, 21 measured rounds after 3 warm-up rounds.',
  '',
  '| command | median | vs bare node | fastest | vs bare node |',
  '|---|---:|---:|---:|---:|',
  ...Object.entries(startup).map(
    ([k, v]) =>
      `| \`${k}\` | ${ms(v)} | ${(v / bare).toFixed(2)}× | ${ms(startupMin[k])} | ` +
      `${(startupMin[k] / startupMin['node -e 0']).toFixed(2)}× |`,
  ),
  '',
  '## audit over CloudTrail files',
  '',
  'SYNTHETIC CloudTrail files (test/support/cloudtrail.ts) in a directory: the window and the previous one, plus noise',
  '(other services, another Region, older calls); `audit --logs DIR --hours 24 --json`, median of 3 runs.',
  '',
  '| Bedrock calls per window | CloudTrail records | files | wall time | records per second |',
  '|---:|---:|---:|---:|---:|',
  ...auditRows.map(
    (r) =>
      `| ${r.calls.toLocaleString('en-US')} | ${r.records.toLocaleString('en-US')} | ${r.files} | ` +
      `${ms(r.timeMs)} | ${recordsPerSecond(r).toLocaleString('en-US')} |`,
  ),
  '',
  ...logs.lines,
  ...fleet.lines,
  '## Targets',
  '',
  '| target | measured | met |',
  '|---|---|---|',
  ...targets.map(([t, m, ok]) => `| ${t.replace(/\|/g, '\\|')} | ${m} | ${ok ? 'yes' : '**no**'} |`),
  '',
  '## How these compare with the scripts bedrock-monitor replaces',
  '',
  'The original shell scripts (per their issue descriptions) made 49 requests and 12 writes on every re-run of the',
  'logging steps, and their setup took 39 s on a local emulator with 50 requests, 13 of them the same identity call',
  '(fixed sleeps). bedrock-monitor asks STS once per run, writes nothing when nothing differs, and waits only when',
  'Bedrock reports that IAM has not propagated yet (never on an emulator).',
  '',
  'The report makes no request per model: one ListMetrics listing (a page per 500 metrics; 10 per model ' +
    'here), then one GetMetricData call per 500',
  'queries (9 count/average figures and 5 percentiles per model, in separate batches so that a failed percentile batch',
  'only blanks those figures). moto answers percentile queries with HTTP 500 and the SDK retries them, so ' +
    'each GetMetricData',
  'call above is counted once and the recorder also lists its retries. Report wall time on moto is dominated by moto',
  "itself (it evaluates GetMetricData in Python, linearly in datapoints × queries); bedrock-monitor's own work is the",
  'requests above, which grow by pages of 500, not by models. The old report made one call per model per metric.',
  '',
];
writeFileSync(join(root, 'BENCHMARKS.md'), lines.join('\n'));

console.log(lines.slice(9, 9 + rows.length + 2).join('\n'));
console.log();
for (const [t, m, ok] of targets) console.log(`${ok ? '✔' : '✖'} ${t}: ${m}`);
console.log('\nWrote BENCHMARKS.md');
process.exit(targets.every(([, , ok]) => ok) ? 0 : 1);
