<?php
// The public face of the provisioning core for PHP: JSON requests in, decoded responses out.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Wasm\AbiInstance;
use WHMCS\Module\Server\CometBackup\Wasm\Runtime;

/**
 * Runs cometprov.wasm (the C++ rules compiled to WebAssembly) through the wasmer-php API surface:
 * PHP FFI over a wasm.h runtime library when FFI is usable, else the wasmer-php extension when it
 * is loaded and runs on a safe wasmer library (see Wasm\Runtime::acquire()).
 *
 * Size limit: a request is refused (CoreException bad_request) BEFORE any byte of it is copied into
 * WebAssembly memory when it is larger than MAX_REQUEST_BYTES (16 MiB), or, for plan.resume, whose
 * request carries the Comet Server's raw reply (list-users-full of a large server), larger than
 * MAX_RESUME_BYTES (512 MiB).
 *
 *     $core = Core::fromConfig(['wasmPath' => '/path/to/cometprov.wasm']);
 *     $response = $core->invoke('username.validate', ['username' => 'alice']);
 *     // ['ok' => true, 'value' => ...] or ['ok' => false, 'error' => ['code' => ..., 'message' => ...]]
 *
 * Every failure of the machinery (PHP setup, runtime, module, trap, malformed reply) is a
 * CoreException; a rule the request broke is an ordinary {ok: false} response.
 */
final class Core
{
    /** The largest request (JSON bytes) passed into WebAssembly memory, except plan.resume. */
    public const MAX_REQUEST_BYTES = 16 * 1024 * 1024;
    /** The largest plan.resume request (it carries a Comet reply body, e.g. list-users-full). */
    public const MAX_RESUME_BYTES = 512 * 1024 * 1024;

    private ?AbiInstance $instance = null;
    /** The instance a streamed reply is open on (null when none is). */
    private ?AbiInstance $streaming = null;

    private function __construct(
        private readonly Runtime $runtime,
        private readonly string $wasmPath,
        private readonly ?string $cacheDir,
    ) {
    }

    /**
     * Settings (all optional):
     *  - wasmPath:       the core module; default cometprov.wasm in the module folder
     *  - runtimeLibrary: wasm.h shared library for the FFI backend; default $COMETPROV_WASM_RUNTIME,
     *                    then runtime/libwasmer.so in the module folder, then the build cache
     *  - cacheDir:       where compiled modules are cached; default the system temp dir
     *  - backend:        'auto' (default: FFI when usable, else the wasmer-php extension when it is
     *                    loaded and safe), 'ffi', 'extension' (see Runtime::acquire())
     *
     * The runtime is loaded and the module compiled (or taken from the cache) here, so a broken setup
     * is reported at construction, for example by the module's Test Connection.
     *
     * @param array{wasmPath?: string, runtimeLibrary?: string|null, cacheDir?: string|null, backend?: string} $config
     * @throws CoreException
     */
    public static function fromConfig(array $config = []): self
    {
        $moduleDir = dirname(__DIR__);
        $wasmPath = (string) ($config['wasmPath'] ?? $moduleDir . '/cometprov.wasm');
        $runtime = Runtime::acquire(
            (string) ($config['backend'] ?? 'auto'),
            isset($config['runtimeLibrary']) ? (string) $config['runtimeLibrary'] : null,
            $moduleDir
        );
        $core = new self($runtime, $wasmPath, isset($config['cacheDir']) ? (string) $config['cacheDir'] : null);
        $core->instance();
        return $core;
    }

    /**
     * Runs one operation. Empty $args are left out of the request; note that a PHP empty array
     * anywhere inside $args encodes as a JSON list `[]` (use invokeJson() to send `{}` exactly).
     *
     * @param array<string, mixed> $args
     * @return array<string, mixed> the decoded response: {ok: true, value} or {ok: false, error}
     * @throws CoreException
     */
    public function invoke(string $op, array $args = []): array
    {
        $request = $args === [] ? ['op' => $op] : ['op' => $op, 'args' => $args];
        // JSON-encoding a 10 MB string is cheap, and the limit below is checked on the exact bytes.
        try {
            $json = json_encode(
                $request,
                JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR
            );
        } catch (\JsonException $e) {
            // The message names the problem, never the value.
            throw new CoreException(
                CoreException::BAD_REQUEST,
                "The arguments of '{$op}' cannot be encoded as JSON ({$e->getMessage()}); strings must be UTF-8.",
                $e
            );
        }
        return $this->run($json, $op)[1];
    }

    /**
     * Sends request bytes as they are and returns the response bytes exactly as the module wrote them
     * (after checking they are a well-formed response).
     *
     * @throws CoreException
     */
    public function invokeJson(string $request): string
    {
        $op = preg_match('/\A\s*\{\s*"op"\s*:\s*"([a-zA-Z.]{1,40})"/', substr($request, 0, 80), $m) === 1 ? $m[1] : '';
        return $this->run($request, $op)[0];
    }

    /** Whether the loaded module takes streamed replies (a module without cp_stream_* does not). */
    public function canStream(): bool
    {
        return $this->instance()->canStream();
    }

