<?php
// The wasmer-php surface implemented with PHP FFI over a wasm.h shared library (libwasmer by default).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Wasm;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use FFI;
use FFI\CData;
use WHMCS\Module\Server\CometBackup\CoreException;

/**
 * The raw binding: `$this->c` is the FFI object built from wasm-decl.h, so every call below is the
 * C function of the same name, 1:1. Loading it (parse the declarations, dlopen the library, resolve
 * the symbols) is the expensive step and happens once per process (see Runtime). Per call, the
 * argument and result vectors are reused scratch buffers: no FFI::new on the hot path.
 *
 * Under ffi.enable=preload (PHP's default) a web request may use the FFI API (FFI::scope, cdef,
 * new, cast, addr, string, memcpy ... static or on an FFI object alike) only from code that
 * opcache.preload compiled when PHP started; only calls of the library's C functions are free.
 * Checked with Debian's php8.2-cgi; the CLI is not restricted. So this class is the only code that
 * touches the FFI API, opcache-preload.php compiles it, and in that mode it takes its declarations
 * only from the ffi.preload scopes that preload.php writes and never parses or loads anything
 * itself (restricted()): code that PHP refuses FFI cannot get a library loaded through it.
 * FFI::addr, string, memcpy, isNull and free exist only as static methods ($ffi->addr() would call
 * a C function named addr); new and cast are called on the FFI object, as PHP 8.3 wants.
 *
 * @internal
 */
final class FfiApi implements WasmApi
{
    /** wasm_valkind_t of i32. */
    private const WASM_I32 = 0;

    /**
     * libc functions, looked up in the process (no library named): memchr points a wasm_byte_vec_t at
     * a PHP string without copying it; open/lseek/mmap map a compiled-module cache entry.
     */
    public const LIBC_DECLARATIONS = 'void* memchr(const void* s, int c, size_t n); '
        . 'int open(const char* path, int flags, ...); int close(int fd); '
        . 'long lseek(int fd, long offset, int whence); '
        . 'void* mmap(void* addr, size_t length, int prot, int flags, int fd, long offset); '
        . 'int munmap(void* addr, size_t length);';
    /** xxHash's library (Debian libxxhash0, which apt itself depends on): the xxh128 of mapped bytes. */
    public const XXH_LIBRARY = 'libxxhash.so.0';
    public const XXH_DECLARATIONS = 'typedef struct { uint64_t low64; uint64_t high64; } XXH128_hash_t; '
        . 'XXH128_hash_t XXH3_128bits(const void* data, size_t len);';
    /** Prefix of the FFI scopes that preload.php registers (see scopeName()). */
    public const SCOPE_PREFIX = 'cometprov_';

    // Linux values (x86-64 and arm64 alike); the mapped read is used on Linux only.
    private const O_RDONLY_CLOEXEC = 0x80000;
    private const SEEK_END = 2;
    private const PROT_READ = 1;
    private const MAP_PRIVATE_POPULATE = 0x2 | 0x8000;

    private FFI $c;
    /** libc (see LIBC_DECLARATIONS), or null when it could not be declared. */
    private ?FFI $libc;
    /** @var FFI|false|null libxxhash; null = not looked up yet, false = unavailable */
    private FFI|false|null $xxh = null;
    private string $runtimeId;
    /** How the declarations were obtained: 'preloaded' (an FFI scope from preload.php) or 'cdef'. */
    private string $loadedBy;
    private CData $args;
    private CData $argVec;
    private CData $results;
    private CData $resultVec;

    private function __construct(FFI $c, string $runtimeId, string $loadedBy, ?FFI $libc, FFI|false|null $xxh = null)
    {
        $this->c = $c;
        $this->runtimeId = $runtimeId;
        $this->loadedBy = $loadedBy;
        if ($libc === null && !self::restricted()) {
            try {
                $libc = FFI::cdef(self::LIBC_DECLARATIONS);
            } catch (\FFI\Exception) {
                $libc = null;
            }
        }
        $this->libc = $libc;
        $this->xxh = $xxh;
        $this->args = $c->new('wasm_val_t[2]');
        $this->argVec = $c->new('wasm_val_vec_t');
        $this->argVec->data = $c->cast('wasm_val_t*', FFI::addr($this->args[0]));
        $this->results = $c->new('wasm_val_t[1]');
        $this->resultVec = $c->new('wasm_val_vec_t');
        $this->resultVec->data = $c->cast('wasm_val_t*', FFI::addr($this->results[0]));
    }

