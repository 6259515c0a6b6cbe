<?php
// The per-process cache: one loaded runtime per library, its engine, and compiled modules by wasm hash.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Wasm;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\CoreException;

/**
 * Loading a runtime (FFI parse + dlopen) and compiling a module are the expensive steps, so each
 * happens once per process: Runtime::acquire() hands out the same object for the same backend, and
 * that object keeps compiled modules (and their live instance) by the wasm's sha256. The static
 * registry below is that cache and nothing else; it holds no configuration or request state.
 *
 * @internal
 */
final class Runtime
{
    /** @var array<string, self> backend key => runtime (the process-wide cache) */
    private static array $runtimes = [];

    private mixed $engine;
    /** A store only used to compile/deserialize; each instance gets its own store. */
    private mixed $compileStore;
    /** @var array<string, mixed> wasm sha256 => compiled module */
    private array $modules = [];
    /** @var array<string, AbiInstance> wasm sha256 => live instance */
    private array $instances = [];
    /**
     * @var array<string, string> path => how its module was obtained: hit, miss, rebuilt (a corrupt or
     *      stale entry was replaced), unwritable (compiled but not stored), disabled (no cache),
     *      memory (already compiled in this process)
     */
    private array $cacheOutcome = [];
    /** @var array<string, string> path => 'mapped' or 'copied' (see cacheRead()) */
    private array $cacheRead = [];
    /** Set once close() deleted the engine: nothing may use this runtime afterwards. */
    private bool $closed = false;

    private function __construct(private readonly WasmApi $api, private readonly string $backend)
    {
        try {
            $this->engine = $api->engineNew();
            $this->compileStore = $api->storeNew($this->engine);
        } catch (WasmError $e) {
            throw new CoreException(
                CoreException::RUNTIME_MISSING,
                "The WebAssembly runtime ({$api->runtimeId()}) loaded but could not start ({$e->getMessage()}). "
                . 'Rebuild it with scripts/build-runtime.sh for this server.',
                $e
            );
        }
    }

    /**
     * Which backend runs the core:
     *  - 'ffi': PHP FFI over a wasm.h library.
     *  - 'extension': the wasmer-php extension, refused when its wasmer library is not 1.x
     *    (ExtensionApi::unsafeReason(): wasmer 2+ makes that extension double-free and abort PHP).
     *  - 'auto': FFI when it is usable, else the extension when it is loaded and safe. FFI comes
     *    first because it copies request and reply bodies with one memcpy each; the extension's
     *    MemoryView costs one PHP call per 8 bytes (about 4 ms per 100 KB round trip against 0.3 ms),
     *    which matters for list-users-full. When neither can run, the message names both problems.
     *
     * @param string|null $library wasm.h library for FFI; null = look in the default places
     * @throws CoreException
     */
    public static function acquire(string $backend, ?string $library, string $moduleDir): self
    {
        if (!in_array($backend, ['auto', 'ffi', 'extension'], true)) {
            throw new CoreException(CoreException::RUNTIME_MISSING, "Unknown WebAssembly backend '{$backend}'.");
        }
        // function_exists first: it spares loading ExtensionApi.php on every FFI request.
        $extension = function_exists('wasm_engine_new') && ExtensionApi::available();
        if ($backend === 'extension') {
            if (!$extension) {
                throw new CoreException(
                    CoreException::RUNTIME_MISSING,
                    'The wasmer-php ("wasm") extension is not loaded; load it in php.ini or use the FFI backend.'
                );
            }
            $unsafe = ExtensionApi::unsafeReason();
            if ($unsafe !== null) {
                throw new CoreException(
                    CoreException::RUNTIME_MISSING,
                    'Comet Backup will not use the wasmer-php extension: ' . $unsafe . '. Use PHP FFI (ffi.enable=preload '
                    . 'with the php.ini lines that preload.php prints, or ffi.enable=1, and the module\'s runtime/libwasmer.so) '
                    . 'or rebuild the extension against wasmer 1.0.2.'
                );
            }
            return self::extension();
        }
        if ($backend === 'ffi' || !$extension) {
            return self::ffi($library, $moduleDir);
        }
        try {
            return self::ffi($library, $moduleDir);
        } catch (CoreException $ffiProblem) {
            $unsafe = ExtensionApi::unsafeReason();
            if ($unsafe === null) {
                return self::extension();
            }
            throw new CoreException(
                $ffiProblem->reason(),
                'Comet Backup has no usable WebAssembly backend. The wasmer-php extension is loaded, but ' . $unsafe
                . '. PHP FFI cannot be used either: ' . $ffiProblem->getMessage(),
                $ffiProblem
            );
        }
    }

