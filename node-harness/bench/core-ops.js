#!/usr/bin/env node
// Core operations per second on three hosts (native CLI, Node through Embind, and the requests
// written for tests/php/bench/core-ops.php), and the scaling of the large-input ops (time at n and at
// 4n, native CLI). Prints one JSON object. Usage:
//   node bench/core-ops.js --out DIR [--native build/cometprov] [--runs 5] [--scale-n 10000]
// DIR receives requests/<name>.json (one request text each) for the PHP host.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { loadCore } = require('../lib/core');
const { startEmulator } = require('../emulator');
const { callApi } = require('../emulator/client');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
}
const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.resolve(arg('out', path.join(ROOT, 'build', 'bench')));
const NATIVE = path.resolve(ROOT, arg('native', 'build/cometprov'));
const RUNS = Number(arg('runs', 5));
const SCALE_N = Number(arg('scale-n', 10000));

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const r3 = (x) => Math.round(x * 1000) / 1000;

/** A ~200 KB profile: 125 vaults, 125 sources, 125 backup rules, 40 devices. */
function bigProfile() {
  const p = {
    Username: 'big.profile',
    LocalTimezone: 'Europe/Berlin',
    LanguageCode: 'en_US',
    Emails: ['big.profile@example.test'],
    Destinations: {},
    Sources: {},
    BackupRules: {},
    Devices: {},
    IsSuspended: false,
    AllProtectedItemsQuotaEnabled: false,
    AllProtectedItemsQuotaBytes: 0,
    MaximumDevices: 0,
    PolicyID: '',
    Policy: {},
    CreateTime: 1700000000,
    CreationGUID: '0b6f6a8e-1f3c-4d7e-9a2b-3c4d5e6f7a81',
  };
  for (let i = 0; i < 125; i++) {
    const id = `7c0e${String(i).padStart(4, '0')}-1111-4222-8333-444455556666`;
    p.Destinations[id] = {
      Description: `Vault ${i}`,
      DestinationType: i % 3 === 0 ? 1002 : 1003,
      CreateTime: 1700000000 + i,
      ModifyTime: 1700000000 + i,
      CometServer: 'https://comet.example.test/',
      CometBucket: `bucket-${i}`,
      CometBucketKey: `k${'x'.repeat(40)}${i}`,
      StorageLimitEnabled: i % 2 === 0,
      StorageLimitBytes: i * 1073741824,
      Statistics: { ClientProvidedSize: { Size: i * 1048576, MeasureStarted: 1700000000, MeasureCompleted: 1700000600 } },
      RepoInitTimestamp: 1700000000,
      EncryptionKey: 'e'.repeat(128),
      EncryptionKeyEncryptionMethod: 2,
    };
    p.Sources[`src-${i}`] = {
      Engine: 'engine1/file',
      Description: `Source ${i} with a longer description of what is protected`,
      OwnerDevice: `dev-${i % 40}`,
      EngineProps: { INCLUDE: `C:\\Users\\someone\\Documents\\Folder${i}\nD:\\Data\\${i}`, EXCLUDE: '*.tmp\n*.bak\n~$*' },
      Statistics: { LastStartTime: 1700000000, LastBackupJob: { TotalSize: i * 8192, Status: 5000, FileCount: i * 10 } },
    };
    p.BackupRules[`rule-${i}`] = {
      Description: `Rule ${i}`,
      Source: `src-${i}`,
      Destination: id,
      Schedules: [{ FrequencyType: 8013, SecondsPast: 7200 + i }, { FrequencyType: 8014, SecondsPast: 3600 }],
      EventTriggers: { OnPCBoot: false, OnPCBootIfLastJobMissed: true, OnLastJobFailDoRetry: true },
      RetentionPolicy: { Mode: 801, Ranges: [{ Type: 900, Days: 30 }, { Type: 902, Weeks: 8 }, { Type: 903, Months: 12 }] },
      Options: { SkipAlreadyRunning: true, StopAfter: 0, LimitVaultSpeedBps: 0, ReduceDiskConcurrency: false, UseOnDiskIndexes: false },
    };
  }
  for (let i = 0; i < 40; i++) {
    p.Devices[`dev-${i}`] = {
      FriendlyName: `Workstation ${i}`,
      RegistrationTime: 1700000000,
      PlatformVersion: { Version: '10.0.19045', Distribution: 'Windows 10 Pro', Architecture: 'x86_64' },
      ClientVersion: '25.9.8',
    };
  }
  return p;
}

