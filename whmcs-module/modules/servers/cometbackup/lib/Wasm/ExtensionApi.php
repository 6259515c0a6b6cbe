<?php
// The host's WasmApi on top of the wasmer-php extension (PECL "wasm"), used as is when it is loaded.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Wasm;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

/**
 * Supported only with a wasmer 1.x library (wasmer-php 1.1.0 was built for wasmer 1.0.2): with
 * wasmer 2 or newer the extension frees the result of wasm_extern_as_func twice (it owns it, but
 * since wasmer 2 that is a pointer into the exports vector), so PHP aborts at exit and after a
 * trap. Runtime checks unsafeReason() before using this class and uses FFI instead.
 *
 * Calls the extension's global functions and classes; nothing here defines them. Its MemoryView
 * offers only 4- and 8-byte accessors (getI64/setI64), so byte strings are copied in 8-byte words,
 * and an unaligned tail is done as a read-modify-write of the last full word of the range, which
 * rewrites the preceding bytes with the values they already hold.
 *
 * @internal
 */
final class ExtensionApi implements WasmApi
{
    public static function available(): bool
    {
        return function_exists('wasm_engine_new')
            && class_exists('Wasm\\Vec\\Val', false);
    }

    /**
     * The version of the wasmer library the loaded extension runs on, as the extension reports it
     * (wasmer_version(), or wasmer_version_major/minor/patch()), or null when it does not say.
     */
    public static function wasmerVersion(): ?string
    {
        try {
            if (function_exists('wasmer_version')) {
                $v = trim((string) \wasmer_version());
                if (preg_match('/^\d+\.\d+(\.\d+)?([-+.][0-9A-Za-z.-]*)?$/', $v) === 1) {
                    return $v;
                }
            }
            if (function_exists('wasmer_version_major') && function_exists('wasmer_version_minor')
                && function_exists('wasmer_version_patch')) {
                return \wasmer_version_major() . '.' . \wasmer_version_minor() . '.' . \wasmer_version_patch();
            }
        } catch (\Throwable) {
            // Treated as unknown.
        }
        return null;
    }

    /**
     * Null when the extension and its library are a known-safe pair (wasmer 1.x), else why not:
     * the caller must then not call a single function of the extension.
     */
    public static function unsafeReason(): ?string
    {
        $extension = phpversion('wasm') ?: 'unknown';
        $wasmer = self::wasmerVersion();
        if ($wasmer === null) {
            return "the wasmer-php extension (version {$extension}) does not report which wasmer library it runs on, "
                . 'so it cannot be checked (only wasmer 1.x is safe with it)';
        }
        if ((int) $wasmer !== 1) {
            return "the wasmer-php extension (version {$extension}) runs on wasmer {$wasmer}; with wasmer 2 or newer "
                . 'that extension frees memory twice and PHP crashes, so only wasmer 1.x (it was built for 1.0.2) '
                . 'is supported';
        }
        return null;
    }

    public function runtimeId(): string
    {
        return 'wasmer-php ' . (phpversion('wasm') ?: 'unknown') . ' wasmer ' . (self::wasmerVersion() ?? 'unknown');
    }

    public function canSerialize(): bool
    {
        return function_exists('wasm_module_serialize') && function_exists('wasm_module_deserialize');
    }

    public function engineNew(): mixed
    {
        try {
            return \wasm_engine_new();
        } catch (\Throwable $e) {
            throw new WasmError(WasmError::INSTANTIATE, $e->getMessage(), $e);
        }
    }

    public function engineDelete(mixed $engine): void
    {
        \wasm_engine_delete($engine);
    }

    public function storeNew(mixed $engine): mixed
    {
        try {
            return \wasm_store_new($engine);
        } catch (\Throwable $e) {
            throw new WasmError(WasmError::INSTANTIATE, $e->getMessage(), $e);
        }
    }

    public function storeDelete(mixed $store): void
    {
        \wasm_store_delete($store);
    }

    public function moduleNew(mixed $store, string $wasm): mixed
    {
        try {
            return \wasm_module_new($store, $wasm);
        } catch (\Throwable $e) {
            throw new WasmError(WasmError::COMPILE, $e->getMessage(), $e);
        }
    }

    public function moduleDelete(mixed $module): void
    {
        \wasm_module_delete($module);
    }

    public function moduleImportCount(mixed $module): int
    {
        return count(\wasm_module_imports($module));
    }

