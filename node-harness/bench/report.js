#!/usr/bin/env node
// Assembles the pieces scripts/bench.sh collected (DIR/parts/*.json) into DIR/results.json and
// DIR/results.md, checks each figure against the targets of issue 11, and records how it was measured.
// Usage: node bench/report.js DIR
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const DIR = path.resolve(process.argv[2] || 'build/bench');
const PARTS = path.join(DIR, 'parts');

function part(name) {
  const file = path.join(PARTS, `${name}.json`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { error: `${name}: ${fs.existsSync(file) ? `unreadable (${e.message})` : 'not produced (see the bench log)'}` };
  }
}

function cmd(file, args) {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch (e) {
    return null;
  }
}

const machine = {
  nproc: os.cpus().length,
  cpu_model: (os.cpus()[0] || {}).model || null,
  memory_gib: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  kernel: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  php: cmd('php', ['-r', 'echo PHP_VERSION;']),
  mariadb: cmd('mariadbd', ['--version']) || cmd('/usr/sbin/mariadbd', ['--version']),
  git_commit: cmd('git', ['-C', path.resolve(__dirname, '..', '..'), 'rev-parse', '--short', 'HEAD']),
  git_dirty: (cmd('git', ['-C', path.resolve(__dirname, '..', '..'), 'status', '--porcelain', '--untracked-files=no']) || '') !== '',
  date: new Date().toISOString(),
  load_average_at_end: os.loadavg().map((x) => Math.round(x * 100) / 100),
};

// ---- round trips -------------------------------------------------------------------------------
// The official module's counts, measured against this emulator (issue 11).
const OFFICIAL = {
  'CreateAccount (existing policy + vault)': 6,
  'CreateAccount (new policy + vault)': 7,
  // The official module never asks the server's version.
  'CreateAccount (existing policy + vault, version not recorded)': 6,
  SuspendAccount: 2,
  UnsuspendAccount: 2,
  ChangePackage: 2,
  ChangePassword: 1,
  TerminateAccount: 1,
  UsageUpdate: null, // the official module has no UsageUpdate
};
const rt = part('round_trips');
const roundTrips = {};
if (!rt.error) {
  const actions = new Set([...Object.keys(rt.modern || {}), ...Object.keys(rt['18.9'] || {})]);
  for (const a of actions) {
    const m = (rt.modern || {})[a];
    const o = (rt['18.9'] || {})[a];
    roundTrips[a] = {
      modern: m ? m.requests : null,
      '18.9': o ? o.requests : null,
      official: Object.hasOwn(OFFICIAL, a) ? OFFICIAL[a] : null,
      endpoints: { modern: m ? m.endpoints : null, '18.9': o ? o.endpoints : null },
    };
    // Customer sign-in on an 18.9 server is refused by the core before any request (it needs
    // 19.6): that refusal is the rule, not a failure of the run.
    const byDesign = (x) => a === 'ServiceSingleSignOn' && x === o && /19\.6/.test(String(x.result));
    const failed = [m, o].filter((x) => x && !x.ok && !byDesign(x)).map((x) => x.result);
    if (failed.length) roundTrips[a].failed = failed;
    if (o && !o.ok && byDesign(o)) roundTrips[a].note = '18.9: refused before any request (needs Comet 19.6)';
  }
} else {
  roundTrips.error = rt.error;
}

// ---- usage -------------------------------------------------------------------------------------
function usage(name) {
  const u = part(name);
  if (u.error) return { seconds: null, peak_mb: null, wasm_mb: null, error: u.error };
  const out = {
    seconds: u.seconds,
    peak_mb: u.peak_mb,
    wasm_mb: u.wasm_mb,
    requests: u.requests ?? null,
    runs: u.runs,
    ok_runs: u.ok_runs,
    child_peak_rss_mb: u.child_peak_rss_mb,
    memory_limit: u.memory_limit,
    timeout_per_run_s: u.timeout_per_run_s,
    setup_s: u.setup_s,
    per_run: u.per_run,
  };
  if (u.failure) out.failure = u.failure;
  return out;
}
const usage10k = usage('usage_10k');
const usage100k = usage('usage_100k');