    private static function extension(): self
    {
        return self::$runtimes['extension'] ??= new self(new ExtensionApi(), 'extension');
    }

    /** @throws CoreException */
    private static function ffi(?string $library, string $moduleDir): self
    {
        FfiApi::assertFfiUsable();
        $library = self::locateLibrary($library, $moduleDir);
        $key = 'ffi:' . $library;
        return self::$runtimes[$key] ??= new self(FfiApi::load($library), 'ffi');
    }

    /**
     * The configured library, else $COMETPROV_WASM_RUNTIME, else runtime/libwasmer.so in the module
     * folder, else the one scripts/build-runtime.sh last built into its cache directory.
     *
     * @throws CoreException runtime_missing, listing where it looked
     */
    public static function locateLibrary(?string $configured, string $moduleDir): string
    {
        if ($configured !== null && $configured !== '') {
            return $configured;
        }
        $env = getenv('COMETPROV_WASM_RUNTIME');
        if (is_string($env) && $env !== '') {
            return $env;
        }
        $candidates = [$moduleDir . '/runtime/libwasmer.so'];
        // The same default as scripts/build-runtime.sh.
        $xdgCache = getenv('XDG_CACHE_HOME') ?: (getenv('HOME') ?: '/nonexistent') . '/.cache';
        $cacheRoot = getenv('COMETPROV_CACHE_DIR') ?: $xdgCache . '/cometprov';
        $candidates[] = $cacheRoot . '/runtime/current/libwasmer.so';
        foreach ($candidates as $candidate) {
            if (is_file($candidate)) {
                return $candidate;
            }
        }
        throw new CoreException(
            CoreException::RUNTIME_MISSING,
            'No WebAssembly runtime library found (looked for ' . implode(' and ', $candidates) . '). Build it '
            . 'with scripts/build-runtime.sh and copy libwasmer.so into the module\'s runtime/ folder, or set '
            . 'COMETPROV_WASM_RUNTIME (or the runtimeLibrary setting) to its path.'
        );
    }

    /** Drops every cached runtime, module and instance (tests; long-running workers after a deploy). */
    public static function reset(): void
    {
        foreach (self::$runtimes as $runtime) {
            $runtime->close();
        }
        self::$runtimes = [];
    }

    public function api(): WasmApi
    {
        return $this->api;
    }

    public function backend(): string
    {
        return $this->backend;
    }

    /** How the compiled module for $wasmPath was obtained in this process. */
    public function cacheOutcome(string $wasmPath): ?string
    {
        return $this->cacheOutcome[$wasmPath] ?? null;
    }

    /**
     * How the last cache hit for $wasmPath was read: 'mapped' (the runtime read a checked read-only
     * mapping of the entry) or 'copied' (the entry was read into PHP and checked there); null when
     * the module did not come from the cache. For diagnostics and tests.
     */
    public function cacheRead(string $wasmPath): ?string
    {
        return ($this->cacheOutcome[$wasmPath] ?? null) === 'hit' ? ($this->cacheRead[$wasmPath] ?? null) : null;
    }

    /**
     * The live instance for the wasm at $path, compiling (or deserializing) it on first use.
     *
     * @throws CoreException
     */
    public function instance(string $path, ?string $cacheDir): AbiInstance
    {
        if ($this->closed) {
            // Runtime::reset() or the end of the request: a Core that outlived it must not reach
            // the deleted engine.
            throw new CoreException(CoreException::RUNTIME_MISSING, 'The WebAssembly runtime was shut down; create the Core again.');
        }
        clearstatcache(true, $path);
        $stat = @stat($path);
        if ($stat === false || !is_file($path) || !is_readable($path)) {
            throw new CoreException(
                CoreException::WASM_MISSING,
                "The core module {$path} is missing or not readable by PHP. Upload cometprov.wasm from the "
                . 'module package (or build it with make wasm) and check its permissions.'
            );
        }
        $bytes = null;
        $read = static function () use ($path, &$bytes): string {
            $bytes ??= @file_get_contents($path);
            if ($bytes === false) {
                throw new CoreException(CoreException::WASM_MISSING, "The core module {$path} could not be read.");
            }
            return $bytes;
        };
        $cache = $this->api->canSerialize() ? ModuleCache::open($cacheDir) : null;
        $sha = $cache !== null ? $cache->wasmDigest($path, $stat, $read) : hash('sha256', $read());

        if (isset($this->instances[$sha]) && $this->instances[$sha]->usable()) {
            return $this->instances[$sha];
        }
        if (!isset($this->modules[$sha])) {
            $this->modules[$sha] = $this->compile($path, $sha, $read, $cache);
        } else {
            $this->cacheOutcome[$path] = 'memory';
        }
        if (isset($this->instances[$sha])) {
            $this->instances[$sha]->close();
            unset($this->instances[$sha]);
        }
        return $this->instances[$sha] = AbiInstance::create($this->api, $this->engine, $this->modules[$sha], $path);
    }

