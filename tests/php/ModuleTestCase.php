<?php
// Shared set-up for the tests of the module's entry points (tests/php/Module*Test.php and
// Lifecycle*Test.php): the real module folder through the WHMCS-shaped harness, the real core,
// MariaDB, and the Comet emulator.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\App;
use WHMCS\Module\Server\CometBackup\Service\EffectStore;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\HarnessTestCase;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;
use WHMCS\Module\Server\CometBackup\Whmcs\Settings;

abstract class ModuleTestCase extends HarnessTestCase
{
    public const SYSTEM_URL = 'https://billing.example.test/';

    /** The emulator's two server generations. @return array<string, array{0: string}> */
    public static function modes(): array
    {
        return ['modern' => ['modern'], '18.9' => ['18.9']];
    }

    /** @var list<Emulator> */
    private array $emulators = [];

    /** This test's wiring of the module (the built core, short timeouts); entries run on it. */
    protected App $app;

    protected function setUp(): void
    {
        parent::setUp();
        // The database was emptied: forget what the module cached about it.
        Settings::reset();
        EffectStore::resetSchemaCheck();
        $this->app = self::app();
        Fixtures::setting('SystemURL', self::SYSTEM_URL);
    }

    /**
     * An App on the built core with the given transport options (and core settings on top of
     * coreConfig()), as WHMCS's request would build one.
     */
    public static function app(array $clientOptions = ['connectTimeout' => 5, 'timeout' => 20], array $core = [], ?callable $clock = null, ?callable $adminArea = null): App
    {
        return new App($core + self::coreConfig(), $clientOptions, $clock, $adminArea);
    }

    /** Calls cometbackup_<fn>'s table entry through the harness on this test's App. */
    protected function entry(string $function, array $params, string $context = 'admin')
    {
        return Whmcs::call($function, $params, $context, 'cometbackup', $this->app);
    }

    protected function tearDown(): void
    {
        $problems = [];
        foreach ($this->emulators as $emu) {
            try {
                $emu->stop();
            } catch (\Throwable $e) {
                $problems[] = $e->getMessage();
            }
        }
        $this->emulators = [];
        Settings::reset();
        EffectStore::resetSchemaCheck();
        parent::tearDown();
        self::assertSame([], $problems, 'the emulator did not stop cleanly');
    }

    /** The Core settings for tests: the built cometprov.wasm and a private compiled-module cache. */
    public static function coreConfig(): array
    {
        $wasm = getenv('COMETPROV_WASM') ?: TestSupport::repoRoot() . '/build-wasm/cometprov.wasm';
        self::assertFileExists($wasm, 'the core module is missing: build it (make wasm) or set COMETPROV_WASM');
        return ['wasmPath' => $wasm, 'runtimeLibrary' => TestSupport::runtimeLibrary(), 'cacheDir' => sys_get_temp_dir()];
    }

    protected function emulator(array $opts = []): Emulator
    {
        $emu = Emulator::start($opts);
        $this->emulators[] = $emu;
        return $emu;
    }

    /**
     * A client, a product of this module with the custom fields Username and Password, and a
     * Pending service on a server pointing at $emu.
     *
     * @return array{server: int, product: int, client: int, service: int, username: int, password: int}
     */
    protected function service(Emulator $emu, array $product = [], array $service = [], array $client = []): array
    {
        $serverId = Fixtures::serverFor($emu);
        $pid = Fixtures::product($product);
        $userField = Fixtures::customField($pid, 'Username');
        $passField = Fixtures::customField($pid, 'Password');
        $clientId = Fixtures::client($client + ['email' => 'alice.' . bin2hex(random_bytes(3)) . '@example.com']);
        $serviceId = Fixtures::service($clientId, $pid, $serverId, $service + ['password' => 'Svc-' . bin2hex(random_bytes(6))]);
        return ['server' => $serverId, 'product' => $pid, 'client' => $clientId, 'service' => $serviceId,
            'username' => $userField, 'password' => $passField];
    }

    /** Calls cometbackup_<fn> through the harness with freshly built params of the service. */
    protected function call(string $function, int $serviceId, array $overrides = [], string $context = 'admin')
    {
        return $this->entry($function, Params::forService($serviceId, $overrides), $context);
    }

    protected function hosting(int $serviceId): object
    {
        return Capsule::table('tblhosting')->where('id', $serviceId)->first();
    }

    /** The emulator's profile of $username via get-user-profile, or null when it does not exist. */
    protected function profile(Emulator $emu, string $username): ?array
    {
        $p = $emu->api('get-user-profile', ['TargetUser' => $username]);
        return is_array($p) && isset($p['Username']) ? $p : null;
    }

    protected function stored(int $serviceId): ?object
    {
        return Capsule::table('mod_cometbackup_services')->where('serviceid', $serviceId)->first();
    }

    /** @return list<array<string, mixed>> journal entries whose TargetUser is $username */
    protected static function journalFor(Emulator $emu, string $username): array
    {
        return array_values(array_filter($emu->journal(), static fn (array $e): bool => ($e['params']['TargetUser'] ?? null) === $username));
    }
}
