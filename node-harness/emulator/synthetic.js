// Generated users for scale tests (100,000 accounts with vault statistics): every profile is made from
// one JSON template by splicing in per-user values, so seeding costs a small record per user and
// list-users-full serializes each profile on the fly instead of holding ~290 MB of JSON.
'use strict';

const crypto = require('node:crypto');
const { ApiError, randomHex } = require('./util');
const { normalizeProfile } = require('./schema');
const ops = require('./ops');

const MIB = 1048576;
const GIB = 1024 * MIB;

/**
 * The documented shape of generated user i (README "Generated users"), so tests can compute what to
 * expect without reading this code: two Comet cloud vaults (DestinationType 1003) and one local copy
 * (1002), a source, a backup rule and a device.
 *   vault a: Size (i % 1000 + 1) MiB, limited to (i % 100 + 10) GiB
 *   vault b: Size 2 (i % 1000 + 1) MiB, limited to 5 GiB
 *   local copy c: Size 999 MiB, no limit (not cloud usage)
 */
function syntheticFigures(i) {
  const k = (i % 1000) + 1;
  return {
    aSize: k * MIB,
    aLimit: ((i % 100) + 10) * GIB,
    bSize: 2 * k * MIB,
    bLimit: 5 * GIB,
    cSize: 999 * MIB,
  };
}

// Placeholders in the template. Numbers are out-of-range sentinels no real field takes; strings are
// marker texts that cannot occur in a profile. Each maps to a function of the user's index.
const NUM = (n) => 9007199254000000 + n; // < 2^53, so JSON.stringify writes it exactly
const TOKENS = [
  ['"@@USER@@"', (g, i) => JSON.stringify(g.name(i))],
  ['@@USER@@', (g, i) => g.name(i)], // inside longer strings (e-mail, bucket)
  ['"@@GUID@@"', (g, i) => `"${g.guid(i)}"`],
  ['"@@IDX@@"', (g, i) => `"${g.pad(i)}"`],
  ['@@IDX@@', (g, i) => g.pad(i)],
  [String(NUM(1)), (g, i) => String(syntheticFigures(i).aSize)],
  [String(NUM(2)), (g, i) => String(syntheticFigures(i).aLimit)],
  [String(NUM(3)), (g, i) => String(syntheticFigures(i).bSize)],
  [String(NUM(4)), (g, i) => String(syntheticFigures(i).bLimit)],
  [String(NUM(5)), (g, i) => String(syntheticFigures(i).cSize)],
];

function templateProfile(now) {
  return {
    AccountName: 'Generated @@USER@@',
    Emails: ['@@USER@@@example.test'],
    MaximumDevices: 5,
    Destinations: {
      'dst-@@IDX@@-a': {
        Description: 'Comet Storage (Local)',
        DestinationType: 1003,
        CreateTime: now,
        ModifyTime: now,
        CometServer: 'http://127.0.0.1:8060/',
        CometBucket: 'bucket-@@IDX@@-a',
        CometBucketKey: 'generated-bucket-key-@@IDX@@-a',
        StorageLimitEnabled: true,
        StorageLimitBytes: NUM(2),
        Statistics: { ClientProvidedSize: { Size: NUM(1), MeasureStarted: now - 3600, MeasureCompleted: now - 3000 } },
      },
      'dst-@@IDX@@-b': {
        Description: 'Comet Storage (Remote)',
        DestinationType: 1003,
        CreateTime: now,
        ModifyTime: now,
        CometServer: 'http://127.0.0.1:8060/',
        CometBucket: 'bucket-@@IDX@@-b',
        CometBucketKey: 'generated-bucket-key-@@IDX@@-b',
        StorageLimitEnabled: true,
        StorageLimitBytes: NUM(4),
        Statistics: { ClientProvidedSize: { Size: NUM(3), MeasureStarted: now - 3600, MeasureCompleted: now - 3100 } },
      },
      'dst-@@IDX@@-c': {
        Description: 'Local USB copy',
        DestinationType: 1002,
        CreateTime: now,
        ModifyTime: now,
        StorageLimitEnabled: false,
        StorageLimitBytes: 0,
        Statistics: { ClientProvidedSize: { Size: NUM(5), MeasureStarted: now - 3600, MeasureCompleted: now - 3500 } },
      },
    },
    Sources: {
      'src-@@IDX@@': {
        Engine: 'engine1/file',
        Description: 'Documents',
        OwnerDevice: 'dev-@@IDX@@',
        EngineProps: { INCLUDE: 'C:\\Users\\@@USER@@\\Documents', EXCLUDE: '*.tmp' },
        Statistics: { LastStartTime: now - 3600, LastBackupJob: { TotalSize: NUM(1), Status: 5000, FileCount: 1234 } },
      },
    },
    BackupRules: {
      'rule-@@IDX@@': {
        Description: 'Documents to cloud, daily',
        Source: 'src-@@IDX@@',
        Destination: 'dst-@@IDX@@-a',
        Schedules: [{ FrequencyType: 8013, SecondsPast: 7200 }],
        RetentionPolicy: { Mode: 801, Ranges: [{ Type: 900, Days: 30 }] },
      },
    },
    Devices: {
      'dev-@@IDX@@': {
        FriendlyName: 'PC-@@IDX@@',
        RegistrationTime: now - 86400,
        PlatformVersion: { Version: '10.0.19045', Distribution: 'Windows 10 Pro', Architecture: 'x86_64' },
        ClientVersion: '25.9.8',
      },
    },
  };
}

