import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { metricByName, statAllowed, BEDROCK_NAMESPACE } from '../../src/lib/aws/bedrock-metrics.js';
import { ALL_MODEL_IDS, partialMatch } from './search-syntax.js';
import {
  checkAthenaSql,
  checkInsightsQuery,
  checkTableInput,
  QUERY_RULES,
  type QueryRuleId,
} from './query-contracts.js';

/**
 * Contract checks: what the tool sends to AWS, checked against the rules AWS documents but moto does
 * not enforce. Every request a test's CLI run sends is checked (test/support/cli.ts): the
 * CloudWatch alarms (metric and composite), dashboard bodies, logging configurations and bucket
 * encryption against the rules below (each names its AWS page), and every request against
 * botocore's service model (types, required members, enums, lengths), in one python3 process per
 * test file.
 */

export interface Sent {
  service: string;
  operation: string;
  input: unknown;
  /** A fleet run's request: the account and Region it went to (each has its own alarms). */
  target?: { account: string; region: string };
}

export interface Violation {
  rule: string;
  url: string;
  detail: string;
}

const CW_API = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference';
const CW_GUIDE = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring';

/** The documented rules, each with the AWS page it comes from (the query languages' in query-contracts.ts). */
export const RULES = {
  ...QUERY_RULES,
  oneInsightsQuery: {
    text:
      'at most one Metrics Insights query per alarm and per metrics array ("Each GetMetricData operation can ' +
      'have only one query")',
    url: `${CW_GUIDE}/cloudwatch-metrics-insights-limits.html`,
  },
  noSearchInAlarms: {
    text: 'no SEARCH expression in an alarm ("You can\'t create an alarm based on the SEARCH expression")',
    url: `${CW_GUIDE}/using-search-expressions.html`,
  },
  oneReturnData: {
    text: 'exactly one query with ReturnData true in an alarm (an omitted ReturnData means true)',
    url: `${CW_API}/API_MetricDataQuery.html`,
  },
  queryId: {
    text: 'query Ids are unique, of letters, digits and underscores, and start with a lowercase letter',
    url: `${CW_API}/API_MetricDataQuery.html`,
  },
  expressionPeriod: {
    text: 'a Metrics Insights or SEARCH query (no MetricStat) has its own Period, a multiple of 60',
    url: `${CW_API}/API_MetricDataQuery.html`,
  },
  tenMetrics: { text: 'an alarm references at most 10 metrics', url: `${CW_GUIDE}/alarm-limits.html` },
  insightsWindow: {
    text: 'a Metrics Insights alarm evaluates at most the latest 3 hours (Period × EvaluationPeriods ≤ 10,800 s)',
    url: `${CW_GUIDE}/alarm-limits.html`,
  },
  datapoints: {
    text: 'DatapointsToAlarm ≤ EvaluationPeriods; Metrics or MetricName, not both',
    url: `${CW_API}/API_PutMetricAlarm.html`,
  },
  insightsSyntax: {
    text:
      'Metrics Insights query: SELECT FUNCTION(metric) FROM SCHEMA("namespace", key, …); for AWS/Bedrock the ' +
      'key is ModelId',
    url: `${CW_GUIDE}/cloudwatch-metrics-insights-querylanguage.html`,
  },
  bedrockMetric: {
    text: 'AWS/Bedrock metrics by their documented names and dimensions, with a statistic that makes sense for them',
    url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-runtime-metrics.html',
  },
  compositeRule: {
    text: 'AlarmRule of 1-10,240 characters naming at most 100 alarms, each created before the composite',
    url: `${CW_API}/API_PutCompositeAlarm.html`,
  },
  deleteAlarms: {
    text: 'DeleteAlarms: at most 100 names, of which at most one composite alarm',
    url: `${CW_API}/API_DeleteAlarms.html`,
  },
  dashboardWidgets: {
    text: 'a dashboard has at most 500 widgets',
    url: `${CW_API}/CloudWatch-Dashboard-Body-Structure.html`,
  },
  searchPerGraph: {
    text: 'at most 100 SEARCH expressions on one graph',
    url: `${CW_GUIDE}/search-expression-syntax.html`,
  },
  searchSize: {
    text: 'a search expression query is at most 1,024 characters',
    url: `${CW_GUIDE}/search-expression-syntax.html`,
  },
  metricsPerWidget: {
    text: 'at most 500 metrics and expressions per graph',
    url: `${CW_GUIDE}/using-metric-math.html`,
  },
  metricsPerDashboard: {
    text: 'at most 2,500 metrics per dashboard, counting those used only in math',
    url: `${CW_GUIDE}/cloudwatch_limits.html`,
  },
  searchQuotes: {
    text:
      'a double-quoted SEARCH term must equal a whole name or value: only MetricName="<metric>" is quoted, ' +
      'never a partial model name',
    url: `${CW_GUIDE}/search-expression-syntax.html`,
  },
  searchModelTerm: {
    text: 'a ModelId= search term matches real model IDs token by token (numbers match whole tokens only)',
    url: `${CW_GUIDE}/search-expression-syntax.html`,
  },
  loggingFlags: {
    text:
      'a logging configuration states every data-type flag (text, image, embedding, video, audio): a put ' +
      'replaces the whole configuration',
    url: 'https://docs.aws.amazon.com/bedrock/latest/APIReference/API_LoggingConfig.html',
  },
  loggingDestination: {
    text: 'a logging configuration has a CloudWatch Logs or S3 destination; large data goes with the CloudWatch one',
    url: 'https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html',
  },
  anomalyBand: {
    text:
      'an anomaly-detection alarm: ThresholdMetricId names the ANOMALY_DETECTION_BAND query, whose input is ' +
      'one of its queries and neither a Metrics Insights query nor a SEARCH; no Threshold; a band ' +
      'ComparisonOperator (and a band operator only with ThresholdMetricId)',
    url: `${CW_API}/API_PutMetricAlarm.html`,
  },
  insightRule: {
    text:
      'a Contributor Insights rule on CloudWatch Logs: Schema {"Name": "CloudWatchLogRule", "Version": 1}, ' +
      'LogGroupNames, LogFormat JSON or CLF, 1-4 Keys, at most 4 Filters, AggregateOn Count or Sum, ValueOf ' +
      'only with Sum; the definition ASCII, at most 8,192 characters',
    url: `${CW_GUIDE}/ContributorInsights-RuleSyntax.html`,
  },
  snsSubject: {
    text:
      'an SNS Publish Subject is printable ASCII, no line breaks or control characters, under 100 characters ' +
      '(SNS replaces a subject with non-ASCII characters by "Error - contains control- or non-ASCII characters")',
    url: 'https://docs.aws.amazon.com/prometheus/latest/userguide/AMP-alertmanager-receiver-validation-truncation.html',
  },
  kmsKeyArn: {
    text: 'an SSE-KMS bucket that an AWS service writes to names its key by the full key ARN',
    url: 'https://docs.aws.amazon.com/AmazonS3/latest/API/API_ServerSideEncryptionByDefault.html',
  },
} as const;

