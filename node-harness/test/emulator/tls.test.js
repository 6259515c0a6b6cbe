// Tests HTTPS: scripts/make-test-ca.sh makes a throwaway CA, the emulator serves with its certificate, and clients verify it (or fail to, without the CA).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { callApi, spawnCli, stopCli } = require('../../emulator/test-support');
const { startEmulator } = require('../../emulator');

const SCRIPT = path.join(__dirname, '..', '..', '..', 'scripts', 'make-test-ca.sh');
const VERIFY_ERRORS = ['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'];

test.describe('TLS', () => {
  let dir;
  let tls;
  let emu;
  let ca;

  test.before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comet-emu-tls-'));
    // openssl is a declared test dependency: if it is missing this throws and the suite fails.
    execFileSync('bash', [SCRIPT, path.join(dir, 'pki')], { stdio: ['ignore', 'pipe', 'pipe'] });
    tls = { cert: path.join(dir, 'pki', 'server.pem'), key: path.join(dir, 'pki', 'server.key') };
    ca = fs.readFileSync(path.join(dir, 'pki', 'ca.pem'));
    emu = await startEmulator({ port: 0, host: '127.0.0.1', tls });
  });
  test.after(async () => {
    if (emu) await emu.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the script writes a CA, a server certificate and key, and an unrelated CA', () => {
    for (const f of ['ca.pem', 'ca.key', 'server.pem', 'server.key', 'other-ca.pem']) {
      assert.ok(fs.statSync(path.join(dir, 'pki', f)).size > 0, f);
    }
    const text = execFileSync('openssl', ['x509', '-in', tls.cert, '-noout', '-ext', 'subjectAltName'], { encoding: 'utf8' });
    assert.match(text, /IP Address:127\.0\.0\.1/);
    assert.match(text, /DNS:localhost/);
  });

  test('the emulator URL is https and a client trusting the CA can call it', async () => {
    assert.match(emu.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const r = await callApi(emu.url, 'meta/version', {}, { ca });
    assert.equal(typeof r.json.Version, 'string');
  });

  test('the certificate is valid for the name localhost too', async () => {
    const r = await callApi(emu.url.replace('127.0.0.1', 'localhost'), 'meta/version', {}, { ca });
    assert.equal(typeof r.json.Version, 'string');
  });

  test('without the CA, or trusting a different CA, verification fails', async () => {
    await assert.rejects(callApi(emu.url, 'meta/version'), (e) => VERIFY_ERRORS.includes(e.code));
    const other = fs.readFileSync(path.join(dir, 'pki', 'other-ca.pem'));
    await assert.rejects(callApi(emu.url, 'meta/version', {}, { ca: other }), (e) => VERIFY_ERRORS.includes(e.code));
  });

  test('plain HTTP to the HTTPS port does not reach the API', async () => {
    const r = await callApi(emu.url.replace('https:', 'http:'), 'meta/version').catch((e) => e);
    assert.ok(r instanceof Error || r.status === 400, 'no API answer over plain HTTP');
  });

  test('the CLI serves HTTPS with --tls-cert/--tls-key and prints an https URL', async () => {
    const p = await spawnCli(['--port', '0', '--tls-cert', tls.cert, '--tls-key', tls.key]);
    try {
      assert.match(p.firstLine, /^listening https:\/\/127\.0\.0\.1:\d+$/);
      const r = await callApi(p.url, 'meta/version', {}, { ca });
      assert.equal(typeof r.json.Version, 'string');
    } finally {
      await stopCli(p);
    }
  });
});
