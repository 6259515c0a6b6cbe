<?php
// The one exception type the Core facade raises: a stable reason() for code, a message for admins.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

/**
 * Everything that can go wrong while running the core (PHP setup, runtime library, the .wasm,
 * a trap, a malformed reply) surfaces as this exception. Callers switch on reason(); the message
 * tells an administrator what to fix. Messages never contain request contents (they can hold
 * passwords), only sizes, paths and runtime diagnostics.
 */
final class CoreException extends \RuntimeException
{
    /** PHP's FFI extension is missing or disabled by ffi.enable, and wasmer-php is not loaded. */
    public const FFI_DISABLED = 'ffi_disabled';
    /** The wasm.h runtime library cannot be found or loaded. */
    public const RUNTIME_MISSING = 'runtime_missing';
    /** cometprov.wasm cannot be found or read. */
    public const WASM_MISSING = 'wasm_missing';
    /** cometprov.wasm is not a valid WebAssembly module for this runtime. */
    public const WASM_INVALID = 'wasm_invalid';
    /** The module does not implement the expected C ABI (version, exports, imports). */
    public const ABI_MISMATCH = 'abi_mismatch';
    /** The module trapped (crashed) while running; the instance was discarded. */
    public const TRAP = 'trap';
    /** The module could not allocate memory for the request or its reply. */
    public const OUT_OF_MEMORY = 'out_of_memory';
    /** The module's reply broke the ABI (out-of-bounds output, invalid JSON, wrong status). */
    public const BAD_REPLY = 'bad_reply';
    /** The request could not be encoded as JSON (for example invalid UTF-8 in an argument). */
    public const BAD_REQUEST = 'bad_request';
    /** The configured compiled-module cache directory is unusable. */
    public const CACHE = 'cache';

    private string $reason;

    public function __construct(string $reason, string $message, ?\Throwable $previous = null)
    {
        parent::__construct($message, 0, $previous);
        $this->reason = $reason;
    }

    /** A stable snake_case code (one of the constants above). */
    public function reason(): string
    {
        return $this->reason;
    }
}
