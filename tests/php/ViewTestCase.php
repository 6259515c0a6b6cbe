<?php
// Shared setup of the view tests: the canned Comet server, Smarty rendering, DOM helpers, fixtures.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\Service\PlanResult;
use WHMCS\Module\Server\CometBackup\Service\PlanRunner;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Templates;

require_once __DIR__ . '/ViewCannedComet.php';
require_once __DIR__ . '/ModuleTestCase.php';

abstract class ViewTestCase extends TestCase
{
    /** End-user-controlled names that must stay text wherever they are printed. */
    public const HOSTILE = [
        'script' => '<script>alert(1)</script>',
        'img' => '"><img src=x onerror=1>',
        'smarty' => '{$smarty.version}',
    ];

    protected static ?ViewCannedComet $comet = null;
    private string $savedTimezone = 'UTC';

    public static function setUpBeforeClass(): void
    {
        self::$comet = ViewCannedComet::start();
    }

    public static function tearDownAfterClass(): void
    {
        if (self::$comet !== null) {
            $comet = self::$comet;
            self::$comet = null;
            $comet->stop();
        }
    }

    protected function setUp(): void
    {
        $this->savedTimezone = date_default_timezone_get();
        date_default_timezone_set('UTC');
        self::$comet->reply([]);
    }

    protected function tearDown(): void
    {
        date_default_timezone_set($this->savedTimezone);
    }

    /** Service params as WHMCS passes them to ClientArea / AdminServicesTabFields. */
    protected function serviceParams(array $overrides = []): array
    {
        return $overrides + self::$comet->params([
            'serviceid' => 42,
            'userid' => 7,
            'username' => 'alice01',
            'password' => 'service-password-Zt9#',
            'status' => 'Active',
            'domain' => '',
        ]);
    }

    /**
     * The core's ServiceOverview plan for these service params against the canned Comet (the
     * context the App would build, without the database: no marker unless $params carries one).
     */
    protected static function overview(array $params, int $now): PlanResult
    {
        $ctx = [
            'username' => (string) ($params['username'] ?? ''),
            'status' => (string) ($params['status'] ?? ''),
            'customfields' => (object) [],
            'now' => $now,
        ];
        if (isset($params['marker'])) {
            $ctx['marker'] = (string) $params['marker'];
        }
        return (new PlanRunner(self::core(), self::$comet->client($params)))->run('ServiceOverview', $ctx);
    }

    protected static function core(): Core
    {
        static $core = null;
        return $core ??= Core::fromConfig(ModuleTestCase::coreConfig());
    }

    /** Renders a module template with Debian's Smarty 4 the way WHMCS does (no auto-escaping). */
    protected function render(array $result): string
    {
        $this->assertArrayHasKey('templatefile', $result);
        $this->assertArrayHasKey('vars', $result);
        $file = $result['templatefile'];
        $this->assertFileExists(self::moduleDir() . '/' . $file . '.tpl', 'the template file must exist relative to the module');
        // WHMCS's own product-details variables are present too; a module var must not depend on them.
        $vars = $result['vars'] + ['serviceid' => 42, 'id' => 42, 'LANG' => [], 'domain' => ''];
        if (class_exists(Templates::class)) {
            return Templates::render($file, $vars);
        }
        return self::smartyRender($file, $vars);
    }

    private static function smartyRender(string $file, array $vars): string
    {
        if (!class_exists(\Smarty::class)) {
            require_once (string) stream_resolve_include_path('smarty4/Smarty.class.php');
        }
        $smarty = new \Smarty();
        $dir = TestSupport::tempDir('smarty');
        $smarty->setCompileDir($dir . '/compile');
        $smarty->setCacheDir($dir . '/cache');
        $smarty->setTemplateDir(self::moduleDir());
        $smarty->escape_html = false;
        $smarty->enableSecurity();
        $smarty->assign($vars);
        return $smarty->fetch(self::moduleDir() . '/' . $file . '.tpl');
    }

    protected static function moduleDir(): string
    {
        return dirname(__DIR__, 2) . '/whmcs-module/modules/servers/cometbackup';
    }

