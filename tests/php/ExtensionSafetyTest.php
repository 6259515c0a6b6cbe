<?php
// The wasmer-php extension is used only on a safe wasmer library: the pretend extension
// (fixtures/wasmer-php-shim.php) reports a wasmer version of our choosing and, like the real one on
// wasmer 2+, aborts the process at exit once used. Each case runs in a child PHP process whose exit
// code and signal are checked (TestSupport::run).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;

final class ExtensionSafetyTest extends TestCase
{
    /** @return array<string, mixed> the child's report */
    private static function core(string $wasmerVersion, array $config, array $requests = [], bool $ffiLibrary = true): array
    {
        $config += ['wasmPath' => TestSupport::fixture('echo'), 'cacheDir' => TestSupport::tempDir('cache')];
        if (!$ffiLibrary) {
            $config['runtimeLibrary'] = TestSupport::tempDir('no-runtime') . '/libwasmer.so';
        }
        return TestSupport::child($config, $requests, [], [
            'COMETPROV_TEST_WASMER_SHIM' => '1',
            'COMETPROV_TEST_WASMER_VERSION' => $wasmerVersion,
            'COMETPROV_WASM_RUNTIME' => TestSupport::runtimeLibrary(),
            'COMETPROV_CHILD_CONTINUE' => '1',
        ]);
    }

