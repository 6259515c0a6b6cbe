<?php
// The whole life of a service through the real module folder, against the Comet emulator in both
// of its modes (modern 25.9 and 18.9.2): settings loaders, Test Connection, Create, Suspend,
// Unsuspend, Change Package, Change Password, admin buttons, usage, sync, SSO, Terminate.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

final class LifecycleTest extends ModuleTestCase
{
    private const GIB = 1073741824;

    /** @dataProvider modes */
    public function testTheWholeLifecycle(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $ids = $this->service($emu, ['name' => 'Backup <Pro> & Co']);
        $pid = $ids['product'];
        $sid = $ids['service'];
        $serverParams = Params::forServer($ids['server']);

        // Test Connection names the Comet version and the WebAssembly backend.
        $test = Whmcs::call('TestConnection', $serverParams);
        self::assertSame(true, $test['success'], (string) ($test['error'] ?? ''));
        self::assertSame('', $test['error']);
        $reported = implode("\n", array_column(Recorder::activity(), 'message'));
        self::assertStringContainsString($mode === '18.9' ? 'Comet Server 18.9.2' : 'Comet Server 25.9.8', $reported);
        self::assertMatchesRegularExpression('/on (PHP FFI|the wasmer-php extension) \(\S/', $reported);

        // Loaders: the policy list offers this installation's own ID for the product, the same on
        // every page view; the vault list is the server's provider map.
        $_REQUEST['id'] = (string) $pid;
        try {
            $policies = Whmcs::loader('LoadPolicies', $serverParams);
            $again = Whmcs::loader('LoadPolicies', $serverParams);
        } finally {
            unset($_REQUEST['id']);
        }
        $installId = (string) Capsule::table('tblconfiguration')->where('setting', 'CometBackupInstallId')->value('value');
        self::assertMatchesRegularExpression('/^[A-Za-z0-9]{1,32}$/', $installId);
        $managed = 'WHMCS_' . $installId . '_P' . $pid;
        self::assertSame('None', $policies['']);
        self::assertArrayHasKey($managed, $policies);
        self::assertStringContainsString('[Create New Policy Group]', $policies[$managed]);
        self::assertSame($policies, $again, 'the offered policy ID must be stable across page views');
        $providers = Whmcs::loader('LoadStorageProviders', $serverParams);
        self::assertSame('None', $providers['']);
        $provider = '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701';
        self::assertSame('Comet Storage (Local)', $providers[$provider]);

        Capsule::table('tblproducts')->where('id', $pid)->update(['configoption1' => $managed, 'configoption2' => $provider]);
        Fixtures::configOption($sid, 'number_of_devices|Devices', 3);
        Fixtures::configOption($sid, 'storage_vault_quota_gb|Storage (GB)', 10);
        Fixtures::configOption($sid, 'protected_item_quota_gb|Protected data (GB)', 20);

        // Create.
        self::assertSame('success', $this->call('CreateAccount', $sid));
        $row = $this->hosting($sid);
        self::assertSame('Active', $row->domainstatus);
        $username = (string) $row->username;
        self::assertNotSame('', $username);
        $profile = $this->profile($emu, $username);
        self::assertNotNull($profile, "no Comet account {$username}");
        self::assertSame($profile['CreationGUID'], $this->stored($sid)->marker, 'the marker is the account\'s CreationGUID');
        self::assertSame('', (string) $this->stored($sid)->claim_username, 'the claim is cleared once the account is known');
        self::assertSame(3, $profile['MaximumDevices']);
        self::assertSame($managed, $profile['PolicyID']);
        self::assertTrue($profile['AllProtectedItemsQuotaEnabled']);
        self::assertSame(20 * self::GIB, $profile['AllProtectedItemsQuotaBytes']);
        self::assertCount(1, $profile['Destinations']);
        $vault = array_values($profile['Destinations'])[0];
        self::assertTrue($vault['StorageLimitEnabled']);
        self::assertSame(10 * self::GIB, $vault['StorageLimitBytes']);
        $policy = $emu->api('policies/get', ['PolicyID' => $managed]);
        self::assertSame(200, $policy['Status'] ?? null);
        self::assertStringContainsString('Backup <Pro> & Co', json_encode($policy['Policy'], JSON_UNESCAPED_SLASHES));

        // Create again (a Module Queue retry) continues the same account, never a second one.
        $users = $emu->api('list-users');
        self::assertSame('success', $this->call('CreateAccount', $sid));
        self::assertSame($users, $emu->api('list-users'));

        // Suspend / Unsuspend.
        self::assertSame('success', $this->call('SuspendAccount', $sid));
        self::assertSame('Suspended', $this->hosting($sid)->domainstatus);
        self::assertTrue($this->profile($emu, $username)['IsSuspended']);
        self::assertSame('success', $this->call('UnsuspendAccount', $sid));
        self::assertSame('Active', $this->hosting($sid)->domainstatus);
        self::assertFalse($this->profile($emu, $username)['IsSuspended']);

        // Change Package: new quotas from the configurable options.
        Fixtures::configOption($sid, 'number_of_devices|Devices', 5);
        Fixtures::configOption($sid, 'storage_vault_quota_gb|Storage (GB)', 25);
        self::assertSame('success', $this->call('ChangePackage', $sid));
        $profile = $this->profile($emu, $username);
        self::assertSame(5, $profile['MaximumDevices']);
        self::assertSame(25 * self::GIB, array_values($profile['Destinations'])[0]['StorageLimitBytes']);

        // Admin buttons: re-apply, and "request the initial vault" when one exists already.
        $buttons = Whmcs::call('AdminCustomButtonArray', []);
        self::assertSame(['ReapplyQuotas', 'RequestVault', 'AdoptAccount'], array_values($buttons));
        Capsule::table('mod_harness_module_log')->count(); // the log table exists
        $emu->control('journal/clear');
        self::assertSame('success', $this->call('ReapplyQuotas', $sid));
        self::assertSame('success', $this->call('RequestVault', $sid));
        self::assertNotContains('request-storage-vault', $emu->endpoints(), 'a vault exists: none is requested');
        self::assertNotContains('add-user', $emu->endpoints());
        self::assertCount(1, $this->profile($emu, $username)['Destinations']);

        // Change Password: WHMCS passes the new password in $params['password'].
        $newPassword = 'N3w pass & "quoted" ' . bin2hex(random_bytes(4));
        $emu->control('journal/clear');
        self::assertSame('success', $this->call('ChangePassword', $sid, ['password' => $newPassword]));
        self::assertContains('reset-user-password', $emu->endpoints());
        self::assertSame($newPassword, decrypt((string) $this->hosting($sid)->password));

        // Usage and server sync.
        self::assertSame('success', Whmcs::call('UsageUpdate', $serverParams, 'cron'));
        $row = $this->hosting($sid);
        self::assertNotEmpty($row->lastupdate);
        self::assertSame(25 * 1024, (int) $row->disklimit);
        $list = Whmcs::call('ListAccounts', $serverParams);
        self::assertTrue($list['success']);
        $mine = array_values(array_filter($list['accounts'], static fn ($a) => $a['username'] === $username));
        self::assertCount(1, $mine);
        self::assertSame('Active', $mine[0]['status']);
        self::assertMatchesRegularExpression('/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/', $mine[0]['created']);

        // Admin tab and client area.
        $tab = Whmcs::call('AdminServicesTabFields', Params::forService($sid));
        self::assertIsArray($tab);
        self::assertStringContainsString(htmlspecialchars($username), implode("\n", $tab));
        $area = Whmcs::call('ClientArea', Params::forService($sid), 'client');
        self::assertSame('templates/clientarea', $area['templatefile'] ?? null, json_encode($area));

        // SSO: the session key stays in the module table behind a single-use token.
        $sessionKeys = [];
        $admin = Whmcs::call('AdminSingleSignOn', $serverParams);
        self::assertTrue($admin['success'], (string) ($admin['errorMsg'] ?? ''));
        $sessionKeys = array_merge($sessionKeys, $this->assertSsoRedirect($admin['redirectTo'], ['adminid' => 1], 'admin', $emu->adminUsername));
        $sso = $this->call('ServiceSingleSignOn', $sid, [], 'client');
        if ($mode === '18.9') {
            // 18.9 has no session-start-as-user: a clear refusal, not a broken link.
            self::assertFalse($sso['success']);
            self::assertStringStartsWith('Comet Backup Sign-In failed:', $sso['errorMsg']);
        } else {
            self::assertTrue($sso['success'], (string) ($sso['errorMsg'] ?? ''));
            $sessionKeys = array_merge($sessionKeys, $this->assertSsoRedirect($sso['redirectTo'], ['uid' => $ids['client']], 'user', $username));
        }

        // Terminate: the account is gone, and so are the marker and claim.
        self::assertSame('success', $this->call('TerminateAccount', $sid));
        self::assertSame('Terminated', $this->hosting($sid)->domainstatus);
        self::assertNull($this->profile($emu, $username));
        self::assertSame('', (string) ($this->stored($sid)->marker ?? ''));
        self::assertSame(0, (int) $this->stored($sid)->create_attempted, 'Terminate clears createAttempted');
        // Terminating again finds the account already gone.
        self::assertSame('success', $this->call('TerminateAccount', $sid));

        $secrets = array_merge([$emu->adminPassword, $newPassword, Params::forService($sid)['password']], $sessionKeys);
        self::assertSame([], Secrets::scan($secrets));
        self::assertNotEmpty(Recorder::moduleLog(), 'every request is logged');
    }

