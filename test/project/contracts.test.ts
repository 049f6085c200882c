import { describe, expect, test } from '@jest/globals';
import { resolveSettings } from '../../src/lib/config/settings.js';
import { alarmSpecs, anyOf, insights, type AlarmSpec } from '../../src/lib/resources/alarm-specs.js';
import { dashboardBody, search } from '../../src/lib/resources/dashboard.js';
import { anomalySpec } from '../../src/lib/resources/anomaly-alarms.js';
import { ruleDefinition, ruleSpecs } from '../../src/lib/resources/insight-rules.js';
import { bundledPriceTable } from '../../src/lib/pricing/table.js';
import { priceFor } from '../../src/lib/pricing/price.js';
import {
  checkDashboardBody,
  checkRequest,
  checkRun,
  RULES,
  validateWithBotocore,
  type Sent,
  type Violation,
} from '../support/contracts.js';
import { ALL_MODEL_IDS, exactMatch, MODEL_IDS, partialMatch, tokens } from '../support/search-syntax.js';
import { emptyDir } from '../support/cli.js';
import { parseDims } from '../../src/lib/logs/dims.js';
import { insightsQueries } from '../../src/lib/logs/insights.js';
import { aggregationSql, ATHENA } from '../../src/lib/logs/sql.js';
import { glueColumns } from '../../src/lib/logs/schema.js';
import { tableInput, tableLocation } from '../../src/lib/resources/athena-table.js';
import { CUR_COLUMNS, curTableInput } from '../../src/lib/bill/cur-athena.js';
import { curAggregateSql, CUR_ATHENA } from '../../src/lib/bill/cur.js';

/**
 * The contract checks themselves: each rule catches the mistake it is there for (the shapes this
 * tool used to send among them), and what the tool builds today passes every rule.
 */

const rulesOf = (vs: Violation[]): string[] => [...new Set(vs.map((v) => v.rule))];
const alarm = (Metrics: unknown[], extra: Record<string, unknown> = {}): Sent => ({
  service: 'CloudWatch',
  operation: 'PutMetricAlarm',
  input: {
    AlarmName: 'Bedrock-X',
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanThreshold',
    Metrics,
    ...extra,
  },
});
const mi = (metric: string, id = 'q', fn = 'SUM') => ({
  Id: id,
  Expression: `SELECT ${fn}(${metric}) FROM SCHEMA("AWS/Bedrock", ModelId)`,
  Period: 3600,
  ReturnData: false,
});
const dashboard = (metrics: unknown[][]): string =>
  JSON.stringify({ widgets: [{ type: 'metric', properties: { title: 'g', metrics } }] });
const dashboardRules = (body: string): string[] => {
  const found: string[] = [];
  checkDashboardBody(body, (rule) => found.push(RULES[rule].text));
  return [...new Set(found)];
};

async function settings(extra: Record<string, unknown> = {}) {
  const dir = emptyDir();
  const { writeFileSync } = await import('node:fs');
  writeFileSync(`${dir}/bedrock-monitor.config.json`, JSON.stringify(extra));
  return resolveSettings({}, {}, { AWS_REGION: 'us-east-1' }, () => Promise.resolve(undefined), dir);
}