    /** @param callable(): string $read */
    private function compile(string $path, string $sha, callable $read, ?ModuleCache $cache): mixed
    {
        $runtimeId = $this->api->runtimeId();
        if ($cache === null) {
            $this->cacheOutcome[$path] = 'disabled';
        } else {
            unset($this->cacheOutcome[$path]);
            $mapped = $this->deserializeMapped($path, $sha, $runtimeId, $cache);
            if ($mapped !== null) {
                return $mapped;
            }
            $serialized = $cache->load($sha, $runtimeId, $rejected);
            $this->cacheOutcome[$path] = $rejected || ($this->cacheOutcome[$path] ?? null) === 'rebuilt' ? 'rebuilt' : 'miss';
            if ($serialized !== null) {
                try {
                    $module = $this->api->moduleDeserialize($this->compileStore, $serialized);
                    $this->cacheOutcome[$path] = 'hit';
                    $this->cacheRead[$path] = 'copied';
                    return $module;
                } catch (WasmError) {
                    // Same key, but the runtime refused it (e.g. an engine feature changed): rebuild.
                    $cache->discard($sha, $runtimeId);
                    $this->cacheOutcome[$path] = 'rebuilt';
                }
            }
        }
        try {
            $module = $this->api->moduleNew($this->compileStore, $read());
        } catch (WasmError $e) {
            throw new CoreException(
                CoreException::WASM_INVALID,
                "The core module {$path} is not a valid WebAssembly module for this runtime "
                . "({$e->getMessage()}). Re-upload cometprov.wasm from the module package.",
                $e
            );
        }
        if ($cache !== null) {
            if (!$cache->store($sha, $runtimeId, $this->api->moduleSerialize($module))) {
                $this->cacheOutcome[$path] = 'unwritable';
            }
        }
        return $module;
    }

    /**
     * The fast path of a cache hit (FFI on Linux): the runtime reads the entry from a read-only mapping
     * of the file, checked against its frame and xxh128 first, instead of from a 1 MB PHP string (a
     * copy into fresh memory, about 0.8 ms per process). Null when it does not apply or the entry does
     * not check out; compile() then reads the entry with ModuleCache::load(), which re-checks it and
     * deletes a corrupt one, so both paths load only intact entries.
     */
    private function deserializeMapped(string $path, string $sha, string $runtimeId, ModuleCache $cache): mixed
    {
        if (!$this->api instanceof FfiApi || !$this->api->canMapFiles()) {
            return null;
        }
        $entry = $cache->locate($sha, $runtimeId, $rejected);
        if ($rejected) {
            $this->cacheOutcome[$path] = 'rebuilt';
        }
        if ($entry === null) {
            return null;
        }
        try {
            $module = $this->api->moduleDeserializeMapped(
                $this->compileStore,
                $entry['path'],
                $entry['frame'],
                $entry['length'],
                $entry['xxh128']
            );
        } catch (WasmError) {
            // Intact, but the runtime refused it (e.g. an engine feature changed): rebuild.
            $cache->discard($sha, $runtimeId);
            $this->cacheOutcome[$path] = 'rebuilt';
            return null;
        }
        if ($module !== null) {
            $this->cacheOutcome[$path] = 'hit';
            $this->cacheRead[$path] = 'mapped';
        }
        return $module;
    }

    /**
     * PHP frees a request's objects at its end, but FFI pointers do not own what they point to: a
     * PHP-FPM worker would keep every request's engine, module (~1.7 MB) and instance. So the runtime
     * deletes them itself when PHP destroys it (at the latest when the request ends).
     */
    public function __destruct()
    {
        $this->close();
    }

    private function close(): void
    {
        if ($this->closed) {
            return;
        }
        $this->closed = true;
        foreach ($this->instances as $instance) {
            $instance->close();
        }
        foreach ($this->modules as $module) {
            $this->api->moduleDelete($module);
        }
        $this->instances = [];
        $this->modules = [];
        $this->api->storeDelete($this->compileStore);
        $this->api->engineDelete($this->engine);
    }
}
