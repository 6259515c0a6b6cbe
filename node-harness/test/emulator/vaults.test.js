// Tests request-storage-vault-providers and request-storage-vault: default and seeded providers, the vault shape, and error cases.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, assertError, fixedClock } = require('../../emulator/test-support');

const LOCAL = '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701';
const REMOTE = '5f3a8c2e9d7b4e10a1c2d3e4f5a6b702';

test.describe('storage vaults with the default providers', () => {
  const h = useEmulator({ clock: fixedClock(1760000000) });

  test('request-storage-vault-providers is a map of provider ID to name', async () => {
    assert.deepEqual(await h.json('request-storage-vault-providers'), {
      [LOCAL]: 'Comet Storage (Local)',
      [REMOTE]: 'Comet Storage (Remote)',
    });
  });

  test('request-storage-vault adds a Comet (1003) vault with quota off, pointing at this server', async () => {
    await h.json('add-user', { TargetUser: 'vaultuser', TargetPassword: 'password123' });
    const r = await h.json('request-storage-vault', { TargetUser: 'vaultuser', StorageProvider: REMOTE });
    const d = r.Profile.Destinations[r.DestinationID];
    assert.equal(d.Description, 'Comet Storage (Remote)');
    assert.equal(d.DestinationType, 1003);
    assert.equal(d.CometServer, `${h.url}/`);
    assert.equal(typeof d.CometBucket, 'string');
    assert.ok(d.CometBucket.length > 0);
    assert.equal(typeof d.CometBucketKey, 'string');
    assert.equal(d.StorageLimitEnabled, false);
    assert.equal(d.StorageLimitBytes, 0);
    assert.equal(d.CreateTime, 1760000000);
    const p = await h.json('get-user-profile', { TargetUser: 'vaultuser' });
    assert.deepEqual(p.Destinations[r.DestinationID], d);
  });

  test('SelfAddress becomes the vault CometServer; a second request adds a second vault', async () => {
    const r = await h.json('request-storage-vault', { TargetUser: 'vaultuser', StorageProvider: LOCAL, SelfAddress: 'https://comet.example.test/' });
    assert.equal(r.Profile.Destinations[r.DestinationID].CometServer, 'https://comet.example.test/');
    assert.equal(Object.keys(r.Profile.Destinations).length, 2);
  });

  test('unknown provider, unknown user and missing params are Status 400 and add nothing', async () => {
    const before = await h.json('get-user-profile-and-hash', { TargetUser: 'vaultuser' });
    assertError(await h.json('request-storage-vault', { TargetUser: 'vaultuser', StorageProvider: 'nope' }), 400);
    assertError(await h.json('request-storage-vault', { TargetUser: 'vaultuser' }), 400);
    assertError(await h.json('request-storage-vault', { TargetUser: 'ghost-user', StorageProvider: LOCAL }), 400);
    const after = await h.json('get-user-profile-and-hash', { TargetUser: 'vaultuser' });
    assert.equal(after.ProfileHash, before.ProfileHash);
  });
});

test.describe('storage vaults with seeded providers', () => {
  const h = useEmulator({
    seed: {
      providers: {
        'tpl-eu': { Description: 'EU Storage', DestinationType: 1003, CometServer: 'https://eu.example.test/', StorageLimitEnabled: true, StorageLimitBytes: 1024 },
        'tpl-plain': 'Plain Name',
      },
    },
  });

  test('seeded providers replace the defaults', async () => {
    assert.deepEqual(await h.json('request-storage-vault-providers'), { 'tpl-eu': 'EU Storage', 'tpl-plain': 'Plain Name' });
  });

  test('the provider template fills the vault', async () => {
    await h.json('add-user', { TargetUser: 'euuser', TargetPassword: 'password123' });
    const r = await h.json('request-storage-vault', { TargetUser: 'euuser', StorageProvider: 'tpl-eu', SelfAddress: 'http://ignored.example.test/' });
    const d = r.Profile.Destinations[r.DestinationID];
    assert.equal(d.CometServer, 'https://eu.example.test/');
    assert.equal(d.StorageLimitEnabled, true);
    assert.equal(d.StorageLimitBytes, 1024);
    assertError(await h.json('request-storage-vault', { TargetUser: 'euuser', StorageProvider: LOCAL }), 400);
  });
});