    /** The declaration subset handed to FFI::cdef (and compiled against the real wasm.h by the tests). */
    public static function declarationFile(): string
    {
        return __DIR__ . '/wasm-decl.h';
    }

    /**
     * The name of the FFI scope under which preload.php registers the declarations for $library. It
     * names the library file's identity (real path, device, inode, size, mtime), so a library replaced
     * after PHP started is never served by the scope loaded from the old file (it is then loaded with
     * FFI::cdef as without preloading). preload.php computes the same name; tests/php/PreloadTest.php
     * checks that they agree. libc and libxxhash are registered as SCOPE_PREFIX . 'libc' / 'xxh'.
     */
    public static function scopeName(string $library): ?string
    {
        $real = realpath($library);
        $stat = $real === false ? false : @stat($real);
        if ($stat === false) {
            return null;
        }
        $identity = implode('|', [$real, $stat['dev'], $stat['ino'], $stat['size'], $stat['mtime']]);
        return self::SCOPE_PREFIX . 'wasm_' . substr(hash('sha256', $identity), 0, 16);
    }

    /**
     * The preloaded declarations for $library (the ffi.preload line that preload.php prints), or null when
     * there are none for this exact file. Under ffi.enable=preload in a web request PHP refuses
     * FFI::scope() too, unless this class was compiled by opcache.preload (opcache-preload.php).
     */
    private static function fromScope(string $library): ?self
    {
        $scope = static function (?string $name): ?FFI {
            if ($name === null) {
                return null;
            }
            try {
                return FFI::scope($name);
            } catch (\Throwable) {
                return null;
            }
        };
        $c = $scope(self::scopeName($library));
        if ($c === null) {
            return null;
        }
        $libc = $scope(self::SCOPE_PREFIX . 'libc');
        $xxh = $scope(self::SCOPE_PREFIX . 'xxh') ?? false;
        return new self($c, self::describe($library), 'preloaded', $libc, $xxh);
    }

    /**
     * Parses the declarations and loads the library (or takes both from the preloaded FFI scope).
     *
     * @throws CoreException ffi_disabled or runtime_missing, with what to change
     */
    public static function load(string $library): self
    {
        if (extension_loaded('ffi')) {
            $preloaded = self::fromScope($library);
            if ($preloaded !== null) {
                return $preloaded;
            }
        }
        self::assertFfiUsable();
        if (!is_file($library) || !is_readable($library)) {
            throw new CoreException(
                CoreException::RUNTIME_MISSING,
                "The WebAssembly runtime library {$library} does not exist or is not readable by PHP. "
                . self::buildHint()
            );
        }
        if (self::restricted()) {
            throw new CoreException(
                CoreException::FFI_DISABLED,
                self::preloadProblem(dirname(__DIR__, 2), $library)
                    ?? 'The runtime library could not be taken from its preloaded FFI scope.'
            );
        }
        $declarations = file_get_contents(self::declarationFile());
        try {
            $c = FFI::cdef($declarations, $library);
        } catch (\FFI\Exception $e) {
            if (stripos($e->getMessage(), 'ffi.enable') !== false) {
                throw self::ffiDisabled();
            }
            throw new CoreException(
                CoreException::RUNTIME_MISSING,
                "PHP could not load the WebAssembly runtime library {$library} ({$e->getMessage()}); it must be a "
                . 'wasm.h runtime built for this machine. ' . self::buildHint(),
                $e
            );
        }
        return new self($c, self::describe($library), 'cdef', null);
    }

    /** 'preloaded' when the declarations came from preload.php's FFI scope, else 'cdef'. */
    public function loadedBy(): string
    {
        return $this->loadedBy;
    }

    /** @throws CoreException when FFI is missing or switched off for this SAPI */
    public static function assertFfiUsable(): void
    {
        if (!extension_loaded('ffi') || !class_exists(FFI::class, false)) {
            throw new CoreException(
                CoreException::FFI_DISABLED,
                'PHP FFI is not available: enable the "ffi" extension (on Debian it ships in php-common; check '
                . '"extension=ffi" in php.ini), then restart PHP. Alternatively install the wasmer-php ("wasm") extension.'
            );
        }
        $setting = strtolower(trim((string) ini_get('ffi.enable')));
        // preload outside the CLI: load() takes the preloaded scope or names the php.ini lines.
        $enabled = in_array($setting, ['1', 'on', 'true', 'yes', 'preload'], true);
        if (!$enabled) {
            throw self::ffiDisabled();
        }
    }

