<?php
// Each entry point returns what WHMCS expects, under success and under failure, and never prints,
// warns or throws (the harness's Whmcs::call turns any of those into a test failure).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

final class ModuleContractTest extends ModuleTestCase
{
    private const ACCOUNT_ACTIONS = ['CreateAccount', 'SuspendAccount', 'UnsuspendAccount', 'TerminateAccount',
        'ChangePassword', 'ChangePackage', 'ReapplyQuotas', 'RequestVault', 'AdoptAccount'];

    public function testMetaData(): void
    {
        $meta = Whmcs::call('MetaData', []);
        self::assertSame('Comet Backup', $meta['DisplayName']);
        self::assertSame('1.1', $meta['APIVersion']);
        self::assertTrue($meta['RequiresServer']);
        self::assertSame('8060', (string) $meta['DefaultNonSSLPort']);
        self::assertSame('443', (string) $meta['DefaultSSLPort']);
        self::assertNotSame('', $meta['ServiceSingleSignOnLabel']);
        self::assertNotSame('', $meta['AdminSingleSignOnLabel']);
        self::assertSame('username', $meta['ListAccountsUniqueIdentifierField']);
        self::assertNotSame('', $meta['ListAccountsUniqueIdentifierDisplayName']);
        self::assertSame('configoption1', $meta['ListAccountsProductField']);
    }

    public function testConfigOptionsAreTheFiveSettingsTheCoreReads(): void
    {
        $options = Whmcs::call('ConfigOptions', []);
        self::assertCount(5, $options);
        $fields = array_values($options);
        foreach ($fields as $i => $field) {
            self::assertNotSame('', $field['FriendlyName'] ?? '', "field {$i}");
            self::assertNotSame('', $field['Description'] ?? '', "field {$i}");
            self::assertContains($field['Type'], ['text', 'yesno']);
        }
        self::assertSame('cometbackup_LoadPolicies', $fields[0]['Loader']);
        self::assertSame('cometbackup_LoadStorageProviders', $fields[1]['Loader']);
        self::assertTrue(is_callable($fields[0]['Loader']) && is_callable($fields[1]['Loader']));
        self::assertSame(['yesno', 'yesno', 'yesno'], array_column(array_slice($fields, 2), 'Type'));
        self::assertStringContainsString(self::SYSTEM_URL . 'modules/servers/cometbackup/preview/index.html', $fields[0]['Description']);
        // The Description is HTML: the text in it is escaped.
        self::assertStringContainsString('&quot;[Create New Policy Group]&quot;', $fields[0]['Description']);
    }

    public function testAnOldWhmcsIsAClearMessage(): void
    {
        $sid = Fixtures::service(Fixtures::client(), Fixtures::product(), Fixtures::server(), ['password' => 'Long-enough-1']);
        $result = $this->call('CreateAccount', $sid, ['whmcsVersion' => '7.10.2-release.1']);
        self::assertSame('Comet Backup needs WHMCS 8.0 or newer; this is WHMCS 7.10.2.', $result);
        $test = Whmcs::call('TestConnection', Params::forServer(Fixtures::server(), ['whmcsVersion' => '7.9.0']));
        self::assertSame(['success' => false, 'error' => 'Comet Backup needs WHMCS 8.0 or newer; this is WHMCS 7.9.0.'], $test);
    }

    public function testRenewIsANoOpSuccess(): void
    {
        self::assertSame('success', Whmcs::call('Renew', []));
    }

