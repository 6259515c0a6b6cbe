<?php
// Tests of the WHMCS-shaped harness itself (tests/php/Whmcs/): the database is real MariaDB, $params
// are built as WHMCS builds them, the doubles do what WHMCS does, and Whmcs::call() catches what
// WHMCS would not tolerate. The module under test here is the tiny fixtures/harnessprobe module.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\ContractViolation;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\HarnessTestCase;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\LocalApi;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Templates;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;
use WHMCS\Service\Status;

final class HarnessTest extends HarnessTestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        Whmcs::installModule('harnessprobe', __DIR__ . '/fixtures/harnessprobe');
    }

    /** @return array{server: int, product: int, client: int, service: int, userField: int, passField: int} */
    private function world(array $serviceOverrides = []): array
    {
        $server = Fixtures::server([
            'hostname' => 'comet.example.test:8443',
            'ipaddress' => '192.0.2.10',
            'password' => 'S3rver&Pass/+=',
            'accesshash' => 'hash-text',
            'secure' => 'on',
        ]);
        $product = Fixtures::product([
            'name' => 'Backup 100',
            'servertype' => 'harnessprobe',
            'configoption1' => 'policy-1',
            'configoption3' => 'on',
            'configoption24' => 'last',
        ]);
        $client = Fixtures::client(['email' => 'grace@example.test', 'firstname' => 'Grace', 'lastname' => 'Hopper']);
        $service = Fixtures::service($client, $product, $server, $serviceOverrides + [
            'password' => 'svc-Pass 1&2',
            'domainstatus' => 'Pending',
            'domain' => 'grace.example.test',
        ]);
        $userField = Fixtures::customField($product, 'Username');
        $passField = Fixtures::customField($product, 'Password|Account password');
        Fixtures::customFieldValue($userField, $service, 'grace_h');
        return compact('server', 'product', 'client', 'service', 'userField', 'passField');
    }

    public function testTheDatabaseIsARealMariaDbServerUnlessSqliteWasAskedFor(): void
    {
        if (getenv('COMETPROV_TEST_DB') === 'sqlite') {
            self::assertSame('sqlite', Database::driver());
            self::assertMatchesRegularExpression('/^3\./', Capsule::select('SELECT sqlite_version() AS v')[0]->v);
            return;
        }
        self::assertSame('mariadb', Database::driver());
        self::assertStringContainsString('MariaDB', Capsule::select('SELECT VERSION() AS v')[0]->v);
        // Socket only, no TCP listener; the harness user is not root.
        self::assertSame('1', (string) Capsule::select("SELECT @@skip_networking AS n")[0]->n);
        self::assertStringStartsWith('whmcs@', Capsule::select('SELECT CURRENT_USER() AS u')[0]->u);
        self::assertNotNull(Database::startupSeconds());
    }

    public function testParamsAreBuiltFromTheDatabaseAsWhmcsBuildsThem(): void
    {
        $w = $this->world();
        Fixtures::customFieldValue($w['passField'], $w['service'], 'custom-Secret9');
        Fixtures::configOption($w['service'], 'number_of_devices|Devices', 5);
        Fixtures::configOption($w['service'], 'storage_vault_quota_gb|Storage (GB)', 250);
        Fixtures::configOption($w['service'], 'region|Region', 'eu|Europe');
        Fixtures::configOption($w['service'], 'sso|Single sign-on', true);
        Fixtures::configOption($w['service'], 'backups|Backups', false);

        $p = Params::forService($w['service']);

        self::assertSame($w['service'], $p['serviceid']);
        self::assertSame($w['service'], $p['accountid']);
        self::assertSame(0, $p['addonId']);
        self::assertSame($w['client'], $p['userid']);
        self::assertSame($w['product'], $p['pid']);
        self::assertSame($w['server'], $p['serverid']);
        self::assertSame('grace.example.test', $p['domain']);
        self::assertSame('svc-Pass 1&2', $p['password'], 'the service password arrives decrypted');
        self::assertSame('harnessprobe', $p['moduletype']);
        self::assertSame('other', $p['producttype']);
        self::assertSame('Pending', $p['status']);
        for ($i = 1; $i <= 24; $i++) {
            self::assertArrayHasKey("configoption{$i}", $p);
            self::assertIsString($p["configoption{$i}"]);
        }
        self::assertSame('policy-1', $p['configoption1']);
        self::assertSame('', $p['configoption2']);
        self::assertSame('on', $p['configoption3']);
        self::assertSame('last', $p['configoption24']);
        self::assertSame(['Username' => 'grace_h', 'Password' => 'custom-Secret9'], $p['customfields']);
        self::assertSame(
            ['number_of_devices' => 5, 'storage_vault_quota_gb' => 250, 'region' => 'eu', 'sso' => 1, 'backups' => 0],
            $p['configoptions']
        );
        self::assertSame('grace@example.test', $p['clientsdetails']['email']);
        self::assertSame('Grace', $p['clientsdetails']['firstname']);
        self::assertSame($w['client'], $p['clientsdetails']['id']);
        self::assertTrue($p['server']);
        self::assertSame('comet.example.test:8443', $p['serverhostname']);
        self::assertSame('192.0.2.10', $p['serverip']);
        self::assertSame('admin', $p['serverusername']);
        self::assertSame('S3rver&Pass/+=', $p['serverpassword'], 'the server password arrives decrypted');
        self::assertSame('hash-text', $p['serveraccesshash']);
        self::assertTrue($p['serversecure']);
        self::assertSame('https', $p['serverhttpprefix']);
        self::assertSame('', $p['serverport']);
        self::assertArrayHasKey('model', $p);

        // Stored encrypted, as WHMCS stores them.
        $stored = Capsule::table('tblhosting')->where('id', $w['service'])->value('password');
        self::assertNotSame('svc-Pass 1&2', $stored);
        self::assertSame('svc-Pass 1&2', decrypt($stored));
        self::assertSame('S3rver&Pass/+=', decrypt(Capsule::table('tblservers')->where('id', $w['server'])->value('password')));
        self::assertSame('', decrypt('plain text'), 'decrypt of a value that was never encrypted is empty, as in WHMCS');
    }

    public function testParamsOverridesIdsAsStringsAndTheServerSubset(): void
    {
        $w = $this->world();
        Capsule::table('tblservers')->where('id', $w['server'])->update(['secure' => '', 'port' => 8060, 'hostname' => 'comet.example.test']);

        $p = Params::forService($w['service'], ['customfields' => ['Username' => 'other'], 'domain' => '']);
        self::assertSame(['Username' => 'other', 'Password' => ''], $p['customfields'], 'overrides merge recursively');
        self::assertSame('', $p['domain']);
        self::assertFalse($p['serversecure']);
        self::assertSame('http', $p['serverhttpprefix']);
        self::assertSame('8060', $p['serverport']);

        Params::numericStrings(true);
        $p = Params::forService($w['service']);
        self::assertSame((string) $w['service'], $p['serviceid']);
        self::assertSame((string) $w['product'], $p['pid']);

        $s = Params::forServer($w['server']);
        self::assertSame(
            ['server', 'serveraccesshash', 'serverhostname', 'serverhttpprefix', 'serverid', 'serverip',
             'serverpassword', 'serverport', 'serversecure', 'serverusername', 'whmcsVersion'],
            self::sortedKeys($s)
        );
        self::assertSame('S3rver&Pass/+=', $s['serverpassword']);

        $noServer = Fixtures::service($w['client'], $w['product'], 0);
        Params::numericStrings(false);
        $p = Params::forService($noServer);
        self::assertFalse($p['server']);
        self::assertSame(0, $p['serverid']);
        self::assertSame('', $p['serverhostname']);
    }

    public function testLocalApiUpdateClientProductReallyUpdatesTheServiceAndItsCustomFields(): void
    {
        $w = $this->world();
        $otherProduct = Fixtures::product();
        $foreignField = Fixtures::customField($otherProduct, 'Username');

        $result = localAPI('UpdateClientProduct', [
            'serviceid' => $w['service'],
            'serviceusername' => 'grace_new',
            'servicepassword' => 'N3w pass!',
            'customfields' => base64_encode(serialize([
                $w['userField'] => 'grace_new',
                $w['passField'] => 'field-pass',
                $foreignField => 'must not land',
            ])),
        ]);

        self::assertSame(['result' => 'success', 'serviceid' => $w['service']], $result);
        $row = Capsule::table('tblhosting')->where('id', $w['service'])->first();
        self::assertSame('grace_new', $row->username);
        self::assertSame('N3w pass!', decrypt($row->password));
        self::assertStringStartsWith('enc:', $row->password);
        $values = Capsule::table('tblcustomfieldsvalues')->where('relid', $w['service'])->pluck('value', 'fieldid')->all();
        self::assertSame('grace_new', $values[$w['userField']]);
        self::assertSame('field-pass', $values[$w['passField']]);
        self::assertArrayNotHasKey($foreignField, $values, 'a field of another product is not written');
        self::assertSame(1, Capsule::table('tblcustomfieldsvalues')->where(['relid' => $w['service'], 'fieldid' => $w['userField']])->count());

        $p = Params::forService($w['service']);
        self::assertSame('grace_new', $p['username']);
        self::assertSame('N3w pass!', $p['password']);
        self::assertSame(['Username' => 'grace_new', 'Password' => 'field-pass'], $p['customfields']);

        self::assertSame(['result' => 'error', 'message' => 'Service ID Not Found'],
            localAPI('UpdateClientProduct', ['serviceid' => 99999, 'serviceusername' => 'x']));
        self::assertSame('error', localAPI('UpdateClientProduct', ['serviceid' => $w['service'], 'customfields' => 'not base64!'])['result']);

        self::assertSame('secret', localAPI('DecryptPassword', ['password2' => localAPI('EncryptPassword', ['password2' => 'secret'])['password']])['password']);
        $details = localAPI('GetClientsDetails', ['clientid' => $w['client']]);
        self::assertSame('grace@example.test', $details['client']['email']);
        self::assertCount(6, Recorder::localApiCalls());
        self::assertCount(3, Recorder::localApiCalls('UpdateClientProduct'));
    }

    public function testLogModuleCallMasksReplaceVarsAndHonoursTheSwitch(): void
    {
        logModuleCall('harnessprobe', 'add-user', ['TargetUser' => 'bob', 'TargetPassword' => 'hunter2-xyz'],
            '{"Status":200,"Message":"hunter2-xyz and hunter2"}', ['echo' => 'hunter2'], ['hunter2-xyz', '', 'hunter2', 42]);

        $log = Recorder::moduleLog();
        self::assertCount(1, $log);
        self::assertStringContainsString('[TargetPassword] => ***********', $log[0]['request'], 'arrays are print_r-ed, secrets become * of the same length');
        self::assertStringContainsString('[TargetUser] => bob', $log[0]['request']);
        self::assertSame('{"Status":200,"Message":"*********** and *******"}', $log[0]['response']);
        self::assertStringNotContainsString('hunter2', $log[0]['processed']);
        $row = Capsule::table('mod_harness_module_log')->first();
        self::assertSame('add-user', $row->action);
        self::assertStringNotContainsString('hunter2', $row->request . $row->response . $row->processed);

        Recorder::setModuleLogEnabled(false);
        logModuleCall('harnessprobe', 'off', 'request', 'response');
        self::assertCount(1, Recorder::moduleLog(), 'with module logging off nothing is stored');
        self::assertSame(1, Capsule::table('mod_harness_module_log')->count());

        logActivity('Something happened', 3);
        self::assertSame([['message' => 'Something happened', 'userid' => 3]], Recorder::activity());
        self::assertSame('Something happened', Capsule::table('mod_harness_activity_log')->value('description'));
    }

    public function testSecretScanFindsPlainEncodedAndBase64Leaks(): void
    {
        $secret = 'Le@k me/now+1';
        $marker = bin2hex(random_bytes(4));
        Recorder::setModuleLogEnabled(true);
        logModuleCall('harnessprobe', 'leak-url', 'TargetPassword=' . rawurlencode($secret) . '&x=' . $marker, '', '', []);
        logModuleCall('harnessprobe', 'leak-b64', 'blob ' . base64_encode('xx' . $secret . 'yy'), '', '', []);
        logModuleCall('harnessprobe', 'masked', 'TargetPassword=' . $secret, '', '', [$secret]);
        Secrets::recordPage('<p>' . htmlspecialchars($secret) . '</p>');

        $hits = Secrets::scan([$secret, '', 'never-used-' . $marker]);

        self::assertContains('module log #' . (count(Recorder::allModuleLog()) - 3) . ' request: secret #0 (url-encoded)', $hits);
        self::assertContains('module log #' . (count(Recorder::allModuleLog()) - 2) . ' request: secret #0 (base64)', $hits);
        self::assertNotContains('module log #' . (count(Recorder::allModuleLog()) - 1) . ' request: secret #0 (plain)', $hits);
        self::assertContains('page #' . (Secrets::coverage()['pages'] - 1) . ': secret #0 (html-escaped)', $hits);
        foreach ($hits as $hit) {
            self::assertStringNotContainsString($secret, $hit, 'a hit never repeats the secret');
            self::assertStringNotContainsString('secret #2', $hit);
        }
    }

    public function testWhmcsCallAppliesWhmcsSideEffectsOnSuccessAndFailure(): void
    {
        $w = $this->world();
        $params = Params::forService($w['service']);

        self::assertSame('success', Whmcs::call('CreateAccount', $params, 'admin', 'harnessprobe'));
        $row = Capsule::table('tblhosting')->where('id', $w['service'])->first();
        self::assertSame(Status::ACTIVE, $row->domainstatus);
        self::assertSame('probe' . $w['service'], $row->username, 'the module\'s localAPI call landed');
        self::assertSame([], Whmcs::lastViolations());
        self::assertCount(1, Recorder::moduleLog());
        self::assertStringNotContainsString('svc-Pass 1&2', Recorder::moduleLog()[0]['request']);

        self::assertSame('success', Whmcs::call('SuspendAccount', Params::forService($w['service'], ['suspendreason' => 'Overdue']), 'cron', 'harnessprobe'));
        $row = Capsule::table('tblhosting')->where('id', $w['service'])->first();
        self::assertSame(Status::SUSPENDED, $row->domainstatus);
        self::assertSame('Overdue', $row->suspendreason);

        self::assertSame('success', Whmcs::call('UnsuspendAccount', Params::forService($w['service']), 'admin', 'harnessprobe'));
        self::assertSame(Status::ACTIVE, Capsule::table('tblhosting')->where('id', $w['service'])->value('domainstatus'));

        self::assertSame('success', Whmcs::call('ChangePassword', Params::forService($w['service'], ['password' => 'Chang3d!']), 'admin', 'harnessprobe'));
        self::assertSame('Chang3d!', Params::forService($w['service'])['password']);

        self::assertSame('Remote said no', Whmcs::call('TerminateAccount', Params::forService($w['service'], ['probe' => 'fail']), 'admin', 'harnessprobe'));
        self::assertSame(Status::ACTIVE, Capsule::table('tblhosting')->where('id', $w['service'])->value('domainstatus'), 'a failure changes nothing');
        $activity = array_column(Recorder::activity(), 'message');
        self::assertContains("Module Terminate Failed - Service ID: {$w['service']} - Error: Remote said no", $activity);

        self::assertSame('success', Whmcs::call('TerminateAccount', Params::forService($w['service']), 'admin', 'harnessprobe'));
        self::assertSame(Status::TERMINATED, Capsule::table('tblhosting')->where('id', $w['service'])->value('domainstatus'));

        self::assertSame('success', Whmcs::call('Renew', $params, 'admin', 'harnessprobe'), 'a warning silenced with @ is no violation');
        self::assertSame(Whmcs::NOT_SUPPORTED, Whmcs::call('ChangePackage', $params, 'admin', 'harnessprobe'));
        self::assertSame(['success' => true, 'error' => ''], Whmcs::call('TestConnection', Params::forServer($w['server']), 'admin', 'harnessprobe'));
        self::assertSame(['a' => 'Thing A'], Whmcs::loader('LoadThings', Params::forServer($w['server']), 'harnessprobe'));
    }

    /** @return array<string, array{0: string, 1: string, 2: string}> */
    public function violations(): array
    {
        return [
            'printed output' => ['CreateAccount', 'echo', 'printed 12 bytes of output (starting "debug output")'],
            'PHP warning' => ['SuspendAccount', 'warn', 'PHP Warning: Undefined array key "missing" at harnessprobe.php'],
            'leaked exception' => ['UnsuspendAccount', 'throw', 'harnessprobe_UnsuspendAccount leaked RuntimeException: probe exploded'],
            'array instead of a string' => ['TerminateAccount', 'array', 'TerminateAccount returned array'],
            'markup as an error' => ['CreateAccount', 'html', 'returned markup or a stack trace'],
            'unknown localAPI command' => ['CreateAccount', 'unknownapi', "strict: localAPI('NoSuchCommand')"],
            'TestConnection without a message' => ['TestConnection', 'fail', 'TestConnection failed without an error message'],
        ];
    }

    /** @dataProvider violations */
    public function testWhmcsCallFlagsWhatWhmcsWouldNotTolerate(string $function, string $probe, string $expected): void
    {
        $w = $this->world(['domainstatus' => 'Active']);
        $params = $function === 'TestConnection' ? Params::forServer($w['server']) : Params::forService($w['service']);
        try {
            Whmcs::call($function, $params + ['probe' => $probe], 'admin', 'harnessprobe');
            self::fail('no violation was raised');
        } catch (ContractViolation $e) {
            self::assertStringContainsString($expected, $e->getMessage());
        }
        self::assertNotSame([], Whmcs::lastViolations());
        self::assertStringContainsString($expected, implode("\n", Whmcs::lastViolations()));
        if ($probe === 'throw') {
            self::assertContains('exception #' . (Secrets::coverage()['exceptions'] - 1) . ': secret #0 (plain)',
                Secrets::scan(['svc-Pass 1&2']), 'the leaked message is part of the secret scan');
        }
    }

    public function testButtonsMustNameExistingFunctionsAndLoadersMayThrow(): void
    {
        $w = $this->world();
        try {
            Whmcs::call('AdminCustomButtonArray', Params::forService($w['service']), 'admin', 'harnessprobe');
            self::fail('a button naming a missing function passed');
        } catch (ContractViolation $e) {
            self::assertStringContainsString("button 'Broken' names no function harnessprobe_NoSuchFunction", $e->getMessage());
        }
        $this->expectException(\RuntimeException::class);
        $this->expectExceptionMessage('No server hostname');
        Whmcs::loader('harnessprobe_LoadThings', Params::forServer($w['server'], ['serverhostname' => '']), 'harnessprobe');
    }

    public function testSmartyRendersModuleTemplatesWithoutEscapingForThem(): void
    {
        $w = $this->world(['domain' => '<script>alert("x")</script>']);
        $area = Whmcs::call('ClientArea', Params::forService($w['service']), 'client', 'harnessprobe');
        self::assertSame('templates/probe', $area['templatefile']);

        $html = Templates::render($area['templatefile'], $area['vars'], 'harnessprobe');

        self::assertStringContainsString('<p class="raw"><script>alert("x")</script></p>', $html,
            'an unescaped {$x} stays raw, so a test can catch it');
        self::assertStringContainsString('<p class="escaped">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>', $html);
        self::assertSame("a & b\nc", Templates::toText('<div><p>a &amp; b</p><script>hidden()</script><p> c </p></div>'));

        try {
            Templates::render('templates/missing', [], 'harnessprobe');
            self::fail('a missing template rendered');
        } catch (ContractViolation $e) {
            self::assertStringContainsString('templates/missing does not exist', $e->getMessage());
        }
        try {
            Templates::render('templates/insecure.tpl', [], 'harnessprobe');
            self::fail('the security policy let a template include a file outside the module');
        } catch (\SmartyException $e) {
            self::assertStringContainsString('not trusted', $e->getMessage());
        }
    }

    public function testResetEmptiesEveryTableIncludingOnesTheModuleCreated(): void
    {
        $this->world();
        Capsule::schema()->create('mod_harnessprobe_state', static function ($t): void {
            $t->increments('id');
            $t->string('name');
        });
        try {
            Capsule::table('mod_harnessprobe_state')->insert(['name' => 'x']);
            Database::reset();
            foreach (['tblhosting', 'tblservers', 'tblproducts', 'tblclients', 'tblcustomfields', 'tblcustomfieldsvalues', 'mod_harnessprobe_state'] as $table) {
                self::assertSame(0, Capsule::table($table)->count(), $table);
            }
        } finally {
            Capsule::schema()->drop('mod_harnessprobe_state');
        }
    }

    public function testAChildProcessCallsTheModuleOnTheSameDatabase(): void
    {
        $w = $this->world();
        [$code, $stdout, $stderr] = TestSupport::run(
            [PHP_BINARY, __DIR__ . '/Whmcs/child.php'],
            json_encode([
                'modules' => ['harnessprobe' => __DIR__ . '/fixtures/harnessprobe'],
                'calls' => [
                    ['function' => 'CreateAccount', 'service' => $w['service'], 'module' => 'harnessprobe'],
                    ['function' => 'SuspendAccount', 'service' => $w['service'], 'module' => 'harnessprobe', 'overrides' => ['probe' => 'echo']],
                ],
            ]),
            Database::childEnv()
        );
        self::assertSame(0, $code, $stderr);
        $report = json_decode($stdout, true);
        self::assertSame('success', $report['results'][0]['result']);
        self::assertStringContainsString('printed 12 bytes', implode("\n", $report['results'][1]['violations']));
        self::assertNotSame(ROOTDIR, $report['rootdir']);
        self::assertSame(Status::ACTIVE, Capsule::table('tblhosting')->where('id', $w['service'])->value('domainstatus'),
            'the child\'s CreateAccount changed this database');
    }

    public function testTheGlobalsWhmcsDefines(): void
    {
        self::assertTrue(WHMCS);
        self::assertDirectoryExists(ROOTDIR . '/modules/servers');
        self::assertTrue(is_link(ROOTDIR . '/modules/servers/cometbackup'));
        self::assertSame(realpath(__DIR__ . '/../../whmcs-module/modules/servers/cometbackup') ?: dirname(__DIR__, 2) . '/whmcs-module/modules/servers/cometbackup',
            realpath(ROOTDIR . '/modules/servers/cometbackup') ?: readlink(ROOTDIR . '/modules/servers/cometbackup'));
        self::assertSame('Suspended', Status::SUSPENDED);
        self::assertTrue(is_subclass_of(Capsule::class, \Illuminate\Database\Capsule\Manager::class));
        self::assertSame('enc:' . base64_encode('x'), encrypt('x'));
        LocalApi::register('SendEmail', static fn (array $v): array => ['result' => 'success']);
        self::assertSame(['result' => 'success'], localAPI('SendEmail', ['messagename' => 'Welcome']));
    }

    /** @return list<string> */
    private static function sortedKeys(array $a): array
    {
        $keys = array_keys($a);
        sort($keys);
        return $keys;
    }
}