    /**
     * Whether PHP restricts the FFI API for this request: ffi.enable=preload outside the CLI (PHP
     * checks for exactly the "cli" SAPI). Then only preloaded code may use it, and this class takes
     * nothing but the preloaded scopes.
     */
    public static function restricted(): bool
    {
        return PHP_SAPI !== 'cli' && strtolower(trim((string) ini_get('ffi.enable'))) === 'preload';
    }

    /**
     * The php.ini lines that make the module work under ffi.enable=preload, as preload.php prints
     * them: the declarations (ffi.preload, the headers it wrote into $headerDir) and this class,
     * compiled at start (opcache.preload).
     *
     * @return array{ffi: string, opcache: string}
     */
    public static function iniLines(string $headerDir): array
    {
        return [
            'ffi' => 'ffi.preload=' . rtrim($headerDir, '/') . '/*.h',
            'opcache' => 'opcache.preload=' . (realpath(__DIR__ . '/opcache-preload.php') ?: __DIR__ . '/opcache-preload.php'),
        ];
    }

    /** Where preload.php writes the headers unless told otherwise. */
    public static function defaultHeaderDir(string $moduleDir): string
    {
        return rtrim($moduleDir, '/') . '/runtime/ffi';
    }

    /**
     * Under ffi.enable=preload in a web request: null when this class was compiled by opcache.preload
     * and the ffi.preload scope of $library is present, else what to add to php.ini (the lines
     * preload.php prints for the module in $moduleDir). Null too when FFI is not restricted here.
     */
    public static function preloadProblem(string $moduleDir, string $library): ?string
    {
        if (!self::restricted() || !extension_loaded('ffi')) {
            return null;
        }
        $name = self::scopeName($library);
        if ($name === null) {
            return null; // no library at all: Test Connection reports that (runtime_missing)
        }
        $lines = self::iniLines(self::defaultHeaderDir($moduleDir));
        try {
            FFI::scope($name);
            return null;
        } catch (\FFI\Exception $e) {
            // Refused outright unless this method is preloaded code; else the scope is not there
            // (no ffi.preload line, or the library was replaced after preload.php ran).
            $missing = stripos($e->getMessage(), 'ffi.enable') !== false ? $lines['opcache'] : $lines['ffi'];
        }
        $script = rtrim($moduleDir, '/') . '/preload.php';
        return 'PHP runs with ffi.enable=preload, which lets web requests use FFI only through code and '
            . 'declarations loaded when PHP starts. Run "php ' . $script . '" as the owner of the WHMCS files, '
            . 'add the lines it prints to the php.ini of the web server (PHP-FPM or Apache) and restart PHP: '
            . $lines['ffi'] . ' and ' . $lines['opcache'] . ' (not in effect here: ' . $missing . '; where PHP '
            . 'starts as root, also set opcache.preload_user to the web server\'s user). '
            . 'Run preload.php again after replacing the runtime library. Alternatively set ffi.enable=1.';
    }

    private static function ffiDisabled(): CoreException
    {
        $setting = (string) ini_get('ffi.enable');
        return new CoreException(
            CoreException::FFI_DISABLED,
            "PHP FFI is disabled (ffi.enable={$setting}): set ffi.enable=preload (PHP's default) with the php.ini "
            . 'lines that the module\'s preload.php prints, or ffi.enable=1, in the php.ini used by the web '
            . 'server (PHP-FPM/Apache) and by the WHMCS cron, then restart PHP. Alternatively install the '
            . 'wasmer-php ("wasm") extension.'
        );
    }

    private static function buildHint(): string
    {
        return 'Build it with scripts/build-runtime.sh and copy the printed libwasmer.so to the module\'s '
            . 'runtime/ folder, or point COMETPROV_WASM_RUNTIME (or the runtimeLibrary setting) at it.';
    }

