<?php
// The private CA of one Comet Server (from its Access Hash field), as curl options: the one place
// that turns it into CURLOPT_CAINFO_BLOB or, on an old libcurl, into a file nobody else controls.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Api;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

/**
 * The server's "Access Hash" field holds either PEM certificate text or the absolute path of a
 * .pem/.crt/.cer file the admin keeps; anything else means "the system's CA store".
 *
 * PEM text goes to curl as CURLOPT_CAINFO_BLOB (PHP 8.1+ with libcurl 7.77+), so no file exists at
 * all. Only without it is a file written, and then never at a name another local user can prepare:
 *
 * - the directory is `<temp>/cometbackup-ca-<uid>`, and it is used only when lstat() shows a real
 *   directory (not a symlink) owned by the running uid with no group or other access (0700). One
 *   that is ours but looser is tightened; one of another owner or a symlink is refused, never used;
 * - the file is named by the SHA-256 of the PEM and is trusted only when lstat() shows a regular
 *   file (not a symlink) owned by us, not writable by others, whose content hashes to that same
 *   digest. Otherwise it is replaced atomically: a temp file in the same directory, then rename()
 *   (which replaces a planted file or symlink itself and never follows it).
 */
final class CaBundle
{
    private const DIR_PREFIX = 'cometbackup-ca-';

    private function __construct(
        private readonly ?string $pem,
        private readonly ?string $path,
    ) {
    }

    /** The CA configured in an Access Hash value, or null when it names none (system CA store). */
    public static function fromAccessHash(string $accessHash): ?self
    {
        $value = trim($accessHash);
        if ($value === '') {
            return null;
        }
        if (str_contains($value, '-----BEGIN CERTIFICATE-----')) {
            return new self($value . "\n", null);
        }
        if ($value[0] === '/' && preg_match('/\.(pem|crt|cer)$/i', $value) === 1) {
            return new self(null, $value);
        }
        return null;
    }

    public function pem(): ?string
    {
        return $this->pem;
    }

    /**
     * The curl options that make curl trust this CA (and only it).
     *
     * @param bool|null $blob false: never CURLOPT_CAINFO_BLOB (tests of the file path on a modern
     *                        PHP); otherwise it is used whenever PHP has it
     * @param string|null $tempDir the parent of the per-user directory (null: sys_get_temp_dir())
     * @return array<int, string>
     * @throws \RuntimeException with a message naming what is wrong (never the PEM)
     */
    public function curlOptions(?bool $blob = null, ?string $tempDir = null): array
    {
        if ($this->path !== null) {
            // The admin's own file, named on purpose in the server settings.
            if (!is_readable($this->path)) {
                throw new \RuntimeException("the CA file named in the server's Access Hash ({$this->path}) cannot be read");
            }
            return [CURLOPT_CAINFO => $this->path];
        }
        $pem = (string) $this->pem;
        if (defined('CURLOPT_CAINFO_BLOB') && ($blob ?? true)) {
            return [constant('CURLOPT_CAINFO_BLOB') => $pem];
        }
        return [CURLOPT_CAINFO => self::privateFile($pem, $tempDir ?? sys_get_temp_dir())];
    }

    /** The per-user directory's path under $tempDir (checked by privateFile(), not here). */
    public static function directoryFor(string $tempDir): string
    {
        return rtrim($tempDir, '/') . '/' . self::DIR_PREFIX . self::uid();
    }

    /** The file name privateFile() uses for a PEM inside the per-user directory. */
    public static function fileNameFor(string $pem): string
    {
        return hash('sha256', $pem) . '.pem';
    }

