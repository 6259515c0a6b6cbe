// The Comet Server's business rules (username/password rules, profile writes, policy enforcement, vaults, seeding), shared by the API handlers and the seed loader.
'use strict';

const crypto = require('node:crypto');
const { ApiError, newGuid, randomHex, cloneJson, isPlainObject } = require('./util');
const { normalizeProfile, normalizeGroupPolicy, emptyProfile } = require('./schema');

// Spec 5.4: characters a-z A-Z 0-9 _ . @ - ; case-sensitive; at most 255; at least 6 (18.9) or 1 (modern).
const USERNAME_RE = /^[A-Za-z0-9_.@-]+$/;
const USERNAME_MIN = { '18.9': 6, modern: 1 };
const USERNAME_MAX = 255;
const PASSWORD_MIN = 8;

// The emulator stores passwords as salted SHA-256 in PasswordHash. Comet's own formats are not public
// (only PASSWORD_FORMAT_PLAINTEXT = 0 is), so this value is an emulator-specific marker.
const EMU_PASSWORD_FORMAT = 1;

// Fields the server owns: set-user-profile(-hash) keeps the stored values whatever the client sends.
const SERVER_OWNED_FIELDS = ['Username', 'CreateTime', 'CreationGUID', 'PasswordHash', 'PasswordFormat', 'PasswordRecovery'];

const MSG = {
  userNotFound: 'User does not exist',
  userExists: 'User already exists',
  policyNotFound: 'Policy does not exist',
  providerNotFound: 'Storage provider does not exist',
  hashMismatch: 'Hash mismatch: the object was modified concurrently, re-read it and retry',
};
const HASH_MISMATCH_STATUS = 409;

function validateUsername(username, mode) {
  if (typeof username !== 'string' || !USERNAME_RE.test(username)) {
    throw new ApiError(400, 'Invalid username: only the characters a-z A-Z 0-9 _ . @ - are allowed');
  }
  const min = USERNAME_MIN[mode];
  if (username.length < min) {
    throw new ApiError(400, `Invalid username: must be at least ${min} character${min === 1 ? '' : 's'} long`);
  }
  if (username.length > USERNAME_MAX) throw new ApiError(400, `Invalid username: must be at most ${USERNAME_MAX} characters long`);
}

function validatePassword(password) {
  if (typeof password !== 'string' || [...password].length < PASSWORD_MIN) {
    throw new ApiError(400, `Invalid password: must be at least ${PASSWORD_MIN} characters long`);
  }
  if (/[\r\n]/.test(password)) throw new ApiError(400, 'Invalid password: must be a single line');
}

function hashPassword(password) {
  const salt = randomHex(8);
  const digest = crypto.createHash('sha256').update(`${salt}:${password}`).digest('hex');
  return `emu1$${salt}$${digest}`;
}

function verifyPassword(stored, password) {
  if (typeof stored !== 'string' || !stored.startsWith('emu1$')) return false;
  const [, salt, digest] = stored.split('$');
  const actual = crypto.createHash('sha256').update(`${salt}:${password}`).digest('hex');
  return digest.length === actual.length && crypto.timingSafeEqual(Buffer.from(digest), Buffer.from(actual));
}

function newRecoveryCode() {
  return randomHex(24);
}

function requireUser(state, username) {
  const rec = state.getUser(username);
  if (!rec) throw new ApiError(400, MSG.userNotFound);
  return rec;
}

/** When PolicyID is set, the server enforces that policy's UserPolicy into the profile (spec 3, 7.3). */
function enforcePolicy(state, profile) {
  if (!profile.PolicyID) return profile;
  const rec = state.policies.get(profile.PolicyID);
  if (!rec) throw new ApiError(400, `Invalid ProfileData: PolicyID ${JSON.stringify(profile.PolicyID)} does not exist`);
  profile.Policy = cloneJson(rec.policy.Policy);
  return profile;
}

/** The ID of the policy flagged DefaultUserPolicy (modern only; the server keeps at most one). */
function defaultPolicyId(state) {
  if (state.mode !== 'modern') return '';
  for (const [id, rec] of state.policies) if (rec.policy.DefaultUserPolicy === true) return id;
  return '';
}

/**
 * A brand-new profile as add-user creates it. Field values a fresh real account would carry
 * (LanguageCode en_US, password login on, device associations on) are [INFERRED]; see README.
 */
