<?php
// Pages and sign-in go through the core's read plans (issue 15): the client area and the admin tab
// render ServiceOverview, sign-in runs SignIn with the role of the area, and a replaced account (same
// name, another CreationGUID) shows nothing and signs nothing in. Against the emulator, both modes.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\App;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;

final class ModuleReadPlansTest extends ModuleTestCase
{
    /** A created service: [ids, username, CreationGUID]. */
    private function created(Emulator $emu): array
    {
        $ids = $this->service($emu);
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        $username = (string) $this->hosting($ids['service'])->username;
        $guid = (string) ($this->profile($emu, $username)['CreationGUID'] ?? '');
        self::assertNotSame('', $guid);
        self::assertSame($guid, (string) $this->stored($ids['service'])->marker);
        return [$ids, $username, $guid];
    }

    /** @return list<string> the endpoints the module requested since the last journal reset */
    private static function requested(Emulator $emu): array
    {
        return array_map(static fn (array $e): string => (string) $e['endpoint'], $emu->journal());
    }

    /** @dataProvider modes */
    public function testASuspendedOrTerminatedServiceGetsNoCustomerSignIn(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        [$ids] = $this->created($emu);
        $active = $this->call('ServiceSingleSignOn', $ids['service'], [], 'client');
        // Comet 18.9 has no account/session-start-as-user: the core refuses customer sign-in there.
        $modern = $mode === 'modern';
        self::assertSame($modern, $active['success'], json_encode($active));
        if (!$modern) {
            self::assertStringContainsString('19.6', $active['errorMsg']);
        }

        self::assertSame('success', $this->call('SuspendAccount', $ids['service']));
        self::assertSame('Suspended', $this->hosting($ids['service'])->domainstatus);
        $emu->control('reset');
        $sso = $this->call('ServiceSingleSignOn', $ids['service'], [], 'client');
        self::assertFalse($sso['success']);
        self::assertStringContainsString('Active', $sso['errorMsg']);
        self::assertSame([], self::requested($emu), 'a suspended customer\'s sign-in asks Comet nothing');
        self::assertSame($modern ? 1 : 0, Capsule::table('mod_cometbackup_sso')->count(), 'no token beyond the one of the Active service');

        if ($modern) {
            // The admin may still open the suspended account (role admin: any status, marker checked).
            $admin = $this->call('ServiceSingleSignOn', $ids['service'], [], 'admin');
            self::assertTrue($admin['success'], json_encode($admin));
            self::assertContains('account/session-start-as-user', self::requested($emu));
        }

        self::assertSame('success', $this->call('TerminateAccount', $ids['service']));
        self::assertSame('Terminated', $this->hosting($ids['service'])->domainstatus);
        $emu->control('reset');
        $sso = $this->call('ServiceSingleSignOn', $ids['service'], [], 'client');
        self::assertFalse($sso['success']);
        self::assertNotContains('account/session-start-as-user', self::requested($emu));
    }

    /** The admin-area test is the App's: the entry table asks it, and a test can set it. */
    public function testTheRoleFollowsTheAreaTheAppIsTold(): void
    {
        $emu = $this->emulator();
        [$ids] = $this->created($emu);
        self::assertSame('success', $this->call('SuspendAccount', $ids['service']));
        $params = Params::forService($ids['service']);
        $customer = self::app(['connectTimeout' => 5, 'timeout' => 20], [], null, static fn (): bool => false);
        $admin = self::app(['connectTimeout' => 5, 'timeout' => 20], [], null, static fn (): bool => true);
        self::assertFalse($customer->run('SignIn', $params, 'sso')['success']);
        self::assertTrue($admin->run('SignIn', $params, 'sso')['success']);
        self::assertFalse(App::isAdminRequest(), 'no admin session in a plain CLI test');
        $_SESSION = ['adminid' => 3];
        try {
            self::assertTrue(App::isAdminRequest());
        } finally {
            unset($GLOBALS['_SESSION']);
        }
    }

