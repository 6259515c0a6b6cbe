<?php
// The compiled-module disk cache, seen from fresh PHP processes as a web request would see it.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\CoreException;
use WHMCS\Module\Server\CometBackup\Wasm\FfiApi;
use WHMCS\Module\Server\CometBackup\Wasm\ModuleCache;
use WHMCS\Module\Server\CometBackup\Wasm\Runtime;

final class ModuleCacheTest extends TestCase
{
    private const REQUESTS = ['{"op":"version"}'];
    private const ECHOED = '{"ok":true,"value":{"op":"version"}}';

    /** @return array<string, mixed> */
    private static function runChild(string $wasm, string $cacheDir): array
    {
        return TestSupport::child(
            ['wasmPath' => $wasm, 'runtimeLibrary' => TestSupport::runtimeLibrary(), 'cacheDir' => $cacheDir],
            self::REQUESTS
        );
    }

    /** @return list<string> */
    private static function entries(string $cacheDir): array
    {
        return glob($cacheDir . '/cometprov-modules-*/*.module') ?: [];
    }

    /** A copy of the echo module with a custom section appended: same behaviour, different sha256. */
    private static function echoVariant(string $dir): string
    {
        $path = $dir . '/variant.wasm';
        file_put_contents($path, file_get_contents(TestSupport::fixture('echo')) . "\x00\x05\x04test");
        touch($path, time() - 10);
        return $path;
    }

    public function testMissThenHitAcrossProcessesWithAnAtomicPrivateEntry(): void
    {
        $cacheDir = TestSupport::tempDir('cache');
        $first = self::runChild(TestSupport::fixture('echo'), $cacheDir);
        self::assertSame('miss', $first['info']['moduleCache'], json_encode($first));
        self::assertSame([self::ECHOED], $first['responses']);

        $entries = self::entries($cacheDir);
        self::assertCount(1, $entries);
        $dir = dirname($entries[0]);
        self::assertSame(0700, fileperms($dir) & 0777);
        self::assertSame(0600, fileperms($entries[0]) & 0777);
        self::assertSame([], glob($dir . '/.tmp-*') ?: [], 'no temp file left behind');
        self::assertStringStartsWith("CPMC\x01\n", (string) file_get_contents($entries[0]));

        $second = self::runChild(TestSupport::fixture('echo'), $cacheDir);
        self::assertSame('hit', $second['info']['moduleCache']);
        self::assertSame([self::ECHOED], $second['responses']);
    }

    /** @return iterable<string, array{callable(string): string}> */
    public function corruptions(): iterable
    {
        yield 'flipped payload byte' => [static function (string $data): string {
            $at = strlen($data) - 100;
            return substr_replace($data, chr(ord($data[$at]) ^ 0x40), $at, 1);
        }];
        yield 'truncated' => [static fn (string $data): string => substr($data, 0, intdiv(strlen($data), 2))];
        yield 'empty' => [static fn (string $data): string => ''];
        yield 'garbage' => [static fn (string $data): string => random_bytes(4096)];
        yield 'bad header json' => [static fn (string $data): string => substr_replace($data, '{{{{', 10, 4)];
        yield 'appended bytes' => [static fn (string $data): string => $data . str_repeat("\x90", 4096)];
        yield 'flipped first payload byte' => [static function (string $data): string {
            $at = 10 + unpack('V', $data, 6)[1];
            return substr_replace($data, chr(ord($data[$at]) ^ 0x01), $at, 1);
        }];
    }

