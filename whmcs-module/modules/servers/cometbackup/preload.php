<?php
// Server setting for PHP's default ffi.enable=preload (recommended over ffi.enable=1), and a speed-up
// with ffi.enable=1: PHP loads the WebAssembly runtime's FFI declarations once when it starts
// (PHP-FPM master, Apache mod_php) instead of once per request. Run this once from the command line:
//
//     php modules/servers/cometbackup/preload.php [--library=/path/to/libwasmer.so] [directory]
//
// It writes three C headers into the directory (default: this module's runtime/ffi/) and prints the
// php.ini lines to add, for example
//     ffi.preload=/var/www/whmcs/modules/servers/cometbackup/runtime/ffi/*.h
//     opcache.preload=/var/www/whmcs/modules/servers/cometbackup/lib/Wasm/opcache-preload.php
// lib/Wasm/FfiApi.php then takes the declarations from those preloaded FFI scopes (FFI::scope()).
// The second line matters under ffi.enable=preload only: PHP then lets web requests use FFI only
// from code compiled by opcache.preload, and lib/Wasm/opcache-preload.php compiles FfiApi.
// The scope is named after the runtime library file's identity (path, inode, size, mtime): a library
// replaced later is loaded per request as without preloading, until this script is run again.
// PHP refuses to start when a preloaded library is missing, so remove the ffi.preload line before
// deleting or moving the runtime library.

declare(strict_types=1);

if (PHP_SAPI !== 'cli') {
    // This file sits in the web root, and what it prints names absolute paths of the server: it is
    // a command-line tool only.
    http_response_code(404);
    exit('preload.php runs from the command line only.');
}
// The classes of lib/ refuse to load unless WHMCS defined this; this command-line tool of the
// module's admin stands in for WHMCS (as WHMCS's own cron does), and over HTTP it stopped above.
if (!defined('WHMCS')) {
    define('WHMCS', true);
}

use WHMCS\Module\Server\CometBackup\CoreException;
use WHMCS\Module\Server\CometBackup\Wasm\FfiApi;
use WHMCS\Module\Server\CometBackup\Wasm\Runtime;

spl_autoload_register(static function (string $class): void {
    $prefix = 'WHMCS\\Module\\Server\\CometBackup\\';
    if (strncmp($class, $prefix, strlen($prefix)) === 0) {
        $file = __DIR__ . '/lib/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require $file;
        }
    }
});

/**
 * Writes the headers for $library into $dir and returns the php.ini value.
 *
 * @return array{0: string, 1: list<string>} [ffi.preload value, files written]
 */
function cometbackup_preload_write(string $library, string $dir): array
{
    $real = realpath($library);
    $scope = FfiApi::scopeName($library);
    if ($real === false || $scope === null || !is_file($real)) {
        throw new RuntimeException("the runtime library {$library} does not exist");
    }
    if (preg_match('/["\\\\\x00-\x1f]/', $real . $dir) === 1) {
        throw new RuntimeException('the library path or the directory contains a quote, backslash or control character');
    }
    $declarations = file_get_contents(FfiApi::declarationFile());
    $headers = [
        'cometprov-wasm.h' => "#define FFI_SCOPE \"{$scope}\"\n#define FFI_LIB \"{$real}\"\n{$declarations}",
        'cometprov-libc.h' => '#define FFI_SCOPE "' . FfiApi::SCOPE_PREFIX . "libc\"\n" . FfiApi::LIBC_DECLARATIONS . "\n",
    ];
    try {
        FFI::cdef(FfiApi::XXH_DECLARATIONS, FfiApi::XXH_LIBRARY);
        $headers['cometprov-xxh.h'] = '#define FFI_SCOPE "' . FfiApi::SCOPE_PREFIX . "xxh\"\n#define FFI_LIB \""
            . FfiApi::XXH_LIBRARY . "\"\n" . FfiApi::XXH_DECLARATIONS . "\n";
    } catch (Throwable $e) {
        fwrite(STDERR, 'note: ' . FfiApi::XXH_LIBRARY . " is not loadable here (Debian package libxxhash0); cache entries are then read into PHP\n");
    }
    if (!is_dir($dir) && !mkdir($dir, 0755, true) && !is_dir($dir)) {
        throw new RuntimeException("cannot create {$dir}");
    }
    $dir = realpath($dir);
    foreach (glob($dir . '/cometprov-*.h') ?: [] as $old) {
        if (!isset($headers[basename($old)])) {
            unlink($old);
        }
    }
    $written = [];
    foreach ($headers as $name => $text) {
        $tmp = $dir . '/.' . $name . '.' . getmypid();
        if (file_put_contents($tmp, $text) !== strlen($text) || !chmod($tmp, 0644) || !rename($tmp, $dir . '/' . $name)) {
            @unlink($tmp);
            throw new RuntimeException("cannot write {$dir}/{$name}");
        }
        $written[] = $dir . '/' . $name;
    }
    return [$dir . '/*.h', $written];
}

