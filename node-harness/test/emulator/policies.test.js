// Tests policies/list, list-full, get, set (CheckPolicyHash, re-apply to users), new, delete, and the default user policy.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, assertError, OK } = require('../../emulator/test-support');

// The GroupPolicy the official WHMCS module sends (spec 4.3).
const WHMCS_POLICY = {
  Description: 'WHMCS_65f1c0a2b3d4e.12345678',
  Policy: {
    PreventChangeAccountPassword: true,
    ModeAdminResetPassword: 3,
    PreventDeleteStorageVault: true,
    PreventAddCustomStorageVault: true,
    PreventRequestStorageVault: true,
    StorageVaultProviders: { AllowedProvidersWhenRestricted: [1003], ShouldRestrictProviderList: true },
    ProtectedItemEngineTypes: { AllowedEngineTypeWhenRestricted: [], ShouldRestrictEngineTypeList: false },
  },
};
const WHMCS_ID = 'WHMCS_65f1c0a2b3d4e.12345678';

test.describe('policies', () => {
  const h = useEmulator();

  test('an empty server lists {} and policies/get of a missing ID has no PolicyHash', async () => {
    assert.equal((await h.call('policies/list')).text, '{}');
    assert.equal((await h.call('policies/list-full')).text, '{}');
    const r = await h.json('policies/get', { PolicyID: WHMCS_ID });
    assertError(r, 400);
    assert.equal('PolicyHash' in r, false);
    assertError(await h.json('policies/get', {}), 400);
  });

  test('policies/set creates a policy by ID from a partial object, as the WHMCS module does', async () => {
    assert.deepEqual(await h.json('policies/set', { PolicyID: WHMCS_ID, Policy: WHMCS_POLICY }), OK);
    assert.deepEqual(await h.json('policies/list'), { [WHMCS_ID]: WHMCS_ID });
    const g = await h.json('policies/get', { PolicyID: WHMCS_ID });
    assert.equal(g.Status, 200);
    assert.equal(typeof g.PolicyHash, 'string');
    assert.ok(g.PolicyHash.length > 0);
    const up = g.Policy.Policy;
    assert.equal(up.PreventChangeAccountPassword, true);
    assert.equal(up.ModeAdminResetPassword, 3);
    assert.deepEqual(up.StorageVaultProviders, { ShouldRestrictProviderList: true, AllowedProvidersWhenRestricted: [1003] });
    assert.equal(up.PreventEditStorageVault, false, 'omitted fields default to zero');
    const full = await h.json('policies/list-full');
    assert.deepEqual(Object.keys(full), [WHMCS_ID]);
    assert.deepEqual(full[WHMCS_ID], g.Policy);
  });

  test('policies/set validates its params and JSON', async () => {
    assertError(await h.json('policies/set', { Policy: WHMCS_POLICY }), 400);
    assertError(await h.json('policies/set', { PolicyID: 'X' }), 400);
    assertError(await h.json('policies/set', { PolicyID: 'X', Policy: '{"Description":' }), 400);
    assertError(await h.json('policies/set', { PolicyID: 'X', Policy: '[]' }), 400);
    assertError(await h.json('policies/set', { PolicyID: 'X', Policy: { Policy: { PreventOpenWebUI: 'yes' } } }), 400);
    assertError(await h.json('policies/get', { PolicyID: 'X' }), 400);
  });

  test('CheckPolicyHash: the current hash updates, a stale one is refused and writes nothing', async () => {
    const g1 = await h.json('policies/get', { PolicyID: WHMCS_ID });
    const edited = { ...g1.Policy, Description: 'edited once' };
    assert.deepEqual(await h.json('policies/set', { PolicyID: WHMCS_ID, Policy: edited, CheckPolicyHash: g1.PolicyHash }), OK);
    const g2 = await h.json('policies/get', { PolicyID: WHMCS_ID });
    assert.notEqual(g2.PolicyHash, g1.PolicyHash);
    assert.equal(g2.Policy.Description, 'edited once');
    const stale = await h.json('policies/set', { PolicyID: WHMCS_ID, Policy: { ...g1.Policy, Description: 'lost' }, CheckPolicyHash: g1.PolicyHash });
    assertError(stale, 409);
    const g3 = await h.json('policies/get', { PolicyID: WHMCS_ID });
    assert.equal(g3.PolicyHash, g2.PolicyHash);
    assert.equal(g3.Policy.Description, 'edited once');
    assertError(await h.json('policies/set', { PolicyID: 'NEW_ID', Policy: WHMCS_POLICY, CheckPolicyHash: 'anything' }), 409);
    assertError(await h.json('policies/get', { PolicyID: 'NEW_ID' }), 400);
  });

  test('policies/set re-applies the policy to every user linked to it', async () => {
    await h.json('add-user', { TargetUser: 'linked1', TargetPassword: 'password123' });
    await h.json('add-user', { TargetUser: 'unlinked1', TargetPassword: 'password123' });
    const p = await h.json('get-user-profile', { TargetUser: 'linked1' });
    await h.json('set-user-profile', { TargetUser: 'linked1', ProfileData: { ...p, PolicyID: WHMCS_ID } });
    const before = await h.json('get-user-profile-and-hash', { TargetUser: 'linked1' });
    const other = await h.json('get-user-profile-and-hash', { TargetUser: 'unlinked1' });
    assert.equal(before.Profile.Policy.PreventOpenWebUI, false);

    const g = await h.json('policies/get', { PolicyID: WHMCS_ID });
    await h.json('policies/set', { PolicyID: WHMCS_ID, Policy: { ...g.Policy, Policy: { ...g.Policy.Policy, PreventOpenWebUI: true } } });
    const after = await h.json('get-user-profile-and-hash', { TargetUser: 'linked1' });
    assert.equal(after.Profile.Policy.PreventOpenWebUI, true);
    assert.equal(after.Profile.Policy.PreventChangeAccountPassword, true);
    assert.notEqual(after.ProfileHash, before.ProfileHash, 'a re-applied policy is a profile write');
    const otherAfter = await h.json('get-user-profile-and-hash', { TargetUser: 'unlinked1' });
    assert.equal(otherAfter.ProfileHash, other.ProfileHash);
    assert.equal(otherAfter.Profile.Policy.PreventOpenWebUI, false);
  });

  test('policies/new generates an ID and returns PolicyHash (and PolicyID)', async () => {
    const r = await h.json('policies/new', { Policy: { Description: 'Created by new', Policy: { HideAppVersion: true } } });
    assert.equal(r.Status, 200);
    assert.match(r.PolicyID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const g = await h.json('policies/get', { PolicyID: r.PolicyID });
    assert.equal(g.PolicyHash, r.PolicyHash);
    assert.equal(g.Policy.Description, 'Created by new');
    assert.equal(g.Policy.Policy.HideAppVersion, true);
    assertError(await h.json('policies/new', {}), 400);
  });

  test('policies/delete removes the policy and unlinks its users (they keep the effective Policy)', async () => {
    await h.json('policies/set', { PolicyID: 'TO_DELETE', Policy: { Description: 'temp', Policy: { HideAppImport: true } } });
    await h.json('add-user', { TargetUser: 'linked2', TargetPassword: 'password123' });
    const p = await h.json('get-user-profile', { TargetUser: 'linked2' });
    await h.json('set-user-profile', { TargetUser: 'linked2', ProfileData: { ...p, PolicyID: 'TO_DELETE' } });
    assert.deepEqual(await h.json('policies/delete', { PolicyID: 'TO_DELETE' }), OK);
    assert.equal('TO_DELETE' in (await h.json('policies/list')), false);
    assertError(await h.json('policies/get', { PolicyID: 'TO_DELETE' }), 400);
    const after = await h.json('get-user-profile', { TargetUser: 'linked2' });
    assert.equal(after.PolicyID, '');
    assert.equal(after.Policy.HideAppImport, true);
    assertError(await h.json('policies/delete', { PolicyID: 'TO_DELETE' }), 400);
    assertError(await h.json('policies/delete', {}), 400);
  });

  test('DefaultUserPolicy (modern): new users are linked to it, and only one policy stays default', async () => {
    await h.json('policies/set', { PolicyID: 'DEF_A', Policy: { Description: 'A', DefaultUserPolicy: true, Policy: { PreventOpenAppUI: true } } });
    await h.json('add-user', { TargetUser: 'defaulted1', TargetPassword: 'password123' });
    const p1 = await h.json('get-user-profile', { TargetUser: 'defaulted1' });
    assert.equal(p1.PolicyID, 'DEF_A');
    assert.equal(p1.Policy.PreventOpenAppUI, true);

    await h.json('policies/set', { PolicyID: 'DEF_B', Policy: { Description: 'B', DefaultUserPolicy: true } });
    const full = await h.json('policies/list-full');
    assert.equal(full.DEF_A.DefaultUserPolicy, false);
    assert.equal(full.DEF_B.DefaultUserPolicy, true);
    await h.json('add-user', { TargetUser: 'defaulted2', TargetPassword: 'password123' });
    assert.equal((await h.json('get-user-profile', { TargetUser: 'defaulted2' })).PolicyID, 'DEF_B');
  });
});
