<?php
// PHP's default ffi.enable=preload in a web SAPI. The CLI skips the restriction, so this runs the
// module under Debian's php-cgi with OPcache on, as a web server runs it: a copy of the module whose
// preload.php printed the php.ini lines, TestConnection, CreateAccount and the client area against
// the Comet emulator, with the harness's MariaDB. ffi.enable=1 must keep working, and a php.ini
// missing one of the printed lines must fail with the requirements message that names it.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\HarnessTestCase;
use WHMCS\Module\Server\CometBackup\Wasm\FfiApi;
use WHMCS\Module\Server\CometBackup\Wasm\WasmError;

final class WebSapiTest extends HarnessTestCase
{
    private static ?string $module = null;
    /** @var array{ffi: string, opcache: string}|null the lines preload.php printed */
    private static ?array $lines = null;

    public static function phpCgi(): string
    {
        foreach ([PHP_BINDIR . '/php-cgi' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION, PHP_BINDIR . '/php-cgi'] as $candidate) {
            if (is_executable($candidate)) {
                return $candidate;
            }
        }
        self::fail('php-cgi is missing: install Debian\'s php' . PHP_MAJOR_VERSION . '.' . PHP_MINOR_VERSION
            . '-cgi (scripts/install-deps.sh)');
    }

    /**
     * A copy of the module as an admin installs it (the runtime in runtime/, the core next to
     * cometbackup.php), and the lines its preload.php printed, run as the admin would run it.
     */
    private static function module(): string
    {
        if (self::$module !== null) {
            return self::$module;
        }
        $source = TestSupport::repoRoot() . '/whmcs-module/modules/servers/cometbackup';
        $module = TestSupport::tempDir('webroot') . '/modules/servers/cometbackup';
        mkdir($module, 0700, true);
        foreach (['cometbackup.php', 'preload.php', 'whmcs.json', 'lib', 'lang', 'templates'] as $item) {
            self::copyTree($source . '/' . $item, $module . '/' . $item);
        }
        mkdir($module . '/runtime');
        self::assertTrue(copy(TestSupport::runtimeLibrary(), $module . '/runtime/libwasmer.so'));
        $wasm = getenv('COMETPROV_WASM') ?: TestSupport::repoRoot() . '/build-wasm/cometprov.wasm';
        self::assertFileExists($wasm, 'build the core first (make wasm)');
        self::assertTrue(copy($wasm, $module . '/cometprov.wasm'));

        [$code, $stdout, $stderr] = TestSupport::run([PHP_BINARY, $module . '/preload.php'], '', self::environment($module));
        self::assertSame(0, $code, "preload.php failed: {$stdout}\n{$stderr}");
        preg_match_all('/^  ((?:ffi|opcache)\.preload=\S+)$/m', $stdout, $m);
        self::assertCount(2, $m[1], "preload.php printed no ffi.preload and opcache.preload lines:\n{$stdout}");
        [$ffi, $opcache] = $m[1];
        self::assertSame('ffi.preload=' . realpath($module) . '/runtime/ffi/*.h', $ffi);
        self::assertSame('opcache.preload=' . realpath($module) . '/lib/Wasm/opcache-preload.php', $opcache);
        self::$lines = ['ffi' => $ffi, 'opcache' => $opcache];
        return self::$module = $module;
    }

    private static function copyTree(string $from, string $to): void
    {
        if (is_file($from)) {
            self::assertTrue(copy($from, $to), "copy {$from}");
            return;
        }
        mkdir($to, 0700);
        foreach (scandir($from) ?: [] as $entry) {
            if ($entry !== '.' && $entry !== '..') {
                self::copyTree("{$from}/{$entry}", "{$to}/{$entry}");
            }
        }
    }

    /**
     * Nothing that could point the module back at the repository or the build cache: it must find
     * its runtime and core in its own folder, as on a WHMCS server.
     *
     * @return array<string, string>
     */
    private static function environment(string $module): array
    {
        $env = [];
        foreach (getenv() as $name => $value) {
            if (!str_starts_with($name, 'COMETPROV_') && !in_array($name, ['HOME', 'XDG_CACHE_HOME'], true)) {
                $env[$name] = $value;
            }
        }
        $home = TestSupport::tempDir('home');
        return array_merge($env, ['COMETPROV_HARNESS_MODULE_DIR' => $module, 'HOME' => $home, 'XDG_CACHE_HOME' => $home . '/.cache']);
    }