async function usersBody(n) {
  const emu = await startEmulator({ mode: '18.9', seedUsers: { count: n, prefix: 'user' } });
  try {
    const r = await callApi(emu.url, 'list-users-full', {}, { parse: false, timeoutMs: 300000 });
    if (r.status !== 200) throw new Error(`list-users-full: HTTP ${r.status}`);
    return r.text;
  } finally {
    await emu.close();
  }
}

const names = (n) => Array.from({ length: n }, (_, i) => `user${String(i).padStart(6, '0')}`);

/** plan.resume of UsageUpdate: the list-users-full body of n users for n services (the usage parser today). */
function usageResumeRequest(invoke, n, body) {
  const services = names(n).map((username, i) => ({ serviceid: i + 1, username }));
  const start = JSON.parse(invoke(JSON.stringify({ op: 'plan.start', args: { action: 'UsageUpdate', context: { services } } })));
  if (!start.ok || !start.value.request || start.value.request.endpoint !== 'list-users-full') {
    throw new Error(`plan.start UsageUpdate: ${JSON.stringify(start).slice(0, 300)}`);
  }
  return JSON.stringify({ op: 'plan.resume', args: { state: start.value.state, response: { httpStatus: 200, body } } });
}

function quotasRequest(n) {
  const configoptions = { 'number_of_devices|Devices': '3', 'protected_item_quota_gb|Protected (GB)': '100', 'storage_vault_quota_gb|Storage (GB)': '250' };
  for (let i = 3; i < n; i++) configoptions[`extra_option_${i}|Extra ${i}`] = String(i % 7);
  return JSON.stringify({ op: 'options.quotas', args: { configoptions } });
}

function fromProfilesRequest(n) {
  const profiles = {};
  for (const [i, name] of names(n).entries()) {
    profiles[name] = { Destinations: { a: { DestinationType: 1003, StorageLimitEnabled: true, StorageLimitBytes: 1073741824, Statistics: { ClientProvidedSize: { Size: i * 1024 } } } } };
  }
  return JSON.stringify({ op: 'usage.fromProfiles', args: { profiles } });
}

/** Ops per second of one request through fn: 5 runs, each as many invokes as fit in ~250 ms (at least 1). */
function opsPerSecond(fn, request) {
  const first = fn(request); // warm-up, and a check that the request works
  const parsed = JSON.parse(first);
  if (parsed.ok !== true) throw new Error(`request failed: ${first.slice(0, 300)}`);
  const rates = [];
  for (let r = 0; r < RUNS; r++) {
    let n = 0;
    const t = process.hrtime.bigint();
    let el = 0;
    do {
      fn(request);
      n++;
      el = Number(process.hrtime.bigint() - t) / 1e9;
    } while (el < 0.25);
    rates.push(n / el);
  }
  return { ops_per_s: r3(median(rates)), ms_per_op: r3(1000 / median(rates)), runs: RUNS };
}

/** One request through the native CLI (the plan state must come from the host that resumes it). */
function nativeInvoke(text) {
  const r = spawnSync(NATIVE, [], { input: text, maxBuffer: 1 << 30 });
  if (r.signal) throw new Error(`${NATIVE} killed by ${r.signal}`);
  return String(r.stdout);
}

