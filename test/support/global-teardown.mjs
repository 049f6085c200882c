// Jest globalTeardown: stops the moto servers test/support/global-setup.mjs started.
export default async function globalTeardown() {
  await Promise.all((globalThis.bmMoto ?? []).map((m) => m.stop()));
}
