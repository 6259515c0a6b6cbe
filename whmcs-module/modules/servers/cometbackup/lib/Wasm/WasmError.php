<?php
// A failure reported by a WebAssembly runtime, before the host decides what it means for an admin.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Wasm;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

/**
 * Raised by WasmApi implementations; AbiInstance and Runtime translate it into CoreException.
 *
 * @internal
 */
final class WasmError extends \RuntimeException
{
    public const COMPILE = 'compile';
    public const DESERIALIZE = 'deserialize';
    public const INSTANTIATE = 'instantiate';
    public const TRAP = 'trap';

    public function __construct(public readonly string $kind, string $message, ?\Throwable $previous = null)
    {
        parent::__construct($message, 0, $previous);
    }
}