describe('alarm rules', () => {
  test('two Metrics Insights queries joined by math (the old HighTokenUsage) break the one-query rule', () => {
    const old = alarm([
      mi('InputTokenCount', 'input'),
      mi('OutputTokenCount', 'output'),
      { Id: 'tokens', Expression: 'FILL(input, 0) + FILL(output, 0)', ReturnData: true },
    ]);
    expect(rulesOf(checkRequest(old))).toEqual([RULES.oneInsightsQuery.text]);
  });

  test('math over one Metrics Insights query passes', () => {
    expect(
      checkRequest(
        alarm([mi('InputTokenCount', 'tokens'), { Id: 'usd', Expression: 'tokens * 3 / 1000000', ReturnData: true }]),
      ),
    ).toEqual([]);
  });

  test('SEARCH in an alarm is refused', () => {
    const r = alarm([
      {
        Id: 's',
        Expression: "SUM(SEARCH('{AWS/Bedrock,ModelId} MetricName=\"Invocations\"', 'Sum', 300))",
        Period: 300,
        ReturnData: true,
      },
    ]);
    expect(rulesOf(checkRequest(r))).toEqual([RULES.noSearchInAlarms.text]);
  });

  test('an omitted ReturnData counts as true: two results are one too many', () => {
    const r = alarm([
      { ...mi('Invocations', 'a'), ReturnData: undefined },
      { Id: 'b', Expression: 'a * 2' },
    ]);
    expect(rulesOf(checkRequest(r))).toEqual([RULES.oneReturnData.text]);
  });

  test('Ids must start with a lowercase letter and be unique', () => {
    expect(rulesOf(checkRequest(alarm([{ ...mi('Invocations', 'Total'), ReturnData: true }])))).toEqual([
      RULES.queryId.text,
    ]);
    expect(
      rulesOf(
        checkRequest(
          alarm([
            { ...mi('Invocations', 'a'), ReturnData: true },
            { Id: 'a', Expression: 'a', ReturnData: false },
          ]),
        ),
      ),
    ).toContain(RULES.queryId.text);
  });

  test('an expression-only query without its own Period is refused', () => {
    expect(rulesOf(checkRequest(alarm([{ ...mi('Invocations'), Period: undefined, ReturnData: true }])))).toEqual([
      RULES.expressionPeriod.text,
    ]);
  });

  test('an MI alarm evaluating more than 3 hours is refused', () => {
    expect(
      rulesOf(
        checkRequest(
          alarm([{ ...mi('Invocations'), ReturnData: true }], { EvaluationPeriods: 4, DatapointsToAlarm: 4 }),
        ),
      ),
    ).toEqual([RULES.insightsWindow.text]);
  });

  test('the Converse field names are not metric names; a sum of latencies means nothing', () => {
    expect(rulesOf(checkRequest(alarm([{ ...mi('CacheReadInputTokens'), ReturnData: true }])))).toEqual([
      RULES.bedrockMetric.text,
    ]);
    expect(rulesOf(checkRequest(alarm([{ ...mi('InvocationLatency'), ReturnData: true }])))).toEqual([
      RULES.bedrockMetric.text,
    ]);
    expect(checkRequest(alarm([{ ...mi('InvocationLatency', 'q', 'AVG'), ReturnData: true }]))).toEqual([]);
  });

  test('a composite alarm put before the children it names is refused; one composite per DeleteAlarms', () => {
    const composite: Sent = {
      service: 'CloudWatch',
      operation: 'PutCompositeAlarm',
      input: { AlarmName: 'P', AlarmRule: anyOf(['Bedrock-X']) },
    };
    expect(rulesOf(checkRun([composite, alarm([{ ...mi('Invocations'), ReturnData: true }])]))).toEqual([
      RULES.compositeRule.text,
    ]);
    expect(checkRun([alarm([{ ...mi('Invocations'), ReturnData: true }]), composite])).toEqual([]);
    const other: Sent = {
      service: 'CloudWatch',
      operation: 'PutCompositeAlarm',
      input: { AlarmName: 'Q', AlarmRule: anyOf(['Bedrock-X']) },
    };
    const both: Sent = { service: 'CloudWatch', operation: 'DeleteAlarms', input: { AlarmNames: ['P', 'Q'] } };
    expect(rulesOf(checkRun([composite, other, both]))).toEqual([RULES.deleteAlarms.text]);
  });

  test.each([
    ['defaults', {}],
    ['with a cost threshold', { alarms: { thresholds: { costUsdPerHour: 20 } } }],
  ])('every alarm the tool builds passes (%s)', async (_n, config) => {
    const specs: AlarmSpec[] = alarmSpecs(await settings(config));
    const sent: Sent[] = specs.map((s) =>
      s.kind === 'metric'
        ? alarm(s.metrics, { AlarmName: s.name, AlarmDescription: s.description })
        : {
            service: 'CloudWatch',
            operation: 'PutCompositeAlarm',
            input: { AlarmName: s.name, AlarmRule: anyOf(s.children), AlarmDescription: s.description },
          },
    );
    // In the order setup writes them: children first.
    const ordered = [
      ...sent.filter((s) => s.operation === 'PutMetricAlarm'),
      ...sent.filter((s) => s.operation === 'PutCompositeAlarm'),
    ];
    expect(checkRun(ordered)).toEqual([]);
    for (const s of specs) expect(s.description.length).toBeLessThanOrEqual(1024);
  });
});

