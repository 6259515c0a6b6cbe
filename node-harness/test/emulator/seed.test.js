// Tests seeding: the shipped seed-example.json in both modes, usage statistics as list-users-full reports them, and rejection of bad seeds.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { useEmulator, assertError } = require('../../emulator/test-support');
const { startEmulator } = require('../../emulator');

const EXAMPLE = path.join(__dirname, '..', '..', 'emulator', 'seed-example.json');

for (const mode of ['modern', '18.9']) {
  test.describe(`seed-example.json in ${mode} mode`, () => {
    const h = useEmulator({ mode, seed: EXAMPLE });

    test('users, vault statistics, sources and devices are visible through list-users-full', async () => {
      const full = await h.json('list-users-full');
      assert.deepEqual(Object.keys(full), ['alice01', 'bob.smith@example.test']);
      const alice = full.alice01;
      assert.equal(alice.CreateTime, 1700000000);
      assert.equal(alice.CreationGUID, '0b6f6a8e-1f3c-4d7e-9a2b-3c4d5e6f7a81');
      const sizes = Object.values(alice.Destinations).map((d) => d.Statistics.ClientProvidedSize.Size);
      assert.deepEqual(sizes, [53687091200, 1073741824]);
      const src = Object.values(alice.Sources)[0];
      assert.equal(src.Statistics.LastBackupJob.TotalSize, 21474836480);
      assert.equal(alice.Devices['device-alice-laptop'].FriendlyName, 'ALICE-LAPTOP');
      assert.ok(alice.PasswordRecovery.length > 0);
      assert.equal('PasswordRecovery' in full['bob.smith@example.test'], false);
      assert.equal(full['bob.smith@example.test'].IsSuspended, true);
    });

    test('the seeded policy is enforced into the linked profile', async () => {
      const alice = await h.json('get-user-profile', { TargetUser: 'alice01' });
      assert.equal(alice.PolicyID, 'WHMCS_65f1c0a2b3d4e.12345678');
      assert.equal(alice.Policy.PreventChangeAccountPassword, true);
      assert.deepEqual(alice.Policy.StorageVaultProviders.AllowedProvidersWhenRestricted, [1003]);
    });

    test('providers, jobs and live connections come from the seed', async () => {
      assert.deepEqual(await h.json('request-storage-vault-providers'), {
        '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701': 'Comet Storage (Local)',
        '8d0c4b7e2a1f4c3d9e8f7a6b5c4d3e02': 'Comet Storage (EU)',
      });
      assert.equal((await h.json('get-jobs-for-user', { TargetUser: 'alice01' })).length, 3);
      const active = await h.json('dispatcher/list-active');
      assert.deepEqual(Object.keys(active), ['live-0001']);
      assert.equal(active['live-0001'].IPAddress, '192.0.2.10');
    });

    test('seeded passwords are real: OldPassword verification works (modern) or recovery-based reset works', async () => {
      if (mode === 'modern') {
        assertError(await h.json('reset-user-password', { TargetUser: 'bob.smith@example.test', NewPassword: 'newpassword1' }), 400);
        const ok = await h.json('reset-user-password', { TargetUser: 'bob.smith@example.test', NewPassword: 'newpassword1', OldPassword: 'bob-password-12' });
        assert.equal(ok.Status, 200);
      } else {
        assert.equal((await h.json('reset-user-password', { TargetUser: 'alice01', NewPassword: 'newpassword1' })).Status, 200);
      }
    });
  });
}

test('seeded LastSuspended is kept in modern mode', async () => {
  const emu = await startEmulator({ port: 0, seed: EXAMPLE });
  try {
    assert.equal(emu.state.getUser('bob.smith@example.test').profile.LastSuspended, 1701000000);
  } finally {
    await emu.close();
  }
});

test('invalid seeds are rejected with a message naming the problem', async () => {
  const bad = [
    [{ users: { 'bad name': {} } }, /user bad name/],
    [{ users: { short: {} } }, /at least 6/, '18.9'],
    [{ users: { gooduser: { password: 'short' } } }, /password/],
    [{ users: { gooduser: { profile: { MaximumDevices: 'x' } } } }, /MaximumDevices/],
    [{ users: { gooduser: { profile: { PolicyID: 'missing' } } } }, /PolicyID/],
    [{ users: { gooduser: {} }, jobs: [{ GUID: 'x' }] }, /Username/],
    [{ providers: { p: { DestinationType: 1003 } } }, /Description/],
    [{ liveConnections: 5 }, /liveConnections/],
    [[], /object/],
    ['/no/such/seed.json', /cannot read seed file/],
  ];
  for (const [seed, re, mode = 'modern'] of bad) {
    let emu;
    await assert.rejects(
      startEmulator({ port: 0, seed, mode }).then((e) => {
        emu = e; // close a wrongly started server so the test process can still exit
      }),
      re,
      JSON.stringify(seed),
    ).finally(() => emu && emu.close());
  }
});

test.describe('seeding at run time through the control route', () => {
  const h = useEmulator({ control: true });

  test('POST /__emulator/seed adds users with statistics', async () => {
    const r = await h.control('seed', {
      users: { lateuser: { profile: { Destinations: { v: { Description: 'V', DestinationType: 1003, Statistics: { ClientProvidedSize: { Size: 42 } } } } } } },
    });
    assert.equal(r.status, 200);
    const p = await h.json('get-user-profile', { TargetUser: 'lateuser' });
    assert.equal(p.Destinations.v.Statistics.ClientProvidedSize.Size, 42);
    const bad = await h.control('seed', { users: { 'bad name': {} } });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /bad name/);
  });
});
