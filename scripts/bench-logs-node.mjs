// npm run bench: plain Node streaming over a list of log files (gunzip + JSON.parse per line, one worker
// thread per core), per-principal sums: the alternative to DuckDB, measured to choose the local engine.
// Usage: node scripts/bench-logs-node.mjs FILES.txt START END THREADS   (START and END as 2026-11-20T00:00:00)
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

function aggregate({ files, start, end }) {
  const m = {};
  for (const f of files) {
    const text = gunzipSync(readFileSync(f)).toString('utf8');
    for (const line of text.split('\n')) {
      if (!line) continue;
      let r;
      try {
        r = JSON.parse(line);
      } catch {
        continue;
      }
      const t = String(r.timestamp).slice(0, 19);
      if (r.schemaType !== 'ModelInvocationLog' || !(t >= start && t < end)) continue;
      const a = (m[r.identity?.arn] ??= [0, 0, 0, 0, 0]);
      a[0]++;
      a[1] += r.input?.inputTokenCount ?? 0;
      a[2] += r.output?.outputTokenCount ?? 0;
      a[3] += r.input?.cacheReadInputTokenCount ?? 0;
      a[4] += r.input?.cacheWriteInputTokenCount ?? 0;
    }
  }
  return m;
}

if (isMainThread) {
  const [list, start, end, threads] = process.argv.slice(2);
  const files = readFileSync(list, 'utf8').split('\n').filter(Boolean);
  const n = Math.max(1, Number(threads));
  const parts = await Promise.all(
    Array.from(
      { length: n },
      (_, i) =>
        new Promise((ok, ko) => {
          const w = new Worker(new URL(import.meta.url), {
            workerData: { files: files.filter((_, j) => j % n === i), start, end },
          });
          w.on('message', ok);
          w.on('error', ko);
        }),
    ),
  );
  const m = {};
  for (const p of parts) {
    for (const [k, v] of Object.entries(p)) {
      const a = (m[k] ??= [0, 0, 0, 0, 0]);
      v.forEach((x, i) => (a[i] += x));
    }
  }
  process.stdout.write(JSON.stringify(m));
} else {
  parentPort.postMessage(aggregate(workerData));
}