describe('dashboard rules', () => {
  test('the body the tool writes passes every rule', () => {
    expect(dashboardRules(JSON.stringify(dashboardBody('us-east-1', '/aws/bedrock/modelinvocations')))).toEqual([]);
  });

  test('a double-quoted partial model name (the old cost widget) is refused', () => {
    const old = 'SEARCH(\'{AWS/Bedrock,ModelId} MetricName="InputTokenCount" "claude-opus-4-6"\', \'Sum\', 3600)';
    expect(dashboardRules(dashboard([[{ expression: `SUM(${old})`, id: 'c' }]]))).toEqual([RULES.searchQuotes.text]);
  });

  test('outside AWS/Bedrock a quoted whole metric name is fine; a quoted partial value is not', () => {
    const guardrails =
      'SEARCH(\'{AWS/Bedrock/Guardrails,GuardrailArn,GuardrailVersion} MetricName="InvocationsIntervened"\', ' +
      "'Sum', 300)";
    expect(dashboardRules(dashboard([[{ expression: guardrails, id: 'g' }]]))).toEqual([]);
    const partial =
      'SEARCH(\'{AWS/Bedrock/Guardrails,GuardrailArn,GuardrailVersion} MetricName="InvocationsIntervened" ' +
      "\"my-guard\"', 'Sum', 300)";
    expect(dashboardRules(dashboard([[{ expression: partial, id: 'g' }]]))).toEqual([RULES.searchQuotes.text]);
  });

  test('a number that is not a whole token matches no model (claude-opus-4-2025)', () => {
    expect(
      dashboardRules(
        dashboard([[{ expression: `SUM(${search('InputTokenCount', 'Sum', 3600, 'claude-opus-4-2025')})`, id: 'c' }]]),
      ),
    ).toEqual([RULES.searchModelTerm.text]);
  });

  test('the old cache metric names are refused', () => {
    expect(dashboardRules(dashboard([[{ expression: search('CacheReadInputTokens', 'Sum', 300), id: 'c' }]]))).toEqual([
      RULES.bedrockMetric.text,
    ]);
  });

  test('limits: 100 SEARCH per graph, 500 metrics per graph, 2,500 per dashboard, one MI query per graph', () => {
    const row = (i: number) => [{ expression: search('Invocations', 'Sum', 300), id: `s${i}` }];
    expect(dashboardRules(dashboard(Array.from({ length: 100 }, (_, i) => row(i))))).toEqual([]);
    expect(dashboardRules(dashboard(Array.from({ length: 101 }, (_, i) => row(i))))).toEqual([
      RULES.searchPerGraph.text,
    ]);
    const plain = (i: number) => ['AWS/Bedrock', 'Invocations', 'ModelId', `m${i}`];
    expect(dashboardRules(dashboard(Array.from({ length: 501 }, (_, i) => plain(i))))).toEqual([
      RULES.metricsPerWidget.text,
    ]);
    const widgets = Array.from({ length: 6 }, () => ({
      type: 'metric',
      properties: { title: 'g', metrics: Array.from({ length: 450 }, (_, i) => plain(i)) },
    }));
    expect(dashboardRules(JSON.stringify({ widgets }))).toEqual([RULES.metricsPerDashboard.text]);
    const q = (id: string) => [{ expression: insights(id, 'SUM', 'invocations', 300, 'x', true).Expression, id }];
    expect(dashboardRules(dashboard([q('a'), q('b')]))).toEqual([RULES.oneInsightsQuery.text]);
  });
});

