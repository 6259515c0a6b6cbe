<?php
/**
 * Comet Backup provisioning module for WHMCS.
 *
 * Each cometbackup_X function is one line into lib/Module.php, where the context is built, one
 * plan of the core (cometprov.wasm) is run against the Comet Server and the result is turned into
 * what WHMCS expects. This file stays parseable by old PHP versions so that an unsupported PHP gets
 * a clear message instead of a parse error.
 */

if (!defined('WHMCS')) {
    die('This file cannot be accessed directly');
}

/**
 * Why the module cannot run here, or null. Checked before any class of lib/ is loaded (under
 * ffi.enable=preload in a web request, cometbackup_PreloadProblem() loads the two that check FFI).
 * $whmcsVersion: $params['whmcsVersion'] when WHMCS passed it (e.g. "8.12.1-release.1").
 */
function cometbackup_Requirements($whmcsVersion = '')
{
    $whmcs = preg_replace('/-.*$/', '', (string) $whmcsVersion);
    if ($whmcs !== '' && preg_match('/^\d+(\.\d+)*$/', $whmcs) && version_compare($whmcs, '8.0.0', '<')) {
        return 'Comet Backup needs WHMCS 8.0 or newer; this is WHMCS ' . $whmcs . '.';
    }
    if (PHP_VERSION_ID < 80100) {
        return 'Comet Backup needs PHP 8.1 or newer; this server runs PHP ' . PHP_VERSION . '.';
    }
    if (!extension_loaded('curl')) {
        return 'Comet Backup needs the PHP curl extension.';
    }
    // ffi.enable=preload (PHP's default) allows FFI on the command line (WHMCS's cron); in web
    // requests only to code compiled by opcache.preload, with the ffi.preload declarations.
    $ffiSetting = strtolower(trim((string) ini_get('ffi.enable')));
    $ffi = extension_loaded('ffi') && (in_array($ffiSetting, array('1', 'on', 'true', 'yes'), true)
        || ($ffiSetting === 'preload' && PHP_SAPI === 'cli'));
    $preloadProblem = null;
    if (!$ffi && extension_loaded('ffi') && $ffiSetting === 'preload') {
        $preloadProblem = cometbackup_PreloadProblem();
        $ffi = $preloadProblem === null;
    }
    if (!$ffi && !extension_loaded('wasm') && !function_exists('wasm_engine_new')) {
        if ($preloadProblem !== null) {
            return 'Comet Backup: ' . $preloadProblem;
        }
        return 'Comet Backup needs PHP FFI (ffi.enable=preload with the php.ini lines that the module\'s preload.php '
            . 'prints, or ffi.enable=1), or the wasmer-php extension.';
    }
    if (!$ffi) {
        // Without FFI only the wasmer-php extension is left, and it is safe only on a wasmer 1.x
        // library: with wasmer 2 or newer it frees memory twice and PHP aborts (lib/Wasm/ExtensionApi.php).
        $wasmer = function_exists('wasmer_version') ? trim((string) wasmer_version()) : '';
        if (!preg_match('/^1\.\d/', $wasmer)) {
            return 'Comet Backup cannot use the wasmer-php extension here: it runs on '
                . ($wasmer !== '' && preg_match('/^[0-9A-Za-z.+-]{1,40}$/', $wasmer) ? 'wasmer ' . $wasmer : 'a wasmer library of unknown version')
                . ', and only wasmer 1.x is safe with it (wasmer 2 or newer crashes PHP). Enable PHP FFI instead '
                . ($preloadProblem !== null ? '(' . $preloadProblem . ')' : '(ffi.enable=1 in php.ini)')
                . ', or rebuild the extension against wasmer 1.0.2.';
        }
    }
    return null;
}

/**
 * Under ffi.enable=preload in a web request: null when the module can use FFI (FfiApi compiled by
 * opcache.preload, and the ffi.preload scope of the runtime library present), else what to add to
 * php.ini: the lines that preload.php prints. Null as well when no runtime library is found: Test
 * Connection names that problem.
 */
function cometbackup_PreloadProblem()
{
    try {
        cometbackup_Autoload();
        $runtime = 'WHMCS\\Module\\Server\\CometBackup\\Wasm\\Runtime';
        $ffiApi = 'WHMCS\\Module\\Server\\CometBackup\\Wasm\\FfiApi';
        try {
            $library = $runtime::locateLibrary(null, __DIR__);
        } catch (\Throwable $e) {
            return null;
        }
        return $ffiApi::preloadProblem(__DIR__, $library);
    } catch (\Throwable $e) {
        return 'PHP runs with ffi.enable=preload and the module could not check its preloaded FFI setup ('
            . get_class($e) . '). Run preload.php and add the php.ini lines it prints, or set ffi.enable=1.';
    }
}

/** Loads lib/ under WHMCS\Module\Server\CometBackup\ (WHMCS's own module autoloader may differ in case). */
function cometbackup_Autoload()
{
    static $done = false;
    if ($done) {
        return;
    }
    $done = true;
    spl_autoload_register(function ($class) {
        $prefix = 'WHMCS\\Module\\Server\\CometBackup\\';
        if (strncasecmp($class, $prefix, strlen($prefix)) !== 0) {
            return;
        }
        $file = __DIR__ . '/lib/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require_once $file;
        }
    });
}

