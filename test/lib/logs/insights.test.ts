import { afterEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { BedrockClient, GetModelInvocationLoggingConfigurationCommand } from '@aws-sdk/client-bedrock';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  type GetQueryResultsCommandOutput,
  type StartQueryCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { roleOfArn } from '../../../src/lib/core/identity.js';
import { parseDims } from '../../../src/lib/logs/dims.js';
import { INSIGHTS_ROW_LIMIT, insightsQueries, limitWarning } from '../../../src/lib/logs/insights.js';
import { priceCachePath, writePriceCache } from '../../../src/lib/pricing/cache-file.js';
import type { RateSet } from '../../../src/lib/pricing/refreshed.js';
import { snapshotTable } from '../../../src/lib/pricing/snapshot.js';
import { emptyDir, runCli } from '../../support/cli.js';
import { checkRun } from '../../support/contracts.js';

/**
 * Issue 20, item 4: the Logs Insights engine.
 *
 * 1. Field discovery is capped: "You can only parse JSON log events that include no more than 200 log event
 *    fields" (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Parse.html; older pages said
 *    100). A record's body flattens into one field per leaf and comes before its token counts in AWS's key order, so
 *    the engine reads every figure from `@message` with `parse … /regex/` instead of discovered fields.
 * 2. StartQuery takes `limit` up to 100,000 (botocore `EventsLimitStartQuery` max 100000;
 *    https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-Limit.html), and GetQueryResults says
 *    how many log events matched (`statistics.recordsMatched`,
 *    https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_QueryStatistics.html).
 *
 * moto 5.2.1 cannot run these queries: its Logs Insights emulation (moto/logs/logs_query/query_parser.py) knows
 * `fields`, `sort` and `limit` only, and returns `@ptr`, `@timestamp`, `@message`, `@logStream` and `@log`, with no
 * `parse`, `filter` or `stats` and no `statistics`. So the query text is checked against a contract instead: each
 * `parse @message /…/` it sends is run, as the regular expression it is, over the JSON text of a record (what
 * `@message` holds), and the `stats` may name only the fields those parses create; the engine's handling of the
 * answer is checked with aws-sdk-client-mock in GetQueryResults' documented shape.
 */

const ARN = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Dev_abc123/jane@example.com';

/**
 * An invocation record in AWS's key order
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html): schemaType … modelId, then
 * `input` with its body before `inputTokenCount`, then `output` likewise. Its Converse request body alone holds
 * `turns` messages and a tool whose schema names a property `inputTokenCount` (an object there, not a count).
 */
function bigRecord(turns: number): Record<string, unknown> {
  const messages = Array.from({ length: turns }, (_v, k) => ({
    role: k % 2 ? 'assistant' : 'user',
    content: [{ text: `turn ${k}: "outputTokenCount": 999 is just text` }],
  }));
  return {
    schemaType: 'ModelInvocationLog',
    schemaVersion: '1.0',
    timestamp: '2026-11-20T01:00:00Z',
    accountId: '111122223333',
    identity: { arn: ARN },
    region: 'us-east-1',
    requestId: '9c2e3f6a-1111-4a2b-8c3d-000000000001',
    operation: 'Converse',
    modelId: 'anthropic.claude-3-haiku-20240307-v1:0',
    input: {
      inputContentType: 'application/json',
      inputBodyJson: {
        messages,
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: 'count',
                inputSchema: { json: { type: 'object', properties: { inputTokenCount: { type: 'integer' } } } },
              },
            },
          ],
        },
        inferenceConfig: { maxTokens: 512 },
      },
      inputTokenCount: 123_456,
      cacheReadInputTokenCount: 2_000,
      cacheWriteInputTokenCount: 300,
    },
    output: {
      outputContentType: 'application/json',
      outputBodyJson: {
        output: { message: { role: 'assistant', content: [{ text: 'ok' }] } },
        stopReason: 'end_turn',
        metrics: { latencyMs: 2_345 },
        usage: { inputTokens: 123_456, outputTokens: 789, totalTokens: 124_245 },
      },
      outputTokenCount: 789,
    },
  };
}

