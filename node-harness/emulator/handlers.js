// The admin API endpoints: parameter parsing, per-mode response shapes, and calls into the business rules in ops.js.
'use strict';

const crypto = require('node:crypto');
const { ApiError, RawJson, JsonPieces, BinaryBody, newGuid, sortedKeys, isPlainObject } = require('./util');
const ops = require('./ops');
const { compileClause } = require('./search');

const OK = () => ({ Status: 200, Message: 'OK' });

// ---- parameter helpers ----

/** A required string parameter; absent or empty is Status 400. */
function required(ctx, name) {
  const v = ctx.params[name];
  if (v === undefined || v === '') throw new ApiError(400, `Missing required parameter '${name}'`);
  return v;
}

function optional(ctx, name) {
  const v = ctx.params[name];
  return v === undefined || v === '' ? undefined : v;
}

/** A parameter that exists only on modern servers: 18.9 ignores it like any unknown parameter (spec 7.4). */
function modernOnly(ctx, name) {
  return ctx.mode === 'modern' ? optional(ctx, name) : undefined;
}

/** Parse a JSON-document parameter (ProfileData, Policy, Query, ...); malformed JSON is Status 400. */
function parseJsonParam(ctx, name, text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ApiError(400, `Invalid ${name}: malformed JSON`);
  }
}

function requiredJson(ctx, name) {
  return parseJsonParam(ctx, name, required(ctx, name));
}

function optionalJson(ctx, name, text) {
  return text === undefined ? undefined : parseJsonParam(ctx, name, text);
}

function intParam(ctx, name) {
  const v = required(ctx, name);
  if (!/^-?\d+$/.test(v)) throw new ApiError(400, `Invalid ${name}: expected an integer`);
  return Number(v);
}

/** A plain object from a Map, keys in Go's sorted map order, values mapped by fn. */
function mapFrom(map, fn) {
  const out = {};
  for (const k of sortedKeys(map)) out[k] = fn(map.get(k), k);
  return out;
}

function profileAndHash(ctx, rec) {
  return new RawJson(
    `{"Status":200,"Message":"OK","ProfileHash":${JSON.stringify(rec.hash)},"Profile":${ctx.state.profileJson(rec)}}`,
  );
}

// ---- endpoint implementations ----

function metaVersion(ctx) {
  const { state, info } = ctx;
  const common = {
    Version: info.version,
    VersionCodename: 'emulator',
    StorageRole: true,
    AuthenticationRole: true,
    SoftwareBuildRole: true,
    OverseerRole: false,
    ConstellationRole: false,
  };
  if (ctx.mode === '18.9') {
    return {
      ...common,
      ServerStartTime: info.startTime,
      ServerStartHash: info.startHash,
      CurrentTime: state.now(),
      ServerLicenseHash: info.licenseHash,
      LicenseValidUntil: 0,
      EmailsSentSuccessfully: 0,
      EmailsSentErrors: 0,
      EmailsWaitingInQueue: 0,
    };
  }
  return {
    ...common,
    ServerStartTime: info.startTime,
    ServerStartHash: info.startHash,
    CurrentTime: state.now(),
    ServerLicenseHash: info.licenseHash,
    ServerLicenseFeaturesAll: true,
    ServerLicenseFeatureSet: 0,
    LicenseValidUntil: 0,
    EmailsSentSuccessfully: 0,
    EmailsSentErrors: 0,
    EmailsWaitingInQueue: 0,
    ScheduledEmailThreadWaitingUntil: 0,
    ScheduledEmailThreadLastCalculateDurationNanos: 0,
    BoosterLimit: {},
    SelfBackup: [],
  };
}

function accountProperties(ctx) {
  const totp = !!ctx.info.adminTotpSecret;
  return {
    OrganizationID: '',
    Permissions: {
      PreventEditServerSettings: false,
      PreventServerShutdown: false,
      PreventChangePassword: false,
      AllowEditBranding: true,
      AllowEditRemoteStorage: true,
      AllowEditExternalAuthSources: true,
    },
    Security: {
      AllowPasswordLogin: !totp,
      AllowPasswordAndTOTPLogin: totp,
      AllowPasswordAndWebAuthnLogin: false,
      IPWhitelist: '',
    },
  };
}

function sessionResponse(ctx, key, type) {
  const r = { ...OK(), SessionKey: key };
  // SessionType arrived in 18.12.3 (spec 2.6).
  if (ctx.mode === 'modern') r.SessionType = type;
  return r;
}

function sessionStart(ctx) {
  return sessionResponse(ctx, ctx.state.newSession('admin', ctx.info.adminUsername), 'admin');
}

