// Tests the request journal (round-trip counts, outcomes, redaction of secrets) and the HTTP control routes on and off.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, assertError, request } = require('../../emulator/test-support');
const { redactParams } = require('../../emulator/faults');

const R = '***REDACTED***';

test('redactParams hides every password, key and TOTP, inside JSON documents too', () => {
  const out = redactParams({
    Username: 'admin',
    AuthType: 'PasswordTOTP',
    Password: 'adminpw',
    TOTP: '123456',
    SessionKey: 'sk',
    TargetPassword: 'tp',
    NewPassword: 'np',
    OldPassword: 'op',
    ApiKey: 'k',
    'x-my-PASSWORD-field': 'p',
    RequirePasswordChange: '1',
    TargetUser: 'alice01',
    ProfileData: JSON.stringify({
      Username: 'alice01',
      PasswordHash: 'hash',
      PasswordRecovery: 'rec',
      TOTPKey: 'tk',
      AllowPasswordLogin: true,
      Policy: { PreventChangeAccountPassword: true, ModeAdminResetPassword: 3 },
      Destinations: { d: { CometBucketKey: 'bk', StorageLimitBytes: 5 } },
    }),
    Query: '{not json, Password: "oops"}',
  });
  for (const k of ['Password', 'TOTP', 'SessionKey', 'TargetPassword', 'NewPassword', 'OldPassword', 'ApiKey', 'x-my-PASSWORD-field']) {
    assert.equal(out[k], R, k);
  }
  assert.equal(out.Username, 'admin');
  assert.equal(out.AuthType, 'PasswordTOTP');
  assert.equal(out.RequirePasswordChange, '1');
  assert.equal(out.TargetUser, 'alice01');
  const pd = JSON.parse(out.ProfileData);
  assert.equal(pd.PasswordHash, R);
  assert.equal(pd.PasswordRecovery, R);
  assert.equal(pd.TOTPKey, R);
  assert.equal(pd.Destinations.d.CometBucketKey, R);
  assert.equal(pd.Destinations.d.StorageLimitBytes, 5);
  assert.equal(pd.AllowPasswordLogin, true);
  assert.deepEqual(pd.Policy, { PreventChangeAccountPassword: true, ModeAdminResetPassword: 3 });
  assert.equal(out.Query, '<malformed JSON, 28 chars>');
});

test.describe('journal', () => {
  const h = useEmulator();

  test('records every call with endpoint, redacted params and outcome, including failures', async () => {
    h.emu.clearJournal();
    await h.call('add-user', { TargetUser: 'journal1', TargetPassword: 'secret-password-1', StoreRecoveryCode: '1' });
    await h.call('add-user', { TargetUser: 'journal1', TargetPassword: 'secret-password-2' });
    await h.call('get-user-profile', { TargetUser: 'journal1' });
    await h.call('get-user-profile', { TargetUser: 'journal1' });
    await h.call('get-user-profile', { TargetUser: 'journal1' }, { auth: { Username: 'admin', AuthType: 'Password', Password: 'wrong-admin-pw' } });
    await h.call('reset-user-password', { TargetUser: 'journal1', NewPassword: 'secret-password-3' });
    await request(`${h.url}/api/v1/admin/list-users`, { method: 'GET' });
    h.emu.injectFault({ endpoint: 'list-users', kind: 'http500' });
    await h.call('list-users');
    const s = await h.json('account/session-start');
    await h.call('meta/version', {}, { auth: { Username: 'admin', AuthType: 'SessionKey', SessionKey: s.SessionKey } });

    const j = h.emu.journal();
    const count = (ep) => j.filter((e) => e.endpoint === ep).length;
    assert.equal(j.length, 10);
    assert.equal(count('add-user'), 2);
    assert.equal(count('get-user-profile'), 3);
    assert.equal(count('list-users'), 2);
    assert.deepEqual(
      j.map((e) => e.outcome),
      ['ok', 'error:400', 'ok', 'ok', 'error:403', 'ok', 'http:405', 'fault:http500', 'ok', 'ok'],
    );
    assert.deepEqual(j[0].params, {
      TargetUser: 'journal1',
      TargetPassword: R,
      StoreRecoveryCode: '1',
      Username: 'admin',
      AuthType: 'Password',
      Password: R,
    });
    assert.equal(j[5].params.NewPassword, R);
    assert.equal(j.at(-1).params.SessionKey, R);
    const text = JSON.stringify(j);
    for (const secret of ['secret-password-1', 'secret-password-2', 'secret-password-3', 'wrong-admin-pw', s.SessionKey, '"admin"}']) {
      assert.equal(text.includes(secret), false, secret);
    }
    // Sequence numbers increase in arrival order.
    assert.deepEqual(j.map((e) => e.seq), [...j.map((e) => e.seq)].sort((a, b) => a - b));
  });

  test('the journal is a copy and clearJournal empties it', async () => {
    const j = h.emu.journal();
    j.length = 0;
    assert.ok(h.emu.journal().length > 0);
    h.emu.clearJournal();
    assert.deepEqual(h.emu.journal(), []);
    await h.call('meta/version');
    assert.equal(h.emu.journal().length, 1);
  });
});

