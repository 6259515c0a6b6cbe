// Sends SDK-shaped bodies (every field present, as a typed SDK such as the Comet PHP SDK v4.46.0 serializes them: every
// map as {}, every list as [] or as null) through policies/set and set-user-profile-hash, and reads them back (issue 8, §5).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, OK } = require('../../emulator/test-support');

// Map fields (Go map[string]Struct) of UserPolicy and UserProfileConfig, spec 3 and 4.2.
const POLICY_MAPS = ['DefaultSources', 'DefaultSourcesBackupRules', 'DefaultSourcesWithOSRestriction', 'DefaultBackupRules'];
const PROFILE_MAPS = ['OverrideEmailSettings', 'Destinations', 'Sources', 'BackupRules', 'Devices'];

/** A complete UserPolicy (spec 4.2, 25.x fields) with every map {} and every list `list`. */
function sdkUserPolicy(list) {
  return {
    PreventRequestStorageVault: true,
    PreventAddCustomStorageVault: true,
    HideCloudStorageBranding: false,
    PreventEditStorageVault: false,
    PreventDeleteStorageVault: true,
    DefaultNewStorageVault: '',
    StorageVaultProviders: { ShouldRestrictProviderList: false, AllowedProvidersWhenRestricted: list },
    PreventNewProtectedItem: false,
    PreventEditProtectedItem: false,
    PreventDeleteProtectedItem: false,
    ProtectedItemEngineTypes: { ShouldRestrictEngineTypeList: false, AllowedEngineTypeWhenRestricted: list },
    FileAndFolderMandatoryExclusions: list,
    ModeScheduleSkipAlreadyRunning: 0,
    ModeScheduleLastJobFailDoRetry: 0,
    ModeLastJobFailDoRetryTime: 0,
    ModeLastJobFailDoRetryCount: 0,
    ModeAdminResetPassword: 3,
    ModeAdminViewFilenames: 0,
    ModeRequireUserResetPassword: 0,
    PreventDeleteSingleSnapshots: false,
    PreventChangeAccountPassword: true,
    PreventChangeEmailSettings: false,
    PreventChangeAccountName: false,
    PreventOpenAppUI: false,
    RequirePasswordOpenAppUI: false,
    HideAppImport: false,
    HideAppVersion: false,
    PreventOpenWebUI: false,
    PreventViewDeviceNames: false,
    DefaultEmailReports: { ShouldOverrideDefaultReports: false, Reports: list },
    DefaultStorageVaultRetention: { Mode: 0, Ranges: list },
    EnforceStorageVaultRetention: false,
    PreventProtectedItemRetention: false,
    AllowEditObjectLockRetention: false,
    DefaultSources: {},
    DefaultSourcesBackupRules: {},
    DefaultSourcesWithOSRestriction: {},
    DefaultBackupRules: {},
    RandomDelaySecs: 0,
    RotateStorageVaultKeysHours: 0,
  };
}

/** A complete GroupPolicy (spec 4.1). */
function sdkGroupPolicy(description, list) {
  return { Description: description, OrganizationID: '', Policy: sdkUserPolicy(list), DefaultUserPolicy: false, CreatedDate: 0, ModifiedDate: 0 };
}

/**
 * A complete UserProfileConfig (spec 3) built from the server's profile as an SDK does (decode, then re-encode every
 * field): scalars from the server, every map {} (unless `maps` gives entries), every list `list`.
 */
function sdkProfile(server, list, { policyId = '', maps = {} } = {}) {
  const s = (k, d) => (server[k] === undefined ? d : server[k]);
  return {
    Username: server.Username,
    AccountName: s('AccountName', ''),
    LocalTimezone: s('LocalTimezone', ''),
    LanguageCode: s('LanguageCode', 'en_US'),
    OrganizationID: '',
    GroupID: s('GroupID', ''),
    Emails: list,
    OverrideEmailSettings: {},
    SendEmailReports: false,
    Destinations: {},
    SupportsDeviceAssociations: s('SupportsDeviceAssociations', false),
    Sources: {},
    BackupRules: {},
    Devices: {},
    IsSuspended: false,
    LastSuspended: 0,
    AllProtectedItemsQuotaEnabled: false,
    AllProtectedItemsQuotaBytes: 0,
    MaximumDevices: 0,
    QuotaOffice365ProtectedAccounts: 0,
    QuotaHyperVGuests: 0,
    QuotaVMwareGuests: 0,
    PolicyID: policyId,
    Policy: sdkUserPolicy(list),
    PasswordFormat: server.PasswordFormat,
    PasswordHash: server.PasswordHash,
    PasswordRecovery: s('PasswordRecovery', ''),
    AllowPasswordLogin: s('AllowPasswordLogin', false),
    AllowPasswordAndTOTPLogin: false,
    TOTPKeyEncryptionFormat: 0,
    TOTPKey: '',
    RequirePasswordChange: false,
    CreateTime: server.CreateTime,
    CreationGUID: server.CreationGUID,
    AutoStorageTemplateGUID: '',
    LinuxHomedirSandbox: false,
    ...maps,
  };
}