function buildNewProfile(state, username, { password, storeRecoveryCode, requirePasswordChange }) {
  const mode = state.mode;
  const p = emptyProfile(mode);
  p.Username = username;
  p.LanguageCode = 'en_US';
  p.PasswordFormat = EMU_PASSWORD_FORMAT;
  p.PasswordHash = hashPassword(password);
  if (storeRecoveryCode) p.PasswordRecovery = newRecoveryCode();
  p.CreateTime = state.now();
  p.CreationGUID = newGuid();
  if (mode === 'modern') {
    p.SupportsDeviceAssociations = true;
    p.AllowPasswordLogin = true;
    p.RequirePasswordChange = !!requirePasswordChange;
    p.PolicyID = defaultPolicyId(state);
  }
  // Re-normalize so that PasswordRecovery lands in schema order.
  return enforcePolicy(state, normalizeProfile(p, mode));
}

/** add-user: validate, reject duplicates, store. */
function addUser(state, username, opts) {
  validateUsername(username, state.mode);
  if (state.getUser(username)) throw new ApiError(400, MSG.userExists);
  validatePassword(opts.password);
  return state.putProfile(username, buildNewProfile(state, username, opts));
}

/** Maintain LastSuspended when IsSuspended changes (modern only; [INFERRED], spec 3). */
function trackSuspension(state, next, prev) {
  if (state.mode !== 'modern') return;
  const was = prev ? prev.IsSuspended === true : false;
  const is = next.IsSuspended === true;
  // A seed or add-user-from-profile may state when the account was suspended; otherwise it is now.
  if (is && !was) next.LastSuspended = prev === null && next.LastSuspended ? next.LastSuspended : state.now();
  else if (!is) delete next.LastSuspended; // omitempty: 0 is not emitted
  else if (prev && prev.LastSuspended) next.LastSuspended = prev.LastSuspended;
  else delete next.LastSuspended;
}

/** add-user-from-profile: the whole profile comes from the client; a plaintext password (format 0) is hashed. */
function addUserFromProfile(state, username, input) {
  validateUsername(username, state.mode);
  if (state.getUser(username)) throw new ApiError(400, MSG.userExists);
  const p = normalizeProfile(input, state.mode);
  p.Username = username;
  if (p.PasswordFormat === 0) {
    // PASSWORD_FORMAT_PLAINTEXT: "the Comet Server will re-hash the credential automatically" (spec 3).
    validatePassword(p.PasswordHash);
    p.PasswordHash = hashPassword(p.PasswordHash);
    p.PasswordFormat = EMU_PASSWORD_FORMAT;
  }
  if (!p.CreateTime) p.CreateTime = state.now();
  if (!p.CreationGUID) p.CreationGUID = newGuid();
  trackSuspension(state, p, null);
  return state.putProfile(username, enforcePolicy(state, p));
}

/**
 * set-user-profile(-hash): replace the profile with the client's (partial objects become zero-filled,
 * unknown fields kept) but keep server-owned fields from the stored profile.
 */
function writeClientProfile(state, rec, username, input) {
  const prev = rec.profile;
  const p = normalizeProfile(input, state.mode);
  for (const f of SERVER_OWNED_FIELDS) {
    if (prev[f] === undefined) delete p[f];
    else p[f] = prev[f];
  }
  p.Username = username;
  trackSuspension(state, p, prev);
  return state.putProfile(username, enforcePolicy(state, p));
}

function checkHash(actual, required) {
  if (actual !== required) throw new ApiError(HASH_MISMATCH_STATUS, MSG.hashMismatch);
}

/** reset-user-password: needs a recovery code or (modern) the correct OldPassword; regenerates the recovery code. */
function resetPassword(state, username, newPassword, oldPassword) {
  const rec = requireUser(state, username);
  const prev = rec.profile;
  const hasRecovery = typeof prev.PasswordRecovery === 'string' && prev.PasswordRecovery !== '';
  if (oldPassword !== undefined) {
    if (!verifyPassword(prev.PasswordHash, oldPassword)) throw new ApiError(400, 'Incorrect OldPassword');
  } else if (!hasRecovery) {
    throw new ApiError(
      400,
      state.mode === 'modern'
        ? 'User has no password recovery code; OldPassword is required'
        : 'User has no password recovery code',
    );
  }
  validatePassword(newPassword);
  const p = { ...prev, PasswordHash: hashPassword(newPassword), PasswordFormat: EMU_PASSWORD_FORMAT };
  if (hasRecovery) p.PasswordRecovery = newRecoveryCode();
  return state.putProfile(username, p);
}

