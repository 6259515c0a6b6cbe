<?php
// One instance of cometprov.wasm driven through its C ABI (wasm/ABI.md): copy in, call, copy out.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Wasm;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\CoreException;

/**
 * Checks the module against the ABI once (no imports, the exports with the right kinds and arities,
 * _initialize called once, cp_abi_version), then serves calls: cp_alloc, one copy in, cp_call, one
 * copy out of the module-owned output, cp_free. Every offset and length the module reports is
 * bounds-checked against linear memory (re-read after each call, since memory may grow). After a
 * trap or an ABI violation the instance is marked unusable and Runtime makes a fresh one.
 *
 * @internal
 */
final class AbiInstance
{
    public const ABI_VERSION = 1;

    /** export name => [params, results]; all i32 */
    private const FUNCTIONS = [
        'cp_abi_version' => [0, 1],
        'cp_alloc' => [1, 1],
        'cp_free' => [1, 0],
        'cp_call' => [2, 1],
        'cp_output_ptr' => [0, 1],
        'cp_output_len' => [0, 1],
    ];

    /** Streamed replies (ABI.md "Streaming a reply"): all three or none; without them plan.resume serves. */
    private const STREAM_FUNCTIONS = [
        'cp_stream_open' => [2, 1],
        'cp_stream_write' => [2, 1],
        'cp_stream_close' => [2, 1],
    ];

    /** Bytes of the block reused for every cp_stream_write (a larger chunk is written in slices). */
    public const STREAM_BLOCK = 1048576;

    /** The block for streamed chunks (allocated on the first stream, kept for the instance's life). */
    private int $streamBlock = 0;

    private bool $usable = true;

    /** @param array<string, mixed> $funcs */
    private function __construct(
        private readonly WasmApi $api,
        private readonly mixed $store,
        private readonly mixed $instance,
        private readonly array $funcs,
        private readonly mixed $memory,
        private readonly string $path,
    ) {
    }

    /** @throws CoreException */
    public static function create(WasmApi $api, mixed $engine, mixed $module, string $path): self
    {
        $imports = $api->moduleImportCount($module);
        if ($imports > 0) {
            throw self::mismatch($path, "it imports {$imports} host item(s), and this host provides none");
        }
        $names = $api->moduleExportNames($module);
        $store = null;
        try {
            $store = $api->storeNew($engine);
            $instance = $api->instanceNew($store, $module);
        } catch (WasmError $e) {
            if ($store !== null) {
                $api->storeDelete($store);
            }
            throw $e->kind === WasmError::TRAP
                ? self::trapped($path, 'while starting', $e)
                : self::mismatch($path, "it could not be instantiated ({$e->getMessage()})", $e);
        }
        try {
            return self::bind($api, $store, $instance, $names, $path);
        } catch (\Throwable $e) {
            $api->instanceDelete($instance);
            $api->storeDelete($store);
            throw $e;
        }
    }