/** A complete DestinationConfig for one Comet vault, with statistics, shaped like an SDK's. */
function sdkVault(server, list) {
  return {
    ...server,
    PreExec: list,
    ThawExec: list,
    PostExec: list,
    StorageLimitEnabled: true,
    StorageLimitBytes: 5 * 1024 ** 3,
    StorageLimitID: '',
    RepoInitTimestamp: 0,
    AssociatedDevices: list,
    Statistics: {
      ClientProvidedSize: { Size: 123456, MeasureStarted: 1750000000, MeasureCompleted: 1750000060 },
      ClientProvidedContent: { MeasureStarted: 0, MeasureCompleted: 0, Components: list },
      LastSuccessfulDeepVerify_GUID: '',
      LastSuccessfulDeepVerify_StartTime: 0,
      LastSuccessfulDeepVerify_EndTime: 0,
    },
  };
}

/** The modelled collections read back as {} / [], never null, whether the SDK sent [] or null. */
function assertEmptyPolicyCollections(up, mode, what) {
  for (const k of POLICY_MAPS) assert.deepEqual(up[k], {}, `${what}: ${k}`);
  assert.deepEqual(up.StorageVaultProviders.AllowedProvidersWhenRestricted, [], `${what}: AllowedProvidersWhenRestricted`);
  assert.deepEqual(up.ProtectedItemEngineTypes.AllowedEngineTypeWhenRestricted, [], `${what}: AllowedEngineTypeWhenRestricted`);
  if (mode === 'modern') assert.deepEqual(up.DefaultEmailReports.Reports, [], `${what}: DefaultEmailReports.Reports`);
}