/** One batch of generated users: a prefix, a count, the template, and per-user values from the index. */
class SyntheticUsers {
  constructor({ prefix, start, count, width, pieces, slots, guidPrefix }) {
    this.prefix = prefix;
    this.start = start;
    this.count = count;
    this.width = width;
    this.pieces = pieces;
    this.slots = slots;
    this.guidPrefix = guidPrefix;
    this.policyId = '';
  }

  pad(i) {
    return String(i).padStart(this.width, '0');
  }

  name(i) {
    return `${this.prefix}${this.pad(i)}`;
  }

  /** A v4-shaped GUID unique per user of this batch (a random batch prefix, the index in the last group). */
  guid(i) {
    return `${this.guidPrefix}${i.toString(16).padStart(12, '0')}`;
  }

  /** The profile of user i as JSON text, exactly what JSON.stringify of the stored profile gives. */
  json(i) {
    const { pieces, slots } = this;
    let out = pieces[0];
    for (let k = 0; k < slots.length; k++) out += slots[k](this, i) + pieces[k + 1];
    return out;
  }
}

/**
 * A user record backed by a generator until something reads or writes its profile object; then it
 * behaves like any other record (`profile`, `hash`, `json`). state.profileJson() serializes an
 * untouched record from the template without caching it.
 */
class SyntheticUserRecord {
  constructor(gen, i, hash) {
    this.gen = gen;
    this.i = i;
    this.hash = hash;
    this.json = null;
    this.materialized = null;
  }

  get profile() {
    if (this.materialized === null) this.materialized = JSON.parse(this.gen.json(this.i));
    return this.materialized;
  }

  set profile(p) {
    this.materialized = p;
  }

  /** True while the profile is still exactly the generated one (never read as an object, never written). */
  get pristine() {
    return this.materialized === null && this.json === null;
  }
}

/**
 * Add `count` generated users named `<prefix><index>` (index zero-padded to `width`, default enough
 * digits for start + count - 1 and at least 6) to the state. Returns {added, first, last}.
 * The template goes through add-user and the seed rules once (so every field has the shape the
 * emulator's own profiles have in this mode); only per-user values are spliced in afterwards.
 */
function seedSyntheticUsers(state, opts = {}) {
  const count = opts.count;
  if (!Number.isInteger(count) || count < 1 || count > 10000000) {
    throw new Error('seed-users: count must be an integer from 1 to 10,000,000');
  }
  const prefix = opts.prefix === undefined ? 'user' : opts.prefix;
  const start = opts.start === undefined ? 0 : opts.start;
  if (typeof prefix !== 'string' || !/^[A-Za-z0-9_.@-]*$/.test(prefix)) {
    throw new Error('seed-users: prefix may only use the characters a-z A-Z 0-9 _ . @ -');
  }
  if (!Number.isInteger(start) || start < 0) throw new Error('seed-users: start must be a non-negative integer');
  const width = Math.max(6, String(start + count - 1).length);
  const password = opts.password === undefined ? `gen-${randomHex(8)}` : opts.password;

  // The template: a real add-user profile (validated name and password, mode defaults), merged with
  // the generated fields by the seed rules.
  const sentinel = `${prefix}${'0'.repeat(width)}`;
  try {
    ops.validateUsername(sentinel, state.mode);
    ops.validatePassword(password);
  } catch (e) {
    throw new Error(`seed-users: ${e.message}`);
  }
  const base = ops.buildNewProfile(state, sentinel, { password, storeRecoveryCode: false, requirePasswordChange: false });
  const merged = normalizeProfile({ ...base, ...templateProfile(state.now()), Username: '@@USER@@', CreationGUID: '@@GUID@@' }, state.mode, 'seed profile');
  const text = JSON.stringify(merged);
  const pieces = [];
  const slots = [];
  let rest = text;
  for (;;) {
    let at = -1;
    let tok = null;
    for (const t of TOKENS) {
      const p = rest.indexOf(t[0]);
      if (p >= 0 && (at < 0 || p < at)) {
        at = p;
        tok = t;
      }
    }
    if (tok === null) break;
    pieces.push(rest.slice(0, at));
    slots.push(tok[1]);
    rest = rest.slice(at + tok[0].length);
  }
  pieces.push(rest);

  const g = new SyntheticUsers({
    prefix,
    start,
    count,
    width,
    pieces,
    slots,
    guidPrefix: (() => {
      const h = crypto.randomBytes(10).toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[parseInt(h[16], 16) % 4]}${h.slice(17, 20)}-`;
    })(),
  });
  g.policyId = merged.PolicyID || '';

  const last = g.name(start + count - 1);
  try {
    ops.validateUsername(last, state.mode);
  } catch (e) {
    throw new Error(`seed-users: ${e.message}`);
  }
  for (let i = start; i < start + count; i++) {
    if (state.users.has(g.name(i))) throw new ApiError(400, `seed-users: user ${g.name(i)} already exists`);
  }
  const hashPrefix = randomHex(8);
  for (let i = start; i < start + count; i++) {
    state.users.set(g.name(i), new SyntheticUserRecord(g, i, hashPrefix + i.toString(16).padStart(16, '0')));
  }
  state.dirty = true;
  return { added: count, first: g.name(start), last };
}

module.exports = { seedSyntheticUsers, syntheticFigures, SyntheticUserRecord, SyntheticUsers };
