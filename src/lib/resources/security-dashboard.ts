import type { Settings } from '../config/settings.js';
import { BEDROCK_EVENT_SOURCE } from '../core/cloudtrail.js';
import type { Widget } from './dashboard.js';

/**
 * The BedrockSecurity dashboard body: refused Bedrock calls and top callers (from the trail's
 * CloudWatch Logs delivery, when on), guardrail interventions (AWS/Bedrock/Guardrails), and the
 * security alarms' states. Pure: the resource in security-view.ts writes it.
 */

/** In the header widget: how the tool knows the dashboard is its own. */
export const SECURITY_MARKER = 'Managed by bedrock-monitor (security view)';

/** The metric the refused-calls metric filter publishes. */
export const METRIC_NAMESPACE = 'BedrockMonitor';
export const REFUSED_METRIC = 'RefusedBedrockCalls';
const GUARDRAILS = '{AWS/Bedrock/Guardrails,GuardrailArn,GuardrailVersion}';

/** The principal of a CloudTrail record in Logs Insights: the role for assumed roles, else the ARN. */
const PRINCIPAL =
  'coalesce(userIdentity.sessionContext.sessionIssuer.arn, userIdentity.arn, userIdentity.invokedBy, ' +
  'userIdentity.principalId)';
const REFUSED = '(errorCode like /^AccessDenied/ or errorCode like /UnauthorizedOperation$/)';

export function topCallersQuery(logGroupName: string): string {
  return [
    `SOURCE '${logGroupName}'`,
    `filter eventSource = "${BEDROCK_EVENT_SOURCE}"`,
    `stats count(*) as calls, sum(${REFUSED}) as refused by ${PRINCIPAL} as principal`,
    'sort calls desc',
    'limit 10',
  ].join(' | ');
}

export function refusedCallsQuery(logGroupName: string): string {
  return [
    `SOURCE '${logGroupName}'`,
    `filter eventSource = "${BEDROCK_EVENT_SOURCE}" and ${REFUSED}`,
    `stats count(*) as refused, max(@timestamp) as last by ${PRINCIPAL} as principal, eventName, errorCode, ` +
      `sourceIPAddress`,
    'sort refused desc',
    'limit 20',
  ].join(' | ');
}

function logsOffNote(y: number): Widget {
  return {
    type: 'text',
    x: 0,
    y,
    width: 24,
    height: 3,
    properties: {
      markdown:
        "### Refused calls and top callers\nThese widgets read the trail's CloudWatch Logs delivery, " +
        'which is off. Turn it on with `"audit": {"cloudWatchLogs": true}` and run `bedrock-monitor ' +
        'audit-trail`. Meanwhile: `bedrock-monitor audit --denied` and `bedrock-monitor audit --by ' +
        'principal`.',
    },
  };
}

function fromLogs(settings: Settings, y: number): Widget[] {
  const { region, audit } = settings;
  if (!audit.cloudWatchLogs) return [logsOffNote(y)];
  return [
    {
      type: 'metric',
      x: 0,
      y,
      width: 12,
      height: 6,
      properties: {
        title: 'Refused Bedrock calls (AccessDenied, UnauthorizedOperation)',
        region,
        view: 'timeSeries',
        stacked: false,
        period: 300,
        stat: 'Sum',
        metrics: [[METRIC_NAMESPACE, REFUSED_METRIC, { label: 'Refused calls', color: '#d62728' }]],
      },
    },
    {
      type: 'log',
      x: 12,
      y,
      width: 12,
      height: 6,
      properties: { title: 'Top Bedrock callers', region, view: 'table', query: topCallersQuery(audit.logGroupName) },
    },
    {
      type: 'log',
      x: 0,
      y: y + 6,
      width: 24,
      height: 6,
      properties: {
        title: 'Refused Bedrock calls by principal',
        region,
        view: 'table',
        query: refusedCallsQuery(audit.logGroupName),
      },
    },
  ];
}

function guardrails(region: string, y: number): Widget {
  const search = (metric: string): string => `SEARCH('${GUARDRAILS} MetricName="${metric}"', 'Sum', 300)`;
  return {
    type: 'metric',
    x: 0,
    y,
    width: 24,
    height: 6,
    properties: {
      title: 'Guardrail interventions (AWS/Bedrock/Guardrails, per guardrail and version)',
      region,
      view: 'timeSeries',
      stacked: false,
      period: 300,
      metrics: [
        [{ expression: search('InvocationsIntervened'), id: 'gi', label: 'Intervened ', visible: true }],
        [{ expression: 'SUM(gi)', id: 'gitotal', label: 'Interventions (all guardrails)' }],
        [{ expression: `SUM(${search('Invocations')})`, id: 'ginv', label: 'Guardrail invocations (all guardrails)' }],
      ],
    },
  };
}

export function securityDashboardBody(settings: Settings, alarmArns: string[]): { widgets: Widget[] } {
  const { region, audit } = settings;
  const header: Widget = {
    type: 'text',
    x: 0,
    y: 0,
    width: 24,
    height: 2,
    properties: {
      markdown:
        `## Amazon Bedrock security (${region})\nWho calls Bedrock, who is refused, and what guardrails stop. ` +
        `CloudTrail trail \`${audit.trailName}\`; per-principal detail: \`bedrock-monitor audit\`. ` +
        `${SECURITY_MARKER}: edits are reverted by \`bedrock-monitor audit-trail\`.`,
    },
  };
  const logs = fromLogs(settings, 2);
  const y = 2 + (audit.cloudWatchLogs ? 12 : 3);
  const widgets = [header, ...logs, guardrails(region, y)];
  if (alarmArns.length)
    widgets.push({
      type: 'alarm',
      x: 0,
      y: y + 6,
      width: 24,
      height: 2,
      properties: { title: 'Security alarms', alarms: alarmArns },
    });
  return { widgets };
}