type RuleId = keyof typeof RULES | QueryRuleId;

interface Query {
  Id?: string;
  Expression?: string;
  Period?: number;
  ReturnData?: boolean;
  MetricStat?: {
    Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string }[] };
    Period?: number;
    Stat?: string;
  };
}

/** What earlier requests established: the composite alarms the tool has written. */
export interface RunState {
  composites: Set<string>;
  /** Per account and Region of a fleet run. */
  targets?: Map<string, RunState>;
}

export const newRunState = (): RunState => ({ composites: new Set() });

const targetKey = (r: Sent): string | undefined => (r.target ? `${r.target.account}|${r.target.region}` : undefined);

function stateOf(state: RunState, r: Sent): RunState {
  const key = targetKey(r);
  if (key === undefined) return state;
  state.targets ??= new Map();
  if (!state.targets.has(key)) state.targets.set(key, newRunState());
  return state.targets.get(key)!;
}

const isInsights = (e: string | undefined): boolean => /^\s*SELECT\b/i.test(e ?? '');
const searches = (e: string | undefined): string[] =>
  [...(e ?? '').matchAll(/SEARCH\(\s*'([^']*)'\s*,\s*'([^']*)'/g)].map((m) => `${m[1]}|${m[2]}`);

const INSIGHTS_QUERY = /^SELECT (AVG|SUM|MIN|MAX|COUNT)\((\w+)\) FROM SCHEMA\("([\w/.-]+)"((?:, \w+)*)\)$/;
const INSIGHTS_STAT: Record<string, string> = {
  AVG: 'Average',
  SUM: 'Sum',
  MIN: 'Minimum',
  MAX: 'Maximum',
  COUNT: 'SampleCount',
};

/**
 * Why a metric reference is wrong, if it is. Alarms and dashboards must use the documented name;
 * only reads (GetMetricData) may use an older name ListMetrics still lists.
 */
function metricProblem(
  name: string | undefined,
  stat: string,
  dims: string[] | undefined,
  allowAlias = false,
): string | undefined {
  const def = name === undefined ? undefined : metricByName(name);
  if (!def) return `${name ?? '(none)'} is not a documented AWS/Bedrock metric`;
  if (def.name !== name && !allowAlias) return `${name} is not the metric's documented name (${def.name})`;
  if (!statAllowed(def, stat)) return `${stat} of ${name} means nothing (use ${def.stats.join(', ')})`;
  if (dims && !def.dimensions.some((set) => set.length === dims.length && set.every((d) => dims.includes(d))))
    return `${name} is not published with dimensions [${dims.join(', ')}]`;
  return undefined;
}

/** The rules every MetricDataQuery list (alarm or not) follows. */
function checkQueries(
  queries: Query[],
  alarm: boolean,
  add: (rule: RuleId, detail: string) => void,
  allowAlias = false,
): void {
  const ids = queries.map((q) => q.Id ?? '');
  for (const id of ids) if (!/^[a-z][A-Za-z0-9_]*$/.test(id)) add('queryId', `Id "${id}"`);
  if (new Set(ids).size !== ids.length) add('queryId', `duplicate Ids in ${ids.join(', ')}`);
  if (queries.filter((q) => isInsights(q.Expression)).length > 1)
    add('oneInsightsQuery', `${queries.filter((q) => isInsights(q.Expression)).length} queries`);
  for (const q of queries) {
    const expressionOnly =
      q.MetricStat === undefined && (isInsights(q.Expression) || /SEARCH\(/.test(q.Expression ?? ''));
    if (expressionOnly && (q.Period === undefined || q.Period % 60 !== 0))
      add('expressionPeriod', `query ${q.Id ?? ''} has Period ${String(q.Period)}`);
    if (alarm && /\bSEARCH\s*\(/i.test(q.Expression ?? '')) add('noSearchInAlarms', `query ${q.Id ?? ''}`);
    if (isInsights(q.Expression)) {
      const m = INSIGHTS_QUERY.exec(q.Expression!.trim());
      if (!m || (m[3] === BEDROCK_NAMESPACE && m[4] !== ', ModelId')) add('insightsSyntax', q.Expression!);
      else if (m[3] === BEDROCK_NAMESPACE) {
        const problem = metricProblem(m[2], INSIGHTS_STAT[m[1]!]!, undefined);
        if (problem) add('bedrockMetric', problem);
      }
    }
    const ms = q.MetricStat;
    if (ms?.Metric?.Namespace === BEDROCK_NAMESPACE) {
      const problem = metricProblem(
        ms.Metric.MetricName,
        ms.Stat ?? '',
        (ms.Metric.Dimensions ?? []).map((d) => d.Name ?? ''),
        allowAlias,
      );
      if (problem) add('bedrockMetric', problem);
    }
  }
}

function checkMetricAlarm(
  input: Record<string, unknown>,
  state: RunState,
  add: (rule: RuleId, detail: string) => void,
): void {
  const queries = (input.Metrics as Query[] | undefined) ?? [];
  const evaluations = Number(input.EvaluationPeriods ?? 1);
  if (queries.length && input.MetricName !== undefined) add('datapoints', 'both Metrics and MetricName');
  if (Number(input.DatapointsToAlarm ?? evaluations) > evaluations)
    add('datapoints', `DatapointsToAlarm ${String(input.DatapointsToAlarm)} > EvaluationPeriods ${evaluations}`);
  if (queries.length) {
    checkQueries(queries, true, add);
    const returning = queries.filter((q) => q.ReturnData !== false).length;
    if (returning !== 1 && input.ThresholdMetricId === undefined)
      add('oneReturnData', `${returning} queries return data`);
    if (queries.filter((q) => q.MetricStat).length > 10)
      add('tenMetrics', `${queries.filter((q) => q.MetricStat).length} metrics`);
    const insights = queries.find((q) => isInsights(q.Expression));
    if (insights && (insights.Period ?? 0) * evaluations > 10_800)
      add('insightsWindow', `${insights.Period ?? 0} s × ${evaluations}`);
  }
  checkAnomaly(input, queries, add);
  state.composites.delete(String(input.AlarmName));
}

const BAND_OPERATORS = [
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
];

function checkAnomaly(
  input: Record<string, unknown>,
  queries: Query[],
  add: (rule: RuleId, detail: string) => void,
): void {
  const operator = typeof input.ComparisonOperator === 'string' ? input.ComparisonOperator : '';
  if (input.ThresholdMetricId === undefined) {
    if (BAND_OPERATORS.includes(operator)) add('anomalyBand', `${operator} without ThresholdMetricId`);
    return;
  }
  if (input.Threshold !== undefined) add('anomalyBand', 'Threshold with ThresholdMetricId');
  if (!BAND_OPERATORS.includes(operator)) add('anomalyBand', `ComparisonOperator ${operator}`);
  const band = queries.find((q) => q.Id === input.ThresholdMetricId);
  const m = /^\s*ANOMALY_DETECTION_BAND\(\s*(\w+)\s*(?:,\s*[\d.]+\s*)?\)\s*$/.exec(band?.Expression ?? '');
  if (!m)
    return add(
      'anomalyBand',
      `ThresholdMetricId ${JSON.stringify(input.ThresholdMetricId)} is not an ANOMALY_DETECTION_BAND query`,
    );
  const source = queries.find((q) => q.Id === m[1]);
  if (!source) add('anomalyBand', `the band's input ${m[1]!} is not a query of the alarm`);
  else if (isInsights(source.Expression) || /\bSEARCH\s*\(/i.test(source.Expression ?? ''))
    add('anomalyBand', `the band's input ${m[1]!} is a Metrics Insights or SEARCH query`);
}

function checkInsightRule(input: Record<string, unknown>, add: (rule: RuleId, detail: string) => void): void {
  const text = typeof input.RuleDefinition === 'string' ? input.RuleDefinition : '';
  // eslint-disable-next-line no-control-regex -- the documented pattern is [\x00-\x7F]+
  if (text.length < 1 || text.length > 8192 || !/^[\x00-\x7F]+$/.test(text))
    add('insightRule', `definition of ${text.length} characters, ASCII only`);
  let rule: {
    Schema?: { Name?: string; Version?: number };
    LogGroupNames?: unknown[];
    LogGroupARNs?: unknown[];
    LogFormat?: string;
    AggregateOn?: string;
    Contribution?: { Keys?: unknown[]; ValueOf?: string; Filters?: unknown[] };
  };
  try {
    rule = JSON.parse(text) as typeof rule;
  } catch {
    return add('insightRule', 'the definition is not JSON');
  }
  if (rule.Schema?.Name !== 'CloudWatchLogRule' || rule.Schema.Version !== 1)
    add('insightRule', `Schema ${JSON.stringify(rule.Schema)}`);
  if (!(rule.LogGroupNames?.length ?? rule.LogGroupARNs?.length)) add('insightRule', 'no log group');
  if (rule.LogFormat !== 'JSON' && rule.LogFormat !== 'CLF') add('insightRule', `LogFormat ${String(rule.LogFormat)}`);
  const c = rule.Contribution ?? {};
  if (!c.Keys?.length || c.Keys.length > 4) add('insightRule', `${c.Keys?.length ?? 0} Keys`);
  if ((c.Filters?.length ?? 0) > 4) add('insightRule', `${c.Filters!.length} Filters`);
  if (rule.AggregateOn !== 'Count' && rule.AggregateOn !== 'Sum')
    add('insightRule', `AggregateOn ${String(rule.AggregateOn)}`);
  if ((c.ValueOf !== undefined) !== (rule.AggregateOn === 'Sum'))
    add('insightRule', `ValueOf ${String(c.ValueOf)} with AggregateOn ${String(rule.AggregateOn)}`);
}

function checkCompositeAlarm(
  input: Record<string, unknown>,
  state: RunState,
  add: (rule: RuleId, detail: string) => void,
): void {
  const rule = typeof input.AlarmRule === 'string' ? input.AlarmRule : '';
  const children = [...rule.matchAll(/\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")]+?)"?\s*\)/g)].map((m) => m[1]!);
  if (rule.length < 1 || rule.length > 10_240) add('compositeRule', `AlarmRule of ${rule.length} characters`);
  if (new Set(children).size > 100) add('compositeRule', `${children.length} children`);
  state.composites.add(String(input.AlarmName));
}

function checkDeleteAlarms(
  input: Record<string, unknown>,
  state: RunState,
  add: (rule: RuleId, detail: string) => void,
): void {
  const names = (input.AlarmNames as string[] | undefined) ?? [];
  const composites = names.filter((n) => state.composites.has(n));
  if (names.length > 100 || composites.length > 1)
    add('deleteAlarms', `${names.length} names, composites ${composites.join(', ')}`);
}

type Row = unknown[];

/** One graph's metrics array: SEARCH count and size, quoting, model terms, ids, MI queries, names. */
function checkGraph(title: string, rows: Row[], add: (rule: RuleId, detail: string) => void): number {
  if (rows.length > 500) add('metricsPerWidget', `${title}: ${rows.length}`);
  const options = rows.map((r) =>
    r[r.length - 1] && typeof r[r.length - 1] === 'object'
      ? (r[r.length - 1] as { expression?: string; id?: string })
      : {},
  );
  const expressions = options.map((o) => o.expression).filter((e): e is string => e !== undefined);
  const all = expressions.flatMap(searches);
  if (all.length > 100) add('searchPerGraph', `${title}: ${all.length}`);
  if (expressions.filter(isInsights).length > 1) add('oneInsightsQuery', title);
  for (const o of options)
    if (o.id !== undefined && !/^[a-z][A-Za-z0-9_]*$/.test(o.id)) add('queryId', `${title}: id "${o.id}"`);
  for (const s of all) {
    const [query, stat] = s.split('|') as [string, string];
    if (query.length > 1024) add('searchSize', `${title}: ${query.length} characters`);
    // The catalogue knows AWS/Bedrock; other namespaces (AWS/Bedrock/Guardrails) only need whole quoted names.
    const bedrockSchema = /^\{AWS\/Bedrock[,}]/.test(query.trim());
    for (const m of query.matchAll(/(\w+)?=?"([^"]*)"/g)) {
      if (m[1] !== 'MetricName' || (bedrockSchema && !metricByName(m[2]!))) add('searchQuotes', `${title}: ${m[0]}`);
      else if (bedrockSchema) {
        const problem = metricProblem(m[2], stat, undefined);
        if (problem) add('bedrockMetric', `${title}: ${problem}`);
      }
    }
    for (const m of query.matchAll(/ModelId=([^\s"')]+)/g))
      if (!ALL_MODEL_IDS.some((id) => partialMatch(m[1]!, id)))
        add('searchModelTerm', `${title}: ModelId=${m[1]!} matches no real model ID`);
  }
  for (const r of rows) {
    if (typeof r[0] === 'string' && r[0] === BEDROCK_NAMESPACE) {
      // [namespace, metric, dimension, value, …, {options}]
      const dims = r
        .slice(2)
        .filter((x): x is string => typeof x === 'string')
        .filter((_x, i) => i % 2 === 0);
      const problem = metricProblem(String(r[1]), 'Sum', dims);
      if (problem) add('bedrockMetric', `${title}: ${problem}`);
    }
  }
  return rows.length;
}

export function checkDashboardBody(body: string, add: (rule: RuleId, detail: string) => void): void {
  const parsed = JSON.parse(body) as {
    widgets?: { type?: string; properties?: { title?: string; metrics?: Row[] } }[];
  };
  const widgets = parsed.widgets ?? [];
  if (widgets.length > 500) add('dashboardWidgets', `${widgets.length} widgets`);
  let total = 0;
  for (const w of widgets)
    if (w.type === 'metric') total += checkGraph(w.properties?.title ?? '(untitled)', w.properties?.metrics ?? [], add);
  if (total > 2500) add('metricsPerDashboard', `${total} metrics`);
}

const FLAGS = [
  'textDataDeliveryEnabled',
  'imageDataDeliveryEnabled',
  'embeddingDataDeliveryEnabled',
  'videoDataDeliveryEnabled',
  'audioDataDeliveryEnabled',
];

function checkLogging(input: Record<string, unknown>, add: (rule: RuleId, detail: string) => void): void {
  const c = (input.loggingConfig ?? {}) as Record<string, unknown>;
  for (const f of FLAGS) if (typeof c[f] !== 'boolean') add('loggingFlags', `${f} not stated`);
  if (!c.cloudWatchConfig && !c.s3Config) add('loggingDestination', 'no destination');
}

function checkEncryption(input: Record<string, unknown>, add: (rule: RuleId, detail: string) => void): void {
  const rules =
    (
      input.ServerSideEncryptionConfiguration as
        | { Rules?: { ApplyServerSideEncryptionByDefault?: { SSEAlgorithm?: string; KMSMasterKeyID?: string } }[] }
        | undefined
    )?.Rules ?? [];
  for (const r of rules) {
    const d = r.ApplyServerSideEncryptionByDefault;
    if (
      d?.SSEAlgorithm?.startsWith('aws:kms') &&
      d.KMSMasterKeyID !== undefined &&
      !/^arn:aws[\w-]*:kms:[a-z0-9-]+:\d{12}:key\/[\w-]+$/.test(d.KMSMasterKeyID)
    )
      add('kmsKeyArn', d.KMSMasterKeyID);
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Checks one request against the documented rules; `state` carries what the run did before it. */
export function checkRequest(sent: Sent, state: RunState = newRunState()): Violation[] {
  const out: Violation[] = [];
  const add = (rule: RuleId, detail: string): void =>
    void out.push({
      rule: RULES[rule].text,
      url: RULES[rule].url,
      detail: `${sent.service} ${sent.operation}: ${detail}`,
    });
  const input = (sent.input ?? {}) as Record<string, unknown>;
  const key = `${sent.service} ${sent.operation}`;
  if (key === 'CloudWatch PutMetricAlarm') checkMetricAlarm(input, state, add);
  else if (key === 'CloudWatch PutCompositeAlarm') checkCompositeAlarm(input, state, add);
  else if (key === 'CloudWatch DeleteAlarms') checkDeleteAlarms(input, state, add);
  else if (key === 'CloudWatch PutDashboard')
    checkDashboardBody(typeof input.DashboardBody === 'string' ? input.DashboardBody : '{}', add);
  else if (key === 'CloudWatch GetMetricData')
    checkQueries((input.MetricDataQueries as Query[] | undefined) ?? [], false, add, true);
  else if (key === 'Bedrock PutModelInvocationLoggingConfiguration') checkLogging(input, add);
  else if (key === 'S3 PutBucketEncryption') checkEncryption(input, add);
  else if (key === 'CloudWatch PutInsightRule') checkInsightRule(input, add);
  else if (key === 'SNS Publish' && input.Subject !== undefined) {
    const subject = text(input.Subject);
    if (!/^[\x20-\x7e]*$/.test(subject) || subject.length >= 100) add('snsSubject', JSON.stringify(subject));
  } else if (key === 'CloudWatch Logs StartQuery')
    checkInsightsQuery(text(input.queryString), input.limit as number | undefined, add);
  else if (key === 'Athena StartQueryExecution') checkAthenaSql(text(input.QueryString), add);
  else if (key === 'Glue CreateTable' || key === 'Glue UpdateTable') checkTableInput(input.TableInput ?? {}, add);
  return out;
}

/** Checks a run's requests in order (a composite alarm's children must be created before it). */
export function checkRun(requests: Sent[], state: RunState = newRunState()): Violation[] {
  const out: Violation[] = [];
  for (const r of requests) {
    if (r.service === 'CloudWatch' && r.operation === 'PutCompositeAlarm') {
      const rule = String((r.input as { AlarmRule?: string }).AlarmRule ?? '');
      const children = [...rule.matchAll(/ALARM\(\s*"?([^")]+?)"?\s*\)/g)].map((m) => m[1]!);
      // Children written in this run must come first; the others existed before it.
      const later = requests
        .slice(requests.indexOf(r) + 1)
        .filter(
          (x) =>
            x.operation === 'PutMetricAlarm' &&
            targetKey(x) === targetKey(r) &&
            children.includes(String((x.input as { AlarmName?: string }).AlarmName)),
        );
      if (later.length)
        out.push({
          rule: RULES.compositeRule.text,
          url: RULES.compositeRule.url,
          detail: `PutCompositeAlarm ${String((r.input as { AlarmName?: string }).AlarmName)} before its children`,
        });
    }
    out.push(...checkRequest(r, stateOf(state, r)));
  }
  return out;
}

export const describeViolations = (vs: Violation[]): string =>
  vs.map((v) => `- ${v.detail}\n  rule: ${v.rule}\n  see ${v.url}`).join('\n');

/** botocore's name for each service the tool calls. */
const BOTOCORE: Record<string, string> = {
  IAM: 'iam',
  S3: 's3',
  'CloudWatch Logs': 'logs',
  CloudWatch: 'cloudwatch',
  SNS: 'sns',
  STS: 'sts',
  Bedrock: 'bedrock',
  KMS: 'kms',
  Athena: 'athena',
  Glue: 'glue',
};

/** JSON the way botocore's validator takes parameters: dates as ISO strings, bytes as text. */
function toParams(input: unknown): unknown {
  return JSON.parse(
    JSON.stringify(input ?? {}, (_k, v: unknown) =>
      v instanceof Uint8Array ? Buffer.from(v).toString('base64') : v,
    ) ?? '{}',
  );
}

function botocoreItems(requests: Sent[]) {
  return requests
    .map((r, index) => ({ index, service: BOTOCORE[r.service], operation: r.operation, params: toParams(r.input) }))
    .filter((i) => i.service !== undefined);
}

function botocoreViolations(requests: Sent[], errors: { index: number; error: string }[]): Violation[] {
  return errors.map((e) => ({
    rule: "the operation's input shape in botocore's service model",
    url: 'https://github.com/boto/botocore/tree/develop/botocore/data',
    detail: `${requests[e.index]!.service} ${requests[e.index]!.operation}: ${e.error}`,
  }));
}

/**
 * Validates requests against botocore's service models, in one python3 process for all of them:
 * botocore.validate.ParamValidator (unknown and missing members, types, minimums), then the
 * model's maximums and enum values, which ParamValidator leaves to the service.
 */
export function validateWithBotocore(requests: Sent[]): Violation[] {
  const items = botocoreItems(requests);
  if (!items.length) return [];
  const script = fileURLToPath(new URL('./botocore_validate.py', import.meta.url));
  const run = spawnSync('python3', [script], {
    input: JSON.stringify(items),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`botocore validation could not run: ${run.stderr}`);
  return botocoreViolations(requests, JSON.parse(run.stdout) as { index: number; error: string }[]);
}

/**
 * The same validation by a running test moto server (test/support/moto_server.py, POST
 * /moto-api/bm-validate: the same python code, with botocore's models already loaded), which saves
 * starting python3 for each test file.
 */
export async function validateWithBotocoreOn(motoUrl: string, requests: Sent[]): Promise<Violation[]> {
  const items = botocoreItems(requests);
  if (!items.length) return [];
  const r = await fetch(`${motoUrl}/moto-api/bm-validate`, { method: 'POST', body: JSON.stringify(items) });
  if (!r.ok) throw new Error(`botocore validation could not run: ${r.status} ${await r.text()}`);
  return botocoreViolations(requests, (await r.json()) as { index: number; error: string }[]);
}