    /**
     * A child that reports how the module was obtained and read (Runtime::cacheRead()) and how the FFI
     * declarations were loaded; argv: wasm, cache dir, runtime library.
     */
    private const READ_CHILD = <<<'PHP'
        require getenv('COMETPROV_TEST_AUTOLOAD');
        use WHMCS\Module\Server\CometBackup\Core;
        use WHMCS\Module\Server\CometBackup\CoreException;
        use WHMCS\Module\Server\CometBackup\Wasm\Runtime;
        [, $wasm, $cacheDir, $library] = $argv;
        $runtime = Runtime::acquire('ffi', $library, '/nonexistent');
        try {
            $core = Core::fromConfig(['wasmPath' => $wasm, 'cacheDir' => $cacheDir, 'runtimeLibrary' => $library, 'backend' => 'ffi']);
            $report = ['cache' => $core->info()['moduleCache'], 'read' => $runtime->cacheRead($wasm),
                'ffi' => $runtime->api()->loadedBy(), 'response' => $core->invokeJson('{"op":"version"}')];
        } catch (CoreException $e) {
            $report = ['error' => $e->reason(), 'cache' => $runtime->cacheOutcome($wasm), 'read' => $runtime->cacheRead($wasm)];
        }
        echo json_encode($report, JSON_UNESCAPED_SLASHES);
        PHP;

    /**
     * @param array<string, string> $env
     * @param list<string> $phpOptions
     * @return array<string, mixed>
     */
    public static function readChild(string $wasm, string $cacheDir, array $env = [], array $phpOptions = [], ?string $library = null): array
    {
        $argv = array_merge([PHP_BINARY], $phpOptions, ['-r', self::READ_CHILD, '--', $wasm, $cacheDir, $library ?? TestSupport::runtimeLibrary()]);
        [$code, $stdout, $stderr] = TestSupport::run($argv, '', $env + ['COMETPROV_TEST_AUTOLOAD' => __DIR__ . '/autoload.php']);
        self::assertSame(0, $code, "child exited with {$code}: {$stdout}\n{$stderr}");
        $report = json_decode($stdout, true);
        self::assertIsArray($report, "child printed no report: {$stdout}\n{$stderr}");
        return $report;
    }

    public function testHitIsReadThroughACheckedMappingOnThisMachine(): void
    {
        // The corruption cases below go through the mapped read by default; this makes sure they do.
        $cacheDir = TestSupport::tempDir('cache');
        $first = self::readChild(TestSupport::fixture('echo'), $cacheDir);
        self::assertSame(['miss', null], [$first['cache'], $first['read']], json_encode($first));
        $second = self::readChild(TestSupport::fixture('echo'), $cacheDir);
        self::assertSame(['hit', 'mapped', self::ECHOED], [$second['cache'], $second['read'], $second['response']], json_encode($second));
        $copied = self::readChild(TestSupport::fixture('echo'), $cacheDir, ['COMETPROV_MODULE_CACHE_MAP' => '0']);
        self::assertSame(['hit', 'copied', self::ECHOED], [$copied['cache'], $copied['read'], $copied['response']], json_encode($copied));
    }

    /** @return iterable<string, array{callable(string): string, string}> */
    public function corruptionsByReadPath(): iterable
    {
        foreach ($this->corruptions() as $name => [$corrupt]) {
            yield "{$name}, mapped read" => [$corrupt, '1'];
            yield "{$name}, copied read" => [$corrupt, '0'];
        }
    }

    /** @dataProvider corruptionsByReadPath */
    public function testCorruptEntryIsNeverLoadedByEitherReadPath(callable $corrupt, string $map): void
    {
        $cacheDir = TestSupport::tempDir('cache');
        $env = ['COMETPROV_MODULE_CACHE_MAP' => $map];
        // The trap module's compiled code, corrupted: loading it by mistake could run anything.
        $trap = TestSupport::fixture('trap');
        self::readChild($trap, $cacheDir, $env);
        [$entry] = self::entries($cacheDir);
        file_put_contents($entry, $corrupt((string) file_get_contents($entry)));
        $rebuilt = self::readChild($trap, $cacheDir, $env);
        self::assertSame(['rebuilt', 'trap'], [$rebuilt['cache'], $rebuilt['error'] ?? null], json_encode($rebuilt));
        $again = self::readChild($trap, $cacheDir, $env);
        self::assertSame(['hit', $map === '1' ? 'mapped' : 'copied'], [$again['cache'], $again['read']], json_encode($again));
    }

