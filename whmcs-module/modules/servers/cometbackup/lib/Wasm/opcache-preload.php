<?php
// The opcache.preload script for PHP's default ffi.enable=preload (php.ini, printed by preload.php):
//
//     opcache.preload=/path/to/modules/servers/cometbackup/lib/Wasm/opcache-preload.php
//
// Under ffi.enable=preload a web request may use the FFI API only from code that opcache.preload
// compiled when PHP started (FFI::scope included; PHP-FPM and php-cgi enforce it, the CLI does not).
// FfiApi is the only class that touches the FFI API, so it is compiled here with the interface it
// implements; its declarations still come from the ffi.preload headers that preload.php writes.
// Compiling runs none of the module's code and prints nothing, so this file is harmless if reached
// over HTTP (lib/ is denied to browsers anyway). A class compiled here stays until PHP restarts:
// restart PHP-FPM after upgrading the module, as after running preload.php.

declare(strict_types=1);

if (!function_exists('opcache_compile_file')) {
    return;
}
// The interface first: PHP links a preloaded class only when what it implements is preloaded too.
opcache_compile_file(__DIR__ . '/WasmApi.php');
opcache_compile_file(__DIR__ . '/FfiApi.php');
