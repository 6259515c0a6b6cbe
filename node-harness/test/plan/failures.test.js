'use strict';
// Every request of every action fails once (by the emulator's fault injection); the action is then
// retried, as WHMCS's module queue would, and must converge: no orphaned user, no second vault, no
// lost quota.
const test = require('node:test');
const assert = require('node:assert/strict');
const { setup, serviceParams, GiB } = require('./helpers');

// A dropped connection before and after the server acted, an HTTP 500 page, a truncated body, and a
// Comet error envelope: together they cover every transport and reply branch of the driver.
const FAULTS = [
  { kind: 'reset', phase: 'before' },
  { kind: 'reset', phase: 'after' },
  { kind: 'http502html', phase: 'before' },
  { kind: 'truncated', phase: 'after' },
  { kind: 'status500', phase: 'before' },
];

const CREATE_ENDPOINTS = {
  modern: ['policies/get', 'policies/list', 'policies/set', 'add-user', 'request-storage-vault', 'set-user-profile-hash'],
  '18.9': ['policies/get', 'policies/list', 'policies/set', 'add-user', 'request-storage-vault', 'get-user-profile-and-hash', 'set-user-profile-hash'],
};

function assertConverged(h, params) {
  assert.equal(h.emu.state.users.size, 1, 'exactly one Comet user: no orphan, no duplicate');
  const p = h.user(params.username);
  assert.ok(p, `the service's username ${params.username} exists`);
  assert.equal(p.CreationGUID, params.marker, 'the marker recorded on the service is the account\'s');
  assert.equal(params.claim, undefined, 'no claim left behind');
  assert.equal(p.MaximumDevices, 2);
  assert.equal(p.AllProtectedItemsQuotaBytes, 10 * GiB);
  assert.equal(p.PolicyID, 'WHMCS_P3');
  const vaults = h.remoteVaults(p);
  assert.equal(vaults.length, 1, 'exactly one storage vault');
  assert.equal(vaults[0].StorageLimitEnabled, true);
  assert.equal(vaults[0].StorageLimitBytes, 50 * GiB);
}

for (const mode of ['modern', '18.9']) {
  test(`CreateAccount converges after any single failure (${mode})`, async (t) => {
    for (const endpoint of CREATE_ENDPOINTS[mode]) {
      for (const fault of FAULTS) {
        await t.test(`${endpoint} ${fault.kind}/${fault.phase}`, async () => {
          const h = await setup(mode);
          try {
            const params = serviceParams();
            h.emu.injectFault({ endpoint, count: 1, ...fault });
            const first = await h.run('CreateAccount', params);
            if (endpoint === 'add-user' && fault.kind === 'status500') {
              // A refused add-user of a derived name the service never claimed is not looked into
              // (that would read someone else's account): the next derived name is tried at once.
              assert.equal(first.result, 'success', first.result);
              const adds = h.emu.journal().filter((j) => j.endpoint === 'add-user').map((j) => j.params.TargetUser);
              assert.equal(adds.length, 2);
              assert.equal(params.username, adds[1]);
              assert.ok(!h.emu.journal().some((j) => j.endpoint.startsWith('get-user-profile') && j.params.TargetUser === adds[0]),
                'the refused name is not read');
            } else {
              assert.notEqual(first.result, 'success', 'the injected fault must make the first run fail');
              assert.ok(first.code, 'a failure carries a code');
            }
            const second = await h.run('CreateAccount', params);
            assert.equal(second.result, 'success', second.result);
            assertConverged(h, params);
          } finally {
            await h.emu.close();
          }
        });
      }
    }
  });

  test(`account actions converge after any single failure (${mode})`, async (t) => {
    const cases = [
      { action: 'SuspendAccount', endpoints: ['get-user-profile-and-hash', 'set-user-profile-hash'], check: (p) => p.IsSuspended === true },
      { action: 'ChangePackage', endpoints: ['policies/get', 'get-user-profile-and-hash', 'set-user-profile-hash'], check: (p) => p.MaximumDevices === 9 },
      { action: 'ChangePassword', endpoints: ['get-user-profile', 'reset-user-password'], check: () => true },
      { action: 'TerminateAccount', endpoints: ['get-user-profile', 'delete-user'], check: (p) => p === undefined },
    ];
    for (const c of cases) {
      for (const endpoint of c.endpoints) {
        for (const fault of FAULTS) {
          await t.test(`${c.action}: ${endpoint} ${fault.kind}/${fault.phase}`, async () => {
            const h = await setup(mode);
            try {
              const params = serviceParams();
              assert.equal((await h.run('CreateAccount', params)).result, 'success');
              params.configoptions = { ...params.configoptions, number_of_devices: '9' };
              delete params.configoptions['number_of_devices|Devices'];
              if (c.action === 'ChangePassword') params.password = 'An0ther-Passw0rd';
              h.emu.injectFault({ endpoint, count: 1, ...fault });
              const first = await h.run(c.action, params);
              assert.notEqual(first.result, 'success');
              const second = await h.run(c.action, params);
              assert.equal(second.result, 'success', second.result);
              assert.ok(c.check(h.user(params.username)), 'the action took effect');
              assert.ok(h.emu.state.users.size <= 1);
            } finally {
              await h.emu.close();
            }
          });
        }
      }
    }
  });
}

