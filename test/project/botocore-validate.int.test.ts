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

// The server validates each distinct request (service, operation, parameters) once and keeps the answer: a request
// that failed must fail again in every later file that sends it, and a request of the same operation with other
// parameters must get its own answer.
test('a request the server validated before gets the same answer from its cache, every time it is sent', async () => {
  const tooLong = { service: 'KMS', operation: 'GetKeyPolicy', input: { KeyId: 'k', PolicyName: 'p'.repeat(129) } };
  const valid = { service: 'KMS', operation: 'GetKeyPolicy', input: { KeyId: 'k', PolicyName: 'default' } };
  const badEnum = { service: 'CloudWatch', operation: 'DescribeAlarms', input: { AlarmTypes: ['Composite'] } };
  const firstFile: Sent[] = [tooLong, valid, badEnum, tooLong];
  const laterFile: Sent[] = [valid, badEnum, valid, tooLong, badEnum];
  const first = await validateWithBotocoreOn(emulator().url, firstFile);
  const later = await validateWithBotocoreOn(emulator().url, laterFile);
  // What python3 finds in both files' requests, in one run: its violations come in the order of the requests.
  expect([...first, ...later]).toEqual(validateWithBotocore([...firstFile, ...laterFile]));
  expect(first.map((v) => v.detail.split(':')[0])).toEqual([
    'KMS GetKeyPolicy',
    'CloudWatch DescribeAlarms',
    'KMS GetKeyPolicy',
  ]);
  expect(later.map((v) => v.detail)).toEqual([first[1]!.detail, first[0]!.detail, first[1]!.detail]);
  expect(first[0]!.detail).toMatch(/PolicyName: 129 characters, more than the maximum 128/);
});
