<?php
// Benchmark of the PHP host (not a test): warm invoke latency in one process, and the per-request
// cost of a fresh `php` process (runtime load, module from the disk cache or compiled, instantiate,
// one invoke) for a cache hit against a cache miss. Prints a JSON summary.
// Usage: php tests/php/bench/bench.php [runs=30]; env COMETPROV_WASM (default build-wasm/cometprov.wasm),
// COMETPROV_WASM_RUNTIME as for Core.

declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';

use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\Wasm\Runtime;

$root = dirname(__DIR__, 3);
$runs = max(3, (int) ($argv[1] ?? 30));
$wasm = getenv('COMETPROV_WASM') ?: 'build-wasm/cometprov.wasm';
$wasm = $wasm[0] === '/' ? $wasm : $root . '/' . $wasm;
if (!is_file($wasm)) {
    fwrite(STDERR, "bench: {$wasm} not found (build it, or set COMETPROV_WASM)\n");
    exit(2);
}

/** @param list<float> $xs */
function stats(array $xs): array
{
    sort($xs);
    $n = count($xs);
    $at = static fn (float $q) => $xs[min($n - 1, (int) floor($q * ($n - 1) + 0.5))];
    return ['median' => round($at(0.5), 4), 'p90' => round($at(0.9), 4), 'min' => round($xs[0], 4), 'runs' => $n];
}

function removeTree(string $dir): void
{
    foreach (glob($dir . '/{,.}*', GLOB_BRACE) ?: [] as $entry) {
        if (basename($entry) !== '.' && basename($entry) !== '..') {
            is_dir($entry) ? removeTree($entry) : unlink($entry);
        }
    }
    @rmdir($dir);
}

$scratch = sys_get_temp_dir() . '/cometprov-bench-' . getmypid();
mkdir($scratch, 0700, true);

// Warm: one process, one instance, many invokes.
$core = Core::fromConfig(['wasmPath' => $wasm, 'cacheDir' => $scratch . '/warm']);
$requests = [
    'version' => '{"op":"version"}',
    'username.validate' => '{"op":"username.validate","args":{"username":"alice"}}',
    'password.validate' => '{"op":"password.validate","args":{"password":"correct horse battery staple"}}',
];
$warm = [];
foreach ($requests as $name => $request) {
    for ($i = 0; $i < 200; $i++) {
        $core->invokeJson($request);
    }
    $samples = [];
    for ($i = 0; $i < 2000; $i++) {
        $t = hrtime(true);
        $core->invokeJson($request);
        $samples[] = (hrtime(true) - $t) / 1e3;
    }
    $warm[$name . ' (us)'] = stats($samples);
}

// Fresh processes. Wall time includes PHP's own start-up; the in-process phases do not.
// PHP compiles our ~10 class files in every CLI process; a web SAPI keeps them in OPcache. The
// "opcache" variant approximates that with OPcache's file cache (compiled once, then loaded).
$opcacheDir = $scratch . '/opcache';
mkdir($opcacheDir);
$opcache = ['-d', 'opcache.enable_cli=1', '-d', 'opcache.file_cache=' . $opcacheDir, '-d', 'opcache.file_cache_only=1'];
$child = static function (string $cacheDir, array $phpOptions = [], int $nextRequests = 0) use ($wasm): array {
    $cmd = array_merge([PHP_BINARY], $phpOptions, [__DIR__ . '/request.php', $wasm, $cacheDir, (string) $nextRequests]);
    $t = hrtime(true);
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    $code = proc_close($p);
    $wall = (hrtime(true) - $t) / 1e6;
    $r = json_decode((string) $out, true);
    if ($code !== 0 || !is_array($r)) {
        fwrite(STDERR, "bench: child failed ({$code}): {$out}{$err}\n");
        exit(2);
    }
    return $r + ['wallMs' => $wall];
};
$phases = ['loadMs', 'instantiateMs', 'invokeMs', 'totalMs', 'wallMs'];
/** Runs request.php $runs times; $ffi (when given) is how the FFI declarations must have been obtained. */
$collect = static function (callable $prepare, string $expect, array $options = [], ?string $ffi = null) use ($child, $runs, $phases) {
    $by = array_fill_keys($phases, []);
    $reads = [];
    for ($i = 0; $i < $runs; $i++) {
        $r = $child($prepare($i), $options);
        if ($r['cache'] !== $expect || ($ffi !== null && $r['ffi'] !== $ffi)) {
            fwrite(STDERR, "bench: expected a cache {$expect} (FFI " . ($ffi ?? 'any') . "), got {$r['cache']} (FFI {$r['ffi']})\n");
            exit(2);
        }
        foreach ($phases as $k) {
            $by[$k][] = $r[$k];
        }
        $reads[(string) ($r['cacheRead'] ?? 'none')] = true;
    }
    return array_map('stats', $by) + ['cacheRead' => implode(',', array_keys($reads)), 'ffi' => $r['ffi']];
};
// ffi.preload: the headers the module's preload.php writes (loaded once per PHP start: once per
// PHP-FPM master, but once per process here, which the empty-process figures below show).
$moduleDir = $root . '/whmcs-module/modules/servers/cometbackup';
$ffiDir = $scratch . '/ffi';
exec(implode(' ', array_map('escapeshellarg', [PHP_BINARY, $moduleDir . '/preload.php',
    '--library=' . Runtime::locateLibrary(null, $moduleDir), $ffiDir])) . ' 2>&1', $lines, $code);
