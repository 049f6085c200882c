// Jest's module runtime (jest.config.js `runtime`): the CommonJS packages under node_modules loaded once per jest
// worker, not once per test file.
//
// Jest gives every test file its own module registry, so each file loaded and ran the AWS SDK, DuckDB's bindings and
// the rest of node_modules again, and V8 warmed each copy up again: the first CLI run of a test file cost 0.5-1.0 s of
// CPU where the same run later in the file cost 70-100 ms, and each copy stayed on the worker's heap. Here the first
// load of such a module in a worker is kept and handed to every later test file of that worker. That is sound because
// all the files of a worker run in one vm context (test/support/environment.cjs): the shared modules, the code under
// test and the tests see the same `Error`, `Uint8Array` and classes, and the globals the SDK reads when it runs
// (`process.env`, timers, console) are those of the file running then. What a file changes in a shared package ends
// with the file: sinon's default sandbox (aws-sdk-client-mock's stubs on the shared client classes) is restored.
// The ES modules of src (the code under test) are shared the same way: the first file that imports one links and runs
// it, and later files get that module, its import() and createRequire() going through the file running then. src keeps
// no state a test sees from one run to the next (what it needs comes in through main()'s arguments: env, streams,
// clock), and none of its modules is mocked; each file imports src's modules once instead of again (load time, and
// V8's warm-up of a new copy on the file's first CLI run). The test files and test/support are still loaded afresh
// for every file, in the file's own registry. So are jest's own modules, but compiled from V8's code cache after the
// worker's first file. BM_SHARE_MODULES=0 turns the sharing off (one registry per file, as jest does), to compare;
// BM_SHARE_SRC=0 only src's.
const vm = require('node:vm');
const Runtime = require('jest-runtime').default;

/** path under node_modules → its named exports (parsed once per worker, not once per importing file) */
const cjsExports = new Map();
/** path under node_modules → the module object, shared by every test file of the worker */
const sharedModules = new Map();
/** The runtime of the test file running now: a shared module's later require() and import() resolve through it. */
let current;
const SHARE = process.env.BM_SHARE_MODULES !== '0';
/** sinon, as aws-sdk-client-mock loads it: its default sandbox is restored when a file ends. */
const SINON = require.resolve('sinon');
const shareable = (path) => SHARE && path.includes('/node_modules/') && !path.endsWith('.node');
// The ES modules of src/ are shared too (BM_SHARE_SRC=0: loaded afresh for every file).
const SRC = require('node:path').join(__dirname, '..', '..', 'src') + '/';
const SHARE_SRC = SHARE && process.env.BM_SHARE_SRC !== '0';
const sharedSrc = (path) => SHARE_SRC && path.startsWith(SRC) && !path.endsWith('.json');
/** path under src → the promise of its vm.SourceTextModule, shared by every test file of the worker */
const srcModules = new Map();
// State a shared package keeps for the whole process that a test observes, reset when a file starts (a ReferenceError
// here means the package renamed it): the SDK's once-per-process warning about two credential sources
// (test/commands/conventions.int.test.ts).
const PER_FILE_STATE = [
  [
    '/node_modules/@aws-sdk/credential-provider-node/dist-cjs/index.js',
    'multipleCredentialSourceWarningEmitted = false',
  ],
];

/** The shared modules given a reset of PER_FILE_STATE */
const withState = new Set();

// Jest loads its own modules (jest-circus, expect, jest-snapshot, source-map, semver…) into every test file's registry
// again, ~165 modules and 1 MB of code a file: those later loads get V8's code cache from the first, made after the
// first file ran them (so it holds the functions they compiled too). A module whose code calls import() is left out:
// compiled from a cache it would lose its dynamic-import callback (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
// BM_CODE_CACHE=0 turns it off.
const CODE_CACHE = process.env.BM_CODE_CACHE !== '0';
/** path under node_modules → the length of its wrapped code and V8's cache of it */
const codeCache = new Map();
/** Scripts the running file compiled without a cache: their cache is made when the file ends. */
let uncached = [];

class SharingRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    current = this;
    // What test/project/test-runtime.test.ts's probes read: how many scripts this file compiled from the code cache.
    this._bmStats = { fromCodeCache: 0 };
    this._environment.global[Symbol.for('bedrock-monitor.test-runtime')] = this._bmStats;
    for (const path of withState) sharedModules.get(path)?.exports.__bmNewFile();
  }

  requireModule(from, moduleName, options, isRequireActual = false) {
    const own = () => super.requireModule(from, moduleName, options, isRequireActual);
    if (options?.isInternalModule || !moduleName || this._resolver.isCoreModule(moduleName)) return own();
    let path;
    try {
      path = this._resolveCjsModule(from, moduleName);
    } catch {
      return own(); // jest's own error
    }
    if (!shareable(path)) return own();
    const known = sharedModules.get(path);
    if (known) return known.exports;
    const exports = own();
    const loaded = this._moduleRegistry.get(path);
    if (loaded) sharedModules.set(path, loaded);
    return exports;
  }

  async loadEsmModule(modulePath, query = '') {
    if (query || !sharedSrc(modulePath)) return super.loadEsmModule(modulePath, query);
    let module = srcModules.get(modulePath);
    if (!module) srcModules.set(modulePath, (module = this._sharedEsm(modulePath)));
    return module;
  }

  async _sharedEsm(modulePath) {
    const code = await this.transformFileAsync(modulePath, {
      isInternalModule: false,
      supportsDynamicImport: true,
      supportsExportNamespaceFrom: true,
      supportsStaticESM: true,
      supportsTopLevelAwait: true,
    });
    const url = require('node:url').pathToFileURL(modulePath).href;
    return new vm.SourceTextModule(code, {
      context: this._environment.getVmContext(),
      identifier: modulePath,
      // Through the file running then, as for a shared CommonJS module.
      importModuleDynamically: async (specifier, referencing) =>
        current.linkAndEvaluateModule(
          await current.resolveModule(specifier, referencing.identifier, referencing.context),
        ),
      initializeImportMeta: (meta) => {
        meta.url = url;
      },
    });
  }

  _createRequireImplementation(from, options) {
    const own = super._createRequireImplementation(from, options);
    if (options?.isInternalModule || !(shareable(from.filename) || sharedSrc(from.filename))) return own;
    // A shared module outlives the file that loaded it: its later require() calls go through the file running then.
    const moduleRequire = (name) => current.requireModuleOrMock(from.filename, name);
    return Object.assign(moduleRequire, {
      resolve: own.resolve,
      cache: own.cache,
      extensions: own.extensions,
      main: own.main,
    });
  }

  createScriptFromCode(scriptSource, filename) {
    if (!shareable(filename)) return super.createScriptFromCode(scriptSource, filename);
    // The same for import() in a shared CommonJS module: jest binds it to the runtime that compiled the module.
    const reset = PER_FILE_STATE.find(([suffix]) => filename.endsWith(suffix))?.[1];
    if (reset) withState.add(filename);
    const source = reset ? `${scriptSource}\n;module.exports.__bmNewFile = () => { ${reset}; };` : scriptSource;
    const code = this.wrapCodeInModuleWrapper(source);
    const cacheable = CODE_CACHE && !code.includes('import(');
    const known = cacheable ? codeCache.get(filename) : undefined;
    const cachedData = known?.length === code.length ? known.data : undefined;
    try {
      const script = new vm.Script(code, {
        cachedData,
        columnOffset: this._fileTransforms.get(filename)?.wrapperLength,
        displayErrors: true,
        filename,
        importModuleDynamically: async (specifier) => {
          const context = current._environment.getVmContext?.();
          if (!context) throw new Error('Test environment has been torn down');
          return current.linkAndEvaluateModule(await current.resolveModule(specifier, filename, context));
        },
      });
      if (cacheable && (!cachedData || script.cachedDataRejected))
        uncached.push({ filename, script, length: code.length });
      else if (cachedData) this._bmStats.fromCodeCache++;
      return script;
    } catch {
      return super.createScriptFromCode(scriptSource, filename); // jest's own report of a syntax error
    }
  }

  teardown() {
    sharedModules.get(SINON)?.exports.restore();
    // A shared module is not compiled again: only the others need a cache.
    for (const { filename, script, length } of uncached)
      if (!sharedModules.has(filename)) codeCache.set(filename, { length, data: script.createCachedData() });
    uncached = [];
    super.teardown();
  }

  getExportsOfCjs(modulePath) {
    if (!modulePath.includes('/node_modules/')) return super.getExportsOfCjs(modulePath);
    let names = cjsExports.get(modulePath);
    if (names === undefined) cjsExports.set(modulePath, (names = super.getExportsOfCjs(modulePath)));
    return names;
  }
}

module.exports = SharingRuntime;