    public function moduleExportNames(mixed $module): array
    {
        $exports = \wasm_module_exports($module);
        $names = [];
        for ($i = 0, $n = count($exports); $i < $n; $i++) {
            $names[] = \wasm_exporttype_name($exports[$i]);
        }
        return $names;
    }

    public function moduleSerialize(mixed $module): string
    {
        return \wasm_module_serialize($module);
    }

    public function moduleDeserialize(mixed $store, string $serialized): mixed
    {
        try {
            $module = \wasm_module_deserialize($store, $serialized);
        } catch (\Throwable $e) {
            throw new WasmError(WasmError::DESERIALIZE, $e->getMessage(), $e);
        }
        if (!$module) {
            throw new WasmError(WasmError::DESERIALIZE, 'wasm_module_deserialize rejected the cached module');
        }
        return $module;
    }

    public function instanceNew(mixed $store, mixed $module): mixed
    {
        try {
            $instance = \wasm_instance_new($store, $module, new \Wasm\Vec\Extern());
        } catch (\Throwable $e) {
            throw new WasmError(WasmError::INSTANTIATE, $e->getMessage(), $e);
        }
        // Keep the export vector with the instance: its externs live as long as it does.
        return ['instance' => $instance, 'exports' => \wasm_instance_exports($instance)];
    }

    public function instanceExports(mixed $instance): array
    {
        $exports = $instance['exports'];
        $list = [];
        for ($i = 0, $n = count($exports); $i < $n; $i++) {
            $list[] = $exports[$i];
        }
        return $list;
    }

    public function instanceDelete(mixed $instance): void
    {
        \wasm_instance_delete($instance['instance']);
    }

    public function externKind(mixed $extern): int
    {
        return \wasm_extern_kind($extern);
    }

    public function externAsFunc(mixed $extern): mixed
    {
        return \wasm_extern_as_func($extern);
    }

    public function externAsMemory(mixed $extern): mixed
    {
        return \wasm_extern_as_memory($extern);
    }

    public function funcArity(mixed $func): ?array
    {
        if (!function_exists('wasm_func_param_arity') || !function_exists('wasm_func_result_arity')) {
            return null;
        }
        return [\wasm_func_param_arity($func), \wasm_func_result_arity($func)];
    }

    public function funcCall(mixed $func, int ...$args): ?int
    {
        $vals = [];
        foreach ($args as $arg) {
            $vals[] = \wasm_val_i32($arg);
        }
        try {
            $results = \wasm_func_call($func, new \Wasm\Vec\Val($vals));
        } catch (\Throwable $e) {
            // The extension turns a trap into an exception carrying wasm_trap_message().
            throw new WasmError(WasmError::TRAP, $e->getMessage(), $e);
        }
        return count($results) > 0 ? (int) \wasm_val_value($results[0]) : null;
    }

    public function memoryDataSize(mixed $memory): int
    {
        return \wasm_memory_data_size($memory);
    }

    public function memoryRead(mixed $memory, int $offset, int $length): string
    {
        if ($length === 0) {
            return '';
        }
        $view = \wasm_memory_data($memory);
        $whole = $length - ($length % 8);
        $out = '';
        for ($i = 0; $i < $whole; $i += 8) {
            $out .= pack('P', $view->getI64($offset + $i));
        }
        $tail = $length - $whole;
        if ($tail > 0) {
            $out .= substr(pack('P', $view->getI64($this->lastWord($offset, $length))), 8 - $tail);
        }
        return $out;
    }

    public function memoryWrite(mixed $memory, int $offset, string $bytes): void
    {
        $length = strlen($bytes);
        if ($length === 0) {
            return;
        }
        $view = \wasm_memory_data($memory);
        $whole = $length - ($length % 8);
        for ($i = 0; $i < $whole; $i += 8) {
            $view->setI64($offset + $i, unpack('P', $bytes, $i)[1]);
        }
        $tail = $length - $whole;
        if ($tail > 0) {
            $at = $this->lastWord($offset, $length);
            $word = substr(pack('P', $view->getI64($at)), 0, 8 - $tail) . substr($bytes, $length - $tail);
            $view->setI64($at, unpack('P', $word)[1]);
        }
    }

    /** Offset of the 8-byte word that ends where the range ends. */
    private function lastWord(int $offset, int $length): int
    {
        $at = $offset + $length - 8;
        if ($at < 0) {
            // Only a range within the first 8 bytes of memory; the core never allocates there.
            throw new WasmError(WasmError::TRAP, 'memory range too close to address 0 for 8-byte access');
        }
        return $at;
    }
}
