'use strict';
// Shared fixtures for the plan tests: an emulator per test file, WHMCS-shaped params, and runners.
const { startEmulator } = require('../../emulator');
const { loadCore } = require('../../lib/core');
const { runPlan, contextFromParams, applyEffects } = require('../../lib/driver');

const PROVIDER = '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701'; // the emulator's default Comet storage template
const GiB = 1024 ** 3;

function serviceParams(overrides = {}) {
  return {
    serviceid: 101,
    userid: 7,
    pid: 3,
    domain: '',
    username: '',
    password: 'Gener4tedPassw0rd',
    customfields: {},
    configoptions: {
      'number_of_devices|Devices': '2',
      protected_item_quota_gb: '10',
      storage_vault_quota_gb: '50',
    },
    configoption1: 'WHMCS_P3',
    configoption2: PROVIDER,
    configoption3: 'on',
    configoption4: '',
    configoption5: '',
    clientsdetails: { email: 'john+backup@example.com', firstname: 'John', lastname: 'Doe' },
    productName: 'Backup Pro',
    serverpassword: 'must-not-reach-the-core',
    ...overrides,
  };
}

async function setup(mode) {
  const emu = await startEmulator({ port: 0, mode, control: true, adminPassword: 'adm1n-secret' });
  const core = await loadCore();
  const server = { url: emu.url, adminUsername: 'admin', adminPassword: 'adm1n-secret' };
  // The server's version as the module keeps it (per server, from TestConnection or any plan's
  // serverVersion effect): passed to every later plan, so only the first one asks meta/version.
  let knownVersion;
  /** Runs an action as the WHMCS module would and applies its effects to `params`. */
  async function run(action, params, extra = {}) {
    const version = knownVersion && params.serverVersion === undefined ? { serverVersion: knownVersion } : {};
    const context = contextFromParams(params, { serverUrl: emu.url, ...version, ...extra });
    const result = await runPlan({ core, action, context, server });
    const usage = applyEffects(params, result.effects);
    for (const e of result.effects || []) if (e.type === 'serverVersion') knownVersion = e.value;
    return { ...result, usage };
  }
  function user(name) {
    const rec = emu.state.getUser(name);
    return rec ? rec.profile : undefined;
  }
  function remoteVaults(profile) {
    return Object.values(profile.Destinations || {}).filter((d) => d.DestinationType !== 1002);
  }
  return { emu, core, server, run, user, remoteVaults };
}

module.exports = { setup, serviceParams, PROVIDER, GiB };
