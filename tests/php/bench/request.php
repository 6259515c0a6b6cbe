<?php
// One simulated PHP request for bench.php: load the runtime, get the module (cache hit or miss),
// instantiate, invoke once; prints the phase timings in ms as JSON. argv: wasm path, cache dir.

declare(strict_types=1);

$t0 = hrtime(true);
require dirname(__DIR__) . '/autoload.php';

use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\Wasm\Runtime;

Runtime::acquire('auto', null, '/nonexistent');      // FFI parse + dlopen + engine (cached for Core)
$t1 = hrtime(true);
$core = Core::fromConfig(['wasmPath' => $argv[1], 'cacheDir' => $argv[2]]); // module + instance
$t2 = hrtime(true);
$core->invokeJson('{"op":"username.validate","args":{"username":"alice"}}');
$t3 = hrtime(true);
echo json_encode([
    'loadMs' => ($t1 - $t0) / 1e6,
    'instantiateMs' => ($t2 - $t1) / 1e6,
    'invokeMs' => ($t3 - $t2) / 1e6,
    'totalMs' => ($t3 - $t0) / 1e6,
    'cache' => $core->info()['moduleCache'],
]), "\n";
