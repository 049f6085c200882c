// Jest's test environment (jest.config.js `testEnvironment`): Node's, with one vm context for all the test files of a
// worker instead of a new one per file, so that runtime.cjs can give every file of the worker the same instances of the
// CommonJS packages under node_modules (see there). Per file, as jest-environment-node does: a fresh `process` object
// (its env a new copy of the worker's), module mocker and fake timers. BM_SHARE_MODULES=0: a context per file.
const { TestEnvironment } = require('jest-environment-node');
const { LegacyFakeTimers, ModernFakeTimers } = require('@jest/fake-timers');
const { ModuleMocker } = require('jest-mock');
const { dirname, join } = require('node:path');
// Not in jest-util's exports map: the same file jest-environment-node's process object comes from.
const createProcessObject = require(join(dirname(require.resolve('jest-util')), 'createProcessObject.js')).default;

/** The worker's context and its global object, made by the first test file's environment. */
let shared;

class SharedContextEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    if (process.env.BM_SHARE_MODULES === '0') return;
    if (!shared) {
      shared = { context: this.context, global: this.global };
      return;
    }
    // super() made a new context (jest-environment-node's own): the worker's is used instead.
    const { projectConfig } = config;
    this.context = shared.context;
    const global = (this.global = shared.global);
    global.process = createProcessObject();
    this.moduleMocker = new ModuleMocker(global);
    const timerConfig = {
      idToRef: (id) => {
        const ref = { id, ref: () => ref, unref: () => ref };
        return ref;
      },
      refToId: (timer) => timer?.id,
    };
    this.fakeTimers = new LegacyFakeTimers({
      config: projectConfig,
      global,
      moduleMocker: this.moduleMocker,
      timerConfig,
    });
    this.fakeTimersModern = new ModernFakeTimers({ config: projectConfig, global });
  }
}

module.exports = SharedContextEnvironment;