    /**
     * The service's account is deleted and another one created under the same name (another
     * CreationGUID): the client area, the admin tab and both sign-ins show and open nothing of it,
     * and Comet is asked for nothing but the profile.
     *
     * @dataProvider modes
     */
    public function testAReplacedAccountShowsNothingAndSignsNothingIn(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        [$ids, $username, $guid] = $this->created($emu);
        $emu->api('delete-user', ['TargetUser' => $username]);
        $emu->api('add-user', ['TargetUser' => $username, 'TargetPassword' => 'Other-' . bin2hex(random_bytes(6))]);
        $other = $this->profile($emu, $username);
        self::assertNotNull($other);
        $otherGuid = (string) $other['CreationGUID'];
        self::assertNotSame($guid, $otherGuid);
        // Something only the other account has, to look for on the pages.
        $emu->api('set-user-profile', ['TargetUser' => $username, 'ProfileData' => json_encode(
            ['Devices' => ['dev-x' => ['FriendlyName' => 'MALLORY-LAPTOP', 'RegistrationTime' => 1700000000]]] + $other
        )]);
        $emu->control('reset');

        $area = $this->entry('ClientArea', Params::forService($ids['service']), 'client');
        self::assertSame('templates/error', $area['templatefile']);
        self::assertStringContainsString('is not the one on the backup server', $area['vars']['cbError']);
        self::assertStringNotContainsString('MALLORY', json_encode($area));

        $tab = $this->entry('AdminServicesTabFields', Params::forService($ids['service']));
        $row = (string) ($tab['Comet'] ?? '');
        self::assertStringContainsString($guid, $row, 'the warning names the service\'s marker');
        self::assertStringContainsString($otherGuid, $row, 'and the account\'s CreationGUID');
        self::assertArrayNotHasKey('Devices (used / allowed)', $tab);
        self::assertStringNotContainsString('MALLORY', json_encode($tab));

        foreach (['client', 'admin'] as $area) {
            $sso = $this->call('ServiceSingleSignOn', $ids['service'], [], $area);
            self::assertFalse($sso['success'], "{$area} sign-in");
            // On Comet 18.9 (no session-start-as-user) the core refuses for the version before the profile is read.
            $expected = $mode !== 'modern' ? '19.6' : 'is not the one on the backup server';
            self::assertStringContainsString($expected, $sso['errorMsg']);
        }
        self::assertSame(0, Capsule::table('mod_cometbackup_sso')->count());
        // meta/version may precede a sign-in when no recent server version is recorded: it is about
        // the server, not the account. About the account, nothing but the profile read.
        $requests = array_values(array_unique(array_diff(self::requested($emu), ['meta/version'])));
        self::assertSame(['get-user-profile-and-hash'], $requests, 'nothing beyond the profile read');
        self::assertSame($guid, (string) $this->stored($ids['service'])->marker, 'the marker is kept');
        self::assertSame([], Secrets::scan([$emu->adminPassword]));
    }

    /** The Adopt button on a service the official module created: adopted once, then "already". */
    public function testTheAdoptButtonAdoptsAndReportsAgainstTheProduct(): void
    {
        $emu = $this->emulator();
        [$ids, $username, $guid] = $this->created($emu);
        Capsule::table('mod_cometbackup_services')->where('serviceid', $ids['service'])->delete();
        $buttons = $this->entry('AdminCustomButtonArray', []);
        self::assertSame('AdoptAccount', $buttons['Adopt Comet account'] ?? null);

        $report = $this->call('AdoptAccount', $ids['service']);
        self::assertIsString($report);
        self::assertStringStartsWith('Comet Backup: adopted the Comet account ' . $username, $report);
        self::assertStringContainsString($guid, $report);
        self::assertStringContainsString('Policy group:', $report);
        self::assertSame($guid, (string) $this->stored($ids['service'])->marker);
        $again = $this->call('AdoptAccount', $ids['service']);
        self::assertStringContainsString('is already this service\'s', $again);
    }

    public function testTestConnectionWarnsWhenSecureIsOff(): void
    {
        $emu = $this->emulator();
        $test = $this->entry('TestConnection', Params::forServer(\WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures::serverFor($emu)));
        self::assertTrue($test['success'], (string) $test['error']);
        self::assertStringContainsString('clear text', $test['message']);
        self::assertStringNotContainsString($emu->adminPassword, $test['message']);
    }
}