// ---- lifecycle ---------------------------------------------------------------------------------
const lifecycle = part('lifecycle');

// ---- PHP request ------------------------------------------------------------------------------
const req = part('php_request');
let phpRequest;
if (req.error) phpRequest = { error: req.error };
else {
  const pick = (x) => ({
    load: x.loadMs.median,
    instantiate: x.instantiateMs.median,
    invoke: x.invokeMs.median,
    total_in_process: x.totalMs.median,
    wall_with_php_startup: x.wallMs.median,
    runs: x.totalMs.runs,
  });
  phpRequest = {
    cache_hit_without_opcache: pick(req.freshProcessCacheHitMs),
    cache_hit_with_opcache: pick(req.freshProcessCacheHitWithOpcacheMs),
    ...(req.freshProcessCacheHitWithOpcacheAndFfiPreloadMs
      ? { cache_hit_with_opcache_and_ffi_preload: pick(req.freshProcessCacheHitWithOpcacheAndFfiPreloadMs) }
      : {}),
    cache_miss_without_opcache: pick(req.freshProcessCacheMissMs),
    ...(req.nextRequestInWorkerMs ? { next_request_in_worker: req.nextRequestInWorkerMs.median } : {}),
    cache_read: (req.freshProcessCacheHitWithOpcacheMs || {}).cacheRead || null,
    empty_php_process_wall: req.emptyPhpProcessWallMs.median,
    ...(req.emptyPhpProcessWithOpcacheAndFfiPreloadWallMs
      ? {
          empty_php_process_with_opcache_wall: req.emptyPhpProcessWithOpcacheWallMs.median,
          empty_php_process_with_opcache_and_ffi_preload_wall: req.emptyPhpProcessWithOpcacheAndFfiPreloadWallMs.median,
        }
      : {}),
    backend: req.backend,
    runtime: req.runtime,
    wasm_bytes: req.wasmBytes,
    cache_entry_bytes: req.cacheEntryBytes,
    warm_invoke_us: Object.fromEntries(Object.entries(req.warmInvoke || {}).map(([k, v]) => [k, v.median])),
  };
}

// ---- core ops ----------------------------------------------------------------------------------
const co = part('core_ops');
const coPhp = part('core_ops_php');
const coreOps = {};
if (!co.error) {
  const phpKey = (name) => name.replace(/[^A-Za-z0-9.]+/g, '_');
  for (const name of Object.keys(co.node)) {
    const php = coPhp.error ? null : (coPhp.ops || {})[phpKey(name)];
    coreOps[name] = {
      native: co.native[name] ? co.native[name].ops_per_s : null,
      node: co.node[name].ops_per_s,
      php: php ? php.ops_per_s : null,
      request_bytes: co.request_bytes[name],
    };
  }
  if (coPhp.error) coreOps.php_error = coPhp.error;
  else coreOps.php_wasm_mb_after = coPhp.wasm_mb_after;
} else {
  coreOps.error = co.error;
}
const scaling = co.error ? { error: co.error } : co.scaling;

