import { expect, test } from '@jest/globals';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Agent } from 'node:http';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { useMoto } from '../support/cli.js';
import { sdk } from '../support/aws.js';

const emulator = useMoto();

interface SelfCheck {
  metricData: { cases: number; values: number; mismatches: number[] };
  headers: { cases: number; plain: number; mismatches: string[] };
}

// test/support/moto_server.py replaces two pieces of moto and of Python's http.server with faster code that must
// answer exactly as they do (docs/testing.md, "The emulator, sixth session"): GetMetricData without its rescan of
// the window per period, and the parsing of plain request headers. The server runs both versions on random inputs
// (seeded: the same inputs every run) and reports every input on which they differ.
test('the test moto server answers GetMetricData and parses headers exactly as moto and the email parser', async () => {
  const r = await fetch(`${emulator().url}/moto-api/bm-selfcheck`, { method: 'POST' });
  expect(r.status).toBe(200);
  const check = (await r.json()) as SelfCheck;
  expect(check.metricData.mismatches).toEqual([]);
  expect(check.headers.mismatches).toEqual([]);
  // Inputs that exercise both: many datapoints counted into periods, and both header paths (the fast one and the
  // email parser's for continuation lines, stray CRs, lines without a colon).
  expect(check.metricData.cases).toBe(40);
  expect(check.metricData.values).toBeGreaterThan(300);
  expect(check.headers.plain).toBeGreaterThan(100);
  expect(check.headers.cases - check.headers.plain).toBeGreaterThan(100);
});

// bm-snapshot / bm-restore (fromSnapshot in test/support/cli.ts): each restore is a fresh copy of the saved state,
// S3 objects' bodies included. moto's reset disposes every S3 key it made, so a snapshot kept as live objects lost
// its bodies at the next test (restored objects listed with their size and read back empty).
test('a snapshot restores S3 objects with their bodies, as often as asked, each time a fresh copy', async () => {
  const { s3 } = sdk(emulator().url);
  const Bucket = 'bm-snapshot-bodies';
  const body = 'x'.repeat(3000) + '\n{"a":1}';
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: 'a/one.json', Body: body }));
  await emulator().snapshot('moto-server#bodies');
  const read = async (Key: string) => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body!.transformToString();
  for (let round = 0; round < 3; round++) {
    await emulator().reset();
    expect(await emulator().restore('moto-server#bodies')).toBe(true);
    expect(await read('a/one.json')).toBe(body);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(listed.Contents?.map((o) => [o.Key, o.Size])).toEqual([['a/one.json', body.length]]);
    // What a test changes is not in the next copy.
    await s3.send(new PutObjectCommand({ Bucket, Key: 'a/one.json', Body: `changed ${round}` }));
    await s3.send(new PutObjectCommand({ Bucket, Key: `b/${round}.json`, Body: '{}' }));
  }
  expect(await emulator().restore('moto-server#none')).toBe(false);
});

// Each connection's thread serves the next connection once its own has closed (_reused_threads in moto_server.py):
// a kept-alive connection that sits idle holds its thread, so a new one must get another, never wait for it.
test('a connection is answered while others sit idle on their kept-alive sockets, and after they close', async () => {
  const agents: Agent[] = [];
  const identity = async (): Promise<string | undefined> => {
    const httpAgent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(httpAgent);
    const sts = new STSClient({
      region: 'us-east-1',
      endpoint: emulator().url,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      requestHandler: new NodeHttpHandler({ httpAgent, requestTimeout: 5000 }),
    });
    return (await sts.send(new GetCallerIdentityCommand({}))).Account;
  };
  // Three connections left open and idle, then a fourth.
  for (let i = 0; i < 4; i++) expect(await identity()).toBe('123456789012');
  expect(agents.slice(0, 3).map((a) => Object.values(a.freeSockets).flat().length)).toEqual([1, 1, 1]);
  // Closed: their threads wait for the next connections, six at once (three reused, the rest new).
  for (const a of agents.splice(0)) a.destroy();
  await new Promise((r) => setTimeout(r, 100));
  expect(await Promise.all(Array.from({ length: 6 }, identity))).toEqual(Array(6).fill('123456789012'));
  for (const a of agents.splice(0)) a.destroy();
});
