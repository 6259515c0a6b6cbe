// Pins the JSON kind of every field the emulator's schema types (profile, policy, vault, statistics) to a table written from
// shared/spec/comet-api.md sections 3, 3.1 and 4, and checks each kind by behaviour, so the emulator never refuses a
// shape the real server accepts (issue 8, section 5: Policy.DefaultBackupRules was typed as a list, Comet has a map).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { SCHEMAS, fieldKinds, normalizeProfile, normalizeUserPolicy, normalizeGroupPolicy } = require('../../emulator/schema');

// ---- Expected kinds, from the spec (not from schema.js). "map" = Go map[string]Struct, "object" = a struct,
// "list<k>" = a slice whose items are checked, "list" = a slice of structs (items not modelled). ----

// Spec 4.2 (b): StorageVaultProviderPolicy; "ProtectedItemEngineTypes" = {bool, []string}.
const PROVIDER_POLICY = {
  StorageVaultProviders: 'object',
  'StorageVaultProviders.ShouldRestrictProviderList': 'bool',
  'StorageVaultProviders.AllowedProvidersWhenRestricted': 'list<uint>', // []uint64 of DESTINATIONTYPE_*
};
const ENGINE_POLICY = {
  ProtectedItemEngineTypes: 'object',
  'ProtectedItemEngineTypes.ShouldRestrictEngineTypeList': 'bool',
  'ProtectedItemEngineTypes.AllowedEngineTypeWhenRestricted': 'list<string>',
};

// Spec 4.2, the 18.9.2 UserPolicy (its untyped extras FileAndFolderMandatoryExclusions and
// ModeScheduleSkipAlreadyRunning are kept as unknown fields, so they are not listed).
const USER_POLICY_18_9 = {
  PreventRequestStorageVault: 'bool',
  PreventAddCustomStorageVault: 'bool',
  PreventEditStorageVault: 'bool',
  PreventDeleteStorageVault: 'bool',
  ...PROVIDER_POLICY,
  PreventNewProtectedItem: 'bool',
  PreventEditProtectedItem: 'bool',
  PreventDeleteProtectedItem: 'bool',
  ...ENGINE_POLICY,
  PreventDeleteSingleSnapshots: 'bool',
  PreventChangeAccountPassword: 'bool',
  PreventChangeEmailSettings: 'bool',
  PreventOpenAppUI: 'bool',
  HideAppImport: 'bool',
  HideAppVersion: 'bool',
  PreventOpenWebUI: 'bool',
  PreventViewDeviceNames: 'bool',
};

// Spec 4.2, the 25.x UserPolicy fields the emulator models.
const USER_POLICY_MODERN = {
  ...USER_POLICY_18_9,
  HideCloudStorageBranding: 'bool',
  DefaultNewStorageVault: 'string',
  PreventProtectedItemRetention: 'bool',
  EnforceStorageVaultRetention: 'bool',
  AllowEditObjectLockRetention: 'bool',
  ModeAdminResetPassword: 'int',
  ModeRequireUserResetPassword: 'int',
  PreventChangeAccountName: 'bool',
  RequirePasswordOpenAppUI: 'bool',
  DefaultEmailReports: 'object',
  'DefaultEmailReports.ShouldOverrideDefaultReports': 'bool',
  'DefaultEmailReports.Reports': 'list',
  // "All four are maps keyed by a string ID ... never lists."
  DefaultSources: 'map',
  DefaultSourcesBackupRules: 'map',
  DefaultSourcesWithOSRestriction: 'map',
  DefaultBackupRules: 'map',
  RotateStorageVaultKeysHours: 'int',
};

// Spec 3.1: the provisioning-relevant DestinationConfig fields, and DestinationStatistics.ClientProvidedSize.
const DESTINATION = {
  Description: 'string',
  CreateTime: 'int',
  ModifyTime: 'int',
  DestinationType: 'uint', // uint64
  CometServer: 'string',
  CometBucket: 'string',
  CometBucketKey: 'string',
  StorageLimitEnabled: 'bool',
  StorageLimitBytes: 'int',
  Statistics: 'object',
  'Statistics.ClientProvidedSize': 'object',
  'Statistics.ClientProvidedSize.Size': 'int',
  'Statistics.ClientProvidedSize.MeasureStarted': 'int',
  'Statistics.ClientProvidedSize.MeasureCompleted': 'int',
};

