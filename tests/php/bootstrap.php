<?php
// PHPUnit bootstrap for tests/php: autoloads the module's lib/ and the test support classes.

declare(strict_types=1);

require __DIR__ . '/autoload.php';
require __DIR__ . '/TestSupport.php';
