// Bounded load check: 20 concurrent clients make 2,000 add-user and 2,000 get-user-profile calls on loopback with no errors and no lost users.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { useEmulator, callApi } = require('../../emulator/test-support');

const CLIENTS = 20;
const USERS_PER_CLIENT = 100;

test.describe('load', () => {
  const h = useEmulator();

  // Bounded in count (4,000 requests) and in time (the timeout only stops a hang; nothing asserts speed).
  test('2,000 add-user + 2,000 get-user-profile from 20 concurrent clients', { timeout: 120000 }, async () => {
    const errors = [];
    const client = async (c) => {
      // One keep-alive connection per client, like 20 independent API consumers.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < USERS_PER_CLIENT; i++) {
          const name = `load-${c}-${i}`;
          const add = await callApi(h.url, 'add-user', { TargetUser: name, TargetPassword: `password-${c}-${i}` }, { agent });
          if (add.status !== 200 || !add.json || add.json.Status !== 200) errors.push(`add ${name}: ${add.text}`);
          const get = await callApi(h.url, 'get-user-profile', { TargetUser: name }, { agent });
          if (get.status !== 200 || !get.json || get.json.Username !== name) errors.push(`get ${name}: ${get.text.slice(0, 100)}`);
        }
      } catch (e) {
        errors.push(`client ${c}: ${e.message}`);
      } finally {
        agent.destroy();
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
    assert.deepEqual(errors, []);

    const users = (await callApi(h.url, 'list-users')).json;
    assert.equal(users.length, CLIENTS * USERS_PER_CLIENT);
    const expected = new Set();
    for (let c = 0; c < CLIENTS; c++) for (let i = 0; i < USERS_PER_CLIENT; i++) expected.add(`load-${c}-${i}`);
    assert.deepEqual(new Set(users), expected);

    // list-users-full is streamed in pieces; with 2,000 users it spans many writes.
    const full = (await callApi(h.url, 'list-users-full')).json;
    assert.deepEqual(Object.keys(full), users);
    assert.equal(full['load-7-42'].Username, 'load-7-42');

    const j = h.emu.journal();
    assert.equal(j.filter((e) => e.endpoint === 'add-user' && e.outcome === 'ok').length, 2000);
    assert.equal(j.filter((e) => e.endpoint === 'get-user-profile' && e.outcome === 'ok').length, 2000);
  });
});