const prefixed = (prefix, table) => Object.fromEntries(Object.entries(table).map(([k, v]) => [`${prefix}.${k}`, v]));

// Spec 3: the 18.9.2 UserProfileConfig.
const PROFILE_18_9 = {
  Username: 'string',
  LocalTimezone: 'string',
  LanguageCode: 'string',
  Emails: 'list<string>',
  SendEmailReports: 'bool',
  Destinations: 'map',
  ...prefixed('Destinations.*', DESTINATION),
  Sources: 'map',
  BackupRules: 'map',
  Devices: 'map',
  IsSuspended: 'bool',
  AllProtectedItemsQuotaEnabled: 'bool',
  AllProtectedItemsQuotaBytes: 'int',
  MaximumDevices: 'int',
  PolicyID: 'string',
  Policy: 'object',
  ...prefixed('Policy', USER_POLICY_18_9),
  PasswordFormat: 'int',
  PasswordHash: 'string',
  PasswordRecovery: 'string',
  CreateTime: 'int',
  CreationGUID: 'string',
};

// Spec 3: the 25.x UserProfileConfig.
const PROFILE_MODERN = {
  ...PROFILE_18_9,
  ...prefixed('Policy', USER_POLICY_MODERN),
  AccountName: 'string',
  OrganizationID: 'string',
  GroupID: 'string',
  OverrideEmailSettings: 'map',
  SupportsDeviceAssociations: 'bool',
  LastSuspended: 'int',
  QuotaOffice365ProtectedAccounts: 'int',
  QuotaHyperVGuests: 'int',
  QuotaVMwareGuests: 'int',
  AllowPasswordLogin: 'bool',
  AllowPasswordAndTOTPLogin: 'bool',
  TOTPKeyEncryptionFormat: 'int',
  TOTPKey: 'string',
  RequirePasswordChange: 'bool',
  ServerConfig: 'object',
  'ServerConfig.RandomDelaySecs': 'int',
  AutoStorageTemplateGUID: 'string',
  LinuxHomedirSandbox: 'bool',
};

// Spec 4.1: GroupPolicy.
const GROUP_POLICY_18_9 = { Description: 'string', Policy: 'object', ...prefixed('Policy', USER_POLICY_18_9) };
const GROUP_POLICY_MODERN = {
  Description: 'string',
  OrganizationID: 'string',
  Policy: 'object',
  ...prefixed('Policy', USER_POLICY_MODERN),
  DefaultUserPolicy: 'bool',
  CreatedDate: 'int',
  ModifiedDate: 'int',
};

const EXPECTED = {
  '18.9': { profile: PROFILE_18_9, userPolicy: USER_POLICY_18_9, groupPolicy: GROUP_POLICY_18_9, destination: DESTINATION },
  modern: { profile: PROFILE_MODERN, userPolicy: USER_POLICY_MODERN, groupPolicy: GROUP_POLICY_MODERN, destination: DESTINATION },
};

// ---- Values each kind must accept (the real server decodes them) and must refuse (a Go decode error). ----
const ACCEPT = {
  string: ['', 'x'],
  bool: [true, false],
  int: [0, -5, 2 ** 40],
  uint: [0, 1003],
  map: [{}, { 'id-1': {} }, { 'id-1': null }],
  object: [{}],
  list: [[], [{}]],
  'list<string>': [[], ['a', 'b']],
  'list<uint>': [[], [1003]],
};
const REFUSE = {
  string: [5, true, {}, []],
  bool: ['true', 1, {}],
  int: ['5', 1.5, true, {}],
  uint: [-1, '1003', 1.5],
  map: [[], 'x', 5, { 'id-1': [] }, { 'id-1': 'x' }],
  object: [[], 'x', 5],
  list: [{}, 'x', 5],
  'list<string>': [{}, [5], [null]],
  'list<uint>': [{}, [-1], ['1003']],
};
// What a null (or [] / {}) reads back as at the top level of a filled struct: maps {}, lists [], objects their zero struct.
const NULL_READS_BACK_AS = { string: '', bool: false, int: 0, uint: 0, map: {}, list: [], 'list<string>': [], 'list<uint>': [] };

// Profile fields the spec marks "omit" (Go omitempty): at their zero value they are not emitted at all.
const PROFILE_OMIT = new Set(['OrganizationID', 'PasswordRecovery', 'LastSuspended', 'ServerConfig']);
const isZero = (v) => v === '' || v === 0 || v === false;