// ---- targets -----------------------------------------------------------------------------------
const targets = [];
const target = (figure, goal, measured, met, note) => targets.push({ figure, target: goal, measured, met, ...(note ? { note } : {}) });
const fmt = (x, unit) => (x === null || x === undefined ? 'n/a' : `${x}${unit}`);
for (const [label, u, secs] of [['UsageUpdate, 10,000 services', usage10k, 5], ['UsageUpdate, 100,000 services', usage100k, 30]]) {
  const met = u.seconds !== null && u.seconds < secs && u.peak_mb !== null && u.peak_mb < 64;
  target(label, `< ${secs} s and < 64 MB PHP peak`, `${fmt(u.seconds, ' s')}, ${fmt(u.peak_mb, ' MB')} peak`, met, u.failure || u.error);
}
const ca = roundTrips['CreateAccount (existing policy + vault)'] || {};
target('CreateAccount with policy and vault, modern server', '<= 4 requests', fmt(ca.modern, ''), ca.modern !== null && ca.modern !== undefined && ca.modern <= 4);
target('CreateAccount with policy and vault, 18.9 server', '<= 5 requests', fmt(ca['18.9'], ''), ca['18.9'] !== null && ca['18.9'] !== undefined && ca['18.9'] <= 5);
const uu = roundTrips.UsageUpdate || {};
target('UsageUpdate', '1 request per server', `${fmt(uu.modern, '')} (modern), ${fmt(uu['18.9'], '')} (18.9)`, uu.modern === 1 && uu['18.9'] === 1);
if (!lifecycle.error) {
  let worst = null;
  for (const [mode, rows] of Object.entries(lifecycle)) {
    for (const [action, r] of Object.entries(rows)) {
      if (r.failures) continue;
      if (!worst || r.cpu_share_pct > worst.share) worst = { share: r.cpu_share_pct, action, mode };
    }
  }
  target('module CPU share of each action at 20 ms per request', '< 10 %', worst ? `worst ${worst.share} % (${worst.action}, ${worst.mode})` : 'n/a', worst !== null && worst.share < 10);
} else target('module CPU share of each action at 20 ms per request', '< 10 %', 'n/a', false, lifecycle.error);
// Judged on the recommended setup (OPcache and the module's optional ffi.preload) when measured.
const hitOp = phpRequest.cache_hit_with_opcache_and_ffi_preload || phpRequest.cache_hit_with_opcache;
const hitOpNote = phpRequest.cache_hit_with_opcache_and_ffi_preload
  ? `with ffi.preload; without it ${phpRequest.cache_hit_with_opcache.total_in_process} ms; a later request of the same worker ${phpRequest.next_request_in_worker} ms`
  : null;
target('fresh PHP process, cache hit, with OPcache', '<= 2 ms median', hitOp ? `${hitOp.total_in_process} ms in process (${hitOp.wall_with_php_startup} ms wall with PHP start-up)` : 'n/a', !!hitOp && hitOp.total_in_process <= 2, hitOpNote);
if (!scaling.error) {
  for (const [name, s] of Object.entries(scaling)) {
    target(`scaling: ${name}`, 'time(4n) / time(n) < 5', `${s.ratio} (${s.seconds_n} s at n = ${s.n}, ${s.seconds_4n} s at ${s.n4})`, s.ratio < 5);
  }
}