    /** Follows a redirectTo: the token page once (the key comes out), then never again. */
    private function assertSsoRedirect(string $url, array $session, string $kind, string $username): array
    {
        $keys = [];
        self::assertStringStartsWith(self::SYSTEM_URL . 'modules/servers/cometbackup/sso.php?token=', $url);
        parse_str((string) parse_url($url, PHP_URL_QUERY), $query);
        self::assertSame(['token'], array_keys($query), 'nothing but the token in the URL');
        $token = (string) $query['token'];
        $row = Capsule::table('mod_cometbackup_sso')->where('token_hash', hash('sha256', $token))->first();
        self::assertNotNull($row);
        $key = decrypt((string) $row->session_key);
        self::assertNotSame('', $key);
        $keys[] = $key;
        self::assertStringNotContainsString($key, $url);
        self::assertLessThanOrEqual(time() + 60, (int) $row->expires_at);

        // Someone else's login, or the same login in another browser session, cannot use it (and
        // using it burns it).
        if ($kind === 'user') {
            // A refused token is spent: ask for a new one (and note its key for the secret checks).
            $fresh = function () use ($username, &$keys): string {
                $again = $this->call('ServiceSingleSignOn', (int) Capsule::table('tblhosting')->where('username', $username)->value('id'), [], 'client');
                self::assertTrue($again['success']);
                parse_str((string) parse_url($again['redirectTo'], PHP_URL_QUERY), $query);
                $token = (string) $query['token'];
                $keys[] = decrypt((string) Capsule::table('mod_cometbackup_sso')->where('token_hash', hash('sha256', $token))->value('session_key'));
                return $token;
            };
            [$status] = $this->app->ssoPage($token, ['uid' => 999999], (string) session_id());
            self::assertSame(403, $status);
            $token = $fresh();
            [$status] = $this->app->ssoPage($token, $session, 'another-browser-' . bin2hex(random_bytes(8)));
            self::assertSame(403, $status);
            $token = $fresh();
        }
        [$status, $headers, $html] = $this->app->ssoPage($token, $session, (string) session_id());
        self::assertSame(200, $status);
        self::assertContains('Cache-Control: no-store, no-cache, must-revalidate, max-age=0', $headers);
        self::assertStringContainsString($kind === 'admin' ? 'session_login' : 'user_session_login', $html);
        [$second] = $this->app->ssoPage($token, $session, (string) session_id());
        self::assertSame(403, $second, 'a token works once');
        self::assertStringContainsString(end($keys), $html, 'the page carries the key in its script, not in a URL');
        return $keys;
    }
}