/** Set `value` at a dotted path ("*" is a map key "k"), building objects on the way. */
function withPath(path, value) {
  const parts = path.split('.').map((p) => (p === '*' ? 'k' : p));
  const root = {};
  let cur = root;
  for (const p of parts.slice(0, -1)) cur = cur[p] = {};
  cur[parts[parts.length - 1]] = value;
  return root;
}
function getPath(obj, path) {
  return path.split('.').reduce((o, p) => (o === undefined ? undefined : o[p === '*' ? 'k' : p]), obj);
}

/** The normalizer that the API uses for each schema; destination fields are reached through a profile. */
function normalizerFor(mode, schema) {
  switch (schema) {
    case 'profile':
      return (v) => normalizeProfile(v, mode);
    case 'userPolicy':
      return (v) => normalizeUserPolicy(v, mode);
    case 'groupPolicy':
      return (v) => normalizeGroupPolicy(v, mode);
    default:
      return (v) => normalizeProfile({ Destinations: { k: v } }, mode).Destinations.k;
  }
}

for (const mode of ['modern', '18.9']) {
  for (const schema of ['profile', 'userPolicy', 'groupPolicy', 'destination']) {
    const expected = EXPECTED[mode][schema];

    test(`${mode} ${schema}: the schema types exactly the fields of the spec table, with the same kinds`, () => {
      const actual = fieldKinds(SCHEMAS[mode][schema]);
      const sortEntries = (t) => Object.fromEntries(Object.entries(t).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
      assert.deepEqual(sortEntries(actual), sortEntries(expected));
    });

    test(`${mode} ${schema}: every field accepts its kind and null, and refuses other kinds`, () => {
      const norm = normalizerFor(mode, schema);
      for (const [path, kind] of Object.entries(expected)) {
        const omitted = schema === 'profile' && PROFILE_OMIT.has(path);
        for (const v of ACCEPT[kind]) {
          const out = norm(withPath(path, v));
          if (omitted && isZero(v)) {
            assert.equal(getPath(out, path), undefined, `${path} = ${JSON.stringify(v)} (omitempty)`);
          } else if (kind === 'map') {
            // Entries are kept by key; a null entry becomes the zero struct {}.
            assert.deepEqual(getPath(out, path), Object.fromEntries(Object.keys(v).map((k) => [k, {}])), `${path} = ${JSON.stringify(v)}`);
          } else if (kind !== 'object') {
            assert.deepEqual(getPath(out, path), v, `${path} = ${JSON.stringify(v)}`);
          } else {
            assert.equal(typeof getPath(out, path), 'object', `${path} = {}`);
          }
        }
        // null is Go's "leave at zero": accepted everywhere.
        const out = norm(withPath(path, null));
        const inMapEntry = schema === 'destination' || path.includes('.*.');
        const read = getPath(out, path);
        if (inMapEntry || omitted) {
          // Vault fields are not padded, and omitempty fields are not emitted at their zero value.
          assert.equal(read, undefined, `${path} = null`);
        } else if (kind in NULL_READS_BACK_AS) {
          assert.deepEqual(read, NULL_READS_BACK_AS[kind], `${path} = null`);
        } else {
          assert.equal(typeof read, 'object', `${path} = null`);
          assert.notEqual(read, null, `${path} = null`);
        }
        for (const v of REFUSE[kind]) {
          assert.throws(
            () => norm(withPath(path, v)),
            (e) => e.status === 400 && e.message.includes(path.replace(/\*/g, 'k')),
            `${path} = ${JSON.stringify(v)} must be refused`,
          );
        }
      }
    });
  }
}

test('the four Default* policy collections are maps in modern mode: {} is accepted, a list is refused', () => {
  for (const name of ['DefaultSources', 'DefaultSourcesBackupRules', 'DefaultSourcesWithOSRestriction', 'DefaultBackupRules']) {
    assert.deepEqual(normalizeUserPolicy({ [name]: {} }, 'modern')[name], {});
    assert.deepEqual(normalizeUserPolicy({}, 'modern')[name], {}, `${name} defaults to {}`);
    assert.deepEqual(normalizeGroupPolicy({ Policy: { [name]: { r1: { Description: 'x' } } } }, 'modern').Policy[name], { r1: { Description: 'x' } });
    assert.throws(() => normalizeGroupPolicy({ Policy: { [name]: [] } }, 'modern'), new RegExp(`Policy\\.${name} must be an object, got array`));
  }
});
