// Programmatic entry point: startEmulator() builds the state, binds a loopback HTTP(S) server and returns the control handle tests use.
'use strict';

const fs = require('node:fs');
const http = require('node:http');
const https = require('node:https');
const net = require('node:net');
const { EmulatorState, DEFAULT_PROVIDERS } = require('./state');
const { FaultInjector, Journal, FAULT_KINDS } = require('./faults');
const { createRequestListener } = require('./server');
const { applySeed } = require('./ops');
const { seedSyntheticUsers } = require('./synthetic');
const { randomHex, isPlainObject } = require('./util');
const { base32Decode } = require('./totp');

const MODES = ['modern', '18.9'];
const DEFAULT_VERSION = { modern: '25.9.8', '18.9': '18.9.2' };
const DEFAULTS = {
  port: 0,
  host: '127.0.0.1',
  mode: 'modern',
  adminUsername: 'admin',
  adminPassword: 'admin',
  adminTotpSecret: undefined,
  control: false,
  stateFile: undefined,
  seed: undefined,
  seedUsers: undefined,
  tls: undefined,
  clock: undefined,
  latencyMs: 0,
  serverVersion: undefined,
  journalLimit: 100000,
};

/**
 * Normalize a host to a loopback bind address, or throw. The emulator has no real security, so it
 * must never be reachable from another machine.
 */
function loopbackHost(host) {
  if (host === 'localhost') return '127.0.0.1';
  if (net.isIPv4(host) && host.startsWith('127.')) return host;
  if (host === '::1') return host;
  throw new Error(`refusing to bind ${JSON.stringify(host)}: the emulator only listens on loopback (127.0.0.0/8 or ::1)`);
}

function readPem(v, what) {
  if (typeof v !== 'string' || v === '') throw new Error(`tls.${what} must be a PEM file path`);
  return v.includes('-----BEGIN') ? v : fs.readFileSync(v, 'utf8');
}

function loadSeed(seed) {
  if (typeof seed === 'string') {
    try {
      return JSON.parse(fs.readFileSync(seed, 'utf8'));
    } catch (e) {
      throw new Error(`cannot read seed file ${seed}: ${e.message}`);
    }
  }
  return seed;
}

class Emulator {
  constructor(options) {
    this.options = options;
    this.clock = options.clock || (() => Math.floor(Date.now() / 1000));
    this.state = new EmulatorState({ mode: options.mode, clock: this.clock, stateFile: options.stateFile });
    this.faults = new FaultInjector();
    this.journalStore = new Journal(options.journalLimit);
    this.latencyMs = 0;
    this.closing = false;
    this.abort = new AbortController();
    this.info = {
      version: options.serverVersion || DEFAULT_VERSION[options.mode],
      startTime: this.clock(),
      startHash: randomHex(16),
      licenseHash: 'e5ad6cbd3b4f8e2a9c1d7f0b6a3e8d21',
      adminUsername: options.adminUsername,
      adminTotpSecret: options.adminTotpSecret,
    };
    this.server = null;
    this.url = null;
    this.port = null;
  }

  /** The request journal: copies of {seq, time, endpoint, params (redacted), outcome, ...} in arrival order. */
  journal() {
    return this.journalStore.list();
  }

  /** Arm one fault or an array of faults; returns how many were added. Throws on an invalid spec. */
  injectFault(spec) {
    return this.faults.add(spec);
  }

  clearFaults() {
    this.faults.clear();
  }

  /** Extra latency in ms added to every API request (not to control routes). */
  setLatency(ms) {
    if (!Number.isInteger(ms) || ms < 0) throw new Error('latency must be a non-negative integer number of ms');
    this.latencyMs = ms;
  }

  clearJournal() {
    this.journalStore.clear();
  }

  /** Apply a seed object or file path at run time (same format as the --seed file). */
  seed(seed) {
    applySeed(this.state, loadSeed(seed));
    if (this.state.dirty) this.state.save();
  }

