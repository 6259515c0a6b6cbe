<?php
// scripts/invoke-php: one request on stdin, the module's bytes on stdout, exit 0/1/2.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;

final class InvokeScriptTest extends TestCase
{
    /** @return array{0: int, 1: string, 2: string} */
    private static function invoke(string $fixture, string $request): array
    {
        return TestSupport::run(
            [PHP_BINARY, TestSupport::repoRoot() . '/scripts/invoke-php'],
            $request,
            [
                'COMETPROV_WASM' => TestSupport::fixture($fixture),
                'COMETPROV_WASM_RUNTIME' => TestSupport::runtimeLibrary(),
                'COMETPROV_MODULE_CACHE_DIR' => TestSupport::tempDir('cache'),
            ]
        );
    }

    public function testOkResponseExitsZeroWithTheExactBytes(): void
    {
        self::assertSame([0, '{"ok":true,"value":{"op":"version"}}', ''], self::invoke('echo', '{"op":"version"}'));
    }

    public function testRejectionExitsOne(): void
    {
        [$code, $stdout] = self::invoke('echo', 'not json');
        self::assertSame(1, $code);
        self::assertStringStartsWith('{"ok":false', $stdout);
    }

    public function testHostFailureExitsTwoWithTheMessageOnStderr(): void
    {
        [$code, $stdout, $stderr] = self::invoke('trap', '{"op":"version"}');
        self::assertSame(2, $code);
        self::assertSame('', $stdout);
        self::assertStringContainsString('trap', $stderr);
    }
}
