import { describe, expect, test } from '@jest/globals';
import { checkRegion } from '../../../src/lib/core/validate.js';
import { runCli } from '../../support/cli.js';

/** Regions are checked against the AWS SDK's own partition data, before any request. */
describe('Region validation', () => {
  test('a real Region of its partition passes; a made-up one does not', () => {
    for (const r of ['us-east-1', 'eu-central-2', 'cn-north-1', 'us-gov-west-1'])
      expect(checkRegion(r)).toBeUndefined();
    expect(checkRegion('us-east-9')).toBe(
      '"us-east-9" is not a Region of the aws partition (expected something like us-east-1 or eu-west-2)',
    );
  });

  test('--region us-east-9 is refused (exit 2) with no request', async () => {
    const r = await runCli(['status', '--region', 'us-east-9']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--region: "us-east-9" is not a Region of the aws partition');
    expect(r.requests).toEqual([]);
  });
});