    /** Parses rendered HTML; libxml's HTML parser is enough to see which elements really exist. */
    protected static function dom(string $html): \DOMXPath
    {
        $doc = new \DOMDocument();
        $previous = libxml_use_internal_errors(true);
        $doc->loadHTML('<?xml encoding="utf-8"?><html><body>' . $html . '</body></html>');
        libxml_clear_errors();
        libxml_use_internal_errors($previous);
        return new \DOMXPath($doc);
    }

    /** @return list<string> the text content of each node the XPath selects */
    protected static function texts(\DOMXPath $xp, string $query): array
    {
        $out = [];
        foreach ($xp->query($query) as $node) {
            $out[] = trim((string) preg_replace('/\s+/', ' ', $node->textContent));
        }
        return $out;
    }

    /** A Comet UserProfileConfig with two devices, three vaults and two protected items. */
    protected static function profile(array $overrides = []): array
    {
        return array_replace([
            'Username' => 'alice01',
            'CreateTime' => 1700000000,
            'CreationGUID' => '0b6f6a8e-1f3c-4d7e-9a2b-3c4d5e6f7a81',
            'MaximumDevices' => 5,
            'IsSuspended' => false,
            'PolicyID' => 'WHMCS_P3_inst42',
            'AllProtectedItemsQuotaEnabled' => true,
            'AllProtectedItemsQuotaBytes' => 200 * 1073741824,
            'Devices' => [
                'dev-laptop' => ['FriendlyName' => 'ALICE-LAPTOP', 'RegistrationTime' => 1700000500,
                    'PlatformVersion' => ['os' => 'windows', 'arch' => 'amd64'], 'ClientVersion' => '25.9.8'],
                'dev-nas' => ['FriendlyName' => 'nas', 'RegistrationTime' => 1700000600],
            ],
            'Destinations' => [
                'vault-cloud' => ['Description' => 'Cloud vault', 'DestinationType' => 1003,
                    'StorageLimitEnabled' => true, 'StorageLimitBytes' => 100 * 1073741824,
                    'Statistics' => ['ClientProvidedSize' => ['Size' => 50 * 1073741824]]],
                'vault-usb' => ['Description' => 'USB copy', 'DestinationType' => 1002,
                    'StorageLimitEnabled' => true, 'StorageLimitBytes' => 1073741824,
                    'Statistics' => ['ClientProvidedSize' => ['Size' => 5 * 1073741824]]],
                'vault-s3' => ['Description' => 'Own S3', 'DestinationType' => 1000, 'StorageLimitEnabled' => false,
                    'StorageLimitBytes' => 1073741824, 'Statistics' => ['ClientProvidedSize' => ['Size' => 3 * 1048576]]],
            ],
            'Sources' => [
                'src-docs' => ['Description' => 'Documents', 'OwnerDevice' => 'dev-laptop',
                    'Statistics' => ['LastStartTime' => 1700100000, 'LastBackupJob' => ['TotalSize' => 20 * 1073741824]]],
                'src-photos' => ['Description' => 'Photos', 'OwnerDevice' => 'dev-nas',
                    'Statistics' => ['LastBackupJob' => ['TotalSize' => 30 * 1073741824]]],
            ],
        ], $overrides);
    }

    protected static function profileReply(array $profile): array
    {
        return ViewCannedComet::json(['Status' => 200, 'Message' => 'OK', 'ProfileHash' => 'hash-1', 'Profile' => $profile]);
    }

    protected static function job(string $guid, int $start, array $overrides = []): array
    {
        return $overrides + [
            'GUID' => $guid, 'Username' => 'alice01', 'Classification' => 4001, 'Status' => 5000,
            'StartTime' => $start, 'EndTime' => $start + 120, 'SourceGUID' => 'src-docs',
            'DestinationGUID' => 'vault-cloud', 'DeviceID' => 'dev-laptop', 'TotalFiles' => 10,
            'TotalSize' => 1048576, 'UploadSize' => 2048, 'DownloadSize' => 0,
        ];
    }
}
