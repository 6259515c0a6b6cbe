<?php
// Day one after switching from the official Comet module (issue 16): the services it left behind in
// WHMCS's tables work through every action and are adopted by the first one; the official module's
// product settings keep their meaning; passwords follow the seed documentation's workflow; vault
// limits, usernames and the server version follow the rules of the admin guide. Real module folder,
// real core, MariaDB, and the Comet emulator in both modes.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

final class InheritTest extends ModuleTestCase
{
    private const GIB = 1073741824;
    private const PLACEHOLDER = '[Using custom field]';
    /** A policy ID as the official module's "[Create New Policy Group]" made them (uniqid with a dot). */
    private const OFFICIAL_POLICY = 'WHMCS_67dd0b5c3f4a19.87654321';
    /** The emulator's storage provider (LoadStorageProviders lists it). */
    private const PROVIDER = '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701';

    /** A server-level entry (TestConnection, UsageUpdate, ListAccounts) through this test's App. */
    private function server(string $function, int $serverId, string $context = 'admin')
    {
        return $this->entry($function, Params::forServer($serverId), $context);
    }

    /** The module's transport for $params. */
    private function clientFor(array $params): \WHMCS\Module\Server\CometBackup\Api\CometClient
    {
        return $this->app->client($params);
    }

    /** UsageUpdate's services JSON, as the repository builds it. */
    private static function servicesJson(int $serverId, int $page): string
    {
        return (new \WHMCS\Module\Server\CometBackup\Repository\UsageRepository())->servicesJson($serverId, $page);
    }

    /** The shapes the official module leaves behind, in both emulator modes. */
    public static function shapes(): array
    {
        $out = [];
        foreach (['modern', '18.9'] as $mode) {
            foreach (['placeholder', 'empty username', 'custom password', 'derived'] as $shape) {
                $out["{$shape}, {$mode}"] = [$shape, $mode];
            }
        }
        return $out;
    }

    /**
     * A service as the official module left it, with its Comet account (created straight on the
     * emulator, as the official module's add-user did), on a product with the official module's
     * settings. Another customer's account exists too, so tests can prove it is never touched.
     *
     * @return array{server: int, product: int, client: int, service: int, name: string, password: string, userField: ?int, passField: ?int}
     */
    private function inherited(Emulator $emu, string $shape, array $product = []): array
    {
        $serverId = (int) (Capsule::table('tblservers')->where('hostname', $emu->host . ':' . $emu->port)->value('id') ?? 0);
        if ($serverId === 0) {
            $serverId = Fixtures::serverFor($emu);
        }
        $pid = Fixtures::product($product + [
            'name' => 'Backup (official)',
            'configoption1' => self::OFFICIAL_POLICY,
            'configoption2' => self::PROVIDER,
            'configoption3' => 'no',
            'configoption4' => 'Set up by the official module',
        ]);
        $customName = in_array($shape, ['placeholder', 'empty username'], true);
        $customPassword = $shape !== 'derived';
        $userField = $customName ? Fixtures::customField($pid, 'Username') : null;
        $passField = $customPassword ? Fixtures::customField($pid, 'Password', ['fieldtype' => 'password']) : null;
        $name = 'inh' . bin2hex(random_bytes(4));
        $password = 'Inherited-' . bin2hex(random_bytes(5));
        $added = $emu->api('add-user', ['TargetUser' => $name, 'TargetPassword' => $password, 'StoreRecoveryCode' => '1']);
        self::assertSame(200, $added['Status'] ?? null, json_encode($added));
        $this->bystander($emu);
        $clientId = Fixtures::client(['email' => 'old.' . bin2hex(random_bytes(3)) . '@example.com']);
        $serviceId = Fixtures::service($clientId, $pid, $serverId, [
            'domainstatus' => 'Active',
            'username' => $shape === 'placeholder' ? self::PLACEHOLDER : ($shape === 'empty username' ? '' : $name),
            'password' => $customPassword ? '' : $password,
        ]);
        if ($userField !== null) {
            Fixtures::customFieldValue($userField, $serviceId, $name);
        }
        if ($passField !== null) {
            Fixtures::customFieldValue($passField, $serviceId, $password);
        }
        $emu->control('journal/clear');
        return ['server' => $serverId, 'product' => $pid, 'client' => $clientId, 'service' => $serviceId,
            'name' => $name, 'password' => $password, 'userField' => $userField, 'passField' => $passField];
    }

