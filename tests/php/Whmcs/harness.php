<?php
// Loads the WHMCS-shaped harness: PSR-4 autoloading of tests/php/Whmcs/ and the global doubles
// (functions.php). Used by the PHPUnit bootstrap, by child PHP processes and by scripts/php-demo.php.

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'WHMCS\\Module\\Server\\CometBackup\\Tests\\Whmcs\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});

require_once __DIR__ . '/functions.php';
