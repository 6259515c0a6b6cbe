<?php
// Benchmark of the PHP module (not a test), for `make bench`: whole actions through the real module
// folder on the WHMCS-shaped harness (MariaDB, Capsule) against the Comet emulator. Prints JSON.
//
//   php -d ffi.enable=1 tests/php/bench/module-bench.php round-trips
//       request count per action, from the emulator's journal, in both server modes
//   php -d ffi.enable=1 tests/php/bench/module-bench.php lifecycle [runs=5] [latencyMs=20]
//       wall time and CPU time (getrusage user + sys) of each action's module function alone, and the
//       CPU of the whole step including the harness's own work (step_cpu_ms)
//   php -d ffi.enable=1 tests/php/bench/module-bench.php usage <users> [runs=5] [timeoutPerRun=120] [memoryLimit=4G]
//       UsageUpdate of <users> services against <users> generated Comet users, each run in the same
//       child PHP process (memory_reset_peak_usage between runs); the child is killed when a run takes
//       longer than the timeout, and its peak RSS (VmHWM) is reported either way
//
// Env: COMETPROV_WASM (default build-wasm/cometprov.wasm), COMETPROV_WASM_RUNTIME as for Core.

declare(strict_types=1);

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\App;
use WHMCS\Module\Server\CometBackup\Service\EffectStore;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Schema;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

$root = dirname(__DIR__, 3);
require $root . '/tests/php/autoload.php';
require $root . '/tests/php/Whmcs/harness.php';

const MIB = 1048576;
const PROVIDER = '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701';
const EXISTING_POLICY = 'bench-existing-policy';

function fail(string $message): never
{
    fwrite(STDERR, "module-bench: {$message}\n");
    exit(2);
}

function median(array $xs): float
{
    sort($xs);
    $n = count($xs);
    if ($n === 0) {
        return NAN;
    }
    return $n % 2 ? (float) $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2;
}

function cpuSeconds(): float
{
    $r = getrusage();
    return $r['ru_utime.tv_sec'] + $r['ru_utime.tv_usec'] / 1e6 + $r['ru_stime.tv_sec'] + $r['ru_stime.tv_usec'] / 1e6;
}

function boot(): void
{
    if (ini_get('ffi.enable') !== '1' && !extension_loaded('wasmer')) {
        fail('run with php -d ffi.enable=1 (WHMCS runs the module with FFI enabled)');
    }
    $wasm = getenv('COMETPROV_WASM') ?: dirname(__DIR__, 3) . '/build-wasm/cometprov.wasm';
    if (!is_file($wasm)) {
        fail("{$wasm} not found (make wasm)");
    }
    Database::start('mariadb');
    Schema::create();
    $cache = Whmcs::scratchDir() . '/module-cache';
    @mkdir($cache, 0700, true);
    $GLOBALS['benchWiring'] = [['wasmPath' => $wasm, 'cacheDir' => $cache], ['connectTimeout' => 10, 'timeout' => 300]];
}

/** A new App per call, as each WHMCS request builds one (the runtime and compiled module stay per process). */
function benchApp(): App
{
    [$core, $client] = $GLOBALS['benchWiring'];
    return new App($core, $client);
}

/** cometbackup_<fn>($params) as WHMCS calls it, on the bench's wiring (the entry table's own path). */
function benchEntry(string $name, array $params): mixed
{
    $fn = substr($name, strlen('cometbackup_'));
    if ($fn === 'LoadPolicies' || $fn === 'LoadStorageProviders') {
        return cometbackup_Loader($fn, $params, benchApp());
    }
    return isset(cometbackup_Entries()[$fn]) ? cometbackup_Run($fn, $params, benchApp()) : $name($params);
}

function freshTables(): void
{
    Database::reset();
    Recorder::reset();
    Fixtures::setting('SystemURL', 'https://billing.example.test/');
}

/**
 * The module's own clocks: wall and CPU (getrusage user + sys) around the cometbackup_* function alone,
 * set by moduleCall() and moduleLoader(); timed() reports them beside the whole step's CPU.
 */