    /** @return array{server: int, service: int, client: int} */
    private static function fixtures(Emulator $emu): array
    {
        $server = Fixtures::serverFor($emu);
        $product = Fixtures::product(['name' => 'Backup over php-cgi']);
        Fixtures::customField($product, 'Username');
        Fixtures::customField($product, 'Password');
        $client = Fixtures::client(['email' => 'cgi.user@example.test', 'firstname' => 'Cgi']);
        $service = Fixtures::service($client, $product, $server, ['password' => 'Cgi-pass-' . bin2hex(random_bytes(4))]);
        return ['server' => $server, 'service' => $service, 'client' => $client];
    }

    /**
     * One web request: php-cgi with the environment a web server gives it, OPcache on as in
     * Debian's php-cgi, and the given php.ini settings. It must exit with status 0 and no signal.
     *
     * @param list<string> $ini settings such as 'ffi.enable=preload'
     * @param list<array<string, mixed>> $calls
     * @return array<string, mixed> the front script's report
     */
    private static function request(array $ini, array $calls): array
    {
        $module = self::module();
        $argv = [self::phpCgi(), '-d', 'opcache.enable=1'];
        if (function_exists('posix_geteuid') && posix_geteuid() === 0) {
            // PHP refuses to preload as root without it; PHP-FPM's master needs it as well.
            array_push($argv, '-d', 'opcache.preload_user=root');
        }
        $log = TestSupport::errorLog();
        if ($log !== null) {
            // Read by the secret scan, like every child's error log.
            array_push($argv, '-d', 'log_errors=1', '-d', 'error_log=' . $log);
        }
        foreach ($ini as $setting) {
            array_push($argv, '-d', $setting);
        }
        $front = TestSupport::repoRoot() . '/tests/php/Whmcs/cgi-front.php';
        $env = array_merge(self::environment($module), Database::childEnv(), [
            'GATEWAY_INTERFACE' => 'CGI/1.1',
            'REDIRECT_STATUS' => '200',
            'REQUEST_METHOD' => 'GET',
            'SCRIPT_FILENAME' => $front,
            'SCRIPT_NAME' => '/cgi-front.php',
            'REQUEST_URI' => '/cgi-front.php',
            'QUERY_STRING' => '',
            'SERVER_PROTOCOL' => 'HTTP/1.1',
            'SERVER_NAME' => 'localhost',
            'COMETPROV_CGI_CALLS' => (string) json_encode($calls),
        ]);
        [$code, $stdout, $stderr] = TestSupport::run($argv, '', $env);
        self::assertSame(0, TestSupport::lastSignal(), 'php-cgi was killed by a signal');
        self::assertSame(0, $code, "php-cgi exited with status {$code} (" . implode(' ', $ini) . "):\n{$stdout}\n{$stderr}");
        [$head, $body] = array_pad(preg_split("/\r?\n\r?\n/", $stdout, 2) ?: [], 2, '');
        self::assertStringNotContainsString('Status:', $head, "the request failed:\n{$stdout}\n{$stderr}");
        $report = json_decode($body, true);
        self::assertIsArray($report, "php-cgi printed no report:\n{$stdout}\n{$stderr}");
        self::assertSame('cgi-fcgi', $report['sapi']);
        self::assertTrue($report['opcache'], 'OPcache is on in the web SAPI');
        return $report;
    }

    /** @return list<array<string, mixed>> */
    private static function calls(array $ids): array
    {
        return [
            ['function' => 'TestConnection', 'server' => $ids['server']],
            ['function' => 'CreateAccount', 'service' => $ids['service']],
            ['function' => 'ClientArea', 'service' => $ids['service'], 'context' => 'client'],
        ];
    }

    /** @param array<string, mixed> $report */
    private function assertProvisioned(array $report, array $ids, Emulator $emu): void
    {
        [$test, $create, $area] = $report['results'];
        self::assertSame([], $test['violations']);
        self::assertTrue($test['result']['success'] ?? false, 'TestConnection: ' . json_encode($test['result']));
        self::assertSame([], $create['violations']);
        self::assertSame('success', $create['result']);
        $row = Capsule::table('tblhosting')->where('id', $ids['service'])->first();
        self::assertSame('Active', $row->domainstatus);
        self::assertNotSame('', (string) $row->username);
        self::assertContains($row->username, $emu->api('list-users'), 'the account exists on the Comet Server');
        self::assertSame([], $area['violations']);
        self::assertSame('templates/clientarea', $area['result']['templatefile'] ?? null, json_encode($area));
        self::assertStringContainsString((string) $row->username, (string) ($area['page'] ?? ''), 'the client area shows the account');
    }

