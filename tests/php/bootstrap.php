<?php
// PHPUnit bootstrap for tests/php: autoloads the module's lib/ and the test support classes, and
// loads the WHMCS-shaped harness (tests/php/Whmcs/: WHMCS globals and doubles, MariaDB, Capsule,
// Smarty, the emulator). The harness starts nothing until a test uses it.

declare(strict_types=1);

require __DIR__ . '/autoload.php';
require __DIR__ . '/TestSupport.php';
// PHP's error log of this run (and of child PHP processes) goes to one file the secret scan reads.
$cometprovErrorLog = sys_get_temp_dir() . '/cometprov-phpunit-errors-' . getmypid() . '.log';
touch($cometprovErrorLog);
chmod($cometprovErrorLog, 0600);
\WHMCS\Module\Server\CometBackup\Tests\TestSupport::useErrorLog($cometprovErrorLog);
register_shutdown_function(static fn () => @unlink($cometprovErrorLog));
require __DIR__ . '/Whmcs/harness.php';