    public function testEveryEntryPointAgainstAnUnreachableServer(): void
    {
        $port = self::closedPort();
        $serverId = Fixtures::server(['hostname' => '127.0.0.1:' . $port, 'secure' => '', 'password' => 'Unreach-' . bin2hex(random_bytes(4))]);
        $pid = Fixtures::product(['configoption2' => 'provider']);
        $clientId = Fixtures::client();
        $sid = Fixtures::service($clientId, $pid, $serverId, ['username' => 'someone', 'password' => 'Svc-pass-123', 'domainstatus' => 'Active']);
        \WHMCS\Module\Server\CometBackup\Service\EffectStore::ensureSchema();
        Capsule::table('mod_cometbackup_services')->insert(['serviceid' => $sid, 'marker' => 'abc', 'claim_username' => '', 'claim_at' => 0, 'custom_password' => 0]);
        $params = Params::forService($sid);
        $server = Params::forServer($serverId);

        foreach (self::ACCOUNT_ACTIONS as $fn) {
            $result = Whmcs::call($fn, $params);
            self::assertIsString($result, $fn);
            self::assertStringStartsWith('Comet Backup ', $result, $fn);
            self::assertStringContainsString('could not be reached', $result, $fn);
        }
        $test = Whmcs::call('TestConnection', $server);
        self::assertFalse($test['success']);
        self::assertStringContainsString('could not be reached', $test['error']);
        foreach (['LoadPolicies', 'LoadStorageProviders'] as $loader) {
            try {
                Whmcs::loader($loader, $server);
                self::fail("{$loader} did not throw");
            } catch (\Exception $e) {
                self::assertStringContainsString('could not be reached', $e->getMessage());
            }
        }
        $list = Whmcs::call('ListAccounts', $server);
        self::assertSame(false, $list['success']);
        self::assertStringContainsString('could not be reached', $list['error']);
        foreach (['ServiceSingleSignOn' => $params, 'AdminSingleSignOn' => $server] as $fn => $p) {
            $sso = Whmcs::call($fn, $p);
            self::assertSame(false, $sso['success'], $fn);
            self::assertStringContainsString('could not be reached', $sso['errorMsg']);
        }
        $usage = Whmcs::call('UsageUpdate', $server, 'cron');
        self::assertIsString($usage);
        self::assertStringContainsString('could not be reached', implode("\n", array_column(Recorder::activity(), 'message')));
        self::assertIsArray(Whmcs::call('AdminServicesTabFields', $params));
        $area = Whmcs::call('ClientArea', $params, 'client');
        self::assertIsArray($area);
        self::assertSame('Active', $this->hosting($sid)->domainstatus, 'a failed action changes nothing');
        self::assertSame([], Secrets::scan([$params['serverpassword'], $params['password']]));
    }