function sessionStartAsUser(ctx) {
  const username = required(ctx, 'TargetUser');
  ops.requireUser(ctx.state, username);
  return sessionResponse(ctx, ctx.state.newSession('user', username), 'user');
}

function sessionRevoke(ctx) {
  if (ctx.auth.sessionKey) {
    ctx.state.sessions.delete(ctx.auth.sessionKey);
    ctx.state.dirty = true;
  }
  return OK();
}

function policiesList(ctx) {
  return mapFrom(ctx.state.policies, (rec) => rec.policy.Description);
}

function policiesListFull(ctx) {
  return mapFrom(ctx.state.policies, (rec) => rec.policy);
}

function policiesGet(ctx) {
  const id = required(ctx, 'PolicyID');
  const rec = ctx.state.policies.get(id);
  // No PolicyHash key on failure: WHMCS uses its absence to decide to create the policy (spec 6).
  if (!rec) throw new ApiError(400, ops.MSG.policyNotFound);
  return { ...OK(), Policy: rec.policy, PolicyHash: rec.hash };
}

function policiesSet(ctx) {
  const id = required(ctx, 'PolicyID');
  const policy = requiredJson(ctx, 'Policy');
  optionalJson(ctx, 'Options', modernOnly(ctx, 'Options')); // validated, not modelled
  ops.setPolicy(ctx.state, id, policy, optional(ctx, 'CheckPolicyHash'));
  return OK();
}

function policiesNew(ctx) {
  const policy = requiredJson(ctx, 'Policy');
  const id = newGuid();
  const rec = ops.setPolicy(ctx.state, id, policy, undefined);
  // PolicyID is not in the documented CreateGroupPolicyResponse; returned as an extra (spec 2.5).
  return { ...OK(), PolicyHash: rec.hash, PolicyID: id };
}

function policiesDelete(ctx) {
  ops.deletePolicy(ctx.state, required(ctx, 'PolicyID'));
  return OK();
}

function storageVaultProviders(ctx) {
  return mapFrom(ctx.state.providers, (tpl) => tpl.Description);
}

function requestStorageVault(ctx) {
  const username = required(ctx, 'TargetUser');
  const provider = required(ctx, 'StorageProvider');
  const rec = ops.requireUser(ctx.state, username);
  const profileHash = modernOnly(ctx, 'ProfileHash');
  if (profileHash !== undefined) ops.checkHash(rec.hash, profileHash);
  const destId = ops.requestStorageVault(ctx.state, username, provider, {
    selfAddress: optional(ctx, 'SelfAddress'),
    deviceId: modernOnly(ctx, 'DeviceID'),
    serverUrl: ctx.serverUrl,
  });
  // 18.9 returns a plain CARM; modern adds DestinationID (19.9) and ProfileHash/Profile (25.6.8) (spec 5.5).
  if (ctx.mode === '18.9') return OK();
  const after = ctx.state.getUser(username);
  return new RawJson(
    `{"Status":200,"Message":"OK","DestinationID":${JSON.stringify(destId)},` +
      `"ProfileHash":${JSON.stringify(after.hash)},"Profile":${ctx.state.profileJson(after)}}`,
  );
}

function addUser(ctx) {
  const username = required(ctx, 'TargetUser');
  const password = required(ctx, 'TargetPassword');
  ops.addUser(ctx.state, username, {
    password,
    storeRecoveryCode: ctx.params.StoreRecoveryCode === '1',
    requirePasswordChange: modernOnly(ctx, 'RequirePasswordChange') === '1',
  });
  return OK();
}

function addUserFromProfile(ctx) {
  const username = required(ctx, 'TargetUser');
  const profile = requiredJson(ctx, 'ProfileData');
  ops.addUserFromProfile(ctx.state, username, profile);
  return OK();
}

function getUserProfile(ctx) {
  const rec = ops.requireUser(ctx.state, required(ctx, 'TargetUser'));
  return new RawJson(ctx.state.profileJson(rec));
}

function getUserProfileAndHash(ctx) {
  return profileAndHash(ctx, ops.requireUser(ctx.state, required(ctx, 'TargetUser')));
}

function getUserProfileHash(ctx) {
  const rec = ops.requireUser(ctx.state, required(ctx, 'TargetUser'));
  return { ...OK(), ProfileHash: rec.hash };
}

function setUserProfile(ctx) {
  const username = required(ctx, 'TargetUser');
  const profile = requiredJson(ctx, 'ProfileData');
  const rec = ops.requireUser(ctx.state, username);
  ops.writeClientProfile(ctx.state, rec, username, profile);
  return OK();
}

