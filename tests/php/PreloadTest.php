<?php
// The optional ffi.preload setting (the module's preload.php), and entry points that never load the core.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\App;
use WHMCS\Module\Server\CometBackup\Wasm\FfiApi;

final class PreloadTest extends TestCase
{
    private const ECHOED = '{"ok":true,"value":{"op":"version"}}';

    private static function preloadScript(): string
    {
        return TestSupport::repoRoot() . '/whmcs-module/modules/servers/cometbackup/preload.php';
    }

    /** @return array{0: int, 1: string, 2: string} */
    private static function writeHeaders(string $library, string $dir): array
    {
        return TestSupport::run([PHP_BINARY, self::preloadScript(), '--library=' . $library, $dir]);
    }

    public function testHeadersWrittenByPreloadPhpArePreloadedAndUsedByTheModule(): void
    {
        $library = TestSupport::runtimeLibrary();
        $dir = TestSupport::tempDir('ffi');
        [$code, $stdout, $stderr] = self::writeHeaders($library, $dir);
        self::assertSame(0, $code, $stdout . $stderr);
        $ini = 'ffi.preload=' . realpath($dir) . '/*.h';
        self::assertStringContainsString($ini, $stdout);
        $files = array_map('basename', glob($dir . '/*.h') ?: []);
        sort($files);
        self::assertSame(['cometprov-libc.h', 'cometprov-wasm.h', 'cometprov-xxh.h'], $files);
        self::assertStringContainsString('#define FFI_SCOPE "' . FfiApi::scopeName($library) . '"', (string) file_get_contents($dir . '/cometprov-wasm.h'));

        // ffi.enable=preload on the CLI (the cron): not restricted; WebSapiTest covers web requests.
        $cacheDir = TestSupport::tempDir('cache');
        $options = ['-d', 'ffi.enable=preload', '-d', $ini];
        $wasm = TestSupport::fixture('echo');
        $first = ModuleCacheTest::readChild($wasm, $cacheDir, [], $options, $library);
        self::assertSame(['preloaded', 'miss', self::ECHOED], [$first['ffi'], $first['cache'], $first['response']], json_encode($first));
        // The mapped read uses the preloaded libc and libxxhash scopes: a wrong declaration there
        // would make the checksum differ and the read fall back to 'copied'.
        $second = ModuleCacheTest::readChild($wasm, $cacheDir, [], $options, $library);
        self::assertSame(['preloaded', 'hit', 'mapped', self::ECHOED], [$second['ffi'], $second['cache'], $second['read'], $second['response']], json_encode($second));

        $without = ModuleCacheTest::readChild($wasm, $cacheDir, [], ['-d', 'ffi.enable=1'], $library);
        self::assertSame(['cdef', 'hit', 'mapped'], [$without['ffi'], $without['cache'], $without['read']], json_encode($without));
    }

    public function testScopeOfALibraryReplacedAfterStartIsNotUsed(): void
    {
        $dir = TestSupport::tempDir('lib');
        $library = $dir . '/libwasmer.so';
        self::assertTrue(copy(TestSupport::runtimeLibrary(), $library));
        $ffi = TestSupport::tempDir('ffi');
        [$code, $stdout, $stderr] = self::writeHeaders($library, $ffi);
        self::assertSame(0, $code, $stdout . $stderr);
        $options = ['-d', 'ffi.enable=1', '-d', 'ffi.preload=' . $ffi . '/*.h'];
        $wasm = TestSupport::fixture('echo');
        $cacheDir = TestSupport::tempDir('cache');
        self::assertSame('preloaded', ModuleCacheTest::readChild($wasm, $cacheDir, [], $options, $library)['ffi']);

        // Same path, another file version (a deploy): the preloaded scope names the old one.
        touch($library, time() - 3600);
        clearstatcache();
        $after = ModuleCacheTest::readChild($wasm, $cacheDir, [], $options, $library);
        self::assertSame(['cdef', self::ECHOED], [$after['ffi'], $after['response']], json_encode($after));
    }

    public function testPreloadPhpRefusesAMissingLibraryAndWritesNothing(): void
    {
        $dir = TestSupport::tempDir('ffi');
        [$code, $stdout, $stderr] = self::writeHeaders($dir . '/nothere.so', $dir);
        self::assertSame(1, $code, $stdout . $stderr);
        self::assertStringContainsString('does not exist', $stderr);
        self::assertSame([], glob($dir . '/*.h') ?: []);
    }

