'use strict';
// Cross-host conformance: native, Node (Embind) and PHP (the C-ABI module over the wasmer-php
// surface) must answer every request with the same bytes.
const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..');
const { loadCore } = require(path.join(ROOT, 'node-harness', 'lib', 'core'));
const { loadVectorCases, requestOf, loadConversations, runConversation, CONVERSATIONS_FILE } = require(path.join(ROOT, 'node-harness', 'lib', 'vectors'));
const fs = require('node:fs');

// Beyond the vectors: plan starts whose outputs carry serialised states, so the hosts must agree on
// the state bytes too, and a few requests with awkward text.
function extraRequests() {
  const ctx = {
    serviceid: 7, pid: '3', username: '', password: 'Pässwörd-ünïcode', customfields: { Username: '' },
    configoptions: { 'number_of_devices|Devices': 2, storage_vault_quota_gb: '1.5' },
    configoption1: 'WHMCS_P3', configoption2: 'p1', configoption3: 'on',
    clientsdetails: { email: 'Zoë+x@例え.jp', firstname: 'Zoë' }, now: 1700000000, installId: 'x9', big: 18446744073709551615n,
    status: 'Active', role: 'customer',
  };
  const actions = ['CreateAccount', 'SuspendAccount', 'UnsuspendAccount', 'ChangePackage', 'TerminateAccount', 'ChangePassword',
    'TestConnection', 'UsageUpdate', 'ListAccounts', 'ServiceOverview', 'SignIn', 'AdoptAccount', 'AdminSingleSignOn',
    'LoadPolicies', 'LoadStorageProviders'];
  const text = (v) => JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? `__BIG${x}__` : x)).replace(/"__BIG(\d+)__"/g, '$1');
  const out = [];
  for (const action of actions) {
    out.push(text({ op: 'plan.start', args: { action, context: { ...ctx, username: 'user1', marker: 'm' } } }));
    out.push(text({ op: 'plan.start', args: { action, context: ctx } }));
  }
  out.push('{"op":"profile.apply","args":{"profile":{"x":1.0e2,"y":-0.0,"z":1E-7,"s":"\\u00e9\\ud83d\\ude00\\/"},"suspended":true}}');
  out.push('{"op":"username.validate","args":{"username":"\\u0000\\u001f\\u007f"}}');
  return out;
}

function runBatch(command, args, requests, input = JSON.stringify(requests)) {
  const r = spawnSync(command, args, { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, cwd: ROOT });
  assert.equal(r.signal, null, `${command} ${args.join(' ')} was killed by ${r.signal}`);
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed: ${r.stderr}`);
  const out = JSON.parse(r.stdout);
  assert.equal(out.length, requests.length);
  return out;
}

test('native, Node and PHP produce identical bytes for every request', async () => {
  const requests = [...loadVectorCases().map(requestOf), ...extraRequests()];
  assert.ok(requests.length >= 250, `only ${requests.length} requests`);
  const core = await loadCore();
  const node = requests.map((r) => core.invokeJson(r));
  const native = runBatch(path.join(ROOT, process.env.COMETPROV_NATIVE_CLI || 'build/cometprov'), ['--batch'], requests);
  const php = runBatch('php', [path.join(ROOT, 'scripts', 'invoke-php'), '--batch'], requests);
  let differences = 0;
  for (let i = 0; i < requests.length; i++) {
    if (native[i] !== node[i] || native[i] !== php[i]) {
      differences++;
      if (differences <= 5) {
        assert.fail(`request ${i} differs\nrequest: ${requests[i].slice(0, 300)}\nnative: ${native[i].slice(0, 300)}\nnode:   ${node[i].slice(0, 300)}\nphp:    ${php[i].slice(0, 300)}`);
      }
    }
  }
  assert.equal(differences, 0);
});

test('native, Node and PHP run every plan conversation to the same bytes', async () => {
  const conversations = loadConversations();
  assert.ok(conversations.length >= 140, `only ${conversations.length} conversations`);
  const core = await loadCore();
  const node = conversations.map((c) => runConversation((text) => core.invokeJson(text), c).responses);
  const input = fs.readFileSync(CONVERSATIONS_FILE, 'utf8');
  const native = runBatch(path.join(ROOT, process.env.COMETPROV_NATIVE_CLI || 'build/cometprov'), ['--conversations'], conversations, input);
  const php = runBatch('php', [path.join(ROOT, 'scripts', 'invoke-php'), '--conversations'], conversations, input);
  let steps = 0;
  for (let i = 0; i < conversations.length; i++) {
    const name = conversations[i].name;
    assert.deepEqual(native[i], node[i], `native and Node differ in "${name}"`);
    assert.deepEqual(php[i], node[i], `PHP and Node differ in "${name}"`);
    steps += node[i].length;
  }
  // Every conversation produced at least its start response; most produced several steps.
  assert.ok(steps > conversations.length * 2, `only ${steps} steps`);
});

// Streamed replies: every "stream" step answered through the core's stream (bodies written in small
// pieces, cut inside names, escapes and numbers) must give, on every host, the very bytes plan.resume
// gives for the same reply.
let streamOpens = 0;
function runStreamedConversation(core, c, chunk) {
  const responses = [];
  let used = 0;
  let out = core.invokeJson(JSON.stringify({ op: 'plan.start', args: { action: c.action, context: c.context } }));
  for (;;) {
    responses.push(out);
    const r = JSON.parse(out);
    if (!r.ok || !r.value.state || used >= c.replies.length) break;
    const reply = c.replies[used++];
    if (r.value.request.stream === true && reply && reply.httpStatus !== undefined) {
      assert.equal(core.streamOpen(r.value.state).ok, true);
      streamOpens++;
      const bytes = Buffer.from(typeof reply.body === 'string' ? reply.body : '', 'utf8');
      for (let at = 0; at < bytes.length; at += chunk) core.streamWrite(bytes.subarray(at, at + chunk));
      const { body, ...close } = reply;
      out = core.streamCloseJson(close);
      continue;
    }
    out = core.invokeJson(JSON.stringify({ op: 'plan.resume', args: { state: r.value.state, response: reply } }));
  }
  return responses;
}

test('native, Node and PHP stream every "stream" reply to the same bytes as plan.resume', async () => {
  const conversations = loadConversations();
  const core = await loadCore();
  const whole = conversations.map((c) => runConversation((text) => core.invokeJson(text), c).responses);
  const input = fs.readFileSync(CONVERSATIONS_FILE, 'utf8');
  const node = conversations.map((c) => runStreamedConversation(core, c, 5));
  const native = runBatch(path.join(ROOT, process.env.COMETPROV_NATIVE_CLI || 'build/cometprov'), ['--conversations', '--stream', '7'], conversations, input);
  const php = runBatch('php', [path.join(ROOT, 'scripts', 'invoke-php'), '--conversations', '--stream', '3'], conversations, input);
  let streamed = 0;
  for (let i = 0; i < conversations.length; i++) {
    const name = conversations[i].name;
    assert.deepEqual(node[i], whole[i], `Node streamed differs from plan.resume in "${name}"`);
    assert.deepEqual(native[i], whole[i], `native streamed differs in "${name}"`);
    assert.deepEqual(php[i], whole[i], `PHP streamed differs in "${name}"`);
    if (conversations[i].action === 'UsageUpdate' && conversations[i].replies.length > 0) streamed++;
  }
  assert.ok(streamed >= 12, `only ${streamed} streamed conversations`);
  assert.ok(streamOpens >= streamed, `Node streamed only ${streamOpens} replies`);
});
