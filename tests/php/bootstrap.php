<?php
// PHPUnit bootstrap for tests/php: autoloads the module's lib/ and the test support classes, and
// loads the WHMCS-shaped harness (tests/php/Whmcs/: WHMCS globals and doubles, MariaDB, Capsule,
// Smarty, the emulator). The harness starts nothing until a test uses it.

declare(strict_types=1);

require __DIR__ . '/autoload.php';
// The entry points build their App as under WHMCS (App::forRequest): the module folder of a
// checkout has no cometprov.wasm, so they take $COMETPROV_WASM (make test exports it), here the
// build's when unset.
if ((string) getenv('COMETPROV_WASM') === '' && is_file(dirname(__DIR__, 2) . '/build-wasm/cometprov.wasm')) {
    putenv('COMETPROV_WASM=' . dirname(__DIR__, 2) . '/build-wasm/cometprov.wasm');
}
require __DIR__ . '/TestSupport.php';
// PHP's error log of this run (and of child PHP processes) goes to one file the secret scan reads.
$cometprovErrorLog = sys_get_temp_dir() . '/cometprov-phpunit-errors-' . getmypid() . '.log';
touch($cometprovErrorLog);
chmod($cometprovErrorLog, 0600);
\WHMCS\Module\Server\CometBackup\Tests\TestSupport::useErrorLog($cometprovErrorLog);
register_shutdown_function(static fn () => @unlink($cometprovErrorLog));
require __DIR__ . '/Whmcs/harness.php';
