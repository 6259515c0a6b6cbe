<?php
// One simulated PHP request for bench.php: load the runtime, get the module (cache hit or miss),
// instantiate, invoke once; prints the phase timings in ms as JSON. argv: wasm path, cache dir.
// With argv[3] = N > 0 it then also simulates N further requests served by the same worker process
// (PHP-FPM): everything the module made is dropped (Runtime::reset()) and made again, as PHP frees a
// request's objects; only what PHP keeps for a worker (loaded classes, preloaded FFI scopes) stays.

declare(strict_types=1);

$t0 = hrtime(true);
require dirname(__DIR__) . '/autoload.php';

use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\Wasm\Runtime;

$runtime = Runtime::acquire('auto', null, '/nonexistent');      // FFI declarations + library + engine (cached for Core)
$t1 = hrtime(true);
$core = Core::fromConfig(['wasmPath' => $argv[1], 'cacheDir' => $argv[2]]); // module + instance
$t2 = hrtime(true);
$core->invokeJson('{"op":"username.validate","args":{"username":"alice"}}');
$t3 = hrtime(true);
$api = $runtime->api();
$report = [
    'loadMs' => ($t1 - $t0) / 1e6,
    'instantiateMs' => ($t2 - $t1) / 1e6,
    'invokeMs' => ($t3 - $t2) / 1e6,
    'totalMs' => ($t3 - $t0) / 1e6,
    'cache' => $core->info()['moduleCache'],
    'cacheRead' => $runtime->cacheRead($argv[1]),
    'ffi' => method_exists($api, 'loadedBy') ? $api->loadedBy() : null,
];
$next = [];
for ($i = 0, $n = (int) ($argv[3] ?? 0); $i < $n; $i++) {
    unset($core, $runtime, $api);
    Runtime::reset();
    gc_collect_cycles();
    $t = hrtime(true);
    $core = Core::fromConfig(['wasmPath' => $argv[1], 'cacheDir' => $argv[2]]);
    $core->invokeJson('{"op":"username.validate","args":{"username":"alice"}}');
    $next[] = (hrtime(true) - $t) / 1e6;
}
if ($next !== []) {
    $report['nextRequestsMs'] = $next;
}
echo json_encode($report), "\n";
