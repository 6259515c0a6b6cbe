// Test control: the per-endpoint fault queue, the bounded request journal, and the redaction of secrets in journalled params.
'use strict';

const { isPlainObject } = require('./util');

const FAULT_KINDS = [
  'reset',
  'delay',
  'http500',
  'http502html',
  'nonjson',
  'truncated',
  'status400',
  'status403',
  'status500',
  'hashconflict',
];
const PHASES = ['before', 'after'];

/** Match an injected fault's endpoint pattern: exact name, "*" for every endpoint, or a "prefix*" pattern. */
function endpointMatches(pattern, endpoint) {
  if (pattern === '*' || pattern === endpoint) return true;
  return pattern.endsWith('*') && endpoint.startsWith(pattern.slice(0, -1));
}

/** Validate and normalize one fault spec; throws Error with a readable message. */
function normalizeFault(spec) {
  if (!isPlainObject(spec)) throw new Error('a fault must be an object');
  const { endpoint, kind } = spec;
  if (typeof endpoint !== 'string' || endpoint === '') throw new Error('fault.endpoint must be a non-empty string');
  if (!FAULT_KINDS.includes(kind)) throw new Error(`fault.kind must be one of ${FAULT_KINDS.join(', ')}`);
  const count = spec.count === undefined ? 1 : spec.count;
  // -1 means "every matching request until cleared" (JSON has no Infinity).
  if (!Number.isInteger(count) || (count < 1 && count !== -1)) throw new Error('fault.count must be a positive integer or -1');
  const phase = spec.phase === undefined ? 'before' : spec.phase;
  if (!PHASES.includes(phase)) throw new Error("fault.phase must be 'before' or 'after'");
  if (kind === 'hashconflict' && phase === 'after') throw new Error("a 'hashconflict' fault only makes sense in phase 'before'");
  let delayMs = 0;
  if (kind === 'delay') {
    delayMs = spec.delayMs;
    if (!Number.isInteger(delayMs) || delayMs < 0) throw new Error("a 'delay' fault needs delayMs, a non-negative integer");
  }
  if (spec.message !== undefined && typeof spec.message !== 'string') throw new Error('fault.message must be a string');
  return { endpoint, kind, count, phase, delayMs, message: spec.message };
}

/** FIFO queue of armed faults; each matching request consumes one unit of the first matching fault. */
class FaultInjector {
  constructor() {
    this.faults = [];
  }

  add(spec) {
    const specs = Array.isArray(spec) ? spec : [spec];
    const normalized = specs.map(normalizeFault); // validate all before arming any
    this.faults.push(...normalized);
    return normalized.length;
  }

  /** Consume and return the fault for this request, or undefined. */
  take(endpoint) {
    for (let i = 0; i < this.faults.length; i++) {
      const f = this.faults[i];
      if (!endpointMatches(f.endpoint, endpoint)) continue;
      if (f.count !== -1) {
        f.count -= 1;
        if (f.count === 0) this.faults.splice(i, 1);
      }
      return f;
    }
    return undefined;
  }

  list() {
    return this.faults.map((f) => ({ ...f }));
  }

  clear() {
    this.faults = [];
  }
}

const REDACTED = '***REDACTED***';
// Named secrets plus anything whose name mentions a password or a key (SessionKey, CometBucketKey, TOTPKey...).
const SECRET_PARAMS = new Set(['Password', 'TargetPassword', 'NewPassword', 'OldPassword', 'SessionKey', 'TOTP']);
const SECRET_NAME_RE = /password|key|totp/i;
// Params that carry a JSON document: journalled as JSON text with secret-named fields redacted inside.
const JSON_PARAMS = new Set(['ProfileData', 'Policy', 'Query', 'UninstallConfig', 'AdminOptions', 'Options']);

// Form flags whose names mention "password" but whose value ("1"/"0") is not a secret; tests need to see them.
const NON_SECRET_PARAMS = new Set(['RequirePasswordChange']);

function isSecretName(name) {
  return SECRET_PARAMS.has(name) || SECRET_NAME_RE.test(name);
}

/**
 * Inside JSON documents only string values under secret-looking names are redacted (PasswordHash,
 * PasswordRecovery, TOTPKey, CometBucketKey...): booleans and numbers such as PreventChangeAccountPassword
 * or ModeAdminResetPassword are policy flags that tests need to read.
 */
function redactDeep(v) {
  if (Array.isArray(v)) return v.map(redactDeep);
  if (!isPlainObject(v)) return v;
  const out = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' && x !== '' && isSecretName(k) ? REDACTED : redactDeep(x);
  return out;
}

/** A copy of the request params safe to show to tests: secrets replaced, JSON documents redacted inside. */
function redactParams(params) {
  const out = {};
  for (const [k, v] of Object.entries(params)) {
    if (isSecretName(k) && !NON_SECRET_PARAMS.has(k)) out[k] = REDACTED;
    else if (JSON_PARAMS.has(k)) {
      try {
        out[k] = JSON.stringify(redactDeep(JSON.parse(v)));
      } catch (e) {
        // Unparseable text might still hold a secret, so only its size is kept.
        out[k] = `<malformed JSON, ${v.length} chars>`;
      }
    } else out[k] = v;
  }
  return out;
}

/** Bounded list of request records, oldest dropped first (keeps long benchmarks from growing without limit). */
class Journal {
  constructor(limit = 100000) {
    this.limit = limit;
    this.entries = [];
    this.seq = 0;
  }

  /** Start a record at request arrival; the server fills in `outcome` when the response is decided. */
  begin(endpoint, params) {
    const entry = { seq: ++this.seq, time: Date.now(), endpoint, params: redactParams(params), outcome: 'pending' };
    this.entries.push(entry);
    // Trim in batches so that the common case stays O(1).
    if (this.entries.length > this.limit + 1000) this.entries.splice(0, this.entries.length - this.limit);
    return entry;
  }

  list() {
    return this.entries.map((e) => ({ ...e, params: { ...e.params } }));
  }

  clear() {
    this.entries = [];
  }
}

module.exports = { FAULT_KINDS, FaultInjector, Journal, redactParams, normalizeFault, endpointMatches, REDACTED };