    public function testAccountActionsBeforeCreateSayWhatIsMissing(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu);
        foreach (['SuspendAccount', 'UnsuspendAccount', 'TerminateAccount', 'ChangePackage'] as $fn) {
            $result = $this->call($fn, $ids['service']);
            self::assertStringContainsString('no Comet username recorded', $result, $fn);
        }
        self::assertSame([], $emu->journal(), 'nothing was asked of the server');
    }

    public function testAShortPasswordIsRefusedBeforeAnyRequest(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu, [], ['password' => 'short']);
        $result = $this->call('CreateAccount', $ids['service']);
        self::assertStringStartsWith('Comet Backup Create failed: The password must be at least 8 characters long.', $result);
        self::assertSame([], $emu->journal());
        self::assertSame('Pending', $this->hosting($ids['service'])->domainstatus);
    }

    public function testTestConnectionBadCredentials(): void
    {
        $emu = $this->emulator();
        $serverId = Fixtures::serverFor($emu, ['password' => 'wrong-password']);
        $test = Whmcs::call('TestConnection', Params::forServer($serverId));
        self::assertFalse($test['success']);
        self::assertStringContainsString('refused the admin username or password', $test['error']);
    }

    public function testTestConnectionTotpRequired(): void
    {
        $emu = $this->emulator(['totpSecret' => 'JBSWY3DPEHPK3PXP']);
        $test = Whmcs::call('TestConnection', Params::forServer(Fixtures::serverFor($emu)));
        self::assertFalse($test['success']);
        self::assertStringContainsString('two-factor authentication (TOTP)', $test['error']);
    }

    public function testTestConnectionNotAComet(): void
    {
        $emu = $this->emulator();
        // A base path where nothing answers like Comet (the emulator answers HTTP 404 there).
        $serverId = Fixtures::serverFor($emu, ['hostname' => $emu->host . ':' . $emu->port . '/not-comet']);
        $test = Whmcs::call('TestConnection', Params::forServer($serverId));
        self::assertFalse($test['success']);
        self::assertStringContainsString('does not answer like a Comet Server', $test['error']);
    }

    public function testTestConnectionTooOld(): void
    {
        $emu = $this->emulator(['mode' => '18.9', 'serverVersion' => '18.8.5']);
        $test = Whmcs::call('TestConnection', Params::forServer(Fixtures::serverFor($emu)));
        self::assertFalse($test['success']);
        self::assertStringContainsString('too old', $test['error']);
        self::assertStringContainsString('18.9.2', $test['error']);
    }

    public function testTlsIsVerifiedAndAPrivateCaCanBeGivenInTheAccessHash(): void
    {
        $emu = $this->emulator(['tls' => true]);
        $serverId = Fixtures::serverFor($emu);
        $test = Whmcs::call('TestConnection', Params::forServer($serverId));
        self::assertFalse($test['success']);
        self::assertStringContainsString('TLS (HTTPS) connection to the Comet Server failed verification', $test['error']);

        Capsule::table('tblservers')->where('id', $serverId)->update(['accesshash' => (string) file_get_contents($emu->caFile)]);
        $test = Whmcs::call('TestConnection', Params::forServer($serverId));
        self::assertTrue($test['success'], (string) $test['error']);
        self::assertStringNotContainsString('clear text', $test['message'], 'no Secure warning over HTTPS');
        self::assertStringStartsWith('https://', $this->app->client(Params::forServer($serverId))->baseUrl());
    }

    public function testTestConnectionTimeout(): void
    {
        $emu = $this->emulator(['latency' => 3000]);
        $this->app = self::app(['connectTimeout' => 1, 'timeout' => 1]);
        $test = $this->entry('TestConnection', Params::forServer(Fixtures::serverFor($emu)));
        self::assertFalse($test['success']);
        self::assertStringContainsString('did not answer in time', $test['error']);
    }

    public function testABrokenRuntimeIsAClearMessage(): void
    {
        $this->app = self::app([], ['backend' => 'ffi', 'runtimeLibrary' => sys_get_temp_dir() . '/no-such-dir/libwasmer.so']);
        $serverId = Fixtures::server(['hostname' => '127.0.0.1:' . self::closedPort(), 'secure' => '']);
        $test = $this->entry('TestConnection', Params::forServer($serverId));
        self::assertFalse($test['success']);
        self::assertStringContainsString('cannot run its core', $test['error']);

        $this->app = self::app([], ['wasmPath' => sys_get_temp_dir() . '/no-such-dir/cometprov.wasm']);
        $pid = Fixtures::product();
        $sid = Fixtures::service(Fixtures::client(), $pid, $serverId, ['password' => 'Long-enough-1']);
        $result = $this->call('CreateAccount', $sid);
        self::assertStringStartsWith('Comet Backup Create failed: The module cannot run its core', $result);
    }

    public function testHostnameWithPortAndBasePath(): void
    {
        $client = $this->app->client(['serverhostname' => 'comet.example.com:8443/backup/', 'serversecure' => true,
            'serverport' => '443', 'serverusername' => 'a', 'serverpassword' => 'b']);
        self::assertSame('https://comet.example.com:8443/backup', $client->baseUrl());
        $client = $this->app->client(['serverhostname' => 'comet.example.com', 'serversecure' => false, 'serverport' => '']);
        self::assertSame('http://comet.example.com:8060', $client->baseUrl());
        $client = $this->app->client(['serverhostname' => '', 'serverip' => '10.0.0.5', 'serversecure' => 'on', 'serverport' => '']);
        self::assertSame('https://10.0.0.5', $client->baseUrl());
        $this->expectException(\InvalidArgumentException::class);
        $this->app->client(['serverhostname' => 'bad host name', 'serversecure' => true]);
    }

    public function testARedirectIsNeverFollowed(): void
    {
        $dir = TestSupport::tempDir('redirect');
        file_put_contents($dir . '/router.php', '<?php header("Location: http://127.0.0.1:9/steal"); http_response_code(302); echo "moved";');
        $port = self::closedPort();
        $proc = proc_open([PHP_BINARY, '-S', '127.0.0.1:' . $port, $dir . '/router.php'], [0 => ['file', '/dev/null', 'r'],
            1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
        self::assertIsResource($proc);
        try {
            for ($i = 0; $i < 50 && @fsockopen('127.0.0.1', $port) === false; $i++) {
                usleep(100000);
            }
            $serverId = Fixtures::server(['hostname' => '127.0.0.1:' . $port, 'secure' => '']);
            $test = Whmcs::call('TestConnection', Params::forServer($serverId));
            self::assertFalse($test['success']);
            self::assertStringContainsString('HTTP 302', $test['error']);
        } finally {
            proc_terminate($proc, SIGTERM);
            $status = proc_get_status($proc);
            for ($i = 0; $i < 100 && $status['running']; $i++) {
                usleep(50000);
                $status = proc_get_status($proc);
            }
            proc_close($proc);
            self::assertFalse($status['running'], 'php -S did not stop');
            self::assertTrue($status['signaled'] ? $status['termsig'] === SIGTERM : $status['exitcode'] === 0,
                'php -S ended by anything but our SIGTERM: ' . json_encode($status));
        }
    }

    public function testTheInstallIdIsGeneratedOnceAndKept(): void
    {
        $emu = $this->emulator();
        $server = Params::forServer(Fixtures::serverFor($emu));
        Whmcs::call('ListAccounts', $server);
        $first = Capsule::table('tblconfiguration')->where('setting', 'CometBackupInstallId')->pluck('value')->all();
        // A new request: a new App, and nothing the last one cached about the installation.
        \WHMCS\Module\Server\CometBackup\Whmcs\Settings::reset();
        $this->app = self::app();
        Whmcs::call('ListAccounts', $server);
        $second = Capsule::table('tblconfiguration')->where('setting', 'CometBackupInstallId')->pluck('value')->all();
        self::assertCount(1, $first);
        self::assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $first[0]);
        self::assertSame($first, $second);
    }

    public function testTheContextCarriesNoServerCredentialsAndTheStoredEffects(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu, ['name' => 'Plan A']);
        \WHMCS\Module\Server\CometBackup\Service\EffectStore::ensureSchema();
        Capsule::table('mod_cometbackup_services')->insert(['serviceid' => $ids['service'], 'marker' => 'guid-1',
            'claim_username' => 'bob', 'claim_at' => 1700000000, 'custom_password' => 0]);
        $params = Params::forService($ids['service'], ['serveraccesshash' => 'token-xyz']);
        $client = $this->app->client($params);
        $ctx = (new \WHMCS\Module\Server\CometBackup\Service\ContextBuilder(
            new \WHMCS\Module\Server\CometBackup\Service\EffectStore(),
            static fn (): int => 1234567890
        ))->service($params, $client);
        foreach (['serverpassword', 'serverusername', 'serveraccesshash', 'model', 'serverhostname'] as $key) {
            self::assertArrayNotHasKey($key, $ctx);
        }
        self::assertStringNotContainsString($emu->adminPassword, json_encode($ctx));
        self::assertSame(1234567890, $ctx['now']);
        self::assertSame('guid-1', $ctx['marker']);
        self::assertEquals((object) ['username' => 'bob', 'at' => 1700000000], $ctx['claim']);
        self::assertSame('Plan A', $ctx['productName']);
        self::assertSame($client->baseUrl() . '/', $ctx['serverUrl']);
        self::assertMatchesRegularExpression('/^[0-9a-f]{32}$/', $ctx['installId']);
    }

    public function testAdminCredentialsGoLastAndCannotBeOverridden(): void
    {
        $emu = $this->emulator();
        $client = $this->app->client(Params::forServer(Fixtures::serverFor($emu)));
        $reply = $client->post('meta/version', ['Username' => 'intruder', 'AuthType' => 'SessionKey', 'SessionKey' => 'x']);
        self::assertTrue($reply->isOk(), $reply->describe());
        $entry = $emu->journal()[0];
        self::assertSame($emu->adminUsername, $entry['params']['Username']);
        self::assertSame('Password', $entry['params']['AuthType']);
        self::assertArrayNotHasKey('SessionKey', $entry['params']);
        self::assertSame([], Secrets::scan([$emu->adminPassword]));
    }

    private static function closedPort(): int
    {
        $sock = stream_socket_server('tcp://127.0.0.1:0');
        self::assertIsResource($sock);
        $name = stream_socket_get_name($sock, false);
        fclose($sock);
        return (int) substr((string) $name, strrpos((string) $name, ':') + 1);
    }
}
