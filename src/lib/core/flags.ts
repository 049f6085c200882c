/**
 * The target flags a person gave (--region, --profile, --endpoint-url, --config, --regions,
 * --accounts, --assume-role), as command-line words: a repair hint repeats them, so that the command
 * it names works on the same account, Region and endpoint.
 */
export interface TargetFlagValues {
  region?: string;
  profile?: string;
  endpointUrl?: string;
  config?: string;
  regions?: string[] | 'all';
  accounts?: string[] | 'org';
  assumeRole?: string;
}

/** A word as a POSIX shell reads it back: quoted only when it must be. */
export function shellWord(v: string): string {
  return /^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`;
}

export function targetFlags(o: TargetFlagValues): string {
  const list = (v: string[] | string | undefined): string | undefined => (Array.isArray(v) ? v.join(',') : v);
  const pairs: [string, string | undefined][] = [
    ['--region', o.region],
    ['--profile', o.profile],
    ['--endpoint-url', o.endpointUrl],
    ['--config', o.config],
    ['--regions', list(o.regions)],
    ['--accounts', list(o.accounts)],
    ['--assume-role', o.assumeRole],
  ];
  return pairs
    .filter((p): p is [string, string] => p[1] !== undefined && p[1] !== '')
    .map(([flag, v]) => ` ${flag} ${shellWord(v)}`)
    .join('');
}
