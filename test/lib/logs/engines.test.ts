import { afterEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  GetWorkGroupCommand,
} from '@aws-sdk/client-athena';
import {
  BedrockClient,
  GetInferenceProfileCommand,
  GetModelInvocationLoggingConfigurationCommand,
} from '@aws-sdk/client-bedrock';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand as LogsResults,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDims } from '../../../src/lib/logs/dims.js';
import { insightsQueries } from '../../../src/lib/logs/insights.js';
import { runCli } from '../../support/cli.js';
import { logsReportDocSchema, schemaIssues } from '../../support/schemas.js';

/**
 * The logs engines on behaviour moto lacks (Logs Insights stats, Athena states and paging), with aws-sdk-client-mock.
 */

const env = { AWS_REGION: 'us-east-1' };
const WINDOW = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-20T06:00:00Z'];
const now = new Date('2026-11-22T00:00:00Z');

describe('engines that moto cannot run (client mocks)', () => {
  const sts = mockClient(STSClient);
  const bedrock = mockClient(BedrockClient);
  const logs = mockClient(CloudWatchLogsClient);
  const athena = mockClient(AthenaClient);
  const glue = mockClient(GlueClient);
  const cw = mockClient(CloudWatchClient);
  afterEach(() => [sts, bedrock, logs, athena, glue, cw].forEach((m) => m.reset()));
  const arn = 'arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/app1';

  test(
    'logging to CloudWatch Logs only: Logs Insights aggregates (sums per group and model, percentiles per ' +
      'group and overall)',
    async () => {
      sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
      bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
        loggingConfig: {
          cloudWatchConfig: {
            logGroupName: '/aws/bedrock/modelinvocations',
            roleArn: 'arn:aws:iam::111122223333:role/r',
          },
        },
      });
      bedrock.on(GetInferenceProfileCommand).resolves({
        models: [{ modelArn: 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0' }],
      });
      const queries: string[] = [];
      logs.on(StartQueryCommand).callsFake((input: { queryString: string }) => {
        queries.push(input.queryString);
        return { queryId: `q${queries.length}` };
      });
      const f = (o: Record<string, string>) => Object.entries(o).map(([field, value]) => ({ field, value }));
      logs
        .on(LogsResults, { queryId: 'q1' })
        .resolvesOnce({ status: 'Running' })
        .resolves({
          status: 'Complete',
          results: [
            f({
              g0: 'search',
              model: arn,
              invocations: '10',
              input_tokens: '1000000',
              output_tokens: '100000',
              cache_read_tokens: '0',
              cache_write_tokens: '0',
              cache_write_1h_tokens: '',
              errors: '1',
            }),
            f({
              g0: '(none)',
              model: 'meta.llama3-1-70b-instruct-v1:0',
              invocations: '2',
              input_tokens: '10',
              output_tokens: '5',
              errors: '0',
            }),
          ],
        });
      logs.on(LogsResults, { queryId: 'q2' }).resolves({
        status: 'Complete',
        results: [f({ g0: 'search', latency_count: '9', p50: '100', p90: '200', p99: '300' })],
      });
      logs
        .on(LogsResults, { queryId: 'q3' })
        .resolves({ status: 'Complete', results: [f({ latency_count: '9', p50: '100', p90: '200', p99: '300' })] });
      const sleeps: number[] = [];
      const r = await runCli(['report', '--by', 'tag:team', '--no-reconcile', ...WINDOW, '--json'], {
        env,
        now,
        sleep: (ms) => (sleeps.push(ms), Promise.resolve()),
      });
      expect(r.stderr).toContain('Logs Insights percentiles are approximate');
      expect(r.code).toBe(0);
      const rep = r.json();
      expect(schemaIssues(logsReportDocSchema(['tag:team']), rep)).toEqual([]);
      expect(rep.source).toMatchObject({
        engine: 'insights',
        location: 'CloudWatch Logs /aws/bedrock/modelinvocations',
        exactPercentiles: false,
      });
      expect(rep.rows).toEqual([
        // Priced as Claude 3 Haiku: 1M × $0.25 + 0.1M × $1.25.
        {
          'tag:team': 'search',
          invocations: 10,
          inputTokens: 1_000_000,
          outputTokens: 100_000,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          cacheWrite1hTokens: 0,
          errors: 1,
          latencyP50Ms: 100,
          latencyP90Ms: 200,
          latencyP99Ms: 300,
          priced: true,
          costUsd: 0.375,
        },
        {
          'tag:team': '(none)',
          invocations: 2,
          inputTokens: 10,
          outputTokens: 5,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          cacheWrite1hTokens: 0,
          errors: 0,
          latencyP50Ms: null,
          latencyP90Ms: null,
          latencyP99Ms: null,
          // Llama 3.1 70B from the bundled Price List snapshot: 15 tokens × $0.72 per million.
          priced: true,
          costUsd: 0.000011,
        },
      ]);
      expect(rep.skipped.malformedLines).toBeNull();
      expect(sleeps).toEqual([300]);
      const expected = insightsQueries(parseDims('tag:team'), {
        start: new Date('2026-11-20T00:00:00Z'),
        end: new Date('2026-11-20T06:00:00Z'),
      });
      expect(queries).toEqual([expected.sums, expected.latency, expected.total]);
      expect(expected.sums).toContain('count(bm_error) as errors by g0, model');
      expect(expected.latency).toContain('pct(bm_latency, 99) as p99 by g0');
      expect(expected.total).not.toContain(' by ');
      expect(queries[0]).toContain('coalesce(requestMetadata.team, "(none)") as g0');
      expect(queries[0]).toContain('filter schemaType = "ModelInvocationLog"');
    },
  );

  test(
    'logging to CloudWatch Logs only and --engine local: refused ' + '(exit 2), no Logs Insights query started',
    async () => {
      sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
      bedrock.on(GetModelInvocationLoggingConfigurationCommand).resolves({
        loggingConfig: {
          cloudWatchConfig: {
            logGroupName: '/aws/bedrock/modelinvocations',
            roleArn: 'arn:aws:iam::111122223333:role/r',
          },
        },
      });
      const r = await runCli(['report', '--by', 'principal', '--engine', 'local', '--no-reconcile', ...WINDOW], {
        env,
        now,
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        '--engine local reads invocation logs in S3 or a directory, but logging in us-east-1 goes to ' +
          'CloudWatch Logs only',
      );
      expect(logs.commandCalls(StartQueryCommand)).toHaveLength(0);
    },
  );

  test(
    'Athena: polls with a growing delay, pages through results (header on the first page only), reports data ' +
      'scanned',
    async () => {
      sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
      glue
        .on(GetTableCommand)
        .resolves({ Table: { Name: 'invocation_logs', StorageDescriptor: { Location: 's3://b/AWSLogs/' } } });
      athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'qe-1' });
      athena
        .on(GetQueryExecutionCommand)
        .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
        .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
        .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
        .resolves({
          QueryExecution: { Status: { State: 'SUCCEEDED' }, Statistics: { DataScannedInBytes: 5 * 1024 ** 4 } },
        });
      const names = [
        'kind',
        'g0',
        'model',
        'invocations',
        'input_tokens',
        'output_tokens',
        'errors',
        'latency_count',
        'malformed',
      ];
      const row = (vals: (string | undefined)[]) => ({
        Data: vals.map((v) => (v === undefined ? {} : { VarCharValue: v })),
      });
      const ColumnInfo = names.map((Name) => ({ Name, Type: 'varchar' }));
      athena
        .on(GetQueryResultsCommand)
        .resolvesOnce({
          ResultSet: {
            ResultSetMetadata: { ColumnInfo },
            Rows: [
              row(names),
              row(['group', 'u1', 'anthropic.claude-3-haiku-20240307-v1:0', '4', '4000000', '0', '0', '0', '0']),
            ],
          },
          NextToken: 't',
        })
        .resolves({
          ResultSet: {
            ResultSetMetadata: { ColumnInfo },
            Rows: [
              row(['group', 'u2', 'anthropic.claude-3-haiku-20240307-v1:0', '1', '1000000', '0', '1', '0', '0']),
              row(['total', undefined, undefined, '5', '5000000', '0', '1', '0', '3']),
            ],
          },
        });
      const sleeps: number[] = [];
      const r = await runCli(
        ['report', '--by', 'principal', '--engine', 'athena', '--no-reconcile', ...WINDOW, '--json'],
        { env, now, sleep: (ms) => (sleeps.push(ms), Promise.resolve()) },
      );
      expect(r.code).toBe(0);
      const rep = r.json();
      expect(schemaIssues(logsReportDocSchema(['principal']), rep)).toEqual([]);
      expect(sleeps).toEqual([300, 450, 675]);
      expect(rep.rows.map((x: Record<string, unknown>) => [x.principal, x.invocations, x.costUsd])).toEqual([
        ['u1', 4, 1],
        ['u2', 1, 0.25],
      ]);
      expect(rep.source).toMatchObject({ dataScannedBytes: 5 * 1024 ** 4, queryCostUsd: 25, queryExecutionId: 'qe-1' });
      expect(rep.skipped.malformedLines).toBe(3);
      expect(athena.commandCalls(GetQueryResultsCommand)[1]!.args[0].input).toMatchObject({
        QueryExecutionId: 'qe-1',
        NextToken: 't',
        MaxResults: 1000,
      });
    },
  );

  // A workgroup with managed query results "cannot have the ResultConfiguration$OutputLocation parameter"
  // (https://docs.aws.amazon.com/athena/latest/APIReference/API_ManagedQueryResultsConfiguration.html); GetWorkGroup's
  // answer as the API reference documents it (WorkGroup.Configuration.ManagedQueryResultsConfiguration).
  test('Athena: a workgroup with managed query results gets no per-query OutputLocation; others do', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    glue.on(GetTableCommand).resolves({ Table: { Name: 'invocation_logs' } });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'qe-3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena.on(GetQueryResultsCommand).resolves({ ResultSet: { ResultSetMetadata: { ColumnInfo: [] }, Rows: [] } });
    const args = ['report', '--by', 'principal', '--engine', 'athena', '--no-reconcile', ...WINDOW, '--json'];
    athena.on(GetWorkGroupCommand).resolves({
      WorkGroup: {
        Name: 'primary',
        State: 'ENABLED',
        Configuration: { ManagedQueryResultsConfiguration: { Enabled: true }, EnforceWorkGroupConfiguration: true },
      },
    });
    expect((await runCli(args, { env, now })).code).toBe(0);
    const managed = athena.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(managed.WorkGroup).toBe('primary');
    expect(managed.ResultConfiguration).toBeUndefined();
    athena.on(GetWorkGroupCommand).resolves({
      WorkGroup: { Name: 'primary', Configuration: { ResultConfiguration: { OutputLocation: 's3://r/' } } },
    });
    expect((await runCli(args, { env, now })).code).toBe(0);
    const own = athena.commandCalls(StartQueryExecutionCommand)[1]!.args[0].input;
    expect(own.ResultConfiguration?.OutputLocation).toMatch(/^s3:\/\/.+\/$/);
  });

  test('Athena: a failed query is an error with its reason', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    glue.on(GetTableCommand).resolves({ Table: { Name: 'invocation_logs' } });
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'qe-2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: {
        Status: { State: 'FAILED', AthenaError: { ErrorMessage: 'HIVE_BAD_DATA: Error parsing field value' } },
      },
    });
    const r = await runCli(['report', '--by', 'principal', '--engine', 'athena', '--no-reconcile', ...WINDOW], {
      env,
      now,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Athena query qe-2 failed: HIVE_BAD_DATA: Error parsing field value');
  });

  test('reconciliation that cannot be had is a warning, not a failure', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
    cw.on(ListMetricsCommand).rejects(
      Object.assign(new Error('User is not authorized to perform cloudwatch:ListMetrics'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const dir = mkdtempSync(join(tmpdir(), 'bm-rec-'));
    writeFileSync(
      join(dir, 'a.json'),
      '{"schemaType":"ModelInvocationLog","timestamp":"2026-11-20T01:00:00Z",' +
        '"modelId":"anthropic.claude-3-haiku-20240307-v1:0","identity":{"arn":"u"},' +
        '"input":{"inputTokenCount":4000000},"output":{"outputTokenCount":0}}\n',
    );
    const r = await runCli(['report', '--by', 'principal', '--logs', dir, ...WINDOW, '--json'], { env, now });
    expect(r.code).toBe(0);
    expect(r.json().reconciliation).toEqual({
      available: false,
      reason: expect.stringContaining('Access denied'),
      models: [],
    });
    expect(r.json().rows[0]).toMatchObject({ principal: 'u', costUsd: 1 });
    expect(r.stderr).toContain('no reconciliation with CloudWatch');
  });
});
