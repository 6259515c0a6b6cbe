<?php
// The harness's handle on the Comet Server emulator: a child process on a free loopback port,
// control routes, journal, TLS with a throwaway CA, and a checked stop.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\HarnessTestCase;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;

final class HarnessEmulatorTest extends HarnessTestCase
{
    public function testStartsOnLoopbackJournalsControlsAndStopsCleanly(): void
    {
        $emu = Emulator::start(['mode' => '18.9']);
        try {
            self::assertSame('127.0.0.1', $emu->host);
            self::assertGreaterThan(0, $emu->port);
            self::assertSame("http://127.0.0.1:{$emu->port}", $emu->url);
            self::assertMatchesRegularExpression('/^Adm1n-[0-9a-f]{16}$/', $emu->adminPassword);

            $version = $emu->api('meta/version');
            self::assertSame('18.9.2', $version['Version']);
            self::assertSame(403, $emu->api('meta/version', ['Password' => 'wrong'])['Status']);

            self::assertSame(['ok' => true, 'added' => 1], $emu->control('faults', ['endpoint' => 'list-users', 'kind' => 'status500']));
            self::assertSame(500, $emu->api('list-users')['Status']);
            self::assertSame([], $emu->api('list-users'), 'the fault was used up');

            $journal = $emu->journal();
            self::assertSame(['meta/version', 'meta/version', 'list-users', 'list-users'], $emu->endpoints());
            self::assertSame('***REDACTED***', $journal[0]['params']['Password']);
            self::assertSame('error:403', $journal[1]['outcome']);
            self::assertSame('fault:status500', $journal[2]['outcome']);
            $emu->control('journal/clear');
            self::assertSame([], $emu->journal());

            $server = Fixtures::serverFor($emu);
            $p = Params::forServer($server);
            self::assertSame("127.0.0.1:{$emu->port}", $p['serverhostname']);
            self::assertFalse($p['serversecure']);
            self::assertSame($emu->adminPassword, $p['serverpassword']);
        } finally {
            $emu->stop();
        }
        $this->expectException(\RuntimeException::class);
        $emu->api('meta/version');
    }

    public function testTlsWithAThrowawayCaAndSeedData(): void
    {
        $emu = Emulator::start(['tls' => true, 'seed' => ['users' => ['seeded_user' => ['password' => 'Seeded-pass1']]]]);
        try {
            self::assertStringStartsWith('https://127.0.0.1:', $emu->url);
            self::assertFileExists((string) $emu->caFile);
            self::assertSame(['seeded_user'], $emu->api('list-users'), 'verified against the throwaway CA');
            $server = Fixtures::serverFor($emu);
            self::assertSame('on', Capsule::table('tblservers')->where('id', $server)->value('secure'));

            // Without the CA the certificate is not trusted: TLS verification is real.
            $curl = curl_init($emu->url . '/api/v1/admin/meta/version');
            curl_setopt_array($curl, [CURLOPT_RETURNTRANSFER => true, CURLOPT_POST => true, CURLOPT_POSTFIELDS => '',
                CURLOPT_CAINFO => $emu->caFile . '.none', CURLOPT_CAPATH => '/nonexistent']);
            self::assertFalse(curl_exec($curl));
            curl_close($curl);
        } finally {
            $emu->stop();
        }
    }
}
