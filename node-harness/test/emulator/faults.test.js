// Tests every fault kind in both phases, fault counts and matching, the hash-conflict fault, and global latency.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { useEmulator, assertError, OK } = require('../../emulator/test-support');

const elapsed = async (fn) => {
  const t0 = process.hrtime.bigint();
  const r = await fn();
  return [r, Number(process.hrtime.bigint() - t0) / 1e6];
};

test.describe('fault injection', () => {
  const h = useEmulator();
  const users = () => h.json('list-users');
  const addUser = (TargetUser) => h.call('add-user', { TargetUser, TargetPassword: 'password123' });
  const lastJournal = () => h.emu.journal().at(-1);

  test.afterEach(() => {
    h.emu.clearFaults();
    h.emu.setLatency(0);
  });

  test("reset before: the connection is reset and the request is not processed", async () => {
    h.emu.injectFault({ endpoint: 'add-user', kind: 'reset' });
    await assert.rejects(addUser('reset-before'), (e) => ['ECONNRESET', 'EPIPE'].includes(e.code) || /socket hang up/.test(e.message));
    const faulted = lastJournal();
    assert.equal(faulted.endpoint, 'add-user');
    assert.equal(faulted.outcome, 'fault:reset');
    assert.equal(faulted.processed, false);
    assert.equal((await users()).includes('reset-before'), false);
    // count defaults to 1: the next call is normal.
    assert.deepEqual((await addUser('reset-before')).json, OK);
  });

  test('reset after: the write happens, then the reply is lost', async () => {
    h.emu.injectFault({ endpoint: 'add-user', kind: 'reset', phase: 'after' });
    await assert.rejects(addUser('reset-after'), (e) => e.code === 'ECONNRESET' || /socket hang up/.test(e.message));
    assert.equal((await users()).includes('reset-after'), true);
    const j = lastJournal();
    assert.equal(j.endpoint, 'list-users');
    const faulted = h.emu.journal().filter((e) => e.fault === 'reset').at(-1);
    assert.equal(faulted.outcome, 'fault:reset');
    assert.equal(faulted.processed, true);
    assert.equal(faulted.processedOutcome, 'ok');
    // A client retrying the lost add-user now sees the duplicate error: the idempotency case.
    assertError((await addUser('reset-after')).json, 400, 'User already exists');
  });

  test('delay: waits delayMs and then processes normally', async () => {
    h.emu.injectFault({ endpoint: 'add-user', kind: 'delay', delayMs: 150 });
    const [r, ms] = await elapsed(() => addUser('delayed'));
    assert.deepEqual(r.json, OK);
    assert.ok(ms >= 140, `took ${ms} ms`);
    assert.equal((await users()).includes('delayed'), true);
    const faulted = h.emu.journal().find((e) => e.fault === 'delay');
    assert.equal(faulted.outcome, 'ok');
  });

  test('http500: HTTP 500 with a non-JSON body', async () => {
    h.emu.injectFault({ endpoint: 'meta/version', kind: 'http500' });
    const r = await h.call('meta/version');
    assert.equal(r.status, 500);
    assert.equal(r.json, undefined);
  });

  test('http502html: HTTP 502 with an HTML body', async () => {
    h.emu.injectFault({ endpoint: 'meta/version', kind: 'http502html' });
    const r = await h.call('meta/version');
    assert.equal(r.status, 502);
    assert.match(r.headers['content-type'], /^text\/html/);
    assert.match(r.text, /<html>/);
    assert.match(r.text, /502 Bad Gateway/);
  });

  test('nonjson: HTTP 200 whose body is not JSON', async () => {
    h.emu.injectFault({ endpoint: 'meta/version', kind: 'nonjson' });
    const r = await h.call('meta/version');
    assert.equal(r.status, 200);
    assert.equal(r.json, undefined);
    assert.ok(r.text.length > 0);
  });

  test('truncated before: a cut-off success envelope; nothing processed', async () => {
    h.emu.injectFault({ endpoint: 'add-user', kind: 'truncated' });
    const r = await addUser('truncated-before');
    assert.equal(r.status, 200);
    assert.throws(() => JSON.parse(r.text));
    assert.ok('{"Status":200,"Message":"OK"}'.startsWith(r.text));
    assert.equal((await users()).includes('truncated-before'), false);
  });

  test('truncated after: a strict prefix of the real response', async () => {
    await addUser('trunc-target');
    const full = await h.call('get-user-profile', { TargetUser: 'trunc-target' });
    h.emu.injectFault({ endpoint: 'get-user-profile', kind: 'truncated', phase: 'after' });
    const r = await h.call('get-user-profile', { TargetUser: 'trunc-target' });
    assert.equal(r.status, 200);
    assert.throws(() => JSON.parse(r.text));
    assert.ok(r.text.length > 0 && r.text.length < full.text.length);
    assert.ok(full.text.startsWith(r.text));
  });

  test('truncated after on a streamed body (list-users-full)', async () => {
    const full = await h.call('list-users-full');
    h.emu.injectFault({ endpoint: 'list-users-full', kind: 'truncated', phase: 'after' });
    const r = await h.call('list-users-full');
    assert.throws(() => JSON.parse(r.text));
    assert.equal(r.text.length, Math.floor(full.text.length / 2));
    assert.ok(full.text.startsWith(r.text));
  });

  test('status400 / status403 / status500: HTTP 200 error envelopes, custom message supported', async () => {
    h.emu.injectFault([
      { endpoint: 'meta/version', kind: 'status400' },
      { endpoint: 'meta/version', kind: 'status403' },
      { endpoint: 'meta/version', kind: 'status500' },
      { endpoint: 'meta/version', kind: 'status500', message: 'database is locked' },
    ]);
    const r1 = await h.call('meta/version');
    assert.equal(r1.status, 200);
    assertError(r1.json, 400);
    assertError((await h.call('meta/version')).json, 403, 'Unauthorised');
    assertError((await h.call('meta/version')).json, 500);
    assertError((await h.call('meta/version')).json, 500, 'database is locked');
    assert.equal(typeof (await h.json('meta/version')).Version, 'string');
  });

  test('status500 after: the write is kept although the client is told it failed', async () => {
    await addUser('lost-ack');
    const g = await h.json('get-user-profile-and-hash', { TargetUser: 'lost-ack' });
    h.emu.injectFault({ endpoint: 'set-user-profile-hash', kind: 'status500', phase: 'after' });
    const r = await h.json('set-user-profile-hash', { TargetUser: 'lost-ack', ProfileData: { ...g.Profile, MaximumDevices: 9 }, RequireHash: g.ProfileHash });
    assertError(r, 500);
    const now = await h.json('get-user-profile-and-hash', { TargetUser: 'lost-ack' });
    assert.equal(now.Profile.MaximumDevices, 9);
    assert.notEqual(now.ProfileHash, g.ProfileHash);
  });

  test('hashconflict on set-user-profile-hash: refused as a mismatch, nothing written, a re-read and retry succeeds', async () => {
    await addUser('conflict1');
    const g = await h.json('get-user-profile-and-hash', { TargetUser: 'conflict1' });
    h.emu.injectFault({ endpoint: 'set-user-profile-hash', kind: 'hashconflict' });
    const r = await h.json('set-user-profile-hash', { TargetUser: 'conflict1', ProfileData: { ...g.Profile, MaximumDevices: 3 }, RequireHash: g.ProfileHash });
    assertError(r, 409);
    const g2 = await h.json('get-user-profile-and-hash', { TargetUser: 'conflict1' });
    assert.notEqual(g2.ProfileHash, g.ProfileHash, 'the concurrent write changed the hash');
    assert.equal(g2.Profile.MaximumDevices, 0);
    const retry = await h.json('set-user-profile-hash', { TargetUser: 'conflict1', ProfileData: { ...g2.Profile, MaximumDevices: 3 }, RequireHash: g2.ProfileHash });
    assert.equal(retry.Status, 200);
    assert.equal(retry.Profile.MaximumDevices, 3);
    const j = h.emu.journal().find((e) => e.fault === 'hashconflict');
    assert.equal(j.outcome, 'error:409');
  });

  test('hashconflict on policies/set with CheckPolicyHash', async () => {
    await h.json('policies/set', { PolicyID: 'PC1', Policy: { Description: 'x' } });
    const g = await h.json('policies/get', { PolicyID: 'PC1' });
    h.emu.injectFault({ endpoint: 'policies/set', kind: 'hashconflict' });
    assertError(await h.json('policies/set', { PolicyID: 'PC1', Policy: { Description: 'y' }, CheckPolicyHash: g.PolicyHash }), 409);
    assert.equal((await h.json('policies/get', { PolicyID: 'PC1' })).Policy.Description, 'x');
  });

  test('count: N requests are faulted, then normal; -1 keeps faulting until cleared', async () => {
    h.emu.injectFault({ endpoint: 'meta/version', kind: 'status500', count: 2 });
    assertError((await h.call('meta/version')).json, 500);
    assertError((await h.call('meta/version')).json, 500);
    assert.equal(typeof (await h.json('meta/version')).Version, 'string');

    h.emu.injectFault({ endpoint: 'meta/version', kind: 'status400', count: -1 });
    for (let i = 0; i < 5; i++) assertError((await h.call('meta/version')).json, 400);
    h.emu.clearFaults();
    assert.equal(typeof (await h.json('meta/version')).Version, 'string');
  });

  test('faults match only their endpoint; "*" and "prefix*" patterns match more', async () => {
    h.emu.injectFault({ endpoint: 'get-user-profile', kind: 'status500' });
    assert.equal(typeof (await h.json('meta/version')).Version, 'string');
    assertError((await h.call('get-user-profile', { TargetUser: 'x' })).json, 500);

    h.emu.injectFault({ endpoint: '*', kind: 'status400', count: 2 });
    assertError((await h.call('list-users')).json, 400);
    assertError((await h.call('policies/list')).json, 400);
    assert.ok(Array.isArray(await h.json('list-users')));

    h.emu.injectFault({ endpoint: 'branding/generate-client/*', kind: 'http500' });
    assert.equal((await h.call('branding/generate-client/linuxgeneric')).status, 500);
  });

  test('invalid fault specs are refused', () => {
    const bad = [
      {},
      { endpoint: 'add-user' },
      { endpoint: 'add-user', kind: 'explode' },
      { endpoint: '', kind: 'reset' },
      { endpoint: 'add-user', kind: 'reset', count: 0 },
      { endpoint: 'add-user', kind: 'reset', count: 1.5 },
      { endpoint: 'add-user', kind: 'delay' },
      { endpoint: 'add-user', kind: 'delay', delayMs: -1 },
      { endpoint: 'add-user', kind: 'reset', phase: 'during' },
      { endpoint: 'set-user-profile-hash', kind: 'hashconflict', phase: 'after' },
      [{ endpoint: 'add-user', kind: 'reset' }, { endpoint: 'add-user', kind: 'nope' }],
    ];
    for (const spec of bad) assert.throws(() => h.emu.injectFault(spec), undefined, JSON.stringify(spec));
    assert.deepEqual(h.emu.faults.list(), [], 'a partly invalid array arms nothing');
  });

  test('global latency is added to every API request', async () => {
    h.emu.setLatency(120);
    const [r, ms] = await elapsed(() => h.json('meta/version'));
    assert.equal(typeof r.Version, 'string');
    assert.ok(ms >= 110, `took ${ms} ms`);
    assert.throws(() => h.emu.setLatency(-5));
  });
});