/** Starts PHP with the headers preloaded and checks that the module finds them. */
function cometbackup_preload_verify(string $ini, string $library): ?string
{
    $probe = 'require ' . var_export(__FILE__, true) . ';'
        . ' echo \WHMCS\Module\Server\CometBackup\Wasm\FfiApi::load(' . var_export($library, true) . ')->loadedBy();';
    $cmd = [PHP_BINARY, '-d', 'ffi.enable=preload', '-d', 'ffi.preload=' . $ini, '-r', $probe];
    $p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, ['COMETPROV_PRELOAD_PROBE' => '1'] + getenv());
    if (!is_resource($p)) {
        return 'could not start ' . PHP_BINARY;
    }
    $out = stream_get_contents($pipes[1]);
    $err = stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    $code = proc_close($p);
    return $code === 0 && $out === 'preloaded' ? null : trim("exit {$code}: {$out} {$err}");
}

if (getenv('COMETPROV_PRELOAD_PROBE') === '1') {
    return; // included by cometbackup_preload_verify(): only the autoloader is wanted
}

$library = null;
$dir = __DIR__ . '/runtime/ffi';
foreach (array_slice($argv, 1) as $arg) {
    if (str_starts_with($arg, '--library=')) {
        $library = substr($arg, strlen('--library='));
    } elseif ($arg === '--help' || $arg === '-h') {
        echo "usage: php preload.php [--library=/path/to/libwasmer.so] [directory]\n";
        exit(0);
    } else {
        $dir = $arg;
    }
}
try {
    $library = Runtime::locateLibrary($library, __DIR__);
    [$ini, $written] = cometbackup_preload_write($library, $dir);
} catch (CoreException | RuntimeException $e) {
    fwrite(STDERR, 'preload.php: ' . $e->getMessage() . "\n");
    exit(1);
}
$problem = cometbackup_preload_verify($ini, $library);
if ($problem !== null) {
    fwrite(STDERR, "preload.php: PHP did not start with these headers preloaded ({$problem}); do not add the setting.\n");
    exit(1);
}
$lines = FfiApi::iniLines(dirname($ini));
echo "Wrote:\n  " . implode("\n  ", $written) . "\n\nAdd to the php.ini of PHP-FPM (or Apache's PHP), then restart PHP-FPM:\n\n"
    . "  {$lines['ffi']}\n  {$lines['opcache']}\n\n"
    . "Both lines are needed with ffi.enable=preload (PHP's default; recommended); with ffi.enable=1 the first is enough.\n"
    . "Where PHP starts as root (PHP-FPM, Apache), also set opcache.preload_user to the web server's user.\n"
    . "If the server already has an opcache.preload script, have it include the second file instead.\n"
    . "Run this again, and restart PHP, after replacing the runtime library or upgrading the module.\n";
