// Tests --state persistence: save after every write, restart round-trips, seed-only-when-fresh, atomic writes that survive SIGKILL, and bad files.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { callApi, spawnCli, stopCli, assertError } = require('../../emulator/test-support');
const { startEmulator } = require('../../emulator');

const tmpDirs = [];
function tmpDir() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'comet-emu-state-'));
  tmpDirs.push(d);
  return d;
}
test.after(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

const api = async (emu, endpoint, params) => (await callApi(emu.url, endpoint, params)).json;

test('state is saved after each write and restored on restart', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'state.json');
  let emu = await startEmulator({ port: 0, stateFile: file });
  let restarted;
  try {
    assert.equal(JSON.parse(fs.readFileSync(file, 'utf8')).format, 'comet-emulator-state/1', 'a fresh state file is written at start');

    await api(emu, 'add-user', { TargetUser: 'persist1', TargetPassword: 'password123', StoreRecoveryCode: '1' });
    // Read the file while the server is still running: the write is already on disk.
    const onDisk = JSON.parse(fs.readFileSync(file, 'utf8'));
    const g = await api(emu, 'get-user-profile-and-hash', { TargetUser: 'persist1' });
    assert.equal(onDisk.users.persist1.hash, g.ProfileHash);
    assert.equal(onDisk.users.persist1.profile.CreationGUID, g.Profile.CreationGUID);

    await api(emu, 'policies/set', { PolicyID: 'PP', Policy: { Description: 'persisted policy', Policy: { HideAppVersion: true } } });
    await api(emu, 'set-user-profile-hash', { TargetUser: 'persist1', ProfileData: { ...g.Profile, PolicyID: 'PP', MaximumDevices: 5 }, RequireHash: g.ProfileHash });
    await api(emu, 'request-storage-vault', { TargetUser: 'persist1', StorageProvider: '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701' });
    const session = await api(emu, 'account/session-start');
    const fullBefore = (await callApi(emu.url, 'list-users-full')).text;
    const hashBefore = (await api(emu, 'get-user-profile-hash', { TargetUser: 'persist1' })).ProfileHash;
    const policyBefore = await api(emu, 'policies/get', { PolicyID: 'PP' });
    await emu.close();

    restarted = await startEmulator({ port: 0, stateFile: file });
    assert.equal((await callApi(restarted.url, 'list-users-full')).text, fullBefore);
    assert.equal((await api(restarted, 'get-user-profile-hash', { TargetUser: 'persist1' })).ProfileHash, hashBefore);
    assert.deepEqual(await api(restarted, 'policies/get', { PolicyID: 'PP' }), policyBefore);
    const v = await callApi(restarted.url, 'meta/version', {}, { auth: { Username: 'admin', AuthType: 'SessionKey', SessionKey: session.SessionKey } });
    assert.equal(typeof v.json.Version, 'string', 'sessions survive a restart');
    // The recovery code survived too: a recovery-based reset still works.
    assert.equal((await api(restarted, 'reset-user-password', { TargetUser: 'persist1', NewPassword: 'password456' })).Status, 200);
  } finally {
    await emu.close();
    if (restarted) await restarted.close();
  }
  assert.deepEqual(fs.readdirSync(dir), ['state.json'], 'no temp files are left behind');
});

test('a seed applies only to a fresh state file, so restarts with the same flags keep changes', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'state.json');
  const seed = { users: { seeded01: { password: 'password123' }, seeded02: {} }, jobs: [{ GUID: 'sj1', Username: 'seeded01' }] };
  const first = await startEmulator({ port: 0, stateFile: file, seed });
  await api(first, 'delete-user', { TargetUser: 'seeded01' });
  await first.close();
  const second = await startEmulator({ port: 0, stateFile: file, seed });
  try {
    assert.deepEqual(await api(second, 'list-users'), ['seeded02']);
    assert.deepEqual(await api(second, 'get-jobs-all'), []);
  } finally {
    await second.close();
  }
});

test('a stale temp file from a crash is ignored; a corrupt or foreign state file stops startup', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'state.json');
  const emu = await startEmulator({ port: 0, stateFile: file });
  await api(emu, 'add-user', { TargetUser: 'survivor', TargetPassword: 'password123' });
  await emu.close();
  fs.writeFileSync(`${file}.tmp-99999`, '{"format":"comet-emulator-state/1","users":{"torn');
  const again = await startEmulator({ port: 0, stateFile: file });
  try {
    assert.deepEqual(await api(again, 'list-users'), ['survivor']);
  } finally {
    await again.close();
  }

  const corrupt = path.join(dir, 'corrupt.json');
  fs.writeFileSync(corrupt, '{"format":"comet-emulator-state/1","users":{');
  await assert.rejects(startEmulator({ port: 0, stateFile: corrupt }), /not valid JSON/);
  const foreign = path.join(dir, 'foreign.json');
  fs.writeFileSync(foreign, '{"hello":"world"}');
  await assert.rejects(startEmulator({ port: 0, stateFile: foreign }), /not a comet-emulator-state\/1 file/);
});

test('a failed save is reported as Status 500', async () => {
  const dir = tmpDir();
  const sub = path.join(dir, 'sub');
  fs.mkdirSync(sub);
  const emu = await startEmulator({ port: 0, stateFile: path.join(sub, 'state.json') });
  try {
    fs.rmSync(sub, { recursive: true });
    assertError(await api(emu, 'add-user', { TargetUser: 'unsaved', TargetPassword: 'password123' }), 500);
  } finally {
    await emu.close();
  }
});

test('SIGKILL during a stream of writes never leaves a torn state file, and every acknowledged write is kept', async () => {
  const dir = tmpDir();
  const file = path.join(dir, 'state.json');
  const proc = await spawnCli(['--port', '0', '--state', file]);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
  const acked = [];
  let killed = false;
  const worker = async (w) => {
    for (let i = 0; i < 200 && !killed; i++) {
      const name = `crash-${w}-${i}`;
      try {
        const r = await callApi(proc.url, 'add-user', { TargetUser: name, TargetPassword: 'password123' }, { agent });
        if (r.json && r.json.Status === 200) acked.push(name);
      } catch (e) {
        return; // the server is gone
      }
      if (acked.length >= 150 && !killed) {
        killed = true;
        proc.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: 10 }, (_, w) => worker(w)));
  agent.destroy();
  const { signal } = await proc.exited;
  assert.equal(signal, 'SIGKILL');
  assert.ok(acked.length >= 150);

  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  for (const name of acked) assert.ok(data.users[name], `${name} was acknowledged but is not in the state file`);

  const again = await spawnCli(['--port', '0', '--state', file]);
  try {
    const users = (await callApi(again.url, 'list-users')).json;
    for (const name of acked) assert.ok(users.includes(name), name);
  } finally {
    await stopCli(again);
  }
});
