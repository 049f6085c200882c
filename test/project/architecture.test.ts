import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The structure docs/architecture.md describes, checked: layers point one way, no
 * import cycles, no function of 60 lines or more, only lib/io writes to a stream. (src/lib/<layer>/… ; src/commands;
 * src/cli.ts)
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src');

/** Lower layers never import higher ones; layers of the same rank never import each other. */
const RANK: Record<string, number> = {
  'lib/sdk': -1,
  'lib/core': 0,
  'lib/io': 1,
  'lib/pricing': 1,
  'lib/aws': 1,
  'lib/config': 2,
  'lib/context': 3,
  'lib/resources': 4,
  'lib/logs': 5,
  'lib/report': 6,
  'lib/audit': 6,
  'lib/setup': 6,
  'lib/cli': 7,
  'lib/bill': 7,
  commands: 8,
  'cli.ts': 9,
};
const MAX_FUNCTION_LINES = 59;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative(SRC, file);
  if (rel === 'cli.ts') return 'cli.ts';
  const parts = rel.split('/');
  return parts[0] === 'lib' ? `lib/${parts[1]}` : parts[0]!;
}

const parsed = new Map<string, ts.SourceFile>();

/** Each file parsed once for all the rules below (the imports, the function lengths, the streams). */
function parse(file: string): ts.SourceFile {
  let sf = parsed.get(file);
  if (!sf) parsed.set(file, (sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true)));
  return sf;
}

/** Relative imports (static, re-exports and dynamic import()) resolved to .ts files. */
function importsOf(file: string): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    let spec: string | undefined;
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    )
      spec = node.moduleSpecifier.text;
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    )
      spec = node.arguments[0].text;
    if (spec?.startsWith('.') && spec.endsWith('.js')) found.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
    ts.forEachChild(node, visit);
  };
  visit(parse(file));
  return found;
}

const ALL = files(SRC);
const GRAPH = new Map(ALL.map((f) => [f, importsOf(f)]));

/**
 * Where a module under src/lib (outside lib/io) reaches for a stream: `console`, a `stdout`/`stderr` of anything
 * (`process.stdout`, `io.stderr.write`; reading `.isTTY` or `.columns` is not writing), or the context's Output
 * (`ctx.out`, from which everything can be written). Such code reports through `ctx.events` (warnings, notes,
 * questions) or returns what it found; renderers write only to an Output a command's render() hands them.
 */