/** Wall time of one native CLI process on a request file (stdin), seconds. */
function nativeOnce(file, batch = false) {
  const t = process.hrtime.bigint();
  const r = spawnSync(NATIVE, batch ? ['--batch'] : [], { stdio: [fs.openSync(file, 'r'), 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0 || r.signal) throw new Error(`${NATIVE} exited ${r.status} ${r.signal || ''}: ${String(r.stderr).slice(0, 300)} ${String(r.stdout).slice(0, 300)}`);
  return s;
}

/**
 * Native ops per second through `cometprov --batch`: a batch of k copies against a batch of one, so
 * process start-up and reading the batch cancel out: (k - 1) / (t_k - t_1), medians of 5.
 */
function nativeOpsPerSecond(name, request, approxMs) {
  const k = Math.max(3, Math.min(20001, Math.round(1500 / Math.max(approxMs, 0.01))));
  const one = path.join(OUT, 'tmp', `${name}.1.json`);
  const many = path.join(OUT, 'tmp', `${name}.k.json`);
  fs.writeFileSync(one, JSON.stringify([request]));
  const fd = fs.openSync(many, 'w');
  fs.writeSync(fd, '[');
  const quoted = JSON.stringify(request);
  for (let i = 0; i < k; i++) fs.writeSync(fd, (i ? ',' : '') + quoted);
  fs.writeSync(fd, ']');
  fs.closeSync(fd);
  const t1 = [];
  const tk = [];
  for (let r = 0; r < RUNS; r++) {
    t1.push(nativeOnce(one, true));
    tk.push(nativeOnce(many, true));
  }
  fs.rmSync(one);
  fs.rmSync(many);
  const per = (median(tk) - median(t1)) / (k - 1);
  return { ops_per_s: r3(1 / per), ms_per_op: r3(per * 1000), runs: RUNS, batch: k };
}

function scaling(name, makeRequest, n) {
  const out = { n, n4: 4 * n };
  for (const [key, size] of [['seconds_n', n], ['seconds_4n', 4 * n]]) {
    const file = path.join(OUT, 'tmp', `scale-${name}-${size}.json`);
    fs.writeFileSync(file, makeRequest(size));
    out.bytes_n = out.bytes_n || fs.statSync(file).size;
    const times = [];
    for (let r = 0; r < RUNS; r++) times.push(nativeOnce(file));
    out[key] = r3(median(times));
    fs.rmSync(file);
  }
  out.ratio = Math.round((out.seconds_4n / out.seconds_n) * 100) / 100;
  out.under_5 = out.ratio < 5;
  return out;
}

async function main() {
  fs.mkdirSync(path.join(OUT, 'requests'), { recursive: true });
  fs.mkdirSync(path.join(OUT, 'tmp'), { recursive: true });
  const core = await loadCore();
  const body10k = await usersBody(10000);
  const profile = bigProfile();
  const requests = {
    'username.derive': JSON.stringify({ op: 'username.derive', args: { customUsername: '', email: 'john.backup+billing@example.com', serviceId: 42 } }),
    'options.quotas': quotasRequest(3),
    'profile.apply (200 KB profile)': JSON.stringify({
      op: 'profile.apply',
      args: {
        profile,
        quotas: { maximumDevices: 5, protectedItems: { enabled: true, bytes: 10737418240 }, storageVault: { enabled: true, bytes: 21474836480 } },
        suspended: true,
      },
    }),
    'usage parser (10,000-user body)': usageResumeRequest((t) => core.invokeJson(t), 10000, body10k),
  };
  const nativeRequests = { ...requests, 'usage parser (10,000-user body)': usageResumeRequest(nativeInvoke, 10000, body10k) };
  // For the PHP host: request files; the plan state of the usage request must come from the host that
  // resumes it, so that one is written with a placeholder and its plan.start request beside it (.start).
  const files = {};
  for (const [name, text] of Object.entries(requests)) {
    const file = path.join(OUT, 'requests', `${name.replace(/[^A-Za-z0-9.]+/g, '_')}.json`);
    files[name] = file;
    if (name.startsWith('usage parser')) {
      const services = names(10000).map((username, i) => ({ serviceid: i + 1, username }));
      fs.writeFileSync(file.replace(/\.json$/, '.start'), JSON.stringify({ op: 'plan.start', args: { action: 'UsageUpdate', context: { services } } }));
      fs.writeFileSync(file, JSON.stringify({ op: 'plan.resume', args: { state: '__PLAN_STATE__', response: { httpStatus: 200, body: body10k } } }));
    } else {
      fs.writeFileSync(file, text);
    }
  }

  const node = {};
  for (const [name, text] of Object.entries(requests)) node[name] = opsPerSecond((t) => core.invokeJson(t), text);
  const native = {};
  for (const [name, text] of Object.entries(nativeRequests)) native[name] = nativeOpsPerSecond(name.replace(/[^A-Za-z0-9.]+/g, '_'), text, node[name].ms_per_op / 3);

  const scaleBodies = new Map();
  const bodyFor = async (n) => {
    if (!scaleBodies.has(n)) scaleBodies.set(n, await usersBody(n));
    return scaleBodies.get(n);
  };
  const n = SCALE_N;
  const bodies = { [n]: await bodyFor(n), [4 * n]: await bodyFor(4 * n) };
  const scale = {
    'options.quotas (n configoptions)': scaling('quotas', quotasRequest, n),
    'usage.fromProfiles (n profiles)': scaling('fromProfiles', fromProfilesRequest, n),
    'usage parser (plan.resume UsageUpdate, n users and n services)': scaling('usageParser', (m) => usageResumeRequest(nativeInvoke, m, bodies[m]), n),
  };
  fs.rmSync(path.join(OUT, 'tmp'), { recursive: true, force: true });
  console.log(
    JSON.stringify(
      {
        native,
        node,
        request_files: files,
        request_bytes: Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, Buffer.byteLength(v)])),
        usage_body_10k_bytes: Buffer.byteLength(body10k),
        scaling: scale,
      },
      null,
      1,
    ),
  );
}

main().catch((e) => {
  console.error(`core-ops: ${e.stack}`);
  process.exit(1);
});
