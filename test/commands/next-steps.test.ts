import { beforeEach, describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import {
  SNSClient,
  GetTopicAttributesCommand,
  ListTagsForResourceCommand,
  ListSubscriptionsByTopicCommand,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { runCli } from '../support/cli.js';

/** Pending subscriptions through the real commands (mocked: moto confirms email subscriptions at once). */

const sts = mockClient(STSClient);
const sns = mockClient(SNSClient);
const cw = mockClient(CloudWatchClient);
const env = { AWS_REGION: 'us-west-2' };
const topic = 'arn:aws:sns:us-west-2:111122223333:bedrock-usage-alerts';

beforeEach(() => {
  for (const m of [sts, sns, cw]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: '111122223333' });
  sns.on(GetTopicAttributesCommand).resolves({ Attributes: { TopicArn: topic } });
  sns.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: 'ManagedBy', Value: 'bedrock-monitor' }] });
  cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  cw.on(PutMetricAlarmCommand).resolves({});
});

describe('alarms: next steps', () => {
  test('lists the addresses whose subscription is pending confirmation, once, and not the confirmed ones', async () => {
    sns
      .on(ListSubscriptionsByTopicCommand)
      .resolvesOnce({
        Subscriptions: [{ SubscriptionArn: `${topic}:1`, Protocol: 'email', Endpoint: 'lead@example.com' }],
      })
      .resolves({
        Subscriptions: [
          { SubscriptionArn: `${topic}:1`, Protocol: 'email', Endpoint: 'lead@example.com' },
          { SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'oncall@example.com' },
        ],
      });
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: 'pending confirmation' });
    const r = await runCli(['alarms', '--email', 'oncall@example.com', '--email', 'lead@example.com'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout.match(/pending confirmation/g)).toHaveLength(1);
    expect(r.stdout).toContain('1 email subscription is pending confirmation (oncall@example.com)');
    expect(r.stderr).not.toContain('no alert email');
    const j = (
      await runCli(['alarms', '--email', 'oncall@example.com', '--email', 'lead@example.com', '--json'], { env })
    ).json();
    expect(j.subscriptions).toEqual([
      { email: 'oncall@example.com', state: 'pending' },
      { email: 'lead@example.com', state: 'confirmed' },
    ]);
  });

  test('no address configured: a warning that no one is alerted (stderr), in --json too', async () => {
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [] });
    const r = await runCli(['alarms', '--json'], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: no alert email is configured, so no one is told when an alarm fires/);
    expect(r.json().warnings).toHaveLength(1);
  });
});