    /**
     * Identity of the runtime build for cache keys. The build script writes a VERSION file next to the
     * library; size and mtime catch a library replaced in place. No hashing: this runs per request.
     */
    private static function describe(string $library): string
    {
        $real = realpath($library) ?: $library;
        $version = @file_get_contents(dirname($real) . '/VERSION');
        $first = $version === false ? 'wasm.h runtime' : trim(strtok($version, "\n"));
        $stat = @stat($real);
        return sprintf('ffi %s %s size=%d mtime=%d', $first, basename($real), $stat['size'] ?? 0, $stat['mtime'] ?? 0);
    }

    public function runtimeId(): string
    {
        return $this->runtimeId;
    }

    public function canSerialize(): bool
    {
        // wasmi's wasm_module_serialize is unimplemented!() and would abort the process.
        return stripos($this->runtimeId, 'wasmi') === false;
    }

    public function engineNew(): mixed
    {
        $engine = $this->c->wasm_engine_new();
        if ($engine === null) {
            throw new WasmError(WasmError::INSTANTIATE, 'wasm_engine_new failed');
        }
        return $engine;
    }

    public function engineDelete(mixed $engine): void
    {
        $this->c->wasm_engine_delete($engine);
    }

    public function storeNew(mixed $engine): mixed
    {
        $store = $this->c->wasm_store_new($engine);
        if ($store === null) {
            throw new WasmError(WasmError::INSTANTIATE, 'wasm_store_new failed');
        }
        return $store;
    }

    public function storeDelete(mixed $store): void
    {
        $this->c->wasm_store_delete($store);
    }

    public function moduleNew(mixed $store, string $wasm): mixed
    {
        $module = $this->withBytes($wasm, fn (CData $vec) => $this->c->wasm_module_new($store, FFI::addr($vec)));
        if ($module === null) {
            throw new WasmError(WasmError::COMPILE, 'wasm_module_new rejected the binary');
        }
        return $module;
    }

    public function moduleDelete(mixed $module): void
    {
        $this->c->wasm_module_delete($module);
    }

    public function moduleImportCount(mixed $module): int
    {
        $vec = $this->c->new('wasm_importtype_vec_t');
        $this->c->wasm_module_imports($module, FFI::addr($vec));
        $count = $vec->size;
        $this->c->wasm_importtype_vec_delete(FFI::addr($vec));
        return $count;
    }

    public function moduleExportNames(mixed $module): array
    {
        $vec = $this->c->new('wasm_exporttype_vec_t');
        $this->c->wasm_module_exports($module, FFI::addr($vec));
        $names = [];
        for ($i = 0; $i < $vec->size; $i++) {
            $name = $this->c->wasm_exporttype_name($vec->data[$i]);
            $names[] = $name->size > 0 ? FFI::string($name->data, $name->size) : '';
        }
        $this->c->wasm_exporttype_vec_delete(FFI::addr($vec));
        return $names;
    }

    public function moduleSerialize(mixed $module): string
    {
        $vec = $this->c->new('wasm_byte_vec_t');
        $this->c->wasm_module_serialize($module, FFI::addr($vec));
        $bytes = $vec->size > 0 ? FFI::string($vec->data, $vec->size) : '';
        $this->c->wasm_byte_vec_delete(FFI::addr($vec));
        return $bytes;
    }

    public function moduleDeserialize(mixed $store, string $serialized): mixed
    {
        $module = $this->withBorrowedBytes(
            $serialized,
            fn (CData $vec) => $this->c->wasm_module_deserialize($store, FFI::addr($vec))
        );
        if ($module === null) {
            throw new WasmError(WasmError::DESERIALIZE, 'wasm_module_deserialize rejected the cached module');
        }
        return $module;
    }

    /**
     * Whether moduleDeserializeMapped() can run here: Linux, libc declared, libxxhash loadable, and not
     * switched off with COMETPROV_MODULE_CACHE_MAP=0 (a troubleshooting switch).
     */
    public function canMapFiles(): bool
    {
        if ($this->libc === null || PHP_OS_FAMILY !== 'Linux' || getenv('COMETPROV_MODULE_CACHE_MAP') === '0') {
            return false;
        }
        if ($this->xxh === null && self::restricted()) {
            $this->xxh = false; // only the preloaded scope (fromScope()) may provide it
        }
        if ($this->xxh === null) {
            try {
                $this->xxh = FFI::cdef(self::XXH_DECLARATIONS, self::XXH_LIBRARY);
            } catch (\Throwable) {
                $this->xxh = false;
            }
        }
        return $this->xxh !== false;
    }

