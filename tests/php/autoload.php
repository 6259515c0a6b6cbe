<?php
// PSR-4 loading of the module's lib/ (namespace WHMCS\Module\Server\CometBackup\) for tests and scripts.

declare(strict_types=1);

// Every file of lib/ starts with the WHMCS guard; tests and scripts load the module as WHMCS would.
if (!defined('WHMCS')) {
    define('WHMCS', true);
}

spl_autoload_register(static function (string $class): void {
    $prefix = 'WHMCS\\Module\\Server\\CometBackup\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = dirname(__DIR__, 2) . '/whmcs-module/modules/servers/cometbackup/lib/'
        . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