    public function testTheShimReallyCrashesLikeTheExtensionOnWasmer2(): void
    {
        // Guards the guard: a host that used the unsafe pair would die by SIGABRT at exit.
        $script = TestSupport::tempDir('unsafe') . '/use-extension.php';
        file_put_contents($script, '<?php
            require ' . var_export(TestSupport::repoRoot() . '/tests/php/autoload.php', true) . ';
            require ' . var_export(TestSupport::repoRoot() . '/tests/php/fixtures/wasmer-php-shim.php', true) . ';
            $api = new WHMCS\Module\Server\CometBackup\Wasm\ExtensionApi();
            $engine = $api->engineNew();
            $store = $api->storeNew($engine);
            $module = $api->moduleNew($store, file_get_contents($argv[1]));
            $instance = $api->instanceNew($store, $module);
            foreach ($api->instanceExports($instance) as $extern) {
                if ($api->externKind($extern) === 0) { $api->externAsFunc($extern); }
            }
            echo "used\n";');
        $env = ['COMETPROV_WASM_RUNTIME' => TestSupport::runtimeLibrary()];
        [$code, $out] = TestSupport::run([PHP_BINARY, $script, TestSupport::fixture('echo')], '',
            $env + ['COMETPROV_TEST_WASMER_VERSION' => '6.1.0'], true);
        $signal = TestSupport::lastSignal();
        self::assertSame("used\n", $out);
        self::assertSame(SIGABRT, $signal, "exit code {$code}");
        [$code, $out] = TestSupport::run([PHP_BINARY, $script, TestSupport::fixture('echo')], '',
            $env + ['COMETPROV_TEST_WASMER_VERSION' => '1.0.2'], true);
        $signal = TestSupport::lastSignal();
        self::assertSame([0, 0, "used\n"], [$code, $signal, $out]);
    }

    /** @return array<string, array{0: string}> */
    public static function unsafeVersions(): array
    {
        return ['wasmer 2.3.0' => ['2.3.0'], 'wasmer 6.1.0' => ['6.1.0'], 'no version reported' => ['none']];
    }

    /** @dataProvider unsafeVersions */
    public function testAnUnsafePairIsNeverTouchedAndFfiRunsInstead(string $version): void
    {
        $report = self::core($version, [], ['{"a":1}', '!trap', '{"b":2}']);
        self::assertSame('ffi', $report['info']['backend'] ?? null, json_encode($report));
        self::assertSame(0, $report['extensionCalls'], 'no function of the unsafe extension may be called');
        self::assertSame('{"ok":true,"value":{"a":1}}', $report['responses'][0]);
        self::assertSame('trap', $report['responses'][1]['reason']);
        self::assertSame('{"ok":true,"value":{"b":2}}', $report['responses'][2]);
    }

    /** @dataProvider unsafeVersions */
    public function testUnsafePairWithoutFfiIsAClearRefusal(string $version): void
    {
        $report = self::core($version, [], ['{"a":1}'], false);
        self::assertSame(0, $report['extensionCalls']);
        self::assertSame('runtime_missing', $report['error']['reason'] ?? null, json_encode($report));
        $message = $report['error']['message'];
        self::assertStringContainsString('no usable WebAssembly backend', $message);
        self::assertStringContainsString($version === 'none' ? 'does not report which wasmer library' : "runs on wasmer {$version}", $message);
        self::assertStringContainsString('libwasmer.so', $message, 'the FFI problem is named too');
    }

    public function testForcingTheExtensionOnAnUnsafePairIsRefused(): void
    {
        $report = self::core('6.1.0', ['backend' => 'extension']);
        self::assertSame(0, $report['extensionCalls']);
        self::assertSame('runtime_missing', $report['error']['reason'] ?? null, json_encode($report));
        self::assertStringContainsString('will not use the wasmer-php extension', $report['error']['message']);
        self::assertStringContainsString('wasmer 1.0.2', $report['error']['message']);
    }

    public function testSafePairPrefersFfiWhenItIsThere(): void
    {
        $report = self::core('1.0.2', [], ['{"a":1}']);
        self::assertSame('ffi', $report['info']['backend'] ?? null, json_encode($report));
        self::assertSame(0, $report['extensionCalls']);
    }

    public function testSafePairRunsWhenFfiHasNoLibraryAndSurvivesATrap(): void
    {
        $report = self::core('1.0.2', [], ['{"a":1}', '!trap', '{"b":2}'], false);
        self::assertSame('extension', $report['info']['backend'] ?? null, json_encode($report));
        self::assertSame('wasmer-php unknown wasmer 1.0.2', $report['info']['runtime']);
        self::assertGreaterThan(0, $report['extensionCalls']);
        self::assertSame('{"ok":true,"value":{"a":1}}', $report['responses'][0]);
        self::assertSame('trap', $report['responses'][1]['reason']);
        self::assertStringContainsString('next call starts a fresh one', $report['responses'][1]['message']);
        self::assertSame('{"ok":true,"value":{"b":2}}', $report['responses'][2]);
    }

    public function testTestConnectionRefusesClearlyWithAnUnsafePairAndNoFfi(): void
    {
        $dir = TestSupport::tempDir('safety-child');
        file_put_contents($dir . '/child.php', '<?php
            declare(strict_types=1);
            $repo = $argv[1];
            require $repo . "/tests/php/autoload.php";
            require $repo . "/tests/php/Whmcs/harness.php";
            require $repo . "/tests/php/fixtures/wasmer-php-shim.php";
            $app = new WHMCS\Module\Server\CometBackup\App(["wasmPath" => $argv[2], "runtimeLibrary" => $argv[3]]);
            $r = WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs::call("TestConnection", [
                "serverhostname" => "127.0.0.1:9", "serversecure" => false, "serverusername" => "admin",
                "serverpassword" => "Adm1n-safety-test", "serveraccesshash" => ""], "admin", "cometbackup", $app);
            echo json_encode(["result" => $r, "calls" => WasmerPhpShim::$calls]), "\n";');
        [$code, $out, $err] = TestSupport::run(
            [PHP_BINARY, $dir . '/child.php', TestSupport::repoRoot(), ModuleTestCase::coreConfig()['wasmPath'], $dir . '/missing/libwasmer.so'],
            '',
            ['COMETPROV_TEST_WASMER_VERSION' => '6.1.0', 'COMETPROV_WASM_RUNTIME' => TestSupport::runtimeLibrary()]
        );
        self::assertSame(0, $code, $out . $err);
        $report = json_decode($out, true);
        self::assertIsArray($report, $out . $err);
        self::assertSame(0, $report['calls']);
        self::assertFalse($report['result']['success']);
        self::assertStringContainsString('Comet Backup Test Connection failed', $report['result']['error']);
        self::assertStringContainsString('runs on wasmer 6.1.0', $report['result']['error']);
        self::assertStringNotContainsString('Adm1n-safety-test', $out . $err);
    }

    public function testRequirementsNameTheUnsafeExtensionWhenFfiIsOff(): void
    {
        $dir = TestSupport::tempDir('requirements');
        // Only what the requirement check looks at: an extension function and wasmer_version().
        file_put_contents($dir . '/child.php', '<?php
            function wasm_engine_new() { throw new LogicException("must not be called"); }
            function wasmer_version(): string { return $GLOBALS["argv"][2]; }
            define("WHMCS", true);
            require $argv[1];
            echo json_encode([cometbackup_TestConnection(["serverhostname" => "127.0.0.1"]), cometbackup_CreateAccount([])]), "\n";');
        $module = TestSupport::repoRoot() . '/whmcs-module/modules/servers/cometbackup/cometbackup.php';
        foreach (['6.1.0' => 'runs on wasmer 6.1.0', 'garbage<b>' => 'a wasmer library of unknown version'] as $version => $words) {
            [$code, $out, $err] = TestSupport::run([PHP_BINARY, '-d', 'ffi.enable=0', $dir . '/child.php', $module, (string) $version]);
            self::assertSame(0, $code, $out . $err);
            [$test, $create] = json_decode($out, true);
            self::assertFalse($test['success']);
            self::assertStringContainsString($words, $test['error']);
            self::assertStringContainsString('ffi.enable=1', $test['error']);
            self::assertSame($test['error'], $create);
        }
        [$code, $out] = TestSupport::run([PHP_BINARY, '-d', 'ffi.enable=0', $dir . '/child.php', $module, '1.0.2']);
        self::assertSame(0, $code);
        // A 1.x library passes the requirement check (what fails later is this stub's missing classes).
        self::assertStringNotContainsString('only wasmer 1.x is safe', json_decode($out, true)[0]['error'] ?? '');
    }
}
