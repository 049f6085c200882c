import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { buildProgram } from '../../src/cli.js';
import { runCli } from '../support/cli.js';
import {
  BEGIN,
  END,
  generatedSections,
  HELP_WIDTH,
  pagesOnDisk,
  readPage,
  withGenerated,
} from '../support/docs-pages.js';
import { DOCUMENTED } from '../support/schemas.js';

/**
 * The README and docs/ checked against the program itself: the README stays a short page with the quick start; every
 * command has a page whose generated section is exactly its --help (`npm run docs` rewrites it); every shared option
 * is in the configuration page; every field of every documented JSON shape is named in docs/json.md; every package
 * is justified; every relative link leads to a file.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const doc = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const README = doc('README.md');
const SHARED = ['--region', '--profile', '--endpoint-url', '--config', '--json', '--output', '--no-color', '--verbose'];

async function help(args: string[]): Promise<string> {
  const r = await runCli([...args, '--help'], { env: { COLUMNS: HELP_WIDTH } });
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

describe('README', () => {
  test('is a short page (under 12 KB) with both quick-start commands and the screenshot', () => {
    expect(Buffer.byteLength(README)).toBeLessThan(12 * 1024);
    expect(README).toContain('npm ci && npm run demo');
    expect(README).toContain('npm ci && npm test');
    expect(README).toContain('](docs/images/report.png)');
  });
});

describe('the test sets: npm test, npm run test:unit and npm run test:e2e (CI runs npm test and test:e2e)', () => {
  const testFiles = (dir: string): string[] =>
    readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
    );
  const files = testFiles('test');
  const scripts = (JSON.parse(doc('package.json')) as { scripts: Record<string, string> }).scripts;

  /**
   * The files jest.config.js selects with these variables, as a script sets them: the config is read in a node of
   * its own (its command line and environment are this one's otherwise, and name no test file).
   */
  function selected(env: Record<string, string>): string[] {
    const script = `const c = (await import('./jest.config.js')).default;
      console.log(JSON.stringify({ match: c.testMatch, ignore: c.testPathIgnorePatterns }))`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
    });
    const config = JSON.parse(out) as { match: string[]; ignore: string[] };
    // Each testMatch is <rootDir>/test/**/*<suffix>.
    const suffixes = config.match.map((g) => g.replace('<rootDir>/test/**/*', ''));
    return files.filter(
      (f) => suffixes.some((x) => f.endsWith(x)) && !config.ignore.some((p) => new RegExp(p).test(`/${f}`)),
    );
  }

  test('npm test: all but *.e2e.test.ts; test:e2e: those; test:unit: neither *.int nor *.e2e', () => {
    const e2e = files.filter((f) => f.endsWith('.e2e.test.ts'));
    expect(e2e.length).toBeGreaterThan(0);
    expect(selected({})).toEqual(files.filter((f) => !e2e.includes(f)));
    expect(scripts['test:e2e']).toMatch(/^BM_E2E=1 /);
    expect(selected({ BM_E2E: '1' })).toEqual(e2e);
    expect(scripts['test:unit']).toMatch(/^BM_UNIT=1 /);
    expect(selected({ BM_UNIT: '1' })).toEqual(files.filter((f) => !/\.(int|e2e)\.test\.ts$/.test(f)));
    expect(scripts['pretest:e2e']).toContain('npm run transpile'); // the binary and the demo run what it writes
  });

  test('.ci/run runs both', () => {
    const commands = doc('.ci/run')
      .split('\n')
      .filter((l) => !l.trimStart().startsWith('#'));
    expect(commands).toContain('npm test');
    expect(commands).toContain('npm run test:e2e');
  });
});

describe('docs/commands: a page per command, in step with --help', () => {
  const sections = generatedSections(buildProgram);

  test('every command has a page, and every page a command', () => {
    expect(pagesOnDisk(ROOT).sort()).toEqual([...sections.keys()].sort());
  });

  test.each([...sections.keys()])('%s: the generated section is what `npm run docs` writes', (name) => {
    const page = readPage(ROOT, name);
    expect(page).toContain(BEGIN);
    expect(page).toContain(END);
    // Out of step: run `npm run docs` and commit the pages.
    expect(withGenerated(page, sections.get(name)!)).toBe(page);
    expect(page.slice(0, page.indexOf(BEGIN)).trim().split('\n').length).toBeGreaterThan(2); // prose above it
  });

  test('each page shows exactly what `bedrock-monitor <command> --help` prints', async () => {
    const mismatches: string[] = [];
    for (const c of [...new Set((await commands()).flatMap((c) => [c.split(' ')[0]!, c]))]) {
      const page = readPage(ROOT, c.split(' ')[0]!);
      if (!page.includes(`\`\`\`text\n${(await help(c.split(' '))).trimEnd()}\n\`\`\``)) mismatches.push(c);
    }
    expect(mismatches).toEqual([]);
  });

  test('the commands index lists every command, linked to its page', async () => {
    const index = doc('docs/commands/README.md');
    const missing = [...new Set((await commands()).map((c) => c.split(' ')[0]!))].filter(
      (c) => !index.includes(`| [\`${c}\`](${c}.md) |`),
    );
    expect(missing).toEqual([]);
  });

  test('every shared option a command takes is in the shared options table of docs/configuration.md', async () => {
    const page = doc('docs/configuration.md');
    const table = page.slice(page.indexOf('## Options every command shares'), page.indexOf('## Config file'));
    const seen = new Set<string>();
    for (const c of await commands())
      for (const f of helpFlags(await help(c.split(' ')))) if (SHARED.includes(f)) seen.add(f);
    expect(seen.size).toBeGreaterThan(5);
    expect([...seen].filter((f) => !table.includes(`\`${f}`))).toEqual([]);
  });
});

