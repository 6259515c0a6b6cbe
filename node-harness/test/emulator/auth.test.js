// Tests admin authentication (Password, PasswordTOTP with RFC 6238 codes, SessionKey), the 403 envelopes and HTTP-level routing errors.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, assertError, fixedClock, request } = require('../../emulator/test-support');
const { totpCode, verifyTotp, base32Encode } = require('../../emulator/totp');

// RFC 6238 Appendix B, SHA1 rows: the secret is the ASCII string "12345678901234567890"; the RFC prints
// 8-digit codes, whose last 6 digits are the 6-digit codes below.
const RFC_SECRET_B32 = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS = [
  [59, '287082'],
  [1111111109, '081804'],
  [1111111111, '050471'],
  [1234567890, '005924'],
  [2000000000, '279037'],
  [20000000000, '353130'],
];

test('TOTP implementation matches the RFC 6238 SHA1 test vectors', () => {
  assert.equal(base32Encode(Buffer.from('12345678901234567890')), RFC_SECRET_B32);
  for (const [t, code] of RFC_VECTORS) assert.equal(totpCode(RFC_SECRET_B32, t), code, `t=${t}`);
  assert.equal(verifyTotp(RFC_SECRET_B32, '050471', 1111111111), true);
  assert.equal(verifyTotp(RFC_SECRET_B32, '050472', 1111111111), false);
  assert.equal(verifyTotp(RFC_SECRET_B32, '50471', 1111111111), false);
});

test.describe('password authentication', () => {
  const h = useEmulator();

  test('correct admin credentials work', async () => {
    const v = await h.json('meta/version');
    assert.equal(typeof v.Version, 'string');
  });

  test('wrong password, wrong user, missing or unsupported AuthType give Status 403 "Unauthorised" over HTTP 200', async () => {
    const cases = [
      { Username: 'admin', AuthType: 'Password', Password: 'wrong' },
      { Username: 'Admin', AuthType: 'Password', Password: 'admin' },
      { Username: 'admin', Password: 'admin' },
      { Username: 'admin', AuthType: 'TOTP', Password: 'admin' },
      { Username: 'admin', AuthType: 'PasswordWebAuthn', Password: 'admin' },
      {},
    ];
    for (const auth of cases) {
      const r = await h.call('meta/version', {}, { auth });
      assert.equal(r.status, 200);
      assertError(r.json, 403, 'Unauthorised');
    }
  });

  test('PasswordTOTP fails when the admin has no TOTP secret', async () => {
    const r = await h.call('meta/version', {}, { auth: { Username: 'admin', AuthType: 'PasswordTOTP', Password: 'admin', TOTP: '123456' } });
    assertError(r.json, 403, 'Unauthorised');
  });

  test('every endpoint checks credentials', async () => {
    const endpoints = [
      'meta/version',
      'account/properties',
      'account/session-start',
      'account/session-start-as-user',
      'policies/list',
      'policies/list-full',
      'policies/get',
      'policies/set',
      'policies/new',
      'policies/delete',
      'request-storage-vault-providers',
      'request-storage-vault',
      'add-user',
      'add-user-from-profile',
      'get-user-profile',
      'get-user-profile-and-hash',
      'get-user-profile-hash',
      'set-user-profile',
      'set-user-profile-hash',
      'reset-user-password',
      'disable-user-totp',
      'delete-user',
      'list-users',
      'list-users-full',
      'get-jobs-for-custom-search',
      'get-jobs-for-date-range',
      'get-jobs-for-user',
      'dispatcher/list-active',
      'branding/generate-client/linuxgeneric',
    ];
    for (const ep of endpoints) {
      const r = await h.call(ep, { TargetUser: 'x', TargetPassword: 'password123' }, { auth: { Username: 'admin', AuthType: 'Password', Password: 'nope' } });
      assertError(r.json, 403, 'Unauthorised');
    }
    const users = await h.json('list-users');
    assert.deepEqual(users, [], 'no write happened without credentials');
  });

  test('X-Comet-Admin-* headers are accepted when the body has no credentials', async () => {
    const r = await h.call('meta/version', {}, {
      auth: null,
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Comet-Admin-Username': 'admin',
        'X-Comet-Admin-AuthType': 'Password',
        'X-Comet-Admin-Password': 'admin',
      },
    });
    assert.equal(typeof r.json.Version, 'string');
  });

  test('non-POST is HTTP 405, unknown endpoint is a Status 404 envelope, other paths are HTTP 404', async () => {
    const get = await request(`${h.url}/api/v1/admin/meta/version`, { method: 'GET' });
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
    const unknown = await h.call('no/such-endpoint');
    assert.equal(unknown.status, 200);
    assertError(unknown.json, 404);
    const other = await request(`${h.url}/somewhere/else`, { method: 'POST', body: '' });
    assert.equal(other.status, 404);
  });
});