    /** @param list<string> $names */
    private static function bind(WasmApi $api, mixed $store, mixed $instance, array $names, string $path): self
    {
        $externs = $api->instanceExports($instance);
        $byName = [];
        foreach ($names as $i => $name) {
            if (isset($externs[$i])) {
                $byName[$name] = $externs[$i];
            }
        }
        if (!isset($byName['memory']) || $api->externKind($byName['memory']) !== WasmApi::WASM_EXTERN_MEMORY) {
            throw self::mismatch($path, 'it does not export its linear memory as "memory"');
        }
        $funcs = [];
        $signatures = self::FUNCTIONS + ['_initialize' => [0, 0]];
        $streams = array_intersect_key(self::STREAM_FUNCTIONS, $byName);
        if ($streams !== [] && count($streams) !== count(self::STREAM_FUNCTIONS)) {
            throw self::mismatch($path, 'it exports only some of cp_stream_open, cp_stream_write and cp_stream_close');
        }
        $signatures += $streams;
        foreach ($signatures as $name => [$params, $results]) {
            if (!isset($byName[$name])) {
                if ($name === '_initialize') {
                    continue;
                }
                throw self::mismatch($path, "it does not export {$name}");
            }
            if ($api->externKind($byName[$name]) !== WasmApi::WASM_EXTERN_FUNC) {
                throw self::mismatch($path, "its export {$name} is not a function");
            }
            $func = $api->externAsFunc($byName[$name]);
            $arity = $api->funcArity($func);
            if ($arity !== null && $arity !== [$params, $results]) {
                throw self::mismatch($path, "its {$name} takes {$arity[0]} and returns {$arity[1]} value(s), "
                    . "expected {$params} and {$results}");
            }
            $funcs[$name] = $func;
        }
        $self = new self($api, $store, $instance, $funcs, $api->externAsMemory($byName['memory']), $path);
        try {
            if (isset($funcs['_initialize'])) {
                $api->funcCall($funcs['_initialize']);
            }
            $version = $api->funcCall($funcs['cp_abi_version']);
        } catch (WasmError $e) {
            throw self::trapped($path, 'while starting', $e);
        }
        if ($version !== self::ABI_VERSION) {
            throw self::mismatch($path, "it implements ABI version {$version}, this PHP code speaks version "
                . self::ABI_VERSION);
        }
        return $self;
    }

    public function usable(): bool
    {
        return $this->usable;
    }

    /** Whether the module can take a streamed reply (exports cp_stream_*). */
    public function canStream(): bool
    {
        return isset($this->funcs['cp_stream_open']);
    }

    /**
     * Runs one request.
     *
     * @return array{0: int, 1: string} [cp_call status, output bytes]
     * @throws CoreException trap, out_of_memory or bad_reply
     */
    public function call(string $request): array
    {
        return $this->callWith('cp_call', $request);
    }

    /**
     * cp_alloc, one copy in, $export(ptr, len), one copy out of the module-owned output, cp_free.
     *
     * @return array{0: int, 1: string}
     */
    private function callWith(string $export, string $request): array
    {
        if (!$this->usable) {
            throw new CoreException(CoreException::TRAP, 'The core instance was discarded after an earlier failure.');
        }
        $length = strlen($request);
        $api = $this->api;
        try {
            $in = $api->funcCall($this->funcs['cp_alloc'], $length) & 0xFFFFFFFF;
            if ($in === 0) {
                throw new CoreException(
                    CoreException::OUT_OF_MEMORY,
                    "The core could not allocate {$length} bytes for the request (cp_alloc returned 0); the "
                    . 'request is too large for its memory limit.'
                );
            }
            if ($in + $length > $api->memoryDataSize($this->memory)) {
                throw $this->badReply('cp_alloc returned a block outside linear memory');
            }
            $api->memoryWrite($this->memory, $in, $request);
            $status = $api->funcCall($this->funcs[$export], $in, $length);
            $outPtr = $api->funcCall($this->funcs['cp_output_ptr']) & 0xFFFFFFFF;
            $outLen = $api->funcCall($this->funcs['cp_output_len']) & 0xFFFFFFFF;
            if ($outPtr + $outLen > $api->memoryDataSize($this->memory)) {
                throw $this->badReply("its output ({$outLen} bytes at offset {$outPtr}) lies outside linear memory");
            }
            $output = $api->memoryRead($this->memory, $outPtr, $outLen);
            $api->funcCall($this->funcs['cp_free'], $in);
        } catch (WasmError $e) {
            $this->usable = false;
            throw self::trapped($this->path, "while handling a {$length}-byte request", $e);
        } catch (CoreException $e) {
            if ($e->reason() !== CoreException::OUT_OF_MEMORY) {
                $this->usable = false;
            }
            throw $e;
        }
        if ($status === -1) {
            // ABI: internal failure, out of memory while building the output.
            $this->usable = false;
            throw new CoreException(
                CoreException::OUT_OF_MEMORY,
                "The core ran out of memory while answering a {$length}-byte request ({$export} status -1)."
            );
        }
        if ($status !== 0 && $status !== 1) {
            $this->usable = false;
            throw $this->badReply("{$export} returned status {$status}");
        }
        return [$status, $output];
    }