    public function testFfiEnablePreloadWithThePrintedLinesServesTestConnectionCreateAccountAndTheClientArea(): void
    {
        self::module();
        $emu = Emulator::start();
        try {
            $ids = self::fixtures($emu);
            $report = self::request(['ffi.enable=preload', self::$lines['ffi'], self::$lines['opcache']], self::calls($ids));
            self::assertSame('preload', $report['ffiEnable']);
            self::assertTrue($report['restricted'], 'php-cgi refuses FFI to code that was not preloaded');
            self::assertTrue($report['scopeRefused'], 'FFI::scope() too: hence the opcache.preload line');
            self::assertContains('WHMCS\\Module\\Server\\CometBackup\\Wasm\\FfiApi', $report['preloadedClasses']);
            $this->assertProvisioned($report, $ids, $emu);
            self::assertSame(['preloaded'], $report['loadedBy'], 'the declarations came from the ffi.preload scope');
        } finally {
            $emu->stop();
        }
    }

    /**
     * Under ffi.enable=preload only code compiled by opcache.preload may call the FFI API, and
     * opcache-preload.php compiles FfiApi alone: an FFI:: call anywhere else on the request path
     * would fail in production while every CLI test passed. (preload.php is a command-line tool.)
     */
    public function testNoFfiApiCallOutsideThePreloadedClass(): void
    {
        $module = TestSupport::repoRoot() . '/whmcs-module/modules/servers/cometbackup';
        $files = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($module . '/lib', \FilesystemIterator::SKIP_DOTS));
        $found = [];
        $checked = 0;
        foreach ([...iterator_to_array($files, false), new \SplFileInfo($module . '/cometbackup.php'), new \SplFileInfo($module . '/sso.php')] as $file) {
            if ($file->getExtension() !== 'php' || $file->getRealPath() === realpath($module . '/lib/Wasm/FfiApi.php')) {
                continue;
            }
            $checked++;
            $tokens = token_get_all((string) file_get_contents($file->getPathname()));
            foreach ($tokens as $i => $token) {
                // FFI::name( or \FFI::name( ; FFI::class and FFI\Exception are no calls.
                if (is_array($token) && in_array($token[1], ['FFI', '\\FFI'], true)) {
                    $text = '';
                    foreach (array_slice($tokens, $i, 4) as $t) {
                        $text .= is_array($t) ? $t[1] : $t;
                    }
                    if (preg_match('/^\\\\?FFI::(?!class\b)\w+\s*\(/', $text) === 1) {
                        $found[] = substr($file->getPathname(), strlen($module) + 1) . ':' . $token[2] . ' ' . $text;
                    }
                }
            }
        }
        self::assertGreaterThan(20, $checked);
        self::assertSame([], $found);
    }

    /**
     * Preloaded, FfiApi is FFI-capable code that any script on the server can call, so it checks
     * memory bounds itself instead of trusting its caller (AbiInstance) to.
     */
    public function testThePreloadedClassRefusesMemoryAccessOutsideTheInstance(): void
    {
        $api = FfiApi::load(TestSupport::runtimeLibrary());
        $engine = $api->engineNew();
        $store = $api->storeNew($engine);
        $module = $api->moduleNew($store, (string) file_get_contents(TestSupport::fixture('echo')));
        $instance = $api->instanceNew($store, $module);
        try {
            $memory = null;
            foreach ($api->instanceExports($instance) as $extern) {
                if ($api->externKind($extern) === 3) { // WASM_EXTERN_MEMORY
                    $memory = $api->externAsMemory($extern);
                }
            }
            self::assertNotNull($memory, 'the echo fixture exports its memory');
            $size = $api->memoryDataSize($memory);
            $api->memoryWrite($memory, $size - 2, 'ok');
            self::assertSame('ok', $api->memoryRead($memory, $size - 2, 2));
            $refused = [];
            foreach ([[$size - 1, 2], [-1, 1], [$size, 1], [PHP_INT_MAX, 1], [0, -1]] as [$offset, $length]) {
                foreach (['read', 'write'] as $op) {
                    try {
                        $op === 'read'
                            ? $api->memoryRead($memory, $offset, $length)
                            : $api->memoryWrite($memory, $offset, str_repeat('x', max($length, 1)));
                    } catch (WasmError $e) {
                        $refused[] = "{$op} {$offset}+{$length}";
                    }
                }
            }
            // A negative length only exists for reads (a write's length is its string's).
            self::assertCount(9, $refused, implode(', ', $refused));
        } finally {
            $api->instanceDelete($instance);
            $api->moduleDelete($module);
            $api->storeDelete($store);
            $api->engineDelete($engine);
        }
    }

    /** @return array<string, array{0: list<string>}> */
    public function ffiEnabled(): array
    {
        return [
            'ffi.enable=1 alone' => [['ffi.enable=1']],
            'ffi.enable=1 with the printed lines' => [['ffi.enable=1', '@ffi', '@opcache']],
        ];
    }

    /**
     * @dataProvider ffiEnabled
     * @param list<string> $ini
     */
    public function testFfiEnable1StillWorks(array $ini): void
    {
        self::module();
        $ini = array_map(static fn (string $s): string => $s[0] === '@' ? self::$lines[substr($s, 1)] : $s, $ini);
        $emu = Emulator::start();
        try {
            $ids = self::fixtures($emu);
            $report = self::request($ini, self::calls($ids));
            self::assertFalse($report['restricted']);
            self::assertFalse($report['scopeRefused']);
            $this->assertProvisioned($report, $ids, $emu);
            self::assertSame([count($ini) > 1 ? 'preloaded' : 'cdef'], $report['loadedBy']);
        } finally {
            $emu->stop();
        }
    }

    /** @return array<string, array{0: list<string>, 1: string, 2: bool}> */
    public function missingLines(): array
    {
        return [
            'without the ffi.preload line' => [['opcache'], 'ffi', false],
            'without the opcache.preload line' => [['ffi'], 'opcache', false],
            // A deploy that replaced the library without running preload.php again: the scope names
            // the old file, and no FFI::cdef stands in for it under ffi.enable=preload.
            'both lines, library replaced after preload.php' => [['ffi', 'opcache'], 'ffi', true],
        ];
    }

    /**
     * ffi.enable=preload with a printed line missing (or out of date): the module refuses with the
     * requirements message naming that php.ini line exactly, before it sends anything to Comet.
     *
     * @dataProvider missingLines
     * @param list<string> $given
     */
    public function testFfiEnablePreloadMissingALineNamesItAndTouchesNothing(array $given, string $missing, bool $replaceLibrary): void
    {
        $library = self::module() . '/runtime/libwasmer.so';
        $mtime = (int) filemtime($library);
        if ($replaceLibrary) {
            touch($library, $mtime - 3600);
        }
        $emu = Emulator::start();
        try {
            $ids = self::fixtures($emu);
            $ini = array_merge(['ffi.enable=preload'], array_map(static fn (string $key): string => self::$lines[$key], $given));
            $report = self::request($ini, self::calls($ids));
            self::assertTrue($report['restricted']);
            [$test, $create, $area] = $report['results'];
            self::assertSame([], $test['violations']);
            self::assertFalse($test['result']['success']);
            $error = (string) $test['result']['error'];
            self::assertStringContainsString('ffi.enable=preload', $error);
            self::assertStringContainsString('not in effect here: ' . self::$lines[$missing] . ';', $error);
            self::assertStringContainsString(self::$lines['ffi'], $error);
            self::assertStringContainsString(self::$lines['opcache'], $error);
            self::assertStringContainsString(realpath(self::module()) . '/preload.php', $error);
            self::assertSame([], $create['violations']);
            self::assertSame($error, $create['result'], 'CreateAccount fails with the same message');
            self::assertSame([], $area['violations']);
            self::assertSame('', $area['result'], 'the client area shows nothing');
            self::assertSame([], $report['loadedBy'], 'no runtime was loaded');
            self::assertSame('Pending', Capsule::table('tblhosting')->where('id', $ids['service'])->value('domainstatus'));
            self::assertSame([], $emu->endpoints(), 'nothing reached the Comet Server');
        } finally {
            $emu->stop();
            touch($library, $mtime);
            clearstatcache();
        }
    }
}
