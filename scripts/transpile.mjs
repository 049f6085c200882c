#!/usr/bin/env node
// What the tests, the demo and the benchmark run, transpiled without type checking (swc, under a second): the CLI
// (src → dist, as tsconfig.build.json) and the test support they import (tsconfig.support.json's files and what they
// import → .build). `npm run build` and `npm run build:support` (tsc) write the same files with their types checked,
// some 45 s of CPU on 2 cores; `npm test` need not pay that, since `npm run typecheck` checks every file.
import { transformFile } from '@swc/core';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const ROOT = new URL('..', import.meta.url).pathname;
const OPTIONS = {
  jsc: {
    parser: { syntax: 'typescript' },
    target: 'es2022',
    transform: { useDefineForClassFields: true },
    experimental: { keepImportAttributes: true },
  },
  module: { type: 'es6' },
  sourceMaps: true,
};

/** Every TypeScript file under `dir` (relative to ROOT), declarations aside. */
function walk(dir) {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? walk(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/**
 * Transpiles `files` (relative to ROOT) and every local module they import, each to `outDir` at its path relative to
 * `rootDir`, with its source map; the JSON files they import are copied, as tsc's resolveJsonModule does.
 */
async function build(files, rootDir, outDir) {
  const done = new Set();
  const out = (f) => join(outDir, relative(rootDir, f));
  let queue = files;
  while (queue.length > 0) {
    const next = [];
    await Promise.all(
      queue
        .filter((f) => !done.has(f) && done.add(f))
        .map(async (f) => {
          mkdirSync(dirname(join(ROOT, out(f))), { recursive: true });
          if (f.endsWith('.json')) return copyFileSync(join(ROOT, f), join(ROOT, out(f)));
          const js = out(f).replace(/\.ts$/, '.js');
          const { code, map } = await transformFile(join(ROOT, f), {
            ...OPTIONS,
            sourceFileName: relative(dirname(join(ROOT, js)), join(ROOT, f)),
          });
          writeFileSync(join(ROOT, js), `${code}\n//# sourceMappingURL=${js.split('/').pop()}.map\n`);
          writeFileSync(join(ROOT, `${js}.map`), map ?? '');
          for (const [, spec] of code.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g))
            next.push(join(dirname(f), spec).replace(/\.js$/, '.ts'));
        }),
    );
    queue = next;
  }
}

const support = JSON.parse(readFileSync(join(ROOT, 'tsconfig.support.json'), 'utf8')).include;
await Promise.all([build(walk('src'), 'src', 'dist'), build(support, '.', '.build')]);
