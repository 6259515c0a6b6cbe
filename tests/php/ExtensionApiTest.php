<?php
// The wasmer-php backend (ExtensionApi), run in a child process against a stand-in for the extension.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Core;

/**
 * The real extension cannot be installed on our machines (not packaged, needs libwasmer to build),
 * so fixtures/wasmer-php-shim.php provides its functions and classes, with the extension's quirks
 * (MemoryView with 4/8-byte accessors only, traps as plain exceptions), on top of FfiApi.
 */
final class ExtensionApiTest extends TestCase
{
    /** @return array<string, mixed> */
    private static function runWithShim(string $fixture, array $requests, string $cacheDir): array
    {
        // No FFI runtime library: 'auto' prefers FFI and falls back to the (safe, 1.0.2) extension.
        return TestSupport::child(
            ['wasmPath' => TestSupport::fixture($fixture), 'cacheDir' => $cacheDir,
                'runtimeLibrary' => TestSupport::tempDir('no-runtime') . '/libwasmer.so'],
            $requests,
            [],
            ['COMETPROV_TEST_WASMER_SHIM' => '1', 'COMETPROV_WASM_RUNTIME' => TestSupport::runtimeLibrary()]
        );
    }

    public function testAutoSelectsTheExtensionAndRoundTripsEveryLengthModulo8(): void
    {
        $requests = [];
        for ($n = 0; $n < 24; $n++) {
            $requests[] = '{"s":"' . str_repeat('é', $n) . substr('abcdefg', 0, $n % 8) . '"}';
        }
        $requests[] = '{"big":"' . str_repeat('xyz', 50000) . '"}';
        $report = self::runWithShim('echo', $requests, TestSupport::tempDir('cache'));
        self::assertSame('extension', $report['info']['backend'] ?? null, json_encode($report));
        self::assertStringStartsWith('wasmer-php', $report['info']['runtime']);
        $expected = array_map(static fn ($r) => '{"ok":true,"value":' . $r . '}', $requests);
        self::assertSame($expected, $report['responses']);
    }

    public function testTrapBecomesACoreExceptionTrap(): void
    {
        $report = self::runWithShim('trap', ['{}'], TestSupport::tempDir('cache'));
        self::assertSame('trap', $report['error']['reason'] ?? null, json_encode($report));
        self::assertStringContainsString('unreachable', $report['error']['message']);
    }

    public function testAbiChecksApplyToo(): void
    {
        $report = self::runWithShim('with-import', [], TestSupport::tempDir('cache'));
        self::assertSame('abi_mismatch', $report['error']['reason'] ?? null, json_encode($report));
        $report = self::runWithShim('abi-version-2', [], TestSupport::tempDir('cache'));
        self::assertSame('abi_mismatch', $report['error']['reason'] ?? null, json_encode($report));
    }

    public function testModuleCacheWorksThroughTheExtensionsSerialize(): void
    {
        $cacheDir = TestSupport::tempDir('cache');
        self::assertSame('miss', self::runWithShim('echo', [], $cacheDir)['info']['moduleCache']);
        $second = self::runWithShim('echo', ['{}'], $cacheDir);
        self::assertSame('hit', $second['info']['moduleCache']);
        self::assertSame(['{"ok":true,"value":{}}'], $second['responses']);
    }

    public function testEveryVectorRequestGetsTheSameBytesAsThroughFfi(): void
    {
        $wasm = getenv('COMETPROV_WASM') ?: 'build-wasm/cometprov.wasm';
        $wasm = $wasm[0] === '/' ? $wasm : TestSupport::repoRoot() . '/' . $wasm;
        self::assertFileExists($wasm, 'the core module is missing: build it (make wasm) or set COMETPROV_WASM');
        $requests = [];
        foreach ((new VectorsTest())->cases() as [$request, $problem]) {
            if ($problem === null) {
                $requests[] = $request;
            }
        }
        self::assertNotEmpty($requests);
        $cacheDir = TestSupport::tempDir('cache');
        $viaExtension = TestSupport::child(
            ['wasmPath' => $wasm, 'cacheDir' => $cacheDir, 'backend' => 'extension'],
            $requests,
            [],
            ['COMETPROV_TEST_WASMER_SHIM' => '1', 'COMETPROV_WASM_RUNTIME' => TestSupport::runtimeLibrary()]
        );
        self::assertSame('extension', $viaExtension['info']['backend'] ?? null, json_encode($viaExtension));
        $core = Core::fromConfig([
            'wasmPath' => $wasm,
            'runtimeLibrary' => TestSupport::runtimeLibrary(),
            'cacheDir' => $cacheDir,
            'backend' => 'ffi',
        ]);
        self::assertSame(array_map([$core, 'invokeJson'], $requests), $viaExtension['responses']);
    }
}