final class ModuleClock
{
    public static float $wallMs = 0.0;
    public static float $cpuMs = 0.0;
    public static int $calls = 0;
}

/**
 * What Whmcs::call does (output and PHP warnings are failures; an account action's outcome is then
 * applied to tblhosting as WHMCS would), with the clocks around the module function only: the
 * harness's checks and its WHMCS-side database writes after the call are not the module's time.
 */
function moduleCall(string $function, array $params): mixed
{
    static $apply = null;
    static $actions = null;
    $apply ??= new \ReflectionMethod(Whmcs::class, 'applyOutcome');
    $actions ??= (new \ReflectionClass(Whmcs::class))->getConstant('ACCOUNT_ACTIONS');
    if (!function_exists('cometbackup_MetaData')) {
        Whmcs::call('MetaData', []); // loads the module file through the harness
    }
    $result = moduleInvoke('cometbackup_' . $function, $params);
    if (isset($actions[$function]) && is_string($result)) {
        $apply->invoke(null, $function, $params, $result);
    }
    return $result;
}

/** A ConfigOptions loader, timed like moduleCall() (a loader reports failure by throwing). */
function moduleLoader(string $function, array $params): mixed
{
    if (!function_exists('cometbackup_MetaData')) {
        Whmcs::call('MetaData', []);
    }
    return moduleInvoke('cometbackup_' . $function, $params);
}

function moduleInvoke(string $name, array $params): mixed
{
    $warnings = [];
    set_error_handler(static function (int $no, string $message, string $file, int $line) use (&$warnings): bool {
        if ((error_reporting() & $no) !== 0) {
            $warnings[] = "{$message} at " . basename($file) . ":{$line}";
        }
        return true;
    });
    ob_start();
    $thrown = null;
    $c = cpuSeconds();
    $t = hrtime(true);
    try {
        $result = benchEntry($name, $params);
    } catch (\Throwable $e) {
        $thrown = $e;
        $result = null;
    }
    ModuleClock::$wallMs += (hrtime(true) - $t) / 1e6;
    ModuleClock::$cpuMs += (cpuSeconds() - $c) * 1000;
    ModuleClock::$calls++;
    $output = (string) ob_get_clean();
    restore_error_handler();
    if ($output !== '' || $warnings !== []) {
        fail("{$name} printed " . strlen($output) . ' bytes or raised warnings: ' . implode('; ', $warnings));
    }
    if ($thrown !== null) {
        throw $thrown;
    }
    return $result;
}

/**
 * Runs one step and returns [result, wallMs, cpuMs, stepCpuMs]: wall and CPU of the module function
 * alone (ModuleClock), and the CPU of the whole step (with the harness's own work around the call).
 */
function timed(callable $fn): array
{
    ModuleClock::$wallMs = 0.0;
    ModuleClock::$cpuMs = 0.0;
    ModuleClock::$calls = 0;
    $c = cpuSeconds();
    $result = $fn();
    $stepCpu = (cpuSeconds() - $c) * 1000;
    if (ModuleClock::$calls === 0) {
        fail('a timed step did not call the module');
    }
    return [$result, ModuleClock::$wallMs, ModuleClock::$cpuMs, $stepCpu];
}

function ok(mixed $result): bool
{
    if ($result === 'success') {
        return true;
    }
    return is_array($result) && (($result['success'] ?? null) === true || (!isset($result['success']) && $result !== []));
}

function describe(mixed $result): string
{
    return is_string($result) ? $result : (string) json_encode($result, JSON_UNESCAPED_SLASHES | JSON_PARTIAL_OUTPUT_ON_ERROR);
}

