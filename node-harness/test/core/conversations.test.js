'use strict';
// Runs every plan conversation (tests/vectors/conversations) through the Embind build of the core:
// the requests the plan makes and how it ends must be exactly the expected ones.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadCore } = require('../../lib/core');
const { loadConversations, runConversation, canonical } = require('../../lib/vectors');

const conversations = loadConversations();

test('the conversations cover every action the core publishes', async () => {
  assert.ok(conversations.length >= 140, `only ${conversations.length} conversations`);
  const core = await loadCore();
  const { actions } = core.invoke('version').value;
  const seen = new Set(conversations.map((c) => c.action));
  for (const a of actions) assert.ok(seen.has(a), `${a} has no conversation`);
});

test('every conversation runs as expected through Embind', async (t) => {
  const core = await loadCore();
  for (const c of conversations) {
    await t.test(c.name, () => {
      const { transcript } = runConversation((text) => core.invokeJson(text), c);
      assert.deepEqual(canonical(transcript), canonical(c.expect));
    });
  }
});
