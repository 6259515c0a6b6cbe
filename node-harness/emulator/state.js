// In-memory Comet Server state (users, policies, providers, jobs, live connections, sessions) and its atomic JSON persistence.
'use strict';

const fs = require('node:fs');
const { randomHex, sortedKeys } = require('./util');

const STATE_FORMAT = 'comet-emulator-state/1';

// Two storage-template providers so request-storage-vault works out of the box; a seed's
// `providers` replaces them. The IDs are fixed so that tests and docs can name them.
const DEFAULT_PROVIDERS = {
  '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701': { Description: 'Comet Storage (Local)', DestinationType: 1003 },
  '5f3a8c2e9d7b4e10a1c2d3e4f5a6b702': { Description: 'Comet Storage (Remote)', DestinationType: 1003 },
};

/** A new opaque hash. Random, so every write yields a value never seen before (spec: "hash is opaque"). */
function newHash() {
  return randomHex(16);
}

class EmulatorState {
  /**
   * @param {object} opts
   * @param {'modern'|'18.9'} opts.mode
   * @param {() => number} opts.clock  Unix seconds
   * @param {string} [opts.stateFile]  persistence target; written after each write request
   */
  constructor({ mode, clock, stateFile }) {
    this.mode = mode;
    this.clock = clock;
    this.stateFile = stateFile;
    /** username -> { profile, hash, json } ; `json` caches JSON.stringify(profile) until the next write. */
    this.users = new Map();
    /** policyID -> { policy (GroupPolicy), hash } */
    this.policies = new Map();
    /** providerID -> destination template ({Description, DestinationType, ...extra DestinationConfig fields}) */
    this.providers = new Map(Object.entries(DEFAULT_PROVIDERS).map(([k, v]) => [k, { ...v }]));
    /** BackupJobDetail objects, in insertion order */
    this.jobs = [];
    /** live connection ID -> LiveUserConnection */
    this.liveConnections = new Map();
    /** session key -> { type: 'admin'|'user', username, created } */
    this.sessions = new Map();
    /** Set by every mutation; the server persists and clears it after each request. */
    this.dirty = false;
  }

  now() {
    return this.clock();
  }

  // ---- users ----

  getUser(username) {
    return this.users.get(username);
  }

  /** Store a complete, normalized profile for a new or existing user, giving it a fresh hash. */
  putProfile(username, profile) {
    let rec = this.users.get(username);
    if (!rec) {
      rec = { profile, hash: newHash(), json: null };
      this.users.set(username, rec);
    } else {
      rec.profile = profile;
      rec.hash = newHash();
      rec.json = null;
    }
    this.dirty = true;
    return rec;
  }

  /**
   * Mark a user as changed after editing `rec.profile` in place (tests that poke emu.state use this):
   * drops the cached JSON and issues a new hash, exactly like a concurrent write would.
   */
  touchUser(username) {
    const rec = this.users.get(username);
    if (!rec) return undefined;
    rec.hash = newHash();
    rec.json = null;
    this.dirty = true;
    return rec;
  }

  deleteUser(username) {
    if (!this.users.delete(username)) return false;
    // Job history and live connections belong to the account and go with it (spec 2.2 delete-user).
    this.jobs = this.jobs.filter((j) => j.Username !== username);
    for (const [id, c] of this.liveConnections) if (c.Username === username) this.liveConnections.delete(id);
    for (const [k, s] of this.sessions) if (s.type === 'user' && s.username === username) this.sessions.delete(k);
    this.dirty = true;
    return true;
  }

  /** The profile as JSON text; cached so that hot read paths (and list-users-full) do not re-serialize. */
  profileJson(rec) {
    if (rec.json !== null) return rec.json;
    // A generated user (synthetic.js) nobody has read or written yet: made from its template, not cached,
    // so 100,000 of them cost no JSON in memory.
    if (rec.pristine === true) return rec.gen.json(rec.i);
    rec.json = JSON.stringify(rec.profile);
    return rec.json;
  }

  /** Usernames in Go map-key order (byte-wise), the order list-users-full is emitted in. */
  sortedUsernames() {
    return sortedKeys(this.users);
  }

  // ---- policies ----

  putPolicy(id, policy) {
    const rec = { policy, hash: newHash() };
    this.policies.set(id, rec);
    this.dirty = true;
    return rec;
  }

  touchPolicy(id) {
    const rec = this.policies.get(id);
    if (!rec) return undefined;
    rec.hash = newHash();
    this.dirty = true;
    return rec;
  }

  deletePolicy(id) {
    const ok = this.policies.delete(id);
    if (ok) this.dirty = true;
    return ok;
  }

  // ---- sessions ----

  newSession(type, username) {
    const key = randomHex(32);
    this.sessions.set(key, { type, username, created: this.now() });
    this.dirty = true;
    return key;
  }

  // ---- persistence ----

  /** Serialize to the state-file JSON text. Profiles reuse their cached JSON, which keeps saves cheap. */
  serialize() {
    const parts = [];
    parts.push(`{"format":${JSON.stringify(STATE_FORMAT)},"mode":${JSON.stringify(this.mode)},"savedAt":${this.now()}`);
    const users = [];
    for (const name of this.sortedUsernames()) {
      const rec = this.users.get(name);
      users.push(`${JSON.stringify(name)}:{"hash":${JSON.stringify(rec.hash)},"profile":${this.profileJson(rec)}}`);
    }
    parts.push(`,"users":{${users.join(',')}}`);
    parts.push(`,"policies":${JSON.stringify(Object.fromEntries(this.policies))}`);
    parts.push(`,"providers":${JSON.stringify(Object.fromEntries(this.providers))}`);
    parts.push(`,"jobs":${JSON.stringify(this.jobs)}`);
    parts.push(`,"liveConnections":${JSON.stringify(Object.fromEntries(this.liveConnections))}`);
    parts.push(`,"sessions":${JSON.stringify(Object.fromEntries(this.sessions))}}`);
    return parts.join('');
  }

  /**
   * Write the state file atomically: write and fsync a temp file next to it, then rename over the target.
   * rename(2) within one directory is atomic, so a crash leaves either the old or the new file, never a torn one.
   */
  save() {
    if (!this.stateFile) {
      this.dirty = false;
      return;
    }
    const tmp = `${this.stateFile}.tmp-${process.pid}`;
    const fd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(fd, this.serialize());
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.stateFile);
    this.dirty = false;
  }

  /** Load a state file written by save(); returns false if the file does not exist. Throws on a corrupt file. */
  load() {
    let text;
    try {
      text = fs.readFileSync(this.stateFile, 'utf8');
    } catch (e) {
      if (e.code === 'ENOENT') return false;
      throw e;
    }
    let data;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new Error(`state file ${this.stateFile} is not valid JSON: ${e.message}`);
    }
    if (!data || data.format !== STATE_FORMAT) {
      throw new Error(`state file ${this.stateFile} is not a ${STATE_FORMAT} file`);
    }
    this.users = new Map(Object.entries(data.users || {}).map(([k, v]) => [k, { profile: v.profile, hash: v.hash, json: null }]));
    this.policies = new Map(Object.entries(data.policies || {}));
    this.providers = new Map(Object.entries(data.providers || {}));
    this.jobs = Array.isArray(data.jobs) ? data.jobs : [];
    this.liveConnections = new Map(Object.entries(data.liveConnections || {}));
    this.sessions = new Map(Object.entries(data.sessions || {}));
    this.dirty = false;
    return true;
  }
}

module.exports = { EmulatorState, DEFAULT_PROVIDERS, STATE_FORMAT, newHash };
