// Tests the differences between --mode 18.9 and --mode modern (spec 5.5 and 7.4): rules, response shapes and which params/endpoints exist.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, assertError, OK, fixedClock } = require('../../emulator/test-support');

const PROVIDER = '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701';

// The 18.9.2 UserProfileConfig fields (spec 3, PHP SDK at 18.9.2), in order.
const PROFILE_FIELDS_18_9 = [
  'Username',
  'LocalTimezone',
  'LanguageCode',
  'Emails',
  'SendEmailReports',
  'Destinations',
  'Sources',
  'BackupRules',
  'Devices',
  'IsSuspended',
  'AllProtectedItemsQuotaEnabled',
  'AllProtectedItemsQuotaBytes',
  'MaximumDevices',
  'PolicyID',
  'Policy',
  'PasswordFormat',
  'PasswordHash',
  'PasswordRecovery',
  'CreateTime',
  'CreationGUID',
];
// The 18.9.2 UserPolicy fields that are not omitempty (spec 4.2).
const POLICY_FIELDS_18_9 = [
  'PreventRequestStorageVault',
  'PreventAddCustomStorageVault',
  'PreventEditStorageVault',
  'PreventDeleteStorageVault',
  'StorageVaultProviders',
  'PreventNewProtectedItem',
  'PreventEditProtectedItem',
  'PreventDeleteProtectedItem',
  'ProtectedItemEngineTypes',
  'PreventDeleteSingleSnapshots',
  'PreventChangeAccountPassword',
  'PreventChangeEmailSettings',
  'PreventOpenAppUI',
  'HideAppImport',
  'HideAppVersion',
  'PreventOpenWebUI',
  'PreventViewDeviceNames',
];
const VERSION_FIELDS_18_9 = [
  'Version',
  'VersionCodename',
  'StorageRole',
  'AuthenticationRole',
  'SoftwareBuildRole',
  'OverseerRole',
  'ConstellationRole',
  'ServerStartTime',
  'ServerStartHash',
  'CurrentTime',
  'ServerLicenseHash',
  'LicenseValidUntil',
  'EmailsSentSuccessfully',
  'EmailsSentErrors',
  'EmailsWaitingInQueue',
];

test.describe('18.9 mode', () => {
  const clock = fixedClock(1540000000);
  const h = useEmulator({ mode: '18.9', clock });

  test('meta/version reports 18.9.2 with exactly the 18.9 fields', async () => {
    const v = await h.json('meta/version');
    assert.equal(v.Version, '18.9.2');
    assert.deepEqual(Object.keys(v).sort(), [...VERSION_FIELDS_18_9].sort());
    assert.equal(v.AuthenticationRole, true);
    assert.equal(v.CurrentTime, 1540000000);
  });

  test('usernames need at least 6 characters', async () => {
    assertError(await h.json('add-user', { TargetUser: 'abcde', TargetPassword: 'password123' }), 400);
    assertError(await h.json('add-user', { TargetUser: 'a', TargetPassword: 'password123' }), 400);
    assert.deepEqual(await h.json('add-user', { TargetUser: 'abcdef', TargetPassword: 'password123' }), OK);
  });

  test('a new profile has exactly the 18.9.2 fields; RequirePasswordChange is an unknown param and ignored', async () => {
    await h.json('add-user', { TargetUser: 'olduser1', TargetPassword: 'password123', StoreRecoveryCode: '1', RequirePasswordChange: '1' });
    const p = await h.json('get-user-profile', { TargetUser: 'olduser1' });
    assert.deepEqual(Object.keys(p), PROFILE_FIELDS_18_9);
    assert.deepEqual(Object.keys(p.Policy), POLICY_FIELDS_18_9);
    assert.equal(p.CreateTime, 1540000000);
  });

  test('set-user-profile-hash returns a plain CARM', async () => {
    const g = await h.json('get-user-profile-and-hash', { TargetUser: 'olduser1' });
    const r = await h.json('set-user-profile-hash', { TargetUser: 'olduser1', ProfileData: { ...g.Profile, MaximumDevices: 2 }, RequireHash: g.ProfileHash });
    assert.deepEqual(r, OK);
    assert.equal((await h.json('get-user-profile', { TargetUser: 'olduser1' })).MaximumDevices, 2);
    assertError(await h.json('set-user-profile-hash', { TargetUser: 'olduser1', ProfileData: g.Profile, RequireHash: g.ProfileHash }), 409);
  });

  test('request-storage-vault returns a plain CARM and ignores the modern ProfileHash param', async () => {
    const r = await h.json('request-storage-vault', { TargetUser: 'olduser1', StorageProvider: PROVIDER, ProfileHash: 'stale-hash' });
    assert.deepEqual(r, OK);
    const p = await h.json('get-user-profile', { TargetUser: 'olduser1' });
    const dests = Object.values(p.Destinations);
    assert.equal(dests.length, 1);
    assert.equal(dests[0].DestinationType, 1003);
    assert.equal('AssociatedDevices' in dests[0], false);
  });

  test('reset-user-password ignores OldPassword: without a recovery code it fails', async () => {
    await h.json('add-user', { TargetUser: 'olduser2', TargetPassword: 'password123' });
    assertError(await h.json('reset-user-password', { TargetUser: 'olduser2', NewPassword: 'newpassword1', OldPassword: 'password123' }), 400);
    await h.json('add-user', { TargetUser: 'olduser3', TargetPassword: 'password123', StoreRecoveryCode: '1' });
    assert.deepEqual(await h.json('reset-user-password', { TargetUser: 'olduser3', NewPassword: 'newpassword1' }), OK);
  });

  test('endpoints newer than 18.9 are unknown', async () => {
    assertError(await h.json('disable-user-totp', { TargetUser: 'olduser1' }), 404);
    assertError(await h.json('account/session-start-as-user', { TargetUser: 'olduser1' }), 404);
  });

  test('session-start has no SessionType (added in 18.12.3)', async () => {
    const s = await h.json('account/session-start');
    assert.deepEqual(Object.keys(s).sort(), ['Message', 'SessionKey', 'Status']);
  });

  test('GroupPolicy is only {Description, Policy}', async () => {
    await h.json('policies/set', { PolicyID: 'P1', Policy: { Description: 'one', Policy: { PreventOpenWebUI: true }, DefaultUserPolicy: true } });
    const g = await h.json('policies/get', { PolicyID: 'P1' });
    assert.deepEqual(Object.keys(g.Policy).slice(0, 2), ['Description', 'Policy']);
    assert.equal('CreatedDate' in g.Policy, false);
    assert.equal('OrganizationID' in g.Policy, false);
    // DefaultUserPolicy did not exist in 18.9: it is kept as an unknown field but new users are not linked.
    await h.json('add-user', { TargetUser: 'olduser4', TargetPassword: 'password123' });
    assert.equal((await h.json('get-user-profile', { TargetUser: 'olduser4' })).PolicyID, '');
  });

  test('delete-user ignores UninstallConfig, even malformed', async () => {
    await h.json('add-user', { TargetUser: 'olduser5', TargetPassword: 'password123' });
    assert.deepEqual(await h.json('delete-user', { TargetUser: 'olduser5', UninstallConfig: '{broken' }), OK);
  });

  test('dispatcher/list-active ignores UserNameFilter', async () => {
    h.emu.state.liveConnections.set('c1', { Username: 'olduser1', DeviceID: 'd1' });
    h.emu.state.liveConnections.set('c2', { Username: 'olduser3', DeviceID: 'd2' });
    const all = await h.json('dispatcher/list-active', { UserNameFilter: 'olduser1' });
    assert.deepEqual(Object.keys(all), ['c1', 'c2']);
  });
});

