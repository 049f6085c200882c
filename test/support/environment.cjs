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

// A worker that is done exits without freeing its heap first. Node keeps every vm.SourceTextModule a test file
// imported (nodejs/node#59118: ModuleWrap's handles), so a worker's heap grows ~5 MB a file, to 350-550 MB by the
// end of `npm test`; a natural exit then spends 0.3-0.6 s tearing it down (V8 unmapping its pages one by one), past
// the 500 ms jest-worker allows before it kills the worker and prints "A worker process has failed to exit
// gracefully". process.exit from the 'exit' event skips that teardown, as any process.exit() does; the exit code and
// everything the worker wrote are unchanged (jest-worker has sent its last result before it lets the worker end).
if (process.env.BM_FAST_EXIT !== '0' && process.env.JEST_WORKER_ID) process.once('exit', (code) => process.exit(code));

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
