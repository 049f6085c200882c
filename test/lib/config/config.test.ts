import { describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSettings } from '../../../src/lib/config/settings.js';
import { normalizePolicy } from '../../../src/lib/aws/policy.js';
import { emptyDir } from '../../support/cli.js';

const noProfile = () => Promise.resolve(undefined);

function dirWith(config: unknown): string {
  const dir = emptyDir();
  writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify(config));
  return dir;
}

describe('settings precedence: defaults < config file < environment < flags', () => {
  test('defaults', async () => {
    const s = await resolveSettings({}, {}, { AWS_REGION: 'us-east-2' }, noProfile, emptyDir());
    expect(s).toMatchObject({
      region: 'us-east-2',
      roleName: 'BedrockCloudWatchLoggingRole-us-east-2',
      logGroupName: '/aws/bedrock/modelinvocations',
      logRetentionDays: 30,
      bucketExpirationDays: 90,
      noncurrentExpirationDays: 30,
      abortIncompleteMultipartUploadDays: 7,
      logging: {
        destinations: ['cloudwatch', 's3'],
        textDataDeliveryEnabled: true,
        imageDataDeliveryEnabled: false,
        embeddingDataDeliveryEnabled: false,
        videoDataDeliveryEnabled: false,
        audioDataDeliveryEnabled: false,
      },
    });
    expect(s.bucketName).toBeUndefined();
  });

  test('Region: file < AWS_DEFAULT_REGION < AWS_REGION < --region; profile region only as a last resort', async () => {
    const dir = dirWith({ region: 'eu-west-1' });
    const profile = () => Promise.resolve('ap-south-1');
    expect((await resolveSettings({}, {}, {}, profile, emptyDir())).region).toBe('ap-south-1');
    expect((await resolveSettings({}, {}, {}, profile, dir)).region).toBe('eu-west-1');
    expect((await resolveSettings({}, {}, { AWS_DEFAULT_REGION: 'eu-west-2' }, profile, dir)).region).toBe('eu-west-2');
    expect(
      (await resolveSettings({}, {}, { AWS_DEFAULT_REGION: 'eu-west-2', AWS_REGION: 'eu-central-1' }, profile, dir))
        .region,
    ).toBe('eu-central-1');
    expect(
      (await resolveSettings({ region: 'eu-west-3' }, {}, { AWS_REGION: 'eu-central-1' }, profile, dir)).region,
    ).toBe('eu-west-3');
  });

  test('flags override config keys', async () => {
    const dir = dirWith({ logRetentionDays: 14, roleName: 'FromFile', logging: { destinations: ['s3'] } });
    const fromFile = await resolveSettings({}, {}, { AWS_REGION: 'us-east-1' }, noProfile, dir);
    expect([fromFile.logRetentionDays, fromFile.roleName, fromFile.logging.destinations]).toEqual([
      14,
      'FromFile',
      ['s3'],
    ]);
    const fromFlags = await resolveSettings(
      {},
      { logRetentionDays: 60, roleName: 'FromFlag', 'logging.destinations': ['s3', 'cloudwatch'] },
      { AWS_REGION: 'us-east-1' },
      noProfile,
      dir,
    );
    expect([fromFlags.logRetentionDays, fromFlags.roleName, fromFlags.logging.destinations]).toEqual([
      60,
      'FromFlag',
      ['cloudwatch', 's3'],
    ]);
  });

  test('endpoint: AWS_ENDPOINT_URL < --endpoint-url', async () => {
    const env = { AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL: 'http://localhost:1' };
    expect((await resolveSettings({}, {}, env, noProfile, emptyDir())).endpointUrl).toBe('http://localhost:1');
    expect(
      (await resolveSettings({ endpointUrl: 'http://localhost:2' }, {}, env, noProfile, emptyDir())).endpointUrl,
    ).toBe('http://localhost:2');
  });
});

describe('policies compare semantically', () => {
  const doc = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'B',
        Effect: 'Allow' as const,
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::b/*',
        Principal: { Service: 'bedrock.amazonaws.com' },
      },
      {
        Sid: 'A',
        Effect: 'Deny' as const,
        Action: ['s3:*'],
        Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'],
        Principal: '*' as const,
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  };

  test('URL-encoding, statement order, key order and single-vs-array forms are equal', () => {
    const reordered = {
      Statement: [
        {
          Condition: { Bool: { 'aws:SecureTransport': ['false'] } },
          Principal: '*' as const,
          Resource: ['arn:aws:s3:::b/*', 'arn:aws:s3:::b'],
          Action: 's3:*',
          Effect: 'Deny' as const,
          Sid: 'A',
        },
        {
          Principal: { Service: ['bedrock.amazonaws.com'] },
          Resource: ['arn:aws:s3:::b/*'],
          Action: ['s3:PutObject'],
          Effect: 'Allow' as const,
          Sid: 'B',
        },
      ],
      Version: '2012-10-17',
    };
    expect(normalizePolicy(encodeURIComponent(JSON.stringify(reordered)))).toEqual(normalizePolicy(doc));
  });

  test('a different action, resource, condition or effect is not equal', () => {
    const base = normalizePolicy(doc);
    const variants = [
      { ...doc, Statement: [{ ...doc.Statement[0]!, Action: 's3:GetObject' }, doc.Statement[1]!] },
      { ...doc, Statement: [{ ...doc.Statement[0]!, Resource: 'arn:aws:s3:::c/*' }, doc.Statement[1]!] },
      {
        ...doc,
        Statement: [
          doc.Statement[0]!,
          { ...doc.Statement[1]!, Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
        ],
      },
      { ...doc, Statement: [{ ...doc.Statement[0]!, Effect: 'Deny' as const }, doc.Statement[1]!] },
      { ...doc, Statement: [doc.Statement[0]!] },
    ];
    for (const v of variants) expect(normalizePolicy(v)).not.toEqual(base);
  });
});

describe('docs/configuration.md', () => {
  test('the config file example is valid and every key it shows is one the schema knows', async () => {
    const { readFileSync } = await import('node:fs');
    const { ConfigFileSchema } = await import('../../../src/lib/config/schema.js');
    const readme = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8');
    const block = /## Config file[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const parsed = ConfigFileSchema.safeParse(JSON.parse(block!));
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });
});