if ($code !== 0) {
    fwrite(STDERR, "bench: preload.php failed ({$code}): " . implode("\n", $lines) . "\n");
    exit(2);
}
$preload = ['-d', 'ffi.preload=' . $ffiDir . '/*.h'];

$hitDir = $scratch . '/hit';
$child($hitDir); // warm the disk cache (and the page cache)
$hit = $collect(static fn () => $hitDir, 'hit');
$child($hitDir, $opcache); // fill OPcache's file cache
$hitOpcache = $collect(static fn () => $hitDir, 'hit', $opcache, 'cdef');
$hitOpcachePreload = $collect(static fn () => $hitDir, 'hit', array_merge($opcache, $preload), 'preloaded');
$miss = $collect(static fn (int $i) => $scratch . '/miss-' . $i, 'miss');

// Further requests of one PHP-FPM worker (OPcache and ffi.preload): see request.php.
$worker = $child($hitDir, array_merge($opcache, $preload), max(5, $runs));
$nextRequest = stats($worker['nextRequestsMs']);

$empty = static function (array $options) use ($runs): array {
    $xs = [];
    for ($i = 0; $i < $runs; $i++) {
        $t = hrtime(true);
        exec(implode(' ', array_map('escapeshellarg', array_merge([PHP_BINARY], $options, ['-r', ';']))), $o, $code);
        $xs[] = (hrtime(true) - $t) / 1e6;
        if ($code !== 0) {
            fwrite(STDERR, "bench: empty php process failed ({$code})\n");
            exit(2);
        }
    }
    return stats($xs);
};
$baselineStats = $empty([]);
$baselineOpcacheStats = $empty($opcache);
$baselinePreloadStats = $empty(array_merge($opcache, $preload));

$entry = glob($hitDir . '/cometprov-modules-*/*.module')[0] ?? null;
echo json_encode([
    'wasm' => $wasm,
    'wasmBytes' => filesize($wasm),
    'wasmSha256' => hash_file('sha256', $wasm),
    'runtime' => $core->info()['runtime'],
    'backend' => $core->info()['backend'],
    'cacheEntryBytes' => $entry ? filesize($entry) : null,
    'warmInvoke' => $warm,
    'freshProcessCacheHitMs' => $hit,
    'freshProcessCacheHitWithOpcacheMs' => $hitOpcache,
    'freshProcessCacheHitWithOpcacheAndFfiPreloadMs' => $hitOpcachePreload,
    'freshProcessCacheMissMs' => $miss,
    'nextRequestInWorkerMs' => $nextRequest,
    'emptyPhpProcessWallMs' => $baselineStats,
    'emptyPhpProcessWithOpcacheWallMs' => $baselineOpcacheStats,
    'emptyPhpProcessWithOpcacheAndFfiPreloadWallMs' => $baselinePreloadStats,
    'note' => 'totalMs = runtime load + module (cache) + instantiate + one invoke, inside the process; '
        . 'wallMs adds PHP start-up (compare emptyPhpProcess*WallMs: with ffi.preload the declarations and '
        . 'the library are loaded during start-up, which PHP-FPM does once per master, not per request). '
        . 'nextRequestInWorkerMs: one worker process, each later request dropping and re-making the runtime, '
        . 'module and instance (Runtime::reset()), as PHP-FPM frees a request\'s objects; cacheRead says '
        . 'whether the cache entry was read through a checked mapping or into PHP',
], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
removeTree($scratch);
