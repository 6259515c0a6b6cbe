<?php
// Every way the machinery can fail surfaces as one CoreException with a reason and an admin-facing fix.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\CoreException;

final class FailureTest extends TestCase
{
    /** A request carrying a password, which no message may repeat. */
    private const SECRET_REQUEST = '{"op":"password.validate","args":{"password":"Tr0ub4dor&3-secret"}}';

    /** @return array<string, mixed> */
    private static function config(string $fixture): array
    {
        return [
            'wasmPath' => TestSupport::fixture($fixture),
            'runtimeLibrary' => TestSupport::runtimeLibrary(),
            'cacheDir' => TestSupport::tempDir('cache'),
        ];
    }

    private static function failure(callable $action): CoreException
    {
        try {
            $action();
        } catch (CoreException $e) {
            self::assertStringNotContainsString('Tr0ub4dor', $e->getMessage());
            return $e;
        }
        self::fail('expected a CoreException');
    }

    public function testFfiDisabledByIniIsReportedWithTheSettingToChange(): void
    {
        $report = TestSupport::child(
            ['wasmPath' => TestSupport::fixture('echo'), 'runtimeLibrary' => TestSupport::runtimeLibrary()],
            [],
            ['-d', 'ffi.enable=0']
        );
        self::assertSame('ffi_disabled', $report['error']['reason'] ?? null, json_encode($report));
        self::assertStringContainsString('ffi.enable=1', $report['error']['message']);
        self::assertStringContainsString('php.ini', $report['error']['message']);
    }

    public function testFfiExtensionNotLoadedIsReported(): void
    {
        // php -n: no php.ini, so Debian's shared ffi extension is not loaded at all.
        $report = TestSupport::child(
            ['wasmPath' => TestSupport::fixture('echo'), 'runtimeLibrary' => TestSupport::runtimeLibrary()],
            [],
            ['-n']
        );
        self::assertSame('ffi_disabled', $report['error']['reason'] ?? null, json_encode($report));
        self::assertStringContainsString('extension=ffi', $report['error']['message']);
    }

    public function testMissingRuntimeLibrary(): void
    {
        $config = ['runtimeLibrary' => '/nonexistent/libwasmer.so'] + self::config('echo');
        $e = self::failure(fn () => Core::fromConfig($config));
        self::assertSame(CoreException::RUNTIME_MISSING, $e->reason());
        self::assertStringContainsString('/nonexistent/libwasmer.so', $e->getMessage());
        self::assertStringContainsString('scripts/build-runtime.sh', $e->getMessage());
    }

    public function testNoRuntimeLibraryAnywhereListsThePlacesLookedIn(): void
    {
        $empty = TestSupport::tempDir('nolib');
        $report = TestSupport::child(
            ['wasmPath' => TestSupport::fixture('echo')],
            [],
            [],
            ['COMETPROV_WASM_RUNTIME' => '', 'COMETPROV_CACHE_DIR' => $empty]
        );
        self::assertSame('runtime_missing', $report['error']['reason'] ?? null, json_encode($report));
        self::assertStringContainsString($empty . '/runtime/current/libwasmer.so', $report['error']['message']);
    }

    public function testLibraryThatIsNotAWasmRuntime(): void
    {
        $config = ['runtimeLibrary' => PHP_BINARY] + self::config('echo');
        $e = self::failure(fn () => Core::fromConfig($config));
        self::assertSame(CoreException::RUNTIME_MISSING, $e->reason());
    }

    public function testMissingWasm(): void
    {
        $config = ['wasmPath' => '/nonexistent/cometprov.wasm'] + self::config('echo');
        $e = self::failure(fn () => Core::fromConfig($config));
        self::assertSame(CoreException::WASM_MISSING, $e->reason());
        self::assertStringContainsString('/nonexistent/cometprov.wasm', $e->getMessage());
    }

    public function testInvalidWasm(): void
    {
        $path = TestSupport::tempDir('bad') . '/cometprov.wasm';
        file_put_contents($path, "\0asm\x01\0\0\0garbage");
        $e = self::failure(fn () => Core::fromConfig(['wasmPath' => $path] + self::config('echo')));
        self::assertSame(CoreException::WASM_INVALID, $e->reason());
    }

