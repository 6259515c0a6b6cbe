#!/usr/bin/env node
'use strict';
// `make demo`: starts the Comet emulator on a free loopback port and runs a service's whole life
// through the cometprov CLI, applying each action's effects the way the WHMCS module will.
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { applyEffects } = require('../lib/driver');

const BIN = path.join(__dirname, '..', 'bin');

function startEmulator(adminPassword) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(BIN, 'comet-emulator'), '--port', '0', '--admin-password', adminPassword], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const rl = readline.createInterface({ input: child.stdout });
    rl.once('line', (line) => {
      const m = /^listening (\S+)/.exec(line);
      if (m) resolve({ child, url: m[1] });
      else reject(new Error(`unexpected emulator output: ${line}`));
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited early (${code})`)));
  });
}

function runAction(action, params, url, adminPassword, dir) {
  const file = path.join(dir, 'params.json');
  fs.writeFileSync(file, JSON.stringify(params, null, 1));
  const r = spawnSync(process.execPath, [path.join(BIN, 'cometprov'), action, '--server', url, '--params', file], {
    env: { ...process.env, COMET_ADMIN_USERNAME: 'admin', COMET_ADMIN_PASSWORD: adminPassword },
    encoding: 'utf8',
  });
  const lines = r.stdout.trimEnd().split('\n');
  const last = JSON.parse(lines.pop());
  return { transcript: lines, result: last, status: r.status };
}

async function main() {
  const adminPassword = crypto.randomBytes(12).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cometprov-demo-'));
  const { child, url } = await startEmulator(adminPassword);
  let failures = 0;
  try {
    console.log(`Comet emulator listening on ${url} (admin password generated for this run, never printed)\n`);
    const server = {};
    const service = {
      serviceid: 42, userid: 7, pid: 3, username: '', password: 'Wh1mcs-Generated',
      customfields: {}, productName: 'Backup Pro',
      configoptions: { 'number_of_devices|Devices': '3', 'protected_item_quota_gb|Protected items (GB)': '100', 'storage_vault_quota_gb|Vault (GB)': '250' },
      configoption1: 'WHMCS_demo1_P3', configoption2: '', configoption3: 'on',
      clientsdetails: { email: 'john+backup@example.com', firstname: 'John', lastname: 'Doe' },
    };
    const steps = [
      ['TestConnection', server, 'Check the server (Configuration > Servers > Test Connection)'],
      ['LoadStorageProviders', server, 'Fill the "Storage Vault" product setting'],
      ['LoadPolicies', { pid: 3, installId: 'demo1' }, 'Fill the "Policy Group" product setting'],
      ['CreateAccount', service, 'A customer orders Backup Pro: create the account'],
      ['CreateAccount', service, 'The module queue retries Create: it converges, nothing is duplicated'],
      ['SuspendAccount', service, 'The invoice is overdue: suspend'],
      ['UnsuspendAccount', service, 'Paid: unsuspend'],
      ['ChangePackage', service, 'Upgrade: 5 devices, 1 TB of protected items, no vault limit'],
      ['ChangePassword', service, 'The customer sets a new password'],
      ['UsageUpdate', null, 'The daily cron reads usage for every service on the server'],
      ['ListAccounts', server, 'Server sync lists the accounts'],
      ['SignIn', service, 'The customer clicks "Log in to Comet" (the account is checked first)'],
      ['TerminateAccount', service, 'Cancelled: terminate'],
      ['TerminateAccount', service, 'Terminate again: already gone is a success'],
    ];
    const providers = runAction('LoadStorageProviders', server, url, adminPassword, dir).result;
    service.configoption2 = providers.output.options[1].value;
    for (const [action, p, title] of steps) {
      // A vault option of 0 lifts the vault limit (an absent one would leave it as it is).
      if (action === 'ChangePackage') service.configoptions = { number_of_devices: '5', protected_item_quota_tb: '1', storage_vault_quota_gb: '0' };
      if (action === 'ChangePassword') service.password = 'N3w-Customer-Pass';
      let params = p === null ? { services: [{ serviceid: service.serviceid, username: service.username }] } : p;
      if (action === 'SignIn') params = { ...service, status: 'Active', role: 'customer' };
      console.log(`== ${action}: ${title}`);
      const { transcript, result } = runAction(action, params, url, adminPassword, dir);
      for (const line of transcript) console.log(line);
      const shown = { result: result.result };
      if (result.code) shown.code = result.code;
      if (result.effects.length) shown.effects = result.effects;
      if (result.output) shown.output = result.output;
      console.log(`   => ${JSON.stringify(shown)}\n`);
      // The version TestConnection reports is kept for the server's later plans.
      if (p === service || action === 'TestConnection') applyEffects(service, result.effects);
      if (result.result !== 'success') failures++;
    }
    console.log(failures === 0 ? 'Every action succeeded.' : `${failures} action(s) failed.`);
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exitCode = failures === 0 ? 0 : 1;
}

main().catch((e) => {
  console.error(`demo: ${e.message}`);
  process.exitCode = 1;
});
