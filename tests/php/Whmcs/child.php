<?php
// A child PHP process that calls module functions through the harness, against the parent's
// database (Database::childEnv()) and, with COMETPROV_HARNESS_MODULE_DIR, a module folder other
// than the repository's (e.g. an unpacked release). Used by DistTest.
//
// stdin:  {"modules": {"name": "/dir"}?, "calls": [{"function": "TestConnection", "server": 1},
//          {"function": "CreateAccount", "service": 2, "overrides": {...}}]}
// stdout: {"results": [{"function": ..., "result": ..., "violations": [...]}], "moduleLog": [...],
//          "activity": [...], "rootdir": ..., "moduleDir": <the module folder, resolved>,
//          "includedFrom": [<every cometbackup.php that was included>]}

declare(strict_types=1);

use WHMCS\Module\Server\CometBackup\Tests\Whmcs\ContractViolation;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

require __DIR__ . '/harness.php';

$request = json_decode((string) stream_get_contents(STDIN), true);
if (!is_array($request) || !is_array($request['calls'] ?? null)) {
    fwrite(STDERR, "child.php: expected a JSON request on stdin\n");
    exit(2);
}
Database::start();
\WHMCS\Module\Server\CometBackup\Tests\Whmcs\Schema::create();
foreach ($request['modules'] ?? [] as $name => $dir) {
    Whmcs::installModule((string) $name, (string) $dir);
}
$results = [];
foreach ($request['calls'] as $call) {
    $params = isset($call['service'])
        ? Params::forService((int) $call['service'], $call['overrides'] ?? [])
        : Params::forServer((int) ($call['server'] ?? 0), $call['overrides'] ?? []);
    $entry = ['function' => (string) $call['function']];
    try {
        $entry['result'] = Whmcs::call((string) $call['function'], $params, (string) ($call['context'] ?? 'admin'),
            (string) ($call['module'] ?? 'cometbackup'));
        $entry['violations'] = [];
    } catch (ContractViolation $e) {
        $entry['result'] = null;
        $entry['violations'] = Whmcs::lastViolations();
    }
    $results[] = $entry;
}
echo json_encode([
    'results' => $results,
    'moduleLog' => Recorder::moduleLog(),
    'activity' => Recorder::activity(),
    'rootdir' => ROOTDIR,
    'moduleDir' => realpath(Whmcs::moduleDir()),
    'includedFrom' => array_values(array_filter(get_included_files(), static fn (string $f): bool => str_ends_with($f, '/cometbackup.php'))),
], JSON_PARTIAL_OUTPUT_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE), "\n";
