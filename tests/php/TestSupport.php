<?php
// Shared helpers for the PHP host tests: fixture modules, the runtime library, child PHP processes.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\Assert;
use WHMCS\Module\Server\CometBackup\Wasm\Runtime;

final class TestSupport
{
    /** @var array<string, string> */
    private static array $compiled = [];
    private static ?string $workDir = null;

    public static function repoRoot(): string
    {
        return dirname(__DIR__, 2);
    }

    /** A fresh directory under the system temp dir, removed at exit. */
    public static function tempDir(string $label): string
    {
        if (self::$workDir === null) {
            self::$workDir = sys_get_temp_dir() . '/cometprov-phpunit-' . getmypid() . '-' . bin2hex(random_bytes(3));
            mkdir(self::$workDir, 0700, true);
            $root = self::$workDir;
            register_shutdown_function(static fn () => self::removeTree($root));
        }
        $dir = self::$workDir . '/' . $label . '-' . bin2hex(random_bytes(4));
        mkdir($dir, 0700, true);
        return $dir;
    }

    /** Compiles tests/php/fixtures/<name>.wat with wabt's wat2wasm (once per run) and returns the .wasm path. */
    public static function fixture(string $name): string
    {
        if (isset(self::$compiled[$name])) {
            return self::$compiled[$name];
        }
        $wat = __DIR__ . "/fixtures/{$name}.wat";
        Assert::assertFileExists($wat);
        $out = self::tempDir('wasm') . "/{$name}.wasm";
        [$code, , $stderr] = self::run(['wat2wasm', $wat, '-o', $out]);
        Assert::assertSame(0, $code, "wat2wasm {$name}.wat failed (install Debian's wabt): {$stderr}");
        // Old enough that ModuleCache trusts its remembered digest, as a deployed file would be.
        touch($out, time() - 10);
        return self::$compiled[$name] = $out;
    }

    /** The wasm.h runtime library the tests use: $COMETPROV_WASM_RUNTIME or the build cache's current one. */
    public static function runtimeLibrary(): string
    {
        try {
            $library = Runtime::locateLibrary(null, '/nonexistent');
        } catch (\Throwable $e) {
            Assert::fail('No runtime library: run scripts/build-runtime.sh first (or set COMETPROV_WASM_RUNTIME). '
                . $e->getMessage());
        }
        Assert::assertFileExists($library, 'Run scripts/build-runtime.sh first (or set COMETPROV_WASM_RUNTIME).');
        return $library;
    }

    /**
     * Runs a command without a shell.
     *
     * @param list<string> $argv
     * @param array<string, string>|null $env added to the current environment
     * @return array{0: int, 1: string, 2: string} [exit code, stdout, stderr]
     */
    public static function run(array $argv, string $stdin = '', ?array $env = null): array
    {
        $fullEnv = $env === null ? null : array_merge(getenv(), $env);
        $descriptors = [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']];
        $process = proc_open($argv, $descriptors, $pipes, null, $fullEnv);
        Assert::assertIsResource($process, 'cannot start ' . $argv[0]);
        fwrite($pipes[0], $stdin);
        fclose($pipes[0]);
        $stdout = stream_get_contents($pipes[1]);
        $stderr = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        return [proc_close($process), $stdout, $stderr];
    }

    /**
     * Runs tests/php/bin/child.php in a fresh PHP process: builds a Core from $config, sends each
     * request, and reports what happened as JSON.
     *
     * @param array<string, mixed> $config
     * @param list<string> $requests
     * @param list<string> $phpOptions extra `php` arguments such as ['-d', 'ffi.enable=0']
     * @return array<string, mixed>
     */
    public static function child(array $config, array $requests = [], array $phpOptions = [], array $env = []): array
    {
        $argv = array_merge([PHP_BINARY], $phpOptions, [__DIR__ . '/bin/child.php', json_encode($config)]);
        [$code, $stdout, $stderr] = self::run($argv, json_encode($requests), $env);
        $report = json_decode($stdout, true);
        Assert::assertIsArray($report, "child PHP process failed (exit {$code}): {$stdout}\n{$stderr}");
        return $report;
    }

    private static function removeTree(string $dir): void
    {
        if (!is_dir($dir) || is_link($dir)) {
            @unlink($dir);
            return;
        }
        foreach (scandir($dir) ?: [] as $entry) {
            if ($entry !== '.' && $entry !== '..') {
                self::removeTree("{$dir}/{$entry}");
            }
        }
        @chmod($dir, 0700);
        @rmdir($dir);
    }
}