function setUserProfileHash(ctx) {
  const username = required(ctx, 'TargetUser');
  const profile = requiredJson(ctx, 'ProfileData');
  const requireHash = required(ctx, 'RequireHash');
  optionalJson(ctx, 'AdminOptions', modernOnly(ctx, 'AdminOptions')); // validated, not modelled
  const rec = ops.requireUser(ctx.state, username);
  // Checked before anything is parsed into state, so a mismatch writes nothing.
  ops.checkHash(rec.hash, requireHash);
  const after = ops.writeClientProfile(ctx.state, rec, username, profile);
  // CARM through 25.3; GetProfileAndHashResponseMessage from 25.6.8 (spec 2.2).
  return ctx.mode === '18.9' ? OK() : profileAndHash(ctx, after);
}

function resetUserPassword(ctx) {
  const username = required(ctx, 'TargetUser');
  const newPassword = required(ctx, 'NewPassword');
  ops.resetPassword(ctx.state, username, newPassword, modernOnly(ctx, 'OldPassword'));
  return OK();
}

function disableUserTotp(ctx) {
  const username = required(ctx, 'TargetUser');
  const rec = ops.requireUser(ctx.state, username);
  // [INFERRED]: TOTP login off, secret cleared, plain password login back on so the user is not locked out.
  ctx.state.putProfile(username, {
    ...rec.profile,
    AllowPasswordLogin: true,
    AllowPasswordAndTOTPLogin: false,
    TOTPKeyEncryptionFormat: 0,
    TOTPKey: '',
  });
  return OK();
}

function deleteUser(ctx) {
  const username = required(ctx, 'TargetUser');
  const uninstall = optionalJson(ctx, 'UninstallConfig', modernOnly(ctx, 'UninstallConfig'));
  if (uninstall !== undefined && !isPlainObject(uninstall)) {
    throw new ApiError(400, 'Invalid UninstallConfig: expected a JSON object');
  }
  if (!ctx.state.deleteUser(username)) throw new ApiError(400, ops.MSG.userNotFound);
  return OK();
}

function revokeDevice(ctx) {
  const username = required(ctx, 'TargetUser');
  const deviceId = required(ctx, 'TargetDevice');
  const rec = ops.requireUser(ctx.state, username);
  if (!Object.hasOwn(rec.profile.Devices || {}, deviceId)) throw new ApiError(400, 'ERR_UNKNOWN_DEVICE');
  const devices = { ...rec.profile.Devices };
  delete devices[deviceId];
  ctx.state.putProfile(username, { ...rec.profile, Devices: devices });
  for (const [id, c] of ctx.state.liveConnections) {
    if (c.Username === username && c.DeviceID === deviceId) ctx.state.liveConnections.delete(id);
  }
  return OK();
}

function listUsers(ctx) {
  return ctx.state.sortedUsernames();
}

function listUsersFull(ctx) {
  const { state } = ctx;
  // A snapshot taken now (requests are atomic): each user's cached JSON, or for a generated user nobody
  // touched its record, whose text depends only on its index. The text is made while streaming, so
  // 100,000 users never become one ~290 MB string, and later writes do not leak into this reply.
  const names = state.sortedUsernames();
  const snap = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const rec = state.users.get(names[i]);
    snap[i] = rec.pristine === true ? rec : state.profileJson(rec);
  }
  return new RawJson(
    new JsonPieces(function* pieces() {
      if (names.length === 0) {
        yield '{}';
        return;
      }
      for (let i = 0; i < names.length; i++) {
        const v = snap[i];
        yield `${i === 0 ? '{' : ','}${JSON.stringify(names[i])}:`;
        yield typeof v === 'string' ? v : v.gen.json(v.i);
      }
      yield '}';
    }),
  );
}

function jobsMatching(ctx, pred) {
  // Always a list, never null (spec 7.3 client area).
  return ctx.state.jobs.filter(pred);
}

function jobsForCustomSearch(ctx) {
  const pred = compileClause(requiredJson(ctx, 'Query'));
  return jobsMatching(ctx, pred);
}

function jobsForDateRange(ctx) {
  const start = intParam(ctx, 'Start');
  const end = intParam(ctx, 'End');
  // Both 0 means "only incomplete jobs"; otherwise jobs that started or ended in [Start, End] (spec 2.4).
  if (start === 0 && end === 0) return jobsMatching(ctx, (j) => !j.EndTime);
  const inRange = (t) => t >= start && t <= end;
  return jobsMatching(ctx, (j) => inRange(j.StartTime) || (j.EndTime > 0 && inRange(j.EndTime)));
}

