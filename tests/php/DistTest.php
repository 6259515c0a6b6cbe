<?php
// make dist: builds the release zip with scripts/dist.sh, unpacks it into a fresh folder and runs
// TestConnection, CreateAccount and the client area (the core's ServiceOverview) from THAT copy (a child PHP process that loads the unpacked
// cometbackup.php through the harness, with no repository paths, build caches or COMETPROV_*
// settings in its environment), against the Comet emulator. A file missing from the zip fails here.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\HarnessTestCase;

final class DistTest extends HarnessTestCase
{
    private static ?string $zip = null;

    /** Runs scripts/dist.sh once for this class, into a temp folder (dist/ is left alone). */
    private static function zip(): string
    {
        if (self::$zip === null) {
            $out = TestSupport::tempDir('dist');
            $env = ['COMETPROV_WASM_RUNTIME' => TestSupport::runtimeLibrary()];
            [$code, $stdout, $stderr] = TestSupport::run(['bash', TestSupport::repoRoot() . '/scripts/dist.sh', $out], '', $env);
            self::assertSame(0, $code, "scripts/dist.sh failed: {$stderr}");
            $lines = array_values(array_filter(explode("\n", trim($stdout))));
            $zip = (string) end($lines);
            self::assertMatchesRegularExpression('#/cometbackup-whmcs-\d+\.\d+\.\d+[0-9A-Za-z.+-]*\.zip$#', $zip);
            self::assertFileExists($zip);
            self::$zip = $zip;
        }
        return self::$zip;
    }

    /** Unpacks the zip into a fresh folder; returns the module folder inside it. */
    private static function unpack(): string
    {
        $dir = TestSupport::tempDir('unpacked');
        [$code, , $stderr] = TestSupport::run(['unzip', '-q', self::zip(), '-d', $dir]);
        self::assertSame(0, $code, "unzip failed: {$stderr}");
        return $dir . '/modules/servers/cometbackup';
    }

    public function testTheZipHoldsTheModuleTheCoreTheRuntimeAndNoDevelopmentFiles(): void
    {
        $zip = self::zip();
        $version = json_decode((string) TestSupport::run(['node', TestSupport::repoRoot() . '/node-harness/bin/cometprov', 'invoke'],
            '{"op":"version"}')[1], true)['value']['version'];
        self::assertSame("cometbackup-whmcs-{$version}.zip", basename($zip), 'named after the core\'s version');

        [$code, $listing] = TestSupport::run(['unzip', '-Z1', $zip]);
        self::assertSame(0, $code);
        $files = array_values(array_filter(explode("\n", $listing)));
        foreach ([
            'cometbackup.php', 'whmcs.json', 'cometprov.wasm', 'runtime/libwasmer.so', 'README.md',
            'lang/english.php', 'templates/clientarea.tpl', 'lib/App.php', 'lib/Wasm/wasm-decl.h',
            'preview/index.html', 'preview/preview.js', 'preview/cometprov_embind.js', 'preview/cometprov_embind.wasm',
        ] as $required) {
            self::assertContains('modules/servers/cometbackup/' . $required, $files, "{$required} is in the zip");
        }
        foreach ($files as $file) {
            self::assertStringStartsWith('modules/', $file, 'everything unpacks under modules/');
            // The only dot files are the deny rules of the folders a browser must not reach.
            $check = preg_replace('#^modules/servers/cometbackup/(lib|runtime|templates)/\.htaccess$#', 'deny-rules', $file);
            self::assertDoesNotMatchRegularExpression('#/(tests?|node_modules)/|Test\.php$|/\.#', $check);
        }
        self::assertSame(
            hash_file('sha256', getenv('COMETPROV_WASM') ?: TestSupport::repoRoot() . '/build-wasm/cometprov.wasm'),
            hash('sha256', (string) TestSupport::run(['unzip', '-p', $zip, 'modules/servers/cometbackup/cometprov.wasm'])[1]),
            'the zip carries the built core'
        );
    }

    public function testTheZipDeniesHttpAccessToLibRuntimeAndTemplates(): void
    {
        $module = self::unpack();
        foreach (['lib', 'runtime', 'templates'] as $folder) {
            $file = "{$module}/{$folder}/.htaccess";
            self::assertFileExists($file, "{$folder}/ has its deny rules");
            $rules = (string) file_get_contents($file);
            // Apache 2.4 (mod_authz_core) and 2.2 (Order/Deny), each only where its module is.
            self::assertMatchesRegularExpression('#<IfModule mod_authz_core\.c>\s*Require all denied\s*</IfModule>#', $rules, $folder);
            self::assertMatchesRegularExpression('#<IfModule !mod_authz_core\.c>\s*Order allow,deny\s*Deny from all\s*</IfModule>#', $rules, $folder);
        }
        // Only those: the entry points stay reachable.
        self::assertFileDoesNotExist($module . '/.htaccess');
        // nginx reads no .htaccess: the admin guide in the zip gives the location rule.
        $readme = (string) file_get_contents($module . '/README.md');
        self::assertStringContainsString('location ~ ^/(.*/)?modules/servers/cometbackup/(lib|runtime|templates)/ {', $readme);
        self::assertMatchesRegularExpression('#\(lib\|runtime\|templates\)/ \{\s*deny all;\s*\}#', $readme);
    }

