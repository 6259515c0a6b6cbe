<?php
// The views on failed read plans and the Adopt report: what a plan's code and detail become on the
// page, in the admin tab and in the button's sentence (no Comet needed: the plan results are given).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Service\PlanResult;
use WHMCS\Module\Server\CometBackup\View\AdminTab;
use WHMCS\Module\Server\CometBackup\View\AdoptReport;
use WHMCS\Module\Server\CometBackup\View\ClientArea;

final class ViewPlanResultsTest extends TestCase
{
    private static function failed(string $code, array $detail = []): PlanResult
    {
        return new PlanResult('ServiceOverview', 'The core says so.', $code, $detail, [], [], []);
    }

    public function testAForeignAccountIsTheContactSupportPageAndNothingElse(): void
    {
        $r = self::failed('account.not_ours', ['username' => 'alice01', 'marker' => 'guid-mine', 'creationGuid' => 'guid-other']);
        $page = ClientArea::page($r, 42);
        self::assertSame('templates/error', $page['templatefile']);
        self::assertSame('warning', $page['vars']['cbErrorTone']);
        self::assertSame("This service's backup account is not the one on the backup server. Please contact support.", $page['vars']['cbError']);
        self::assertStringNotContainsString('guid-other', json_encode($page), 'the customer sees no detail of the other account');
    }

    public function testTheAdminTabNamesBothCreationIdsEscapedAndShowsNoAccountRows(): void
    {
        $r = self::failed('account.not_ours', ['username' => 'alice01', 'marker' => 'guid-<b>mine</b>', 'creationGuid' => 'guid-other']);
        $f = AdminTab::fields($r, ['username' => 'alice01', 'serviceid' => 42], ['lastupdate' => '']);
        self::assertSame(['Comet Username', 'Comet', 'Last Usage Sync', 'Preview'], array_keys($f));
        self::assertStringContainsString('guid-&lt;b&gt;mine&lt;/b&gt;', $f['Comet']);
        self::assertStringContainsString('guid-other', $f['Comet']);
        self::assertStringContainsString('Warning', $f['Comet']);
    }

    /** @return iterable<string, array{0: string, 1: string, 2: string}> */
    public static function codes(): iterable
    {
        yield 'terminated' => ['service.terminated', 'has been terminated', 'warning'];
        yield 'pending' => ['service.pending', 'being set up', 'warning'];
        yield 'no username' => ['account.no_username', 'no backup account yet', 'warning'];
        yield 'missing' => ['account.missing', 'no longer exists', 'warning'];
        yield 'unreachable' => ['comet.unreachable', 'cannot be reached', 'danger'];
        yield 'timeout' => ['comet.timeout', 'cannot be reached', 'danger'];
        yield 'bad reply' => ['comet.bad_reply', 'unreadable', 'danger'];
        yield 'auth' => ['comet.auth', 'could not provide', 'danger'];
        yield 'unknown' => ['something.new', 'could not provide', 'danger'];
    }

    /** @dataProvider codes */
    public function testEachFailureCodeIsOneSentenceForTheCustomer(string $code, string $words, string $tone): void
    {
        $page = ClientArea::page(self::failed($code, ['status' => 403, 'message' => 'raw <server> text']), 42);
        self::assertSame('templates/error', $page['templatefile']);
        self::assertStringContainsString($words, $page['vars']['cbError']);
        self::assertSame($tone, $page['vars']['cbErrorTone']);
        self::assertStringNotContainsString('raw', $page['vars']['cbError'], 'no server text for the customer');
    }

    public function testTheAdminSeesCometsOwnWordsOnOtherFailures(): void
    {
        $f = AdminTab::fields(self::failed('comet.refused', ['status' => 500, 'message' => '<i>boom</i>']), ['username' => 'a'], []);
        self::assertStringContainsString('(500: &lt;i&gt;boom&lt;/i&gt;)', $f['Comet']);
        $f = AdminTab::fields(self::failed('account.no_username'), ['username' => ''], []);
        self::assertStringContainsString('Not provisioned', $f['Comet Username']);
        self::assertArrayNotHasKey('Comet', $f);
    }

    public function testAMalformedOverviewNeverThrows(): void
    {
        $r = new PlanResult('ServiceOverview', 'success', null, [], [], [
            'devices' => 'x', 'vaults' => [1, null, ['usedBytes' => 'lots', 'limited' => 'yes']], 'items' => [[]],
            'jobs' => [['status' => [], 'started' => 'soon']], 'protected' => 7, 'devicesLimit' => 'many',
        ], []);
        self::assertSame('templates/clientarea', ClientArea::page($r, 1)['templatefile']);
        self::assertArrayHasKey('Devices (used / allowed)', AdminTab::fields($r, ['username' => 'a'], []));
    }

    public function testTheSignInButtonIsOfferedOnlyToAnActiveService(): void
    {
        $r = new PlanResult('ServiceOverview', 'success', null, [], [], ['username' => 'a', 'suspended' => true], []);
        self::assertSame('clientarea.php?action=productdetails&id=7&dosinglesignon=1', ClientArea::page($r, 7, 'Active')['vars']['cb']['ssoUrl']);
        self::assertSame('', ClientArea::page($r, 7, 'Suspended')['vars']['cb']['ssoUrl']);
    }

    public function testTheAdoptReportWordsWhatWasFound(): void
    {
        $gib = 1073741824;
        $text = AdoptReport::text([
            'username' => 'carol', 'adopted' => true, 'alreadyAdopted' => false, 'creationGuid' => 'guid-1',
            'policy' => ['account' => 'WHMCS_A', 'product' => 'WHMCS_B', 'matches' => false],
            'quotas' => [
                ['name' => 'devices', 'account' => 0, 'product' => 3, 'matches' => false],
                ['name' => 'protectedItems', 'account' => 20 * $gib, 'product' => 20 * $gib, 'matches' => true],
                ['name' => 'storageVault', 'account' => 5 * $gib, 'product' => null, 'matches' => true],
            ],
        ]);
        self::assertSame('Comet Backup: adopted the Comet account carol for this service (CreationGUID guid-1).'
            . ' Policy group: the account has WHMCS_A, the product sets WHMCS_B (differs).'
            . ' Quotas (account / product): devices Unlimited / 3 (differs); protected items 20 GB / 20 GB (matches);'
            . ' storage vault 5 GB / not set (matches).'
            . ' Click "Re-apply Quotas and Policy" to give the account the product\'s settings.', $text);

        $again = AdoptReport::text(['username' => 'carol', 'adopted' => false, 'alreadyAdopted' => true, 'creationGuid' => 'guid-1',
            'policy' => ['account' => '', 'product' => '', 'matches' => true], 'quotas' => []]);
        self::assertStringStartsWith("Comet Backup: the Comet account carol is already this service's", $again);
        self::assertStringContainsString('the account has None, the product sets None (matches)', $again);
        self::assertStringEndsWith("The account matches the product's settings.", $again);
    }
}