    /**
     * Deserializes a compiled module straight from a cache entry file, without copying it into PHP:
     * the file is mapped read-only, its first strlen($frame) bytes must equal $frame (the entry's
     * header as ModuleCache read it), it must be exactly strlen($frame) + $length bytes long, and the
     * xxh128 of the $length payload bytes must equal $xxh128, all checked before the runtime sees any
     * byte. Returns null when anything differs or the file cannot be mapped: the caller then reads it
     * the ordinary way (ModuleCache::load), which decides whether the entry is corrupt.
     *
     * @throws WasmError when the bytes are intact but the runtime rejects them
     */
    public function moduleDeserializeMapped(mixed $store, string $path, string $frame, int $length, string $xxh128): mixed
    {
        if (!$this->canMapFiles() || $frame === '' || $length <= 0) {
            return null;
        }
        $libc = $this->libc;
        $total = strlen($frame) + $length;
        $fd = $libc->open($path, self::O_RDONLY_CLOEXEC);
        if ($fd < 0) {
            return null;
        }
        try {
            // The size is checked before mapping: touching a mapped page past the end of the file
            // would kill the process (SIGBUS).
            if ($libc->lseek($fd, 0, self::SEEK_END) !== $total) {
                return null;
            }
            $map = $libc->mmap(null, $total, self::PROT_READ, self::MAP_PRIVATE_POPULATE, $fd, 0);
        } finally {
            $libc->close($fd);
        }
        if ($map === null || $libc->cast('intptr_t', $map)->cdata === -1) {
            return null;
        }
        try {
            $bytes = $libc->cast('char*', $map);
            if (FFI::string($bytes, strlen($frame)) !== $frame) {
                return null;
            }
            $payload = $bytes + strlen($frame);
            $hash = $this->xxh->XXH3_128bits($payload, $length);
            if (bin2hex(pack('J2', $hash->high64, $hash->low64)) !== $xxh128) {
                return null;
            }
            $vec = $this->c->new('wasm_byte_vec_t');
            $vec->size = $length;
            $vec->data = $this->c->cast('wasm_byte_t*', $payload);
            // wasm_module_deserialize copies what it keeps, so the mapping can go right after.
            $module = $this->c->wasm_module_deserialize($store, FFI::addr($vec));
        } finally {
            $libc->munmap($map, $total);
        }
        if ($module === null) {
            throw new WasmError(WasmError::DESERIALIZE, 'wasm_module_deserialize rejected the cached module');
        }
        return $module;
    }

    public function instanceNew(mixed $store, mixed $module): mixed
    {
        // Never NULL for the imports: wasmtime dereferences it.
        $imports = $this->c->new('wasm_extern_vec_t');
        $imports->size = 0;
        $imports->data = null;
        $trap = $this->c->new('wasm_trap_t*');
        $instance = $this->c->wasm_instance_new($store, $module, FFI::addr($imports), FFI::addr($trap));
        if ($trap !== null && !FFI::isNull($trap)) {
            $message = $this->trapMessage($trap);
            if ($instance !== null) {
                $this->c->wasm_instance_delete($instance);
            }
            throw new WasmError(WasmError::TRAP, $message);
        }
        if ($instance === null) {
            throw new WasmError(WasmError::INSTANTIATE, 'wasm_instance_new failed');
        }
        $exports = $this->c->new('wasm_extern_vec_t', false);
        $this->c->wasm_instance_exports($instance, FFI::addr($exports));
        return ['instance' => $instance, 'exports' => $exports];
    }

    public function instanceExports(mixed $instance): array
    {
        $exports = $instance['exports'];
        $list = [];
        for ($i = 0; $i < $exports->size; $i++) {
            $list[] = $exports->data[$i];
        }
        return $list;
    }

    public function instanceDelete(mixed $instance): void
    {
        $exports = $instance['exports'];
        $this->c->wasm_extern_vec_delete(FFI::addr($exports));
        FFI::free($exports);
        $this->c->wasm_instance_delete($instance['instance']);
    }

    public function externKind(mixed $extern): int
    {
        return $this->c->wasm_extern_kind($extern);
    }

    public function externAsFunc(mixed $extern): mixed
    {
        $func = $this->c->wasm_extern_as_func($extern);
        // The result count sizes the result vector on every call; ask once.
        return [$func, $this->c->wasm_func_result_arity($func)];
    }

