// Tests bin/comet-emulator: --help documents every flag, the first stdout line, loopback-only binding, each flag's effect, and clean exit on SIGTERM/SIGINT.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { callApi, control, spawnCli, runCli, stopCli, assertError, CLI } = require('../../emulator/test-support');

const FLAGS = [
  '--port',
  '--host',
  '--mode',
  '--admin-username',
  '--admin-password',
  '--admin-totp-secret',
  '--tls-cert',
  '--tls-key',
  '--state',
  '--seed',
  '--seed-users',
  '--seed-users-prefix',
  '--control',
  '--latency',
  '--server-version',
  '--help',
];
const LISTENING_RE = /^listening http:\/\/127\.0\.0\.1:(\d+)$/;

const running = [];
async function start(args) {
  const p = await spawnCli(args);
  running.push(p);
  return p;
}
test.after(async () => {
  for (const p of running) await stopCli(p, 'SIGKILL');
});

test('the bin is executable with a node shebang', () => {
  fs.accessSync(CLI, fs.constants.X_OK);
  assert.match(fs.readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

test('--help documents every flag and exits 0', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0);
  for (const f of FLAGS) assert.match(r.stdout, new RegExp(`^\\s+${f}\\b`, 'm'), f);
  assert.match(r.stdout, /default admin\)/);
});

test('bad arguments exit with status 2 and a message on stderr', async () => {
  for (const args of [['--bogus'], ['--port'], ['--port', 'abc'], ['--tls-cert', 'x.pem'], ['--control=yes']]) {
    const r = await runCli(args);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /comet-emulator: /);
    assert.equal(r.stdout, '');
  }
});

test('non-loopback hosts are refused', async () => {
  for (const host of ['0.0.0.0', '192.168.1.10', '::', 'example.com']) {
    const r = await runCli(['--port', '0', '--host', host]);
    assert.equal(r.code, 1, host);
    assert.match(r.stderr, /refusing to bind/);
    assert.equal(r.stdout, '');
  }
});

test('--port 0: the first stdout line names the URL; the API answers; SIGTERM exits 0', async () => {
  const p = await start(['--port', '0']);
  const m = LISTENING_RE.exec(p.firstLine);
  assert.ok(m, p.firstLine);
  assert.ok(Number(m[1]) > 0);
  const v = await callApi(p.url, 'meta/version');
  assert.equal(v.json.Version, '25.9.8');
  assert.deepEqual(await stopCli(p, 'SIGTERM'), { code: 0, signal: null });
});

test('SIGINT also exits 0; --host localhost binds 127.0.0.1', async () => {
  const p = await start(['--port', '0', '--host', 'localhost']);
  assert.match(p.firstLine, LISTENING_RE);
  assert.deepEqual(await stopCli(p, 'SIGINT'), { code: 0, signal: null });
});

test('--mode 18.9, --admin-username/--admin-password, --server-version', async () => {
  const p = await start(['--port', '0', '--mode', '18.9', '--admin-username', 'boss', '--admin-password', 'hunter22', '--server-version', '18.9.7']);
  assertError((await callApi(p.url, 'meta/version')).json, 403, 'Unauthorised');
  const v = await callApi(p.url, 'meta/version', {}, { auth: { Username: 'boss', AuthType: 'Password', Password: 'hunter22' } });
  assert.equal(v.json.Version, '18.9.7');
  const short = await callApi(p.url, 'add-user', { TargetUser: 'five5', TargetPassword: 'password123' }, { auth: { Username: 'boss', AuthType: 'Password', Password: 'hunter22' } });
  assertError(short.json, 400);
  await stopCli(p);
});

test('--admin-totp-secret requires PasswordTOTP', async () => {
  const p = await start(['--port', '0', '--admin-totp-secret', 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ']);
  assertError((await callApi(p.url, 'meta/version')).json, 403, 'ERR_TOTP_REQUIRED');
  await stopCli(p);
  const bad = await runCli(['--port', '0', '--admin-totp-secret', 'not base32!']);
  assert.equal(bad.code, 1);
});

test('--control enables the control routes, which are off without it; --latency sets the initial latency', async () => {
  const off = await start(['--port', '0']);
  assert.equal((await control(off.url, 'journal')).status, 404);
  await stopCli(off);

  const on = await start(['--port', '0', '--control', '--latency', '60']);
  const t0 = Date.now();
  await callApi(on.url, 'meta/version');
  assert.ok(Date.now() - t0 >= 55);
  const j = await control(on.url, 'journal');
  assert.equal(j.status, 200);
  assert.deepEqual(j.json.map((e) => e.endpoint), ['meta/version']);
  await stopCli(on);
});

test('--seed and --state', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comet-emu-cli-'));
  try {
    const state = path.join(dir, 'state.json');
    const seedFile = path.join(__dirname, '..', '..', 'emulator', 'seed-example.json');
    const p = await start(['--port', '0', '--seed', seedFile, '--state', state]);
    assert.deepEqual((await callApi(p.url, 'list-users')).json, ['alice01', 'bob.smith@example.test']);
    await callApi(p.url, 'add-user', { TargetUser: 'cli-added', TargetPassword: 'password123' });
    assert.deepEqual(await stopCli(p), { code: 0, signal: null });
    const again = await start(['--port', '0', '--seed', seedFile, '--state', state]);
    assert.deepEqual((await callApi(again.url, 'list-users')).json, ['alice01', 'bob.smith@example.test', 'cli-added']);
    await stopCli(again);
    const missing = await runCli(['--port', '0', '--seed', path.join(dir, 'nope.json')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot read seed file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a busy port is a startup error, not a crash', async () => {
  const p = await start(['--port', '0']);
  const port = LISTENING_RE.exec(p.firstLine)[1];
  const r = await runCli(['--port', port]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /EADDRINUSE/);
  await stopCli(p);
});