describe('logging configuration and bucket encryption rules', () => {
  const logging = (extra: Record<string, unknown>): Sent => ({
    service: 'Bedrock',
    operation: 'PutModelInvocationLoggingConfiguration',
    input: {
      loggingConfig: {
        s3Config: { bucketName: 'b', keyPrefix: '' },
        textDataDeliveryEnabled: true,
        imageDataDeliveryEnabled: false,
        embeddingDataDeliveryEnabled: false,
        videoDataDeliveryEnabled: false,
        ...extra,
      },
    },
  });

  test('a configuration that leaves out the audio flag (turning it off) is refused', () => {
    expect(rulesOf(checkRequest(logging({})))).toEqual([RULES.loggingFlags.text]);
    expect(checkRequest(logging({ audioDataDeliveryEnabled: false }))).toEqual([]);
  });

  test('SSE-KMS with a bare key ID or alias is refused; the key ARN passes', () => {
    const enc = (id: string): Sent => ({
      service: 'S3',
      operation: 'PutBucketEncryption',
      input: {
        Bucket: 'b',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: id } }],
        },
      },
    });
    expect(rulesOf(checkRequest(enc('1234abcd-12ab-34cd-56ef-1234567890ab')))).toEqual([RULES.kmsKeyArn.text]);
    expect(rulesOf(checkRequest(enc('alias/logs')))).toEqual([RULES.kmsKeyArn.text]);
    expect(checkRequest(enc('arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'))).toEqual(
      [],
    );
  });
});

describe('SNS subject rule', () => {
  const publish = (Subject: string): Sent => ({
    service: 'SNS',
    operation: 'Publish',
    input: { TopicArn: 'arn:aws:sns:us-east-1:123456789012:t', Message: 'm', Subject },
  });

  test('a non-ASCII character (the fleet subject once had "×"), a line break or 100 characters break it', () => {
    for (const bad of ['Bedrock usage, 3 accounts × 2 Regions', 'a\nb', 'x'.repeat(100)])
      expect(rulesOf(checkRequest(publish(bad)))).toEqual([RULES.snsSubject.text]);
    expect(
      checkRequest(publish('Bedrock usage, 3 accounts x 2 Regions, 2026-11-20 10:00 to 2026-11-20 11:00 UTC')),
    ).toEqual([]);
  });
});

describe("botocore's service models", () => {
  test('catch what the models forbid (missing required members, lengths, enums), in one python3 run', () => {
    const bad: Sent[] = [
      {
        service: 'CloudWatch',
        operation: 'PutMetricAlarm',
        input: { AlarmName: 'x'.repeat(256), EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold' },
      },
      { service: 'CloudWatch', operation: 'PutCompositeAlarm', input: { AlarmName: 'c' } },
      { service: 'CloudWatch', operation: 'DescribeAlarms', input: { AlarmTypes: ['MetricAlarms'] } },
      {
        service: 'Bedrock',
        operation: 'PutModelInvocationLoggingConfiguration',
        input: { loggingConfig: { s3Config: { keyPrefix: '' } } },
      },
      { service: 'Athena', operation: 'StartQueryExecution', input: { QueryString: '', WorkGroup: 'primary' } },
      { service: 'Glue', operation: 'CreateTable', input: { DatabaseName: 'bedrock_logs', TableInput: {} } },
    ];
    const good: Sent[] = [
      {
        service: 'CloudWatch',
        operation: 'DescribeAlarms',
        input: { AlarmNamePrefix: 'Bedrock-', AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] },
      },
      {
        service: 'CloudWatch',
        operation: 'GetMetricData',
        input: {
          MetricDataQueries: [],
          StartTime: new Date('2026-11-20T00:00:00Z'),
          EndTime: new Date('2026-11-21T00:00:00Z'),
        },
      },
      {
        service: 'KMS',
        operation: 'GetKeyPolicy',
        input: { KeyId: 'arn:aws:kms:us-east-1:123456789012:key/k', PolicyName: 'default' },
      },
    ];
    const found = validateWithBotocore([...bad, ...good]);
    expect(found.map((v) => v.detail.split(':')[0])).toEqual([
      'CloudWatch PutMetricAlarm',
      'CloudWatch PutCompositeAlarm',
      'CloudWatch DescribeAlarms',
      'Bedrock PutModelInvocationLoggingConfiguration',
      'Athena StartQueryExecution',
      'Glue CreateTable',
    ]);
    expect(found[0]!.detail).toMatch(/AlarmName: 256 characters, more than the maximum 255/);
    expect(found[1]!.detail).toMatch(/Missing required parameter .*AlarmRule/);
    expect(found[2]!.detail).toMatch(/'MetricAlarms' is not one of CompositeAlarm, MetricAlarm/);
    expect(found[3]!.detail).toMatch(/Missing required parameter .*bucketName/);
    expect(found[4]!.detail).toMatch(/QueryString/);
    expect(found[5]!.detail).toMatch(/Missing required parameter .*Name/);
  });
});

