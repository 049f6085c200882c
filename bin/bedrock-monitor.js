#!/usr/bin/env node
import { main, onInterrupt } from '../dist/cli.js';
import { Interruption } from '../dist/lib/core/abort.js';

// A reader that goes away (`bedrock-monitor report | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

// Ctrl-C or SIGTERM (outside a prompt, which handles Ctrl-C itself): the run stops its requests
// and reports what it did, then exits 130 (143). If it has not ended within 1.5 s, or on a
// second signal, the process ends at once with what was done so far.
const run = new Interruption();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (run.by) process.exit(onInterrupt(run));
    run.stop(signal);
    setTimeout(() => process.exit(onInterrupt(run)), 1500).unref();
  });
}

const code = await main(process.argv.slice(2), {}, { interruption: run });
// An interrupted run ends now, whatever is still open (an abandoned request's socket).
if (run.by) process.exit(code);
process.exitCode = code;