    /**
     * Opens a streamed reply for a plan step whose request says "stream": true (core/PLAN.md
     * "Streaming a reply"). The state is passed as raw bytes, never JSON-escaped.
     *
     * @return array<string, mixed> {ok: true, value: {}} or {ok: false, error} (plan.not_streamed, plan.bad_state)
     * @throws CoreException
     */
    public function streamOpen(string $state): array
    {
        if (strlen($state) > self::MAX_REQUEST_BYTES) {
            throw new CoreException(CoreException::BAD_REQUEST, sprintf(
                'The plan state is %s bytes, more than the %d MiB limit of the PHP host.',
                number_format(strlen($state)),
                intdiv(self::MAX_REQUEST_BYTES, 1024 * 1024)
            ));
        }
        $this->streaming = $this->instance();
        [$status, $output] = $this->streaming->streamOpen($state);
        return $this->decodeChecked($status, $output);
    }

    /**
     * Feeds the next raw bytes of the reply (one copy into WebAssembly memory). False: the core
     * already knows the body is unreadable, so receiving more is pointless (still call streamClose).
     *
     * @throws CoreException
     */
    public function streamWrite(string $bytes): bool
    {
        if ($this->streaming === null) {
            throw new CoreException(CoreException::BAD_REQUEST, 'No streamed reply is open: call streamOpen first.');
        }
        return $this->streaming->streamWrite($bytes) === 0;
    }

    /**
     * Ends the streamed reply. $response is ['httpStatus' => n] or ['transportError' => [...]]
     * (no body). Returns the raw response bytes, exactly what invokeJson() of plan.resume with the
     * same body would return; only its envelope is checked here (it may hold 100,000 usage rows).
     *
     * @param array<string, mixed> $response
     * @throws CoreException
     */
    public function streamClose(array $response): string
    {
        if ($this->streaming === null) {
            throw new CoreException(CoreException::BAD_REQUEST, 'No streamed reply is open: call streamOpen first.');
        }
        $instance = $this->streaming;
        $this->streaming = null;
        [$status, $output] = $instance->streamClose(json_encode($response, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR));
        $expected = $status === 0 ? '{"ok":true,' : '{"ok":false,';
        if (strncmp($output, $expected, strlen($expected)) !== 0 || !str_ends_with($output, '}')) {
            throw $this->badReply("its reply to a {$status}-status stream close is not a {\"ok\": ...} object");
        }
        return $output;
    }

    /** The size limit of a request for $op, in bytes. */
    public static function limitFor(string $op): int
    {
        return $op === 'plan.resume' ? self::MAX_RESUME_BYTES : self::MAX_REQUEST_BYTES;
    }

    /**
     * What is running, for diagnostics pages and logs.
     *
     * @return array{backend: string, runtime: string, wasmPath: string, moduleCache: string|null}
     */
    public function info(): array
    {
        return [
            'backend' => $this->runtime->backend(),
            'runtime' => $this->runtime->api()->runtimeId(),
            'wasmPath' => $this->wasmPath,
            'moduleCache' => $this->runtime->cacheOutcome($this->wasmPath),
        ];
    }

    /** @return array<string, mixed> */
    private function decodeChecked(int $status, string $output): array
    {
        try {
            $decoded = json_decode($output, true, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw $this->badReply("its reply to a {$status}-status call is not valid JSON ({$e->getMessage()})");
        }
        if (!is_array($decoded) || !is_bool($decoded['ok'] ?? null) || $decoded['ok'] !== ($status === 0)) {
            throw $this->badReply("its reply to a {$status}-status call is not a matching {\"ok\": ...} object");
        }
        return $decoded;
    }

    /** @return array{0: string, 1: array<string, mixed>} [raw bytes, decoded] */
    private function run(string $request, string $op): array
    {
        $limit = self::limitFor($op);
        if (strlen($request) > $limit) {
            // Refused before cp_alloc: nothing of it enters the WebAssembly memory.
            throw new CoreException(
                CoreException::BAD_REQUEST,
                sprintf(
                    "The request to the core%s is %s bytes, more than the %d MiB limit of the PHP host; it was not passed to the core. "
                    . 'A value from WHMCS or a reply of the Comet Server is far larger than any real one.',
                    $op !== '' ? " ('{$op}')" : '',
                    number_format(strlen($request)),
                    intdiv($limit, 1024 * 1024)
                )
            );
        }
        [$status, $output] = $this->instance()->call($request);
        try {
            $decoded = json_decode($output, true, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw $this->badReply("its reply to a {$status}-status call is not valid JSON ({$e->getMessage()})");
        }
        if (!is_array($decoded) || !is_bool($decoded['ok'] ?? null)) {
            throw $this->badReply('its reply is not a {"ok": ...} object');
        }
        if ($decoded['ok'] !== ($status === 0)) {
            throw $this->badReply("its reply says ok=" . var_export($decoded['ok'], true) . " with status {$status}");
        }
        return [$output, $decoded];
    }

    private function instance(): AbiInstance
    {
        if ($this->instance === null || !$this->instance->usable()) {
            $this->instance = $this->runtime->instance($this->wasmPath, $this->cacheDir);
        }
        return $this->instance;
    }

    private function badReply(string $what): CoreException
    {
        return new CoreException(
            CoreException::BAD_REPLY,
            "The core module {$this->wasmPath} returned a malformed response: {$what}. Re-upload cometprov.wasm "
            . 'from the package that matches this version of the PHP module.'
        );
    }
}
