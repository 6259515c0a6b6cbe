<?php
// Hostile values through the WHMCS call site: every invalid one stops with a message naming its field,
// and the emulator's journal proves nothing reached Comet; unusual but legal values (SQL and HTML
// metacharacters) work and round-trip. Also the host's size limit in front of the WebAssembly memory
// and a trap inside the core.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\CoreException;
use WHMCS\Module\Server\CometBackup\Module;
use WHMCS\Module\Server\CometBackup\Service\ContextBuilder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

final class HostileInputTest extends ModuleTestCase
{
    private const TEN_MB = 10 * 1024 * 1024;

    /** Bad bytes every text field is tried with: [label, value, words expected after the field name]. */
    private static function badValues(): array
    {
        return [
            ['NUL', "alice\0smith", 'contains a NUL character'],
            ['CR', "alice\rsmith", 'contains a line break'],
            ['LF', "alice\nX-Injected: 1", 'contains a line break'],
            ['CRLF', "alice\r\nsmith", 'contains a line break'],
            ['10 MB', str_repeat('a', self::TEN_MB), 'more than the 4,096 the module accepts'],
            ['invalid UTF-8', "alice\xC3\x28\xFF", 'is not valid UTF-8 text'],
        ];
    }

    /**
     * Calls $function and checks the refusal: a "Comet Backup ... failed" sentence naming $field,
     * short, without the value, with no request in the emulator's journal.
     */
    private function assertRefused(Emulator $emu, string $function, array $params, string $field, string $words, string $case, ?string $value = null): string
    {
        $emu->control('journal/clear');
        $result = Whmcs::call($function, $params);
        $text = is_array($result) ? (string) ($result['error'] ?? $result['errorMsg'] ?? json_encode($result)) : (string) $result;
        if (is_array($result)) {
            self::assertFalse($result['success'] ?? true, $case);
        }
        self::assertStringStartsWith('Comet Backup ', $text, $case);
        self::assertStringContainsString('failed', $text, $case);
        self::assertStringContainsStringIgnoringCase($field, $text, "{$case}: the message names the field");
        self::assertStringContainsString($words, $text, $case);
        self::assertLessThanOrEqual(1000, strlen($text), $case);
        if ($value !== null && strlen($value) >= 6) {
            self::assertStringNotContainsString($value, $text, "{$case}: the value is not quoted");
        }
        self::assertSame([], $emu->journal(), "{$case}: nothing may be sent to Comet");
        return $text;
    }

