<?php
// The WHMCS call site: loads the module file like WHMCS (require, once), calls cometbackup_<Function>
// with $params, and reacts to the result the way WHMCS does (service status, activity log).
// Anything WHMCS would not tolerate (an escaped Throwable, printed output, a PHP warning or notice,
// a wrong return type, an unknown localAPI command) is a ContractViolation.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

use WHMCS\Database\Capsule;

final class Whmcs
{
    public const NOT_SUPPORTED = 'Function Not Supported by Module';

    /** Account actions: WHMCS expects 'success' or an error string; on success it updates the service. */
    private const ACCOUNT_ACTIONS = [
        'CreateAccount' => ['Create', 'Active'],
        'SuspendAccount' => ['Suspend', 'Suspended'],
        'UnsuspendAccount' => ['Unsuspend', 'Active'],
        'TerminateAccount' => ['Terminate', 'Terminated'],
        'ChangePackage' => ['Change Package', null],
        'ChangePassword' => ['Change Password', null],
        'Renew' => ['Renew', null],
    ];

    private static ?string $scratch = null;
    /** @var list<string> */
    private static array $lastViolations = [];
    /** @var array<string, bool> */
    private static array $loaded = [];

    /**
     * Calls <module>_<function>($params) as WHMCS would.
     *
     * @param array<string, mixed> $params
     * @param string $context 'admin', 'client' or 'cron' (WHMCS's reaction is the same; an 'admin'
     *        call runs with an admin's session, $_SESSION['adminid'], as in WHMCS's admin area)
     * @param object|null $app the module's App to run the entry on (cometbackup_Run's third
     *        argument: a test's own wiring); null: the entry point builds its own, as under WHMCS
     * @return mixed what the module returned
     * @throws ContractViolation
     */
    public static function call(string $function, array $params, string $context = 'admin', string $module = 'cometbackup', ?object $app = null)
    {
        self::$lastViolations = [];
        self::noteSecrets($module, $params);
        $violations = self::loadModule($module);
        $name = "{$module}_{$function}";
        if (!function_exists($name)) {
            self::fail($violations);
            return self::NOT_SUPPORTED;
        }
        $storedPassword = self::storedPassword($function, $params);
        $hadSession = isset($_SESSION);
        $savedSession = $hadSession ? $_SESSION : null;
        if ($context === 'admin') {
            $_SESSION = ['adminid' => 1] + (is_array($savedSession) ? $savedSession : []);
        }
        try {
            [$result, $thrown, $more] = self::guarded(static fn () => $app !== null
                ? ("{$module}_Run")($function, $params, $app)
                : $name($params));
        } finally {
            if ($hadSession) {
                $_SESSION = $savedSession;
            } else {
                unset($GLOBALS['_SESSION']);
            }
        }
        $violations = array_merge($violations, $more);
        if ($thrown !== null) {
            $violations[] = sprintf('%s leaked %s: %s', $name, get_class($thrown), $thrown->getMessage());
        } else {
            $violations = array_merge($violations, self::checkResult($module, $function, $result));
        }
        self::fail($violations);
        if (isset(self::ACCOUNT_ACTIONS[$function]) && is_string($result)) {
            self::applyOutcome($function, $params, $result, $storedPassword);
        }
        return $result;
    }

    /** ChangePassword: the service's stored (encrypted) password before the call, else null. */
    private static function storedPassword(string $function, array $params): ?string
    {
        if ($function !== 'ChangePassword' || !Database::isReady() || (int) ($params['serviceid'] ?? 0) === 0) {
            return null;
        }
        $value = Capsule::table('tblhosting')->where('id', (int) $params['serviceid'])->value('password');
        return $value === null ? null : (string) $value;
    }