/** The managed policy ID the module offers for a product (LoadPolicies creates the install ID). */
function managedPolicy(int $serverId, int $pid): string
{
    $_REQUEST['id'] = (string) $pid;
    try {
        $policies = Whmcs::loader('LoadPolicies', Params::forServer($serverId));
    } finally {
        unset($_REQUEST['id']);
    }
    foreach ($policies as $id => $label) {
        if (str_contains((string) $label, '[Create New Policy Group]')) {
            return (string) $id;
        }
    }
    fail('LoadPolicies offered no managed policy');
}

/**
 * One service through every action, in order. Returns per action: [result, wallMs, cpuMs, endpoints].
 * $newPolicy: the product's policy is the module-managed one (created on first use), else an existing one.
 */
function lifecycle(Emulator $emu, int $serverId, bool $newPolicy): array
{
    $pid = Fixtures::product(['name' => 'Backup ' . bin2hex(random_bytes(3)), 'configoption2' => PROVIDER]);
    $policy = $newPolicy ? managedPolicy($serverId, $pid) : EXISTING_POLICY;
    Capsule::table('tblproducts')->where('id', $pid)->update(['configoption1' => $policy]);
    Fixtures::customField($pid, 'Username');
    Fixtures::customField($pid, 'Password');
    $client = Fixtures::client(['email' => 'bench.' . bin2hex(random_bytes(4)) . '@example.com']);
    $sid = Fixtures::service($client, $pid, $serverId, ['password' => 'Svc-' . bin2hex(random_bytes(6))]);
    Fixtures::configOption($sid, 'number_of_devices|Devices', 3);
    Fixtures::configOption($sid, 'storage_vault_quota_gb|Storage (GB)', 10);
    $server = Params::forServer($serverId);
    $steps = [
        'CreateAccount' => static fn () => moduleCall('CreateAccount', Params::forService($sid)),
        'SuspendAccount' => static fn () => moduleCall('SuspendAccount', Params::forService($sid)),
        'UnsuspendAccount' => static fn () => moduleCall('UnsuspendAccount', Params::forService($sid)),
        'ChangePackage' => static function () use ($sid) {
            Fixtures::configOption($sid, 'number_of_devices|Devices', 5);
            return moduleCall('ChangePackage', Params::forService($sid));
        },
        'ChangePassword' => static fn () => moduleCall('ChangePassword', Params::forService($sid, ['password' => 'New-' . bin2hex(random_bytes(6))])),
        'UsageUpdate' => static fn () => moduleCall('UsageUpdate', $server),
        'ListAccounts' => static fn () => moduleCall('ListAccounts', $server),
        'ServiceSingleSignOn' => static fn () => moduleCall('ServiceSingleSignOn', Params::forService($sid)),
        'AdminSingleSignOn' => static fn () => moduleCall('AdminSingleSignOn', $server),
        'TerminateAccount' => static fn () => moduleCall('TerminateAccount', Params::forService($sid)),
    ];
    $out = [];
    foreach ($steps as $name => $fn) {
        $emu->control('journal/clear');
        [$result, $wall, $cpu, $stepCpu] = timed($fn);
        $out[$name] = [$result, $wall, $cpu, $emu->endpoints(), $stepCpu];
    }
    return $out;
}

function serverLevel(Emulator $emu, int $serverId): array
{
    $server = Params::forServer($serverId);
    $pid = Fixtures::product();
    $out = [];
    foreach ([
        'TestConnection' => static fn () => moduleCall('TestConnection', $server),
        'LoadPolicies' => static function () use ($server, $pid) {
            $_REQUEST['id'] = (string) $pid;
            try {
                return moduleLoader('LoadPolicies', $server);
            } finally {
                unset($_REQUEST['id']);
            }
        },
        'LoadStorageProviders' => static fn () => moduleLoader('LoadStorageProviders', $server),
    ] as $name => $fn) {
        $emu->control('journal/clear');
        [$result, $wall, $cpu, $stepCpu] = timed($fn);
        $out[$name] = [$result, $wall, $cpu, $emu->endpoints(), $stepCpu];
    }
    return $out;
}

