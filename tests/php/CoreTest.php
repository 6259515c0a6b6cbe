<?php
// Core facade over the echo fixture (a faithful ABI implementation): round trips, encoding, recovery.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\CoreException;

final class CoreTest extends TestCase
{
    private static function core(): Core
    {
        return Core::fromConfig([
            'wasmPath' => TestSupport::fixture('echo'),
            'runtimeLibrary' => TestSupport::runtimeLibrary(),
            'cacheDir' => TestSupport::tempDir('cache'),
        ]);
    }

    public function testRunsOnTheCrateBuiltRuntimeThroughFfi(): void
    {
        $info = self::core()->info();
        self::assertSame('ffi', $info['backend']);
        self::assertStringContainsString('wasmer-c-api', $info['runtime']);
    }

    public function testInvokeJsonReturnsTheModulesBytesExactly(): void
    {
        self::assertSame('{"ok":true,"value":{"op":"version"}}', self::core()->invokeJson('{"op":"version"}'));
    }

    public function testInvokeEncodesOpAndArgsAndDecodesTheResponse(): void
    {
        $response = self::core()->invoke('username.validate', ['username' => 'älice/1', 'n' => 1.0]);
        self::assertSame(
            ['ok' => true, 'value' => ['op' => 'username.validate', 'args' => ['username' => 'älice/1', 'n' => 1.0]]],
            $response
        );
    }

    public function testInvokeWithoutArgsSendsOnlyTheOp(): void
    {
        self::assertSame(['ok' => true, 'value' => ['op' => 'version']], self::core()->invoke('version'));
    }

    public function testInvokeJsonKeepsAnEmptyObject(): void
    {
        self::assertSame(
            '{"ok":true,"value":{"op":"x","args":{}}}',
            self::core()->invokeJson('{"op":"x","args":{}}')
        );
    }

    public function testRejectionIsAnOrdinaryResponse(): void
    {
        $response = self::core()->invokeJson('not json');
        self::assertSame('fixture.not_json', json_decode($response, true)['error']['code']);
    }

    public function testEmptyRequest(): void
    {
        self::assertFalse(json_decode(self::core()->invokeJson(''), true)['ok']);
    }

    public function testLargeRequestGrowsMemoryAndRoundTrips(): void
    {
        $core = self::core();
        $payload = '{"blob":"' . str_repeat('0123456789abcdef', 40000) . 'xyz"}';
        self::assertSame('{"ok":true,"value":' . $payload . '}', $core->invokeJson($payload));
        // And a small one afterwards still works (output pointer and memory size re-read).
        self::assertSame('{"ok":true,"value":{}}', $core->invokeJson('{}'));
    }

    public function testMultibyteTextAndEveryLengthModulo8SurviveTheCopy(): void
    {
        $core = self::core();
        for ($n = 0; $n < 20; $n++) {
            $request = '{"s":"' . str_repeat("é€😀\\u0000", $n) . substr('abcdefg', 0, $n % 8) . '"}';
            self::assertSame('{"ok":true,"value":' . $request . '}', $core->invokeJson($request));
        }
    }

    public function testInvalidUtf8ArgumentIsABadRequestWithoutTheValue(): void
    {
        try {
            self::core()->invoke('password.validate', ['password' => "s3cret\xff"]);
            self::fail('expected a CoreException');
        } catch (CoreException $e) {
            self::assertSame(CoreException::BAD_REQUEST, $e->reason());
            self::assertStringNotContainsString('s3cret', $e->getMessage());
        }
    }

    public function testAfterATrapTheNextCallGetsAFreshInstance(): void
    {
        $core = self::core();
        try {
            $core->invokeJson('!{"password":"hunter2"}');
            self::fail('expected a trap');
        } catch (CoreException $e) {
            self::assertSame(CoreException::TRAP, $e->reason());
            self::assertStringNotContainsString('hunter2', $e->getMessage());
        }
        self::assertSame('{"ok":true,"value":{"a":1}}', $core->invokeJson('{"a":1}'));
    }

    public function testManyCallsOnOneInstance(): void
    {
        $core = self::core();
        for ($i = 0; $i < 2000; $i++) {
            self::assertSame('{"ok":true,"value":{"i":' . $i . '}}', $core->invokeJson('{"i":' . $i . '}'));
        }
    }
}