    /** @throws \RuntimeException */
    private static function privateFile(string $pem, string $tempDir): string
    {
        $dir = self::directoryFor($tempDir);
        self::ensurePrivateDirectory($dir);
        $digest = hash('sha256', $pem);
        $file = $dir . '/' . self::fileNameFor($pem);
        if (self::trustedFile($file, $digest)) {
            return $file;
        }
        $tmp = $dir . '/.tmp-' . bin2hex(random_bytes(8));
        // 'x': the temp name must not exist yet (it is random, so only a race could make it exist).
        $handle = @fopen($tmp, 'x');
        if ($handle === false) {
            throw new \RuntimeException("the CA certificate from the server's Access Hash could not be written to {$dir}");
        }
        $written = @fwrite($handle, $pem);
        @fclose($handle);
        @chmod($tmp, 0600);
        if ($written !== strlen($pem) || !@rename($tmp, $file)) {
            @unlink($tmp);
            throw new \RuntimeException("the CA certificate from the server's Access Hash could not be written to {$dir}");
        }
        clearstatcache(true, $file);
        if (!self::trustedFile($file, $digest)) {
            throw new \RuntimeException("the CA file written to {$dir} changed before it could be used");
        }
        return $file;
    }

    /** @throws \RuntimeException when the directory cannot be made private to this user */
    private static function ensurePrivateDirectory(string $dir): void
    {
        clearstatcache(true, $dir);
        $st = @lstat($dir);
        if ($st === false) {
            // Created 0700 whatever the umask (mkdir only narrows), then checked like an existing one.
            if (!@mkdir($dir, 0700) && @lstat($dir) === false) {
                throw new \RuntimeException("the private CA directory {$dir} cannot be created");
            }
            clearstatcache(true, $dir);
            $st = @lstat($dir);
            if ($st === false) {
                throw new \RuntimeException("the private CA directory {$dir} cannot be created");
            }
        }
        $uid = self::uid();
        $type = $st['mode'] & 0170000;
        if ($type === 0120000) {
            throw new \RuntimeException("the private CA directory {$dir} is a symbolic link; remove it (another user may have planted it)");
        }
        if ($type !== 0040000) {
            throw new \RuntimeException("the private CA directory {$dir} is not a directory; remove it");
        }
        if ($st['uid'] !== $uid) {
            throw new \RuntimeException("the private CA directory {$dir} belongs to uid {$st['uid']}, not to the web server's uid {$uid}; remove it");
        }
        if (($st['mode'] & 0777) !== 0700) {
            // Ours and a real directory (the sticky temp dir lets no one else swap it): tighten it.
            if (!@chmod($dir, 0700)) {
                throw new \RuntimeException("the private CA directory {$dir} is open to other users and cannot be made private");
            }
            clearstatcache(true, $dir);
            $st = @lstat($dir);
            if ($st === false || ($st['mode'] & 0777) !== 0700 || ($st['mode'] & 0170000) !== 0040000 || $st['uid'] !== $uid) {
                throw new \RuntimeException("the private CA directory {$dir} is open to other users and cannot be made private");
            }
        }
    }

    /** True when $file is a regular file of ours, not writable by others, holding exactly the PEM. */
    private static function trustedFile(string $file, string $digest): bool
    {
        clearstatcache(true, $file);
        $st = @lstat($file);
        if ($st === false || ($st['mode'] & 0170000) !== 0100000 || $st['uid'] !== self::uid() || ($st['mode'] & 0022) !== 0) {
            return false;
        }
        $content = @file_get_contents($file);
        return is_string($content) && hash_equals($digest, hash('sha256', $content));
    }

    /** The uid this PHP process runs as (the owner of the files it creates). */
    private static function uid(): int
    {
        if (function_exists('posix_geteuid')) {
            return posix_geteuid();
        }
        // Without the posix extension: the owner of a file this process creates (getmyuid() is the
        // owner of the script, which is not the same thing).
        static $uid = null;
        if ($uid === null) {
            $probe = @tempnam(sys_get_temp_dir(), 'cbuid');
            $uid = $probe !== false ? (int) @fileowner($probe) : -1;
            if ($probe !== false) {
                @unlink($probe);
            }
        }
        return $uid;
    }
}