/** The leaf fields a JSON document flattens into (`a.b.0.c`), in document order. */
function flatten(v: unknown, path = ''): string[] {
  if (v !== null && typeof v === 'object')
    return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => flatten(x, path ? `${path}.${k}` : k));
  return [path];
}

/** The `parse @message /…/` commands of a query, as JavaScript regular expressions (`\/` is `/` in both). */
function messageParses(query: string): RegExp[] {
  return query
    .split(' | ')
    .filter((c) => c.startsWith('parse @message /'))
    .map((c) => new RegExp(c.slice('parse @message /'.length, -1)));
}

/** What the parses extract from one log event's @message: named groups of each matching expression. */
function extract(query: string, message: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const re of messageParses(query)) Object.assign(out, re.exec(message)?.groups ?? {});
  return out;
}

const WINDOW = { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-20T06:00:00Z') };

describe('the figures come from @message, not from discovered fields', () => {
  const record = bigRecord(120);
  const message = JSON.stringify(record);
  const fields = flatten(record);

  test('the record: its request body alone flattens into more than 200 fields, before its token counts', () => {
    const body = flatten((record.input as Record<string, unknown>).inputBodyJson);
    expect(body.length).toBeGreaterThan(200);
    expect(fields.indexOf('input.inputTokenCount')).toBeGreaterThan(200);
    expect(fields.indexOf('output.outputTokenCount')).toBeGreaterThan(200);
    expect(fields.indexOf('output.outputBodyJson.metrics.latencyMs')).toBeGreaterThan(200);
    // The top-level keys still read as discovered fields come first.
    for (const k of ['schemaType', 'modelId', 'operation', 'accountId', 'region'])
      expect(fields.indexOf(k)).toBeLessThan(200);
  });

  test.each([['principal'], ['role'], ['model'], ['tag:team']])(
    '--by %s: every parse reads its value from the message, and the stats name only parsed fields',
    (by) => {
      const q = insightsQueries(parseDims(by), WINDOW);
      const sums = extract(q.sums, message);
      expect(sums).toMatchObject({
        bm_arn: ARN,
        bm_in: '123456',
        bm_out: '789',
        bm_cache_read: '2000',
        bm_cache_write: '300',
        bm_latency: '2345',
      });
      expect(sums.bm_error).toBeUndefined();
      if (by === 'role') expect(sums.role0).toBe(roleOfArn(ARN));
      expect(extract(q.total, message)).toEqual({ bm_latency: '2345' });
      // No figure or identity is read from a discovered (flattened) field any more.
      for (const text of [q.sums, q.latency, q.total])
        expect(text).not.toMatch(/\b(input|output|identity)\.[A-Za-z]|\berrorCode\b(?!")/);
      expect(q.sums).toContain(
        'stats count(*) as invocations, sum(bm_in) as input_tokens, sum(bm_out) as output_tokens, ' +
          'sum(bm_cache_read) as cache_read_tokens, sum(bm_cache_write) as cache_write_tokens, ' +
          'sum(bm_cache_1h) as cache_write_1h_tokens, count(bm_error) as errors by g0, model',
      );
      expect(q.latency).toContain('filter ispresent(bm_latency) and not ispresent(bm_error)');
    },
  );

  test("an error record, Anthropic's 1-hour cache writes, and the role of every kind of caller", () => {
    const q = insightsQueries(parseDims('role'), WINDOW);
    const failed = JSON.stringify({ ...bigRecord(3), errorCode: 'ThrottlingException', output: undefined });
    expect(extract(q.sums, failed)).toMatchObject({ bm_error: 'ThrottlingException', bm_in: '123456' });
    const anthropic = bigRecord(1);
    (anthropic.output as { outputBodyJson: unknown }).outputBodyJson = {
      usage: { cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 290 } },
    };
    expect(extract(q.sums, JSON.stringify(anthropic)).bm_cache_1h).toBe('290');
    for (const arn of [
      ARN,
      'arn:aws:sts::111122223333:assumed-role/R/i-0123456789abcdef0',
      'arn:aws:iam::111122223333:user/alice',
      'arn:aws:sts::111122223333:assumed-role/NoSession',
    ]) {
      const got = extract(q.sums, JSON.stringify({ ...bigRecord(1), identity: { arn } }));
      // The query's role: the parsed role, else the caller's ARN (coalesce(role0, bm_arn, …)).
      expect(got.role0 ?? got.bm_arn).toBe(roleOfArn(arn));
    }
  });
});

// One mock per client for the file (a second mockClient of the same class would replace the first's stubs).
const sts = mockClient(STSClient);
const bedrock = mockClient(BedrockClient);
const logs = mockClient(CloudWatchLogsClient);
afterEach(() => [sts, bedrock, logs].forEach((m) => m.reset()));

describe('the row limit is the API maximum, and a cut result says by how much', () => {
  test('the warning names the groups returned, the records they hold and the records matched', () => {
    expect(limitWarning(99_999, 5, 5)).toEqual([]);
    expect(limitWarning(INSIGHTS_ROW_LIMIT, 100_000, 123_456)).toEqual([
      'Logs Insights returned its limit of 100,000 groups covering 100,000 of 123,456 matched records (23,456 ' +
        'records left out): the report is incomplete; use fewer dimensions or a shorter window',
    ]);
  });

  test('report --by principal: StartQuery asks for 100,000 rows; 100,000 groups of 123,456 records', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
      loggingConfig: {
        cloudWatchConfig: {
          logGroupName: '/aws/bedrock/modelinvocations',
          roleArn: 'arn:aws:iam::111122223333:role/r',
        },
      },
    });
    const inputs: StartQueryCommandInput[] = [];
    logs.on(StartQueryCommand).callsFake((input: StartQueryCommandInput) => {
      inputs.push(input);
      return { queryId: `q${inputs.length}` };
    });
    // GetQueryResults as documented: results (rows of {field, value}), statistics, status.
    const sums: GetQueryResultsCommandOutput['results'] = Array.from({ length: INSIGHTS_ROW_LIMIT }, (_v, k) => [
      { field: 'g0', value: `arn:aws:iam::111122223333:user/u${k}` },
      { field: 'model', value: 'anthropic.claude-3-haiku-20240307-v1:0' },
      { field: 'invocations', value: '1' },
      { field: 'input_tokens', value: '10' },
      { field: 'output_tokens', value: '1' },
      { field: 'errors', value: '0' },
    ]);
    const stats = { recordsMatched: 123_456, recordsScanned: 200_000, bytesScanned: 9e8 };
    logs
      .on(GetQueryResultsCommand, { queryId: 'q1' })
      .resolves({ status: 'Complete', results: sums, statistics: stats });
    logs.on(GetQueryResultsCommand, { queryId: 'q2' }).resolves({ status: 'Complete', results: [], statistics: stats });
    logs.on(GetQueryResultsCommand, { queryId: 'q3' }).resolves({ status: 'Complete', results: [], statistics: stats });
    const r = await runCli(
      [
        'report',
        '--by',
        'principal',
        '--no-reconcile',
        '--since',
        '2026-11-20T00:00:00Z',
        '--until',
        '2026-11-20T06:00:00Z',
        '--json',
      ],
      { env: { AWS_REGION: 'us-east-1' }, now: new Date('2026-11-22T00:00:00Z') },
    );
    expect(r.code).toBe(0);
    expect(inputs.map((i) => i.limit)).toEqual([100_000, 100_000, 100_000]);
    // The mocked client bypasses the request recording: the queries are checked against the contract rules here.
    expect(checkRun(inputs.map((input) => ({ service: 'CloudWatch Logs', operation: 'StartQuery', input })))).toEqual(
      [],
    );
    expect(inputs[0]!.queryString).toContain('| limit 100000');
    const rep = r.json<{ warnings: string[]; totals: { invocations: number } }>();
    expect(rep.totals.invocations).toBe(100_000);
    expect(rep.warnings).toContain(
      'Logs Insights returned its limit of 100,000 groups covering 100,000 of 123,456 matched records (23,456 ' +
        'records left out): the report is incomplete; use fewer dimensions or a shorter window',
    );
  }, 60_000);
});

