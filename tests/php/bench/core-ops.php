<?php
// Core operations per second through the PHP host (Core::invokeJson over FFI or the extension), for
// `make bench`: the request files written by node-harness/bench/core-ops.js (same requests as the
// native and Node figures). 5 runs of as many invokes as fit in ~250 ms each; medians. Prints JSON,
// with the instance's linear memory after the largest request.
// Usage: php -d ffi.enable=1 tests/php/bench/core-ops.php <requests dir> [runs=5]

declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';

use WHMCS\Module\Server\CometBackup\Core;

$dir = $argv[1] ?? '';
$runs = max(1, (int) ($argv[2] ?? 5));
$wasm = getenv('COMETPROV_WASM') ?: dirname(__DIR__, 3) . '/build-wasm/cometprov.wasm';
$files = glob(rtrim($dir, '/') . '/*.json') ?: [];
if ($files === [] || !is_file($wasm)) {
    fwrite(STDERR, "core-ops.php: no request files in '{$dir}' or no {$wasm}\n");
    exit(2);
}
$cache = sys_get_temp_dir() . '/cometprov-core-ops-' . getmypid();
@mkdir($cache, 0700);
$core = Core::fromConfig(['wasmPath' => $wasm, 'cacheDir' => $cache]);

function median(array $xs): float
{
    sort($xs);
    $n = count($xs);
    return $n % 2 ? (float) $xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2;
}

$out = [];
foreach ($files as $file) {
    $request = (string) file_get_contents($file);
    $start = preg_replace('/\.json$/', '.start', $file);
    if (is_file($start)) {
        // A plan.resume whose state this host must make itself (states are sealed per core build).
        $step = json_decode($core->invokeJson((string) file_get_contents($start)), true);
        $request = str_replace('"__PLAN_STATE__"', json_encode((string) ($step['value']['state'] ?? '')), $request);
    }
    $first = json_decode($core->invokeJson($request), true);
    if (($first['ok'] ?? false) !== true) {
        fwrite(STDERR, 'core-ops.php: ' . basename($file) . ' failed: ' . substr(json_encode($first), 0, 300) . "\n");
        exit(1);
    }
    $rates = [];
    for ($r = 0; $r < $runs; $r++) {
        $n = 0;
        $t = hrtime(true);
        do {
            $core->invokeJson($request);
            $n++;
            $el = (hrtime(true) - $t) / 1e9;
        } while ($el < 0.25);
        $rates[] = $n / $el;
    }
    $m = median($rates);
    $out[basename($file, '.json')] = ['ops_per_s' => round($m, 3), 'ms_per_op' => round(1000 / $m, 3), 'runs' => $runs];
}
$wasmMb = null;
try {
    $instance = (new ReflectionProperty($core, 'instance'))->getValue($core);
    $api = (new ReflectionProperty($instance, 'api'))->getValue($instance);
    $memory = (new ReflectionProperty($instance, 'memory'))->getValue($instance);
    $wasmMb = round($api->memoryDataSize($memory) / 1048576, 1);
} catch (Throwable $e) {
}
echo json_encode(['ops' => $out, 'wasm_mb_after' => $wasmMb, 'backend' => $core->info()['backend'] ?? null,
    'php_peak_mb' => round(memory_get_peak_usage(true) / 1048576, 1)], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
foreach (glob($cache . '/*/*') ?: [] as $f) {
    @unlink($f);
}
foreach (glob($cache . '/*') ?: [] as $d) {
    @rmdir($d);
}
@rmdir($cache);
