import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { runCli } from './support/cli.js';
import { DOCUMENTED } from './support/schemas.js';

/**
 * The README's command reference and JSON section, checked against the program itself: every
 * command has a section whose "Options:" line names exactly the options its --help lists, every
 * shared option is in the shared table, and every field of every documented JSON shape is named.
 */

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const SHARED = [
  '--region',
  '--profile',
  '--endpoint-url',
  '--config',
  '--json',
  '--output',
  '--no-color',
  '--verbose',
  // The target flags, the same on every command that takes them: documented once, in docs/fleet.md.
  '--regions',
  '--accounts',
  '--assume-role',
];

async function help(args: string[]): Promise<string> {
  const r = await runCli([...args, '--help'], { env: { COLUMNS: '200' } });
  expect(r.code).toBe(0);
  return r.stdout;
}

/** Option flags of a --help text (long names), without --help. */
function helpFlags(text: string): string[] {
  return [...text.matchAll(/^ {2}(?:-\w, )?(--[\w-]+)/gm)].map((m) => m[1]!).filter((f) => f !== '--help');
}

/** Commands as --help lists them (`config set` etc. for the config group). */
async function commands(): Promise<string[]> {
  const top = [...(await help([])).matchAll(/^ {2}([a-z][\w-]*)\s/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
  const out: string[] = [];
  for (const c of top) {
    const sub = [...(await help([c])).matchAll(/^ {2}([a-z][\w-]*) (?:\[options\]|<)/gm)].map((m) => m[1]!);
    out.push(...(sub.length ? sub.map((s) => `${c} ${s}`) : [c]));
  }
  return out;
}

/** The README section of a command (`### name` up to the next heading). */
function section(name: string): string {
  const start = README.indexOf(`\n### ${name}\n`);
  if (start < 0) return '';
  const rest = README.slice(start + 1);
  const end = rest.slice(4).search(/\n##/);
  return end < 0 ? rest : rest.slice(0, end + 4);
}

/** The flags on a section's "Options:" line (which may continue over several lines). */
function readmeFlags(text: string): string[] {
  const m = /(?:^|\n)Options: ([\s\S]*?)(?:\n\n|\n?$)/.exec(text);
  return m ? [...m[1]!.matchAll(/`(?:-\w, )?(--[\w-]+)/g)].map((x) => x[1]!) : [];
}

describe("README's command reference matches --help", () => {
  test('every command has a section, and its Options line names exactly what --help lists', async () => {
    const mismatches: string[] = [];
    for (const c of await commands()) {
      const name = c.split(' ')[0]!;
      const text = section(name);
      if (!text) {
        mismatches.push(`${c}: no "### ${name}" section`);
        continue;
      }
      const own = helpFlags(await help(c.split(' ')))
        .filter((f) => !SHARED.includes(f))
        .sort();
      const documented = readmeFlags(text)
        .filter((f) => !SHARED.includes(f))
        .sort();
      if (c.startsWith('config ')) continue; // checked as a group below
      if (JSON.stringify(own) !== JSON.stringify(documented))
        mismatches.push(`${c}: --help has ${own.join(' ')}; README has ${documented.join(' ')}`);
    }
    expect(mismatches).toEqual([]);
  });

  test('config: the subcommands are in its section, with its options', async () => {
    const text = section('config');
    for (const sub of ['set', 'get', 'unset', 'list']) expect(text).toContain(`bedrock-monitor config ${sub}`);
    const flags = new Set<string>();
    for (const sub of ['set', 'get', 'unset', 'list'])
      for (const f of helpFlags(await help(['config', sub]))) flags.add(f);
    expect(readmeFlags(text).sort()).toEqual([...flags].sort());
  });

  test('every shared option a command takes is in the shared options table', async () => {
    const table = README.slice(README.indexOf('## Options every command shares'), README.indexOf('## Config file'));
    const seen = new Set<string>();
    for (const c of await commands())
      for (const f of helpFlags(await help(c.split(' ')))) if (SHARED.includes(f)) seen.add(f);
    expect([...seen].filter((f) => !table.includes(`\`${f}`))).toEqual([]);
  });

  test('the commands table lists every command', async () => {
    const table = README.slice(README.indexOf('## Commands'), README.indexOf('### setup-iam'));
    const missing = [...new Set((await commands()).map((c) => c.split(' ')[0]!))].filter(
      (c) => !table.includes(`| \`${c}\` |`),
    );
    expect(missing).toEqual([]);
  });
});

/**
 * Every field name in a value's schema: its own keys, and those in objects, arrays, unions, records, optional and
 * nullable values under it.
 */
function fieldsOf(s: z.ZodTypeAny): string[] {
  if (s instanceof z.ZodObject)
    return Object.entries(s.shape as Record<string, z.ZodTypeAny>).flatMap(([k, v]) => [k, ...fieldsOf(v)]);
  if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) return fieldsOf(s.unwrap() as z.ZodTypeAny);
  if (s instanceof z.ZodArray) return fieldsOf(s.element as z.ZodTypeAny);
  if (s instanceof z.ZodUnion || s instanceof z.ZodDiscriminatedUnion)
    return (s.options as z.ZodTypeAny[]).flatMap(fieldsOf);
  if (s instanceof z.ZodRecord) return fieldsOf(s.valueSchema as z.ZodTypeAny);
  return [];
}

/** The field names below a document's top level. */
const nestedKeys = (doc: z.AnyZodObject): string[] =>
  Object.values(doc.shape as Record<string, z.ZodTypeAny>).flatMap(fieldsOf);

describe("README's JSON output section names every field of every shape", () => {
  const json = README.slice(README.indexOf('## JSON output'), README.indexOf('## Exit codes'));
  const bullets = json.split(/\n- /).slice(1);
  test.each(
    DOCUMENTED.map(([label, schema]) => [label, Object.keys(schema.shape), [...new Set(nestedKeys(schema))]] as const),
  )('%s', (label, keys, nested) => {
    const bullet = bullets.find((b) => b.startsWith(`\`${label}\``) || new RegExp(`;\\s+\`${label}\``).test(b));
    expect(bullet).toBeDefined();
    const from = bullet!.slice(bullet!.indexOf(`\`${label}\``) + label.length + 2);
    const next = from.search(/;\s+`config /);
    const text = next < 0 ? from : from.slice(0, next);
    expect(keys.filter((k) => !text.includes(`"${k}"`))).toEqual([]);
    // Fields inside: named in the shape's own bullet, or in the section for a shape shared by several (outcomes).
    expect(nested.filter((k) => !text.includes(`"${k}"`) && !json.includes(`"${k}"`))).toEqual([]);
  });
});
