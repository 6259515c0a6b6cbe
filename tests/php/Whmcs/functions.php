<?php
// The globals WHMCS gives a provisioning module, as recording doubles: the WHMCS and ROOTDIR
// constants, logModuleCall, logActivity, localAPI, encrypt/decrypt and add_hook. The class doubles
// WHMCS\Database\Capsule and WHMCS\Service\Status are autoloaded on first use (doubles/).

declare(strict_types=1);

use WHMCS\Module\Server\CometBackup\Tests\Whmcs\LocalApi;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

if (!defined('WHMCS')) {
    define('WHMCS', true);
}

spl_autoload_register(static function (string $class): void {
    $doubles = [
        'WHMCS\\Database\\Capsule' => 'Capsule.php',
        'WHMCS\\Service\\Status' => 'Status.php',
    ];
    if (isset($doubles[$class])) {
        require __DIR__ . '/doubles/' . $doubles[$class];
    }
});

// A WHMCS login session, as every web request of WHMCS has one: sign-in tokens are bound to its ID.
// No cookie and no session file (session.use_cookies=0, never session_start()): only the ID exists,
// and Whmcs::loginSession() can change it later, after output, as a test's "other browser".
if (session_status() === PHP_SESSION_NONE && session_id() === '' && !headers_sent()) {
    ini_set('session.use_cookies', '0');
    Whmcs::loginSession();
}

if (!defined('ROOTDIR')) {
    // A throwaway "WHMCS root": modules/servers/cometbackup is a symlink to the module under test
    // ($COMETPROV_HARNESS_MODULE_DIR, e.g. an unpacked release, or the folder in this repository).
    define('ROOTDIR', Whmcs::createRoot());
}

if (!function_exists('logModuleCall')) {
    /**
     * @param mixed $request
     * @param mixed $response
     * @param mixed $processed
     * @param mixed $replaceVars
     */
    function logModuleCall($module, $action, $request, $response, $processed = '', $replaceVars = []): void
    {
        Recorder::logModuleCall((string) $module, (string) $action, $request, $response, $processed, $replaceVars);
    }
}

if (!function_exists('logActivity')) {
    function logActivity($message, $userId = 0): void
    {
        Recorder::logActivity((string) $message, (int) $userId);
    }
}

if (!function_exists('localAPI')) {
    /**
     * @param array<string, mixed> $values
     * @return array<string, mixed>
     */
    function localAPI($command, $values = [], $adminUser = ''): array
    {
        return LocalApi::call((string) $command, is_array($values) ? $values : [], (string) $adminUser);
    }
}

if (!function_exists('encrypt')) {
    function encrypt($string): string
    {
        return 'enc:' . base64_encode((string) $string);
    }
}

if (!function_exists('decrypt')) {
    function decrypt($string): string
    {
        $string = (string) $string;
        if (strncmp($string, 'enc:', 4) !== 0) {
            return '';
        }
        $plain = base64_decode(substr($string, 4), true);
        return $plain === false ? '' : $plain;
    }
}

if (!function_exists('add_hook')) {
    function add_hook($hookPoint, $priority, $function = null): void
    {
        Recorder::addHook((string) $hookPoint, (int) $priority, $function);
    }
}
