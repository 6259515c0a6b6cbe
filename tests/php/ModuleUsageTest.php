<?php
// UsageUpdate: 1,000 services of one server from ONE list-users-full, MB written to tblhosting,
// other servers, other modules and terminated services untouched, mismatches reported.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Service\PlanRunner;
use WHMCS\Module\Server\CometBackup\Service\UsageRows;
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
        // The reply was streamed into the core: the module log has the request and the reply's size,
        // never the 4 MB body.
        $logged = array_values(array_filter(Recorder::moduleLog(), static fn (array $e) => str_contains($e['request'], 'list-users-full')));
        self::assertCount(1, $logged);
        self::assertMatchesRegularExpression('/\[streamed reply: HTTP 200, [\d,]+ bytes, read by the core, not logged\]/', $logged[0]['response']);
        self::assertStringNotContainsString('Destinations', $logged[0]['response']);
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

    /**
     * Unreadable replies from the emulator's fault injection: a clear message, not one tblhosting
     * write, and the next run starts clean and writes everything.
     */
    public function testUnreadableRepliesFailClearlyAndWriteNothing(): void
    {
        $users = [];
        for ($i = 0; $i < 50; $i++) {
            $users[] = ['username' => "fault.user{$i}", 'profile' => ['Destinations' => ['v' => ['Description' => 'V',
                'DestinationType' => 1003, 'StorageLimitEnabled' => true, 'StorageLimitBytes' => 4096 * self::MIB,
                'Statistics' => ['ClientProvidedSize' => ['Size' => ($i + 1) * self::MIB]]]]]];
        }
        $emu = $this->emulator(['seed' => ['users' => $users]]);
        $serverId = Fixtures::serverFor($emu);
        $pid = Fixtures::product();
        $clientId = Fixtures::client();
        $ids = [];
        for ($i = 0; $i < 50; $i++) {
            $ids[] = Capsule::table('tblhosting')->insertGetId(self::row($clientId, $pid, $serverId, "fault.user{$i}", 'Active'));
        }
        $untouched = static function () use ($ids): void {
            foreach (Capsule::table('tblhosting')->whereIn('id', $ids)->get(['diskusage', 'lastupdate']) as $row) {
                self::assertSame(0, (int) $row->diskusage);
                self::assertTrue($row->lastupdate === null || str_starts_with((string) $row->lastupdate, '0000'));
            }
        };
        $cases = [
            ['truncated', 'after', 'not valid JSON', 'the reply ends in the middle of the JSON'],
            ['nonjson', 'before', 'not valid JSON', 'an unexpected character (at byte 0)'],
            ['http502html', 'before', 'HTTP error', 'HTTP 502'],
            ['status500', 'before', 'refused', 'Status 500'],
            ['reset', 'before', 'list-users-full', 'list-users-full'],
        ];
        foreach ($cases as [$kind, $phase, $worded, $detail]) {
            $emu->control('faults', ['endpoint' => 'list-users-full', 'kind' => $kind, 'phase' => $phase]);
            $result = Whmcs::call('UsageUpdate', Params::forServer($serverId), 'cron');
            self::assertNotSame('success', $result, $kind);
            self::assertStringContainsString($worded, $result, $kind);
            self::assertStringContainsString($detail, $result, $kind);
            $untouched();
        }
        self::assertSame('success', Whmcs::call('UsageUpdate', Params::forServer($serverId), 'cron'));
        foreach ($ids as $i => $id) {
            self::assertSame($i + 1, (int) $this->hosting($id)->diskusage);
            self::assertSame(4096, (int) $this->hosting($id)->disklimit);
        }
    }

    /**
     * The streamed path and plan.resume with the whole body give the same bytes (core level) and the
     * same plan result (PlanRunner with and without streaming).
     */
    public function testStreamedAndWholeRepliesAgree(): void
    {
        $users = [];
        for ($i = 0; $i < 300; $i++) {
            $users[] = ['username' => $i % 5 === 0 ? "mail@x-y_{$i}" : "agree.{$i}", 'profile' => ['Destinations' => [
                'v' . $i => ['Description' => 'V', 'DestinationType' => 1003, 'StorageLimitEnabled' => $i % 2 === 0,
                    'StorageLimitBytes' => ($i + 1) * self::MIB * 1024, 'Statistics' => ['ClientProvidedSize' => ['Size' => $i * 3 * self::MIB + 5]]],
            ]]];
        }
        $emu = $this->emulator(['seed' => ['users' => $users]]);
        $serverId = Fixtures::serverFor($emu);
        $params = Params::forServer($serverId);
        $services = [];
        for ($i = 0; $i < 300; $i += 2) {
            $services[] = ['serviceid' => $i + 1, 'username' => $i % 5 === 0 ? "mail@x-y_{$i}" : "agree.{$i}"];
        }
        $services[] = ['serviceid' => 9999, 'username' => 'nobody'];
        $core = $this->app->core();
        $start = $core->invoke('plan.start', ['action' => 'UsageUpdate', 'context' => ['services' => $services]]);
        self::assertTrue($start['value']['request']['stream']);
        $state = $start['value']['state'];
        $reply = $this->app->client($params)->post('list-users-full', [], [], 'UsageUpdate');
        self::assertSame(200, $reply->httpStatus());
        $whole = $core->invokeJson(json_encode(['op' => 'plan.resume', 'args' => ['state' => $state, 'response' => $reply->toCoreResponse()]],
            JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR));
        $body = $reply->body();
        foreach ([3, 4096, strlen($body)] as $piece) {
            self::assertTrue($core->streamOpen($state)['ok']);
            $accepted = true;
            for ($at = 0; $at < strlen($body); $at += $piece) {
                $accepted = $core->streamWrite(substr($body, $at, $piece)) && $accepted;
            }
            self::assertTrue($accepted);
            self::assertSame($whole, $core->streamClose(['httpStatus' => 200]), "pieces of {$piece} bytes");
        }
        $context = ['services' => $services];
        $streamed = (new PlanRunner($core, $this->app->client($params)))->run('UsageUpdate', $context);
        $plain = (new PlanRunner($core, $this->app->client($params), PlanRunner::MAX_STEPS, false))->run('UsageUpdate', $context);
        self::assertTrue($streamed->ok());
        self::assertSame($plain->output, $streamed->output);
        self::assertSame(150, $streamed->output['updated']);
        self::assertSame(['9999'], $streamed->output['unmatched']);
        self::assertSame(150, $streamed->output['unknownAccountCount']);
        $rows = static fn ($v): array => array_map(
            static fn (array $r): array => [(int) $r['serviceid'], (string) $r['username'], (int) $r['diskusage'], (int) $r['disklimit']],
            is_array($v) ? $v : iterator_to_array($v, false)
        );
        self::assertInstanceOf(UsageRows::class, $streamed->effect('usage'));
        self::assertIsArray($plain->effect('usage'));
        self::assertSame($rows($plain->effect('usage')), $rows($streamed->effect('usage')));
        // mail@x-y_0: 5 bytes used (0 MiB), one limited vault of 1 GiB.
        self::assertSame([1, 'mail@x-y_0', 0, 1024], $rows($streamed->effect('usage'))[0]);
        // agree.2: 6 MiB + 5 bytes used, one limited vault of 3 GiB.
        self::assertSame([3, 'agree.2', 6, 3072], $rows($streamed->effect('usage'))[1]);
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
