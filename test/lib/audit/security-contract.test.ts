import { describe, expect, test } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudTrailClient, LookupEventsCommand, type AdvancedEventSelector } from '@aws-sdk/client-cloudtrail';
import { resolveSettings, type Settings } from '../../../src/lib/config/settings.js';
import {
  BEDROCK_DATA_EVENT_TYPES,
  checkTrailName,
  DEFAULT_DATA_EVENT_TYPES,
} from '../../../src/lib/core/cloudtrail.js';
import { checkKeyPrefix } from '../../../src/lib/core/validate.js';
import { trailSelectors, coversManagementEvents } from '../../../src/lib/resources/trail-selectors.js';
import { auditBucketStatements, trailArn } from '../../../src/lib/resources/trail-bucket.js';
import { trailLogsPolicy, trailLogsTrustPolicy } from '../../../src/lib/resources/trail-logs.js';
import {
  REFUSED_FILTER_PATTERN,
  refusedCallsFilter,
  securityAlarmSpecs,
} from '../../../src/lib/resources/security-view.js';
import { securityDashboardBody } from '../../../src/lib/resources/security-dashboard.js';
import { isAccessDenied } from '../../../src/lib/audit/identity.js';
import { runCli, emptyDir } from '../../support/cli.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Request shapes moto stores without checking, checked here against the AWS documentation: each
 * rule is named with the page it comes from.
 */

const ACCOUNT = '123456789012';

async function settings(audit: Record<string, unknown> = {}, region = 'us-east-1'): Promise<Settings> {
  const dir = emptyDir();
  writeFileSync(join(dir, 'bedrock-monitor.config.json'), JSON.stringify({ audit: { enabled: true, ...audit } }));
  return resolveSettings({}, {}, { AWS_REGION: region }, () => Promise.resolve(undefined), dir);
}

const FIELD_SELECTOR = 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_AdvancedFieldSelector.html';
const PUT_EVENT_SELECTORS = 'https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_PutEventSelectors.html';
const DATA_EVENTS_TABLE =
  'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html';

