'use strict';
// Runs every golden vector through the Embind build of the core.
const test = require('node:test');
const assert = require('node:assert/strict');
const { loadCore } = require('../../lib/core');
const { loadVectorCases, requestOf, canonical } = require('../../lib/vectors');

const cases = loadVectorCases();

test('the vector suite is not empty', () => {
  assert.ok(cases.length >= 150, `only ${cases.length} cases`);
});

test('every vector matches through Embind', async (t) => {
  const core = await loadCore();
  for (const c of cases) {
    await t.test(`${c.file}#${c.index} ${c.name}`, () => {
      const out = core.invokeJson(requestOf(c));
      assert.deepEqual(canonical(JSON.parse(out)), canonical(c.expect));
    });
  }
});