    public function testScopeNameFollowsTheLibraryFileIdentity(): void
    {
        $dir = TestSupport::tempDir('lib');
        $a = $dir . '/a.so';
        file_put_contents($a, 'x');
        touch($a, 1_700_000_000);
        $name = FfiApi::scopeName($a);
        self::assertMatchesRegularExpression('/\Acometprov_wasm_[0-9a-f]{16}\z/', (string) $name);
        self::assertSame($name, FfiApi::scopeName($dir . '/../' . basename($dir) . '/a.so'), 'the real path counts');
        touch($a, 1_700_000_001);
        clearstatcache();
        self::assertNotSame($name, FfiApi::scopeName($a));
        self::assertNull(FfiApi::scopeName($dir . '/missing.so'));
    }

    /**
     * A PHP-FPM worker serves request after request: PHP drops every object at the end of each, and
     * the runtime must free what its FFI pointers point to (engine, compiled module, instance), or the
     * worker grows by megabytes per request.
     */
    public function testAWorkerProcessDoesNotGrowFromRequestToRequest(): void
    {
        $child = <<<'PHP'
            require getenv('COMETPROV_TEST_AUTOLOAD');
            use WHMCS\Module\Server\CometBackup\Core;
            use WHMCS\Module\Server\CometBackup\Wasm\Runtime;
            [, $wasm, $cacheDir, $library] = $argv;
            $registry = new ReflectionProperty(Runtime::class, 'runtimes');
            $status = static function (): array {
                preg_match('/^VmRSS:\s+(\d+) kB/m', (string) file_get_contents('/proc/self/status'), $m);
                return [(int) $m[1], substr_count((string) file_get_contents('/proc/self/maps'), "\n")];
            };
            $samples = [];
            for ($i = 0; $i < 60; $i++) {
                $core = Core::fromConfig(['wasmPath' => $wasm, 'cacheDir' => $cacheDir, 'runtimeLibrary' => $library]);
                $ok = $core->invokeJson('{"op":"version"}');
                // The end of a request: PHP destroys every object, and runs nothing else.
                unset($core);
                $registry->setValue(null, []);
                gc_collect_cycles();
                if ($i === 9 || $i === 59) {
                    $samples[] = $status();
                }
            }
            echo json_encode(['rssKb' => array_column($samples, 0), 'maps' => array_column($samples, 1), 'last' => $ok]);
            PHP;
        $cacheDir = TestSupport::tempDir('cache');
        $argv = [PHP_BINARY, '-d', 'ffi.enable=1', '-r', $child, '--', TestSupport::fixture('echo'), $cacheDir, TestSupport::runtimeLibrary()];
        [$code, $stdout, $stderr] = TestSupport::run($argv, '', ['COMETPROV_TEST_AUTOLOAD' => __DIR__ . '/autoload.php']);
        self::assertSame(0, $code, $stdout . $stderr);
        $report = json_decode($stdout, true);
        self::assertIsArray($report, $stdout . $stderr);
        self::assertSame(self::ECHOED, $report['last']);
        // 50 more requests: without freeing, about 3 mappings and well over 100 KB each.
        self::assertLessThan(20, $report['maps'][1] - $report['maps'][0], json_encode($report));
        self::assertLessThan(4 * 1024, $report['rssKb'][1] - $report['rssKb'][0], json_encode($report));
    }

    /**
     * MetaData, ConfigOptions (its loaders run separately), Renew, AdminCustomButtonArray and
     * ClientAreaAllowedFunctions never load the runtime or the core: a broken core setup cannot
     * affect them, and they cost no instantiation.
     */
    public function testEntryPointsThatDoNotNeedTheCoreNeverCreateIt(): void
    {
        // A core that cannot load: creating it would throw (and be caught), so check the App too.
        $app = new App(['wasmPath' => TestSupport::tempDir('none') . '/missing.wasm']);
        $module = TestSupport::repoRoot() . '/whmcs-module/modules/servers/cometbackup/cometbackup.php';
        if (!defined('WHMCS')) {
            define('WHMCS', true);
        }
        require_once $module;
        $core = new \ReflectionProperty(App::class, 'core');
        self::assertSame('Comet Backup', cometbackup_MetaData()['DisplayName']);
        self::assertSame('Comet Backup', cometbackup_Run('MetaData', [], $app)['DisplayName']);
        self::assertArrayHasKey('Policy Group', cometbackup_Run('ConfigOptions', [], $app));
        self::assertSame('success', cometbackup_Renew([]));
        self::assertCount(3, cometbackup_Run('AdminCustomButtonArray', [], $app));
        self::assertSame(['ClientDownload'], cometbackup_ClientAreaAllowedFunctions([]));
        self::assertNull($core->getValue($app), 'an entry point without a plan created the core');
    }
}