describe('advanced event selectors', () => {
  const variants: [string, AdvancedEventSelector[]][] = [
    ['default types with management events', trailSelectors(DEFAULT_DATA_EVENT_TYPES, true)],
    ['default types without management events', trailSelectors(DEFAULT_DATA_EVENT_TYPES, false)],
    ['every Bedrock type', trailSelectors(BEDROCK_DATA_EVENT_TYPES, true)],
  ];
  const fieldsOf = (s: AdvancedEventSelector) => s.FieldSelectors ?? [];
  const category = (s: AdvancedEventSelector) => fieldsOf(s).find((f) => f.Field === 'eventCategory')?.Equals?.[0];

  test.each(variants)(
    `eventCategory is required, with Equals Management or Data (${FIELD_SELECTOR}): %s`,
    (_n, selectors) => {
      for (const s of selectors) {
        const c = fieldsOf(s).filter((f) => f.Field === 'eventCategory');
        expect(c).toHaveLength(1);
        expect(['Management', 'Data']).toContain(c[0]!.Equals?.[0]);
        expect(c[0]!.Equals).toHaveLength(1);
      }
    },
  );

  test.each(variants)(
    `readOnly, eventCategory and resources.type take only Equals (${FIELD_SELECTOR}): %s`,
    (_n, selectors) => {
      for (const f of selectors
        .flatMap(fieldsOf)
        .filter((x) => ['readOnly', 'eventCategory', 'resources.type'].includes(x.Field ?? ''))) {
        expect(Object.keys(f).filter((k) => k !== 'Field')).toEqual(['Equals']);
      }
    },
  );

  test.each(variants)(
    `fields are the supported ones: management eventCategory/eventSource/readOnly; data also eventName, ` +
      `resources.type (required), resources.ARN… (${FIELD_SELECTOR}): %s`,
    (_n, selectors) => {
      const management = ['eventCategory', 'eventSource', 'readOnly'];
      const data = [
        'eventCategory',
        'eventName',
        'eventSource',
        'eventType',
        'resources.type',
        'readOnly',
        'resources.ARN',
        'sessionCredentialFromConsole',
        'userIdentity.arn',
      ];
      for (const s of selectors) {
        const fields = fieldsOf(s).map((f) => f.Field!);
        if (category(s) === 'Management') expect(fields.every((f) => management.includes(f))).toBe(true);
        else {
          expect(fields.every((f) => data.includes(f))).toBe(true);
          expect(fields.filter((f) => f === 'resources.type')).toHaveLength(1);
        }
        // Each operator list has at least one value.
        for (const f of fieldsOf(s))
          for (const [k, v] of Object.entries(f)) if (k !== 'Field') expect((v as string[]).length).toBeGreaterThan(0);
      }
    },
  );

  test.each(variants)(
    `resources.type values are Bedrock types from CloudTrail's data-event table (${DATA_EVENTS_TABLE}): %s`,
    (_n, selectors) => {
      for (const s of selectors.filter((x) => category(x) === 'Data')) {
        const type = fieldsOf(s).find((f) => f.Field === 'resources.type')!.Equals!;
        expect(type).toHaveLength(1);
        expect(BEDROCK_DATA_EVENT_TYPES).toContain(type[0]);
      }
    },
  );

  test.each(variants)(
    `at most 500 values across all selectors, names of at most 1,000 characters (${PUT_EVENT_SELECTORS}): %s`,
    (_n, selectors) => {
      const values = selectors.flatMap(fieldsOf).reduce(
        (n, f) =>
          n +
          Object.entries(f)
            .filter(([k]) => k !== 'Field')
            .reduce((m, [, v]) => m + (v as string[]).length, 0),
        0,
      );
      expect(values).toBeLessThanOrEqual(500);
      for (const s of selectors) expect((s.Name ?? '').length).toBeLessThanOrEqual(1000);
    },
  );

  // The table (read 2026-12-06) lists 18 AWS::Bedrock:: types, AdvancedOptimizePromptJob among them, and newer
  // Bedrock families: AWS::BedrockAgentCore::Runtime (and 20 more), AWS::BedrockMantle::Project,
  // AWS::BedrockWebSearch::Tool. None may be refused by the config; a non-Bedrock type still is.
  test(`newer Bedrock data-event types from the table are accepted in the config (${DATA_EVENTS_TABLE})`, async () => {
    const newer = [
      'AWS::Bedrock::AdvancedOptimizePromptJob',
      'AWS::Bedrock::Tool',
      'AWS::BedrockAgentCore::Runtime',
      'AWS::BedrockMantle::Project',
      'AWS::BedrockWebSearch::Tool',
    ];
    expect((await settings({ dataEventTypes: newer })).audit.dataEventTypes).toEqual(newer);
    expect(BEDROCK_DATA_EVENT_TYPES.filter((t) => t.startsWith('AWS::Bedrock::'))).toHaveLength(18);
    await expect(settings({ dataEventTypes: ['AWS::S3::Object'] })).rejects.toThrow(
      /"AWS::S3::Object" is not a Bedrock data-event resource type/,
    );
  });

  test(
    `prompts are AWS::Bedrock::PromptVersion in the data-event table; "AWS::Bedrock::Prompt" is refused in the ` +
      `config (${DATA_EVENTS_TABLE})`,
    async () => {
      expect(DEFAULT_DATA_EVENT_TYPES).toContain('AWS::Bedrock::PromptVersion');
      await expect(settings({ dataEventTypes: ['AWS::Bedrock::Prompt'] })).rejects.toThrow(
        /CloudTrail calls prompts AWS::Bedrock::PromptVersion/,
      );
    },
  );

  test(
    `"By default, trails created without specific event selectors are configured to log all read and write ` +
      `management events" (${PUT_EVENT_SELECTORS}); a readOnly or WriteOnly narrowing may miss InvokeModel`,
    () => {
      expect(coversManagementEvents([], [])).toBe(true);
      expect(coversManagementEvents([{ ReadWriteType: 'All', IncludeManagementEvents: true }], undefined)).toBe(true);
      expect(coversManagementEvents([{ ReadWriteType: 'WriteOnly', IncludeManagementEvents: true }], undefined)).toBe(
        false,
      );
      expect(coversManagementEvents([{ ReadWriteType: 'All', IncludeManagementEvents: false }], undefined)).toBe(false);
      expect(
        coversManagementEvents(undefined, [{ FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }]),
      ).toBe(true);
      expect(
        coversManagementEvents(undefined, [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'readOnly', Equals: ['false'] },
            ],
          },
        ]),
      ).toBe(false);
      expect(
        coversManagementEvents(undefined, [
          {
            FieldSelectors: [
              { Field: 'eventCategory', Equals: ['Management'] },
              { Field: 'eventSource', NotEquals: ['kms.amazonaws.com'] },
            ],
          },
        ]),
      ).toBe(true);
      expect(coversManagementEvents(undefined, trailSelectors(DEFAULT_DATA_EVENT_TYPES, false))).toBe(false);
    },
  );
});