/** policies/set: create or update by ID, honour CheckPolicyHash, keep one default, re-apply to linked users. */
function setPolicy(state, id, input, checkPolicyHash) {
  const existing = state.policies.get(id);
  if (checkPolicyHash !== undefined) {
    if (!existing) throw new ApiError(HASH_MISMATCH_STATUS, MSG.hashMismatch);
    checkHash(existing.hash, checkPolicyHash);
  }
  const gp = normalizeGroupPolicy(input, state.mode);
  if (state.mode === 'modern') {
    // CreatedDate/ModifiedDate are maintained by the server (23.3+); [INFERRED] that client values are ignored.
    gp.CreatedDate = existing ? existing.policy.CreatedDate || state.now() : state.now();
    gp.ModifiedDate = state.now();
    if (gp.DefaultUserPolicy === true) {
      for (const [otherId, other] of state.policies) {
        if (otherId !== id && other.policy.DefaultUserPolicy === true) {
          other.policy = { ...other.policy, DefaultUserPolicy: false };
          state.touchPolicy(otherId);
        }
      }
    }
  }
  const rec = state.putPolicy(id, gp);
  reapplyPolicy(state, id);
  return rec;
}

/** A user's PolicyID; a generated user that nobody touched answers from its template (no parse). */
function policyIdOf(user) {
  return user.pristine === true ? user.gen.policyId : user.profile.PolicyID;
}

/** Copy a policy's UserPolicy into every profile linked to it (each such profile gets a new hash). */
function reapplyPolicy(state, id) {
  const rec = state.policies.get(id);
  for (const [username, user] of state.users) {
    if (policyIdOf(user) !== id) continue;
    state.putProfile(username, { ...user.profile, Policy: cloneJson(rec.policy.Policy) });
  }
}

/**
 * policies/delete. Users linked to the policy keep their effective Policy copy but are unlinked
 * (PolicyID ""), so their profiles stay writable under the "PolicyID must exist" rule. [INFERRED]
 */
function deletePolicy(state, id) {
  if (!state.deletePolicy(id)) throw new ApiError(400, MSG.policyNotFound);
  for (const [username, user] of state.users) {
    if (policyIdOf(user) === id) state.putProfile(username, { ...user.profile, PolicyID: '' });
  }
}

/** request-storage-vault: add a Destinations entry built from the provider's template; returns its ID. */
function requestStorageVault(state, username, providerId, { selfAddress, deviceId, serverUrl }) {
  const rec = requireUser(state, username);
  const tpl = state.providers.get(providerId);
  if (!tpl) throw new ApiError(400, MSG.providerNotFound);
  const now = state.now();
  const { Description, DestinationType, CometServer, ...extra } = tpl;
  const dest = {
    Description: Description || '',
    CreateTime: now,
    ModifyTime: now,
    DestinationType: DestinationType === undefined ? 1003 : DestinationType,
    // CometServer is the storage URL with a trailing slash (spec 3.1); SelfAddress wins over the listen URL.
    CometServer: CometServer || selfAddress || `${serverUrl}/`,
    CometBucket: randomHex(10),
    CometBucketKey: randomHex(24),
    StorageLimitEnabled: false,
    StorageLimitBytes: 0,
    ...extra,
  };
  if (state.mode === 'modern') dest.AssociatedDevices = deviceId ? [deviceId] : [];
  const destId = newGuid();
  const destinations = { ...rec.profile.Destinations, [destId]: dest };
  state.putProfile(username, { ...rec.profile, Destinations: destinations });
  return destId;
}

// ---- jobs and live connections ----

const JOB_DEFAULTS = () => ({
  GUID: newGuid(),
  Username: '',
  Classification: 4001,
  Status: 5000,
  StartTime: 0,
  EndTime: 0,
  SourceGUID: '',
  DestinationGUID: '',
  DeviceID: '',
  SnapshotID: '',
  TotalDirectories: 0,
  TotalFiles: 0,
  TotalSize: 0,
  TotalChunks: 0,
  UploadSize: 0,
  DownloadSize: 0,
});

function normalizeJob(job) {
  if (!isPlainObject(job)) throw new Error('seed: each job must be an object');
  if (typeof job.Username !== 'string' || !job.Username) throw new Error('seed: each job needs a Username');
  return { ...JOB_DEFAULTS(), ...job };
}

