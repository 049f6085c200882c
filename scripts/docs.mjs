#!/usr/bin/env node
// npm run docs: writes each command's --help into the generated section of docs/commands/<name>.md (creating the
// page when a command has none), keeping the hand-written prose around it. test/project/readme.test.ts checks the
// pages.
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../dist/cli.js';
import {
  COMMANDS_DIR,
  generatedSections,
  pagesOnDisk,
  readPage,
  withGenerated,
} from '../.build/test/support/docs-pages.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sections = generatedSections(buildProgram);
let changed = 0;
for (const [name, section] of sections) {
  const file = join(root, COMMANDS_DIR, `${name}.md`);
  const before = existsSync(file) ? readPage(root, name) : `# ${name}\n`;
  const after = withGenerated(before, section);
  if (after !== before) {
    writeFileSync(file, after);
    changed++;
    console.log(`updated ${COMMANDS_DIR}/${name}.md`);
  }
}
const stale = pagesOnDisk(root).filter((p) => !sections.has(p));
for (const p of stale) console.log(`warning: ${COMMANDS_DIR}/${p}.md names no command: remove or rename it`);
console.log(`${changed} page(s) updated, ${sections.size - changed} already in step.`);
