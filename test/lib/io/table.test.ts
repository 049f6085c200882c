import { describe, expect, test } from '@jest/globals';
import { focusPair, formatDuration, formatTime, wrapWords } from '../../../src/lib/io/format.js';
import { compactArn, modelIdForms } from '../../../src/lib/io/model-id.js';
import { layoutTable, renderTable, wrapText, type Column } from '../../../src/lib/io/table.js';
import { editDistance, nearest } from '../../../src/lib/core/suggest.js';

/**
 * The generic pieces every command's output is built from: table fitting, model-ID forms, wrapping, durations,
 * suggestions.
 */

const col = (head: string, priority: number, extra: Partial<Column> = {}): Column => ({ head, priority, ...extra });

describe('layoutTable', () => {
  const columns = [col('NAME', 0), col('A', 1, { keep: true }), col('EMPTY', 9), col('B', 5), col('C', 8)];
  const rows = [
    ['alpha', '1111111111', 'n/a', '2222222222', '3333333333'],
    ['beta', '1', 'n/a', '2', '3'],
  ];

  test('off a terminal nothing is left out', () => {
    expect(layoutTable({ columns, rows }, undefined).dropped).toEqual([]);
  });

  test('a column whose every value is n/a goes first, even before a less valuable column with values', () => {
    // Everything is 5 + 10 + 5 + 10 + 10 = 40 wide plus 4 gaps of 2; EMPTY alone makes room at 43.
    expect(
      layoutTable({ columns: columns.map((c) => (c.head === 'EMPTY' ? { ...c, priority: 1 } : c)), rows }, 43).dropped,
    ).toEqual(['EMPTY']);
  });

  test('then the least valuable columns, and what fits again comes back', () => {
    const l = layoutTable({ columns, rows }, 30);
    expect(l.dropped).toEqual(['EMPTY', 'C']);
    expect(
      renderTable({ columns, rows }, 30)
        .split('\n')
        .every((line) => line.length <= 30),
    ).toBe(true);
  });

  test('cells with shorter forms are shortened only after droppable columns are gone, and kept columns go last', () => {
    const forms = (c: string) => (c.length > 4 ? [c.slice(0, 4)] : []);
    const cs = [col('NAME', 0, { shorter: forms }), col('KEEP', 1, { keep: true }), col('DROP', 2)];
    const rs = [['abcdefgh', 'xxxx', 'yyyy']];
    const wide = layoutTable({ columns: cs, rows: rs }, 19);
    expect([wide.dropped, wide.rows[0]![0]]).toEqual([['DROP'], 'abcdefgh']);
    const narrow = layoutTable({ columns: cs, rows: rs }, 12);
    expect([narrow.dropped, narrow.rows[0]![0]]).toEqual([['DROP'], 'abcd']);
  });

  test('shortening never makes two different values look alike', () => {
    const forms = (c: string) => [c.replace(/-v\d$/, '')];
    const l = layoutTable(
      {
        columns: [col('M', 0, { shorter: forms }), col('X', 0)],
        rows: [
          ['model-a-v1', '1'],
          ['model-a-v2', '2'],
          ['model-b-v1', '3'],
        ],
      },
      5,
    );
    expect(l.rows.map((r) => r[0])).toEqual(['model-a-v1', 'model-a-v2', 'model-b']);
  });

  test(
    'a wrapping column wraps at token boundaries, not narrower than its longest token while something else can ' + 'go',
    () => {
      const text = renderTable(
        {
          columns: [col('RESOURCE', 0), col('NAME', 0, { wrap: true })],
          rows: [['iam-role', 'BedrockCloudWatchLoggingRole-us-east-1']],
        },
        40,
      );
      expect(text.split('\n')).toEqual([
        'RESOURCE  NAME',
        'iam-role  BedrockCloudWatchLoggingRole-',
        '          us-east-1',
      ]);
    },
  );

  test('lines under a row, and the heads shown', () => {
    const text = renderTable(
      {
        columns: [col('A', 0), col('B', 1)],
        rows: [['x', 'y']],
        after: (i, shown) => [`  row ${i}: ${shown.join(',')}`],
      },
      undefined,
    );
    expect(text).toBe('A  B\nx  y\n  row 0: A,B');
  });
});

