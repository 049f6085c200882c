import { describe, expect, test } from '@jest/globals';
import { cliFor, useMoto } from '../../support/cli.js';
import { putMetrics, seedingClients } from '../../support/synthetic.js';
import { ACCOUNT } from '../../support/aws.js';

/** report --notify on moto: one Publish to the alert topic, whose body moto's recorder keeps. */

const emulator = useMoto();
const REGION = 'eu-west-1';
const cli = cliFor(() => emulator().url, REGION);
const now = new Date('2026-11-21T06:00:00Z');
const WINDOW = ['--since', '2026-11-20T00:00:00Z', '--until', '2026-11-21T00:00:00Z'];
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:bedrock-usage-alerts`;

async function seed(): Promise<void> {
  const timestamp = new Date(Date.UTC(2026, 10, 20, 12));
  const modelId = 'anthropic.claude-3-haiku-20240307-v1:0';
  await putMetrics(seedingClients(emulator().url, REGION).cw, [
    { modelId, metric: 'Invocations', timestamp, value: 40 },
    { modelId, metric: 'InputTokenCount', timestamp, value: 400_000 },
    { modelId, metric: 'OutputTokenCount', timestamp, value: 100_000 },
  ]);
}

describe('report --notify', () => {
  test(
    'publishes the text report to the alert topic in one ' + 'Publish, subject naming the window and Region',
    async () => {
      expect((await cli(['alarms'])).code).toBe(0);
      await seed();
      await emulator().startRecording();
      const r = await cli(['report', ...WINDOW, '--notify', '--json'], { now });
      const [publish, ...more] = await emulator().stopRecordingPublishes();
      expect(r.code).toBe(0);
      expect(r.writes.map((w) => `${w.service} ${w.operation}`)).toEqual(['SNS Publish']);
      expect(more).toEqual([]);
      expect(publish!.get('TopicArn')).toBe(TOPIC);
      expect(publish!.get('Subject')).toBe('Bedrock usage, eu-west-1, 2026-11-20 00:00 to 2026-11-21 00:00 UTC');
      const message = publish!.get('Message')!;
      expect(message).toContain('Bedrock usage in eu-west-1, 2026-11-20 00:00 → 2026-11-21 00:00 UTC (24 h)');
      expect(message).toContain('anthropic.claude-3-haiku-20240307-v1:0');
      expect(message).toContain('Projected monthly cost');
      expect(message).not.toContain(String.fromCharCode(27)); // no colour codes
      const n = r.json().notification;
      expect(n).toMatchObject({
        topicArn: TOPIC,
        subject: publish!.get('Subject'),
        truncated: false,
        bytes: Buffer.byteLength(message, 'utf8'),
      });
      expect(typeof n.messageId).toBe('string');
      expect(r.stderr).toContain(`Published the report to ${TOPIC}`);
    },
  );

  test('--dry-run publishes nothing and says what it would send', async () => {
    expect((await cli(['alarms'])).code).toBe(0);
    const r = await cli(['report', ...WINDOW, '--notify', '--dry-run', '--json'], { now });
    expect(r.code).toBe(0);
    expect(r.writes).toEqual([]);
    expect(r.json().notification).toMatchObject({ topicArn: TOPIC, messageId: null });
    expect(r.stderr).toContain('Would publish (--dry-run)');
  });

  test('without the alert topic: exit 1 naming the step that creates it', async () => {
    const r = await cli(['report', ...WINDOW, '--notify'], { now });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the alert topic bedrock-usage-alerts does not exist in eu-west-1');
    expect(r.stderr).toContain('bedrock-monitor alarms');
  });
});