function normalizeLiveConnection(conn) {
  if (!isPlainObject(conn)) throw new Error('seed: each live connection must be an object');
  if (typeof conn.Username !== 'string' || !conn.Username) throw new Error('seed: each live connection needs a Username');
  return {
    Username: '',
    DeviceID: '',
    ReportedVersion: '',
    ReportedPlatform: '',
    ReportedPlatformVersion: {},
    DeviceTimeZone: '',
    IPAddress: '',
    ConnectionTime: 0,
    AllowsFilenames: true,
    ...conn,
  };
}

// ---- seeding ----

/**
 * Apply a seed object (format in README.md). Throws Error with a readable message on bad seed data.
 * Users are created with add-user semantics and then given the seed's profile fields, so seeds can
 * carry vault statistics, devices and sources exactly as a real server would report them.
 */
function applySeed(state, seed) {
  if (!isPlainObject(seed)) throw new Error('seed must be a JSON object');
  const wrap = (what, fn) => {
    try {
      return fn();
    } catch (e) {
      throw new Error(`seed ${what}: ${e.message}`);
    }
  };

  if (seed.providers !== undefined) {
    if (!isPlainObject(seed.providers)) throw new Error('seed providers must be an object');
    state.providers = new Map();
    for (const [id, v] of Object.entries(seed.providers)) {
      const tpl = typeof v === 'string' ? { Description: v, DestinationType: 1003 } : v;
      if (!isPlainObject(tpl) || typeof tpl.Description !== 'string') {
        throw new Error(`seed provider ${id}: expected a name or an object with a Description`);
      }
      state.providers.set(id, { ...tpl });
    }
    state.dirty = true;
  }

  if (seed.policies !== undefined) {
    if (!isPlainObject(seed.policies)) throw new Error('seed policies must be an object');
    for (const [id, gp] of Object.entries(seed.policies)) wrap(`policy ${id}`, () => setPolicy(state, id, gp, undefined));
  }

  if (seed.users !== undefined) {
    let entries;
    if (Array.isArray(seed.users)) entries = seed.users.map((u) => [u && u.username, u]);
    else if (isPlainObject(seed.users)) entries = Object.entries(seed.users);
    else throw new Error('seed users must be an object or an array');
    for (const [username, u] of entries) {
      wrap(`user ${username}`, () => {
        if (!isPlainObject(u)) throw new Error('expected an object');
        const password = u.password === undefined ? `seed-${randomHex(8)}` : u.password;
        const rec = addUser(state, username, {
          password,
          storeRecoveryCode: u.storeRecoveryCode !== false,
          requirePasswordChange: !!u.requirePasswordChange,
        });
        if (u.profile !== undefined) {
          if (!isPlainObject(u.profile)) throw new Error('profile must be an object');
          const merged = { ...rec.profile, ...u.profile };
          const p = normalizeProfile(merged, state.mode, 'seed profile');
          // Seeds may pin CreateTime/CreationGUID for deterministic tests; other server-owned fields stay.
          for (const f of ['Username', 'PasswordHash', 'PasswordFormat', 'PasswordRecovery']) {
            if (rec.profile[f] === undefined) delete p[f];
            else p[f] = rec.profile[f];
          }
          trackSuspension(state, p, null);
          state.putProfile(username, enforcePolicy(state, p));
        }
      });
    }
  }

  if (seed.jobs !== undefined) {
    if (!Array.isArray(seed.jobs)) throw new Error('seed jobs must be an array');
    for (const job of seed.jobs) state.jobs.push(normalizeJob(job));
    state.dirty = true;
  }

  if (seed.liveConnections !== undefined) {
    const lc = seed.liveConnections;
    const entries = Array.isArray(lc) ? lc.map((c) => [newGuid(), c]) : isPlainObject(lc) ? Object.entries(lc) : null;
    if (!entries) throw new Error('seed liveConnections must be an object or an array');
    for (const [id, c] of entries) state.liveConnections.set(id, normalizeLiveConnection(c));
    state.dirty = true;
  }
}

module.exports = {
  USERNAME_RE,
  USERNAME_MIN,
  PASSWORD_MIN,
  EMU_PASSWORD_FORMAT,
  SERVER_OWNED_FIELDS,
  MSG,
  HASH_MISMATCH_STATUS,
  validateUsername,
  validatePassword,
  hashPassword,
  verifyPassword,
  requireUser,
  enforcePolicy,
  buildNewProfile,
  addUser,
  addUserFromProfile,
  writeClientProfile,
  checkHash,
  resetPassword,
  setPolicy,
  deletePolicy,
  requestStorageVault,
  normalizeJob,
  normalizeLiveConnection,
  applySeed,
};
