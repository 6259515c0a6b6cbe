'use strict';
// The whole service lifecycle against the emulator, in both server modes, with round trips counted
// from the emulator's journal.
const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, serviceParams, GiB } = require('./helpers');

for (const mode of ['modern', '18.9']) {
  test(`lifecycle against a ${mode} server`, async (t) => {
    const h = await setup(mode);
    t.after(() => h.emu.close());
    const params = serviceParams();

    await t.test('TestConnection reports the version', async () => {
      const r = await h.run('TestConnection', {});
      assert.equal(r.result, 'success');
      assert.equal(r.output.version, mode === 'modern' ? '25.9.8' : '18.9.2');
    });

    await t.test('the policy loader offers a stable new policy ID', async () => {
      const a = await h.run('LoadPolicies', { pid: 3, installId: 'inst1' });
      const b = await h.run('LoadPolicies', { pid: 3, installId: 'inst1' });
      assert.deepEqual(a.output, b.output);
      assert.deepEqual(a.output.options.at(-1), { value: 'WHMCS_inst1_P3', label: '[Create New Policy Group] (WHMCS_inst1_P3)' });
      assert.deepEqual(a.output.options[0], { value: '', label: 'None' });
    });

    await t.test('CreateAccount creates the user, policy, vault and quotas', async () => {
      h.emu.clearJournal();
      const r = await h.run('CreateAccount', params);
      assert.equal(r.result, 'success', r.result);
      assert.equal(params.username, 'john_backup@example.com');
      assert.ok(params.marker, 'a marker is recorded');
      assert.equal(params.claim, undefined);
      assert.equal(params.createAttempted, false, 'the marker clears the create attempt');
      const journal = h.emu.journal().map((j) => j.endpoint);
      const expected = ['policies/get', 'policies/list', 'policies/set', 'add-user', 'request-storage-vault'];
      if (mode === '18.9') expected.push('get-user-profile-and-hash');
      expected.push('set-user-profile-hash');
      assert.deepEqual(journal, expected);
      const p = h.user('john_backup@example.com');
      assert.equal(p.CreationGUID, params.marker);
      assert.equal(p.MaximumDevices, 2);
      assert.equal(p.AllProtectedItemsQuotaEnabled, true);
      assert.equal(p.AllProtectedItemsQuotaBytes, 10 * GiB);
      assert.equal(p.PolicyID, 'WHMCS_P3');
      assert.equal(p.Policy.PreventEditStorageVault, true);
      const vaults = h.remoteVaults(p);
      assert.equal(vaults.length, 1);
      assert.equal(vaults[0].StorageLimitEnabled, true);
      assert.equal(vaults[0].StorageLimitBytes, 50 * GiB);
      const policy = h.emu.state.policies.get('WHMCS_P3');
      assert.equal(policy.policy.Description, 'Backup Pro (WHMCS)');
    });

    await t.test('a second service needs fewer round trips once the policy exists', async () => {
      const other = serviceParams({ serviceid: 102, clientsdetails: { email: 'ann@example.com' } });
      h.emu.clearJournal();
      const r = await h.run('CreateAccount', other);
      assert.equal(r.result, 'success', r.result);
      assert.equal(h.emu.journal().length, mode === 'modern' ? 4 : 5);
    });

    await t.test('CreateAccount again converges without a second user or vault', async () => {
      const before = h.emu.state.users.size;
      h.emu.clearJournal();
      const r = await h.run('CreateAccount', params);
      assert.equal(r.result, 'success', r.result);
      assert.equal(h.emu.state.users.size, before);
      assert.equal(h.remoteVaults(h.user(params.username)).length, 1);
      assert.ok(!h.emu.journal().some((j) => j.endpoint === 'add-user' || j.endpoint === 'request-storage-vault'));
    });

    await t.test('SuspendAccount and UnsuspendAccount, each idempotent', async () => {
      let r = await h.run('SuspendAccount', params);
      assert.equal(r.result, 'success');
      assert.equal(h.user(params.username).IsSuspended, true);
      h.emu.clearJournal();
      r = await h.run('SuspendAccount', params);
      assert.equal(r.result, 'success');
      assert.deepEqual(h.emu.journal().map((j) => j.endpoint), ['get-user-profile-and-hash']);
      r = await h.run('UnsuspendAccount', params);
      assert.equal(r.result, 'success');
      assert.equal(h.user(params.username).IsSuspended, false);
    });

    await t.test('ChangePackage re-applies quotas; a product without a vault option leaves vault limits, 0 lifts them', async () => {
      params.configoptions = { number_of_devices: '5', protected_item_quota_tb: '1' };
      let r = await h.run('ChangePackage', params);
      assert.equal(r.result, 'success', r.result);
      let p = h.user(params.username);
      assert.equal(p.MaximumDevices, 5);
      assert.equal(p.AllProtectedItemsQuotaBytes, 1024 * GiB);
      assert.equal(h.remoteVaults(p)[0].StorageLimitEnabled, true);
      assert.equal(h.remoteVaults(p)[0].StorageLimitBytes, 50 * GiB);
      params.configoptions = { number_of_devices: '5', protected_item_quota_tb: '1', storage_vault_quota_gb: '0' };
      r = await h.run('ChangePackage', params);
      assert.equal(r.result, 'success', r.result);
      p = h.user(params.username);
      assert.equal(h.remoteVaults(p)[0].StorageLimitEnabled, false);
    });

    await t.test('ChangePackage creates a policy that went missing', async () => {
      params.configoption1 = 'WHMCS_P4';
      const r = await h.run('ChangePackage', params);
      assert.equal(r.result, 'success', r.result);
      assert.ok(h.emu.state.policies.has('WHMCS_P4'));
      assert.equal(h.user(params.username).PolicyID, 'WHMCS_P4');
    });

    await t.test('ChangePackage refuses to invent an admin policy that does not exist', async () => {
      const r = await h.run('ChangePackage', { ...params, configoption1: 'admin-made-policy' });
      assert.equal(r.code, 'policy.missing');
      assert.ok(!h.emu.state.policies.has('admin-made-policy'));
    });

    await t.test('ChangePassword validates locally, then resets', async () => {
      h.emu.clearJournal();
      let r = await h.run('ChangePassword', { ...params, password: 'short' });
      assert.equal(r.code, 'password.too_short');
      assert.equal(h.emu.journal().length, 0);
      r = await h.run('ChangePassword', { ...params, password: 'N3w-Passw0rd!' });
      assert.equal(r.result, 'success', r.result);
      assert.ok(h.emu.journal().some((j) => j.endpoint === 'reset-user-password'));
    });

    await t.test('UsageUpdate reads every account in one request', async () => {
      const rec = h.emu.state.getUser(params.username);
      Object.values(rec.profile.Destinations)[0].Statistics = { ClientProvidedSize: { Size: 3 * 1024 * 1024 * 1024 + 5 } };
      h.emu.state.touchUser(params.username);
      h.emu.clearJournal();
      const services = [{ serviceid: 101, username: params.username }, { serviceid: 102, username: 'ann@example.com' }, { serviceid: 999, username: 'gone-user' }];
      const r = await h.run('UsageUpdate', { services });
      assert.equal(r.result, 'success');
      assert.equal(h.emu.journal().length, 1);
      const row = r.usage.find((u) => u.serviceid === '101');
      assert.equal(row.diskusage, 3072);
      assert.equal(row.disklimit, 0);
      assert.deepEqual(r.output.unmatched, ['999']);
    });

    await t.test('ListAccounts maps users to WHMCS accounts', async () => {
      const r = await h.run('ListAccounts', {});
      const acc = r.output.accounts.find((a) => a.username === params.username);
      assert.equal(acc.status, 'Active');
      assert.match(acc.created, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    });

    await t.test('SignIn returns a session key after checking the account', async () => {
      const customer = { ...params, status: 'Active', role: 'customer' };
      if (mode === '18.9') {
        // session-start-as-user arrived in Comet 19.6: the core refuses before any request (the
        // version is known from TestConnection) ...
        h.emu.clearJournal();
        const known = await h.run('SignIn', customer);
        assert.equal(known.code, 'sso.unsupported_version');
        assert.equal(known.steps.length, 0);
        // ... and with no version known it asks meta/version, and nothing else.
        const asked = await h.run('SignIn', { ...customer, serverVersion: '' });
        assert.equal(asked.code, 'sso.unsupported_version');
        assert.deepEqual(asked.steps.map((s) => s.endpoint), ['meta/version']);
      } else {
        const s = await h.run('SignIn', customer);
        assert.equal(s.result, 'success', s.result);
        assert.equal(s.output.type, 'user');
        assert.equal(s.output.username, params.username);
        assert.ok(s.output.sessionKey.length > 8);
        assert.deepEqual(s.steps.map((x) => x.endpoint), ['get-user-profile-and-hash', 'account/session-start-as-user']);
        const suspended = await h.run('SignIn', { ...customer, status: 'Suspended' });
        assert.equal(suspended.code, 'service.not_active');
        assert.equal(suspended.steps.length, 0);
        const admin = await h.run('SignIn', { ...params, status: 'Suspended', role: 'admin' });
        assert.equal(admin.result, 'success', admin.result);
      }
      const a = await h.run('AdminSingleSignOn', {});
      assert.equal(a.output.type, 'admin');
    });

    await t.test('TerminateAccount deletes, and a second terminate is a success with a note', async () => {
      let r = await h.run('TerminateAccount', params);
      assert.equal(r.result, 'success', r.result);
      assert.equal(h.user('john_backup@example.com'), undefined);
      assert.equal(params.marker, undefined);
      assert.equal(params.createAttempted, false, 'Terminate leaves no create attempt behind');
      params.marker = 'stale'; // WHMCS kept nothing; prove the gone path works with a marker too
      r = await h.run('TerminateAccount', params);
      assert.equal(r.result, 'success');
      assert.match(r.output.note, /already gone/);
    });

    await t.test('the admin password and the service password never reach the core or the journal', async () => {
      const text = JSON.stringify(h.emu.journal());
      assert.ok(!text.includes('adm1n-secret'));
      assert.ok(!text.includes('Gener4tedPassw0rd'));
    });
  });
}
