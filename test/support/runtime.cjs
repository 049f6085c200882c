// Jest's module runtime (jest.config.js `runtime`), with two process-wide caches that jest-runtime does not keep.
//
// Jest gives every test file its own module registry, so each file loads the AWS SDK, DuckDB's bindings and the
// rest of node_modules again. jest-runtime compiles each CommonJS module with a new vm.Script every time, and its
// `importModuleDynamically` option keeps V8 from reusing its own compilation cache, so the same bundles were parsed
// and compiled once per test file (vm's Script and jest-runtime's _execModule were 18 s of the suite's CPU). Here a
// module's second load gets V8's code cache from its first (the functions its first run compiled included); the
// module still runs afresh in the file's own registry, so no state is shared between test files.
// The named exports of a CommonJS module imported from an ES module are parsed once per process, not once per file.
// Both caches are keyed by path and checked against the code, and live only in the jest worker.
const vm = require('node:vm');
const Runtime = require('jest-runtime').default;

/** filename → { code, script, data } */
const scripts = new Map();
/** path under node_modules → its named exports */
const cjsExports = new Map();

class CachingRuntime extends Runtime {
  createScriptFromCode(scriptSource, filename) {
    if (this._resolver.isCoreModule(filename)) return super.createScriptFromCode(scriptSource, filename);
    const code = this.wrapCodeInModuleWrapper(scriptSource);
    const seen = scripts.get(filename);
    // A cached module that calls import() would lose jest's dynamic-import callback (Node reports it missing, as it
    // does for ES modules given a code cache): such modules are compiled afresh.
    const same = seen !== undefined && seen.code === code && !code.includes('import(');
    if (same && seen.data === undefined) seen.data = seen.script.createCachedData();
    let script;
    try {
      script = new vm.Script(code, {
        columnOffset: this._fileTransforms.get(filename)?.wrapperLength,
        displayErrors: true,
        filename,
        cachedData: same ? seen.data : undefined,
        importModuleDynamically: async (specifier) => {
          const context = this._environment.getVmContext?.();
          if (!context) throw new Error('Test environment has been torn down');
          return this.linkAndEvaluateModule(await this.resolveModule(specifier, filename, context));
        },
      });
    } catch {
      return super.createScriptFromCode(scriptSource, filename); // jest's own report of a syntax error
    }
    if (!same) scripts.set(filename, { code, script, data: undefined });
    return script;
  }

  getExportsOfCjs(modulePath) {
    if (!modulePath.includes('/node_modules/')) return super.getExportsOfCjs(modulePath);
    let names = cjsExports.get(modulePath);
    if (names === undefined) cjsExports.set(modulePath, (names = super.getExportsOfCjs(modulePath)));
    return names;
  }
}

module.exports = CachingRuntime;