    public function externAsMemory(mixed $extern): mixed
    {
        return $this->c->wasm_extern_as_memory($extern);
    }

    public function funcArity(mixed $func): ?array
    {
        return [$this->c->wasm_func_param_arity($func[0]), $func[1]];
    }

    public function funcCall(mixed $func, int ...$args): ?int
    {
        $n = count($args);
        foreach ($args as $i => $value) {
            $this->args[$i]->kind = self::WASM_I32;
            $this->args[$i]->of->i32 = $value;
        }
        $this->argVec->size = $n;
        $this->resultVec->size = $func[1];
        $this->results[0]->kind = self::WASM_I32;
        $this->results[0]->of->i32 = 0;
        $trap = $this->c->wasm_func_call($func[0], FFI::addr($this->argVec), FFI::addr($this->resultVec));
        if ($trap !== null) {
            throw new WasmError(WasmError::TRAP, $this->trapMessage($trap));
        }
        return $func[1] > 0 ? $this->results[0]->of->i32 : null;
    }

    public function memoryDataSize(mixed $memory): int
    {
        return $this->c->wasm_memory_data_size($memory);
    }

    public function memoryRead(mixed $memory, int $offset, int $length): string
    {
        if ($length === 0) {
            return '';
        }
        $this->assertInMemory($memory, $offset, $length);
        return FFI::string($this->c->wasm_memory_data($memory) + $offset, $length);
    }

    public function memoryWrite(mixed $memory, int $offset, string $bytes): void
    {
        if ($bytes !== '') {
            $this->assertInMemory($memory, $offset, strlen($bytes));
            FFI::memcpy($this->c->wasm_memory_data($memory) + $offset, $bytes, strlen($bytes));
        }
    }

    /**
     * AbiInstance checks its bounds already; this class checks again because, preloaded under
     * ffi.enable=preload, it is the one FFI-capable code any script on the server could call: it
     * must not read or write process memory outside the instance's linear memory.
     */
    private function assertInMemory(mixed $memory, int $offset, int $length): void
    {
        if ($offset < 0 || $length < 0 || $offset > $this->c->wasm_memory_data_size($memory) - $length) {
            throw new WasmError(WasmError::TRAP, "memory access out of bounds ({$offset}+{$length})");
        }
    }

    /** Reads and frees a trap. */
    private function trapMessage(CData $trap): string
    {
        $message = $this->c->new('wasm_message_t');
        $this->c->wasm_trap_message($trap, FFI::addr($message));
        $text = $message->size > 0 ? FFI::string($message->data, $message->size) : '';
        $this->c->wasm_byte_vec_delete(FFI::addr($message));
        $this->c->wasm_trap_delete($trap);
        // wasm_message_t is NUL-terminated by convention.
        $text = rtrim($text, "\0");
        return $text === '' ? 'unknown trap' : $text;
    }

    /**
     * Runs $use with a wasm_byte_vec_t that points into $bytes itself, for a function that only reads
     * it during the call (wasm_module_deserialize copies what it keeps). This spares copying a ~1 MB
     * cached module on every request. PHP FFI passes a string argument to a `const void*` parameter
     * as a pointer to the string's own buffer, and memchr(s, s[0], 1) returns that pointer.
     *
     * @param callable(CData): mixed $use
     */
    private function withBorrowedBytes(string $bytes, callable $use): mixed
    {
        if ($this->libc === null || $bytes === '') {
            return $this->withBytes($bytes, $use);
        }
        $vec = $this->c->new('wasm_byte_vec_t');
        $vec->size = strlen($bytes);
        $vec->data = $this->c->cast('wasm_byte_t*', $this->libc->memchr($bytes, ord($bytes[0]), 1));
        return $use($vec);
    }

    /**
     * Runs $use with a wasm_byte_vec_t holding a runtime-owned copy of $bytes, then frees it.
     *
     * @param callable(CData): mixed $use
     */
    private function withBytes(string $bytes, callable $use): mixed
    {
        $vec = $this->c->new('wasm_byte_vec_t');
        $this->c->wasm_byte_vec_new(FFI::addr($vec), strlen($bytes), $bytes);
        try {
            return $use($vec);
        } finally {
            $this->c->wasm_byte_vec_delete(FFI::addr($vec));
        }
    }
}