describe('model IDs, shortened a whole part at a time', () => {
  test.each([
    [
      'anthropic.claude-3-haiku-20240307-v1:0',
      ['anthropic.claude-3-haiku-20240307', 'claude-3-haiku-20240307', 'claude-3-haiku'],
    ],
    [
      'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      ['us.anthropic.claude-sonnet-4-5-20250929', 'us.claude-sonnet-4-5-20250929', 'us.claude-sonnet-4-5'],
    ],
    ['meta.llama3-1-70b-instruct-v1:0', ['meta.llama3-1-70b-instruct', 'llama3-1-70b-instruct']],
    [
      'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-haiku-4-5-20251001-v1:0',
      [
        'arn…/us.anthropic.claude-haiku-4-5-20251001-v1:0',
        'arn…/us.anthropic.claude-haiku-4-5-20251001',
        'arn…/us.claude-haiku-4-5-20251001',
        'arn…/us.claude-haiku-4-5',
      ],
    ],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3', ['arn…/a1b2c3']],
  ])('%s', (id, forms) => {
    expect(modelIdForms(id)).toEqual(forms);
    // Every form is a run of whole parts of the ID: nothing is cut inside a part.
    for (const f of forms)
      for (const part of f.replace('arn…/', '').split(/[.:/-]/)) expect(id.split(/[.:/-]/)).toContain(part);
  });

  test('a terminal shows an ARN by its resource part', () => {
    expect(compactArn('arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.x')).toBe('arn…/us.x');
    expect(compactArn('anthropic.claude-3-haiku-20240307-v1:0')).toBe('anthropic.claude-3-haiku-20240307-v1:0');
  });
});

describe('text', () => {
  test.each([
    [45 * 60_000, '45 min'],
    [24 * 3_600_000, '24 h'],
    [(29 * 60 + 38) * 60_000, '29 h 38 min'],
    [48 * 3_600_000, '2 days'],
    [(3 * 24 + 4) * 3_600_000, '3 days 4 h'],
    [24 * 3_600_000 * 1, '24 h'],
  ])('duration %d ms is "%s"', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test('prose wraps at spaces, with a hanging indent, keeping its own indent', () => {
    expect(wrapWords('  one two three four', 10, 4)).toEqual(['  one two', '    three', '    four']);
    expect(wrapWords('one two', undefined)).toEqual(['one two']);
  });

  test('cells wrap after - / . _ @ : or a space', () => {
    expect(wrapText('bedrock-logs-123456789012-us-east-1', 20)).toEqual([
      'bedrock-logs-',
      '123456789012-us-',
      'east-1',
    ]);
    // A time or a decimal number is one token: never "15:" on one line and "45" on the next.
    expect(wrapText('until 15:45', 8)).toEqual(['until', '15:45']);
    expect(wrapText('Claude Opus 4.5', 13)).toEqual(['Claude Opus', '4.5']);
  });

  test('two long values are focused on where they differ, cut only between tokens', () => {
    const a = 'Input + output tokens across all Bedrock models exceeded 200000 in one hour.';
    const b = 'Input + output tokens across all Bedrock models exceeded 100000 in one hour.';
    const [x, y] = focusPair(a, b, 40);
    expect([x, y]).toEqual(['…models exceeded 200000 in one hour.', '…models exceeded 100000 in one hour.']);
  });
});

describe('did you mean', () => {
  test('a prefix wins, then the edit distance', () => {
    expect(nearest('setup', ['setup-all', 'status', 'setup-iam'])).toBe('setup-all');
    expect(nearest('stauts', ['setup-all', 'status'])).toBe('status');
    expect(nearest('xyz', ['setup-all', 'status'])).toBeUndefined();
    expect(editDistance('emial', 'email')).toBe(1);
  });
});

describe('formatTime', () => {
  test('in the zone given, else UTC; the same answer each time (one formatter per zone, kept)', () => {
    const iso = '2026-11-21T10:17:42.000Z';
    for (let i = 0; i < 2; i++) {
      expect(formatTime(iso, undefined)).toBe('2026-11-21 10:17');
      expect(formatTime(iso, '')).toBe('2026-11-21 10:17');
      expect(formatTime(iso, 'Asia/Tokyo')).toBe('2026-11-21 19:17');
      expect(formatTime('2026-07-01T23:30:00Z', 'America/New_York')).toBe('2026-07-01 19:30');
    }
  });

  test("a zone Intl does not know, or a time Date cannot read: the ISO text's own minutes", () => {
    expect(formatTime('2026-11-21T10:17:42Z', 'Mars/Olympus_Mons')).toBe('2026-11-21 10:17');
    expect(formatTime('2026-11-21T10:17:42Z', 'Mars/Olympus_Mons')).toBe('2026-11-21 10:17');
    expect(formatTime('not a time at all', 'UTC')).toBe('not a time at al'); // its first 16 characters
  });
});