    public function testTestConnectionCreateAccountAndTheClientAreaRunFromTheUnpackedCopy(): void
    {
        $module = self::unpack();
        $emu = Emulator::start();
        try {
            $ids = $this->fixtures($emu);
            $report = self::callFromCopy($module, [
                ['function' => 'TestConnection', 'server' => $ids['server']],
                ['function' => 'CreateAccount', 'service' => $ids['service']],
                ['function' => 'ClientArea', 'service' => $ids['service']],
            ]);
            self::assertSame(realpath($module), $report['moduleDir']);
            self::assertSame([realpath($module) . '/cometbackup.php'], $report['includedFrom'], 'only the unpacked copy was loaded');

            [$test, $create, $page] = $report['results'];
            self::assertSame([], $test['violations']);
            self::assertTrue($test['result']['success'], 'TestConnection from the zip: ' . ($test['result']['error'] ?? ''));
            self::assertSame([], $create['violations']);
            self::assertSame('success', $create['result']);
            // The client area reads the account through the shipped core's ServiceOverview plan.
            self::assertSame([], $page['violations']);
            self::assertSame('templates/clientarea', $page['result']['templatefile'] ?? null, 'ClientArea from the zip: ' . json_encode($page['result']));

            $row = Capsule::table('tblhosting')->where('id', $ids['service'])->first();
            self::assertSame('Active', $row->domainstatus);
            self::assertNotSame('', $row->username);
            self::assertContains('add-user', $emu->endpoints());
            self::assertContains($row->username, $emu->api('list-users'), 'the account exists on the Comet Server');
        } finally {
            $emu->stop();
        }
    }

    /** @return array<string, array{0: string}> */
    public function essentialFiles(): array
    {
        return ['the runtime library' => ['runtime/libwasmer.so'], 'the core' => ['cometprov.wasm']];
    }

    /** @dataProvider essentialFiles */
    public function testACopyMissingAnEssentialFileIsReportedNotPatchedFromElsewhere(string $file): void
    {
        $module = self::unpack();
        self::assertFileExists($module . '/' . $file);
        unlink($module . '/' . $file);
        $emu = Emulator::start();
        try {
            $ids = $this->fixtures($emu);
            $report = self::callFromCopy($module, [['function' => 'TestConnection', 'server' => $ids['server']]]);
            $test = $report['results'][0];
            self::assertSame([], $test['violations']);
            self::assertFalse($test['result']['success'], "the copy found {$file} outside its own folder");
            self::assertNotSame('', $test['result']['error']);
            self::assertNotContains('add-user', $emu->endpoints());
        } finally {
            $emu->stop();
        }
    }

    /** @return array{server: int, service: int} */
    private function fixtures(Emulator $emu): array
    {
        $server = Fixtures::serverFor($emu);
        $product = Fixtures::product(['name' => 'Backup from the zip']);
        Fixtures::customField($product, 'Username');
        Fixtures::customField($product, 'Password');
        $client = Fixtures::client(['email' => 'zip.user@example.test', 'firstname' => 'Zip']);
        $service = Fixtures::service($client, $product, $server, ['password' => 'Zip-pass-' . bin2hex(random_bytes(4))]);
        return ['server' => $server, 'service' => $service];
    }

    /**
     * Runs tests/php/Whmcs/child.php with the copy as modules/servers/cometbackup and an environment
     * scrubbed of everything that could point the module back at the repository or the build cache.
     *
     * @param list<array<string, mixed>> $calls
     * @return array<string, mixed>
     */
    private static function callFromCopy(string $module, array $calls): array
    {
        $home = TestSupport::tempDir('home');
        $env = [];
        foreach (getenv() as $name => $value) {
            if (!str_starts_with($name, 'COMETPROV_') && !in_array($name, ['HOME', 'XDG_CACHE_HOME'], true)) {
                $env[$name] = $value;
            }
        }
        $env = array_merge($env, Database::childEnv(), [
            'COMETPROV_HARNESS_MODULE_DIR' => $module,
            'HOME' => $home,
            'XDG_CACHE_HOME' => $home . '/.cache',
        ]);
        $tmp = TestSupport::tempDir('child-tmp');
        $process = proc_open(
            [PHP_BINARY, '-d', 'ffi.enable=1', '-d', 'sys_temp_dir=' . $tmp, TestSupport::repoRoot() . '/tests/php/Whmcs/child.php'],
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
            $pipes,
            $tmp,
            $env
        );
        self::assertIsResource($process);
        fwrite($pipes[0], (string) json_encode(['calls' => $calls]));
        fclose($pipes[0]);
        $stdout = (string) stream_get_contents($pipes[1]);
        $stderr = (string) stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $code = proc_close($process);
        self::assertSame(0, $code, "the child PHP process failed (exit {$code}): {$stderr}");
        $report = json_decode($stdout, true);
        self::assertIsArray($report, "the child printed no report: {$stdout}\n{$stderr}");
        return $report;
    }
}