test.describe('modern mode', () => {
  const clock = fixedClock(1750000000);
  const h = useEmulator({ mode: 'modern', clock });

  test('meta/version reports a modern version and the newer fields', async () => {
    const v = await h.json('meta/version');
    assert.equal(v.Version, '25.9.8');
    for (const k of VERSION_FIELDS_18_9) assert.ok(k in v, k);
    assert.deepEqual(v.BoosterLimit, {});
    assert.deepEqual(v.SelfBackup, []);
  });

  test('short usernames (from 1 character) are accepted', async () => {
    assert.deepEqual(await h.json('add-user', { TargetUser: 'abcde', TargetPassword: 'password123' }), OK);
    assert.deepEqual(await h.json('add-user', { TargetUser: 'z', TargetPassword: 'password123' }), OK);
  });

  test('request-storage-vault returns DestinationID, ProfileHash and Profile, and honours ProfileHash', async () => {
    const g = await h.json('get-user-profile-and-hash', { TargetUser: 'abcde' });
    const stale = await h.json('request-storage-vault', { TargetUser: 'abcde', StorageProvider: PROVIDER, ProfileHash: 'stale-hash' });
    assertError(stale, 409);
    const r = await h.json('request-storage-vault', { TargetUser: 'abcde', StorageProvider: PROVIDER, ProfileHash: g.ProfileHash, DeviceID: 'dev-9' });
    assert.deepEqual(Object.keys(r).sort(), ['DestinationID', 'Message', 'Profile', 'ProfileHash', 'Status']);
    assert.equal(r.Status, 200);
    assert.notEqual(r.ProfileHash, g.ProfileHash);
    assert.deepEqual(Object.keys(r.Profile.Destinations), [r.DestinationID]);
    assert.deepEqual(r.Profile.Destinations[r.DestinationID].AssociatedDevices, ['dev-9']);
    const now = await h.json('get-user-profile-and-hash', { TargetUser: 'abcde' });
    assert.equal(now.ProfileHash, r.ProfileHash);
  });

  test('GroupPolicy carries server-maintained CreatedDate/ModifiedDate', async () => {
    await h.json('policies/set', { PolicyID: 'P1', Policy: { Description: 'one', CreatedDate: 5, ModifiedDate: 5 } });
    let g = await h.json('policies/get', { PolicyID: 'P1' });
    assert.equal(g.Policy.CreatedDate, 1750000000);
    assert.equal(g.Policy.ModifiedDate, 1750000000);
    assert.equal(g.Policy.OrganizationID, '');
    assert.equal(g.Policy.DefaultUserPolicy, false);
    clock.set(1750000500);
    await h.json('policies/set', { PolicyID: 'P1', Policy: { ...g.Policy, Description: 'one, edited' } });
    g = await h.json('policies/get', { PolicyID: 'P1' });
    assert.equal(g.Policy.CreatedDate, 1750000000);
    assert.equal(g.Policy.ModifiedDate, 1750000500);
  });

  test('session-start reports SessionType admin', async () => {
    const s = await h.json('account/session-start');
    assert.equal(s.SessionType, 'admin');
  });
});
