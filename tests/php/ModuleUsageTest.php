<?php
// UsageUpdate: 1,000 services of one server from ONE list-users-full, MB written to tblhosting,
// other servers, other modules and terminated services untouched, mismatches reported.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

final class ModuleUsageTest extends ModuleTestCase
{
    private const MIB = 1048576;
    private const N = 1000;

    public function testAThousandServicesFromOneListUsersFull(): void
    {
        // User i: two cloud vaults of (i + 1) MiB and 2 (i + 1) MiB, the first limited to (i + 10)
        // GiB, the second unlimited; and a local copy of 999 MiB that is not cloud usage.
        $users = [];
        for ($i = 0; $i < self::N; $i++) {
            $users[] = [
                'username' => sprintf('usage.user%04d', $i),
                'profile' => ['Destinations' => [
                    'a' . $i => ['Description' => 'A', 'DestinationType' => 1003, 'StorageLimitEnabled' => true,
                        'StorageLimitBytes' => ($i + 10) * 1024 * self::MIB,
                        'Statistics' => ['ClientProvidedSize' => ['Size' => ($i + 1) * self::MIB]]],
                    'b' . $i => ['Description' => 'B', 'DestinationType' => 1003, 'StorageLimitEnabled' => false,
                        'StorageLimitBytes' => 0,
                        'Statistics' => ['ClientProvidedSize' => ['Size' => 2 * ($i + 1) * self::MIB]]],
                ]],
            ];
        }
        $users[] = ['username' => 'orphan.account'];
        $emu = $this->emulator(['seed' => ['users' => $users]]);

        $serverId = Fixtures::serverFor($emu);
        $otherServer = Fixtures::server(['hostname' => '127.0.0.1:1', 'secure' => '']);
        $pid = Fixtures::product();
        $otherModule = Fixtures::product(['servertype' => 'cpanel']);
        $clientId = Fixtures::client();
        $rows = [];
        for ($i = 0; $i < self::N; $i++) {
            $rows[] = self::row($clientId, $pid, $serverId, sprintf('usage.user%04d', $i), $i % 7 === 0 ? 'Suspended' : 'Active');
        }
        foreach (array_chunk($rows, 200) as $chunk) {
            Capsule::table('tblhosting')->insert($chunk);
        }
        $terminated = Capsule::table('tblhosting')->insertGetId(self::row($clientId, $pid, $serverId, 'usage.user0001', 'Terminated'));
        $elsewhere = Capsule::table('tblhosting')->insertGetId(self::row($clientId, $pid, $otherServer, 'usage.user0002', 'Active'));
        $foreign = Capsule::table('tblhosting')->insertGetId(self::row($clientId, $otherModule, $serverId, 'usage.user0003', 'Active'));
        $noAccount = Capsule::table('tblhosting')->insertGetId(self::row($clientId, $pid, $serverId, 'never.created', 'Active'));
        $emu->control('journal/clear');

        $started = microtime(true);
        $result = Whmcs::call('UsageUpdate', Params::forServer($serverId), 'cron');
        $seconds = microtime(true) - $started;
        self::assertSame('success', $result);
        self::assertSame(['list-users-full'], $emu->endpoints(), 'one request for the whole server');

        $written = Capsule::table('tblhosting')->where('server', $serverId)->where('packageid', $pid)
            ->whereIn('domainstatus', ['Active', 'Suspended'])->where('username', 'like', 'usage.user%')
            ->orderBy('id')->get(['username', 'diskusage', 'disklimit', 'lastupdate']);
        self::assertCount(self::N, $written);
        $lastupdate = null;
        foreach ($written as $row) {
            $i = (int) substr((string) $row->username, 10);
            self::assertSame(3 * ($i + 1), (int) $row->diskusage, (string) $row->username);
            // One vault unlimited: the account's limit is unlimited (0).
            self::assertSame(0, (int) $row->disklimit, (string) $row->username);
            self::assertNotEmpty($row->lastupdate);
            $lastupdate ??= $row->lastupdate;
            self::assertSame($lastupdate, $row->lastupdate, 'one timestamp for the whole run');
        }
        foreach ([$terminated, $elsewhere, $foreign] as $untouched) {
            $row = Capsule::table('tblhosting')->where('id', $untouched)->first();
            self::assertSame(0, (int) $row->diskusage, "service {$untouched}");
            self::assertTrue($row->lastupdate === null || str_starts_with((string) $row->lastupdate, '0000'), "service {$untouched}");
        }
        $report = implode("\n", array_column(Recorder::activity(), 'message'));
        self::assertStringContainsString('1000 services updated', $report);
        self::assertStringContainsString('1 services have no Comet account on this server (service IDs ' . $noAccount . ')', $report);
        self::assertStringContainsString('orphan.account', $report);
        fwrite(STDERR, sprintf("\n[usage] %d services in %.2f s\n", self::N, $seconds));
    }

    public function testLimitsOfLimitedVaultsAddUp(): void
    {
        $emu = $this->emulator(['seed' => ['users' => [[
            'username' => 'limited.user',
            'profile' => ['Destinations' => [
                'x' => ['Description' => 'X', 'DestinationType' => 1003, 'StorageLimitEnabled' => true,
                    'StorageLimitBytes' => 5 * 1024 * self::MIB, 'Statistics' => ['ClientProvidedSize' => ['Size' => 100 * self::MIB]]],
                'y' => ['Description' => 'Y', 'DestinationType' => 1003, 'StorageLimitEnabled' => true,
                    'StorageLimitBytes' => 3 * 1024 * self::MIB, 'Statistics' => ['ClientProvidedSize' => ['Size' => 50 * self::MIB]]],
            ]],
        ]]]]);
        $serverId = Fixtures::serverFor($emu);
        $pid = Fixtures::product();
        $sid = Fixtures::service(Fixtures::client(), $pid, $serverId, ['username' => 'limited.user', 'domainstatus' => 'Active']);
        self::assertSame('success', Whmcs::call('UsageUpdate', Params::forServer($serverId), 'cron'));
        $row = $this->hosting($sid);
        self::assertSame(150, (int) $row->diskusage);
        self::assertSame(8 * 1024, (int) $row->disklimit);
    }

    private static function row(int $clientId, int $pid, int $serverId, string $username, string $status): array
    {
        return [
            'userid' => $clientId, 'orderid' => 0, 'packageid' => $pid, 'server' => $serverId,
            'regdate' => date('Y-m-d'), 'domain' => '', 'paymentmethod' => 'banktransfer', 'amount' => 0,
            'billingcycle' => 'Monthly', 'nextduedate' => date('Y-m-d'), 'domainstatus' => $status,
            'username' => $username, 'password' => encrypt('Pw-' . $username), 'notes' => '', 'suspendreason' => '',
            'dedicatedip' => '', 'assignedips' => '',
        ];
    }
}