    /**
     * Opens a streamed reply for the plan step whose state this is (ABI.md "Streaming a reply").
     *
     * @return array{0: int, 1: string} [cp_stream_open status, output bytes]
     * @throws CoreException
     */
    public function streamOpen(string $state): array
    {
        return $this->callWith('cp_stream_open', $state);
    }

    /**
     * Feeds raw body bytes: one copy into the reused block per slice of at most STREAM_BLOCK bytes.
     *
     * @return int 0: go on; 1: the body is already known to be unreadable (stop receiving)
     * @throws CoreException trap, no open stream, or an ABI violation
     */
    public function streamWrite(string $bytes): int
    {
        if (!$this->usable) {
            throw new CoreException(CoreException::TRAP, 'The core instance was discarded after an earlier failure.');
        }
        $api = $this->api;
        $length = strlen($bytes);
        try {
            if ($this->streamBlock === 0) {
                $block = $api->funcCall($this->funcs['cp_alloc'], self::STREAM_BLOCK) & 0xFFFFFFFF;
                if ($block === 0) {
                    throw new CoreException(CoreException::OUT_OF_MEMORY, 'The core could not allocate its stream buffer (cp_alloc returned 0).');
                }
                if ($block + self::STREAM_BLOCK > $api->memoryDataSize($this->memory)) {
                    throw $this->badReply('cp_alloc returned a block outside linear memory');
                }
                $this->streamBlock = $block;
            }
            for ($at = 0; $at < $length; $at += self::STREAM_BLOCK) {
                $slice = $length <= self::STREAM_BLOCK ? $bytes : substr($bytes, $at, self::STREAM_BLOCK);
                $api->memoryWrite($this->memory, $this->streamBlock, $slice);
                $status = $api->funcCall($this->funcs['cp_stream_write'], $this->streamBlock, strlen($slice));
                if ($status === 1) {
                    return 1;
                }
                if ($status !== 0) {
                    throw $status === -3
                        ? new CoreException(CoreException::BAD_REPLY, 'The core has no stream open (cp_stream_write status -3); open one first.')
                        : $this->badReply("cp_stream_write returned status {$status}");
                }
            }
        } catch (WasmError $e) {
            $this->usable = false;
            throw self::trapped($this->path, "while reading a {$length}-byte piece of a streamed reply", $e);
        } catch (CoreException $e) {
            if ($e->reason() !== CoreException::OUT_OF_MEMORY) {
                $this->usable = false;
            }
            throw $e;
        }
        return 0;
    }

    /**
     * Ends the streamed reply: $response is `{"httpStatus": n}` or `{"transportError": {...}}`.
     *
     * @return array{0: int, 1: string} [status, output bytes]: what cp_call gives for plan.resume
     * @throws CoreException
     */
    public function streamClose(string $response): array
    {
        return $this->callWith('cp_stream_close', $response);
    }

    public function close(): void
    {
        $this->usable = false;
        $this->api->instanceDelete($this->instance);
        $this->api->storeDelete($this->store);
    }

    private function badReply(string $what): CoreException
    {
        return new CoreException(
            CoreException::BAD_REPLY,
            "The core module {$this->path} broke the host ABI: {$what}. The module file is damaged or does not "
            . 'match this version of the PHP module; re-upload both from the same package.'
        );
    }

    private static function mismatch(string $path, string $why, ?\Throwable $previous = null): CoreException
    {
        return new CoreException(
            CoreException::ABI_MISMATCH,
            "The core module {$path} does not match this PHP module: {$why}. Upload the cometprov.wasm that "
            . 'ships with this module version.',
            $previous
        );
    }

    private static function trapped(string $path, string $when, WasmError $e): CoreException
    {
        return new CoreException(
            CoreException::TRAP,
            "The core module {$path} crashed {$when} (WebAssembly trap: {$e->getMessage()}). The instance was "
            . 'discarded and the next call starts a fresh one; if this repeats, report it with the module version.',
            $e
        );
    }
}