function startEmulator(string $mode, int $latency = 0): Emulator
{
    $opts = ['mode' => $mode, 'seed' => ['policies' => [EXISTING_POLICY => ['Description' => 'Existing policy', 'Policy' => ['PreventDeleteStorageVault' => true]]]]];
    if ($latency > 0) {
        $opts['latency'] = $latency;
    }
    return Emulator::start($opts);
}

function roundTrips(): array
{
    boot();
    $out = [];
    foreach (['modern', '18.9'] as $mode) {
        freshTables();
        $emu = startEmulator($mode);
        try {
            $serverId = Fixtures::serverFor($emu);
            $rows = [];
            $record = static function (string $name, array $r) use (&$rows): void {
                [$result, , , $endpoints] = $r;
                $rows[$name] = ['requests' => count($endpoints), 'endpoints' => $endpoints, 'ok' => ok($result)]
                    + (ok($result) ? [] : ['result' => describe($result)]);
            };
            foreach (serverLevel($emu, $serverId) as $name => $r) {
                $record($name, $r);
            }
            foreach (lifecycle($emu, $serverId, false) as $name => $r) {
                $record($name === 'CreateAccount' ? 'CreateAccount (existing policy + vault)' : $name, $r);
            }
            $new = lifecycle($emu, $serverId, true);
            $record('CreateAccount (new policy + vault)', $new['CreateAccount']);
            // TestConnection above recorded the server's version. Without a recorded version (or
            // one older than a day) the first action that needs it asks meta/version first: one
            // request more, counted here (issue 16).
            Capsule::table(EffectStore::SERVERS_TABLE)->where('serverid', $serverId)->delete();
            $unknown = lifecycle($emu, $serverId, false);
            $record('CreateAccount (existing policy + vault, version not recorded)', $unknown['CreateAccount']);
            $out[$mode] = $rows;
        } finally {
            $emu->stop();
        }
    }
    return $out;
}

function lifecycleTimes(int $runs, int $latency): array
{
    boot();
    $out = [];
    foreach (['modern', '18.9'] as $mode) {
        freshTables();
        $emu = startEmulator($mode, $latency);
        try {
            $serverId = Fixtures::serverFor($emu);
            // Warm-up: the core's first instantiation in this process is not part of any action.
            Whmcs::call('TestConnection', Params::forServer($serverId), 'admin', 'cometbackup', benchApp());
            // Module log off (WHMCS's default; the harness's logModuleCall writes a database row per
            // request when it is on), and the same again with it on, reported beside.
            $bySetting = [];
            foreach ([false, true] as $moduleLog) {
                Recorder::setModuleLogEnabled($moduleLog);
                $samples = [];
                for ($i = 0; $i < $runs; $i++) {
                    foreach (serverLevel($emu, $serverId) as $name => $r) {
                        $samples[$name][] = $r;
                    }
                    foreach (lifecycle($emu, $serverId, false) as $name => $r) {
                        $samples[$name === 'CreateAccount' ? 'CreateAccount (existing policy + vault)' : $name][] = $r;
                    }
                    $samples['CreateAccount (new policy + vault)'][] = lifecycle($emu, $serverId, true)['CreateAccount'];
                }
                $bySetting[$moduleLog ? 'on' : 'off'] = $samples;
            }
            Recorder::setModuleLogEnabled(true);
            $samples = $bySetting['off'];
            $rows = [];
            foreach ($samples as $name => $list) {
                $on = $bySetting['on'][$name];
                $onShare = array_map(static fn ($r) => $r[1] > 0 ? 100 * $r[2] / $r[1] : 0, $on);
                $wall = array_map(static fn ($r) => $r[1], $list);
                $cpu = array_map(static fn ($r) => $r[2], $list);
                $share = array_map(static fn ($r) => $r[1] > 0 ? 100 * $r[2] / $r[1] : 0, $list);
                $stepCpu = array_map(static fn ($r) => $r[4], $list);
                $failed = array_values(array_filter($list, static fn ($r) => !ok($r[0])));
                $rows[$name] = [
                    'wall_ms' => round(median($wall), 2),
                    'cpu_ms' => round(median($cpu), 2),
                    'cpu_share_pct' => round(median($share), 1),
                    'step_cpu_ms' => round(median($stepCpu), 2),
                    'module_log_on' => ['wall_ms' => round(median(array_map(static fn ($r) => $r[1], $on)), 2),
                        'cpu_ms' => round(median(array_map(static fn ($r) => $r[2], $on)), 2),
                        'cpu_share_pct' => round(median($onShare), 1)],
                    'requests' => count($list[0][3]),
                    'runs' => count($list),
                ] + ($failed === [] ? [] : ['failures' => count($failed), 'result' => describe($failed[0][0])]);
            }
            $out[$mode] = $rows;
        } finally {
            $emu->stop();
        }
    }
    return $out;
}

