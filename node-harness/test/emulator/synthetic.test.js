// Tests generated users (--seed-users, POST /__emulator/seed-users): the documented vault figures in
// list-users-full, the records behave like any other user, a streamed (chunked) reply that is a
// snapshot, refusals that add nothing, and 100,000 users seeded and listed with flat server memory.
'use strict';

const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { useEmulator, callApi, control, spawnCli, stopCli, runCli, OK } = require('../../emulator/test-support');

const MIB = 1048576;
const GIB = 1024 * MIB;

// The figures README.md "Generated users" promises for user i (written out here, not imported).
function expectedVaults(i) {
  const k = (i % 1000) + 1;
  return {
    a: { DestinationType: 1003, Size: k * MIB, StorageLimitEnabled: true, StorageLimitBytes: ((i % 100) + 10) * GIB },
    b: { DestinationType: 1003, Size: 2 * k * MIB, StorageLimitEnabled: true, StorageLimitBytes: 5 * GIB },
    c: { DestinationType: 1002, Size: 999 * MIB, StorageLimitEnabled: false, StorageLimitBytes: 0 },
  };
}

function checkUser(profile, name, i) {
  assert.equal(profile.Username, name);
  assert.match(profile.CreationGUID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const want = expectedVaults(i);
  const ids = Object.keys(profile.Destinations);
  assert.equal(ids.length, 3, name);
  for (const [suffix, w] of Object.entries(want)) {
    const id = ids.find((d) => d.endsWith(`-${suffix}`));
    assert.ok(id, `${name}: vault ${suffix}`);
    const v = profile.Destinations[id];
    assert.equal(v.DestinationType, w.DestinationType, `${name} ${suffix}`);
    assert.equal(v.Statistics.ClientProvidedSize.Size, w.Size, `${name} ${suffix}`);
    assert.equal(v.StorageLimitEnabled, w.StorageLimitEnabled, `${name} ${suffix}`);
    assert.equal(v.StorageLimitBytes, w.StorageLimitBytes, `${name} ${suffix}`);
  }
  assert.equal(Object.keys(profile.Devices).length, 1);
  assert.equal(Object.keys(profile.Sources).length, 1);
  assert.equal(profile.PasswordHash.startsWith('emu1$'), true);
}

/** POST list-users-full and read the raw reply, without parsing: {status, headers, bytes, text?}. */
function rawListUsersFull(url, { keepText = true } = {}) {
  return new Promise((resolve, reject) => {
    const body = 'Username=admin&AuthType=Password&Password=admin';
    const req = http.request(`${url}/api/v1/admin/list-users-full`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': body.length },
    });
    req.on('response', (res) => {
      const chunks = [];
      let bytes = 0;
      let head = '';
      let tail = '';
      res.on('data', (c) => {
        bytes += c.length;
        if (keepText) chunks.push(c);
        if (head.length < 64) head += c.toString('latin1', 0, 64);
        tail = (tail + c.toString('latin1', Math.max(0, c.length - 64))).slice(-64);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, bytes, head, tail, text: keepText ? Buffer.concat(chunks).toString('utf8') : undefined }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

for (const mode of ['modern', '18.9']) {
  describe(`generated users (${mode})`, () => {
    const h = useEmulator({ mode, control: true, seedUsers: { count: 1500, prefix: 'gen.' } });

    test('list-users-full holds every generated user with the documented vault figures, streamed chunked', async () => {
      const r = await rawListUsersFull(h.url);
      assert.equal(r.status, 200);
      assert.equal(r.headers['transfer-encoding'], 'chunked');
      assert.equal(r.headers['content-length'], undefined);
      const full = JSON.parse(r.text);
      const names = Object.keys(full);
      assert.equal(names.length, 1500);
      assert.deepEqual(names, [...names].sort());
      assert.equal(names[0], 'gen.000000');
      assert.equal(names[1499], 'gen.001499');
      const guids = new Set();
      for (let i = 0; i < 1500; i++) {
        checkUser(full[names[i]], names[i], i);
        guids.add(full[names[i]].CreationGUID);
      }
      assert.equal(guids.size, 1500, 'every CreationGUID is unique');
      assert.deepEqual(await h.json('list-users'), names);
    });

    test('a generated user reads and writes like any other', async () => {
      const name = 'gen.000007';
      const ph = await h.json('get-user-profile-and-hash', { TargetUser: name });
      assert.equal(ph.Status, 200);
      checkUser(ph.Profile, name, 7);
      assert.deepEqual(await h.json('get-user-profile', { TargetUser: name }), ph.Profile);
      // A read changes nothing; the hash stays.
      assert.equal((await h.json('get-user-profile-hash', { TargetUser: name })).ProfileHash, ph.ProfileHash);

      const next = { ...ph.Profile, MaximumDevices: 42, IsSuspended: true };
      const w = await h.json('set-user-profile-hash', { TargetUser: name, ProfileData: next, RequireHash: ph.ProfileHash });
      assert.equal(w.Status, 200);
      const after = await h.json('get-user-profile-and-hash', { TargetUser: name });
      assert.equal(after.Profile.MaximumDevices, 42);
      assert.equal(after.Profile.IsSuspended, true);
      assert.notEqual(after.ProfileHash, ph.ProfileHash);
      // A stale hash is refused as for any user.
      const stale = await h.json('set-user-profile-hash', { TargetUser: name, ProfileData: next, RequireHash: ph.ProfileHash });
      assert.equal(stale.Status, 409);

      const full = await h.json('list-users-full');
      assert.equal(full[name].MaximumDevices, 42);
      assert.equal(full['gen.000008'].MaximumDevices, 5, 'the neighbours are untouched');

      assert.deepEqual(await h.json('reset-user-password', { TargetUser: 'gen.000009', NewPassword: 'a-new-password', OldPassword: 'wrong-password' }), {
        Status: 400,
        Message: mode === 'modern' ? 'Incorrect OldPassword' : 'User has no password recovery code',
      });
      assert.deepEqual(await h.json('delete-user', { TargetUser: 'gen.000010' }), OK);
      const users = await h.json('list-users');
      assert.equal(users.length, 1499);
      assert.equal(users.includes('gen.000010'), false);
    });

    test('a policy set for other users leaves generated users unlinked and unchanged', async () => {
      const before = await h.json('get-user-profile-and-hash', { TargetUser: 'gen.000100' });
      assert.deepEqual(await h.json('policies/set', { PolicyID: 'P1', Policy: { Description: 'p', Policy: { PreventDeleteStorageVault: true } } }), OK);
      const after = await h.json('get-user-profile-and-hash', { TargetUser: 'gen.000100' });
      assert.equal(after.ProfileHash, before.ProfileHash);
      assert.deepEqual(after.Profile, before.Profile);
    });

    test('the control route adds more; a clash or a bad request adds nothing', async () => {
      const r = await h.control('seed-users', { count: 20, prefix: 'more-', start: 5 });
      assert.equal(r.status, 200);
      assert.deepEqual(r.json, { ok: true, added: 20, first: 'more-000005', last: 'more-000024' });
      checkUser(await h.json('get-user-profile', { TargetUser: 'more-000024' }), 'more-000024', 24);

      const count = (await h.control('stats')).json.users;
      for (const bad of [
        { count: 30, prefix: 'more-' }, // more-000005..000024 exist already
        { count: 0 },
        { count: 2.5 },
        { count: 3, prefix: 'bad name ' },
        { count: 3, start: -1 },
        { count: 3, password: 'short' },
      ]) {
        const e = await h.control('seed-users', bad);
        assert.equal(e.status, 400, JSON.stringify(bad));
        assert.equal(e.json.ok, false);
        assert.equal(typeof e.json.error, 'string');
      }
      assert.equal((await h.control('stats')).json.users, count, 'a refused request adds nobody');
      assert.equal((await h.call('get-user-profile', { TargetUser: 'more-000004' })).json.Status, 400);
    });

    test('list-users-full is a snapshot: a write while it streams does not show up in that reply', async () => {
      const name = 'gen.000001';
      const p = await h.json('get-user-profile', { TargetUser: name });
      const pending = rawListUsersFull(h.url);
      // Fired at once; the list request was dispatched first (requests are atomic and in order).
      const write = callApi(h.url, 'set-user-profile', { TargetUser: name, ProfileData: { ...p, MaximumDevices: 77 } });
      const [r, w] = await Promise.all([pending, write]);
      assert.equal(w.json.Status, 200);
      const full = JSON.parse(r.text);
      assert.equal(full[name].MaximumDevices, p.MaximumDevices);
      assert.equal((await h.json('list-users-full'))[name].MaximumDevices, 77);
    });
  });
}

describe('--seed-users on the command line', () => {
  test('generated users at start, with a prefix; nothing else changes', async () => {
    const p = await spawnCli(['--port', '0', '--control', '--seed-users', '250', '--seed-users-prefix', 'cli_']);
    try {
      const users = (await callApi(p.url, 'list-users')).json;
      assert.equal(users.length, 250);
      assert.equal(users[0], 'cli_000000');
      checkUser((await callApi(p.url, 'get-user-profile', { TargetUser: 'cli_000249' })).json, 'cli_000249', 249);
      assert.equal((await control(p.url, 'stats')).json.users, 250);
    } finally {
      const exit = await stopCli(p);
      assert.deepEqual(exit, { code: 0, signal: null });
    }
  });

  test('bad values are argument errors (status 2)', async () => {
    for (const args of [['--seed-users', '0'], ['--seed-users', 'many'], ['--seed-users-prefix', 'x'], ['--seed-users']]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, /comet-emulator: .*seed-users/);
    }
  });
});

describe('100,000 generated users', () => {
  test('seeded in seconds and listed as one streamed reply with flat server memory', async () => {
    const started = process.hrtime.bigint();
    const p = await spawnCli(['--port', '0', '--control', '--mode', '18.9', '--seed-users', '100000'], { timeoutMs: 30000 });
    try {
      const startupMs = Number(process.hrtime.bigint() - started) / 1e6;
      assert.ok(startupMs < 10000, `startup with 100,000 users took ${startupMs} ms`);
      const before = (await control(p.url, 'stats')).json;
      assert.equal(before.users, 100000);
      const r = await rawListUsersFull(p.url, { keepText: false });
      assert.equal(r.status, 200);
      // ~3 KB per user: about 300 MB that the server must never hold at once.
      assert.ok(r.bytes > 250e6, `only ${r.bytes} bytes`);
      assert.ok(r.head.startsWith('{"user000000":{"Username":"user000000",'), r.head);
      assert.ok(r.tail.endsWith('}}'), r.tail);
      const afterStats = (await control(p.url, 'stats')).json;
      assert.ok(afterStats.rss < 400 * MIB, `server RSS ${Math.round(afterStats.rss / MIB)} MiB after streaming ${Math.round(r.bytes / MIB)} MiB`);
      assert.ok(afterStats.rss < r.bytes, 'the server never held the whole reply');
      checkUser((await callApi(p.url, 'get-user-profile', { TargetUser: 'user099999' })).json, 'user099999', 99999);
    } finally {
      const exit = await stopCli(p);
      assert.deepEqual(exit, { code: 0, signal: null });
    }
  });
});