for (const mode of ['modern', '18.9']) {
  for (const [listName, list] of [
    ['[]', []],
    ['null', null],
  ]) {
    test.describe(`SDK-shaped bodies, ${mode} mode, lists as ${listName}`, () => {
      const h = useEmulator({ mode });
      const POLICY_ID = `SDK_POLICY_${mode === 'modern' ? 'M' : 'O'}_${list === null ? 'NULL' : 'EMPTY'}`;
      const USER = `sdkuser${mode === 'modern' ? 'm' : 'o'}${list === null ? 'n' : 'e'}`;

      test('policies/set accepts a complete GroupPolicy with every map {} and reads it back unchanged in kind', async () => {
        const r = await h.call('policies/set', { PolicyID: POLICY_ID, Policy: sdkGroupPolicy('SDK policy', list) });
        assert.equal(r.status, 200);
        assert.deepEqual(r.json, OK, r.text);
        const g = await h.call('policies/get', { PolicyID: POLICY_ID });
        assert.equal(g.json.Status, 200, g.text);
        assert.match(g.text, /"DefaultBackupRules":\{\}/, 'the map is emitted as {}');
        assert.doesNotMatch(g.text, /"DefaultBackupRules":\[/);
        assert.equal(g.json.Policy.Description, 'SDK policy');
        const up = g.json.Policy.Policy;
        assertEmptyPolicyCollections(up, mode, 'policies/get');
        assert.equal(up.PreventChangeAccountPassword, true);
        assert.equal(up.ModeAdminResetPassword, 3);
        // Fields the emulator does not model are kept exactly as sent.
        assert.deepEqual(up.FileAndFolderMandatoryExclusions, list);
        assert.deepEqual(up.DefaultStorageVaultRetention, { Mode: 0, Ranges: list });
        const full = await h.json('policies/list-full');
        assert.deepEqual(full[POLICY_ID], g.json.Policy);
        // policies/new takes the same body.
        const n = await h.json('policies/new', { Policy: sdkGroupPolicy('SDK policy, new', list) });
        assert.equal(n.Status, 200, JSON.stringify(n));
        assertEmptyPolicyCollections((await h.json('policies/get', { PolicyID: n.PolicyID })).Policy.Policy, mode, 'policies/new');
        assert.deepEqual(await h.json('policies/delete', { PolicyID: n.PolicyID }), OK);
      });

      test('a policy read back and re-sent with CheckPolicyHash (an SDK round trip) is accepted, map entries included', async () => {
        const g = await h.json('policies/get', { PolicyID: POLICY_ID });
        const rule = { Description: 'Nightly', ExecuteOnlyOnCustomDays: false, Schedules: list, EventTriggers: { OnPCBoot: false } };
        const next = { ...g.Policy, Policy: { ...g.Policy.Policy, DefaultBackupRules: { 'rule-1': rule } } };
        assert.deepEqual(await h.json('policies/set', { PolicyID: POLICY_ID, Policy: next, CheckPolicyHash: g.PolicyHash }), OK);
        const g2 = await h.json('policies/get', { PolicyID: POLICY_ID });
        assert.deepEqual(g2.Policy.Policy.DefaultBackupRules, { 'rule-1': rule });
        // Back to empty for the profile tests below.
        assert.deepEqual(await h.json('policies/set', { PolicyID: POLICY_ID, Policy: g.Policy, CheckPolicyHash: g2.PolicyHash }), OK);
        assert.deepEqual((await h.json('policies/get', { PolicyID: POLICY_ID })).Policy.Policy.DefaultBackupRules, {});
      });

      test('set-user-profile-hash accepts a complete profile (maps {}, custom Policy) and reads it back', async () => {
        assert.deepEqual(await h.json('add-user', { TargetUser: USER, TargetPassword: 'password123', StoreRecoveryCode: '1' }), OK);
        const g = await h.json('get-user-profile-and-hash', { TargetUser: USER });
        assert.equal(g.Status, 200);
        const body = sdkProfile(g.Profile, list);
        const r = await h.call('set-user-profile-hash', { TargetUser: USER, ProfileData: body, RequireHash: g.ProfileHash });
        assert.equal(r.status, 200);
        assert.equal(r.json.Status, 200, r.text);
        if (mode === 'modern') {
          assert.equal(typeof r.json.ProfileHash, 'string');
          assert.notEqual(r.json.ProfileHash, g.ProfileHash);
        } else {
          assert.deepEqual(r.json, OK);
        }
        const back = await h.call('get-user-profile-and-hash', { TargetUser: USER });
        assert.match(back.text, /"DefaultBackupRules":\{\}/);
        const p = back.json.Profile;
        if (mode === 'modern') assert.deepEqual(p, r.json.Profile, 'the write answer is what a read returns');
        for (const k of PROFILE_MAPS) assert.deepEqual(p[k], {}, k);
        assert.deepEqual(p.Emails, []);
        assert.equal(p.PolicyID, '');
        assertEmptyPolicyCollections(p.Policy, mode, 'profile Policy');
        assert.equal(p.Policy.PreventChangeAccountPassword, true, 'with no PolicyID the custom Policy is kept');
        // Server-owned fields are untouched by the round trip.
        for (const k of ['Username', 'CreateTime', 'CreationGUID', 'PasswordHash', 'PasswordFormat', 'PasswordRecovery']) {
          assert.equal(p[k], g.Profile[k], k);
        }
        assert.deepEqual((await h.json('list-users-full'))[USER], p);
      });

      test('set-user-profile-hash links the SDK policy and a vault with statistics; both read back', async () => {
        const vr = await h.json('request-storage-vault', { TargetUser: USER, StorageProvider: '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701' });
        assert.equal(vr.Status, 200);
        const g = await h.json('get-user-profile-and-hash', { TargetUser: USER });
        const [vaultId] = Object.keys(g.Profile.Destinations);
        assert.equal(typeof vaultId, 'string');
        const vault = sdkVault(g.Profile.Destinations[vaultId], list);
        const body = sdkProfile(g.Profile, list, { policyId: POLICY_ID, maps: { Destinations: { [vaultId]: vault } } });
        const r = await h.json('set-user-profile-hash', { TargetUser: USER, ProfileData: body, RequireHash: g.ProfileHash });
        assert.equal(r.Status, 200, JSON.stringify(r));
        const p = await h.json('get-user-profile', { TargetUser: USER });
        assert.equal(p.PolicyID, POLICY_ID);
        const gp = await h.json('policies/get', { PolicyID: POLICY_ID });
        assert.deepEqual(p.Policy, gp.Policy.Policy, 'the linked policy is the effective Policy');
        assertEmptyPolicyCollections(p.Policy, mode, 'linked Policy');
        assert.deepEqual(Object.keys(p.Destinations), [vaultId]);
        const d = p.Destinations[vaultId];
        assert.equal(d.StorageLimitEnabled, true);
        assert.equal(d.StorageLimitBytes, 5 * 1024 ** 3);
        assert.deepEqual(d.Statistics.ClientProvidedSize, { Size: 123456, MeasureStarted: 1750000000, MeasureCompleted: 1750000060 });
        assert.deepEqual(d.Statistics.ClientProvidedContent, { MeasureStarted: 0, MeasureCompleted: 0, Components: list });
        assert.deepEqual(d.AssociatedDevices, list);
        for (const k of ['Sources', 'BackupRules', 'Devices', 'OverrideEmailSettings']) assert.deepEqual(p[k], {}, k);
      });

      test('a map sent as a list is still refused, as Go refuses it, and nothing is written', async () => {
        const g = await h.json('get-user-profile-and-hash', { TargetUser: USER });
        const bad = sdkProfile(g.Profile, list);
        bad.Policy.DefaultBackupRules = [];
        bad.Sources = [];
        const r = await h.json('set-user-profile-hash', { TargetUser: USER, ProfileData: bad, RequireHash: g.ProfileHash });
        assert.equal(r.Status, 400);
        assert.match(r.Message, /^Invalid ProfileData: Sources must be an object, got array$/);
        assert.equal((await h.json('get-user-profile-hash', { TargetUser: USER })).ProfileHash, g.ProfileHash);
      });
    });
  }
}