describe('CloudWatch search expression syntax (documented tokenisation)', () => {
  test("the guide's own example: Project2-trial333", () => {
    expect(tokens('Project2-trial333')).toEqual(['project2trial333', 'project', '2', 'trial', '333']);
  });

  test.each(bundledPriceTable().models.map((m) => [m.family, m.searchTerm]))(
    '%s: ModelId=%s matches exactly its own model IDs',
    (family, term) => {
      const matched = ALL_MODEL_IDS.filter((id) => partialMatch(term, id));
      expect(matched.sort()).toEqual([...(MODEL_IDS[family] ?? [])].sort());
      // …and the report prices each of them as that family.
      for (const id of matched)
        expect(priceFor(id)?.name).toBe(bundledPriceTable().models.find((m) => m.family === family)?.name);
    },
  );

  test('the old terms matched nothing: a quoted partial name, and a number that is not a whole token', () => {
    expect(ALL_MODEL_IDS.filter((id) => exactMatch('claude-opus-4-6', id))).toEqual([]);
    expect(ALL_MODEL_IDS.filter((id) => partialMatch('claude-opus-4-2025', id))).toEqual([]);
    expect(ALL_MODEL_IDS.filter((id) => partialMatch('claude-sonnet-4-2025', id))).toEqual([]);
  });
});

describe(
  'anomaly-detection alarms ' +
    '(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html)',
  () => {
    const sent = (input: Record<string, unknown>): Sent => ({
      service: 'CloudWatch',
      operation: 'PutMetricAlarm',
      input,
    });
    const built = anomalySpec(
      'BedrockAnomaly-',
      'Tokens',
      'anthropic.claude-3-haiku-20240307-v1:0',
      2,
      'arn:aws:sns:us-east-1:123456789012:t',
    ).input as unknown as Record<string, unknown>;

    test('what the tool builds passes, for both kinds', () => {
      expect(checkRequest(sent(built))).toEqual([]);
      expect(
        checkRequest(
          sent(anomalySpec('BedrockAnomaly-', 'Invocations', 'm', 3, 't').input as unknown as Record<string, unknown>),
        ),
      ).toEqual([]);
    });

    test.each<[string, Record<string, unknown>]>([
      ['a static Threshold beside the band', { Threshold: 10 }],
      ['a static ComparisonOperator', { ComparisonOperator: 'GreaterThanThreshold' }],
      ['ThresholdMetricId naming the input, not the band', { ThresholdMetricId: 'tokens' }],
      [
        'a band over a Metrics Insights query',
        {
          Metrics: [
            mi('InputTokenCount', 'tokens'),
            { Id: 'band', Expression: 'ANOMALY_DETECTION_BAND(tokens, 2)', ReturnData: true },
          ],
        },
      ],
      [
        'a band over a query the alarm does not have',
        { Metrics: [{ Id: 'band', Expression: 'ANOMALY_DETECTION_BAND(nothing, 2)', ReturnData: true }] },
      ],
      ['a band operator without ThresholdMetricId', { ThresholdMetricId: undefined, Threshold: 1 }],
    ])('%s is caught', (_n, change) => {
      expect(rulesOf(checkRequest(sent({ ...built, ...change })))).toContain(RULES.anomalyBand.text);
    });
  },
);

