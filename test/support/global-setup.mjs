// Jest globalSetup: one moto server per worker, shared by every integration test file that worker
// runs (useMoto() in test/support/cli.ts resets it before each test). Starting a server and warming
// its services costs more CPU than most test files, so a server per file would dominate the run.
// It uses the launcher as `npm test` builds it (its pretest, npm run transpile); without that build, or with
// BM_SHARED_MOTO=0 (npm run test:unit), nothing is shared and each file starts its own server.
import { existsSync } from 'node:fs';

const launcher = new URL('../../.build/test/support/emulator.js', import.meta.url);

export default async function globalSetup(config) {
  if (process.env.BM_SHARED_MOTO === '0' || !existsSync(launcher)) return;
  const { Moto } = await import(launcher.href);
  const servers = await Promise.all(Array.from({ length: Math.max(1, config.maxWorkers) }, () => Moto.start()));
  globalThis.bmMoto = servers;
  // Inherited by the workers, which jest starts after this.
  process.env.BM_MOTO_SERVERS = JSON.stringify(servers.map((m) => ({ url: m.url, dir: m.dir })));
}
