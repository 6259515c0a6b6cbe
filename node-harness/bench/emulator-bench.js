#!/usr/bin/env node
// Benchmark for the Comet emulator: get-user-profile-and-hash requests/s, RSS and list-users-full time with 10,000 users carrying vault statistics; prints a JSON summary of medians.
'use strict';

// Usage: node bench/emulator-bench.js [--users N] [--concurrency C] [--seconds S] [--rounds R]
// The emulator runs as a separate process (bin/comet-emulator), so its RSS is not mixed with the client's.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { spawn } = require('node:child_process');
const { callApi, control } = require('../emulator/client');

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const USERS = arg('users', 10000);
const CONCURRENCY = arg('concurrency', 32);
const SECONDS = arg('seconds', 3);
const ROUNDS = arg('rounds', 3);
const LIST_RUNS = arg('list-runs', 7);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

/** Users shaped like real accounts: two vaults with ClientProvidedSize statistics, a source and a device. */
function buildSeed(n) {
  const users = {};
  for (let i = 0; i < n; i++) {
    const name = `benchuser${String(i).padStart(5, '0')}`;
    users[name] = {
      password: `password-${i}`,
      profile: {
        Emails: [`${name}@example.test`],
        Destinations: {
          [`dst-${i}-a`]: {
            Description: 'Comet Storage (Local)',
            DestinationType: 1003,
            CometServer: 'http://127.0.0.1:8060/',
            CometBucket: `bucket${i}a`,
            StorageLimitEnabled: true,
            StorageLimitBytes: 100 * 1024 ** 3,
            Statistics: { ClientProvidedSize: { Size: i * 1048576, MeasureStarted: 1700000000, MeasureCompleted: 1700000600 } },
          },
          [`dst-${i}-b`]: {
            Description: 'Local copy',
            DestinationType: 1002,
            Statistics: { ClientProvidedSize: { Size: i * 4096, MeasureStarted: 1700000000, MeasureCompleted: 1700000100 } },
          },
        },
        Sources: {
          [`src-${i}`]: {
            Engine: 'engine1/file',
            Description: 'Documents',
            Statistics: { LastStartTime: 1700000000, LastBackupJob: { TotalSize: i * 8192, Status: 5000 } },
          },
        },
        Devices: {
          [`dev-${i}`]: { FriendlyName: `PC-${i}`, RegistrationTime: 1700000000, ClientVersion: '25.9.8' },
        },
      },
    };
  }
  return { users };
}

function startChild(args) {
  return new Promise((resolve, reject) => {
    const bin = path.join(__dirname, '..', 'bin', 'comet-emulator');
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    const onData = (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      child.stdout.off('data', onData);
      const m = /^listening (\S+)$/.exec(buf.slice(0, nl));
      if (!m) reject(new Error(`unexpected first line: ${buf.slice(0, nl)}`));
      else resolve({ child, url: m[1] });
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`emulator exited early with ${code}`)));
  });
}

function childRssMb(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
  return kb / 1024;
}

async function rpsRound(url, agent, seconds) {
  const deadline = Date.now() + seconds * 1000;
  let ok = 0;
  let errors = 0;
  const worker = async () => {
    while (Date.now() < deadline) {
      const user = `benchuser${String(Math.floor(Math.random() * USERS)).padStart(5, '0')}`;
      const r = await callApi(url, 'get-user-profile-and-hash', { TargetUser: user }, { agent });
      if (r.status === 200 && r.json && r.json.Status === 200 && r.json.Profile.Username === user) ok++;
      else errors++;
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  return { rps: ok / secs, errors };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'comet-emu-bench-'));
  const seedFile = path.join(dir, 'seed.json');
  fs.writeFileSync(seedFile, JSON.stringify(buildSeed(USERS)));

  const tStart = process.hrtime.bigint();
  const { child, url } = await startChild(['--port', '0', '--seed', seedFile, '--control']);
  const startupMs = Number(process.hrtime.bigint() - tStart) / 1e6;
  try {
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const rssIdleMb = childRssMb(child.pid);

    // list-users-full: time to the last byte (server work + loopback transfer), and separately the
    // client's JSON.parse of the body, which is a cost of the caller rather than of the emulator.
    const listMs = [];
    const parseMs = [];
    let listBytes = 0;
    for (let i = 0; i < LIST_RUNS; i++) {
      const t0 = process.hrtime.bigint();
      const r = await callApi(url, 'list-users-full', {}, { agent, timeoutMs: 120000, parse: false });
      listMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
      listBytes = r.body.length;
      const p0 = process.hrtime.bigint();
      const count = Object.keys(JSON.parse(r.text)).length;
      parseMs.push(Number(process.hrtime.bigint() - p0) / 1e6);
      if (count !== USERS) throw new Error(`list-users-full returned ${count} users, expected ${USERS}`);
    }

    const rssAfterListMb = childRssMb(child.pid);

    // Warm-up, then timed rounds.
    await rpsRound(url, agent, 1);
    const rounds = [];
    for (let i = 0; i < ROUNDS; i++) rounds.push(await rpsRound(url, agent, SECONDS));
    const rssAfterMb = childRssMb(child.pid);
    const stats = (await control(url, 'stats')).json;
    agent.destroy();

    const summary = {
      node: process.version,
      cpus: os.cpus().length,
      users: USERS,
      emulatorStartupWithSeedMs: round(startupMs),
      rssMbAfterSeed: round(rssIdleMb),
      rssMbAfterListUsersFull: round(rssAfterListMb),
      rssMbAfterRpsLoad: round(rssAfterMb),
      heapUsedMb: round(stats.heapUsed / 1048576),
      listUsersFull: {
        runs: LIST_RUNS,
        firstCallMs: round(listMs[0]),
        medianMs: round(median(listMs)),
        bytes: listBytes,
        clientJsonParseMedianMs: round(median(parseMs)),
      },
      getUserProfileAndHash: {
        concurrency: CONCURRENCY,
        secondsPerRound: SECONDS,
        rounds: ROUNDS,
        medianRps: Math.round(median(rounds.map((r) => r.rps))),
        perRoundRps: rounds.map((r) => Math.round(r.rps)),
        errors: rounds.reduce((a, r) => a + r.errors, 0),
      },
    };
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack}\n`);
  process.exit(1);
});
