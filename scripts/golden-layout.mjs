#!/usr/bin/env node
// One golden layout: the golden files of test/<dir>/<name>.test.ts (or .int.test.ts, .e2e.test.ts) live in
// test/golden/<dir>/<name>/, where expectGolden (test/support/golden.ts) looks for them first.
//
// This script moves golden files still in the old by-topic layout (test/golden/human/…, logs/…, top-level
// files …) to the folder of the test file that uses them, and rewrites that test file's references
// (the string literals naming them) to be relative to that folder. It is RE-RUNNABLE: run it again after
// merging a branch that added goldens the old way; what is already in place is left alone.
//
//   node scripts/golden-layout.mjs          moves and rewrites (git mv, so history follows)
//   node scripts/golden-layout.mjs --check  only lists what it would do; exits 1 when something would move
//
// Which test uses a golden: every string or template literal in a test file calling expectGolden is matched
// against the golden paths (a `${…}` stands for any text without a slash); the most specific literal (the most fixed
// characters) wins. A golden that no literal names, or that two test files name equally, is reported and
// left where it is (expectGolden still finds it there).
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TEST = join(root, 'test');
const GOLDEN = join(TEST, 'golden');
const check = process.argv.includes('--check');

/**
 * Where each old topic folder went on the first run, for a golden another branch added the old way to a
 * test file whose references this script has already rewritten (they no longer name the topic).
 */
const MOVED_TOPICS = {
  audit: {
    dirs: ['lib/audit/audit'],
    kept: false,
  },
  'audit-trail': {
    dirs: ['commands/setup/steps-output'],
    kept: true,
  },
  budget: {
    dirs: ['commands/setup/steps-output'],
    kept: true,
  },
  cli: {
    dirs: ['commands/cli'],
    kept: false,
  },
  e2e: {
    dirs: ['commands/setup/guide'],
    kept: false,
  },
  human: {
    dirs: ['lib/io/human-output'],
    kept: false,
  },
  logs: {
    dirs: ['lib/logs/sql', 'lib/logs/logs', 'lib/logs/fleet'],
    kept: false,
  },
  pictures: {
    dirs: ['lib/report/pictures'],
    kept: false,
  },
  prices: {
    dirs: ['commands/prices/output'],
    kept: false,
  },
  report: {
    dirs: ['commands/report/report', 'commands/report/by-day-window'],
    kept: false,
  },
  'report-notify': {
    dirs: ['commands/setup/steps-output'],
    kept: true,
  },
  'report-quotas': {
    dirs: ['commands/setup/steps-output'],
    kept: true,
  },
};

const walk = (dir) =>
  readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
const posix = (p) => p.split(sep).join('/');

/** The folder (relative to test/golden) of a test file's goldens: test/lib/io/table.test.ts → lib/io/table. */
const mirrorOf = (testFile) => posix(relative(TEST, testFile)).replace(/(\.int|\.e2e)?\.test\.ts$/, '');

const allTests = walk(TEST).filter((f) => /\.test\.ts$/.test(f) && !f.startsWith(GOLDEN + sep));
const mirrors = new Set(allTests.map(mirrorOf));
/** Only test files that compare goldens name them. */
const testFiles = allTests.filter((f) => readFileSync(f, 'utf8').includes('expectGolden('));
/** Goldens already in a test file's folder are in place; the rest are in the old layout. */
const inPlace = (g) => [...mirrors].some((m) => g.startsWith(`${m}/`));
const legacy = walk(GOLDEN)
  .map((f) => posix(relative(GOLDEN, f)))
  .filter((g) => !inPlace(g) && !g.endsWith('README.md'));

// String and template literals on one line; a template's ${…} becomes "any text without a slash".
const LITERAL = /'([^'\n\\]*)'|"([^"\n\\]*)"|`([^`\n\\]*)`/g;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function literals(text) {
  const out = [];
  for (const m of text.matchAll(LITERAL)) {
    const raw = m[1] ?? m[2] ?? m[3];
    if (!raw || raw.includes(' ')) continue;
    const parts = m[3] !== undefined ? raw.split(/\$\{[^}]*\}/) : [raw];
    const re = new RegExp(`^${parts.map(escape).join('[^/]*')}$`);
    out.push({ raw, quote: m[0][0], re, fixed: parts.join('').length });
  }
  return out;
}

