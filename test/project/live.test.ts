import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { converseBody, signConverse } from '../live/converse.js';
import { liveGate } from '../live/live.js';

/**
 * npm run test:live is not part of npm test (it needs an AWS account): here, only that it stays
 * harmless without one (one line, exit 0, no request), and that its one hand-made request, the
 * Converse call, is signed and shaped as AWS expects (checked with botocore's own signer and model).
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BUILT = join(ROOT, '.build/test/live/live.js');

/** An environment with no way to find credentials (and no instance metadata to wait for). */
function bare(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: '/nonexistent',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
  return env;
}

describe('npm run test:live without an account', () => {
  test('is a separate script, not part of npm test', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['test:live']).toContain('.build/test/live/live.js');
    expect(pkg.scripts.test).not.toContain('live');
  });

  test('npm run test:unit builds what it runs first (a fresh clone has no .build/)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts['pretest:unit']).toContain('npm run transpile');
  });

  test.each([
    [
      'without BEDROCK_MONITOR_LIVE=1',
      {},
      'test:live: skipped: set BEDROCK_MONITOR_LIVE=1 (and AWS credentials) to run it against a real account\n',
    ],
    [
      'with BEDROCK_MONITOR_LIVE=1 but no credentials',
      { BEDROCK_MONITOR_LIVE: '1' },
      /^test:live: skipped: BEDROCK_MONITOR_LIVE=1 but no AWS credentials were found \(.*\)\n$/,
    ],
  ])('%s: one line, exit 0', (_n, extra, expected) => {
    expect(existsSync(BUILT)).toBe(true); // built by `npm run transpile` (npm test's pretest)
    const r = spawnSync(process.execPath, [BUILT], { env: bare(extra), encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(0);
    if (typeof expected === 'string') expect(r.stdout).toBe(expected);
    else expect(r.stdout).toMatch(expected);
    expect(r.stderr).toBe('');
  });

  test('the gate asks for credentials only once the flag is set', async () => {
    let asked = 0;
    const provider = () => {
      asked++;
      return Promise.resolve({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
    };
    expect(await liveGate({}, provider)).toMatchObject({ run: false });
    expect(asked).toBe(0);
    expect(await liveGate({ BEDROCK_MONITOR_LIVE: '1' }, provider)).toMatchObject({
      run: true,
      credentials: { accessKeyId: 'AKIDEXAMPLE' },
    });
    expect(asked).toBe(1);
  });
});

describe(
  'the Converse request ' + '(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html)',
  () => {
    test('is signed exactly as botocore signs it, and its body fits the Converse input shape', async () => {
      const now = new Date('2026-11-22T10:00:00Z');
      const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
      const body = converseBody('Reply with the single word: ok', 5);
      const signed = await signConverse({
        region: 'us-east-1',
        modelId: 'amazon.nova-micro-v1:0',
        credentials,
        body,
        now,
      });
      expect(signed.url).toBe(
        'https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-micro-v1%3A0/converse',
      );
      const auth = signed.headers.authorization ?? '';
      expect(auth).toMatch(
        new RegExp(
          /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261122\/us-east-1\/bedrock\/aws4_request, /.source +
            /SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/.source,
        ),
      );

      const script = `
import json, sys
import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.validate import ParamValidator
d = json.load(sys.stdin)
headers = {k: v for k, v in d["headers"].items() if k not in ("authorization",)}
req = AWSRequest(method="POST", url=d["url"], data=d["body"].encode(), headers=headers)
req.context["timestamp"] = headers["x-amz-date"]
signer = SigV4Auth(Credentials(d["ak"], d["sk"]), "bedrock", "us-east-1")
canonical = signer.canonical_request(req)
signature = signer.signature(signer.string_to_sign(req, canonical), req)
model = botocore.session.get_session().get_service_model("bedrock-runtime").operation_model("Converse")
params = dict(json.loads(d["body"]), modelId="amazon.nova-micro-v1:0")
report = ParamValidator().validate(params, model.input_shape)
print(json.dumps({"signature": signature, "errors": report.generate_report() if report.has_errors() else ""}))
`;
      const input = JSON.stringify({
        url: signed.url,
        headers: signed.headers,
        body,
        ak: credentials.accessKeyId,
        sk: credentials.secretAccessKey,
      });
      const py = spawnSync('python3', ['-c', script], { input, encoding: 'utf8' });
      expect(py.stderr).toBe('');
      const out = JSON.parse(py.stdout) as { signature: string; errors: string };
      expect(auth.endsWith(`Signature=${out.signature}`)).toBe(true);
      expect(out.errors).toBe('');
    });
  },
);