/** Child: one MariaDB, one emulator with $n generated users, $n services; UsageUpdate $runs times. */
function usageChild(int $n, int $runs): void
{
    $t0 = microtime(true);
    boot();
    freshTables();
    $emu = Emulator::start(['mode' => 'modern']);
    try {
        $seeded = $emu->control('seed-users', ['count' => $n, 'prefix' => 'user']);
        if (($seeded['added'] ?? 0) !== $n) {
            fail('seed-users: ' . json_encode($seeded));
        }
        $serverId = Fixtures::serverFor($emu);
        $pid = Fixtures::product();
        $client = Fixtures::client();
        $today = date('Y-m-d');
        $width = max(6, strlen((string) ($n - 1)));
        for ($start = 0; $start < $n; $start += 1000) {
            $rows = [];
            for ($i = $start; $i < min($n, $start + 1000); $i++) {
                $rows[] = ['userid' => $client, 'orderid' => 0, 'packageid' => $pid, 'server' => $serverId,
                    'regdate' => $today, 'domain' => '', 'paymentmethod' => 'banktransfer', 'amount' => 0,
                    'billingcycle' => 'Monthly', 'nextduedate' => $today, 'domainstatus' => 'Active',
                    'username' => 'user' . str_pad((string) $i, $width, '0', STR_PAD_LEFT), 'password' => '',
                    'notes' => '', 'suspendreason' => '', 'dedicatedip' => '', 'assignedips' => ''];
            }
            Capsule::table('tblhosting')->insert($rows);
        }
        Recorder::setModuleLogEnabled(false); // WHMCS's default; the log would hold the whole reply
        $params = Params::forServer($serverId);
        echo json_encode(['setup_s' => round(microtime(true) - $t0, 2), 'services' => $n]), "\n";
        for ($r = 0; $r < $runs; $r++) {
            Capsule::table('tblhosting')->update(['diskusage' => 0, 'disklimit' => 0, 'lastupdate' => null]);
            $emu->control('journal/clear');
            gc_collect_cycles();
            // Zend MM keeps freed chunks (e.g. the previous run's verifyUsage rows) in its cache and
            // counts them in memory_get_usage(true): release them, so each run starts from the same base.
            gc_mem_caches();
            memory_reset_peak_usage();
            $base = memory_get_usage(true);
            $t = hrtime(true);
            $error = null;
            try {
                $result = Whmcs::call('UsageUpdate', $params, 'cron', 'cometbackup', benchApp());
            } catch (\Throwable $e) {
                $result = null;
                $error = get_class($e) . ': ' . $e->getMessage();
            }
            $seconds = (hrtime(true) - $t) / 1e9;
            $peak = memory_get_peak_usage(true);
            $line = ['run' => $r + 1, 'seconds' => round($seconds, 3), 'peak_mb' => round($peak / MIB, 1),
                'base_mb' => round($base / MIB, 1), 'wasm_mb' => wasmMb(), 'requests' => count($emu->endpoints()),
                'ok' => $result === 'success'];
            if ($result !== 'success') {
                $line['result'] = substr($error ?? describe($result), 0, 400);
            } else {
                $line += verifyUsage($n, $serverId, $pid);
            }
            echo json_encode($line, JSON_UNESCAPED_SLASHES), "\n";
            if ($result !== 'success') {
                break; // the same failure again would only cost time
            }
            unset($result);
        }
    } finally {
        $emu->stop();
    }
}