function streamUses(file: string): string[] {
  const sf = parse(file);
  const found: string[] = [];
  const at = (node: ts.Node, what: string): void =>
    void found.push(`${relative(SRC, file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1} ${what}`);
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && node.text === 'console') at(node, 'console');
    if (ts.isPropertyAccessExpression(node)) {
      const name = node.name.text;
      const parent = node.parent;
      const reads = ts.isPropertyAccessExpression(parent) && ['isTTY', 'columns'].includes(parent.name.text);
      if ((name === 'stdout' || name === 'stderr') && !reads) at(node, node.getText(sf));
      if (name === 'out' && /(^|\.)ctx$/.test(node.expression.getText(sf))) at(node, node.getText(sf));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/**
 * Where a module outside lib/sdk loads an AWS SDK package (`@aws-sdk/…`, `@smithy/…`) as a value: an import with a
 * name that is not `type`, `import()`, or a `require` of it by any means (createRequire) rather than lib/sdk's
 * load(). Such code takes the value from lib/sdk (loaded with `require`, see
 * src/lib/sdk/load.ts); a type-only import is free.
 */
function sdkValueImports(file: string): string[] {
  const sf = parse(file);
  const found: string[] = [];
  const isSdk = (spec: string): boolean => /^@(aws-sdk|smithy)\//.test(spec);
  const at = (node: ts.Node, spec: string): void =>
    void found.push(`${relative(SRC, file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1} ${spec}`);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && isSdk(node.moduleSpecifier.text)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const values =
        !clause ||
        (!clause.isTypeOnly &&
          (!!clause.name ||
            (bindings && ts.isNamespaceImport(bindings)) ||
            (bindings && ts.isNamedImports(bindings) && bindings.elements.some((e) => !e.isTypeOnly))));
      if (values) at(node, node.moduleSpecifier.text);
    }
    // import('@aws-sdk/…'), and require('@aws-sdk/…') by any name: only load() and loadAsync() take an SDK package.
    const callee = ts.isCallExpression(node) ? node.expression : undefined;
    const arg = ts.isCallExpression(node) ? node.arguments[0] : undefined;
    if (
      callee &&
      arg &&
      ts.isStringLiteral(arg) &&
      isSdk(arg.text) &&
      !(ts.isIdentifier(callee) && ['load', 'loadAsync'].includes(callee.text))
    )
      at(node, arg.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** What `rule` finds in a file made of `lines`: "line what", one per finding. */
function probe(lines: string[], rule: (file: string) => string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'bm-arch-'));
  const file = join(dir, 'probe.ts');
  writeFileSync(file, lines.join('\n'));
  try {
    return rule(file).map((u) => u.replace(/^.*probe\.ts:/, ''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('architecture', () => {
  test('every file is in a known layer', () => {
    expect(ALL.map(layerOf).filter((l) => RANK[l] === undefined)).toEqual([]);
  });

  test('layers depend one way: only on lower layers (or their own)', () => {
    const violations: string[] = [];
    for (const [file, deps] of GRAPH) {
      const from = layerOf(file);
      for (const dep of deps) {
        const to = layerOf(dep);
        if (to === from || RANK[to]! < RANK[from]!) continue;
        violations.push(`${relative(SRC, file)} → ${relative(SRC, dep)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  test('no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'visiting' | 'done'>();
    const walk = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const dep of GRAPH.get(file) ?? []) walk(dep, [...path, file]);
      state.set(file, 'done');
    };
    for (const f of ALL) walk(f, []);
    expect(cycles).toEqual([]);
  });

  test(`no function is longer than ${MAX_FUNCTION_LINES} lines`, () => {
    const long: string[] = [];
    for (const file of ALL) {
      const sf = parse(file);
      const visit = (node: ts.Node): void => {
        if (ts.isFunctionLike(node) && 'body' in node && node.body) {
          const start = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line;
          const end = sf.getLineAndCharacterOfPosition(node.getEnd()).line;
          if (end - start + 1 > MAX_FUNCTION_LINES)
            long.push(`${relative(SRC, file)}:${start + 1} (${end - start + 1} lines)`);
        }
        ts.forEachChild(node, visit);
      };
      visit(sf);
    }
    expect(long).toEqual([]);
  });

  test('only lib/io writes to stdout or stderr: no other module under src/lib touches a stream or ctx.out', () => {
    const lib = ALL.filter((f) => layerOf(f).startsWith('lib/') && layerOf(f) !== 'lib/io');
    expect(lib.length).toBeGreaterThan(50);
    expect(lib.flatMap(streamUses)).toEqual([]);
  });

  test('the stream rule sees what it is for', () => {
    const lines = [
      'console.log(1);',
      'process.stderr.write("x");',
      'ctx.out.warn("w");',
      'this.ctx.out.print("p");',
      'const tty = io.stderr.isTTY;',
      'ctx.events.warn("fine");',
      'out.print("fine: a renderer writes to the Output it is given");',
    ];
    expect(probe(lines, streamUses)).toEqual(['1 console', '2 process.stderr', '3 ctx.out', '4 this.ctx.out']);
  });

  test('the AWS SDK is loaded through lib/sdk only (with require, not import)', () => {
    expect(ALL.filter((f) => layerOf(f) !== 'lib/sdk').flatMap(sdkValueImports)).toEqual([]);
  });

  test('the SDK rule sees what it is for', () => {
    const lines = [
      "import { S3Client } from '@aws-sdk/client-s3';",
      "import { type Tag, GetObjectCommand } from '@aws-sdk/client-s3';",
      "import * as sts from '@aws-sdk/client-sts';",
      "const m = await import('@smithy/core/config');",
      "const p = createRequire(import.meta.url)('@aws-sdk/core/client');",
      "import type { Bucket } from '@aws-sdk/client-s3';",
      "import { type Logger } from '@smithy/types';",
      "import { S3Client as C } from '../sdk/client-s3.js';",
      "const { STSClient } = load('@aws-sdk/client-sts');",
    ];
    expect(probe(lines, sdkValueImports)).toEqual([
      '1 @aws-sdk/client-s3',
      '2 @aws-sdk/client-s3',
      '3 @aws-sdk/client-sts',
      '4 @smithy/core/config',
      '5 @aws-sdk/core/client',
    ]);
  });
});

/** What neither ESLint's max-len nor Prettier reads: the Python of the emulator, the CI script. */
function otherSources(): string[] {
  const support = join(ROOT, 'test', 'support');
  return [
    ...readdirSync(support)
      .filter((f) => f.endsWith('.py'))
      .map((f) => join(support, f)),
    join(ROOT, '.ci', 'run'),
  ];
}

describe('line width outside the TypeScript', () => {
  test('no line of the Python support files or .ci/run is over 120 characters', () => {
    const sources = otherSources();
    expect(sources.length).toBeGreaterThan(3);
    const long = sources.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => ([...line].length > 120 ? [`${relative(ROOT, f)}:${i + 1}`] : [])),
    );
    expect(long).toEqual([]);
  });
});