const method = {
  general:
    'Each figure is the median of at least 5 runs (the runs count is given), or a count. All servers on loopback: the Comet emulator (node-harness/bin/comet-emulator) and MariaDB (tests/php/Whmcs, throwaway datadir). The machine is shared and noisy: compare ratios within one run.',
  round_trips:
    'tests/php/bench/module-bench.php round-trips: each action through the real module folder (Whmcs::call on the WHMCS-shaped harness), the emulator journal cleared before and read after each call. "existing policy" = the product names a policy that exists on the server; "new policy" = the module-managed policy ID on the first service of a product. Official module counts from issue 11 (measured against this emulator).',
  usage_update:
    'tests/php/bench/module-bench.php usage N: one child PHP process (php -d ffi.enable=1, memory_limit as given) with MariaDB and an emulator in modern mode seeded with N generated users (--seed-users rules, README "Generated users"), N Active services of one server; UsageUpdate through Whmcs::call, module log off (WHMCS default). seconds = wall time of the call; peak_mb = memory_get_peak_usage(true) / MiB after memory_reset_peak_usage() before the call; wasm_mb = the core instance\'s linear memory after the call (through reflection on Core). Every run checks that all N rows were updated and that a sample of rows matches the generated sizes. A run that exceeds the per-run timeout is killed; child_peak_rss_mb is the child\'s VmHWM, sampled by the parent. After a failed run no further runs are made.',
  lifecycle:
    'tests/php/bench/module-bench.php lifecycle 5 20: the emulator started with --latency 20 (20 ms before every API request). For each action: wall and cpu = hrtime and getrusage(user + sys) around the cometbackup_* function alone (PHP, the WebAssembly core, curl, and the module\'s own database work; MariaDB and the emulator run in other processes); step_cpu_ms adds the harness\'s work around the call (its contract checks and WHMCS-side tblhosting/activity writes after it). Module log off, WHMCS\'s default (the harness\'s logModuleCall writes a database row per request when it is on); module_log_on repeats every action with it on. One warm-up TestConnection first, so the core is instantiated outside the timed calls.',
  php_request_ms:
    'tests/php/bench/bench.php 15: a fresh php process per sample with a module-cache hit; load = runtime library and FFI declarations, instantiate = module from the cache + instance, invoke = one username.validate; total_in_process = the sum, measured inside the process; wall_with_php_startup adds PHP start-up. "with OPcache" = -d opcache.enable_cli=1 with OPcache\'s file cache (compiled once, then loaded), which approximates a web SAPI\'s shared OPcache (loading each class from the file cache costs more than from shared memory). "ffi.preload" = the headers written by the module\'s preload.php, loaded at PHP start-up (once per PHP-FPM master; once per process here, see the empty-process figures). next_request_in_worker = later requests in one process, each dropping and re-making runtime, module and instance (Runtime::reset()), as PHP-FPM frees a request\'s objects but keeps loaded classes and preloaded scopes.',
  core_ops_per_s:
    'node-harness/bench/core-ops.js and tests/php/bench/core-ops.php: the same request texts on every host. Node and PHP: 5 runs of as many invokes as fit in 250 ms, one instance, ops/s median. Native: build/cometprov --batch with k copies against 1 copy, (k - 1) / (t_k - t_1), medians of 5, so process start-up cancels out. The usage parser is plan.resume of UsageUpdate with the list-users-full body of 10,000 generated users (18.9 mode, ~30.7 MB) for 10,000 services, with a plan state made by the same host (the streaming usage parser and raw-bytes feed do not exist yet).',
  scaling:
    'node-harness/bench/core-ops.js: one native CLI process per request (build/cometprov < request), wall time, median of 5, at n and 4n.',
};

