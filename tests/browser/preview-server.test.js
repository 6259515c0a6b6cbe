'use strict';
// The preview's loopback server and its `make preview` entry script: what it serves, what it refuses.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const { startPreviewServer } = require(path.join(ROOT, 'node-harness', 'preview', 'server'));

test('serves the page, its files and the Embind build, and nothing else', async (t) => {
  const srv = await startPreviewServer({ port: 0 });
  t.after(() => srv.close());
  assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const get = (p, init) => fetch(new URL(p, srv.url), init);
  const index = await get('/');
  assert.equal(index.status, 200);
  assert.match(index.headers.get('content-type'), /^text\/html/);
  assert.match(await index.text(), /admin preview/);
  for (const [file, type] of [['preview.js', /^text\/javascript/], ['samples.js', /^text\/javascript/], ['preview.css', /^text\/css/],
    ['cometprov_embind.js', /^text\/javascript/], ['cometprov_embind.wasm', /^application\/wasm$/]]) {
    const r = await get(`/${file}`);
    assert.equal(r.status, 200, file);
    assert.match(r.headers.get('content-type'), type, file);
    assert.ok((await r.arrayBuffer()).byteLength > 0, file);
  }
  const wasm = new Uint8Array(await (await get('/cometprov_embind.wasm')).arrayBuffer());
  assert.deepEqual([...wasm.subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
  for (const p of ['/../Makefile', '/%2e%2e/Makefile', '/..%2fMakefile', '/.git', '/nothing.html', '/sub/index.html']) {
    const r = await get(p);
    assert.equal(r.status, 404, p);
    await r.arrayBuffer();
  }
  const post = await get('/', { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  await post.arrayBuffer();
});

test('the .wasm type can be anything (a server that does not know .wasm)', async (t) => {
  const srv = await startPreviewServer({ port: 0, wasmContentType: 'application/octet-stream' });
  t.after(() => srv.close());
  const r = await fetch(new URL('/cometprov_embind.wasm', srv.url));
  assert.equal(r.headers.get('content-type'), 'application/octet-stream');
  await r.arrayBuffer();
});

test('refuses to listen anywhere but loopback, and says when the build is missing', async () => {
  await assert.rejects(startPreviewServer({ host: '0.0.0.0' }), /only listens on loopback/);
  await assert.rejects(startPreviewServer({ wasmDir: path.join(ROOT, 'no-such-build') }), /make wasm/);
});

test('bin/preview prints the URL, serves, and exits 0 on SIGTERM', { timeout: 30000 }, async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'node-harness', 'bin', 'preview'), '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/)/);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`preview exited early with ${code}: ${err}`)));
  });
  const r = await fetch(url);
  assert.equal(r.status, 200);
  await r.text();
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.kill('SIGTERM');
  assert.deepEqual(await exit, { code: 0, signal: null });
  assert.equal(err, '');
});

test('bin/preview refuses bad arguments with exit status 1', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'node-harness', 'bin', 'preview'), '--port', 'x'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const exit = await new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  assert.deepEqual(exit, { code: 1, signal: null });
  assert.match(err, /--port must be/);
});
