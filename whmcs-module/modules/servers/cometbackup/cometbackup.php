<?php
/**
 * Comet Backup provisioning module for WHMCS.
 *
 * Each cometbackup_X function is one line into the table cometbackup_Entries(); lib/App.php builds
 * the context, runs one plan of the core (cometprov.wasm) against the Comet Server and turns the
 * result into what WHMCS expects. This file stays parseable by old PHP versions so that an unsupported PHP gets
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
 * The module in one table: WHMCS function => [action, result shape]. lib/App.php runs the action
 * (a plan of the core, or the module's own step) and returns what WHMCS expects for the shape
 * (see App::SHAPES). Each cometbackup_X below is one line into this table.
 */
function cometbackup_Entries()
{
    return array(
        'MetaData' => array('MetaData', 'list'),
        'ConfigOptions' => array('ConfigOptions', 'list'),
        'LoadPolicies' => array('LoadPolicies', 'loader'),
        'LoadStorageProviders' => array('LoadStorageProviders', 'loader'),
        'TestConnection' => array('TestConnection', 'test'),
        'CreateAccount' => array('CreateAccount', 'status'),
        'SuspendAccount' => array('SuspendAccount', 'status'),
        'UnsuspendAccount' => array('UnsuspendAccount', 'status'),
        'TerminateAccount' => array('TerminateAccount', 'status'),
        'ChangePassword' => array('ChangePassword', 'status'),
        'ChangePackage' => array('ChangePackage', 'status'),
        'UsageUpdate' => array('UsageUpdate', 'status'),
        'ListAccounts' => array('ListAccounts', 'accounts'),
        'ServiceSingleSignOn' => array('SignIn', 'sso'),
        'AdminSingleSignOn' => array('AdminSingleSignOn', 'sso'),
        'AdminCustomButtonArray' => array('Buttons', 'list'),
        'ReapplyQuotas' => array('ReapplyQuotas', 'status'),
        'RequestVault' => array('RequestVault', 'status'),
        'AdoptAccount' => array('AdoptAccount', 'status'),
        'AdminServicesTabFields' => array('ServiceOverview', 'fields'),
        'ClientArea' => array('ServiceOverview', 'page'),
        'ClientDownload' => array('ClientDownload', 'status'),
    );
}

/**
 * Runs the table's entry for $function on $app (default: a fresh App for this request) when the
 * requirements hold. Nothing is printed and nothing is thrown: when the module cannot run, the
 * shape's failure value carries the reason.
 */
function cometbackup_Run($function, array $params = array(), $app = null)
{
    $entries = cometbackup_Entries();
    list($action, $shape) = $entries[$function];
    $whmcsVersion = isset($params['whmcsVersion']) && is_string($params['whmcsVersion']) ? $params['whmcsVersion'] : '';
    $problem = cometbackup_Requirements($whmcsVersion);
    if ($problem === null) {
        try {
            cometbackup_Autoload();
            if ($app === null) {
                $app = \WHMCS\Module\Server\CometBackup\App::forRequest();
            }
            return $app->run($action, $params, $shape);
        } catch (\Throwable $e) {
            $problem = 'Comet Backup: an internal error occurred (' . get_class($e) . '). See the module log.';
        }
    }
    return cometbackup_Unavailable($function, $shape, $problem);
}

/** What an entry point returns when the module cannot run at all (old PHP, no FFI, ...). */
function cometbackup_Unavailable($function, $shape, $message)
{
    switch ($function) {
        case 'MetaData':
            return array('DisplayName' => 'Comet Backup', 'APIVersion' => '1.1', 'RequiresServer' => true);
        case 'ConfigOptions':
            return array('Requirements' => array('FriendlyName' => 'Comet Backup', 'Type' => 'text', 'Description' => htmlspecialchars($message)));
    }
    switch ($shape) {
        case 'test':
        case 'accounts':
            return array('success' => false, 'error' => $message);
        case 'loader':
            return array('ok' => false, 'error' => $message);
        case 'sso':
            return array('success' => false, 'errorMsg' => $message);
        case 'page':
            return '';
        case 'fields':
        case 'list':
            return array();
    }
    return $message;
}

function cometbackup_MetaData()
{
    return cometbackup_Run('MetaData');
}

function cometbackup_ConfigOptions($params = array())
{
    return cometbackup_Run('ConfigOptions', is_array($params) ? $params : array());
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
function cometbackup_Loader($function, array $params, $app = null)
{
    $result = cometbackup_Run($function, $params, $app);
    if (empty($result['ok'])) {
        throw new \Exception(isset($result['error']) ? $result['error'] : 'Comet Backup: the list could not be loaded.');
    }
    return $result['options'];
}

function cometbackup_TestConnection(array $params)
{
    return cometbackup_Run('TestConnection', $params);
}

function cometbackup_CreateAccount(array $params)
{
    return cometbackup_Run('CreateAccount', $params);
}

function cometbackup_SuspendAccount(array $params)
{
    return cometbackup_Run('SuspendAccount', $params);
}

function cometbackup_UnsuspendAccount(array $params)
{
    return cometbackup_Run('UnsuspendAccount', $params);
}

function cometbackup_TerminateAccount(array $params)
{
    return cometbackup_Run('TerminateAccount', $params);
}

function cometbackup_ChangePassword(array $params)
{
    return cometbackup_Run('ChangePassword', $params);
}

function cometbackup_ChangePackage(array $params)
{
    return cometbackup_Run('ChangePackage', $params);
}

/** Nothing to do on renewal: the account lives until it is suspended or terminated. */
function cometbackup_Renew(array $params)
{
    return 'success';
}

function cometbackup_UsageUpdate(array $params)
{
    return cometbackup_Run('UsageUpdate', $params);
}

function cometbackup_ListAccounts(array $params)
{
    return cometbackup_Run('ListAccounts', $params);
}

function cometbackup_ServiceSingleSignOn(array $params)
{
    return cometbackup_Run('ServiceSingleSignOn', $params);
}

function cometbackup_AdminSingleSignOn(array $params)
{
    return cometbackup_Run('AdminSingleSignOn', $params);
}

function cometbackup_AdminCustomButtonArray($params = array())
{
    return cometbackup_Run('AdminCustomButtonArray', is_array($params) ? $params : array());
}

function cometbackup_ReapplyQuotas(array $params)
{
    return cometbackup_Run('ReapplyQuotas', $params);
}

function cometbackup_RequestVault(array $params)
{
    return cometbackup_Run('RequestVault', $params);
}

function cometbackup_AdoptAccount(array $params)
{
    return cometbackup_Run('AdoptAccount', $params);
}

function cometbackup_AdminServicesTabFields(array $params)
{
    return cometbackup_Run('AdminServicesTabFields', $params);
}

function cometbackup_ClientArea(array $params)
{
    return cometbackup_Run('ClientArea', $params);
}

function cometbackup_ClientAreaAllowedFunctions($params = array())
{
    return array('ClientDownload');
}

function cometbackup_ClientDownload(array $params)
{
    return cometbackup_Run('ClientDownload', $params);
}