    /** Another customer's account on the same server (never to be read or changed). */
    private function bystander(Emulator $emu): void
    {
        $list = $emu->api('list-users');
        if (!in_array('someone.else', (array) $list, true)) {
            $emu->api('add-user', ['TargetUser' => 'someone.else', 'TargetPassword' => 'Bystander-pass-1', 'StoreRecoveryCode' => '1']);
        }
    }

    /** The journal's TargetUser values other than $name (the proof that no other account was touched). */
    private static function foreignTargets(Emulator $emu, string $name): array
    {
        $targets = [];
        foreach ($emu->journal() as $e) {
            $t = $e['params']['TargetUser'] ?? null;
            if ($t !== null && $t !== $name) {
                $targets[] = $e['endpoint'] . ' ' . $t;
            }
        }
        return $targets;
    }

    /** @return list<string> Activity Log lines about adopting $name */
    private static function adoptionLines(string $name): array
    {
        return array_values(array_filter(
            array_column(Recorder::activity(), 'message'),
            static fn (string $m): bool => str_contains($m, 'adopted account ' . $name . ' ')
        ));
    }

    /** Whether $password is the account's password (reset to itself with OldPassword; journal cleared). */
    private function passwordIs(Emulator $emu, string $name, string $password): bool
    {
        $r = $emu->api('reset-user-password', ['TargetUser' => $name, 'OldPassword' => $password, 'NewPassword' => $password]);
        $emu->control('journal/clear');
        return ($r['Status'] ?? 0) === 200;
    }

    private function assertAdopted(Emulator $emu, array $svc, string $action): void
    {
        $sid = $svc['service'];
        $guid = (string) ($emu->api('get-user-profile', ['TargetUser' => $svc['name']])['CreationGUID'] ?? '');
        if ($action !== 'TerminateAccount') {
            self::assertNotSame('', $guid);
            self::assertSame($guid, (string) ($this->stored($sid)->marker ?? ''), "{$action}: the marker is the account's CreationGUID");
        }
        self::assertSame($svc['name'], (string) $this->hosting($sid)->username, "{$action}: the real username is written back");
        $lines = self::adoptionLines($svc['name']);
        self::assertCount(1, $lines, "{$action}: one Activity Log line");
        self::assertStringContainsString('service #' . $sid, $lines[0]);
    }

    /** @dataProvider shapes */
    public function testTheFirstActionAdoptsAnInheritedServiceAndEveryActionWorks(string $shape, string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);

        // Suspend first, then every other action on the same (now adopted) service.
        $svc = $this->inherited($emu, $shape);
        $sid = $svc['service'];
        $name = $svc['name'];
        self::assertSame('success', $this->call('SuspendAccount', $sid));
        self::assertTrue($this->profile($emu, $name)['IsSuspended']);
        $this->assertAdopted($emu, $svc, 'SuspendAccount');
        self::assertSame([], self::foreignTargets($emu, $name));
        self::assertSame('success', $this->call('UnsuspendAccount', $sid));
        self::assertFalse($this->profile($emu, $name)['IsSuspended']);
        Fixtures::configOption($sid, 'number_of_devices|Devices', 4);
        self::assertSame('success', $this->call('ChangePackage', $sid));
        $profile = $this->profile($emu, $name);
        self::assertSame(4, $profile['MaximumDevices']);
        self::assertSame(self::OFFICIAL_POLICY, $profile['PolicyID'], 'the official module\'s policy ID is created on demand');
        self::assertSame(200, $emu->api('policies/get', ['PolicyID' => self::OFFICIAL_POLICY])['Status'] ?? null);
        self::assertSame([], self::foreignTargets($emu, $name));
        self::assertCount(1, self::adoptionLines($name), 'adoption is recorded once');