// For each old-layout golden: the test file naming it most specifically.
const owner = new Map();
const problems = [];
for (const g of legacy) {
  const topic = g.includes('/') ? g.slice(0, g.indexOf('/')) : '';
  const rest = topic ? g.slice(topic.length + 1) : g;
  const candidates = [];
  for (const file of testFiles) {
    const lits = literals(readFileSync(file, 'utf8'));
    // A literal names a golden of a topic folder only if it spells the folder out ("human/…", not "${dir}/…").
    const spelled = (l, path) =>
      path.includes('/') ? l.raw.startsWith(path.slice(0, path.indexOf('/') + 1)) : !l.raw.includes('/');
    // A test file already moved: its references name the golden relative to its folder (or keep the topic).
    const moved = MOVED_TOPICS[topic];
    const movedHere = moved && moved.dirs.includes(mirrorOf(file));
    for (const l of lits)
      if (l.re.test(g) && spelled(l, g))
        candidates.push({ file, fixed: l.fixed, keepTopic: movedHere ? moved.kept : undefined });
    if (movedHere)
      for (const l of lits)
        if (l.re.test(moved.kept ? g : rest) && spelled(l, moved.kept ? g : rest))
          candidates.push({ file, fixed: l.fixed, keepTopic: moved.kept });
  }
  const best = Math.max(-1, ...candidates.map((c) => c.fixed));
  const top = [...new Set(candidates.filter((c) => c.fixed === best).map((c) => c.file))];
  if (top.length !== 1) {
    const who = top.length
      ? `named as specifically by ${top.map((f) => relative(root, f)).join(', ')}`
      : 'named by no test file';
    problems.push(`${g}: ${who}; left in place`);
    continue;
  }
  owner.set(g, {
    file: top[0],
    topic,
    rest,
    keepTopic: candidates.find((c) => c.file === top[0] && c.fixed === best).keepTopic,
  });
}

// A test file naming goldens of one topic folder drops the topic; naming several, it keeps them as subfolders.
const topicsOf = new Map();
for (const { file, topic } of owner.values()) topicsOf.set(file, new Set([...(topicsOf.get(file) ?? []), topic]));
const moves = [];
for (const [g, o] of owner) {
  const keep = o.keepTopic ?? topicsOf.get(o.file).size > 1;
  moves.push({ from: g, to: `${mirrorOf(o.file)}/${keep ? g : o.rest}`, file: o.file, topic: o.topic, keep });
}

for (const m of moves) console.log(`${check ? 'would move' : 'move'} test/golden/${m.from} -> test/golden/${m.to}`);
for (const p of problems) console.log(`NOTE ${p}`);
if (check) process.exit(moves.length ? 1 : 0);

for (const m of moves) {
  const from = join(GOLDEN, m.from);
  const to = join(GOLDEN, m.to);
  if (existsSync(to)) throw new Error(`test/golden/${m.to} exists already: move test/golden/${m.from} by hand`);
  mkdirSync(dirname(to), { recursive: true });
  try {
    execFileSync('git', ['mv', from, to], { cwd: root, stdio: 'ignore' });
  } catch {
    renameSync(from, to); // not tracked yet
  }
}

// The old topic folders the moves emptied.
for (const dir of new Set(moves.map((m) => dirname(join(GOLDEN, m.from)))))
  if (dir !== GOLDEN && existsSync(dir) && readdirSync(dir).length === 0) rmdirSync(dir);

// Rewrite each owning test file's literals that named a moved golden: relative to the file's folder.
for (const file of new Set(moves.map((m) => m.file))) {
  const mine = moves.filter((m) => m.file === file);
  let text = readFileSync(file, 'utf8');
  for (const l of literals(text)) {
    const named = mine.filter((m) => l.re.test(m.from));
    if (!named.length || named.every((m) => m.keep)) continue;
    const topic = named[0].topic;
    if (!topic || !l.raw.startsWith(`${topic}/`)) continue;
    const next = l.raw.slice(topic.length + 1);
    text = text.split(`${l.quote}${l.raw}${l.quote}`).join(`${l.quote}${next}${l.quote}`);
  }
  if (text === readFileSync(file, 'utf8')) continue;
  writeFileSync(file, text);
  console.log(`rewrote ${relative(root, file)}`);
}

// Remember where each topic went, for the next run (see MOVED_TOPICS).
const self = fileURLToPath(import.meta.url);
const topics = { ...MOVED_TOPICS };
for (const m of moves) {
  if (!m.topic) continue;
  const t = (topics[m.topic] ??= { dirs: [], kept: m.keep });
  if (!t.dirs.includes(mirrorOf(m.file))) t.dirs.push(mirrorOf(m.file));
}
const src = readFileSync(self, 'utf8').replace(
  /^const MOVED_TOPICS = [^;]*;$/m,
  `const MOVED_TOPICS = ${JSON.stringify(topics, null, 2)
    .replace(/"(\w+)":/g, (_, k) => (/^[a-z]\w*$/i.test(k) ? `${k}:` : `'${k}':`))
    .replaceAll('"', "'")};`,
);
writeFileSync(self, src);