describe('CreateTrail (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_CreateTrail.html)', () => {
  test(
    'trail names: 3-128 characters, letters, digits, . _ -, start and end with a letter or digit, no adjacent ' +
      'separators, not an IP address',
    () => {
      expect(checkTrailName('bedrock-monitor-trail')).toBeUndefined();
      expect(checkTrailName('a.b_c-1')).toBeUndefined();
      for (const bad of [
        'ab',
        '-trail',
        'trail-',
        'my--trail',
        'my._trail',
        '192.168.5.4',
        'a'.repeat(129),
        'has space',
      ])
        expect(checkTrailName(bad)).toBeDefined();
    },
  );

  test('S3KeyPrefix: at most 200 characters', () => {
    expect(checkKeyPrefix('cloudtrail')).toBeUndefined();
    expect(checkKeyPrefix('p'.repeat(201))).toBeDefined();
  });
});

describe(
  'bucket policy for CloudTrail ' +
    '(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html)',
  () => {
    test(
      'GetBucketAcl on the bucket and PutObject under <prefix>/AWSLogs/<account>/, for cloudtrail.amazonaws.com, ' +
        'with aws:SourceArn = the trail and bucket-owner-full-control',
      async () => {
        const s = await settings({ s3KeyPrefix: 'cloudtrail' });
        const [acl, write] = auditBucketStatements(s, ACCOUNT, 'logs-bucket');
        const arn = trailArn('us-east-1', ACCOUNT, 'bedrock-monitor-trail');
        expect(acl).toMatchObject({
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: 'arn:aws:s3:::logs-bucket',
          Condition: { StringEquals: { 'aws:SourceArn': arn } },
        });
        expect(write).toMatchObject({
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: `arn:aws:s3:::logs-bucket/cloudtrail/AWSLogs/${ACCOUNT}/*`,
          Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': arn } },
        });
        expect(arn).toBe(`arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/bedrock-monitor-trail`);
      },
    );

    test('none while audit is off, so the bucket policy is unchanged for everyone else', async () => {
      const off = await resolveSettings(
        {},
        {},
        { AWS_REGION: 'us-east-1' },
        () => Promise.resolve(undefined),
        emptyDir(),
      );
      expect(auditBucketStatements(off, ACCOUNT, 'b')).toEqual([]);
    });
  },
);

