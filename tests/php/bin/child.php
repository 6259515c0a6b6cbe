<?php
// Child process for the tests: Core::fromConfig(argv[1] as JSON), then invokeJson() for each request
// in the JSON list on stdin; prints one JSON report (info, responses, or the CoreException).

declare(strict_types=1);

require dirname(__DIR__) . '/autoload.php';
if (getenv('COMETPROV_TEST_WASMER_SHIM') === '1') {
    // Stand-in for the wasmer-php extension, so the extension backend runs for real.
    require dirname(__DIR__) . '/fixtures/wasmer-php-shim.php';
}

use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\CoreException;

$report = ['responses' => []];
try {
    $start = hrtime(true);
    $core = Core::fromConfig(json_decode($argv[1], true));
    $report['startMs'] = (hrtime(true) - $start) / 1e6;
    $report['info'] = $core->info();
    if (class_exists('WasmerPhpShim', false)) {
        $report['extensionCallsAtStart'] = WasmerPhpShim::$calls;
    }
    foreach (json_decode((string) stream_get_contents(STDIN), true) ?: [] as $request) {
        if (is_array($request)) {
            // {"repeat": "x", "times": N, "prefix": "...", "suffix": "..."}: a large request built here.
            $request = $request['prefix'] . str_repeat($request['repeat'], $request['times']) . $request['suffix'];
        }
        try {
            $report['responses'][] = $core->invokeJson($request);
        } catch (CoreException $e) {
            if (getenv('COMETPROV_CHILD_CONTINUE') !== '1') {
                throw $e;
            }
            $report['responses'][] = ['reason' => $e->reason(), 'message' => $e->getMessage()];
        }
    }
} catch (CoreException $e) {
    $report['error'] = ['reason' => $e->reason(), 'message' => $e->getMessage()];
}
if (class_exists('WasmerPhpShim', false)) {
    // How many functions of the pretend wasmer-php extension were called.
    $report['extensionCalls'] = WasmerPhpShim::$calls;
}
echo json_encode($report, JSON_UNESCAPED_SLASHES), "\n";
