<?php
// The on-disk cache of compiled modules: serialize after the first compile, deserialize afterwards.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Wasm;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\CoreException;

/**
 * Entries are keyed by the wasm's sha256 and the runtime identity (engine, version, build). A cached
 * module is native code that the runtime maps and runs without re-checking it, so the cache:
 *  - lives in a per-user subdirectory (mode 0700) that must be owned by this user and not writable by
 *    others, so nobody else can plant an entry (the default base is the shared system temp dir);
 *  - writes entries atomically (unique temp file in the same directory, then rename);
 *  - frames each entry with a header naming its key, the payload length and an xxh128 checksum, so
 *    a truncated, corrupt or stale entry is detected, ignored and rebuilt.
 *
 * The wasm's sha256 itself is remembered per file version (path, inode, size, mtime, ctime), so a
 * warm request neither reads nor hashes the .wasm; entries younger than 2 s are not trusted, as a
 * file rewritten within the same second would keep its timestamps.
 *
 * @internal
 */
final class ModuleCache
{
    private const MAGIC = "CPMC\x01\n";
    private const DIGEST_MIN_AGE = 2;

    private function __construct(private readonly string $dir)
    {
    }

    /**
     * @param string|null $baseDir configured directory, or null for the system temp dir
     * @return self|null null when the default location is unusable (caching is then skipped)
     * @throws CoreException when an explicitly configured directory is unusable
     */
    public static function open(?string $baseDir): ?self
    {
        $explicit = $baseDir !== null && $baseDir !== '';
        $base = $explicit ? rtrim($baseDir, '/') : sys_get_temp_dir();
        $dir = $base . '/cometprov-modules-' . self::uid();
        $problem = self::prepare($dir);
        if ($problem === null) {
            return new self($dir);
        }
        if ($explicit) {
            throw new CoreException(
                CoreException::CACHE,
                "The compiled-module cache directory {$dir} is unusable ({$problem}). Set cacheDir to a directory "
                . 'that the PHP user can write and that other users cannot.'
            );
        }
        return null;
    }

    public function directory(): string
    {
        return $this->dir;
    }

    public function entryPath(string $wasmSha256, string $runtimeId): string
    {
        return $this->dir . '/' . substr(hash('sha256', $wasmSha256 . "\0" . $runtimeId), 0, 40) . '.module';
    }

    /**
     * @param bool|null $rejected set to true when an entry existed but was corrupt or stale
     * @return string|null the serialized module, or null on a miss; a corrupt or stale entry is deleted
     */
    public function load(string $wasmSha256, string $runtimeId, ?bool &$rejected = null): ?string
    {
        $rejected = false;
        $handle = @fopen($this->entryPath($wasmSha256, $runtimeId), 'rb');
        if ($handle === false) {
            return null;
        }
        // Header, then the payload straight into its own string: no 1 MB substr copy per request.
        $payload = null;
        $header = self::readHeader($handle);
        $current = $header !== null
            && ($header['wasm'] ?? null) === $wasmSha256
            && ($header['runtime'] ?? null) === $runtimeId;
        if ($current) {
            $payload = (string) stream_get_contents($handle);
            $intact = ($header['length'] ?? null) === strlen($payload)
                && ($header['xxh128'] ?? null) === hash('xxh128', $payload);
            $payload = $intact ? $payload : null;
        }
        fclose($handle);
        if ($payload === null) {
            $rejected = true;
            $this->discard($wasmSha256, $runtimeId);
        }
        return $payload;
    }

    /**
     * The frame of the entry, for a reader that maps the file instead of copying it into PHP
     * (FfiApi::moduleDeserializeMapped): the path, the frame bytes (magic, header length, header) as
     * read here, and the payload length and xxh128 the header promises. The frame, key and file size
     * are checked here; the payload is checked by that reader, which must fall back to load() when
     * anything differs. A malformed or stale frame is deleted and $rejected set, as in load().
     *
     * @return array{path: string, frame: string, length: int, xxh128: string}|null
     */
    public function locate(string $wasmSha256, string $runtimeId, ?bool &$rejected = null): ?array
    {
        $rejected = false;
        $path = $this->entryPath($wasmSha256, $runtimeId);
        $handle = @fopen($path, 'rb');
        if ($handle === false) {
            return null;
        }
        $frame = '';
        $header = self::readHeader($handle, $frame);
        $size = fstat($handle)['size'] ?? -1;
        fclose($handle);
        $length = $header['length'] ?? null;
        $xxh = $header['xxh128'] ?? null;
        if (
            $header === null
            || ($header['wasm'] ?? null) !== $wasmSha256
            || ($header['runtime'] ?? null) !== $runtimeId
            || !is_int($length) || $length <= 0 || $size !== strlen($frame) + $length
            || !is_string($xxh) || preg_match('/\A[0-9a-f]{32}\z/', $xxh) !== 1
        ) {
            $rejected = true;
            $this->discard($wasmSha256, $runtimeId);
            return null;
        }
        return ['path' => $path, 'frame' => $frame, 'length' => $length, 'xxh128' => $xxh];
    }

