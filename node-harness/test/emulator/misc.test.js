// Tests meta/version, account/properties and branding/generate-client/* (deterministic binary downloads).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { useEmulator, assertError, fixedClock, callApi } = require('../../emulator/test-support');
const { startEmulator } = require('../../emulator');

const WHMCS_PLATFORMS = ['linuxgeneric', 'macos-x86_64', 'windows-x86_32-zip', 'windows-x86_64-zip', 'windows-anycpu-zip'];

test.describe('server info', () => {
  const h = useEmulator({ clock: fixedClock(1760001234) });

  test('meta/version has Version (what WHMCS Test Connection checks) and the role flags', async () => {
    const v = await h.json('meta/version');
    assert.equal(v.Version, '25.9.8');
    assert.equal(v.AuthenticationRole, true);
    assert.equal(v.StorageRole, true);
    assert.equal(v.CurrentTime, 1760001234);
    assert.equal(v.ServerStartTime, 1760001234);
    assert.equal(typeof v.ServerStartHash, 'string');
    assert.equal('Status' in v, false, 'a bare ServerMetaVersionInfo, not a CARM');
  });

  test('account/properties returns OrganizationID, Permissions and Security', async () => {
    const p = await h.json('account/properties');
    assert.deepEqual(Object.keys(p).sort(), ['OrganizationID', 'Permissions', 'Security']);
    assert.equal(p.Permissions.PreventChangePassword, false);
    assert.equal(p.Security.AllowPasswordAndTOTPLogin, false);
  });

  test('an empty form body with auth in the query string also works (FormValue semantics)', async () => {
    const r = await callApi(`${h.url}`, 'meta/version?Username=admin&AuthType=Password&Password=admin', {}, { auth: null });
    assert.equal(typeof r.json.Version, 'string');
  });
});

test.describe('--server-version', () => {
  const h = useEmulator({ serverVersion: '24.12.5' });
  test('overrides the reported Version', async () => {
    assert.equal((await h.json('meta/version')).Version, '24.12.5');
  });
});

test.describe('branding/generate-client', () => {
  const h = useEmulator();

  // The documented algorithm: header, then SHA-256("<platform>:<i>") blocks, 65,536 bytes in all.
  function expectedClient(platform) {
    const parts = [Buffer.from(`COMET-EMULATOR-CLIENT\n${platform}\n`, 'latin1')];
    let len = parts[0].length;
    for (let i = 0; len < 65536; i++) {
      const d = crypto.createHash('sha256').update(`${platform}:${i}`).digest();
      parts.push(d);
      len += d.length;
    }
    return Buffer.concat(parts).subarray(0, 65536);
  }

  test('every WHMCS platform downloads a deterministic octet stream', async () => {
    const seen = new Set();
    for (const platform of WHMCS_PLATFORMS) {
      const r = await h.call(`branding/generate-client/${platform}`, { SelfAddress: `${h.url}/` });
      assert.equal(r.status, 200);
      assert.equal(r.headers['content-type'], 'application/octet-stream');
      assert.match(r.headers['content-disposition'], /^attachment; filename="CometBackup-/);
      assert.equal(r.body.length, 65536);
      assert.ok(r.body.equals(expectedClient(platform)), platform);
      seen.add(r.body.toString('hex', 0, 64));
    }
    assert.equal(seen.size, WHMCS_PLATFORMS.length, 'each platform gets different bytes');
  });

  test('the bytes are the same from a second emulator instance', async () => {
    const other = await startEmulator({ port: 0, host: '127.0.0.1', mode: '18.9' });
    try {
      const a = await h.call('branding/generate-client/linuxgeneric');
      const b = await callApi(other.url, 'branding/generate-client/linuxgeneric');
      assert.ok(a.body.equals(b.body));
    } finally {
      await other.close();
    }
  });

  test('an unknown platform is an error envelope', async () => {
    const r = await h.call('branding/generate-client/amiga-os');
    assert.equal(r.headers['content-type'], 'application/json');
    assertError(r.json, 400);
  });
});
