<?php
// The slice of the wasmer-php procedural API that the host uses, as one interface with two backends.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Wasm;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

/**
 * Each method is one wasmer-php (PECL "wasm") function, named after it in camelCase, with vectors
 * turned into PHP arrays and i32 values into ints:
 *
 *   engineNew            wasm_engine_new()
 *   storeNew/-Delete     wasm_store_new($engine) / wasm_store_delete($store)
 *   moduleNew            wasm_module_new($store, $bytes)
 *   moduleImportCount    count(wasm_module_imports($module))
 *   moduleExportNames    wasm_exporttype_name() over wasm_module_exports($module)
 *   moduleSerialize      wasm_module_serialize($module)
 *   moduleDeserialize    wasm_module_deserialize($store, $bytes)
 *   instanceNew          wasm_instance_new($store, $module, new Wasm\Vec\Extern())  (no imports)
 *   instanceExports      wasm_instance_exports($instance)
 *   externKind/AsFunc/AsMemory  wasm_extern_kind / wasm_extern_as_func / wasm_extern_as_memory
 *   funcArity            wasm_func_param_arity / wasm_func_result_arity
 *   funcCall             wasm_func_call($func, new Wasm\Vec\Val([wasm_val_i32(..)...])) + wasm_val_value
 *   memoryDataSize       wasm_memory_data_size($memory)
 *   memoryRead/-Write    wasm_memory_data($memory) (a Wasm\MemoryView)
 *
 * ExtensionApi calls those functions of the wasmer-php extension; FfiApi provides the same surface
 * with PHP FFI over a wasm.h shared library. Handles are opaque and only valid with the
 * implementation that made them. Failures raise WasmError.
 *
 * @internal
 */
interface WasmApi
{
    /** wasm.h's wasm_externkind_t values (checked against the real header by the tests). */
    public const WASM_EXTERN_FUNC = 0;
    public const WASM_EXTERN_GLOBAL = 1;
    public const WASM_EXTERN_TABLE = 2;
    public const WASM_EXTERN_MEMORY = 3;

    /** Names the runtime and its exact build, for compiled-module cache keys and diagnostics. */
    public function runtimeId(): string;

    /** Whether compiled modules can be serialized (false for interpreters such as wasmi). */
    public function canSerialize(): bool;

    public function engineNew(): mixed;

    public function engineDelete(mixed $engine): void;

    public function storeNew(mixed $engine): mixed;

    public function storeDelete(mixed $store): void;

    /** @throws WasmError (COMPILE) */
    public function moduleNew(mixed $store, string $wasm): mixed;

    public function moduleDelete(mixed $module): void;

    public function moduleImportCount(mixed $module): int;

    /** @return list<string> export names, in the order of instanceExports() */
    public function moduleExportNames(mixed $module): array;

    public function moduleSerialize(mixed $module): string;

    /** @throws WasmError (DESERIALIZE) */
    public function moduleDeserialize(mixed $store, string $serialized): mixed;

    /** Instantiates with an empty import vector. @throws WasmError (INSTANTIATE or TRAP) */
    public function instanceNew(mixed $store, mixed $module): mixed;

    /** @return list<mixed> externs, valid until instanceDelete() */
    public function instanceExports(mixed $instance): array;

    public function instanceDelete(mixed $instance): void;

    public function externKind(mixed $extern): int;

    public function externAsFunc(mixed $extern): mixed;

    public function externAsMemory(mixed $extern): mixed;

    /** @return array{0: int, 1: int}|null [params, results], or null when the backend cannot tell */
    public function funcArity(mixed $func): ?array;

    /**
     * Calls a function whose parameters are all i32 and which returns at most one i32.
     *
     * @throws WasmError (TRAP)
     */
    public function funcCall(mixed $func, int ...$args): ?int;

    public function memoryDataSize(mixed $memory): int;

    /** The caller has checked that [offset, offset+length) lies inside the memory. */
    public function memoryRead(mixed $memory, int $offset, int $length): string;

    /** The caller has checked that [offset, offset+strlen(bytes)) lies inside the memory. */
    public function memoryWrite(mixed $memory, int $offset, string $bytes): void;
}
