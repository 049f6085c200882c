import { expect, test } from '@jest/globals';
import { useMoto } from '../support/cli.js';
import { validateWithBotocore, validateWithBotocoreOn, type Sent } from '../support/contracts.js';

const emulator = useMoto();

// Every CLI run's requests are checked against botocore's models once per test file (test/support/cli.ts),
// by the worker's moto server when there is one: it must find exactly what the python3 script finds.
test("the test moto server's botocore validation finds what botocore_validate.py finds", async () => {
  const sent: Sent[] = [
    { service: 'CloudWatch', operation: 'PutMetricAlarm', input: { AlarmName: 'x'.repeat(256) } },
    { service: 'CloudWatch', operation: 'DescribeAlarms', input: { AlarmTypes: ['MetricAlarms'] } },
    { service: 'KMS', operation: 'GetKeyPolicy', input: { KeyId: 'k', PolicyName: 'default' } },
    { service: 'S3', operation: 'NoSuchOperation', input: {} },
  ];
  const byServer = await validateWithBotocoreOn(emulator().url, sent);
  expect(byServer).toEqual(validateWithBotocore(sent));
  expect(byServer.map((v) => v.detail.split(':')[0])).toEqual([
    'CloudWatch PutMetricAlarm',
    'CloudWatch DescribeAlarms',
    'S3 NoSuchOperation',
  ]);
  expect(byServer[0]!.detail).toMatch(/AlarmName: 256 characters, more than the maximum 255/);
});