        // Change Password: the seed's workflow for each shape (edit the field that holds the password).
        $emu->control('journal/clear');
        $new = 'Changed-' . bin2hex(random_bytes(5));
        if ($svc['passField'] !== null) {
            Fixtures::customFieldValue($svc['passField'], $sid, $new);
        } else {
            Capsule::table('tblhosting')->where('id', $sid)->update(['password' => encrypt($new)]);
        }
        self::assertSame('success', $this->call('ChangePassword', $sid));
        self::assertSame([], self::foreignTargets($emu, $name));
        self::assertTrue($this->passwordIs($emu, $name, $new), 'the edited password is the account\'s');
        self::assertSame($new, decrypt((string) $this->hosting($sid)->password), '{$service_password} is the login');

        // Usage and Server Sync find the account under the service's own records.
        self::assertSame('success', $this->server('UsageUpdate', $svc['server'], 'cron'));
        self::assertNotEmpty($this->hosting($sid)->lastupdate);
        $list = $this->server('ListAccounts', $svc['server']);
        self::assertTrue($list['success']);
        self::assertContains($name, array_column($list['accounts'], 'username'));

        // Terminate.
        $emu->control('journal/clear');
        self::assertSame('success', $this->call('TerminateAccount', $sid));
        self::assertNull($this->profile($emu, $name));
        self::assertNotNull($this->profile($emu, 'someone.else'), 'the other customer\'s account is still there');