    public function testMappedReadRefusesAnEntryReplacedAfterItsFrameWasRead(): void
    {
        $cacheDir = TestSupport::tempDir('cache');
        $wasm = TestSupport::fixture('echo');
        self::readChild($wasm, $cacheDir);
        $runtime = Runtime::acquire('ffi', TestSupport::runtimeLibrary(), '/nonexistent');
        $api = $runtime->api();
        self::assertInstanceOf(FfiApi::class, $api);
        self::assertTrue($api->canMapFiles());
        $cache = ModuleCache::open($cacheDir);
        $sha = hash_file('sha256', $wasm);
        $entry = $cache->locate($sha, $api->runtimeId());
        self::assertNotNull($entry);
        $engine = $api->engineNew();
        $store = $api->storeNew($engine);
        try {
            $module = $api->moduleDeserializeMapped($store, $entry['path'], $entry['frame'], $entry['length'], $entry['xxh128']);
            self::assertNotNull($module, 'the intact entry maps and deserializes');
            $api->moduleDelete($module);
            $bytes = (string) file_get_contents($entry['path']);
            $cases = [
                'other checksum in the frame' => [$entry['frame'], $entry['length'], str_repeat('0', 32)],
                'other frame' => [str_replace('"length"', '"lengtH"', $entry['frame']), $entry['length'], $entry['xxh128']],
                'shorter than the frame says' => [$entry['frame'], $entry['length'] + 1, $entry['xxh128']],
            ];
            foreach ($cases as $label => [$frame, $length, $xxh]) {
                self::assertNull($api->moduleDeserializeMapped($store, $entry['path'], $frame, $length, $xxh), $label);
            }
            // The payload changed on disk under an unchanged frame (same size).
            $at = strlen($entry['frame']) + intdiv($entry['length'], 2);
            file_put_contents($entry['path'], substr_replace($bytes, chr(ord($bytes[$at]) ^ 0x20), $at, 1));
            self::assertNull($api->moduleDeserializeMapped($store, $entry['path'], $entry['frame'], $entry['length'], $entry['xxh128']));
            self::assertNull($api->moduleDeserializeMapped($store, $cacheDir . '/missing.module', $entry['frame'], $entry['length'], $entry['xxh128']));
        } finally {
            $api->storeDelete($store);
            $api->engineDelete($engine);
        }
    }

    /** @dataProvider corruptions */
    public function testCorruptEntryIsIgnoredAndRebuilt(callable $corrupt): void
    {
        $cacheDir = TestSupport::tempDir('cache');
        self::runChild(TestSupport::fixture('echo'), $cacheDir);
        [$entry] = self::entries($cacheDir);
        file_put_contents($entry, $corrupt((string) file_get_contents($entry)));

        $rebuilt = self::runChild(TestSupport::fixture('echo'), $cacheDir);
        self::assertSame('rebuilt', $rebuilt['info']['moduleCache'], json_encode($rebuilt));
        self::assertSame([self::ECHOED], $rebuilt['responses']);
        self::assertSame('hit', self::runChild(TestSupport::fixture('echo'), $cacheDir)['info']['moduleCache']);
    }

    public function testWellFramedEntryThatTheRuntimeRejectsIsRebuilt(): void
    {
        $cacheDir = TestSupport::tempDir('cache');
        $wasm = TestSupport::fixture('echo');
        $first = self::runChild($wasm, $cacheDir);
        // A correct frame (key, length, checksum) around bytes that are not a compiled module.
        $cache = ModuleCache::open($cacheDir);
        $cache->store(hash_file('sha256', $wasm), $first['info']['runtime'], str_repeat('x', 5000));

        $rebuilt = self::runChild($wasm, $cacheDir);
        self::assertSame('rebuilt', $rebuilt['info']['moduleCache'], json_encode($rebuilt));
        self::assertSame([self::ECHOED], $rebuilt['responses']);
    }

    public function testAnotherWasmHashDoesNotUseTheEntry(): void
    {
        $cacheDir = TestSupport::tempDir('cache');
        self::assertSame('miss', self::runChild(TestSupport::fixture('echo'), $cacheDir)['info']['moduleCache']);
        $variant = self::echoVariant(TestSupport::tempDir('variant'));
        self::assertSame('miss', self::runChild($variant, $cacheDir)['info']['moduleCache']);
        self::assertCount(2, self::entries($cacheDir));
    }