  /**
   * Add generated users with vault statistics (synthetic.js; README "Generated users"):
   * {count, prefix = 'user', start = 0, password}. Returns {added, first, last}.
   */
  seedUsers(opts) {
    const out = seedSyntheticUsers(this.state, opts);
    if (this.state.dirty) this.state.save();
    return out;
  }

  stats() {
    const m = process.memoryUsage();
    return {
      rss: m.rss,
      heapUsed: m.heapUsed,
      users: this.state.users.size,
      policies: this.state.policies.size,
      jobs: this.state.jobs.length,
      liveConnections: this.state.liveConnections.size,
      journalEntries: this.journalStore.entries.length,
      requests: this.journalStore.seq,
    };
  }

  /** A sleep that close() cancels, so pending delays never keep the process alive. */
  sleep(ms) {
    return new Promise((resolve, reject) => {
      if (this.abort.signal.aborted) return reject(new Error('emulator closing'));
      const t = setTimeout(() => {
        this.abort.signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(new Error('emulator closing'));
      };
      this.abort.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  async listen() {
    const { tls, port } = this.options;
    const host = loopbackHost(this.options.host);
    const listener = createRequestListener(this);
    this.server = tls
      ? https.createServer({ cert: readPem(tls.cert, 'cert'), key: readPem(tls.key, 'key') }, listener)
      : http.createServer(listener);
    // Many test clients open and close connections quickly; a generous backlog avoids refused connects.
    await new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, backlog: 1024 }, () => {
        this.server.removeListener('error', reject);
        resolve();
      });
    });
    this.port = this.server.address().port;
    const urlHost = host.includes(':') ? `[${host}]` : host;
    this.url = `${tls ? 'https' : 'http'}://${urlHost}:${this.port}`;
  }

  async close() {
    if (this.closing) return;
    this.closing = true;
    this.abort.abort();
    if (!this.server) return;
    await new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function validateOptions(opts) {
  const o = { ...DEFAULTS };
  for (const [k, v] of Object.entries(opts || {})) if (v !== undefined) o[k] = v;
  if (!MODES.includes(o.mode)) throw new Error(`mode must be one of ${MODES.join(', ')}`);
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) throw new Error('port must be an integer 0..65535');
  if (typeof o.adminUsername !== 'string' || o.adminUsername === '') throw new Error('adminUsername must be a non-empty string');
  if (typeof o.adminPassword !== 'string') throw new Error('adminPassword must be a string');
  if (o.adminTotpSecret !== undefined) {
    if (typeof o.adminTotpSecret !== 'string' || base32Decode(o.adminTotpSecret).length === 0) {
      throw new Error('adminTotpSecret must be a non-empty base32 string');
    }
  }
  if (o.tls !== undefined && !isPlainObject(o.tls)) throw new Error('tls must be {cert, key}');
  loopbackHost(o.host);
  return o;
}

/**
 * Start an emulator. See README.md for every option; the defaults are port 0 (a free port),
 * host 127.0.0.1, mode 'modern', admin/admin, control off.
 */
async function startEmulator(opts = {}) {
  const options = validateOptions(opts);
  const emu = new Emulator(options);
  emu.setLatency(options.latencyMs);
  const loaded = options.stateFile ? emu.state.load() : false;
  // A seed initialises a fresh server only; on a restart the saved state wins, so tests can restart
  // with the same command line without duplicating or resetting users.
  if (!loaded && options.seed !== undefined) applySeed(emu.state, loadSeed(options.seed));
  if (!loaded && options.seedUsers !== undefined) {
    seedSyntheticUsers(emu.state, typeof options.seedUsers === 'number' ? { count: options.seedUsers } : options.seedUsers);
  }
  if (options.stateFile && !loaded) emu.state.save();
  emu.state.dirty = false;
  await emu.listen();
  return emu;
}

module.exports = { startEmulator, Emulator, MODES, DEFAULTS, DEFAULT_VERSION, DEFAULT_PROVIDERS, FAULT_KINDS, loopbackHost };