    /**
     * Calls a ConfigOptions loader (WHMCS documents that loaders throw on failure, so a Throwable is
     * rethrown, not a violation). Output and warnings are still violations.
     *
     * @param array<string, mixed> $params server params
     * @return mixed
     */
    public static function loader(string $function, array $params, string $module = 'cometbackup', ?object $app = null)
    {
        self::$lastViolations = [];
        self::noteSecrets($module, $params);
        $violations = self::loadModule($module);
        $name = str_starts_with($function, $module . '_') ? $function : "{$module}_{$function}";
        if (!is_callable($name)) {
            $violations[] = "loader {$name} does not exist";
            self::fail($violations);
        }
        [$result, $thrown, $more] = self::guarded(static fn () => $app !== null
            ? ("{$module}_Loader")(substr($name, strlen($module) + 1), $params, $app)
            : $name($params));
        $violations = array_merge($violations, $more);
        if ($thrown === null && !is_array($result)) {
            $violations[] = "loader {$name} returned " . get_debug_type($result) . ', not an array of value => label';
        }
        self::fail($violations);
        if ($thrown !== null) {
            throw $thrown;
        }
        return $result;
    }

    /** The passwords this module is handed, for the whole-run secret scan (not the harness's own probes). */
    private static function noteSecrets(string $module, array $params): void
    {
        if ($module === 'cometbackup') {
            Secrets::addNeedle($params['serverpassword'] ?? null);
            Secrets::addNeedle($params['password'] ?? null);
            Secrets::addNeedle($params['customfields']['Password'] ?? null);
        }
    }

    /** @return list<string> the violations of the last call() (empty when it passed) */
    public static function lastViolations(): array
    {
        return self::$lastViolations;
    }

    public static function reset(): void
    {
        self::$lastViolations = [];
    }

    /**
     * Starts a new WHMCS login session as far as the module can see it: a fresh PHP session ID
     * (functions.php turns session cookies off, so this works after output too). Returns the ID.
     */
    public static function loginSession(?string $id = null): string
    {
        $id ??= 'harness' . bin2hex(random_bytes(16));
        session_id($id);
        return $id;
    }

    /** Makes ROOTDIR/modules/servers/<name> point at $dir (e.g. a test fixture module). */
    public static function installModule(string $name, string $dir): void
    {
        $link = ROOTDIR . '/modules/servers/' . $name;
        if (is_link($link)) {
            if (readlink($link) === $dir) {
                return;
            }
            unlink($link);
        }
        if (!symlink($dir, $link)) {
            throw new \RuntimeException("cannot link module {$name}");
        }
    }

    /** The folder WHMCS would load <name> from. */
    public static function moduleDir(string $name = 'cometbackup'): string
    {
        return ROOTDIR . '/modules/servers/' . $name;
    }

    /**
     * Requires modules/servers/<name>/<name>.php once, as WHMCS does, with output and warnings caught.
     *
     * @return list<string> violations
     */
    private static function loadModule(string $module): array
    {
        if (isset(self::$loaded[$module])) {
            return [];
        }
        $file = self::moduleDir($module) . "/{$module}.php";
        if (!is_file($file)) {
            self::fail(["module file modules/servers/{$module}/{$module}.php does not exist"]);
        }
        self::$loaded[$module] = true;
        [, $thrown, $violations] = self::guarded(static function () use ($file): void {
            require_once $file;
        });
        if ($thrown !== null) {
            $violations[] = "loading {$module}.php threw " . get_class($thrown) . ': ' . $thrown->getMessage();
        }
        return $violations;
    }