function jobsForUser(ctx) {
  const username = required(ctx, 'TargetUser');
  ops.requireUser(ctx.state, username);
  return jobsMatching(ctx, (j) => j.Username === username);
}

function jobsAll(ctx) {
  return ctx.state.jobs;
}

function dispatcherListActive(ctx) {
  const filter = modernOnly(ctx, 'UserNameFilter');
  const out = {};
  for (const id of sortedKeys(ctx.state.liveConnections)) {
    const c = ctx.state.liveConnections.get(id);
    if (filter === undefined || c.Username === filter) out[id] = c;
  }
  return out;
}

// Platforms the WHMCS client area offers, plus macos-arm64; anything else is an error envelope.
const CLIENT_PLATFORMS = {
  linuxgeneric: 'run',
  'macos-x86_64': 'pkg',
  'macos-arm64': 'pkg',
  'windows-x86_32-zip': 'zip',
  'windows-x86_64-zip': 'zip',
  'windows-anycpu-zip': 'zip',
};
const CLIENT_SIZE = 64 * 1024;

/**
 * Deterministic fake installer: the ASCII header "COMET-EMULATOR-CLIENT\n<platform>\n" followed by
 * SHA-256("<platform>:0") || SHA-256("<platform>:1") || ..., cut to 65,536 bytes in total.
 */
function clientBytes(platform) {
  const out = Buffer.alloc(CLIENT_SIZE);
  let off = out.write(`COMET-EMULATOR-CLIENT\n${platform}\n`, 'latin1');
  for (let i = 0; off < CLIENT_SIZE; i++) {
    off += crypto.createHash('sha256').update(`${platform}:${i}`).digest().copy(out, off);
  }
  return out;
}
const clientCache = new Map();

function generateClient(ctx) {
  const platform = ctx.endpoint.slice('branding/generate-client/'.length);
  if (!Object.hasOwn(CLIENT_PLATFORMS, platform)) throw new ApiError(400, 'Unknown platform');
  if (!clientCache.has(platform)) clientCache.set(platform, clientBytes(platform));
  return new BinaryBody(clientCache.get(platform), `CometBackup-${platform}.${CLIENT_PLATFORMS[platform]}`);
}

// ---- routing table ----

// `modern: true` marks endpoints that 18.9.x did not have (spec 5.5); in 18.9 mode they are unknown endpoints.
const ENDPOINTS = {
  'meta/version': { fn: metaVersion },
  'account/properties': { fn: accountProperties },
  'account/session-start': { fn: sessionStart },
  'account/session-start-as-user': { fn: sessionStartAsUser, modern: true },
  'account/session-revoke': { fn: sessionRevoke },
  'policies/list': { fn: policiesList },
  'policies/list-full': { fn: policiesListFull },
  'policies/get': { fn: policiesGet },
  'policies/set': { fn: policiesSet },
  'policies/new': { fn: policiesNew },
  'policies/delete': { fn: policiesDelete },
  'request-storage-vault-providers': { fn: storageVaultProviders },
  'request-storage-vault': { fn: requestStorageVault },
  'add-user': { fn: addUser },
  'add-user-from-profile': { fn: addUserFromProfile },
  'get-user-profile': { fn: getUserProfile },
  'get-user-profile-and-hash': { fn: getUserProfileAndHash },
  'get-user-profile-hash': { fn: getUserProfileHash },
  'set-user-profile': { fn: setUserProfile },
  'set-user-profile-hash': { fn: setUserProfileHash },
  'reset-user-password': { fn: resetUserPassword },
  'disable-user-totp': { fn: disableUserTotp, modern: true },
  'delete-user': { fn: deleteUser },
  'revoke-device': { fn: revokeDevice },
  'list-users': { fn: listUsers },
  'list-users-full': { fn: listUsersFull },
  'get-jobs-for-custom-search': { fn: jobsForCustomSearch },
  'get-jobs-for-date-range': { fn: jobsForDateRange },
  'get-jobs-for-user': { fn: jobsForUser },
  'get-jobs-all': { fn: jobsAll },
  'dispatcher/list-active': { fn: dispatcherListActive },
};

/** The handler for an endpoint in a mode, or undefined if the server would not know it. */
function lookup(endpoint, mode) {
  if (endpoint.startsWith('branding/generate-client/')) return { fn: generateClient };
  const h = Object.hasOwn(ENDPOINTS, endpoint) ? ENDPOINTS[endpoint] : undefined;
  if (!h || (h.modern && mode !== 'modern')) return undefined;
  return h;
}

module.exports = { ENDPOINTS, CLIENT_PLATFORMS, CLIENT_SIZE, clientBytes, lookup };