test('UsageUpdate fails cleanly and succeeds on retry', async () => {
  const h = await setup('modern');
  try {
    for (const fault of FAULTS) {
      h.emu.injectFault({ endpoint: 'list-users-full', count: 1, ...fault });
      const first = await h.run('UsageUpdate', { services: [] });
      assert.notEqual(first.result, 'success');
      assert.equal(first.usage, null, 'no usage rows are written from a failed read');
      assert.equal((await h.run('UsageUpdate', { services: [] })).result, 'success');
    }
  } finally {
    await h.emu.close();
  }
});

test('a concurrent profile write is retried within one run', async () => {
  const h = await setup('modern');
  try {
    const params = serviceParams();
    await h.run('CreateAccount', params);
    h.emu.injectFault({ endpoint: 'set-user-profile-hash', kind: 'hashconflict', count: 2 });
    h.emu.clearJournal();
    const r = await h.run('SuspendAccount', params);
    assert.equal(r.result, 'success', r.result);
    assert.equal(h.user(params.username).IsSuspended, true);
    const sets = h.emu.journal().filter((j) => j.endpoint === 'set-user-profile-hash');
    assert.equal(sets.length, 3, 'two refused writes, then the one that lands');
  } finally {
    await h.emu.close();
  }
});

test('endless conflicts give up after a bounded number of attempts', async () => {
  const h = await setup('modern');
  try {
    const params = serviceParams();
    await h.run('CreateAccount', params);
    h.emu.injectFault({ endpoint: 'set-user-profile-hash', kind: 'hashconflict', count: -1 });
    const r = await h.run('SuspendAccount', params);
    assert.equal(r.code, 'comet.profile_write_refused');
    assert.ok(r.steps.length <= 10);
  } finally {
    await h.emu.close();
  }
});

