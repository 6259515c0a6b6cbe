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
    private static ?string $errorLog = null;
    private static int $lastSignal = 0;
    /** @var list<string> */
    private static array $outputs = [];

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
     * Runs a command without a shell. A child killed by a signal (a crash, also one at exit) fails
     * the test unless $allowSignal; the exit code is returned for the caller to check. Every child's
     * output is kept for the whole-run secret scan (tests/php/SecretsScanTest.php).
     *
     * @param list<string> $argv
     * @param array<string, string>|null $env added to the current environment
     * @return array{0: int, 1: string, 2: string} [exit code (128 + signal when killed), stdout, stderr];
     *         lastSignal() tells the signal
     */
    public static function run(array $argv, string $stdin = '', ?array $env = null, bool $allowSignal = false, float $timeout = 600.0): array
    {
        if (($argv[0] ?? '') === PHP_BINARY && self::$errorLog !== null) {
            // Child PHP processes write their error log where the secret scan reads it.
            array_splice($argv, 1, 0, ['-d', 'error_log=' . self::$errorLog, '-d', 'log_errors=1']);
        }
        $fullEnv = $env === null ? null : array_merge(getenv(), $env);
        $descriptors = [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']];
        $process = proc_open($argv, $descriptors, $pipes, null, $fullEnv);
        Assert::assertIsResource($process, 'cannot start ' . $argv[0]);
        // stdin, stdout and stderr together, so a chatty child cannot block on a full pipe.
        stream_set_blocking($pipes[0], false);
        stream_set_blocking($pipes[1], false);
        stream_set_blocking($pipes[2], false);
        $out = ['', '', ''];
        $pending = $stdin;
        $open = [1 => $pipes[1], 2 => $pipes[2]];
        if ($pending === '') {
            fclose($pipes[0]);
        }
        $deadline = microtime(true) + $timeout;
        while ($open !== [] || $pending !== '') {
            $read = array_values($open);
            $write = $pending !== '' ? [$pipes[0]] : [];
            $except = null;
            if (microtime(true) > $deadline) {
                proc_terminate($process, SIGKILL);
                Assert::fail(basename($argv[0]) . " did not finish within {$timeout} s");
            }
            if (@stream_select($read, $write, $except, 1) === false) {
                continue;
            }
            foreach ($write as $w) {
                $n = @fwrite($w, substr($pending, 0, 65536));
                $pending = $n === false ? '' : substr($pending, $n);
                if ($pending === '') {
                    fclose($pipes[0]);
                }
            }
            foreach ($read as $r) {
                $i = array_search($r, $open, true);
                $chunk = fread($r, 65536);
                if ($chunk !== false && $chunk !== '') {
                    $out[$i] .= $chunk;
                } elseif (feof($r)) {
                    fclose($r);
                    unset($open[$i]);
                }
            }
        }
        $status = self::waitExit($process);
        proc_close($process);
        self::$outputs[] = implode(' ', array_map('basename', array_slice($argv, 0, 3))) . "\n" . $out[1] . "\n" . $out[2];
        $signal = $status['signaled'] ? (int) $status['termsig'] : 0;
        if ($signal !== 0 && !$allowSignal) {
            Assert::fail(sprintf("%s was killed by signal %d (a crash; also at exit counts):\n%s\n%s",
                implode(' ', array_map('basename', array_slice($argv, 0, 3))), $signal, substr($out[1], 0, 2000), substr($out[2], 0, 2000)));
        }
        self::$lastSignal = $signal;
        $code = $signal !== 0 ? 128 + $signal : (int) $status['exitcode'];
        return [$code, $out[1], $out[2]];
    }

    /**
     * @param resource $process
     * @return array{signaled: bool, termsig: int, exitcode: int}
     */
    private static function waitExit($process): array
    {
        $deadline = microtime(true) + 120;
        while (true) {
            $status = proc_get_status($process);
            if (!$status['running']) {
                return $status;
            }
            if (microtime(true) > $deadline) {
                proc_terminate($process, SIGKILL);
                Assert::fail('a child process did not exit after closing its output');
            }
            usleep(2000);
        }
    }

    /**
     * Runs tests/php/bin/child.php in a fresh PHP process: builds a Core from $config, sends each
     * request, and reports what happened as JSON. The child must exit with status 0 and no signal.
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
        Assert::assertSame(0, $code, "child PHP process exited with status {$code}: {$stdout}\n{$stderr}");
        $report = json_decode($stdout, true);
        Assert::assertIsArray($report, "child PHP process printed no report (exit {$code}): {$stdout}\n{$stderr}");
        return $report;
    }

    /** The signal that ended the last run() child (0 = it exited). */
    public static function lastSignal(): int
    {
        return self::$lastSignal;
    }

    /** Where this run's PHP error log goes (this process and child PHP processes); set by the bootstrap. */
    public static function useErrorLog(string $file): void
    {
        self::$errorLog = $file;
        ini_set('log_errors', '1');
        ini_set('error_log', $file);
    }

    public static function errorLog(): ?string
    {
        return self::$errorLog;
    }

    /** @return list<string> the stdout and stderr of every child process run so far */
    public static function childOutputs(): array
    {
        return self::$outputs;
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