describe(
  'the CloudTrail role for CloudWatch Logs ' +
    '(https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-required-policy-for-cloudwatch-logs.html)',
  () => {
    test(
      'trust: cloudtrail.amazonaws.com, without aws:SourceArn/SourceAccount ("The role policy doesn\'t support ' +
        'the use of aws:SourceArn and aws:SourceAccount")',
      () => {
        expect(trailLogsTrustPolicy().Statement).toEqual([
          { Effect: 'Allow', Principal: { Service: 'cloudtrail.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ]);
      },
    );

    test('CreateLogStream and PutLogEvents on the <account>_CloudTrail_<region> streams of the one log group', () => {
      const single = trailLogsPolicy('eu-west-1', ACCOUNT, '/aws/cloudtrail/x', false);
      expect(single.Statement).toEqual([
        {
          Sid: 'AWSCloudTrailCreateLogStream2014110',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream'],
          Resource: [
            `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/cloudtrail/x:log-stream:${ACCOUNT}_CloudTrail_eu-west-1*`,
          ],
        },
        {
          Sid: 'AWSCloudTrailPutLogEvents20141101',
          Effect: 'Allow',
          Action: ['logs:PutLogEvents'],
          Resource: [
            `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/cloudtrail/x:log-stream:${ACCOUNT}_CloudTrail_eu-west-1*`,
          ],
        },
      ]);
      // A multi-Region trail writes one stream per source Region into the group.
      expect(JSON.stringify(trailLogsPolicy('eu-west-1', ACCOUNT, '/aws/cloudtrail/x', true))).toContain(
        `log-stream:${ACCOUNT}_CloudTrail_*`,
      );
    });
  },
);

describe('the refused-calls metric filter', () => {
  const f = refusedCallsFilter('/aws/cloudtrail/bedrock-monitor');

  test(
    'PutMetricFilter limits: name 1-512 without : or *, pattern up to 1,024, exactly one transformation, ' +
      'metric name/namespace up to 255 without : * $ ' +
      '(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html)',
    () => {
      expect(f.filterName).toMatch(/^[^:*]{1,512}$/);
      expect(f.filterPattern.length).toBeLessThanOrEqual(1024);
      expect(f.metricTransformations).toHaveLength(1);
      const t = f.metricTransformations[0]!;
      for (const v of [t.metricName, t.metricNamespace]) expect(v).toMatch(/^[^:*$]{1,255}$/);
      expect(t.metricValue.length).toBeLessThanOrEqual(100);
    },
  );

  test(
    'pattern syntax: one JSON pattern in braces, $. selectors, quoted values with * wildcards, && and || with ' +
      'parentheses (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html)',
    () => {
      expect(REFUSED_FILTER_PATTERN).toMatch(/^\{ .* \}$/);
      let depth = 0;
      for (const ch of REFUSED_FILTER_PATTERN.replace(/"[^"]*"/g, '""')) {
        if (ch === '(') depth++;
        if (ch === ')') depth--;
        expect(depth).toBeGreaterThanOrEqual(0);
      }
      expect(depth).toBe(0);
      const terms = [...REFUSED_FILTER_PATTERN.matchAll(/\(\$\.(\w+) = "([^"]+)"\)/g)].map((m) => [m[1], m[2]]);
      expect(terms).toEqual([
        ['eventSource', 'bedrock.amazonaws.com'],
        ['errorCode', 'AccessDenied*'],
        ['errorCode', '*UnauthorizedOperation'],
      ]);
    },
  );

  test('the filter and `audit` agree on what a refused call is', () => {
    const wildcards = [...REFUSED_FILTER_PATTERN.matchAll(/\$\.errorCode = "([^"]+)"/g)].map(
      (m) => new RegExp(`^${m[1]!.replace(/\*/g, '.*')}$`),
    );
    for (const code of [
      'AccessDenied',
      'AccessDeniedException',
      'Client.UnauthorizedOperation',
      'UnauthorizedOperation',
      'ThrottlingException',
      'ValidationException',
      'ResourceNotFoundException',
      '',
    ]) {
      expect([code, wildcards.some((w) => w.test(code)) && code !== '']).toEqual([code, isAccessDenied(code)]);
    }
  });
});

describe(
  'security alarms ' + '(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html)',
  () => {
    test(
      'Ids start lowercase, exactly one ReturnData, one Metrics Insights query at most, no SEARCH, a Period on ' +
        'an expression, window within 3 hours for Metrics Insights ' +
        '(https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarm-limits.html)',
      async () => {
        for (const spec of securityAlarmSpecs(await settings({ cloudWatchLogs: true, alarms: { enabled: true } }))) {
          expect(spec.name.length).toBeLessThanOrEqual(255);
          expect(spec.description.length).toBeLessThanOrEqual(1024);
          for (const q of spec.metrics) expect(q.Id).toMatch(/^[a-z][A-Za-z0-9_]*$/);
          expect(spec.metrics.filter((q) => q.ReturnData)).toHaveLength(1);
          const mi = spec.metrics.filter((q) => /\bSELECT\b/.test(q.Expression ?? ''));
          expect(mi.length).toBeLessThanOrEqual(1);
          for (const q of mi) expect(q.Period! * 1).toBeLessThanOrEqual(10_800);
          for (const q of spec.metrics) {
            expect(q.Expression ?? '').not.toContain('SEARCH(');
            if (q.Expression) expect(q.Period).toBeGreaterThan(0);
          }
        }
      },
    );

    test(
      'guardrail metrics: namespace AWS/Bedrock/Guardrails, InvocationsIntervened, GuardrailArn + ' +
        'GuardrailVersion ' +
        '(https://docs.aws.amazon.com/bedrock/latest/userguide/monitoring-guardrails-cw-metrics.html)',
      async () => {
        const [, guardrail] = securityAlarmSpecs(await settings({ cloudWatchLogs: true, alarms: { enabled: true } }));
        expect(guardrail!.metrics[0]!.Expression).toBe(
          'SELECT SUM(InvocationsIntervened) FROM SCHEMA("AWS/Bedrock/Guardrails", GuardrailArn, GuardrailVersion)',
        );
      },
    );
  },
);

describe(
  'the BedrockSecurity dashboard ' +
    '(https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Dashboard-Body-Structure.html)',
  () => {
    test.each([[{}], [{ cloudWatchLogs: true, alarms: { enabled: true } }]])(
      'widgets fit the 24-column grid, of known types, SEARCH under 1,024 characters; %j',
      async (audit) => {
        const body = securityDashboardBody(await settings(audit), ['arn:aws:cloudwatch:us-east-1:1:alarm:a']);
        expect(body.widgets.length).toBeLessThanOrEqual(500);
        for (const w of body.widgets) {
          expect(['metric', 'text', 'log', 'alarm']).toContain(w.type);
          expect(w.x + w.width).toBeLessThanOrEqual(24);
          if (w.type === 'log') expect(w.properties.query).toMatch(/^SOURCE '\/aws\/cloudtrail\/bedrock-monitor' \| /);
          for (const m of JSON.stringify(w.properties).matchAll(/SEARCH\('([^']*)'/g))
            expect(m[1]!.length).toBeLessThanOrEqual(1024);
        }
      },
    );
  },
);

describe('LookupEvents (https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html)', () => {
  test('one lookup attribute (EventSource), MaxResults within 1-50, StartTime before EndTime', async () => {
    const ct = mockClient(CloudTrailClient);
    ct.on(LookupEventsCommand).resolves({ Events: [] });
    const r = await runCli(['audit', '--hours', '6'], {
      env: { AWS_REGION: 'us-east-1' },
      now: new Date('2026-03-10T12:00:00Z'),
    });
    expect(r.code).toBe(0);
    const input = ct.commandCalls(LookupEventsCommand)[0]!.args[0].input;
    expect(input.LookupAttributes).toEqual([{ AttributeKey: 'EventSource', AttributeValue: 'bedrock.amazonaws.com' }]);
    expect(input.MaxResults).toBeGreaterThanOrEqual(1);
    expect(input.MaxResults).toBeLessThanOrEqual(50);
    expect(input.StartTime!.getTime()).toBeLessThan(input.EndTime!.getTime());
    ct.restore();
  });
});
