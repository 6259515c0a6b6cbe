'use strict';
// The loopback static server for the admin preview: the page's own files from the module folder,
// plus the Embind build (cometprov_embind.js/.wasm) from the wasm build directory, as if they had
// been copied next to the page. Nothing else is served, and it only ever listens on loopback.
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const path = require('node:path');
const { defaultWasmDir } = require('../lib/core');

const ROOT = path.resolve(__dirname, '..', '..');
const DEFAULT_PAGE_DIR = path.join(ROOT, 'whmcs-module', 'modules', 'servers', 'cometbackup', 'preview');
const BUILD_FILES = ['cometprov_embind.js', 'cometprov_embind.wasm'];
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wasm': 'application/wasm',
  '.md': 'text/plain; charset=utf-8',
};

function isLoopback(host) {
  if (host === 'localhost') return true;
  if (net.isIPv4(host)) return host.startsWith('127.');
  return host === '::1';
}

/**
 * Starts the server. Options: port (0 = any free port), host (loopback only), pageDir, wasmDir,
 * wasmContentType (the type sent with the .wasm: the page must not depend on it).
 * Resolves to {url, port, close(), requests()}.
 */
async function startPreviewServer(options = {}) {
  const host = options.host || '127.0.0.1';
  if (!isLoopback(host)) throw new Error(`The preview server only listens on loopback, not ${host}`);
  const pageDir = options.pageDir || DEFAULT_PAGE_DIR;
  const wasmDir = options.wasmDir || defaultWasmDir();
  const wasmType = options.wasmContentType || TYPES['.wasm'];
  for (const f of BUILD_FILES) {
    if (!fs.existsSync(path.join(wasmDir, f))) {
      throw new Error(`The core's Embind build is missing (${f} in ${wasmDir}): run "make wasm" first`);
    }
  }
  const log = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    log.push({ method: req.method, path: url.pathname });
    const fail = (status, text) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(text);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'Method not allowed');
    let name = url.pathname === '/' ? 'index.html' : url.pathname.slice(1);
    // One flat folder: a name with a slash, a dot-dot or anything unusual is simply not there.
    if (!/^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/.test(name)) return fail(404, 'Not found');
    const file = BUILD_FILES.includes(name) ? path.join(wasmDir, name) : path.join(pageDir, name);
    let body;
    try {
      body = fs.readFileSync(file);
    } catch {
      return fail(404, 'Not found');
    }
    const ext = path.extname(name);
    res.writeHead(200, {
      'content-type': ext === '.wasm' ? wasmType : TYPES[ext] || 'application/octet-stream',
      'content-length': body.length,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port || 0, host, resolve);
  });
  const { port } = server.address();
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/`,
    port,
    requests: () => log.slice(),
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

function usage() {
  return [
    'Usage: preview [--port N] [--host 127.0.0.1] [--wasm-dir DIR]',
    'Serves the admin preview page on loopback and prints its URL. Stop it with Ctrl-C.',
    '  --port N        port to listen on (default 8061; 0 picks a free one)',
    '  --host HOST     loopback address to bind (default 127.0.0.1)',
    '  --wasm-dir DIR  where cometprov_embind.js/.wasm are (default: build-wasm, or $COMETPROV_WASM_DIR)',
  ].join('\n');
}

async function main(argv) {
  const opts = { port: 8061 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--help' || a === '-h') {
      process.stdout.write(`${usage()}\n`);
      return;
    } else if (a === '--port') {
      opts.port = Number(value());
      if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error('--port must be 0 to 65535');
    } else if (a === '--host') {
      opts.host = value();
    } else if (a === '--wasm-dir') {
      opts.wasmDir = path.resolve(value());
    } else {
      throw new Error(`Unknown argument ${a}\n${usage()}`);
    }
  }
  const srv = await startPreviewServer(opts);
  process.stdout.write(`Comet Backup admin preview: ${srv.url}\n`);
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

module.exports = { startPreviewServer, main, DEFAULT_PAGE_DIR };