const results = {
  machine,
  round_trips: roundTrips,
  usage_update_10k: usage10k,
  usage_update_100k: usage100k,
  lifecycle,
  php_request_ms: phpRequest,
  core_ops_per_s: coreOps,
  scaling,
  targets,
  method,
};
fs.writeFileSync(path.join(DIR, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);

// ---- markdown ----------------------------------------------------------------------------------
const L = [];
const row = (cells) => L.push(`| ${cells.map((c) => String(c ?? 'n/a').replace(/\|/g, '\\|').replace(/\n/g, ' ')).join(' | ')} |`);
L.push('# make bench results', '');
L.push(`${machine.date} · ${machine.nproc} × ${machine.cpu_model} · ${machine.memory_gib} GiB · ${machine.kernel} · Node ${machine.node} · PHP ${machine.php} · ${machine.mariadb || 'MariaDB ?'} · commit ${machine.git_commit}${machine.git_dirty ? ' (with uncommitted changes)' : ''}`, '');
L.push('## Targets', '');
row(['figure', 'target', 'measured', 'met']);
row(['---', '---', '---', '---']);
for (const t of targets) row([t.figure, t.target, t.measured + (t.note ? ` — ${t.note}` : ''), t.met ? 'yes' : '**no**']);
L.push('', '## Round trips (requests per action, from the emulator journal)', '');
row(['action', 'modern', '18.9', 'official module']);
row(['---', '---', '---', '---']);
for (const [a, r] of Object.entries(roundTrips)) {
  if (a === 'error') continue;
  row([a + (r.failed ? ' (failed: see results.json)' : '') + (r.note ? ` (${r.note})` : ''), r.modern, r['18.9'], r.official === null ? '–' : r.official]);
}
L.push('', '## UsageUpdate through the PHP module (emulator + MariaDB)', '');
row(['services', 'seconds', 'PHP peak MB', 'wasm MB', 'requests', 'runs ok', 'child peak RSS MB', 'note']);
row(['---', '---', '---', '---', '---', '---', '---', '---']);
for (const [n, u] of [['10,000', usage10k], ['100,000', usage100k]]) {
  row([n, u.seconds, u.peak_mb, u.wasm_mb, u.requests, `${u.ok_runs ?? 0}/${u.runs ?? 0}`, u.child_peak_rss_mb, u.failure || u.error || '']);
}
L.push('', '## Lifecycle at 20 ms per request (PHP module)', '');
if (!lifecycle.error) {
  row(['action', 'modern wall ms', 'modern CPU ms', 'modern CPU %', '18.9 wall ms', '18.9 CPU ms', '18.9 CPU %', 'requests (modern/18.9)']);
  row(['---', '---', '---', '---', '---', '---', '---', '---']);
  const m = lifecycle.modern || {};
  const o = lifecycle['18.9'] || {};
  for (const a of Object.keys(m)) {
    const x = m[a] || {};
    const y = o[a] || {};
    const f = (r, k) => (r.failures ? `${r[k]} (fails)` : r[k]);
    row([a, x.wall_ms, x.cpu_ms, f(x, 'cpu_share_pct'), y.wall_ms, y.cpu_ms, f(y, 'cpu_share_pct'), `${x.requests}/${y.requests}`]);
  }
} else L.push(lifecycle.error);
L.push('', '## Fresh PHP process, module-cache hit (ms, medians)', '');
if (!phpRequest.error) {
  row(['variant', 'load', 'instantiate', 'invoke', 'total in process', 'wall with PHP start-up']);
  row(['---', '---', '---', '---', '---', '---']);
  for (const [k, v] of Object.entries({ 'without OPcache': phpRequest.cache_hit_without_opcache, 'with OPcache': phpRequest.cache_hit_with_opcache, 'with OPcache and ffi.preload': phpRequest.cache_hit_with_opcache_and_ffi_preload, 'cache miss, without OPcache': phpRequest.cache_miss_without_opcache })) {
    if (v) row([k, v.load, v.instantiate, v.invoke, v.total_in_process, v.wall_with_php_startup]);
  }
  L.push('', `An empty \`php -r ';'\` takes ${phpRequest.empty_php_process_wall} ms wall` + (phpRequest.empty_php_process_with_opcache_and_ffi_preload_wall !== undefined ? ` (${phpRequest.empty_php_process_with_opcache_wall} ms with OPcache, ${phpRequest.empty_php_process_with_opcache_and_ffi_preload_wall} ms with OPcache and ffi.preload, which PHP-FPM pays once per start)` : '') + `. Backend: ${phpRequest.backend}; cache entry read: ${phpRequest.cache_read}.` + (phpRequest.next_request_in_worker !== undefined ? ` A later request of the same worker process (OPcache, ffi.preload): ${phpRequest.next_request_in_worker} ms.` : ''));
} else L.push(phpRequest.error);
L.push('', '## Core ops per second (medians)', '');
if (!coreOps.error) {
  row(['op', 'native', 'Node (Embind)', 'PHP (' + (phpRequest.backend || '?') + ')', 'request bytes']);
  row(['---', '---', '---', '---', '---']);
  for (const [k, v] of Object.entries(coreOps)) if (typeof v === 'object' && v) row([k, v.native, v.node, v.php, v.request_bytes]);
  if (coreOps.php_error) L.push('', `PHP: ${coreOps.php_error}`);
} else L.push(coreOps.error);
L.push('', '## Scaling (native CLI, time at n and 4n; linear = 4.0, target < 5)', '');
if (!scaling.error) {
  row(['op', 'n', 'seconds at n', 'seconds at 4n', 'ratio', '< 5']);
  row(['---', '---', '---', '---', '---', '---']);
  for (const [k, s] of Object.entries(scaling)) row([k, s.n, s.seconds_n, s.seconds_4n, s.ratio, s.under_5 ? 'yes' : '**no**']);
} else L.push(scaling.error);
L.push('', '## How each figure was measured', '');
for (const [k, v] of Object.entries(method)) L.push(`- **${k}**: ${v}`);
fs.writeFileSync(path.join(DIR, 'results.md'), `${L.join('\n')}\n`);
console.log(`wrote ${path.join(DIR, 'results.md')} and results.json`);