    /**
     * Runs $fn with output buffering and an error handler.
     *
     * @return array{0: mixed, 1: ?\Throwable, 2: list<string>}
     */
    private static function guarded(callable $fn): array
    {
        $problems = [];
        set_error_handler(static function (int $errno, string $message, string $file, int $line) use (&$problems): bool {
            if ((error_reporting() & $errno) === 0) {
                return true;   // silenced with @, as PHP itself would leave it
            }
            $problems[] = sprintf('PHP %s: %s at %s:%d', self::errorName($errno), $message, basename($file), $line);
            return true;
        });
        $level = ob_get_level();
        ob_start();
        $result = null;
        $thrown = null;
        try {
            $result = $fn();
        } catch (\Throwable $e) {
            $thrown = $e;
            Secrets::recordException($e->getMessage());
        } finally {
            $output = '';
            while (ob_get_level() > $level) {
                $output = ob_get_clean() . $output;
            }
            restore_error_handler();
        }
        if ($output !== '') {
            $problems[] = sprintf('printed %d bytes of output (starting "%s")', strlen($output), substr($output, 0, 60));
            Secrets::recordPage($output);
        }
        return [$result, $thrown, $problems];
    }

    /** @return list<string> */
    private static function checkResult(string $module, string $function, $result): array
    {
        $type = get_debug_type($result);
        if (isset(self::ACCOUNT_ACTIONS[$function])) {
            if (!is_string($result)) {
                return ["{$function} returned {$type}; WHMCS expects 'success' or an error message string"];
            }
            if ($result === '') {
                return ["{$function} returned an empty string; WHMCS would show an empty error"];
            }
            if ($result !== 'success' && (preg_match('/<[a-z\/!]/i', $result) || preg_match('/Stack trace|#0 \//', $result))) {
                return ["{$function} returned markup or a stack trace as its error message: {$result}"];
            }
            return [];
        }
        switch ($function) {
            case 'MetaData':
            case 'ConfigOptions':
                return is_array($result) ? [] : ["{$function} returned {$type}, not an array"];
            case 'TestConnection':
                if (!is_array($result) || !is_bool($result['success'] ?? null)) {
                    return ["TestConnection must return ['success' => bool, 'error' => string], got {$type}"];
                }
                if ($result['success'] === false && (!is_string($result['error'] ?? null) || $result['error'] === '')) {
                    return ['TestConnection failed without an error message'];
                }
                return [];
            case 'ServiceSingleSignOn':
            case 'AdminSingleSignOn':
                if (!is_array($result) || !is_bool($result['success'] ?? null)) {
                    return ["{$function} must return ['success' => bool, ...], got {$type}"];
                }
                if ($result['success'] && !preg_match('#^https?://#', (string) ($result['redirectTo'] ?? ''))) {
                    return ["{$function} succeeded without an absolute http(s) redirectTo"];
                }
                if (!$result['success'] && (!is_string($result['errorMsg'] ?? null) || $result['errorMsg'] === '')) {
                    return ["{$function} failed without an errorMsg"];
                }
                return [];
            case 'ClientArea':
                return is_array($result) || is_string($result) ? [] : ["ClientArea returned {$type}"];
            case 'AdminServicesTabFields':
                if (!is_array($result)) {
                    return ["AdminServicesTabFields returned {$type}, not label => HTML"];
                }
                foreach ($result as $label => $html) {
                    if (!is_string($label) || !is_string($html)) {
                        return ['AdminServicesTabFields must map string labels to HTML strings'];
                    }
                }
                return [];
            case 'AdminCustomButtonArray':
            case 'ClientAreaCustomButtonArray':
                if (!is_array($result)) {
                    return ["{$function} returned {$type}"];
                }
                foreach ($result as $label => $target) {
                    if (!is_string($target) || !function_exists("{$module}_{$target}")) {
                        return ["{$function}: button '{$label}' names no function {$module}_" . (is_string($target) ? $target : '?')];
                    }
                }
                return [];
            case 'ListAccounts':
                return is_array($result) && is_bool($result['success'] ?? null) ? [] : ["ListAccounts returned {$type} without a bool success"];
            default:
                return [];
        }
    }