/** The core instance's linear memory in MiB (through reflection: the module does not expose it). */
function wasmMb(): ?float
{
    try {
        $core = benchApp()->core();
        $instance = (new \ReflectionProperty($core, 'instance'))->getValue($core);
        if ($instance === null) {
            return null;
        }
        $api = (new \ReflectionProperty($instance, 'api'))->getValue($instance);
        $memory = (new \ReflectionProperty($instance, 'memory'))->getValue($instance);
        return round($api->memoryDataSize($memory) / MIB, 1);
    } catch (\Throwable $e) {
        return null;
    }
}

/**
 * Rows written as emulator/README.md "Generated users" says: user i has cloud vaults of
 * (i mod 1000 + 1) and 2 (i mod 1000 + 1) MiB, limits (i mod 100 + 10) GiB and 5 GiB.
 */
function verifyUsage(int $n, int $serverId, int $pid): array
{
    $updated = Capsule::table('tblhosting')->where('server', $serverId)->whereNotNull('lastupdate')->count();
    $bad = 0;
    $checked = 0;
    foreach (Capsule::table('tblhosting')->where('server', $serverId)->orderBy('id')->get(['username', 'diskusage', 'disklimit'])
        as $row) {
        if ($checked++ % max(1, intdiv($n, 500)) !== 0) {
            continue;
        }
        $i = (int) substr((string) $row->username, 4);
        $k = $i % 1000 + 1;
        if ((int) $row->diskusage !== 3 * $k || (int) $row->disklimit !== ($i % 100 + 10 + 5) * 1024) {
            $bad++;
        }
    }
    return ['rows_updated' => $updated, 'sampled_rows_wrong' => $bad];
}