/**
 * Calls Module::$method(...$args) when the requirements hold; otherwise (or if even that fails)
 * returns $onFailure($message). Nothing is printed and nothing is thrown.
 */
function cometbackup_Call($method, array $args, $onFailure)
{
    $whmcsVersion = '';
    foreach ($args as $arg) {
        if (is_array($arg) && isset($arg['whmcsVersion']) && is_string($arg['whmcsVersion'])) {
            $whmcsVersion = $arg['whmcsVersion'];
        }
    }
    $problem = cometbackup_Requirements($whmcsVersion);
    if ($problem === null) {
        try {
            cometbackup_Autoload();
            return call_user_func_array(array('WHMCS\\Module\\Server\\CometBackup\\Module', $method), $args);
        } catch (\Throwable $e) {
            $problem = 'Comet Backup: an internal error occurred (' . get_class($e) . '). See the module log.';
        }
    }
    return call_user_func($onFailure, $problem);
}

function cometbackup_FailString($message)
{
    return $message;
}

function cometbackup_MetaData()
{
    return cometbackup_Call('metaData', array(), function ($m) {
        return array('DisplayName' => 'Comet Backup', 'APIVersion' => '1.1', 'RequiresServer' => true);
    });
}

function cometbackup_ConfigOptions($params = array())
{
    return cometbackup_Call('configOptions', array(), function ($m) {
        return array('Requirements' => array('FriendlyName' => 'Comet Backup', 'Type' => 'text', 'Description' => htmlspecialchars($m)));
    });
}

function cometbackup_LoadPolicies(array $params)
{
    return cometbackup_Loader('LoadPolicies', $params);
}

function cometbackup_LoadStorageProviders(array $params)
{
    return cometbackup_Loader('LoadStorageProviders', $params);
}

/** A settings dropdown: value => label, or an \Exception with a clear message (WHMCS's loader contract). */
function cometbackup_Loader($action, array $params)
{
    $result = cometbackup_Call('loaderResult', array($action, $params), function ($m) {
        return array('ok' => false, 'error' => $m);
    });
    if (empty($result['ok'])) {
        throw new \Exception(isset($result['error']) ? $result['error'] : 'Comet Backup: the list could not be loaded.');
    }
    return $result['options'];
}

function cometbackup_TestConnection(array $params)
{
    return cometbackup_Call('testConnection', array($params), function ($m) {
        return array('success' => false, 'error' => $m);
    });
}

function cometbackup_CreateAccount(array $params)
{
    return cometbackup_Call('accountAction', array('CreateAccount', $params), 'cometbackup_FailString');
}

function cometbackup_SuspendAccount(array $params)
{
    return cometbackup_Call('accountAction', array('SuspendAccount', $params), 'cometbackup_FailString');
}

function cometbackup_UnsuspendAccount(array $params)
{
    return cometbackup_Call('accountAction', array('UnsuspendAccount', $params), 'cometbackup_FailString');
}

function cometbackup_TerminateAccount(array $params)
{
    return cometbackup_Call('accountAction', array('TerminateAccount', $params), 'cometbackup_FailString');
}

function cometbackup_ChangePassword(array $params)
{
    return cometbackup_Call('accountAction', array('ChangePassword', $params), 'cometbackup_FailString');
}

function cometbackup_ChangePackage(array $params)
{
    return cometbackup_Call('accountAction', array('ChangePackage', $params), 'cometbackup_FailString');
}

/** Nothing to do on renewal: the account lives until it is suspended or terminated. */
function cometbackup_Renew(array $params)
{
    return 'success';
}

function cometbackup_UsageUpdate(array $params)
{
    return cometbackup_Call('usageUpdate', array($params), 'cometbackup_FailString');
}

function cometbackup_ListAccounts(array $params)
{
    return cometbackup_Call('listAccounts', array($params), function ($m) {
        return array('success' => false, 'error' => $m);
    });
}

function cometbackup_ServiceSingleSignOn(array $params)
{
    return cometbackup_Call('singleSignOn', array('ServiceSingleSignOn', $params), function ($m) {
        return array('success' => false, 'errorMsg' => $m);
    });
}

function cometbackup_AdminSingleSignOn(array $params)
{
    return cometbackup_Call('singleSignOn', array('AdminSingleSignOn', $params), function ($m) {
        return array('success' => false, 'errorMsg' => $m);
    });
}

function cometbackup_AdminCustomButtonArray($params = array())
{
    return cometbackup_Call('adminCustomButtonArray', array(), function ($m) {
        return array();
    });
}

function cometbackup_ReapplyQuotas(array $params)
{
    return cometbackup_Call('reapplyQuotas', array($params), 'cometbackup_FailString');
}

function cometbackup_RequestVault(array $params)
{
    return cometbackup_Call('requestVault', array($params), 'cometbackup_FailString');
}

function cometbackup_AdminServicesTabFields(array $params)
{
    return cometbackup_Call('adminServicesTabFields', array($params), function ($m) {
        return array();
    });
}

function cometbackup_ClientArea(array $params)
{
    return cometbackup_Call('clientArea', array($params), function ($m) {
        return '';
    });
}

function cometbackup_ClientAreaAllowedFunctions($params = array())
{
    return array('ClientDownload');
}

function cometbackup_ClientDownload(array $params)
{
    return cometbackup_Call('clientDownload', array($params), 'cometbackup_FailString');
}