describe(
  'Contributor Insights rules ' +
    '(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html)',
  () => {
    const put = (definition: unknown): Sent => ({
      service: 'CloudWatch',
      operation: 'PutInsightRule',
      input: {
        RuleName: 'r',
        RuleState: 'ENABLED',
        RuleDefinition: typeof definition === 'string' ? definition : JSON.stringify(definition),
      },
    });
    const good = ruleDefinition(ruleSpecs()[0]!, '/aws/bedrock/modelinvocations');

    test('every rule the tool builds passes', () => {
      for (const spec of ruleSpecs())
        expect(checkRequest(put(ruleDefinition(spec, '/aws/bedrock/modelinvocations')))).toEqual([]);
    });

    test.each<[string, unknown]>([
      ['another schema', { ...good, Schema: { Name: 'CloudWatchLogRule', Version: 2 } }],
      ['no log group', { ...good, LogGroupNames: [] }],
      ['a log format other than JSON or CLF', { ...good, LogFormat: 'TEXT' }],
      ['five keys', { ...good, Contribution: { Keys: ['$.a', '$.b', '$.c', '$.d', '$.e'], ValueOf: '$.v' } }],
      ['ValueOf with Count', { ...good, AggregateOn: 'Count' }],
      ['Sum without ValueOf', { ...good, Contribution: { Keys: ['$.a'] } }],
      [
        'five filters',
        {
          ...good,
          Contribution: {
            Keys: ['$.a'],
            ValueOf: '$.v',
            Filters: Array.from({ length: 5 }, () => ({ Match: '$.x', IsPresent: true })),
          },
        },
      ],
      ['a definition that is not ASCII', JSON.stringify({ ...good, LogGroupNames: ['/aws/bédrock'] })],
    ])('%s is caught', (_n, definition) => {
      expect(rulesOf(checkRequest(put(definition)))).toEqual([RULES.insightRule.text]);
    });
  },
);

