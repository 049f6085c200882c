#!/usr/bin/env node
import { main, onInterrupt } from '../dist/cli.js';

// A reader that goes away (`bedrock-monitor report | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Ctrl-C (outside a prompt, which handles it itself): say so and exit 130, as shells expect.
process.once('SIGINT', () => process.exit(onInterrupt()));

process.exitCode = await main(process.argv.slice(2));
