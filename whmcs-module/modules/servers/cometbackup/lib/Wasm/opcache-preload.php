<?php
// The opcache.preload script for PHP's default ffi.enable=preload (php.ini, printed by preload.php):
//
//     opcache.preload=/path/to/modules/servers/cometbackup/lib/Wasm/opcache-preload.php
//
// Under ffi.enable=preload a web request may use the FFI API only from code that opcache.preload
// compiled when PHP started (FFI::scope included; PHP-FPM and php-cgi enforce it, the CLI does not).
// FfiApi is the only class that touches the FFI API, so it is compiled here with the interface it
// implements; its declarations still come from the ffi.preload headers that preload.php writes.
// A class compiled here stays until PHP restarts: restart PHP-FPM after upgrading the module, as
// after running preload.php.

declare(strict_types=1);

// PHP runs this file when it starts, before WHMCS exists, so it cannot demand the WHMCS guard like
// the rest of lib/. What it refuses instead is a web request (lib/ should be denied to browsers, but
// this file must not depend on that): while preloading, PHP serves no request, so no response code
// is set (http_response_code() is false, as on the command line) and $_SERVER holds no
// REQUEST_METHOD (opcache does not let the SAPI register its variables), whereas every web SAPI
// sets both for a request. Under WHMCS (a request that includes this file) compiling is harmless.
if (!defined('WHMCS') && (http_response_code() !== false || isset($_SERVER['REQUEST_METHOD']))) {
    exit('This file cannot be accessed directly');
}

if (!function_exists('opcache_compile_file')) {
    return;
}
// The interface first: PHP links a preloaded class only when what it implements is preloaded too.
opcache_compile_file(__DIR__ . '/WasmApi.php');
opcache_compile_file(__DIR__ . '/FfiApi.php');
