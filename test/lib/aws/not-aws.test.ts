import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Command } from 'commander';
import { buildProgram } from '../../../src/cli.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyDir, runCli } from '../../support/cli.js';

/**
 * An endpoint that does not answer like AWS (an emulator without the operation answers its HTML
 * "not found" page; a proxy answers garbage): every command that makes requests says which
 * operation, which endpoint and what came back, in its own words: never the SDK's internals.
 */

let server: Server;
let base = '';
const answers: Record<string, { status: number; type: string; body: string }> = {
  html: { status: 404, type: 'text/html; charset=utf-8', body: '<!doctype html><html><body>Not Found</body></html>' },
  'html-200': { status: 200, type: 'text/html', body: '<!DOCTYPE html><html><body>Welcome</body></html>' },
  garbage: { status: 200, type: 'application/json', body: 'garbage, not json {' },
};

beforeAll(async () => {
  server = createServer((req, res) => {
    const answer = answers[(req.url ?? '').split('/')[1] ?? ''] ?? answers.html!;
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': answer.type });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function leafOf(program: Command, path: string[]): Command {
  return path.reduce<Command>((c, name) => c.commands.find((s) => s.name() === name)!, program);
}

/** Every command that talks to AWS, as its words on the command line. */
function awsCommands(): string[][] {
  const io = { env: {}, stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, cwd: '.' };
  const program = buildProgram(io, {}, () => undefined);
  const leaves = (c: Command, path: string[]): string[][] =>
    c.commands.length ? c.commands.flatMap((s) => leaves(s, [...path, s.name()])) : [path];
  return leaves(program, [])
    .filter((p) => p[0] !== 'config')
    .filter((p) => leafOf(program, p).options.some((o) => o.long === '--endpoint-url'));
}

/** What each command needs to get as far as its first request. */
const EXTRA: Record<string, string[]> = {
  'setup-all': ['--yes'],
  cleanup: ['--yes'],
  prices: ['refresh'],
  budget: ['--monthly-usd', '100'],
  'audit-trail': [],
  bill: ['--month', '2026-11', '--cur', 's3://bm-cur/exports'],
};

const SDK_INTERNALS = /\$response|Deserialization error|SyntaxError|hidden field|\$metadata|\$fault/;

describe('a non-AWS answer is one clear line', () => {
  const commands = awsCommands();
  test('the list covers the commands', () => {
    expect(commands.map((c) => c.join(' '))).toEqual(
      expect.arrayContaining(['setup-all', 'status', 'report', 'audit']),
    );
  });
  for (const kind of Object.keys(answers)) {
    test.each(commands.map((c) => [c.join(' '), c]))(
      `${kind}: %s`,
      async (_name, words) => {
        const args = [...(words as string[]), ...(EXTRA[(words as string[]).join(' ')] ?? [])];
        args.push('--endpoint-url', `${base}/${kind}`);
        for (const json of [false, true]) {
          // With audit on, setup-all and audit-trail reach CloudTrail too.
          const cwd = emptyDir();
          writeFileSync(join(cwd, 'bedrock-monitor.config.json'), JSON.stringify({ audit: { enabled: true } }));
          const r = await runCli(json ? [...args, '--json'] : args, {
            cwd,
            env: {
              AWS_REGION: 'us-east-1',
              AWS_ACCESS_KEY_ID: 'testing',
              AWS_SECRET_ACCESS_KEY: 'testing',
              XDG_CACHE_HOME: cwd,
            },
          });
          const all = `${r.stdout}\n${r.stderr}`;
          expect(all).not.toMatch(SDK_INTERNALS);
          if (r.code !== 0) {
            expect(r.code).toBe(1);
            expect(r.stderr).toMatch(/answered with (an HTML page|something that is not AWS JSON or XML)/);
            expect(r.stderr).toContain(`${base}/${kind}`);
          }
        }
      },
      60_000,
    );
  }
});
