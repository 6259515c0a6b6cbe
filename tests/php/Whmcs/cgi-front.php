<?php
// A web front for php-cgi (WebSapiTest): the request a WHMCS page would serve, run by a web SAPI,
// where PHP enforces ffi.enable=preload (the CLI does not). It loads the harness and the module
// (COMETPROV_HARNESS_MODULE_DIR), calls the module's entry points, renders what ClientArea returns
// the way WHMCS would, and prints one JSON report as the response body.
//
// env COMETPROV_CGI_CALLS: [{"function": "TestConnection", "server": 1},
//                           {"function": "ClientArea", "service": 2, "context": "client"}, ...]

declare(strict_types=1);

use WHMCS\Module\Server\CometBackup\Tests\Whmcs\ContractViolation;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Schema;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Templates;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;
use WHMCS\Module\Server\CometBackup\Wasm\Runtime;

if (PHP_SAPI === 'cli') {
    fwrite(STDERR, "cgi-front.php is run by php-cgi (see tests/php/WebSapiTest.php)\n");
    exit(2);
}
header('Content-Type: application/json');
require __DIR__ . '/harness.php';

$calls = json_decode((string) getenv('COMETPROV_CGI_CALLS'), true);
if (!is_array($calls)) {
    http_response_code(400);
    echo json_encode(['error' => 'COMETPROV_CGI_CALLS is not a JSON list of calls']);
    return;
}
// Whether this SAPI really refuses FFI to code that was not preloaded (without it the test proves
// nothing), FFI::scope() of a scope that ffi.preload loaded included: that is why FfiApi is preloaded.
$refused = static function (callable $ffiCall): bool {
    try {
        $ffiCall();
    } catch (\FFI\Exception $e) {
        return stripos($e->getMessage(), 'ffi.enable') !== false;
    }
    return false;
};
$restricted = $refused(static fn () => FFI::cdef('int cometprov_probe(void);'));
$scopeRefused = $refused(static fn () => FFI::scope('cometprov_libc') /* FfiApi::SCOPE_PREFIX . 'libc' */);
Database::start();
Schema::create();
$results = [];
foreach ($calls as $call) {
    $params = isset($call['service'])
        ? Params::forService((int) $call['service'])
        : Params::forServer((int) ($call['server'] ?? 0));
    $entry = ['function' => (string) $call['function'], 'violations' => []];
    try {
        $entry['result'] = Whmcs::call($entry['function'], $params, (string) ($call['context'] ?? 'admin'));
        if ($entry['function'] === 'ClientArea' && is_array($entry['result']) && isset($entry['result']['templatefile'])) {
            $entry['page'] = Templates::toText(Templates::render(
                (string) $entry['result']['templatefile'],
                is_array($entry['result']['vars'] ?? null) ? $entry['result']['vars'] : []
            ));
            // The view model may hold objects; the test needs only the template and the page.
            $entry['result'] = ['templatefile' => $entry['result']['templatefile']];
        }
    } catch (ContractViolation $e) {
        $entry['result'] = null;
        $entry['violations'] = Whmcs::lastViolations();
    }
    $results[] = $entry;
}
// How the core ran: the FFI declarations' origin ('preloaded' = an ffi.preload scope, 'cdef').
$loadedBy = [];
foreach ((new ReflectionProperty(Runtime::class, 'runtimes'))->getValue() as $runtime) {
    $api = $runtime->api();
    $loadedBy[] = method_exists($api, 'loadedBy') ? $api->loadedBy() : $runtime->backend();
}
$status = function_exists('opcache_get_status') ? @opcache_get_status(false) : false;
echo json_encode([
    'sapi' => PHP_SAPI,
    'ffiEnable' => ini_get('ffi.enable'),
    'restricted' => $restricted,
    'scopeRefused' => $scopeRefused,
    'opcache' => is_array($status) && !empty($status['opcache_enabled']),
    'preloadedClasses' => is_array($status) ? ($status['preload_statistics']['classes'] ?? []) : [],
    'loadedBy' => $loadedBy,
    'results' => $results,
], JSON_PARTIAL_OUTPUT_ON_ERROR | JSON_INVALID_UTF8_SUBSTITUTE);