    public function testStaleEntryUnderAnotherKeyIsNotUsed(): void
    {
        $cacheDir = TestSupport::tempDir('cache');
        $echo = TestSupport::fixture('echo');
        $trap = TestSupport::fixture('trap');
        self::runChild($echo, $cacheDir);
        $echoEntry = self::entries($cacheDir)[0];
        $trapRun = self::runChild($trap, $cacheDir);
        self::assertSame('trap', $trapRun['error']['reason'] ?? null);
        $trapEntry = array_values(array_diff(self::entries($cacheDir), [$echoEntry]))[0];

        // Put the echo module's compiled code where the trap module's entry belongs.
        copy($echoEntry, $trapEntry);
        $again = self::runChild($trap, $cacheDir);
        self::assertSame('rebuilt', $again['info']['moduleCache'], json_encode($again));
        self::assertSame('trap', $again['error']['reason'] ?? null, 'must run the trap module, not the cached echo');
    }

    public function testWasmReplacedInPlaceWithSameSizeAndMtimeIsRehashed(): void
    {
        $cacheDir = TestSupport::tempDir('cache');
        $path = TestSupport::tempDir('deploy') . '/cometprov.wasm';
        $echo = (string) file_get_contents(TestSupport::fixture('echo'));
        $mtime = time() - 60;
        file_put_contents($path, $echo);
        touch($path, $mtime);
        sleep(2); // let ctime settle, so the digest of this file version is remembered
        self::assertSame([self::ECHOED], self::runChild($path, $cacheDir)['responses']);
        self::assertCount(1, glob($cacheDir . '/cometprov-modules-*/*.digest') ?: []);

        // Same inode, same size, same mtime: only the content (and so the ctime) differs.
        $trap = self::padTo((string) file_get_contents(TestSupport::fixture('trap')), strlen($echo));
        file_put_contents($path, $trap);
        touch($path, $mtime);
        self::assertSame('trap', self::runChild($path, $cacheDir)['error']['reason'] ?? null);
        sleep(2);
        self::assertSame('trap', self::runChild($path, $cacheDir)['error']['reason'] ?? null);
    }

    /** Appends a custom section so the module is exactly $size bytes long. */
    private static function padTo(string $wasm, int $size): string
    {
        $total = $size - strlen($wasm);
        // section = id (1) + LEB128 length + [name length (1) + "p" (1) + padding]
        $content = $total - 2;
        $leb = $content < 128 ? chr($content) : chr(($content & 0x7f) | 0x80) . chr($content >> 7);
        if (strlen($leb) === 2) {
            $content--;
            $leb = chr(($content & 0x7f) | 0x80) . chr($content >> 7);
        }
        $padded = $wasm . "\x00" . $leb . "\x01p" . str_repeat("\0", $content - 2);
        self::assertSame($size, strlen($padded));
        return $padded;
    }

    public function testCacheDirectoryWritableByOthersIsRefused(): void
    {
        $cacheDir = TestSupport::tempDir('cache');
        self::runChild(TestSupport::fixture('echo'), $cacheDir);
        $dir = dirname(self::entries($cacheDir)[0]);
        chmod($dir, 0777);
        try {
            Core::fromConfig([
                'wasmPath' => TestSupport::fixture('echo'),
                'runtimeLibrary' => TestSupport::runtimeLibrary(),
                'cacheDir' => $cacheDir,
            ]);
            self::fail('expected a CoreException');
        } catch (CoreException $e) {
            self::assertSame(CoreException::CACHE, $e->reason());
            self::assertStringContainsString('writable by other users', $e->getMessage());
        } finally {
            chmod($dir, 0700);
        }
    }

    public function testDefaultCacheLocationIsTheSystemTempDir(): void
    {
        $tmp = TestSupport::tempDir('tmpdir');
        $report = TestSupport::child(
            ['wasmPath' => TestSupport::fixture('echo'), 'runtimeLibrary' => TestSupport::runtimeLibrary()],
            self::REQUESTS,
            ['-d', 'sys_temp_dir=' . $tmp]
        );
        self::assertSame('miss', $report['info']['moduleCache'], json_encode($report));
        self::assertCount(1, self::entries($tmp));
    }
}
