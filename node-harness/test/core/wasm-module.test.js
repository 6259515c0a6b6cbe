'use strict';
// Checks the PHP-facing module: it must import nothing and run with an empty import object.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { defaultWasmDir } = require('../../lib/core');

const wasmPath = process.env.COMETPROV_WASM || path.join(defaultWasmDir(), 'cometprov.wasm');

test('cometprov.wasm has no imports', () => {
  const mod = new WebAssembly.Module(fs.readFileSync(wasmPath));
  assert.deepEqual(WebAssembly.Module.imports(mod), []);
  const names = WebAssembly.Module.exports(mod).map((e) => e.name);
  for (const n of ['memory', '_initialize', 'cp_abi_version', 'cp_alloc', 'cp_free', 'cp_call', 'cp_output_ptr', 'cp_output_len']) {
    assert.ok(names.includes(n), `missing export ${n}`);
  }
});

test('cometprov.wasm runs a call through the C ABI with an empty import object', async () => {
  const { instance } = await WebAssembly.instantiate(fs.readFileSync(wasmPath), {});
  const x = instance.exports;
  x._initialize();
  assert.equal(x.cp_abi_version(), 1);
  const input = Buffer.from(JSON.stringify({ op: 'password.validate', args: { password: 'short' } }));
  const ptr = x.cp_alloc(input.length);
  assert.notEqual(ptr, 0);
  new Uint8Array(x.memory.buffer, ptr, input.length).set(input);
  const status = x.cp_call(ptr, input.length);
  x.cp_free(ptr);
  const out = Buffer.from(new Uint8Array(x.memory.buffer, x.cp_output_ptr(), x.cp_output_len())).toString('utf8');
  assert.equal(status, 0);
  const r = JSON.parse(out);
  assert.equal(r.value.valid, false);
  assert.equal(r.value.errors[0].code, 'password.too_short');
  // A range outside memory is refused with -2 instead of being read.
  assert.equal(x.cp_call(0xfffffff0, 64), -2);
});
