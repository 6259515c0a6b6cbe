'use strict';
// Loads the Embind build of the core once and exposes invoke() plus typed helpers to Node code.
const fs = require('node:fs');
const path = require('node:path');

function defaultWasmDir() {
  return process.env.COMETPROV_WASM_DIR || path.resolve(__dirname, '..', '..', 'build-wasm');
}

class CoreError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CoreError';
  }
}

class Core {
  constructor(mod) {
    this._mod = mod;
  }

  /** Raw request text in, raw response text out: exactly the bytes the core produced. */
  invokeJson(requestText) {
    if (typeof requestText !== 'string') throw new TypeError('invokeJson expects a string');
    return this._mod.invoke(requestText);
  }

  /** {op, args} in, the decoded response {ok, value|error} out. */
  invoke(op, args) {
    const req = args === undefined ? { op } : { op, args };
    return JSON.parse(this.invokeJson(JSON.stringify(req)));
  }

  usernameValidate(username, serverVersion = '') {
    return JSON.parse(this._mod.usernameValidate(String(username), String(serverVersion)));
  }
  passwordValidate(password) {
    return JSON.parse(this._mod.passwordValidate(String(password)));
  }
  optionsParseName(name) {
    return JSON.parse(this._mod.optionsParseName(String(name)));
  }
  usernameDerive(args) {
    return JSON.parse(this._mod.usernameDerive(JSON.stringify(args)));
  }
  optionsQuotas(args) {
    return JSON.parse(this._mod.optionsQuotas(JSON.stringify(args)));
  }
  policyRestricted(args = {}) {
    return JSON.parse(this._mod.policyRestricted(JSON.stringify(args)));
  }
  profileApply(args) {
    return JSON.parse(this._mod.profileApply(JSON.stringify(args)));
  }
  usageFromProfiles(args) {
    return JSON.parse(this._mod.usageFromProfiles(JSON.stringify(args)));
  }

  /**
   * A streamed reply (core/PLAN.md "Streaming a reply") for a step whose request says
   * `"stream": true`: streamOpen(state) -> {ok, value|error}; streamWrite(bytes) with each chunk (a
   * Uint8Array is copied as it is, a string as UTF-8) -> 0 go on, 1 the body is already unreadable
   * (stop reading), -3 no stream open; streamClose({httpStatus} | {transportError}) -> the raw
   * response text, exactly what plan.resume with the whole body would return.
   */
  streamOpen(state) {
    if (typeof state !== 'string') throw new TypeError('streamOpen expects the step state');
    return JSON.parse(this._mod.streamOpen(state));
  }
  streamWrite(bytes) {
    if (!(bytes instanceof Uint8Array) && typeof bytes !== 'string') throw new TypeError('streamWrite expects a Uint8Array or a string');
    return this._mod.streamWrite(bytes);
  }
  streamCloseJson(response) {
    return this._mod.streamClose(JSON.stringify(response));
  }
  streamClose(response) {
    return JSON.parse(this.streamCloseJson(response));
  }
}

const cache = new Map();

/**
 * Loads the core from the Embind build directory (default: ../build-wasm, or $COMETPROV_WASM_DIR).
 * Passes the wasm bytes directly: Emscripten 3.1.6's loader would otherwise fetch() a file path,
 * which fails under Node 18+.
 */
async function loadCore(options = {}) {
  const dir = options.dir || defaultWasmDir();
  if (cache.has(dir)) return cache.get(dir);
  const jsPath = path.join(dir, 'cometprov_embind.js');
  const wasmPath = path.join(dir, 'cometprov_embind.wasm');
  if (!fs.existsSync(jsPath) || !fs.existsSync(wasmPath)) {
    throw new CoreError(`The core's WebAssembly build is missing in ${dir}: run "make wasm" first`);
  }
  const factory = require(jsPath);
  const promise = factory({ wasmBinary: fs.readFileSync(wasmPath) }).then((mod) => new Core(mod));
  cache.set(dir, promise);
  return promise;
}

module.exports = { loadCore, Core, CoreError, defaultWasmDir };
