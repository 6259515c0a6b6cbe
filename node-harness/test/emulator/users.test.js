// Tests the user endpoints in modern mode: creation rules, profile reads/writes, hashes, passwords, TOTP, deletion and listings.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, assertError, OK, fixedClock } = require('../../emulator/test-support');

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOW = 1750000000;

test.describe('users (modern mode)', () => {
  const clock = fixedClock(NOW);
  const h = useEmulator({ mode: 'modern', clock });
  const add = (TargetUser, TargetPassword = 'password123', extra = {}) => h.json('add-user', { TargetUser, TargetPassword, ...extra });
  const profile = (TargetUser) => h.json('get-user-profile', { TargetUser });
  const andHash = (TargetUser) => h.json('get-user-profile-and-hash', { TargetUser });

  test('list-users is [] and list-users-full is {} on an empty server (never null)', async () => {
    const lu = await h.call('list-users');
    assert.equal(lu.text, '[]');
    const luf = await h.call('list-users-full');
    assert.equal(luf.text, '{}');
  });

  test('add-user creates a profile with server-set fields and empty maps', async () => {
    assert.deepEqual(await add('newuser1', 'password123', { StoreRecoveryCode: '1', RequirePasswordChange: '1' }), OK);
    const p = await profile('newuser1');
    assert.equal(p.Username, 'newuser1');
    assert.equal(p.CreateTime, NOW);
    assert.match(p.CreationGUID, GUID_RE);
    for (const k of ['Destinations', 'Sources', 'BackupRules', 'Devices', 'OverrideEmailSettings']) assert.deepEqual(p[k], {}, k);
    assert.deepEqual(p.Emails, []);
    assert.equal(p.IsSuspended, false);
    assert.equal(p.MaximumDevices, 0);
    assert.equal(p.PolicyID, '');
    assert.equal(typeof p.Policy, 'object');
    assert.equal(p.RequirePasswordChange, true);
    assert.equal(typeof p.PasswordRecovery, 'string');
    assert.ok(p.PasswordRecovery.length > 0, 'StoreRecoveryCode=1 keeps a recovery code');
    assert.equal(typeof p.PasswordHash, 'string');
    assert.ok(!p.PasswordHash.includes('password123'), 'the plaintext password is not stored');
    assert.equal(p.StoreRecoveryCode, undefined);
  });

  test('without StoreRecoveryCode there is no PasswordRecovery; RequirePasswordChange defaults to false', async () => {
    await add('newuser2');
    const p = await profile('newuser2');
    assert.equal('PasswordRecovery' in p, false);
    assert.equal(p.RequirePasswordChange, false);
  });

  test('a duplicate username is refused with Status 400 and the original is untouched', async () => {
    await add('dupuser');
    const before = await andHash('dupuser');
    assertError(await add('dupuser', 'otherpassword'), 400, 'User already exists');
    const after = await andHash('dupuser');
    assert.equal(after.ProfileHash, before.ProfileHash);
    assert.equal(after.Profile.CreationGUID, before.Profile.CreationGUID);
  });

  test('usernames are case-sensitive', async () => {
    await add('CaseUser');
    assert.deepEqual(await add('caseuser'), OK);
    assert.equal((await profile('CaseUser')).Username, 'CaseUser');
    assert.equal((await profile('caseuser')).Username, 'caseuser');
  });

  test('username characters and length (modern: 1..255 of a-z A-Z 0-9 _ . @ -)', async () => {
    assert.deepEqual(await add('a'), OK);
    assert.deepEqual(await add('a_b.c@d-E9'), OK);
    assert.deepEqual(await add('x'.repeat(255)), OK);
    for (const bad of ['bad user', 'bad/user', 'émile', 'x+y', 'semi;colon', 'tab\tuser', 'y'.repeat(256)]) {
      assertError(await add(bad), 400);
    }
    const users = await h.json('list-users');
    assert.ok(!users.includes('bad user') && !users.includes('émile') && !users.includes('y'.repeat(256)));
    assertError(await h.json('add-user', { TargetPassword: 'password123' }), 400);
    assertError(await h.json('add-user', { TargetUser: 'nopassword' }), 400);
  });

  test('password: at least 8 characters, single line', async () => {
    assertError(await add('pwshort', '1234567'), 400);
    assertError(await add('pwnewline', 'pass\nword123'), 400);
    assertError(await add('pwcr', 'pass\rword123'), 400);
    assert.deepEqual(await add('pweight', '12345678'), OK);
    assert.deepEqual(await add('pwspaces', 'with spaces and ünïcode'), OK);
    const users = await h.json('list-users');
    assert.ok(!users.includes('pwshort') && !users.includes('pwnewline') && !users.includes('pwcr'));
  });

  test('unknown user: Status 400 without Username or ProfileHash keys', async () => {
    for (const ep of ['get-user-profile', 'get-user-profile-and-hash', 'get-user-profile-hash']) {
      const r = await h.json(ep, { TargetUser: 'ghost-user' });
      assertError(r, 400);
      assert.equal('Username' in r, false);
      assert.equal('ProfileHash' in r, false);
    }
  });

  test('missing TargetUser is Status 400 on every user endpoint', async () => {
    for (const ep of [
      'get-user-profile',
      'get-user-profile-and-hash',
      'get-user-profile-hash',
      'set-user-profile',
      'set-user-profile-hash',
      'reset-user-password',
      'disable-user-totp',
      'delete-user',
      'request-storage-vault',
      'get-jobs-for-user',
    ]) {
      assertError(await h.json(ep, { ProfileData: '{}', RequireHash: 'x', NewPassword: 'password123', StorageProvider: 'x' }), 400);
    }
  });

  test('get-user-profile-and-hash and get-user-profile-hash agree while nothing changes', async () => {
    await add('hashuser');
    const a = await andHash('hashuser');
    assert.equal(a.Status, 200);
    assert.equal(typeof a.Message, 'string');
    assert.equal(typeof a.ProfileHash, 'string');
    assert.ok(a.ProfileHash.length > 0);
    assert.equal(a.Profile.Username, 'hashuser');
    const h2 = await h.json('get-user-profile-hash', { TargetUser: 'hashuser' });
    assert.deepEqual(Object.keys(h2).sort(), ['Message', 'ProfileHash', 'Status']);
    assert.equal(h2.ProfileHash, a.ProfileHash);
    assert.deepEqual(await profile('hashuser'), a.Profile);
  });

  test('set-user-profile keeps unknown fields and server-owned fields, zero-fills a partial object, and changes the hash', async () => {
    await add('setuser1', 'password123', { StoreRecoveryCode: '1' });
    const before = await andHash('setuser1');
    const sent = {
      ...before.Profile,
      Username: 'evil',
      CreateTime: 1,
      CreationGUID: 'forged',
      PasswordHash: 'forged',
      PasswordFormat: 0,
      PasswordRecovery: '',
      AccountName: 'Set User',
      MaximumDevices: 4,
      FutureField: { nested: [1, 2, { deep: true }] },
    };
    assert.deepEqual(await h.json('set-user-profile', { TargetUser: 'setuser1', ProfileData: sent }), OK);
    const after = await andHash('setuser1');
    assert.notEqual(after.ProfileHash, before.ProfileHash);
    const p = after.Profile;
    assert.equal(p.AccountName, 'Set User');
    assert.equal(p.MaximumDevices, 4);
    assert.deepEqual(p.FutureField, { nested: [1, 2, { deep: true }] });
    for (const f of ['Username', 'CreateTime', 'CreationGUID', 'PasswordHash', 'PasswordFormat', 'PasswordRecovery']) {
      assert.deepEqual(p[f], before.Profile[f], f);
    }

    // Partial object: missing fields become zero values; maps stay {} and Emails [].
    assert.deepEqual(await h.json('set-user-profile', { TargetUser: 'setuser1', ProfileData: { IsSuspended: true, Destinations: null, Emails: null } }), OK);
    const partial = await profile('setuser1');
    assert.equal(partial.IsSuspended, true);
    assert.equal(partial.AccountName, '');
    assert.equal(partial.MaximumDevices, 0);
    assert.deepEqual(partial.Destinations, {});
    assert.deepEqual(partial.Emails, []);
    assert.equal(partial.Username, 'setuser1');
    assert.equal(partial.CreationGUID, before.Profile.CreationGUID);
  });

  test('set-user-profile rejects malformed JSON and wrong field types with Status 400 and writes nothing', async () => {
    await add('setuser2');
    const before = await andHash('setuser2');
    const bad = [
      '{"IsSuspended": tru',
      '[1,2]',
      '"just a string"',
      JSON.stringify({ MaximumDevices: '5' }),
      JSON.stringify({ IsSuspended: 'yes' }),
      JSON.stringify({ Emails: 'a@b.c' }),
      JSON.stringify({ Destinations: [] }),
      JSON.stringify({ Destinations: { v1: { StorageLimitBytes: '10' } } }),
      JSON.stringify({ Destinations: { v1: { StorageLimitEnabled: 1 } } }),
      JSON.stringify({ AllProtectedItemsQuotaBytes: 1.5 }),
    ];
    for (const ProfileData of bad) {
      assertError(await h.json('set-user-profile', { TargetUser: 'setuser2', ProfileData }), 400);
    }
    assertError(await h.json('set-user-profile', { TargetUser: 'setuser2' }), 400);
    assertError(await h.json('set-user-profile', { TargetUser: 'no-such-user', ProfileData: '{}' }), 400);
    const after = await andHash('setuser2');
    assert.equal(after.ProfileHash, before.ProfileHash);
    assert.deepEqual(after.Profile, before.Profile);
  });

  test('set-user-profile-hash: matching hash writes and returns the new hash and profile (modern shape)', async () => {
    await add('hashset1');
    const g = await andHash('hashset1');
    const changed = { ...g.Profile, MaximumDevices: 7 };
    const r = await h.json('set-user-profile-hash', { TargetUser: 'hashset1', ProfileData: changed, RequireHash: g.ProfileHash });
    assert.deepEqual(Object.keys(r).sort(), ['Message', 'Profile', 'ProfileHash', 'Status']);
    assert.equal(r.Status, 200);
    assert.notEqual(r.ProfileHash, g.ProfileHash);
    assert.equal(r.Profile.MaximumDevices, 7);
    const now = await andHash('hashset1');
    assert.equal(now.ProfileHash, r.ProfileHash);
    assert.deepEqual(now.Profile, r.Profile);
  });

  test('set-user-profile-hash: a stale RequireHash is refused and nothing is written', async () => {
    await add('hashset2');
    const g1 = await andHash('hashset2');
    await h.json('set-user-profile', { TargetUser: 'hashset2', ProfileData: { ...g1.Profile, AccountName: 'first writer' } });
    const g2 = await andHash('hashset2');
    const r = await h.json('set-user-profile-hash', {
      TargetUser: 'hashset2',
      ProfileData: { ...g1.Profile, AccountName: 'second writer' },
      RequireHash: g1.ProfileHash,
    });
    assertError(r, 409);
    const g3 = await andHash('hashset2');
    assert.equal(g3.ProfileHash, g2.ProfileHash);
    assert.equal(g3.Profile.AccountName, 'first writer');
    // Retrying with the fresh hash succeeds.
    const retry = await h.json('set-user-profile-hash', {
      TargetUser: 'hashset2',
      ProfileData: { ...g3.Profile, AccountName: 'second writer' },
      RequireHash: g3.ProfileHash,
    });
    assert.equal(retry.Status, 200);
    assert.equal(retry.Profile.AccountName, 'second writer');
    assertError(await h.json('set-user-profile-hash', { TargetUser: 'hashset2', ProfileData: g3.Profile }), 400);
    assertError(await h.json('set-user-profile-hash', { TargetUser: 'hashset2', ProfileData: '{bad', RequireHash: retry.ProfileHash }), 400);
    assertError(await h.json('set-user-profile-hash', { TargetUser: 'nobody-here', ProfileData: '{}', RequireHash: 'x' }), 400);
    assertError(
      await h.json('set-user-profile-hash', { TargetUser: 'hashset2', ProfileData: '{}', RequireHash: retry.ProfileHash, AdminOptions: '{oops' }),
      400,
    );
  });

  test('the WHMCS quota/suspend edit round-trips through set-user-profile-hash', async () => {
    await add('quotauser');
    await h.json('request-storage-vault', { TargetUser: 'quotauser', StorageProvider: '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701' });
    const g = await andHash('quotauser');
    const p = g.Profile;
    for (const d of Object.values(p.Destinations)) {
      d.StorageLimitEnabled = true;
      d.StorageLimitBytes = 50 * 1024 ** 3;
    }
    Object.assign(p, { AllProtectedItemsQuotaEnabled: true, AllProtectedItemsQuotaBytes: 10 * 1024 ** 4, MaximumDevices: 2 });
    clock.set(NOW + 100);
    p.IsSuspended = true;
    const r = await h.json('set-user-profile-hash', { TargetUser: 'quotauser', ProfileData: p, RequireHash: g.ProfileHash });
    assert.equal(r.Status, 200);
    const [dest] = Object.values(r.Profile.Destinations);
    assert.equal(dest.StorageLimitEnabled, true);
    assert.equal(dest.StorageLimitBytes, 53687091200);
    assert.equal(r.Profile.AllProtectedItemsQuotaBytes, 10995116277760);
    assert.equal(r.Profile.IsSuspended, true);
    assert.equal(r.Profile.LastSuspended, NOW + 100);
    // Unsuspend: LastSuspended goes back to 0, which Go omits (omitempty).
    const r2 = await h.json('set-user-profile-hash', {
      TargetUser: 'quotauser',
      ProfileData: { ...r.Profile, IsSuspended: false },
      RequireHash: r.ProfileHash,
    });
    assert.equal(r2.Profile.IsSuspended, false);
    assert.equal('LastSuspended' in r2.Profile, false);
    clock.set(NOW);
  });

  test('PolicyID: an existing policy is copied into Policy; an unknown one is Status 400 and writes nothing', async () => {
    await h.json('policies/set', {
      PolicyID: 'WHMCS_1',
      Policy: { Description: 'WHMCS_1', Policy: { PreventChangeAccountPassword: true, ModeAdminResetPassword: 3 } },
    });
    await add('policyuser');
    const g = await andHash('policyuser');
    const r = await h.json('set-user-profile-hash', {
      TargetUser: 'policyuser',
      ProfileData: { ...g.Profile, PolicyID: 'WHMCS_1', Policy: { PreventChangeAccountPassword: false, PreventOpenWebUI: true } },
      RequireHash: g.ProfileHash,
    });
    assert.equal(r.Profile.PolicyID, 'WHMCS_1');
    assert.equal(r.Profile.Policy.PreventChangeAccountPassword, true);
    assert.equal(r.Profile.Policy.ModeAdminResetPassword, 3);
    assert.equal(r.Profile.Policy.PreventOpenWebUI, false, 'the policy replaces the client-sent Policy');

    const bad = await h.json('set-user-profile-hash', {
      TargetUser: 'policyuser',
      ProfileData: { ...r.Profile, PolicyID: 'NO_SUCH_POLICY' },
      RequireHash: r.ProfileHash,
    });
    assertError(bad, 400);
    const still = await andHash('policyuser');
    assert.equal(still.ProfileHash, r.ProfileHash);
    assert.equal(still.Profile.PolicyID, 'WHMCS_1');

    // Empty PolicyID: the admin's own Policy values are kept.
    const custom = await h.json('set-user-profile-hash', {
      TargetUser: 'policyuser',
      ProfileData: { ...still.Profile, PolicyID: '', Policy: { PreventOpenWebUI: true } },
      RequireHash: still.ProfileHash,
    });
    assert.equal(custom.Profile.PolicyID, '');
    assert.equal(custom.Profile.Policy.PreventOpenWebUI, true);
    assert.equal(custom.Profile.Policy.PreventChangeAccountPassword, false);
  });

  test('reset-user-password with a recovery code: new password hash and a new recovery code', async () => {
    await add('resetuser1', 'password123', { StoreRecoveryCode: '1' });
    const before = await andHash('resetuser1');
    assert.deepEqual(await h.json('reset-user-password', { TargetUser: 'resetuser1', NewPassword: 'newpassword1' }), OK);
    const after = await andHash('resetuser1');
    assert.notEqual(after.ProfileHash, before.ProfileHash);
    assert.notEqual(after.Profile.PasswordHash, before.Profile.PasswordHash);
    assert.ok(after.Profile.PasswordRecovery.length > 0);
    assert.notEqual(after.Profile.PasswordRecovery, before.Profile.PasswordRecovery);
    // The old password no longer verifies, the new one does (checked through OldPassword).
    assertError(await h.json('reset-user-password', { TargetUser: 'resetuser1', NewPassword: 'x'.repeat(9), OldPassword: 'password123' }), 400);
    assert.deepEqual(await h.json('reset-user-password', { TargetUser: 'resetuser1', NewPassword: 'third-password', OldPassword: 'newpassword1' }), OK);
  });

  test('reset-user-password without a recovery code needs the correct OldPassword (modern)', async () => {
    await add('resetuser2', 'password123');
    const before = await andHash('resetuser2');
    assertError(await h.json('reset-user-password', { TargetUser: 'resetuser2', NewPassword: 'newpassword1' }), 400);
    assertError(await h.json('reset-user-password', { TargetUser: 'resetuser2', NewPassword: 'newpassword1', OldPassword: 'wrongpass1' }), 400);
    assert.equal((await andHash('resetuser2')).ProfileHash, before.ProfileHash, 'failed resets write nothing');
    assert.deepEqual(await h.json('reset-user-password', { TargetUser: 'resetuser2', NewPassword: 'newpassword1', OldPassword: 'password123' }), OK);
    const after = await andHash('resetuser2');
    assert.equal('PasswordRecovery' in after.Profile, false, 'no recovery code appears out of nowhere');
  });

  test('reset-user-password validates the new password and the user', async () => {
    await add('resetuser3', 'password123', { StoreRecoveryCode: '1' });
    const before = await andHash('resetuser3');
    assertError(await h.json('reset-user-password', { TargetUser: 'resetuser3', NewPassword: 'short' }), 400);
    assertError(await h.json('reset-user-password', { TargetUser: 'resetuser3', NewPassword: 'two\nlines!' }), 400);
    assertError(await h.json('reset-user-password', { TargetUser: 'resetuser3' }), 400);
    assertError(await h.json('reset-user-password', { TargetUser: 'ghost-user', NewPassword: 'password123' }), 400);
    assert.equal((await andHash('resetuser3')).ProfileHash, before.ProfileHash);
  });

  test('disable-user-totp turns TOTP login off and clears the secret', async () => {
    await add('totpuser');
    const p = await profile('totpuser');
    await h.json('set-user-profile', {
      TargetUser: 'totpuser',
      ProfileData: { ...p, AllowPasswordLogin: false, AllowPasswordAndTOTPLogin: true, TOTPKeyEncryptionFormat: 1, TOTPKey: 'ENCRYPTEDSECRET' },
    });
    assert.deepEqual(await h.json('disable-user-totp', { TargetUser: 'totpuser' }), OK);
    const after = await profile('totpuser');
    assert.equal(after.AllowPasswordAndTOTPLogin, false);
    assert.equal(after.TOTPKey, '');
    assert.equal(after.TOTPKeyEncryptionFormat, 0);
    assert.equal(after.AllowPasswordLogin, true);
    assertError(await h.json('disable-user-totp', { TargetUser: 'ghost-user' }), 400);
  });

  test('add-user-from-profile creates a user from a whole profile and hashes a plaintext password', async () => {
    const sent = {
      AccountName: 'From Profile',
      PasswordFormat: 0,
      PasswordHash: 'plain-password-1',
      Destinations: { v1: { Description: 'Vault', DestinationType: 1003, StorageLimitEnabled: true, StorageLimitBytes: 1024 } },
      Unmodelled: 'kept',
    };
    assert.deepEqual(await h.json('add-user-from-profile', { TargetUser: 'fromprofile', ProfileData: sent }), OK);
    const p = await profile('fromprofile');
    assert.equal(p.Username, 'fromprofile');
    assert.equal(p.AccountName, 'From Profile');
    assert.equal(p.CreateTime, NOW);
    assert.match(p.CreationGUID, GUID_RE);
    assert.notEqual(p.PasswordHash, 'plain-password-1');
    assert.notEqual(p.PasswordFormat, 0);
    assert.equal(p.Destinations.v1.StorageLimitBytes, 1024);
    assert.equal(p.Unmodelled, 'kept');
    assertError(await h.json('add-user-from-profile', { TargetUser: 'fromprofile', ProfileData: sent }), 400, 'User already exists');
    assertError(await h.json('add-user-from-profile', { TargetUser: 'fp-shortpw', ProfileData: { PasswordHash: 'short' } }), 400);
    assertError(await h.json('add-user-from-profile', { TargetUser: 'fp-nodata' }), 400);
    assertError(await h.json('add-user-from-profile', { TargetUser: 'bad name', ProfileData: sent }), 400);
    assertError(await h.json('add-user-from-profile', { TargetUser: 'fp-badpolicy', ProfileData: { ...sent, PolicyID: 'nope' } }), 400);
    const users = await h.json('list-users');
    assert.ok(!users.includes('fp-shortpw') && !users.includes('fp-badpolicy'));
  });

  test('revoke-device removes a device and its live connection', async () => {
    await add('deviceuser');
    h.emu.state.liveConnections.set('conn-dev-1', { Username: 'deviceuser', DeviceID: 'dev-1' });
    const p = await profile('deviceuser');
    await h.json('set-user-profile', { TargetUser: 'deviceuser', ProfileData: { ...p, Devices: { 'dev-1': { FriendlyName: 'PC' }, 'dev-2': { FriendlyName: 'Mac' } } } });
    assert.deepEqual(await h.json('revoke-device', { TargetUser: 'deviceuser', TargetDevice: 'dev-1' }), OK);
    assert.deepEqual(Object.keys((await profile('deviceuser')).Devices), ['dev-2']);
    assert.deepEqual(await h.json('dispatcher/list-active', { UserNameFilter: 'deviceuser' }), {});
    assertError(await h.json('revoke-device', { TargetUser: 'deviceuser', TargetDevice: 'dev-1' }), 400);
  });

  test('delete-user removes the user and its jobs; unknown users and bad UninstallConfig are Status 400', async () => {
    await add('deluser');
    h.emu.state.jobs.push({ GUID: 'del-job-1', Username: 'deluser', StartTime: 1, EndTime: 2 });
    assertError(await h.json('delete-user', { TargetUser: 'deluser', UninstallConfig: '{not json' }), 400);
    assert.equal((await profile('deluser')).Username, 'deluser', 'a refused delete leaves the user');
    assert.deepEqual(await h.json('delete-user', { TargetUser: 'deluser', UninstallConfig: { UninstallFlag: true, RemoveConfigFile: false } }), OK);
    assertError(await profile('deluser'), 400);
    assert.ok(!(await h.json('list-users')).includes('deluser'));
    assert.equal(h.emu.state.jobs.some((j) => j.Username === 'deluser'), false);
    assertError(await h.json('delete-user', { TargetUser: 'deluser' }), 400);
  });

  test('list-users is sorted; list-users-full maps every username to its profile', async () => {
    const users = await h.json('list-users');
    assert.deepEqual(users, [...users].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const full = await h.json('list-users-full');
    assert.deepEqual(Object.keys(full), users);
    for (const u of users) assert.equal(full[u].Username, u);
    assert.deepEqual(full.newuser1, await profile('newuser1'));
  });
});