    public function testBadBytesInEveryServiceFieldAreRefusedByName(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu);
        Fixtures::configOption($ids['service'], 'number_of_devices|Devices', 3);
        $fields = [
            'custom field Username' => static fn (string $v): array => ['customfields' => ['Username' => $v]],
            'custom field Password' => static fn (string $v): array => ['customfields' => ['Password' => $v]],
            "service's password" => static fn (string $v): array => ['password' => $v],
            "service's username" => static fn (string $v): array => ['username' => $v],
            "client's email address" => static fn (string $v): array => ['clientsdetails' => ['email' => $v]],
            "client's first name" => static fn (string $v): array => ['clientsdetails' => ['firstname' => $v]],
            'module setting Policy Group (configoption1)' => static fn (string $v): array => ['configoption1' => $v],
            'module setting Initial Storage Vault (configoption2)' => static fn (string $v): array => ['configoption2' => $v],
            'configurable option number_of_devices' => static fn (string $v): array => ['configoptions' => ['number_of_devices' => $v]],
        ];
        $tried = 0;
        foreach ($fields as $field => $override) {
            foreach (self::badValues() as [$label, $value, $words]) {
                $params = Params::forService($ids['service'], $override($value));
                $this->assertRefused($emu, 'CreateAccount', $params, "The {$field}", $words, "{$field} with {$label}", $value);
                $tried++;
            }
        }
        // The other account actions check the same context.
        foreach (['SuspendAccount', 'ChangePassword', 'TerminateAccount', 'ChangePackage'] as $fn) {
            $params = Params::forService($ids['service'], ['customfields' => ['Password' => "x\0y"]]);
            $this->assertRefused($emu, $fn, $params, 'The custom field Password', 'NUL', $fn);
            $tried++;
        }
        // A configurable option whose name is hostile is named generically, never quoted.
        $params = Params::forService($ids['service']);
        $params['configoptions']["evil\0name"] = '1';
        $this->assertRefused($emu, 'CreateAccount', $params, 'The name of a configurable option', 'NUL', 'option name');
        self::assertSame('Pending', $this->hosting($ids['service'])->domainstatus, 'nothing was created');
        self::assertGreaterThan(55, $tried);
        // The refusals went to WHMCS's activity log like any failed action.
        self::assertNotEmpty(array_filter(Recorder::activity(), static fn (array $a): bool => str_contains($a['message'], 'The custom field Username contains a NUL character')));
    }

    public function testBadProductNamesAreRefusedByName(): void
    {
        $emu = $this->emulator();
        foreach (['LF' => ["Backup\nPro", 'contains a line break'], 'NUL' => ["Backup\0Pro", 'contains a NUL character'],
            '5,000 bytes' => [str_repeat('P', 5000), 'more than the 4,096']] as $label => [$name, $words]) {
            $ids = $this->service($emu, ['name' => $name]);
            $this->assertRefused($emu, 'CreateAccount', Params::forService($ids['service']), 'The product name', $words, "product name with {$label}");
        }
    }

    /** @return array<string, array{0: string, 1: string|bool, 2: string}> hostname, secure, expected words */
    public static function badHostnames(): array
    {
        return [
            'NUL' => ["127.0.0.1\0.evil", '', 'control character'],
            'CR LF' => ["127.0.0.1\r\nHost: evil", '', 'control character'],
            'LF' => ["127.0.0.1\n", '', 'control character'],
            'space' => ['comet example.com', '', 'control character'],
            '10 MB' => [str_repeat('a', self::TEN_MB), '', 'longer than 1,024'],
            'invalid UTF-8' => ["comet\xFF.example.com", '', 'not UTF-8'],
            'userinfo' => ['admin:S3cret-pass@127.0.0.1:8060', '', 'user name or password'],
            'userinfo with scheme' => ['http://admin:S3cret-pass@127.0.0.1', '', 'user name or password'],
            'https scheme, Secure off' => ['https://127.0.0.1:8060', '', 'Secure (SSL) option is off'],
            'http scheme, Secure on' => ['http://127.0.0.1:8060', 'on', 'Secure (SSL) option is on'],
            'ftp scheme' => ['ftp://127.0.0.1', '', 'other than http:// or https://'],
            'javascript scheme' => ['javascript://127.0.0.1', '', 'other than http:// or https://'],
            'query' => ['127.0.0.1:8060?x=1', '', 'query (?)'],
            'fragment' => ['127.0.0.1#frag', '', 'fragment (#)'],
            'bad IPv6' => ['[::g1]:8060', '', 'no valid IPv6 address'],
            'IPv6 zone' => ['[fe80::1%eth0]:8060', '', 'no valid IPv6 address'],
            'port out of range' => ['127.0.0.1:99999', '', 'out of range'],
            'bad path' => ['127.0.0.1/a"b', '', 'base path'],
            'underscore host' => ['comet_server.example', '', 'not a valid host name'],
            'SQL' => ["comet.example.com';DROP", '', 'not a valid host name'],
            'HTML' => ['<script>alert(1)</script>', '', 'not a valid host name'],
        ];
    }

    public function testBadServerHostnamesAreRefusedByNameInEveryKindOfCall(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu);
        foreach (self::badHostnames() as $case => [$hostname, $secure, $words]) {
            $override = ['serverhostname' => $hostname, 'serversecure' => $secure === 'on'];
            $this->assertRefused($emu, 'CreateAccount', Params::forService($ids['service'], $override),
                'server hostname', $words, "Create, hostname {$case}");
            $this->assertRefused($emu, 'TestConnection', Params::forServer($ids['server'], $override),
                'server hostname', $words, "TestConnection, hostname {$case}");
        }
        // The password of a pasted user:password@ is not repeated anywhere.
        self::assertSame([], Secrets::scan(['S3cret-pass']));
        // An empty hostname falls back to the IP address, checked the same way.
        $params = Params::forServer($ids['server'], ['serverhostname' => '', 'serverip' => "10.0.0.1\n"]);
        $this->assertRefused($emu, 'TestConnection', $params, 'The server IP address', 'control character', 'serverip');
    }

    public function testLegalUnusualHostnamesWork(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu);
        $ok = [
            'IPv6 literal (IPv4-mapped, reaches the emulator on 127.0.0.1)' => "[::ffff:127.0.0.1]:{$emu->port}",
            'http:// matching Secure off (stripped)' => "http://127.0.0.1:{$emu->port}",
            'trailing slash' => "127.0.0.1:{$emu->port}/",
            'upper-case scheme' => "HTTP://127.0.0.1:{$emu->port}",
        ];
        foreach ($ok as $case => $hostname) {
            $r = Whmcs::call('TestConnection', Params::forServer($ids['server'], ['serverhostname' => $hostname, 'serversecure' => false]));
            self::assertTrue($r['success'], "{$case}: " . json_encode($r));
        }
        self::assertSame("http://[::ffff:127.0.0.1]:{$emu->port}", Module::client(['serverhostname' => "[::FFFF:127.0.0.1]:{$emu->port}"])->baseUrl());
        self::assertSame('http://[2001:db8::5]:8060', Module::client(['serverhostname' => '2001:db8::5', 'serverport' => ''])->baseUrl());
        self::assertSame('https://[::1]:8443/comet', Module::client(['serverhostname' => 'https://[::1]:8443/comet/', 'serversecure' => 'on'])->baseUrl());
        // [::1] is a valid host: the connection is tried (nothing listens there), not refused as a setting.
        $r = Whmcs::call('TestConnection', Params::forServer($ids['server'], ['serverhostname' => '[::1]:1', 'serversecure' => false]));
        self::assertFalse($r['success']);
        self::assertStringNotContainsString('The server hostname', $r['error']);
        self::assertStringNotContainsString('settings are not usable', $r['error']);
    }

    public function testSqlAndHtmlMetacharactersInPasswordsWorkAndRoundTrip(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu, [], [], ['firstname' => "O'Brien <b>&amp;", 'lastname' => 'Ro"bert\'); DROP TABLE tblclients;--']);
        $custom = "p'\"<script>alert(1)</script>&amp;%27--;DROP TABLE tblhosting;\\ \t" . bin2hex(random_bytes(3));
        Fixtures::customFieldValue($ids['username'], $ids['service'], 'o.brien_' . bin2hex(random_bytes(3)) . '@example.com');
        Fixtures::customFieldValue($ids['password'], $ids['service'], $custom);
        $this->assertSame('success', $this->call('CreateAccount', $ids['service']));
        $username = (string) $this->hosting($ids['service'])->username;
        self::assertMatchesRegularExpression('/^o\.brien_[0-9a-f]{6}@example\.com$/', $username);
        self::assertTrue(self::passwordIs($emu, $username, $custom), 'Comet holds exactly the custom password');
        self::assertSame($custom, decrypt((string) $this->hosting($ids['service'])->password), 'WHMCS stores the same password');
        $new = "n3w'\"</textarea><img src=x onerror=alert(1)>%00%0a" . bin2hex(random_bytes(3));
        self::assertSame('success', $this->call('ChangePassword', $ids['service'], ['password' => $new]));
        self::assertTrue(self::passwordIs($emu, $username, $new), 'ChangePassword round-trips');
        self::assertSame(1, Capsule::table('tblclients')->count(), 'no SQL ran from a value');
        self::assertSame([], Secrets::scan([$custom, $new, $emu->adminPassword]));
    }

    public function testHtmlAndSqlInAProductNameWork(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu, ['name' => 'Backup <b>Pro</b> & "Co" \'; DROP TABLE tblproducts;--']);
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        self::assertNotNull($this->profile($emu, (string) $this->hosting($ids['service'])->username));
    }

    public function testInvalidCustomUsernameIsRefusedBeforeAnyRequest(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu);
        foreach (["bob'; DROP TABLE tblhosting;--", '<script>x</script>', 'bob smith'] as $name) {
            Fixtures::customFieldValue($ids['username'], $ids['service'], $name);
            $emu->control('journal/clear');
            $r = $this->call('CreateAccount', $ids['service']);
            self::assertStringStartsWith('Comet Backup ', $r);
            self::assertStringContainsString('username', $r, $name);
            // Only the server's version may be asked first (none is recorded yet): never the name.
            self::assertSame([], array_values(array_diff($emu->endpoints(), ['meta/version'])), "{$name}: nothing may be sent to Comet");
        }
    }

    /** Comet's (the emulator's) stored hash emu1$<salt>$<sha256(salt:password)> matches $password. */
    private static function passwordIs(Emulator $emu, string $username, string $password): bool
    {
        $profile = $emu->api('get-user-profile', ['TargetUser' => $username]);
        [$scheme, $salt, $hex] = explode('$', (string) $profile['PasswordHash']) + ['', '', ''];
        return $scheme === 'emu1' && hash_equals($hex, hash('sha256', $salt . ':' . $password));
    }

    public function testTheFieldLimitIsTheDocumentedOne(): void
    {
        self::assertSame(str_repeat('a', 4096), ContextBuilder::text(str_repeat('a', 4096), 'x'));
        $this->expectExceptionMessage('The custom field Username is 4,097 bytes long');
        ContextBuilder::text(str_repeat('a', 4097), 'custom field Username');
    }

    public function testTheHostRefusesOversizedRequestsBeforeTheyEnterWebAssemblyMemory(): void
    {
        // Through the extension backend in a child, counting the pretend extension's calls: a refused
        // request makes none (no cp_alloc, no memory view, no copy).
        $big = ['prefix' => '{"op":"x","s":"', 'repeat' => 'a', 'times' => Core::MAX_REQUEST_BYTES, 'suffix' => '"}'];
        $exact = ['prefix' => '{"s":"', 'repeat' => 'b', 'times' => Core::MAX_REQUEST_BYTES - 8, 'suffix' => '"}'];
        $resume = ['prefix' => '{"op":"plan.resume","s":"', 'repeat' => 'c', 'times' => Core::MAX_REQUEST_BYTES + 10, 'suffix' => '"}'];
        $report = TestSupport::child(
            ['wasmPath' => TestSupport::fixture('echo'), 'cacheDir' => TestSupport::tempDir('cache'), 'backend' => 'extension'],
            [$big],
            [],
            ['COMETPROV_TEST_WASMER_SHIM' => '1', 'COMETPROV_WASM_RUNTIME' => TestSupport::runtimeLibrary(), 'COMETPROV_CHILD_CONTINUE' => '1']
        );
        self::assertSame('bad_request', $report['responses'][0]['reason'] ?? null, json_encode($report));
        self::assertStringContainsString('more than the 16 MiB limit', $report['responses'][0]['message']);
        self::assertStringContainsString("('x')", $report['responses'][0]['message']);
        self::assertSame($report['extensionCallsAtStart'], $report['extensionCalls'], 'not one call into the runtime');
        // At the limit it passes, and plan.resume (a Comet reply) has the larger limit; over FFI here.
        $core = Core::fromConfig(['wasmPath' => TestSupport::fixture('echo'), 'runtimeLibrary' => TestSupport::runtimeLibrary(), 'backend' => 'ffi']);
        $request = $exact['prefix'] . str_repeat('b', $exact['times']) . $exact['suffix'];
        self::assertSame(Core::MAX_REQUEST_BYTES, strlen($request));
        self::assertSame(strlen($request) + 20, strlen($core->invokeJson($request)));
        $request = $resume['prefix'] . str_repeat('c', $resume['times']) . $resume['suffix'];
        self::assertSame(strlen($request) + 20, strlen($core->invokeJson($request)));
        unset($request);
        try {
            $core->invoke('plan.start', ['context' => ['productName' => str_repeat('é', Core::MAX_REQUEST_BYTES / 2)]]);
            self::fail('expected the limit');
        } catch (CoreException $e) {
            self::assertSame(CoreException::BAD_REQUEST, $e->reason());
            self::assertStringContainsString("('plan.start')", $e->getMessage());
            self::assertStringNotContainsString('éé', $e->getMessage());
        }
        self::assertSame(16 * 1024 * 1024, Core::limitFor('plan.start'));
        self::assertSame(512 * 1024 * 1024, Core::limitFor('plan.resume'));
    }

    public function testATrapInsideTheCoreIsAClearErrorAndTheNextCallRunsOnAFreshInstance(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu);
        $config = self::coreConfig();
        Module::configure(['wasmPath' => TestSupport::fixture('trap-large')] + $config, ['connectTimeout' => 5, 'timeout' => 20]);
        // A request over 4000 bytes traps in this fixture; the custom password makes it long.
        Fixtures::customFieldValue($ids['password'], $ids['service'], 'Long-' . str_repeat('x', 4000));
        $r = $this->call('CreateAccount', $ids['service']);
        self::assertStringStartsWith('Comet Backup Create failed', $r);
        self::assertStringContainsString('crashed', $r);
        self::assertStringContainsString('WebAssembly trap', $r);
        self::assertStringContainsString('next call starts a fresh one', $r);
        self::assertStringNotContainsString('xxxxxxxx', $r);
        self::assertSame([], $emu->journal());
        Fixtures::customFieldValue($ids['password'], $ids['service'], 'Short-password-1');
        self::assertSame('success', $this->call('SuspendAccount', $ids['service']), 'the same Core, a fresh instance');
        $log = implode("\n", array_map(static fn (array $e): string => $e['response'], Recorder::moduleLog()));
        self::assertStringContainsString('WebAssembly trap', $log, 'the trap is in the module log');
    }
}