describe('query languages moto does not run: Logs Insights, Athena SQL, Glue tables (query-contracts.ts)', () => {
  const window = { start: new Date('2026-11-20T00:00:00Z'), end: new Date('2026-11-22T00:00:00Z') };
  const startQuery = (queryString: string, limit = 100_000): Sent => ({
    service: 'CloudWatch Logs',
    operation: 'StartQuery',
    input: { logGroupName: '/aws/bedrock/modelinvocations', startTime: 0, endTime: 1, queryString, limit },
  });
  const athena = (QueryString: string): Sent => ({
    service: 'Athena',
    operation: 'StartQueryExecution',
    input: { QueryString, WorkGroup: 'primary' },
  });
  const glue = (TableInput: unknown): Sent => ({
    service: 'Glue',
    operation: 'CreateTable',
    input: { DatabaseName: 'bedrock_logs', TableInput },
  });
  // Every --by the tool accepts: each dimension alone, and every pair (the queries grow with each one).
  const single = ['model', 'day', 'hour', 'week', 'month', 'principal', 'role', 'application', 'operation'];
  const all = [...single, 'tag:team', 'tag:cost-center/x', 'account', 'region'];
  const combos = [...all.map((d) => [d]), ...all.flatMap((a, i) => all.slice(i + 1).map((b) => [a, b]))].filter(
    (c) => c.filter((d) => ['day', 'hour', 'week', 'month'].includes(d)).length <= 1,
  );
  const scope = { accounts: ['123456789012'], regions: ['us-east-1', 'eu-west-1'] };

  test.each(combos.map((c) => [c.join(',')]))('--by %s: the Insights and Athena queries pass', (by) => {
    const dims = parseDims(by);
    if (!dims.some((d) => d.kind === 'week' || d.kind === 'month')) {
      const q = insightsQueries(dims, window);
      for (const s of [q.sums, q.latency, q.total]) expect(checkRequest(startQuery(s))).toEqual([]);
    }
    const sql = aggregationSql({
      relation: '"bedrock_logs"."invocations"',
      dims,
      window,
      dialect: ATHENA,
      targets: scope,
    });
    expect(checkRequest(athena(sql))).toEqual([]);
  });

  test('the CUR aggregate and both Glue tables pass', () => {
    const cols = new Set(CUR_COLUMNS.map((c) => c.Name));
    const sql = curAggregateSql('"bedrock_logs"."cur2_export"', cols, window, CUR_ATHENA, [
      "billing_period IN ('2026-11')",
    ]);
    expect(checkRequest(athena(sql))).toEqual([]);
    expect(checkRequest(glue(curTableInput('s3://b/cur/data/')))).toEqual([]);
    expect(checkRequest(glue(tableInput('invocations', tableLocation('b', ''), glueColumns())))).toEqual([]);
  });

  test.each<[string, string, string]>([
    ['an undocumented command', 'fields a | select a', RULES.insightsCommands.text],
    ['an undocumented function', 'fields nvl(a, "x") as b', RULES.insightsFunctions.text],
    ['datefloor with one argument', 'fields datefloor(@timestamp) as d', RULES.insightsFunctions.text],
    ['pct without its percentile', 'stats pct(bm_latency) as p', RULES.insightsFunctions.text],
    ['a percentile out of 0-100', 'stats pct(bm_latency, 150) as p', RULES.insightsFunctions.text],
    ['an aggregation outside stats', 'fields sum(bm_in) as s', RULES.insightsFunctions.text],
    ['an undocumented time unit', 'fields datefloor(@timestamp, 1day2) as d', RULES.insightsPeriod.text],
    ['a period without its number', 'stats count(*) by bin(h)', RULES.insightsPeriod.text],
    [
      'a dashed name without backticks',
      'fields coalesce(requestMetadata.cost-center, "x") as g',
      RULES.insightsNames.text,
    ],
    ['an unclosed string', 'filter schemaType = "ModelInvocationLog', RULES.insightsNames.text],
    ['a limit over 100,000', 'stats count(*) by modelId | limit 100001', RULES.insightsLimit.text],
    ['a regex parse with no named group', 'parse @message /"inputTokenCount":(\\d+)/', RULES.insightsParse.text],
  ])('Insights: %s is caught', (_n, query, rule) => {
    expect(rulesOf(checkRequest(startQuery(query)))).toEqual([rule]);
  });

  test('Insights: a query over 10,000 characters, and StartQuery limit 0, are caught', () => {
    expect(rulesOf(checkRequest(startQuery(`fields a | filter a = "${'x'.repeat(10_000)}"`)))).toEqual([
      RULES.insightsLimit.text,
    ]);
    expect(rulesOf(checkRequest(startQuery('fields a', 0)))).toEqual([RULES.insightsLimit.text]);
    // Backticks make the same name a field, and the recorded regexes' | are not command separators.
    expect(
      checkRequest(startQuery('fields coalesce(`requestMetadata.cost-center`, "x") as g | parse @message /(?<a>x|y)/')),
    ).toEqual([]);
  });

  const logsWhere =
    `FROM "db"."t" WHERE dt >= '2026/11/20/00' AND "account" IN ('123456789012') ` + `AND "region" = 'us-east-1'`;
  test.each<[string, string, string]>([
    ['a DuckDB-only function', `SELECT quantile_cont(x, 0.5) ${logsWhere}`, RULES.athenaFunctions.text],
    ['strftime (DuckDB) for date_format', `SELECT strftime(t, '%Y-%m-%d') ${logsWhere}`, RULES.athenaFunctions.text],
    ['an unclosed literal', `SELECT 'it''s ${logsWhere}`, RULES.athenaLiterals.text],
    ['a backticked identifier', `SELECT \`timestamp\` ${logsWhere}`, RULES.athenaLiterals.text],
    ['a date_trunc unit Trino lacks', `SELECT date_trunc('fortnight', d) ${logsWhere}`, RULES.athenaArguments.text],
    ['a strftime specifier in date_format', `SELECT date_format(d, '%Y-%U') ${logsWhere}`, RULES.athenaArguments.text],
    ['a percentile as a percentage', `SELECT approx_percentile(x, 50) ${logsWhere}`, RULES.athenaArguments.text],
    [
      'an ISO timestamp literal',
      `SELECT 1 ${logsWhere} AND t < TIMESTAMP '2026-11-20T00:00:00Z'`,
      RULES.athenaArguments.text,
    ],
    ['a reserved alias', `SELECT x AS end ${logsWhere}`, RULES.athenaReserved.text],
    [
      'no condition on an injected partition',
      `SELECT 1 FROM "db"."t" WHERE dt >= '2026/11/20/00' AND "region" = 'us-east-1'`,
      RULES.athenaInjected.text,
    ],
    [
      'a dt value not in the projection format',
      `SELECT 1 ${logsWhere} AND dt < '2026-11-21'`,
      RULES.athenaInjected.text,
    ],
  ])('Athena: %s is caught', (_n, sql, rule) => {
    expect(rulesOf(checkRequest(athena(sql)))).toEqual([rule]);
  });

  const good = tableInput('invocations', tableLocation('b', ''), glueColumns());
  const withParams = (p: Record<string, string>) => ({ ...good, Parameters: { ...good.Parameters, ...p } });
  test.each<[string, unknown, string]>([
    ['projection not enabled', withParams({ 'projection.enabled': 'false' }), RULES.glueProjection.text],
    [
      'a partition without a projection type',
      withParams({ 'projection.dt.type': 'timestamp' }),
      RULES.glueProjection.text,
    ],
    [
      'a date range not in the format',
      withParams({ 'projection.dt.range': '2023-01-01,NOW' }),
      RULES.glueProjection.text,
    ],
    [
      'an interval unit that is no ChronoUnit',
      withParams({ 'projection.dt.interval.unit': 'HOUR' }),
      RULES.glueProjection.text,
    ],
    [
      'a template missing a partition',
      withParams({ 'storage.location.template': 's3://b/AWSLogs/${account}/BedrockModelInvocationLogs/${dt}/' }),
      RULES.glueProjection.text,
    ],
    [
      'projection of a column that is no partition',
      withParams({ 'projection.model.type': 'injected' }),
      RULES.glueProjection.text,
    ],
    [
      'the Hive JSON SerDe class with a misspelling',
      {
        ...good,
        StorageDescriptor: { ...good.StorageDescriptor, SerdeInfo: { SerializationLibrary: 'org.openx.JsonSerDe' } },
      },
      RULES.glueSerde.text,
    ],
    [
      'JSON SerDe over Parquet formats',
      {
        ...good,
        StorageDescriptor: {
          ...good.StorageDescriptor,
          InputFormat: curTableInput('s3://b/').StorageDescriptor!.InputFormat,
        },
      },
      RULES.glueSerde.text,
    ],
    ['a mixed-case table name', { ...good, Name: 'Invocations' }, RULES.glueNames.text],
    [
      'a mixed-case struct member',
      {
        ...good,
        StorageDescriptor: { ...good.StorageDescriptor, Columns: [{ Name: 'identity', Type: 'struct<Arn:string>' }] },
      },
      RULES.glueNames.text,
    ],
    [
      'a DuckDB type in a column',
      { ...good, StorageDescriptor: { ...good.StorageDescriptor, Columns: [{ Name: 'x', Type: 'VARCHAR' }] } },
      RULES.glueSerde.text,
    ],
  ])('Glue: %s is caught', (_n, input, rule) => {
    expect(rulesOf(checkRequest(glue(input)))).toEqual([rule]);
  });
});
