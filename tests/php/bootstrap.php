<?php
// PHPUnit bootstrap for tests/php: autoloads the module's lib/ and the test support classes, and
// loads the WHMCS-shaped harness (tests/php/Whmcs/: WHMCS globals and doubles, MariaDB, Capsule,
// Smarty, the emulator). The harness starts nothing until a test uses it.

declare(strict_types=1);

require __DIR__ . '/autoload.php';
require __DIR__ . '/TestSupport.php';
require __DIR__ . '/Whmcs/harness.php';
