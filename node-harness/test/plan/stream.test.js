'use strict';
// Streamed replies through the Embind core and the Node driver: the close equals plan.resume at
// every cut point of every UsageUpdate conversation body (Uint8Array and string chunks), and
// runPlan streaming list-users-full from the emulator gives the same done as without streaming.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadCore } = require('../../lib/core');
const { loadConversations } = require('../../lib/vectors');
const { runPlan } = require('../../lib/driver');
const { startEmulator } = require('../../emulator');

function startState(core, services) {
  const r = core.invoke('plan.start', { action: 'UsageUpdate', context: { services } });
  assert.equal(r.ok, true);
  assert.equal(r.value.request.stream, true);
  return r.value.state;
}

function resumeText(core, state, response) {
  return core.invokeJson(JSON.stringify({ op: 'plan.resume', args: { state, response } }));
}

function streamText(core, state, bytes, cuts, close) {
  assert.equal(core.streamOpen(state).ok, true);
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    core.streamWrite(bytes.subarray(from, c));
    from = c;
  }
  return core.streamCloseJson(close);
}

test('the close equals plan.resume at every cut point of every UsageUpdate conversation body', async () => {
  const core = await loadCore();
  const conversations = loadConversations().filter((c) => c.action === 'UsageUpdate' && c.replies.length === 1 && typeof c.replies[0].body === 'string');
  assert.ok(conversations.length >= 12, `only ${conversations.length} usage conversations`);
  let checked = 0;
  for (const c of conversations) {
    const r = core.invoke('plan.start', { action: 'UsageUpdate', context: c.context });
    if (!r.ok) continue;
    const state = r.value.state;
    const reply = c.replies[0];
    const expected = resumeText(core, state, reply);
    const bytes = Buffer.from(reply.body, 'utf8');
    const close = { httpStatus: reply.httpStatus };
    for (let cut = 0; cut <= bytes.length; cut++) {
      assert.equal(streamText(core, state, bytes, [cut], close), expected, `${c.name}: cut at ${cut}`);
      checked++;
    }
    // Strings are written as UTF-8: the same answer.
    assert.equal(core.streamOpen(state).ok, true);
    core.streamWrite(reply.body);
    assert.equal(core.streamCloseJson(close), expected, `${c.name}: one string`);
  }
  assert.ok(checked > 500, `only ${checked} cuts`);
});

test('random chunkings of a large body give the same rows; a bad byte stops the stream early', async () => {
  const core = await loadCore();
  const users = {};
  const services = [];
  for (let i = 0; i < 300; i++) {
    const name = i % 3 === 0 ? `ü${i}\u{1F600}` : `user${i}`;
    users[name] = { CreationGUID: `g${i}`, Destinations: { [`v${i}`]: { DestinationType: 1003, StorageLimitEnabled: true, StorageLimitBytes: (i + 1) * 1048576, Statistics: { ClientProvidedSize: { Size: i * 1048576 } } } } };
    if (i % 2 === 0) services.push({ serviceid: i + 1, username: name });
  }
  const body = Buffer.from(JSON.stringify(users).replace(/ü/g, '\\u00fc'), 'utf8');
  const state = startState(core, services);
  const expected = resumeText(core, state, { httpStatus: 200, body: body.toString('utf8') });
  assert.match(expected, /"updated":150,/);
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 97) + 1;
  for (let round = 0; round < 50; round++) {
    const cuts = [];
    for (let at = rand(); at < body.length; at += rand()) cuts.push(at);
    assert.equal(streamText(core, state, body, cuts, { httpStatus: 200 }), expected, `round ${round}`);
  }
  // A broken byte: the write says stop, and the close names it.
  const broken = Buffer.from(body);
  broken[100] = 0x01;
  assert.equal(core.streamOpen(state).ok, true);
  assert.equal(core.streamWrite(broken.subarray(0, 50)), 0);
  assert.equal(core.streamWrite(broken.subarray(50, 200)), 1);
  const done = core.streamClose({ httpStatus: 200 }).value.done;
  assert.equal(done.code, 'comet.bad_reply');
  assert.equal(done.detail.offset, 100);
  assert.deepEqual(done.effects, []);
  assert.equal(core.streamWrite(body.subarray(0, 5)), -3, 'the close ended the stream');
  assert.equal(core.streamClose({ httpStatus: 200 }).error.code, 'plan.no_stream');
});

test('runPlan streams list-users-full from the emulator: same done as plan.resume; faults fail cleanly', async () => {
  const emu = await startEmulator({ port: 0, control: true, adminPassword: 'adm1n-secret' });
  try {
    emu.seedUsers({ count: 2000, prefix: 'gen' });
    const core = await loadCore();
    const server = { url: emu.url, adminUsername: 'admin', adminPassword: 'adm1n-secret' };
    const services = [];
    for (let i = 0; i < 2000; i += 2) services.push({ serviceid: i + 1, username: `gen${String(i).padStart(6, '0')}` });
    services.push({ serviceid: 99999, username: 'nobody' });
    const context = { services };
    const steps = [];
    const streamed = await runPlan({ core, action: 'UsageUpdate', context, server, onStep: (s) => steps.push(s) });
    const whole = await runPlan({ core, action: 'UsageUpdate', context, server, stream: false });
    assert.equal(streamed.result, 'success');
    assert.deepEqual(streamed.effects, whole.effects);
    assert.deepEqual(streamed.output, whole.output);
    assert.equal(streamed.output.updated, 1000);
    assert.equal(streamed.output.unmatchedCount, 1);
    assert.deepEqual(streamed.output.unmatched, ['99999']);
    assert.equal(streamed.output.unknownAccountCount, 1000);
    assert.equal(streamed.output.unknownAccounts.length, 20);
    assert.match(steps[0].outcome, /^HTTP 200 \(streamed, \d+ bytes\)$/);
    // gen000000: vaults of 1 and 2 MiB, limits 10 and 5 GiB (emulator README "Generated users").
    const row = streamed.effects.find((e) => e.type === 'usage').value[0];
    assert.deepEqual(row, { serviceid: '1', username: 'gen000000', diskusage: 3, disklimit: 15 * 1024 });

    for (const kind of ['truncated', 'nonjson', 'http502html', 'reset', 'status500']) {
      emu.injectFault({ endpoint: 'list-users-full', kind, phase: kind === 'truncated' ? 'after' : 'before' });
      const failed = await runPlan({ core, action: 'UsageUpdate', context, server });
      assert.notEqual(failed.result, 'success', kind);
      assert.deepEqual(failed.effects, [], `${kind}: no usage effect`);
      const expectedCode = { truncated: 'comet.bad_reply', nonjson: 'comet.bad_reply', http502html: 'comet.http', reset: 'comet.transport', status500: 'comet.refused' }[kind];
      assert.equal(failed.code, expectedCode, `${kind}: ${failed.result}`);
      // The next run starts clean.
      const again = await runPlan({ core, action: 'UsageUpdate', context, server });
      assert.deepEqual(again.effects, streamed.effects, `${kind}: the next run`);
    }
  } finally {
    await emu.close();
  }
});