describe('the sums are per Region and UTC day too, for pricing', () => {
  test("each row priced with its Region's table at its day's rate, summed into the principal's row", async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
      loggingConfig: {
        cloudWatchConfig: {
          logGroupName: '/aws/bedrock/modelinvocations',
          roleArn: 'arn:aws:iam::111122223333:role/r',
        },
      },
    });
    // eu-west-1's own table: twice the us-east-1 snapshot's rates from 2026-11-21, the snapshot's before.
    const env = { AWS_REGION: 'us-east-1', XDG_CACHE_HOME: emptyDir() };
    const snap = snapshotTable('us-east-1')!;
    const twice = (r: RateSet | undefined): RateSet | undefined =>
      r && (Object.fromEntries(Object.entries(r).map(([f, v]) => [f, v * 2])) as RateSet);
    writePriceCache(priceCachePath(env, 'eu-west-1')!, {
      ...snap,
      source: 'AWS Price List API (GetProducts)',
      region: 'eu-west-1',
      fetchedAt: '2026-11-21T12:00:00.000Z',
      models: snap.models.map((m) => ({
        ...m,
        regional: twice(m.regional),
        global: twice(m.global),
        history: [{ until: '2026-11-21', regional: m.regional, global: m.global }],
      })),
    });
    const inputs: StartQueryCommandInput[] = [];
    logs.on(StartQueryCommand).callsFake((input: StartQueryCommandInput) => {
      inputs.push(input);
      return { queryId: `q${inputs.length}` };
    });
    // Rows as GetQueryResults gives them: datefloor(@timestamp, 1d) in Logs Insights' own date form.
    const row = (region: string, day: string): { field: string; value: string }[] => [
      { field: 'g0', value: 'arn:aws:iam::111122223333:user/u' },
      { field: 'model', value: 'anthropic.claude-3-haiku-20240307-v1:0' },
      { field: 't_region', value: region },
      { field: 'p_day', value: `${day} 00:00:00.000` },
      { field: 'invocations', value: '1' },
      { field: 'input_tokens', value: '1000000' },
      { field: 'output_tokens', value: '0' },
      { field: 'errors', value: '0' },
    ];
    const stats = { recordsMatched: 3, recordsScanned: 3, bytesScanned: 3000 };
    logs.on(GetQueryResultsCommand, { queryId: 'q1' }).resolves({
      status: 'Complete',
      results: [row('us-east-1', '2026-11-21'), row('eu-west-1', '2026-11-20'), row('eu-west-1', '2026-11-21')],
      statistics: stats,
    });
    logs.on(GetQueryResultsCommand, { queryId: 'q2' }).resolves({ status: 'Complete', results: [], statistics: stats });
    logs.on(GetQueryResultsCommand, { queryId: 'q3' }).resolves({ status: 'Complete', results: [], statistics: stats });
    const window = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-22T00:00:00Z'];
    const r = await runCli(['report', '--by', 'principal', '--no-reconcile', ...window, '--json'], {
      env,
      now: new Date('2026-11-22T01:00:00Z'),
    });
    expect(r.code).toBe(0);
    expect(inputs[0]!.queryString).toContain(
      'coalesce(region, "(unknown)") as t_region, datefloor(@timestamp, 1d) as p_day',
    );
    expect(inputs[0]!.queryString).toContain('by g0, model, t_region, p_day');
    expect(checkRun(inputs.map((input) => ({ service: 'CloudWatch Logs', operation: 'StartQuery', input })))).toEqual(
      [],
    );
    // Claude 3 Haiku's input: $0.25 per million in the snapshot (us-east-1); eu-west-1 $0.25 on the 20th, $0.50 on
    // the 21st.
    expect(snap.models.find((m) => m.name.includes('Claude 3 Haiku'))?.regional?.input).toBe(0.25);
    const rep = r.json<{ rows: { invocations: number; costUsd: number }[] }>();
    expect(rep.rows).toHaveLength(1);
    expect(rep.rows[0]).toMatchObject({ invocations: 3, costUsd: 1 });
  }, 60_000);
});