/** Parent: runs usageChild in a child process with a per-run timeout; samples its peak RSS. */
function usageDriver(int $n, int $runs, int $timeout, string $memoryLimit): array
{
    $cmd = [PHP_BINARY, '-d', 'ffi.enable=1', '-d', 'memory_limit=' . $memoryLimit, __FILE__, 'usage-child', (string) $n, (string) $runs];
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    if (!is_resource($p)) {
        fail('cannot start the usage child');
    }
    stream_set_blocking($pipes[1], false);
    stream_set_blocking($pipes[2], false);
    $pid = proc_get_status($p)['pid'];
    $out = '';
    $err = '';
    $lines = [];
    $hwm = 0;
    $deadline = microtime(true) + 600; // setup: MariaDB, seeding, inserting the services
    $killed = null;
    $exit = null;
    for (;;) {
        $read = [$pipes[1], $pipes[2]];
        $w = $e = null;
        if (@stream_select($read, $w, $e, 0, 200000) > 0) {
            foreach ($read as $s) {
                $chunk = (string) fread($s, 65536);
                if ($s === $pipes[1]) {
                    $out .= $chunk;
                } else {
                    $err .= $chunk;
                }
            }
        }
        while (($nl = strpos($out, "\n")) !== false) {
            $line = json_decode(substr($out, 0, $nl), true);
            $out = substr($out, $nl + 1);
            if (is_array($line)) {
                $lines[] = $line;
                $deadline = microtime(true) + $timeout;
            }
        }
        // Peak RSS of the child PHP process (the emulator and MariaDB are its own children, not counted).
        $status = @file_get_contents("/proc/{$pid}/status");
        if (is_string($status) && preg_match('/^VmHWM:\s+(\d+) kB/m', $status, $m)) {
            $hwm = max($hwm, (int) $m[1]);
        }
        $st = proc_get_status($p);
        if (!$st['running']) {
            $exit = $st['signaled'] ? 128 + $st['termsig'] : $st['exitcode'];
            break;
        }
        if (microtime(true) > $deadline) {
            $killed = 'timeout';
            posix_kill($pid, SIGTERM); // the child's shutdown stops its emulator and MariaDB
            $grace = microtime(true) + 15;
            while (proc_get_status($p)['running'] && microtime(true) < $grace) {
                usleep(100000);
            }
            if (proc_get_status($p)['running']) {
                posix_kill($pid, SIGKILL);
            }
            break;
        }
    }
    $out .= (string) stream_get_contents($pipes[1]);
    $err .= (string) stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    $closed = proc_close($p);
    $code = $exit ?? $closed;
    foreach (explode("\n", $out) as $l) {
        $j = json_decode($l, true);
        if (is_array($j)) {
            $lines[] = $j;
        }
    }
    $setup = null;
    $runsOut = [];
    foreach ($lines as $l) {
        if (isset($l['setup_s'])) {
            $setup = $l;
        } else {
            $runsOut[] = $l;
        }
    }
    $okRuns = array_values(array_filter($runsOut, static fn ($r) => $r['ok'] && $r['sampled_rows_wrong'] === 0 && $r['rows_updated'] === $n));
    $summary = ['services' => $n, 'runs' => count($runsOut), 'ok_runs' => count($okRuns), 'memory_limit' => $memoryLimit,
        'timeout_per_run_s' => $timeout, 'setup_s' => $setup['setup_s'] ?? null, 'child_peak_rss_mb' => round($hwm / 1024, 1)];
    if ($okRuns !== []) {
        $summary['seconds'] = round(median(array_column($okRuns, 'seconds')), 3);
        $summary['peak_mb'] = round(median(array_column($okRuns, 'peak_mb')), 1);
        $wasm = array_filter(array_column($okRuns, 'wasm_mb'), static fn ($x) => $x !== null);
        $summary['wasm_mb'] = $wasm === [] ? null : round(median($wasm), 1);
        $summary['requests'] = $okRuns[0]['requests'];
    } else {
        $summary['seconds'] = null;
        $summary['peak_mb'] = $runsOut === [] ? null : max(array_column($runsOut, 'peak_mb'));
        $summary['wasm_mb'] = $runsOut === [] ? null : ($runsOut[0]['wasm_mb'] ?? null);
    }
    if ($killed !== null || count($okRuns) < count($runsOut) || $code !== 0) {
        $why = [];
        if ($killed !== null) {
            $why[] = 'killed after ' . (count($runsOut) === 0 ? "no run finished within {$timeout} s (after setup)" : "a run exceeded {$timeout} s");
        }
        foreach ($runsOut as $r) {
            if (!$r['ok']) {
                $why[] = "run {$r['run']} failed after {$r['seconds']} s: " . ($r['result'] ?? '?');
                break;
            }
        }
        if ($code !== 0 && $killed === null) {
            $why[] = "child exit status {$code}: " . trim(substr($err, -600));
        }
        $summary['failure'] = implode('; ', $why) ?: 'rows not as expected';
    }
    $summary['per_run'] = $runsOut;
    return $summary;
}

$mode = $argv[1] ?? '';
switch ($mode) {
    case 'round-trips':
        echo json_encode(roundTrips(), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
        break;
    case 'lifecycle':
        echo json_encode(lifecycleTimes(max(1, (int) ($argv[2] ?? 5)), (int) ($argv[3] ?? 20)), JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
        break;
    case 'usage':
        echo json_encode(usageDriver((int) ($argv[2] ?? 10000), max(1, (int) ($argv[3] ?? 5)), (int) ($argv[4] ?? 120), (string) ($argv[5] ?? '4G')),
            JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
        break;
    case 'usage-child':
        usageChild((int) $argv[2], (int) $argv[3]);
        break;
    default:
        fail('usage: module-bench.php round-trips | lifecycle [runs] [latencyMs] | usage <services> [runs] [timeout] [memory_limit]');
}
