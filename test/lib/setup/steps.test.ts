import { describe, expect, test } from '@jest/globals';
import { keysOfScope } from '../../../src/lib/config/schema.js';
import {
  accountFacts,
  resolveSettings,
  type RegionView,
  type SettingOverrides,
  type Settings,
} from '../../../src/lib/config/settings.js';
import { activeSteps, inScope, STEPS, type StepOf } from '../../../src/lib/setup/steps.js';
import { emptyDir } from '../../support/cli.js';

/** Settings for a Region of an account whose home Region is `home` (as a fleet target's context has them). */
async function settingsIn(region: string, home: string, overrides: SettingOverrides = {}): Promise<Settings> {
  const s = await resolveSettings({ region }, overrides, {}, () => Promise.resolve(undefined), emptyDir());
  return { ...s, homeRegion: home };
}

const ACCOUNT_STEPS = ['audit-iam', 'audit-log-group', 'audit-trail', 'security-view', 'budget', 'cur-export'];
const ALL_ON: SettingOverrides = {
  'audit.enabled': true,
  'audit.cloudWatchLogs': true,
  'audit.alarms.enabled': true,
  'budget.monthlyUsd': 100,
  'bill.enabled': true,
};

describe('account and Region settings', () => {
  test('the schema marks audit, bill and budget as the account’s; targets, prices, quotas as the run’s', () => {
    expect(keysOfScope('account')).toEqual(['audit', 'bill', 'budget']);
    expect(keysOfScope('run')).toEqual(['$schema', 'region', 'prices', 'quotas', 'targets']);
  });

  test('each step declares its scope: the budget, the trail and what serves it, the CUR export: the account’s', () => {
    expect(STEPS.filter((s) => s.scope === 'account').map((s) => s.name)).toEqual(ACCOUNT_STEPS);
    expect(STEPS.every((s) => s.scope === 'account' || s.scope === 'region')).toBe(true);
  });

  test('outside the home Region only the Region-level steps run; in it, every step', async () => {
    const away = await settingsIn('eu-west-1', 'us-east-1', ALL_ON);
    expect(activeSteps(away).filter((s) => s.scope === 'account')).toEqual([]);
    expect(activeSteps(away).length).toBeGreaterThan(0);
    const home = await settingsIn('us-east-1', 'us-east-1', ALL_ON);
    expect(activeSteps(home).map((s) => s.name)).toEqual(expect.arrayContaining(ACCOUNT_STEPS));
  });

  test('a one-Region trail (audit.multiRegion false) is each Region’s own; the budget is the account’s', async () => {
    const away = await settingsIn('eu-west-1', 'us-east-1', { ...ALL_ON, 'audit.multiRegion': false });
    const here = STEPS.filter((s) => s.scope === 'account' && inScope(s, away)).map((s) => s.name);
    expect(here).toEqual(['audit-iam', 'audit-log-group', 'audit-trail', 'security-view']);
  });

  test('account facts: what Region-level resources know of the account’s settings, alike in every Region', async () => {
    expect(accountFacts(await settingsIn('eu-west-1', 'us-east-1'))).toEqual({
      trail: null,
      budgetRegion: null,
      curExportRegion: null,
    });
    const facts = accountFacts(await settingsIn('eu-west-1', 'us-east-1', { ...ALL_ON, 'audit.s3KeyPrefix': 'ct' }));
    expect(facts).toEqual({
      trail: { name: 'bedrock-monitor-trail', s3KeyPrefix: 'ct', region: 'us-east-1' },
      budgetRegion: 'us-east-1',
      curExportRegion: 'us-east-1',
    });
    const home = await settingsIn('us-east-1', 'us-east-1', { ...ALL_ON, 'audit.s3KeyPrefix': 'ct' });
    expect(accountFacts(home)).toEqual(facts);
  });

  test('a Region-level step cannot read an account-level key (else npm run typecheck fails below)', async () => {
    const read = (view: RegionView): string => {
      // @ts-expect-error audit is the account's setting
      void view.audit;
      // @ts-expect-error budget is the account's setting
      void view.budget;
      // @ts-expect-error bill is the account's setting
      void view.bill;
      return view.alarms.topicName;
    };
    const step: StepOf<'region'> = {
      name: 'dashboard',
      scope: 'region',
      // @ts-expect-error a Region-level step's settings have no budget
      needs: (s) => (s.budget.monthlyUsd ? ['topic'] : []),
      resources: (ctx) => {
        // @ts-expect-error nor does its context's
        void ctx.settings.audit;
        return Promise.resolve([]);
      },
    };
    const settings = await settingsIn('us-east-1', 'us-east-1');
    expect(read(settings)).toBe('bedrock-usage-alerts');
    expect(step.scope).toBe('region');
  });
});