test.describe('custom admin credentials', () => {
  const h = useEmulator({ adminUsername: 'root-admin', adminPassword: 'S3cret pass' });

  test('only the configured account is accepted', async () => {
    const bad = await h.call('meta/version');
    assertError(bad.json, 403, 'Unauthorised');
    const good = await h.json('meta/version', {}, { auth: { Username: 'root-admin', AuthType: 'Password', Password: 'S3cret pass' } });
    assert.equal(typeof good.Version, 'string');
  });
});

test.describe('admin with TOTP (RFC 6238 secret, fixed clock)', () => {
  const clock = fixedClock(1111111111);
  const h = useEmulator({ adminTotpSecret: RFC_SECRET_B32, clock });
  const totpAuth = (code, Password = 'admin') => ({ auth: { Username: 'admin', AuthType: 'PasswordTOTP', Password, TOTP: code } });

  test('Password alone gives Status 403 ERR_TOTP_REQUIRED', async () => {
    const r = await h.call('meta/version');
    assertError(r.json, 403, 'ERR_TOTP_REQUIRED');
  });

  test('a wrong password still says Unauthorised (no hint that TOTP is on)', async () => {
    const r = await h.call('meta/version', {}, { auth: { Username: 'admin', AuthType: 'Password', Password: 'x' } });
    assertError(r.json, 403, 'Unauthorised');
  });

  test('PasswordTOTP with the current code works; one step of skew is accepted, two are not', async () => {
    assert.equal(typeof (await h.json('meta/version', {}, totpAuth('050471'))).Version, 'string');
    // 1111111109 is in the previous 30-second step.
    assert.equal(typeof (await h.json('meta/version', {}, totpAuth('081804'))).Version, 'string');
    const far = totpCode(RFC_SECRET_B32, 1111111111 + 60);
    assertError((await h.json('meta/version', {}, totpAuth(far))), 403, 'Unauthorised');
    assertError((await h.json('meta/version', {}, totpAuth('005924'))), 403, 'Unauthorised');
    assertError((await h.json('meta/version', {}, totpAuth(''))), 403, 'Unauthorised');
  });

  test('PasswordTOTP with a wrong password fails even with a valid code', async () => {
    assertError(await h.json('meta/version', {}, totpAuth('050471', 'wrong')), 403, 'Unauthorised');
  });
});

test.describe('session keys', () => {
  const h = useEmulator();
  const sessionAuth = (key) => ({ auth: { Username: 'admin', AuthType: 'SessionKey', SessionKey: key } });

  test('account/session-start returns an admin session key that authenticates', async () => {
    const s = await h.json('account/session-start');
    assert.equal(s.Status, 200);
    assert.equal(s.SessionType, 'admin');
    assert.equal(typeof s.SessionKey, 'string');
    assert.ok(s.SessionKey.length >= 32);
    const v = await h.json('meta/version', {}, sessionAuth(s.SessionKey));
    assert.equal(typeof v.Version, 'string');
    // The key is bound to the admin account name.
    const other = await h.json('meta/version', {}, { auth: { Username: 'someone', AuthType: 'SessionKey', SessionKey: s.SessionKey } });
    assertError(other, 403, 'Unauthorised');
  });

  test('unknown and revoked keys are refused', async () => {
    assertError(await h.json('meta/version', {}, sessionAuth('not-a-key')), 403, 'Unauthorised');
    const s = await h.json('account/session-start');
    const revoked = await h.json('account/session-revoke', {}, sessionAuth(s.SessionKey));
    assert.deepEqual(revoked, { Status: 200, Message: 'OK' });
    assertError(await h.json('meta/version', {}, sessionAuth(s.SessionKey)), 403, 'Unauthorised');
  });

  test('session-start-as-user gives a user key that is not valid for admin calls', async () => {
    await h.json('add-user', { TargetUser: 'sessuser', TargetPassword: 'password123' });
    const s = await h.json('account/session-start-as-user', { TargetUser: 'sessuser' });
    assert.equal(s.Status, 200);
    assert.equal(s.SessionType, 'user');
    assertError(await h.json('meta/version', {}, sessionAuth(s.SessionKey)), 403, 'Unauthorised');
    assertError(await h.json('account/session-start-as-user', { TargetUser: 'nobody' }), 400);
    assertError(await h.json('account/session-start-as-user', {}), 400);
  });
});
