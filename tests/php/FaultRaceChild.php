<?php
// One side of a race (RaceTest): a child PHP process that loads the module and its core, attaches
// to the parent's database (COMETPROV_HARNESS_DB), prints "ready", waits for "go" on stdin, then
// calls one module function through the WHMCS call site and prints one JSON line:
//   {"result": ..., "violations": [...], "started": <microtime>, "finished": <microtime>}
//
// argv[1]: JSON {"core": {Core config}, "clientOptions": {...}, "function": "ChangePackage",
//                "service": 12, "overrides": {...}, "delayMs": 0}

declare(strict_types=1);

use WHMCS\Module\Server\CometBackup\App;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\ContractViolation;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

require __DIR__ . '/autoload.php';
require __DIR__ . '/Whmcs/harness.php';

$job = json_decode((string) ($argv[1] ?? ''), true);
if (!is_array($job) || !is_string($job['function'] ?? null)) {
    fwrite(STDERR, "FaultRaceChild.php: expected a JSON job as the first argument\n");
    exit(2);
}
Database::start();
\WHMCS\Module\Server\CometBackup\Tests\Whmcs\Schema::create();   // attaches to the parent's tables (as child.php does)
$app = new App((array) ($job['core'] ?? []), (array) ($job['clientOptions'] ?? []));
// Everything slow happens before the start line: the core is instantiated, the module file loaded.
$app->core()->invoke('version');
Whmcs::call('MetaData', []);
$params = Params::forService((int) $job['service'], (array) ($job['overrides'] ?? []));

echo "ready\n";
flush();
$go = trim((string) fgets(STDIN));
if ($go !== 'go') {
    fwrite(STDERR, "FaultRaceChild.php: no go ({$go})\n");
    exit(3);
}
// A stagger chosen by the race, so that the runs cover different interleavings.
$delay = (int) ($job['delayMs'] ?? 0);
if ($delay > 0) {
    usleep($delay * 1000);
}
$out = ['started' => microtime(true)];
try {
    $out['result'] = Whmcs::call($job['function'], $params, 'admin', 'cometbackup', $app);
    $out['violations'] = [];
} catch (ContractViolation $e) {
    $out['result'] = null;
    $out['violations'] = Whmcs::lastViolations();
}
$out['finished'] = microtime(true);
echo json_encode($out, JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE), "\n";