/** Markdown files of the project (not dependencies or build output). */
function markdownFiles(dir = ROOT): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (['node_modules', 'dist', '.build', '.git', 'test'].includes(e.name)) return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? markdownFiles(p) : e.name.endsWith('.md') ? [p] : [];
  });
}

/** Made by another step of the docs work (a screenshot of the report): linked before it exists. */
const PENDING = new Set(['docs/images/report.png']);

describe('links', () => {
  test('every relative link in the README, CONTRIBUTING.md and docs/ leads to a file', () => {
    const broken: string[] = [];
    const files = markdownFiles();
    expect(files.map((f) => relative(ROOT, f))).toEqual(expect.arrayContaining(['README.md', 'docs/json.md']));
    for (const file of files) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1]!.split('#')[0]!;
        if (!target || /^[a-z]+:/.test(target)) continue;
        const path = relative(ROOT, join(dirname(file), target));
        if (!existsSync(join(ROOT, path)) && !PENDING.has(path)) broken.push(`${relative(ROOT, file)} → ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('CONTRIBUTING.md justifies every dependency', () => {
  test('each package in package.json is named in the dependencies table', () => {
    const pkg = JSON.parse(doc('package.json')) as Record<string, Record<string, string>>;
    const names = [...Object.keys(pkg.dependencies!), ...Object.keys(pkg.devDependencies!)];
    const contributing = doc('CONTRIBUTING.md');
    const table = contributing.slice(contributing.indexOf('## Dependencies, and why each'));
    const named = [...table.matchAll(/^\|([^|]*)\|/gm)].flatMap((m) =>
      [...m[1]!.matchAll(/`([^`]+)`/g)].map((x) => x[1]!),
    );
    const covers = (n: string, p: string): boolean =>
      n === p || (n.endsWith('*') && p.startsWith(n.slice(0, -1))) || (!n.includes('/') && p.startsWith(`${n}/`));
    expect(names.filter((p) => !named.some((n) => covers(n, p)))).toEqual([]);
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

describe('docs/json.md names every field of every shape', () => {
  const json = doc('docs/json.md');
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

/** Every `'E_…'` string in a TypeScript file under src/. */
function codesIn(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return codesIn(p);
    if (!e.name.endsWith('.ts')) return [];
    return [...readFileSync(p, 'utf8').matchAll(/'(E_[A-Z0-9_]+)'/g)].map((m) => m[1]!);
  });
}

describe('docs/errors.md lists every error code', () => {
  test('each code used in src/ is documented, and each documented code is used', () => {
    const used = [...new Set(codesIn(join(ROOT, 'src')))].sort();
    const documented = [...doc('docs/errors.md').matchAll(/^\| `(E_[A-Z0-9_]+)` \|/gm)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(20);
    expect(new Set(documented).size).toBe(documented.length);
    expect(documented.slice().sort()).toEqual(used);
  });

  test('an error carries its code in --json', async () => {
    const args = ['report', '--region', 'us-east-1', '--json'];
    const r = await runCli([...args, '--hours', '5', '--since', '2026-01-01T00:00:00Z']);
    expect(r.code).toBe(2);
    expect(r.requests).toEqual([]);
    expect(r.json().error).toMatchObject({ code: 'E_USAGE_WINDOW', exitCode: 2 });
    const bad = await runCli([...args, '--hours', '0']);
    expect(bad.json().error).toMatchObject({ code: 'E_USAGE_INVALID_VALUE', exitCode: 2 });
    const unknown = await runCli(['repotr', '--json']);
    expect(unknown.json().error).toMatchObject({ code: 'E_USAGE_UNKNOWN_COMMAND', exitCode: 2 });
  });
});
