<?php
// The lifecycle through the wasmer-php extension backend: a child PHP process loads the extension
// stand-in (fixtures/wasmer-php-shim.php), attaches to this run's database and drives the real
// module through the harness, so both WebAssembly backends run every account action.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;

final class LifecycleExtensionTest extends ModuleTestCase
{
    private const CHILD = <<<'PHP'
<?php
declare(strict_types=1);
[, $repo, $serviceId, $serverId, $wasm, $cacheDir, $newPassword] = $argv;
require $repo . '/tests/php/autoload.php';
require $repo . '/tests/php/Whmcs/harness.php';
require $repo . '/tests/php/fixtures/wasmer-php-shim.php';
use WHMCS\Module\Server\CometBackup\App;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;
$report = ['results' => []];
try {
    Database::start();
    \WHMCS\Module\Server\CometBackup\Tests\Whmcs\Schema::create();
    $app = new App(['wasmPath' => $wasm, 'backend' => 'extension', 'cacheDir' => $cacheDir]);
    $report['info'] = $app->core()->info();
    $report['results']['TestConnection'] = Whmcs::call('TestConnection', Params::forServer((int) $serverId), 'admin', 'cometbackup', $app);
    foreach (['CreateAccount', 'SuspendAccount', 'UnsuspendAccount', 'ChangePackage', 'ChangePassword', 'TerminateAccount'] as $fn) {
        $overrides = $fn === 'ChangePassword' ? ['password' => $newPassword] : [];
        $report['results'][$fn] = Whmcs::call($fn, Params::forService((int) $serviceId, $overrides), 'admin', 'cometbackup', $app);
        if ($fn === 'CreateAccount') {
            $report['username'] = (string) \WHMCS\Database\Capsule::table('tblhosting')->where('id', (int) $serviceId)->value('username');
        }
    }
} catch (\Throwable $e) {
    $report['error'] = get_class($e) . ': ' . $e->getMessage();
}
echo json_encode($report, JSON_UNESCAPED_SLASHES), "\n";
PHP;

    public function testTheLifecycleThroughTheExtensionBackend(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu, ['configoption2' => '5f3a8c2e9d7b4e10a1c2d3e4f5a6b702']);
        Fixtures::configOption($ids['service'], 'number_of_devices|Devices', 2);
        $dir = TestSupport::tempDir('extension-child');
        file_put_contents($dir . '/child.php', self::CHILD);
        $newPassword = 'Ext-new-' . bin2hex(random_bytes(5));
        $oldPassword = Params::forService($ids['service'])['password'];
        $config = self::coreConfig();
        [$code, $stdout, $stderr] = TestSupport::run(
            [PHP_BINARY, $dir . '/child.php', TestSupport::repoRoot(), (string) $ids['service'], (string) $ids['server'],
                $config['wasmPath'], TestSupport::tempDir('cache'), $newPassword],
            '',
            Database::childEnv() + ['COMETPROV_WASM_RUNTIME' => TestSupport::runtimeLibrary()]
        );
        self::assertSame(0, $code, "child PHP failed: {$stdout}\n{$stderr}");
        $report = json_decode($stdout, true);
        self::assertIsArray($report, $stdout . $stderr);
        self::assertArrayNotHasKey('error', $report, (string) ($report['error'] ?? ''));
        self::assertSame('extension', $report['info']['backend']);
        self::assertStringStartsWith('wasmer-php', $report['info']['runtime']);
        self::assertTrue($report['results']['TestConnection']['success'], json_encode($report['results']['TestConnection']));
        foreach (['CreateAccount', 'SuspendAccount', 'UnsuspendAccount', 'ChangePackage', 'ChangePassword', 'TerminateAccount'] as $fn) {
            self::assertSame('success', $report['results'][$fn], $fn);
        }
        $username = $report['username'];
        self::assertNotSame('', $username);
        $endpoints = $emu->endpoints();
        foreach (['add-user', 'request-storage-vault', 'set-user-profile-hash', 'reset-user-password', 'delete-user'] as $e) {
            self::assertContains($e, $endpoints);
        }
        self::assertNull($this->profile($emu, $username), 'terminated');
        self::assertSame('Terminated', Capsule::table('tblhosting')->where('id', $ids['service'])->value('domainstatus'));
        self::assertSame([], Secrets::scan([$emu->adminPassword, $newPassword, $oldPassword]));
    }
}