test('a taken custom username is an error and the other account is neither read nor touched', async () => {
  const h = await setup('modern');
  try {
    const owner = serviceParams({ serviceid: 1, customfields: { Username: 'alice.b' }, configoptions: {} });
    assert.equal((await h.run('CreateAccount', owner)).result, 'success');
    const before = JSON.stringify(h.user('alice.b'));
    const seen = h.emu.journal().length;
    const intruder = serviceParams({ serviceid: 2, customfields: { Username: 'alice.b' } });
    const r = await h.run('CreateAccount', intruder);
    // Without a claim on the name the plan may not read the other account, so Comet's refusal is
    // reported as a refusal (the name may be in use), not as a proven "taken".
    assert.equal(r.code, 'account.create_refused');
    assert.match(r.result, /may already be in use/);
    const naming = h.emu.journal().slice(seen).filter((j) => JSON.stringify(j.params ?? {}).includes('alice.b'));
    assert.deepEqual(naming.map((j) => j.endpoint), ['add-user']);
    assert.equal(JSON.stringify(h.user('alice.b')), before, 'the existing account was not modified');
    assert.equal(h.emu.state.users.size, 1);
    assert.notEqual(intruder.username, 'alice.b');
    // The refused Create is remembered (effect createAttempted), so the routine actions that would
    // otherwise adopt the account under the service's name stop before any request.
    assert.equal(intruder.createAttempted, true);
    assert.equal(intruder.marker, undefined);
    const later = h.emu.journal().length;
    const extra = { SignIn: { status: 'Active', role: 'customer' }, ServiceOverview: { status: 'Active' } };
    for (const action of ['SuspendAccount', 'UnsuspendAccount', 'ChangePackage', 'ChangePassword', 'TerminateAccount', 'ServiceOverview', 'SignIn']) {
      const a = await h.run(action, { ...intruder, password: 'Valid-Passw0rd', ...(extra[action] || {}) });
      assert.equal(a.code, 'account.no_username', action);
      assert.deepEqual(a.detail, { createAttempted: true }, action);
      assert.match(a.result, /Create did not finish/, action);
      assert.equal(a.steps.length, 0, action);
    }
    assert.equal(h.emu.journal().length, later, 'nothing was sent');
    assert.equal(JSON.stringify(h.user('alice.b')), before, 'the other customer\'s account is untouched');
    assert.equal(intruder.marker, undefined, 'nothing was adopted');
  } finally {
    await h.emu.close();
  }
});

test('a derived username that is taken moves to the next candidate', async () => {
  const h = await setup('modern');
  try {
    const first = serviceParams({ serviceid: 1 });
    const second = serviceParams({ serviceid: 2 }); // same client email
    assert.equal((await h.run('CreateAccount', first)).result, 'success');
    assert.equal((await h.run('CreateAccount', second)).result, 'success');
    assert.equal(second.username, 'john_backup@example.com_2');
    assert.equal(h.emu.state.users.size, 2);
  } finally {
    await h.emu.close();
  }
});

test('a claim never adopts an account that existed before the attempt', async () => {
  const h = await setup('modern');
  try {
    const victim = serviceParams({ serviceid: 1, customfields: { Username: 'victim1' }, configoptions: {} });
    assert.equal((await h.run('CreateAccount', victim)).result, 'success');
    h.emu.state.getUser('victim1').profile.CreateTime -= 3600; // created an hour ago
    h.emu.state.touchUser('victim1');
    const before = JSON.stringify(h.user('victim1'));
    const p = serviceParams({ serviceid: 2, customfields: { Username: 'victim1' }, claim: { username: 'victim1', at: Math.floor(Date.now() / 1000) } });
    const r = await h.run('CreateAccount', p);
    assert.equal(r.code, 'account.username_taken');
    assert.equal(JSON.stringify(h.user('victim1')), before);
  } finally {
    await h.emu.close();
  }
});

test('actions refuse an account whose marker differs', async () => {
  const h = await setup('modern');
  try {
    const params = serviceParams();
    await h.run('CreateAccount', params);
    const wrong = { ...params, marker: 'not-this-account' };
    for (const action of ['SuspendAccount', 'ChangePackage', 'ChangePassword', 'TerminateAccount']) {
      const r = await h.run(action, { ...wrong, password: 'Valid-Passw0rd' });
      assert.equal(r.code, 'account.not_ours', action);
    }
    assert.ok(h.user(params.username), 'still there');
    assert.equal(h.user(params.username).IsSuspended, false);
  } finally {
    await h.emu.close();
  }
});