test.describe('control routes enabled', () => {
  const h = useEmulator({ control: true });

  test('POST /__emulator/faults arms one or many faults; GET lists them; invalid specs are HTTP 400', async () => {
    let r = await h.control('faults', { endpoint: 'meta/version', kind: 'status500' });
    assert.equal(r.status, 200);
    assert.equal(r.json.added, 1);
    r = await h.control('faults', [
      { endpoint: 'list-users', kind: 'status400', count: 3 },
      { endpoint: 'add-user', kind: 'reset', phase: 'after' },
    ]);
    assert.equal(r.json.added, 2);
    const listed = (await h.control('faults')).json;
    assert.deepEqual(listed.map((f) => [f.endpoint, f.kind, f.count, f.phase]), [
      ['meta/version', 'status500', 1, 'before'],
      ['list-users', 'status400', 3, 'before'],
      ['add-user', 'reset', 1, 'after'],
    ]);
    assertError((await h.call('meta/version')).json, 500);
    const bad = await h.control('faults', { endpoint: 'x', kind: 'nope' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /kind/);
    const badJson = await request(`${h.url}/__emulator/faults`, { method: 'POST', body: '{oops' });
    assert.equal(badJson.status, 400);
    assert.equal((await h.control('faults/clear', {})).status, 200);
    assert.deepEqual((await h.control('faults')).json, []);
  });

  test('POST /__emulator/latency sets the global latency', async () => {
    assert.equal((await h.control('latency', { ms: 80 })).json.ms, 80);
    const t0 = Date.now();
    await h.json('meta/version');
    assert.ok(Date.now() - t0 >= 75);
    assert.equal((await h.control('latency', { ms: 0 })).json.ms, 0);
    assert.equal((await h.control('latency', { ms: 'fast' })).status, 400);
  });

  test('GET /__emulator/journal, POST journal/clear and POST reset', async () => {
    await h.control('journal/clear', {});
    await h.call('add-user', { TargetUser: 'ctl-user', TargetPassword: 'password123' });
    await h.call('get-user-profile', { TargetUser: 'ctl-user' });
    const j = (await h.control('journal')).json;
    assert.deepEqual(j.map((e) => [e.endpoint, e.outcome]), [
      ['add-user', 'ok'],
      ['get-user-profile', 'ok'],
    ]);
    assert.equal(j[0].params.TargetPassword, R);
    await h.control('faults', { endpoint: 'meta/version', kind: 'status500', count: -1 });
    assert.equal((await h.control('reset', {})).status, 200);
    assert.deepEqual((await h.control('journal')).json, []);
    assert.equal(typeof (await h.json('meta/version')).Version, 'string', 'reset cleared the faults');
  });

  test('GET /__emulator/stats reports memory and counts; control calls are not journalled', async () => {
    await h.control('reset', {});
    const st = (await h.control('stats')).json;
    assert.ok(st.rss > 0);
    assert.equal(st.users, 1);
    assert.equal(st.journalEntries, 0);
    assert.equal((await h.control('no-such-route')).status, 404);
  });
});

test.describe('control routes disabled (the default)', () => {
  const h = useEmulator();

  test('every /__emulator/ route is HTTP 404 and has no effect', async () => {
    for (const [route, body] of [
      ['faults', { endpoint: 'meta/version', kind: 'status500' }],
      ['latency', { ms: 1000 }],
      ['journal', undefined],
      ['reset', {}],
      ['seed', { users: { sneaky1: {} } }],
      ['stats', undefined],
    ]) {
      const r = await h.control(route, body);
      assert.equal(r.status, 404, route);
    }
    assert.equal(typeof (await h.json('meta/version')).Version, 'string');
    assert.deepEqual(await h.json('list-users'), []);
    assert.equal(h.emu.latencyMs, 0);
  });
});
