// Helpers for node:test suites that drive the emulator (kept here, not under test/, because node --test runs every .js file in a test/ folder).
'use strict';

const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { before, after } = require('node:test');
const { startEmulator } = require('./index');
const { callApi, control, request } = require('./client');

/**
 * Start an emulator on 127.0.0.1 with a free port before the suite's tests and close it after them.
 * Returns a handle whose fields are filled in once `before` has run.
 */
function useEmulator(opts = {}) {
  const h = {
    emu: null,
    get url() {
      return h.emu.url;
    },
    /** Raw response: {status, headers, text, json, body}. */
    call: (endpoint, params, o) => callApi(h.emu.url, endpoint, params, o),
    /** Parsed JSON of an API call that must come back as HTTP 200 with a JSON body. */
    json: async (endpoint, params, o) => {
      const r = await callApi(h.emu.url, endpoint, params, o);
      assert.equal(r.status, 200, `HTTP status of ${endpoint}`);
      assert.notEqual(r.json, undefined, `${endpoint} returned non-JSON: ${r.text.slice(0, 200)}`);
      return r.json;
    },
    control: (route, body) => control(h.emu.url, route, body),
  };
  before(async () => {
    h.emu = await startEmulator({ host: '127.0.0.1', port: 0, ...opts });
  });
  after(async () => {
    if (h.emu) await h.emu.close();
  });
  return h;
}

/** Assert a CometAPIResponseMessage error: HTTP 200, numeric Status, string Message, nothing else. */
function assertError(json, status, message) {
  assert.equal(typeof json, 'object');
  assert.equal(json.Status, status, `expected Status ${status}, got ${JSON.stringify(json)}`);
  assert.equal(typeof json.Message, 'string');
  if (message !== undefined) {
    if (message instanceof RegExp) assert.match(json.Message, message);
    else assert.equal(json.Message, message);
  }
  assert.deepEqual(Object.keys(json).sort(), ['Message', 'Status']);
}

const OK = Object.freeze({ Status: 200, Message: 'OK' });

/** A fixed clock for deterministic CreateTime/LastSuspended assertions; `set` moves it. */
function fixedClock(start) {
  let t = start;
  const clock = () => t;
  clock.set = (v) => {
    t = v;
  };
  return clock;
}

const CLI = path.join(__dirname, '..', 'bin', 'comet-emulator');

/**
 * Start bin/comet-emulator and resolve once it printed its first stdout line, with
 * {child, url, firstLine, stderr(), exited}. Rejects (with its stderr) if it exits first.
 */
function spawnCli(args, { timeoutMs = 15000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let settled = false;
    const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`comet-emulator did not start within ${timeoutMs} ms; stderr: ${err}`));
    }, timeoutMs);
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.stdout.on('data', (d) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl < 0 || settled) return;
      settled = true;
      clearTimeout(timer);
      const firstLine = out.slice(0, nl);
      const m = /^listening (\S+)$/.exec(firstLine);
      resolve({ child, url: m ? m[1] : undefined, firstLine, stderr: () => err, exited });
    });
    child.once('exit', (code) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(Object.assign(new Error(`comet-emulator exited with ${code} before listening: ${err}`), { code, stderr: err }));
    });
  });
}

/** Run bin/comet-emulator to completion (for --help and argument errors): {code, signal, stdout, stderr}. */
function runCli(args, { timeoutMs = 15000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(CLI, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Stop a spawned emulator with a signal and return its {code, signal}. */
async function stopCli(proc, signal = 'SIGTERM') {
  if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill(signal);
  return proc.exited;
}

module.exports = { useEmulator, assertError, OK, fixedClock, callApi, control, request, spawnCli, runCli, stopCli, CLI };
