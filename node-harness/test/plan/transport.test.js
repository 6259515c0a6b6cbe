'use strict';
// The driver and CLI against real transport failures: TLS verification, refused connections,
// timeouts, bad and 2FA-protected credentials, non-Comet servers, and secrets kept out of output.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { spawn, execFileSync } = require('node:child_process');
const { startEmulator } = require('../../emulator');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'node-harness', 'bin', 'cometprov');

/** Runs the CLI asynchronously (the emulator lives in this process, so a blocking spawn would hang). */
function cli(args, { env = {}, params = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cometprov-cli-'));
  const file = path.join(dir, 'params.json');
  fs.writeFileSync(file, JSON.stringify(params));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--params', file], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('close', (status) => {
      fs.rmSync(dir, { recursive: true, force: true });
      const last = stdout.trim().split('\n').pop();
      let result = null;
      try { result = JSON.parse(last); } catch { /* reported by the assertions */ }
      resolve({ status, stdout, stderr, result });
    });
  });
}

async function freePort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

test('TLS is verified: an unknown CA fails, a trusted CA passes', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cometprov-ca-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync('bash', [path.join(ROOT, 'scripts', 'make-test-ca.sh'), dir]);
  const emu = await startEmulator({ port: 0, tls: { cert: path.join(dir, 'server.pem'), key: path.join(dir, 'server.key') } });
  t.after(() => emu.close());
  assert.match(emu.url, /^https:/);
  const args = ['TestConnection', '--server', emu.url, '--admin-username', 'admin', '--admin-password', 'admin'];
  const untrusted = await cli(args);
  assert.equal(untrusted.status, 1);
  assert.equal(untrusted.result.code, 'comet.tls');
  const wrongCa = await cli(args, { env: { NODE_EXTRA_CA_CERTS: path.join(dir, 'other-ca.pem') } });
  assert.equal(wrongCa.result.code, 'comet.tls');
  const trusted = await cli(args, { env: { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.pem') } });
  assert.equal(trusted.status, 0, trusted.stdout + trusted.stderr);
  assert.equal(trusted.result.result, 'success');
});

test('a closed port is reported as unreachable', async () => {
  const port = await freePort();
  const r = await cli(['TestConnection', '--server', `http://127.0.0.1:${port}`, '--admin-username', 'a', '--admin-password', 'b']);
  assert.equal(r.status, 1);
  assert.equal(r.result.code, 'comet.unreachable');
});

test('credentials: wrong password, and an admin that needs TOTP', async (t) => {
  const emu = await startEmulator({ port: 0, adminPassword: 'right', adminTotpSecret: 'JBSWY3DPEHPK3PXP' });
  t.after(() => emu.close());
  const wrong = await cli(['TestConnection', '--server', emu.url, '--admin-username', 'admin', '--admin-password', 'wrong']);
  assert.equal(wrong.result.code, 'comet.auth');
  const totp = await cli(['TestConnection', '--server', emu.url, '--admin-username', 'admin', '--admin-password', 'right']);
  assert.equal(totp.result.code, 'comet.totp_required');
});

test('a slow server times out and a non-Comet path is named', async (t) => {
  const emu = await startEmulator({ port: 0, control: true });
  t.after(() => emu.close());
  emu.injectFault({ endpoint: 'meta/version', kind: 'delay', delayMs: 3000, count: 1 });
  const slow = await cli(['TestConnection', '--server', emu.url, '--admin-username', 'admin', '--admin-password', 'admin', '--timeout', '300']);
  assert.equal(slow.result.code, 'comet.timeout');
  const wrongPath = await cli(['TestConnection', '--server', `${emu.url}/not-comet`, '--admin-username', 'admin', '--admin-password', 'admin']);
  assert.equal(wrongPath.result.code, 'comet.not_comet');
  for (const kind of ['http502html', 'nonjson']) {
    emu.injectFault({ endpoint: 'meta/version', kind, count: 1 });
    const r = await cli(['TestConnection', '--server', emu.url, '--admin-username', 'admin', '--admin-password', 'admin']);
    assert.equal(r.result.code, 'comet.not_comet', kind);
  }
});

test('the CLI never prints a password or a session key', async (t) => {
  const emu = await startEmulator({ port: 0, adminPassword: 'Adm1n-Very-Secret' });
  t.after(() => emu.close());
  const params = { serviceid: 9, password: 'Cust0mer-Secret', clientsdetails: { email: 'x@example.com' }, configoptions: {} };
  const env = { COMET_ADMIN_USERNAME: 'admin', COMET_ADMIN_PASSWORD: 'Adm1n-Very-Secret' };
  const create = await cli(['CreateAccount', '--server', emu.url], { env, params });
  assert.equal(create.status, 0, create.stdout + create.stderr);
  const sso = await cli(['SignIn', '--server', emu.url], { env, params: { ...params, username: 'x@example.com', status: 'Active', role: 'customer' } });
  assert.equal(sso.status, 0, sso.stdout + sso.stderr);
  assert.equal(sso.result.output.sessionKey, '***');
  const keys = [...emu.state.sessions.keys()];
  assert.ok(keys.length > 0);
  for (const out of [create.stdout + create.stderr, sso.stdout + sso.stderr]) {
    assert.ok(!out.includes('Adm1n-Very-Secret'));
    assert.ok(!out.includes('Cust0mer-Secret'));
    for (const k of keys) assert.ok(!out.includes(k));
  }
});