        // Each action as the very first one on a fresh inherited service adopts it the same way.
        foreach (['UnsuspendAccount', 'ChangePackage', 'ChangePassword', 'TerminateAccount'] as $action) {
            $svc = $this->inherited($emu, $shape);
            if ($action === 'ChangePassword' && $svc['passField'] === null) {
                Capsule::table('tblhosting')->where('id', $svc['service'])->update(['password' => encrypt('First-' . bin2hex(random_bytes(5)))]);
            }
            self::assertSame('success', $this->call($action, $svc['service']), $action);
            self::assertSame([], self::foreignTargets($emu, $svc['name']), $action);
            $this->assertAdopted($emu, $svc, $action);
        }
    }

    /**
     * The client area, the admin tab, both sign-ins and the Adopt button as the first action on an
     * inherited service (the views render the core's ServiceOverview, SignIn and AdoptAccount).
     *
     * @dataProvider shapes
     */
    public function testPagesSignInAndTheAdoptButtonAdoptAnInheritedService(string $shape, string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);

        $svc = $this->inherited($emu, $shape);
        $area = $this->entry('ClientArea', Params::forService($svc['service']), 'client');
        self::assertSame('templates/clientarea', $area['templatefile'] ?? null, json_encode($area));
        self::assertStringContainsString($svc['name'], json_encode($area, JSON_UNESCAPED_SLASHES));
        self::assertSame([], self::foreignTargets($emu, $svc['name']));
        $this->assertAdopted($emu, $svc, 'ClientArea');

        $svc = $this->inherited($emu, $shape);
        $tab = $this->entry('AdminServicesTabFields', Params::forService($svc['service']));
        self::assertStringContainsString(htmlspecialchars($svc['name']), implode("\n", $tab));
        self::assertArrayHasKey('Devices (used / allowed)', $tab);
        self::assertSame([], self::foreignTargets($emu, $svc['name']));
        $this->assertAdopted($emu, $svc, 'AdminServicesTabFields');

        $svc = $this->inherited($emu, $shape);
        $report = $this->call('AdoptAccount', $svc['service']);
        self::assertStringStartsWith('Comet Backup: adopted the Comet account ' . $svc['name'], $report);
        self::assertStringContainsString('Policy group:', $report);
        $this->assertAdopted($emu, $svc, 'AdoptAccount');
        self::assertStringContainsString('is already this service\'s', $this->call('AdoptAccount', $svc['service']));
        self::assertCount(1, self::adoptionLines($svc['name']), 'adopted once');

        // Customer sign-in: adopts on a modern server; on 18.9 it is refused by the core before any
        // request (the version is recorded by Test Connection), naming the version it needs.
        self::assertTrue($this->server('TestConnection', $svc['server'])['success']);
        $svc = $this->inherited($emu, $shape);
        $sso = $this->call('ServiceSingleSignOn', $svc['service'], [], 'client');
        if ($mode === 'modern') {
            self::assertTrue($sso['success'], json_encode($sso));
            self::assertSame([], self::foreignTargets($emu, $svc['name']));
            $this->assertAdopted($emu, $svc, 'SignIn');
        } else {
            self::assertFalse($sso['success']);
            self::assertStringContainsString('19.6', $sso['errorMsg']);
            self::assertSame([], $emu->endpoints(), 'no request sent');
            self::assertSame([], self::adoptionLines($svc['name']));
            // The admin's sign-in is refused the same way on 18.9 (no session-start-as-user there).
        }
        if ($mode === 'modern') {
            $svc = $this->inherited($emu, $shape);
            $admin = $this->call('ServiceSingleSignOn', $svc['service'], [], 'admin');
            self::assertTrue($admin['success'], json_encode($admin));
            $this->assertAdopted($emu, $svc, 'SignIn (admin)');
        }
    }

    /** @dataProvider shapes */
    public function testUsageUpdateAndServerSyncReadInheritedServicesWithoutAdoptingThem(string $shape, string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $svc = $this->inherited($emu, $shape);
        $before = Recorder::activity();
        self::assertSame('success', $this->server('UsageUpdate', $svc['server'], 'cron'));
        $row = $this->hosting($svc['service']);
        self::assertNotEmpty($row->lastupdate, 'the service was matched to its account');
        $report = implode("\n", array_column(array_slice(Recorder::activity(), count($before)), 'message'));
        self::assertStringNotContainsString('have no Comet account', $report);
        self::assertSame(['list-users-full'], $emu->endpoints());
        $list = $this->server('ListAccounts', $svc['server']);
        self::assertTrue($list['success']);
        self::assertContains($svc['name'], array_column($list['accounts'], 'username'));
        self::assertSame([], self::adoptionLines($svc['name']), 'server actions do not adopt');
        self::assertSame($shape === 'placeholder' ? self::PLACEHOLDER : ($shape === 'empty username' ? '' : $svc['name']),
            (string) $this->hosting($svc['service'])->username);
    }

    /** @dataProvider modes */
    public function testAnotherServicesAccountIsNeverAdopted(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $svc = $this->inherited($emu, 'placeholder');
        self::assertSame('success', $this->call('SuspendAccount', $svc['service']));
        // A second service whose records name the same account, after the first one adopted it:
        // its own records do name it, but the account is recorded as the first service's.
        $other = Fixtures::service($svc['client'], $svc['product'], $svc['server'], ['domainstatus' => 'Active', 'username' => self::PLACEHOLDER]);
        Fixtures::customFieldValue((int) $svc['userField'], $other, $svc['name']);
        Capsule::table('mod_cometbackup_services')->insert(['serviceid' => $other, 'marker' => 'another-guid',
            'claim_username' => '', 'claim_at' => 0, 'custom_password' => 0]);
        $emu->control('journal/clear');
        $result = $this->call('UnsuspendAccount', $other);
        self::assertStringStartsWith('Comet Backup Unsuspend failed:', $result);
        self::assertStringContainsString('not created for it', $result);
        self::assertNotContains('set-user-profile-hash', $emu->endpoints(), 'nothing is changed');
        self::assertSame('another-guid', (string) $this->stored($other)->marker);
        self::assertSame(self::PLACEHOLDER, (string) $this->hosting($other)->username);
    }

    /** @dataProvider modes */
    public function testTheOfficialModulesProductSettingsOnCreate(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        foreach (['yes', 'no'] as $require) {
            $ids = $this->service($emu, ['configoption1' => self::OFFICIAL_POLICY, 'configoption2' => self::PROVIDER,
                'configoption3' => $require, 'configoption4' => 'A note the official module showed']);
            $emu->control('journal/clear');
            self::assertSame('success', $this->call('CreateAccount', $ids['service']), $require);
            $name = (string) $this->hosting($ids['service'])->username;
            $profile = $this->profile($emu, $name);
            self::assertSame(self::OFFICIAL_POLICY, $profile['PolicyID']);
            self::assertCount(1, $profile['Destinations'], 'the initial vault from configoption2');
            $addUser = array_values(array_filter($emu->journal(), static fn ($e) => $e['endpoint'] === 'add-user'));
            self::assertNotEmpty($addUser);
            if ($mode === 'modern') {
                self::assertSame($require === 'yes' ? '1' : null, $addUser[0]['params']['RequirePasswordChange'] ?? null,
                    "configoption3 \"{$require}\"");
            }
            // configoption4 of the official module is a note: no uninstall request on Terminate.
            $emu->control('journal/clear');
            self::assertSame('success', $this->call('TerminateAccount', $ids['service']));
            foreach ($emu->journal() as $e) {
                self::assertArrayNotHasKey('UninstallConfig', $e['params'], 'a note is not the uninstall flag');
            }
        }
    }

    /**
     * Passwords as the seed documents them, for a product with a custom Password field: the admin's
     * latest edit wins; both edited to different values is refused before anything is sent.
     *
     * @dataProvider modes
     */
    public function testThePasswordMatrix(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $ids = $this->service($emu);
        $sid = $ids['service'];
        $first = 'Chosen-' . bin2hex(random_bytes(5));
        Fixtures::customFieldValue($ids['password'], $sid, $first);
        self::assertSame('success', $this->call('CreateAccount', $sid));
        $name = (string) $this->hosting($sid)->username;
        self::assertTrue($this->passwordIs($emu, $name, $first));
        self::assertSame($first, decrypt((string) $this->hosting($sid)->password), 'the welcome email\'s {$service_password}');
        $digest = (string) $this->stored($sid)->password_digest;
        self::assertMatchesRegularExpression('/^[0-9a-f]{64}$/', $digest);
        self::assertNotSame(hash('sha256', $first), $digest, 'a keyed digest, not a plain hash');
        self::assertStringNotContainsString($first, json_encode(Capsule::table('mod_cometbackup_services')->get()));

        $edit = function (?string $custom, ?string $service) use ($ids, $sid): void {
            if ($custom !== null) {
                Fixtures::customFieldValue($ids['password'], $sid, $custom);
            }
            if ($service !== null) {
                Capsule::table('tblhosting')->where('id', $sid)->update(['password' => encrypt($service)]);
            }
        };
        $cases = [
            'custom field edited' => [true, false],
            'service password edited' => [false, true],
            'both edited alike' => [true, true],
        ];
        foreach ($cases as $case => [$inCustom, $inService]) {
            $new = 'Pw-' . bin2hex(random_bytes(6));
            $edit($inCustom ? $new : null, $inService ? $new : null);
            self::assertSame('success', $this->call('ChangePassword', $sid), $case);
            self::assertTrue($this->passwordIs($emu, $name, $new), "{$case}: applied");
            self::assertSame($new, decrypt((string) $this->hosting($sid)->password), "{$case}: service password");
            self::assertSame($new, Params::forService($sid)['customfields']['Password'], "{$case}: custom field");
            // Nothing changed since: running it again applies the same password.
            self::assertSame('success', $this->call('ChangePassword', $sid), "{$case}, again");
            self::assertTrue($this->passwordIs($emu, $name, $new));
        }

        // Both edited, to different passwords: refused, naming both fields; nothing sent.
        $current = decrypt((string) $this->hosting($sid)->password);
        $edit('Custom-' . bin2hex(random_bytes(5)), 'Service-' . bin2hex(random_bytes(5)));
        $emu->control('journal/clear');
        $result = $this->call('ChangePassword', $sid);
        self::assertStringStartsWith('Comet Backup Change Password failed:', $result);
        self::assertStringContainsString('Password field', $result);
        self::assertStringContainsString('custom field Password', $result);
        self::assertSame([], $emu->endpoints(), 'nothing was sent to the Comet Server');
        self::assertTrue($this->passwordIs($emu, $name, $current), 'the account keeps its password');
    }

    /**
     * No digest: a service the official module created (custom Password field, blank service
     * password). The custom field is applied; a service password set since then is an edit and wins.
     *
     * @dataProvider modes
     */
    public function testPasswordsOfAnInheritedServiceWithoutADigest(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $svc = $this->inherited($emu, 'placeholder');
        $sid = $svc['service'];
        $edited = 'Edited-' . bin2hex(random_bytes(5));
        Fixtures::customFieldValue((int) $svc['passField'], $sid, $edited);
        self::assertSame('success', $this->call('ChangePassword', $sid));
        self::assertTrue($this->passwordIs($emu, $svc['name'], $edited));
        self::assertSame($edited, decrypt((string) $this->hosting($sid)->password));

        $svc = $this->inherited($emu, 'custom password');
        $sid = $svc['service'];
        $typed = 'Typed-' . bin2hex(random_bytes(5));
        Capsule::table('tblhosting')->where('id', $sid)->update(['password' => encrypt($typed)]);
        self::assertSame('success', $this->call('ChangePassword', $sid));
        self::assertTrue($this->passwordIs($emu, $svc['name'], $typed));
        self::assertSame($typed, Params::forService($sid)['customfields']['Password']);

        // Created by an earlier version of this module (it wrote the custom password into both
        // fields and kept no digest), both fields now differ: which one was edited is unknown.
        $ids = $this->service($emu);
        Fixtures::customFieldValue($ids['password'], $ids['service'], 'Both-same-' . bin2hex(random_bytes(4)));
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        Capsule::table('mod_cometbackup_services')->where('serviceid', $ids['service'])->update(['password_digest' => '']);
        Fixtures::customFieldValue($ids['password'], $ids['service'], 'One-' . bin2hex(random_bytes(5)));
        Capsule::table('tblhosting')->where('id', $ids['service'])->update(['password' => encrypt('Other-' . bin2hex(random_bytes(5)))]);
        $emu->control('journal/clear');
        $result = $this->call('ChangePassword', $ids['service']);
        self::assertStringStartsWith('Comet Backup Change Password failed:', $result);
        self::assertStringContainsString('custom field Password', $result);
        self::assertSame([], $emu->endpoints(), 'nothing was sent');
    }

    /** The vault-quota rule (issue 16's table) on Create, Change Package and Re-apply. */
    public static function vaultCases(): array
    {
        $out = [];
        foreach (['modern', '18.9'] as $mode) {
            foreach (['absent', 'zero', 'N', 'never change'] as $case) {
                $out["{$case}, {$mode}"] = [$case, $mode];
            }
        }
        return $out;
    }

    /** @dataProvider vaultCases */
    public function testTheVaultQuotaMatrix(string $case, string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $ids = $this->service($emu, ['configoption2' => self::PROVIDER, 'configoption5' => $case === 'never change' ? 'on' : '']);
        $sid = $ids['service'];
        if ($case !== 'absent') {
            Fixtures::configOption($sid, 'storage_vault_quota_gb|Storage (GB)', $case === 'zero' ? 0 : 7);
        }
        self::assertSame('success', $this->call('CreateAccount', $sid));
        $name = (string) $this->hosting($sid)->username;
        $vaults = $this->profile($emu, $name)['Destinations'];
        self::assertCount(1, $vaults);
        $vault = array_values($vaults)[0];
        if ($case === 'N') {
            self::assertTrue($vault['StorageLimitEnabled']);
            self::assertSame(7 * self::GIB, $vault['StorageLimitBytes']);
        } else {
            self::assertFalse((bool) ($vault['StorageLimitEnabled'] ?? false), "{$case}: the new vault gets no limit from the module");
        }

        foreach (['ChangePackage', 'ReapplyQuotas'] as $action) {
            $this->limitVaults($emu, $name, 3 * self::GIB);   // a limit set in Comet by the admin
            self::assertSame('success', $this->call($action, $sid), $action);
            $vault = array_values($this->profile($emu, $name)['Destinations'])[0];
            switch ($case) {
                case 'absent':
                case 'never change':
                    self::assertTrue($vault['StorageLimitEnabled'], "{$case}, {$action}: left as it is");
                    self::assertSame(3 * self::GIB, $vault['StorageLimitBytes']);
                    break;
                case 'zero':
                    self::assertFalse($vault['StorageLimitEnabled'], "{$case}, {$action}: lifted");
                    break;
                case 'N':
                    self::assertTrue($vault['StorageLimitEnabled']);
                    self::assertSame(7 * self::GIB, $vault['StorageLimitBytes'], "{$case}, {$action}");
                    break;
            }
        }
    }

    /** Sets a limit on every vault of $name, as an admin would in Comet. */
    private function limitVaults(Emulator $emu, string $name, int $bytes): void
    {
        $read = $emu->api('get-user-profile-and-hash', ['TargetUser' => $name], false);
        $profile = $read->Profile;
        foreach ($profile->Destinations as $vault) {
            $vault->StorageLimitEnabled = true;
            $vault->StorageLimitBytes = $bytes;
        }
        $set = $emu->api('set-user-profile-hash', ['TargetUser' => $name,
            'ProfileData' => json_encode($profile, JSON_UNESCAPED_SLASHES), 'RequireHash' => $read->ProfileHash]);
        self::assertSame(200, $set['Status'] ?? null, json_encode($set));
    }

    /**
     * account.no_free_username's advice: a name typed into the service's username by hand is the
     * one Create uses; Create never adopts an existing account (the Adopt button does).
     *
     * @dataProvider modes
     */
    public function testCreateUsesAHandSetUsernameAndNeverAdopts(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $ids = $this->service($emu);
        $hand = 'byhand.' . bin2hex(random_bytes(3));
        Capsule::table('tblhosting')->where('id', $ids['service'])->update(['username' => $hand]);
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        self::assertNotNull($this->profile($emu, $hand), 'the account has the hand-set name');
        self::assertSame($hand, (string) $this->hosting($ids['service'])->username);

        // A Pending service the official module left (its account exists): Create refuses, and
        // neither adopts nor changes the account.
        $svc = $this->inherited($emu, 'placeholder');
        Capsule::table('tblhosting')->where('id', $svc['service'])->update(['domainstatus' => 'Pending']);
        $before = $this->profile($emu, $svc['name']);
        $emu->control('journal/clear');
        $result = $this->call('CreateAccount', $svc['service']);
        self::assertStringStartsWith('Comet Backup Create failed:', $result);
        self::assertStringContainsString('Adopt Comet account', $result, 'the message points to the button');
        self::assertSame([], self::foreignTargets($emu, $svc['name']));
        self::assertSame([], self::adoptionLines($svc['name']));
        self::assertSame('', (string) ($this->stored($svc['service'])->marker ?? ''));
        $after = $this->profile($emu, $svc['name']);
        self::assertSame($before, $after, 'the existing account is unchanged');
    }

    public function testTheContextCarriesStatusAndOnlyAServerVersionYoungerThanADay(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu, [], ['domainstatus' => 'Suspended', 'username' => self::PLACEHOLDER]);
        Fixtures::customFieldValue($ids['username'], $ids['service'], 'real.name');
        $now = 1_800_000_000;
        $store = new \WHMCS\Module\Server\CometBackup\Service\EffectStore();
        $build = function (array $overrides = []) use ($ids, $store, $now): array {
            $params = Params::forService($ids['service'], $overrides);
            return (new \WHMCS\Module\Server\CometBackup\Service\ContextBuilder($store, static fn (): int => $now))
                ->service($params, $this->clientFor($params));
        };
        $ctx = $build();
        self::assertSame('Suspended', $ctx['status']);
        self::assertSame(self::PLACEHOLDER, $ctx['username'], 'the service\'s own record, as it is');
        self::assertSame('real.name', $ctx['customfields']->Username);
        self::assertArrayNotHasKey('serverVersion', $ctx, 'no version recorded');

        $store->recordServerVersion($ids['server'], '24.12.3', $now - 86400 + 5);
        self::assertSame('24.12.3', $build()['serverVersion']);
        $store->recordServerVersion($ids['server'], '24.12.3', $now - 86400);
        self::assertArrayNotHasKey('serverVersion', $build(), 'a day old: asked again');
        $store->recordServerVersion($ids['server'], '24.12.3', $now + 3600);
        self::assertArrayNotHasKey('serverVersion', $build(), 'recorded in the future (clock moved): asked again');

        // WHMCS's status wins over the row; without it the row is read.
        self::assertSame('Active', $build(['status' => 'Active'])['status']);
        $params = Params::forService($ids['service']);
        unset($params['status']);
        $ctx = (new \WHMCS\Module\Server\CometBackup\Service\ContextBuilder($store, static fn (): int => $now))
            ->service($params, $this->clientFor($params));
        self::assertSame('Suspended', $ctx['status']);
    }

    public function testUsageServicesCarryTheCustomUsernamePageByPage(): void
    {
        $emu = $this->emulator();
        $serverId = Fixtures::serverFor($emu);
        $withField = Fixtures::product();
        $field = Fixtures::customField($withField, 'Username|Your login');
        Fixtures::customField($withField, 'Username');   // a second field of that name: the first one counts
        $without = Fixtures::product();
        $client = Fixtures::client();
        $expected = [];
        foreach ([[$withField, self::PLACEHOLDER, 'alpha.one'], [$without, 'bravo', null], [$withField, '', 'charlie'],
                  [$withField, 'delta', ''], [$without, 'echo', null]] as [$pid, $username, $custom]) {
            $sid = Fixtures::service($client, $pid, $serverId, ['domainstatus' => 'Active', 'username' => $username]);
            if ($custom !== null) {
                Fixtures::customFieldValue($field, $sid, $custom);
            }
            $expected[] = ['serviceid' => $sid, 'username' => $username] + ($custom !== null && $custom !== '' ? ['customUsername' => $custom] : []);
        }
        Fixtures::service($client, $withField, $serverId, ['domainstatus' => 'Terminated', 'username' => 'gone']);
        foreach ([1, 2, 5000] as $page) {
            $json = self::servicesJson($serverId, $page);
            self::assertSame($expected, json_decode($json, true), "page size {$page}");
        }
    }

    /** @dataProvider modes */
    public function testAShortCustomUsernameFollowsTheServersVersion(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $ids = $this->service($emu);
        $short = 'a' . bin2hex(random_bytes(1));   // 3 characters
        Fixtures::customFieldValue($ids['username'], $ids['service'], $short);
        $result = $this->call('CreateAccount', $ids['service']);
        $endpoints = $emu->endpoints();
        self::assertSame('meta/version', $endpoints[0] ?? null, 'no version recorded: asked first');
        if ($mode === 'modern') {
            self::assertSame('success', $result);
            self::assertNotNull($this->profile($emu, $short));
        } else {
            self::assertStringStartsWith('Comet Backup Create failed:', $result);
            self::assertStringContainsString('Username', $result, 'the message names the Username field');
            self::assertNotContains('add-user', $endpoints);
        }
    }

    /** @dataProvider modes */
    public function testTheServerVersionIsRecordedAndAskedAgainAfterADay(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $ids = $this->service($emu);
        $expected = $mode === 'modern' ? '25.9.8' : '18.9.2';
        $test = $this->server('TestConnection', $ids['server']);
        self::assertTrue($test['success'], (string) $test['error']);
        $row = Capsule::table('mod_cometbackup_servers')->where('serverid', $ids['server'])->first();
        self::assertNotNull($row, 'Test Connection records the version');
        self::assertSame($expected, (string) $row->version);
        self::assertEqualsWithDelta(time(), (int) $row->checked_at, 60);

        // Recorded less than a day ago: Create does not ask.
        $emu->control('journal/clear');
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        self::assertNotContains('meta/version', $emu->endpoints());

        // Older than a day: the next Create asks first and records it again.
        Capsule::table('mod_cometbackup_servers')->where('serverid', $ids['server'])->update(['checked_at' => time() - 86400 - 60]);
        $second = Fixtures::service($ids['client'], $ids['product'], $ids['server'], ['password' => 'Second-' . bin2hex(random_bytes(4))]);
        $emu->control('journal/clear');
        self::assertSame('success', $this->call('CreateAccount', $second));
        self::assertSame('meta/version', $emu->endpoints()[0] ?? null);
        $row = Capsule::table('mod_cometbackup_servers')->where('serverid', $ids['server'])->first();
        self::assertSame($expected, (string) $row->version);
        self::assertEqualsWithDelta(time(), (int) $row->checked_at, 60);
    }
}
