/**
 * Jest runs the TypeScript sources as native ES modules (see package.json "test").
 *
 * Two sets of test files: `npm test` runs every `*.test.ts` but the end-to-end ones, `npm run test:e2e` (BM_E2E=1)
 * runs only those, `*.e2e.test.ts`: the product run from outside jest's process (the built binary, in a
 * pseudo-terminal for Ctrl-C; the demo's script; the HTML pages in Chromium). CI (`.ci/run`) runs both.
 */
const e2e = process.env.BM_E2E === '1';
/** `npm run test:unit` (BM_UNIT=1): neither the end-to-end files nor the integration ones (`*.int.test.ts`, moto). */
const unit = process.env.BM_UNIT === '1';
/** An end-to-end file named on the command line runs under `npm test` too (`npm test -- test/project/demo.e2e`). */
const namedE2e = process.argv.some((a) => /\.e2e(\.test(\.ts)?)?$/.test(a));

export default {
  testEnvironment: '<rootDir>/test/support/environment.cjs',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  // Transpile only, with swc: types are checked once by `npm run typecheck` (tsc), not again per test file. swc
  // transpiles the 263 files of src and test in 0.3 s of CPU, TypeScript's transpileModule (ts-jest) in 6.7 s: the unit
  // tests from a fresh clone (empty jest cache) took 87 s of CPU with ts-jest, 76 s with swc (docs/testing.md).
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022', transform: { useDefineForClassFields: true } },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  testMatch: [e2e ? '<rootDir>/test/**/*.e2e.test.ts' : '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: unit
    ? ['/node_modules/', '\\.(int|e2e)\\.test\\.ts$']
    : e2e || namedE2e
      ? ['/node_modules/']
      : ['/node_modules/', '\\.e2e\\.test\\.ts$'],
  setupFiles: ['<rootDir>/test/support/env.ts'],
  // One moto server per worker for the whole run (see test/support/global-setup.mjs).
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  testTimeout: 60000,
  maxWorkers: 2,
  // One vm context per worker (environment.cjs) and one copy of node_modules' CommonJS packages per worker instead of
  // one per test file (runtime.cjs): see the files and docs/testing.md.
  runtime: '<rootDir>/test/support/runtime.cjs',
};