    public function store(string $wasmSha256, string $runtimeId, string $serialized): bool
    {
        $header = json_encode([
            'wasm' => $wasmSha256,
            'runtime' => $runtimeId,
            'length' => strlen($serialized),
            'xxh128' => hash('xxh128', $serialized),
        ], JSON_UNESCAPED_SLASHES);
        $data = self::MAGIC . pack('V', strlen($header)) . $header . $serialized;
        return $this->writeAtomically($this->entryPath($wasmSha256, $runtimeId), $data);
    }

    public function discard(string $wasmSha256, string $runtimeId): void
    {
        @unlink($this->entryPath($wasmSha256, $runtimeId));
    }

    /** The sha256 of the file, from the remembered digest when the file version is unchanged. */
    public function wasmDigest(string $path, array $stat, callable $readBytes): string
    {
        $version = implode('|', [$path, $stat['dev'], $stat['ino'], $stat['size'], $stat['mtime'], $stat['ctime']]);
        $memo = $this->dir . '/' . substr(hash('sha256', $version), 0, 40) . '.digest';
        $settled = time() - max($stat['mtime'], $stat['ctime']) >= self::DIGEST_MIN_AGE;
        if ($settled) {
            $known = @file_get_contents($memo);
            if ($known !== false && preg_match('/\A[0-9a-f]{64}\z/', $known)) {
                return $known;
            }
        }
        $digest = hash('sha256', $readBytes());
        if ($settled) {
            $this->writeAtomically($memo, $digest);
        }
        return $digest;
    }

    /**
     * @param resource $handle positioned at the start of an entry
     * @param string $frame set to the bytes read (magic, header length, header)
     * @return array<string, mixed>|null the decoded header, or null when the framing is wrong
     */
    private static function readHeader($handle, string &$frame = ''): ?array
    {
        $prefixLength = strlen(self::MAGIC) + 4;
        $prefix = (string) fread($handle, $prefixLength);
        $frame = $prefix;
        if (strlen($prefix) !== $prefixLength || !str_starts_with($prefix, self::MAGIC)) {
            return null;
        }
        $headerLength = unpack('V', $prefix, strlen(self::MAGIC))[1];
        if ($headerLength < 2 || $headerLength > 65536) {
            return null;
        }
        $json = (string) fread($handle, $headerLength);
        $frame .= $json;
        if (strlen($json) !== $headerLength) {
            return null;
        }
        $header = json_decode($json, true);
        return is_array($header) ? $header : null;
    }

    private function writeAtomically(string $path, string $data): bool
    {
        $tmp = $this->dir . '/.tmp-' . getmypid() . '-' . bin2hex(random_bytes(6));
        $handle = @fopen($tmp, 'xb');
        if ($handle === false) {
            return false;
        }
        $ok = fwrite($handle, $data) === strlen($data) && fflush($handle);
        fclose($handle);
        if ($ok) {
            @chmod($tmp, 0600);
            $ok = @rename($tmp, $path);
        }
        if (!$ok) {
            @unlink($tmp);
        }
        return $ok;
    }

    /** Creates the directory if needed; returns null when it is safe to use, else why not. */
    private static function prepare(string $dir): ?string
    {
        if (!is_dir($dir) && !@mkdir($dir, 0700, true) && !is_dir($dir)) {
            return 'cannot create it';
        }
        clearstatcache(true, $dir);
        $stat = @lstat($dir);
        if ($stat === false || ($stat['mode'] & 0170000) !== 0040000) {
            return 'not a directory';
        }
        if ($stat['uid'] !== self::uid()) {
            return 'owned by another user';
        }
        if (($stat['mode'] & 0022) !== 0) {
            return 'writable by other users';
        }
        if (!is_writable($dir)) {
            return 'not writable';
        }
        return null;
    }

    private static function uid(): int
    {
        return function_exists('posix_geteuid') ? posix_geteuid() : getmyuid();
    }
}