    public function testTrap(): void
    {
        $core = Core::fromConfig(self::config('trap'));
        $e = self::failure(fn () => $core->invokeJson(self::SECRET_REQUEST));
        self::assertSame(CoreException::TRAP, $e->reason());
        self::assertStringContainsString('unreachable', $e->getMessage());
        // Still a clean trap (fresh instance) the second time, not a dead instance.
        self::assertSame(CoreException::TRAP, self::failure(fn () => $core->invokeJson('{}'))->reason());
    }

    /** @return iterable<string, array{string, string}> */
    public function runtimeTraps(): iterable
    {
        yield 'out-of-bounds load' => ['memory-fault', 'out of bounds'];
        yield 'unbounded recursion' => ['stack-overflow', 'stack'];
    }

    /** @dataProvider runtimeTraps */
    public function testRuntimeDetectedFaultsAreTrapsAndThePhpProcessCarriesOn(string $fixture, string $words): void
    {
        $core = Core::fromConfig(self::config($fixture));
        $e = self::failure(fn () => $core->invokeJson(self::SECRET_REQUEST));
        self::assertSame(CoreException::TRAP, $e->reason());
        self::assertStringContainsString($words, $e->getMessage());
        $echo = Core::fromConfig(self::config('echo'));
        self::assertSame('{"ok":true,"value":{}}', $echo->invokeJson('{}'));
    }

    public function testAllocReturningZeroIsOutOfMemory(): void
    {
        $core = Core::fromConfig(self::config('alloc-zero'));
        $e = self::failure(fn () => $core->invokeJson(self::SECRET_REQUEST));
        self::assertSame(CoreException::OUT_OF_MEMORY, $e->reason());
        self::assertStringContainsString((string) strlen(self::SECRET_REQUEST), $e->getMessage());
    }

    public function testInternalFailureStatusIsOutOfMemory(): void
    {
        $core = Core::fromConfig(self::config('status-internal'));
        self::assertSame(CoreException::OUT_OF_MEMORY, self::failure(fn () => $core->invokeJson('{}'))->reason());
    }

    public function testOutputPastTheEndOfMemoryIsABadReply(): void
    {
        $core = Core::fromConfig(self::config('output-past-end'));
        $e = self::failure(fn () => $core->invokeJson(self::SECRET_REQUEST));
        self::assertSame(CoreException::BAD_REPLY, $e->reason());
        self::assertStringContainsString('outside linear memory', $e->getMessage());
    }

    public function testInputBlockOutsideMemoryIsABadReply(): void
    {
        $core = Core::fromConfig(self::config('alloc-outside'));
        self::assertSame(CoreException::BAD_REPLY, self::failure(fn () => $core->invokeJson('{}'))->reason());
    }

    public function testInvalidJsonReplyIsABadReply(): void
    {
        $core = Core::fromConfig(self::config('bad-json'));
        $e = self::failure(fn () => $core->invoke('version'));
        self::assertSame(CoreException::BAD_REPLY, $e->reason());
        self::assertSame(CoreException::BAD_REPLY, self::failure(fn () => $core->invokeJson('{}'))->reason());
    }

    public function testAbiVersionMismatch(): void
    {
        $e = self::failure(fn () => Core::fromConfig(self::config('abi-version-2')));
        self::assertSame(CoreException::ABI_MISMATCH, $e->reason());
        self::assertStringContainsString('ABI version 2', $e->getMessage());
    }

    public function testModuleWithAnImportIsRefused(): void
    {
        $e = self::failure(fn () => Core::fromConfig(self::config('with-import')));
        self::assertSame(CoreException::ABI_MISMATCH, $e->reason());
        self::assertStringContainsString('imports 1', $e->getMessage());
    }

    public function testModuleWithoutTheAbiExportsIsRefused(): void
    {
        $e = self::failure(fn () => Core::fromConfig(self::config('no-cp-call')));
        self::assertSame(CoreException::ABI_MISMATCH, $e->reason());
        self::assertStringContainsString('cp_call', $e->getMessage());
    }

    public function testUnusableExplicitCacheDirectory(): void
    {
        $file = TestSupport::tempDir('notadir') . '/file';
        touch($file);
        $e = self::failure(fn () => Core::fromConfig(['cacheDir' => $file] + self::config('echo')));
        self::assertSame(CoreException::CACHE, $e->reason());
        self::assertStringContainsString('cacheDir', $e->getMessage());
    }
}