    /** @param array<string, mixed> $params */
    private static function applyOutcome(string $function, array $params, string $result, ?string $storedPassword = null): void
    {
        [$label, $status] = self::ACCOUNT_ACTIONS[$function];
        $serviceId = (int) ($params['serviceid'] ?? 0);
        if ($result !== 'success') {
            logActivity("Module {$label} Failed - Service ID: {$serviceId} - Error: {$result}", (int) ($params['userid'] ?? 0));
            return;
        }
        if ($serviceId === 0 || !Database::isReady()) {
            return;
        }
        $update = [];
        if ($status !== null) {
            $update['domainstatus'] = $status;
        }
        if ($function === 'SuspendAccount') {
            $update['suspendreason'] = (string) ($params['suspendreason'] ?? '');
        } elseif ($function === 'UnsuspendAccount') {
            $update['suspendreason'] = '';
        } elseif ($function === 'ChangePassword') {
            // WHMCS keeps the new password it passed in $params['password'] (the admin saved it, or
            // the client area stored the customer's choice). A module that set the service password
            // itself during the call (it applied the custom field Password) is not overwritten.
            $now = Capsule::table('tblhosting')->where('id', $serviceId)->value('password');
            if ($storedPassword === null || (string) $now === $storedPassword) {
                $update['password'] = encrypt((string) ($params['password'] ?? ''));
            }
        }
        if ($update !== []) {
            Capsule::table('tblhosting')->where('id', $serviceId)->update($update);
        }
        logActivity("Module {$label} Successful - Service ID: {$serviceId}", (int) ($params['userid'] ?? 0));
    }

    /** @param list<string> $violations */
    private static function fail(array $violations): void
    {
        $violations = array_merge($violations, array_map(
            static fn (string $f): string => 'strict: ' . $f,
            Recorder::takeStrictFailures()
        ));
        self::$lastViolations = $violations;
        if ($violations !== []) {
            throw new ContractViolation("WHMCS contract violated:\n- " . implode("\n- ", $violations));
        }
    }

    private static function errorName(int $errno): string
    {
        return [
            E_WARNING => 'Warning', E_NOTICE => 'Notice', E_DEPRECATED => 'Deprecated',
            E_USER_WARNING => 'Warning', E_USER_NOTICE => 'Notice', E_USER_DEPRECATED => 'Deprecated',
            E_USER_ERROR => 'Error', E_STRICT => 'Strict',
        ][$errno] ?? "error {$errno}";
    }

    /** A private directory for this process under the system temp dir, removed at exit. */
    public static function scratchDir(): string
    {
        if (self::$scratch === null) {
            $dir = sys_get_temp_dir() . '/cometprov-harness-' . getmypid() . '-' . bin2hex(random_bytes(3));
            if (!mkdir($dir, 0700)) {
                throw new \RuntimeException("cannot create {$dir}");
            }
            self::$scratch = $dir;
            $pid = getmypid();
            // Registered from inside a shutdown function, so it runs after the servers are stopped.
            register_shutdown_function(static function () use ($dir, $pid): void {
                register_shutdown_function(static function () use ($dir, $pid): void {
                    if (getmypid() === $pid) {
                        self::removeTree($dir);
                    }
                });
            });
        }
        return self::$scratch;
    }

    /** @internal functions.php: the WHMCS root for ROOTDIR. */
    public static function createRoot(): string
    {
        $root = self::scratchDir() . '/whmcs';
        mkdir($root . '/modules/servers', 0700, true);
        $module = getenv('COMETPROV_HARNESS_MODULE_DIR');
        if (!is_string($module) || $module === '') {
            $module = dirname(__DIR__, 3) . '/whmcs-module/modules/servers/cometbackup';
        }
        symlink($module, $root . '/modules/servers/cometbackup');
        return $root;
    }

    public static function removeTree(string $dir): void
    {
        if (is_link($dir) || is_file($dir)) {
            @unlink($dir);
            return;
        }
        if (!is_dir($dir)) {
            return;
        }
        foreach (scandir($dir) ?: [] as $entry) {
            if ($entry !== '.' && $entry !== '..') {
                self::removeTree("{$dir}/{$entry}");
            }
        }
        @chmod($dir, 0700);
        @rmdir($dir);
    }
}
