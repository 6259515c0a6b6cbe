<?php
// The views against the Comet emulator (node-harness): a seeded account with hostile names and
// jobs, rendered by Smarty; a real installer stream; a deleted account.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\App;
use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\Service\PlanResult;
use WHMCS\Module\Server\CometBackup\Service\PlanRunner;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Templates;
use WHMCS\Module\Server\CometBackup\View\AdminTab;
use WHMCS\Module\Server\CometBackup\View\ClientArea;

require_once __DIR__ . '/ModuleTestCase.php';

final class ViewEmulatorTest extends TestCase
{
    private static ?Emulator $emu = null;
    private string $savedTimezone = 'UTC';

    public static function setUpBeforeClass(): void
    {
        $now = time();
        self::$emu = Emulator::start(['seed' => [
            'users' => [
                'carol01' => [
                    'password' => 'carol-password-1',
                    'profile' => [
                        'MaximumDevices' => 0,
                        'Devices' => [
                            'dev-1' => ['FriendlyName' => '<script>alert(1)</script>', 'RegistrationTime' => $now - 86400],
                        ],
                        'Destinations' => [
                            'vault-1' => ['Description' => '"><img src=x onerror=1>', 'DestinationType' => 1003,
                                'StorageLimitEnabled' => true, 'StorageLimitBytes' => 10 * 1073741824,
                                'Statistics' => ['ClientProvidedSize' => ['Size' => 1073741824]]],
                        ],
                        'Sources' => [
                            'src-1' => ['Description' => '{$smarty.version}', 'OwnerDevice' => 'dev-1',
                                'Statistics' => ['LastBackupJob' => ['TotalSize' => 1048576]]],
                        ],
                    ],
                ],
            ],
            'jobs' => [
                ['GUID' => 'old', 'Username' => 'carol01', 'Classification' => 4001, 'Status' => 5000,
                    'StartTime' => $now - 30 * 86400, 'EndTime' => $now - 30 * 86400 + 60,
                    'SourceGUID' => 'src-1', 'DestinationGUID' => 'vault-1', 'DeviceID' => 'dev-1'],
                ['GUID' => 'earlier', 'Username' => 'carol01', 'Classification' => 4001, 'Status' => 7003,
                    'StartTime' => $now - 7200, 'EndTime' => $now - 7000,
                    'SourceGUID' => 'src-1', 'DestinationGUID' => 'vault-1', 'DeviceID' => 'dev-1'],
                ['GUID' => 'latest', 'Username' => 'carol01', 'Classification' => 4001, 'Status' => 5000,
                    'StartTime' => $now - 600, 'EndTime' => $now - 500,
                    'SourceGUID' => 'src-1', 'DestinationGUID' => 'vault-1', 'DeviceID' => 'dev-1'],
                ['GUID' => 'foreign', 'Username' => 'someone', 'Classification' => 4001, 'Status' => 5000,
                    'StartTime' => $now - 300, 'EndTime' => $now - 200],
            ],
        ]]);
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$emu !== null) {
            $emu = self::$emu;
            self::$emu = null;
            $emu->stop();
        }
    }

    protected function setUp(): void
    {
        $this->savedTimezone = date_default_timezone_get();
        date_default_timezone_set('Europe/Berlin');
    }

    protected function tearDown(): void
    {
        date_default_timezone_set($this->savedTimezone);
    }

    private static function params(string $username): array
    {
        return [
            'serviceid' => 5, 'username' => $username, 'status' => 'Active',
            'serverhostname' => self::$emu->host . ':' . self::$emu->port, 'serversecure' => false,
            'serverhttpprefix' => 'http', 'serverport' => '', 'serverusername' => self::$emu->adminUsername,
            'serverpassword' => self::$emu->adminPassword, 'serveraccesshash' => '',
        ];
    }

    /** The core's ServiceOverview for $params against the emulator (no marker: nothing stored). */
    private static function overview(array $params): PlanResult
    {
        $core = Core::fromConfig(ModuleTestCase::coreConfig());
        return (new PlanRunner($core, CometClient::fromParams($params)))->run('ServiceOverview', [
            'username' => $params['username'], 'status' => $params['status'], 'customfields' => (object) [], 'now' => time(),
        ]);
    }

    public function testTheSeededAccountRendersEscapedWithItsRecentJobsNewestFirst(): void
    {
        $params = self::params('carol01');
        $result = ClientArea::page(self::overview($params), 5);
        $this->assertSame('templates/clientarea', $result['templatefile']);
        $html = Templates::render($result['templatefile'], $result['vars']);

        $this->assertStringNotContainsString('<script>alert(1)', $html);
        $this->assertStringNotContainsString('<img src=x', $html);
        $text = Templates::toText($html);
        $this->assertStringContainsString('<script>alert(1)</script>', $text);
        $this->assertStringContainsString('"><img src=x onerror=1>', $text);
        $this->assertStringContainsString('{$smarty.version}', $text);
        $this->assertStringContainsString('Unlimited', $text);

        // Two jobs in the 14-day window (not the 30-day-old one, not another user's), newest first.
        preg_match_all('#<td class="cb-job-started">([^<]*)</td>#', $html, $m);
        $this->assertCount(2, $m[1]);
        $this->assertMatchesRegularExpression('/^\d{4}-\d{2}-\d{2} [0-2]\d:[0-5]\d CES?T$/', $m[1][0]);
        $this->assertGreaterThan($m[1][1], $m[1][0], 'newest first');
        $this->assertStringContainsString('Quota exceeded', $text);
    }

    public function testTheAdminTabReadsTheSameAccount(): void
    {
        $params = self::params('carol01');
        $f = AdminTab::fields(self::overview($params), $params, ['lastupdate' => '2024-01-01 00:00:00']);
        $this->assertSame('1 / Unlimited', $f['Devices (used / allowed)']);
        $this->assertSame('&quot;&gt;&lt;img src=x onerror=1&gt;: 1 GB / 10 GB (10%)', $f['Storage Vaults (used / limit)']);
    }

    public function testADeletedAccountIsTheClearMessage(): void
    {
        $params = self::params('nobody42');
        $result = ClientArea::page(self::overview($params), 5);
        $this->assertSame('templates/error', $result['templatefile']);
        $text = Templates::toText(Templates::render($result['templatefile'], $result['vars']));
        $this->assertStringContainsString('no longer exists on the backup server', $text);
    }

    public function testTheLinuxInstallerStreamsFromTheEmulator(): void
    {
        $params = self::params('carol01');
        $headers = [];
        $body = '';
        $error = (new App())->download($params, 'linuxgeneric',
            static function (string $h) use (&$headers): void {
                $headers[] = $h;
            },
            static function (string $b) use (&$body): void {
                $body .= $b;
            });
        $this->assertNull($error);
        // The emulator's installer: a 64 KiB file that starts with its own header line and the platform.
        $this->assertSame(65536, strlen($body));
        $this->assertStringStartsWith("COMET-EMULATOR-CLIENT\nlinuxgeneric\n", $body);
        $this->assertContains('Content-Length: 65536', $headers);
        $this->assertContains('Content-Disposition: attachment; filename="CometBackup-Linux.run"', $headers);

        $error = (new App())->download($params, 'spk-dsm7',
            static function (): void {
            }, static function (): void {
            });
        $this->assertIsString($error, 'a platform this server lacks is a sentence, not a broken file');
    }
}
