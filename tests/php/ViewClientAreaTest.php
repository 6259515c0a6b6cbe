<?php
// The customer's client area: the core's ServiceOverview plan run against canned Comet replies over
// real curl, its result rendered by the view and Smarty 4.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use WHMCS\Module\Server\CometBackup\View\ClientArea;

require_once __DIR__ . '/ViewTestCase.php';

final class ViewClientAreaTest extends ViewTestCase
{
    private const NOW = 1709654400; // 2024-03-05 16:00:00 UTC

    private function build(array $params = []): array
    {
        $params = $this->serviceParams($params);
        return ClientArea::page(self::overview($params, self::NOW), (int) $params['serviceid'], (string) $params['status']);
    }

    public function testHostileDeviceVaultAndItemNamesStayText(): void
    {
        $profile = self::profile();
        $profile['Devices']['dev-laptop']['FriendlyName'] = self::HOSTILE['script'];
        $profile['Devices']['dev-nas']['FriendlyName'] = self::HOSTILE['smarty'];
        $profile['Destinations']['vault-cloud']['Description'] = self::HOSTILE['img'];
        $profile['Sources']['src-docs']['Description'] = self::HOSTILE['smarty'];
        $profile['Sources']['src-photos']['Description'] = self::HOSTILE['img'];
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply($profile),
            'get-jobs-for-custom-search' => ViewCannedComet::json([self::job('j1', self::NOW - 3600)]),
        ]);

        $result = $this->build(['username' => 'alice01']);
        $this->assertSame('templates/clientarea', $result['templatefile']);
        $html = $this->render($result);

        // Nothing hostile became markup: no script or img element, no event-handler attribute.
        $xp = self::dom($html);
        $this->assertSame(0, $xp->query('//script')->length, 'a device name became a script element');
        $this->assertSame(0, $xp->query('//img')->length, 'a vault name became an img element');
        $this->assertSame(0, $xp->query('//@onerror')->length);
        $this->assertStringNotContainsString('<script>alert(1)', $html);
        $this->assertStringNotContainsString('<img src=x', $html);
        // ...and each name is still shown, as text, in the device, vault, item and job tables.
        $text = implode("\n", self::texts($xp, '//td'));
        $this->assertStringContainsString(self::HOSTILE['script'], $text);
        $this->assertStringContainsString(self::HOSTILE['img'], $text);
        $this->assertStringContainsString(self::HOSTILE['smarty'], $text, 'a Smarty tag in a name must print literally');
        $this->assertStringNotContainsString(\Smarty::SMARTY_VERSION, $html);
        $this->assertStringContainsString('&lt;script&gt;alert(1)&lt;/script&gt;', $html);
        $this->assertStringContainsString('&quot;&gt;&lt;img src=x onerror=1&gt;', $html);

        $jobCells = self::texts($xp, '//tr[contains(@class,"cb-job")]/td');
        $this->assertContains(self::HOSTILE['script'], $jobCells, 'the job row names its device');
        $this->assertContains(self::HOSTILE['smarty'], $jobCells, 'the job row names its protected item');
        $this->assertContains(self::HOSTILE['img'], $jobCells, 'the job row names its vault');
    }

    public function testAHostileUsernameAndServiceIdStayTextToo(): void
    {
        $name = '<b onmouseover=1>x</b>';
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile(['Username' => $name])),
            'get-jobs-for-custom-search' => ViewCannedComet::json([]),
        ]);
        $html = $this->render($this->build(['username' => $name]));
        $xp = self::dom($html);
        $this->assertSame(0, $xp->query('//b')->length);
        $this->assertContains($name, self::texts($xp, '//code'));
    }

    public function testDevicesShowUsedAndLimitAndUnlimitedForZero(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile(['MaximumDevices' => 0])),
            'get-jobs-for-custom-search' => ViewCannedComet::json([]),
        ]);
        $xp = self::dom($this->render($this->build()));
        $this->assertSame(['2'], self::texts($xp, '//*[contains(@class,"cb-devices-used")]'));
        $this->assertSame(['Unlimited'], self::texts($xp, '//*[contains(@class,"cb-devices-limit")]'));

        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile(['MaximumDevices' => 2])),
            'get-jobs-for-custom-search' => ViewCannedComet::json([]),
        ]);
        $html = $this->render($this->build());
        $xp = self::dom($html);
        $this->assertSame(['2'], self::texts($xp, '//*[contains(@class,"cb-devices-limit")]'));
        $this->assertStringContainsString('Device limit reached', $html);
    }

    public function testJobsAreNewestFirstIn24HourTimeWithTheTimezone(): void
    {
        date_default_timezone_set('America/New_York');
        // Given out of order, as Comet returns them. Local (EST) start times:
        // a = 2024-03-04 09:05, b = 2024-03-05 10:30 (the newest), c = 2024-03-04 15:45 (afternoon).
        $a = 1709561100;
        $b = 1709652600;
        $c = 1709585100;
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile()),
            'get-jobs-for-custom-search' => ViewCannedComet::json([
                self::job('job-a', $a),
                self::job('job-b', $b, ['Status' => 7003]),
                self::job('job-c', $c, ['Status' => 6001, 'EndTime' => 0, 'Classification' => 4002]),
            ]),
        ]);
        $html = $this->render($this->build());
        $xp = self::dom($html);

        $this->assertSame(
            ['2024-03-05 10:30 EST', '2024-03-04 15:45 EST', '2024-03-04 09:05 EST'],
            self::texts($xp, '//td[contains(@class,"cb-job-started")]')
        );
        $this->assertStringNotContainsString('03:45', $html, 'the afternoon job must not show a 12-hour time');
        $this->assertSame(['America/New_York'], self::texts($xp, '//*[contains(@class,"cb-timezone")]'));

        $statuses = self::texts($xp, '//*[contains(@class,"cb-job-status")]');
        $this->assertSame(['Quota exceeded', 'Running', 'Success'], $statuses);
        $classes = [];
        foreach ($xp->query('//*[contains(@class,"cb-job-status")]/@class') as $attr) {
            $classes[] = $attr->value;
        }
        $this->assertStringContainsString('label-danger', $classes[0]);
        $this->assertStringContainsString('badge-danger', $classes[0]);
        $this->assertStringContainsString('label-success', $classes[2]);
        $this->assertStringContainsString('badge-success', $classes[2]);
        $this->assertContains('Restore', self::texts($xp, '//tr[contains(@class,"cb-job")]/td'));
    }

    public function testTheJobQueryAsksForThisUsersLast14Days(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile()),
            'get-jobs-for-custom-search' => ViewCannedComet::json([]),
        ]);
        $before = count(self::$comet->journal());
        $this->build();
        $calls = array_slice(self::$comet->journal(), $before);
        $this->assertSame(['get-user-profile-and-hash', 'get-jobs-for-custom-search'], array_column($calls, 'endpoint'));
        $this->assertSame('alice01', $calls[0]['form']['TargetUser']);
        $query = json_decode($calls[1]['form']['Query'], true, 512, JSON_THROW_ON_ERROR);
        $this->assertSame('and', $query['ClauseType']);
        $rules = [];
        foreach ($query['ClauseChildren'] as $rule) {
            $rules[$rule['RuleField']] = [$rule['RuleOperator'], $rule['RuleValue']];
        }
        $this->assertSame([
            'BackupJobDetail.Username' => ['str_eq', 'alice01'],
            // 2024-02-20 16:00:00 UTC, fourteen days before NOW, as a string (SearchClause values are strings)
            'BackupJobDetail.StartTime' => ['int_gt', '1708444800'],
        ], $rules);
    }

    public function testAtMostFiftyJobsAreShownAndTheyAreTheNewest(): void
    {
        $jobs = [];
        for ($i = 0; $i < 60; $i++) {
            // Shuffled start times one minute apart; job-59 is the newest.
            $jobs[] = self::job(sprintf('job-%02d', $i), self::NOW - 86400 + 60 * $i);
        }
        shuffle($jobs);
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile()),
            'get-jobs-for-custom-search' => ViewCannedComet::json($jobs),
        ]);
        $xp = self::dom($this->render($this->build()));
        $started = self::texts($xp, '//td[contains(@class,"cb-job-started")]');
        $this->assertCount(50, $started);
        $this->assertSame('2024-03-04 16:59 UTC', $started[0]);
        $this->assertSame('2024-03-04 16:10 UTC', $started[49]);
    }

    public function testAnotherUsersJobIsNeverShown(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile()),
            'get-jobs-for-custom-search' => ViewCannedComet::json([
                self::job('mine', self::NOW - 60),
                self::job('theirs', self::NOW - 30, ['Username' => 'mallory', 'DeviceID' => 'x']),
            ]),
        ]);
        $xp = self::dom($this->render($this->build()));
        $this->assertCount(1, self::texts($xp, '//tr[contains(@class,"cb-job")]'));
    }

    public function testVaultUsageBarsAgainstQuotasAndTheProtectedItemsQuota(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile()),
            'get-jobs-for-custom-search' => ViewCannedComet::json([]),
        ]);
        $html = $this->render($this->build());
        $xp = self::dom($html);

        $rows = [];
        foreach ($xp->query('//tr[contains(@class,"cb-vault")]') as $tr) {
            $cells = [];
            foreach ($xp->query('./td', $tr) as $td) {
                $cells[] = trim((string) preg_replace('/\s+/', ' ', $td->textContent));
            }
            $bar = $xp->query('.//*[contains(@class,"progress-bar")]', $tr);
            $rows[] = [$cells, $bar->length === 0 ? null : $bar->item(0)->getAttribute('style')];
        }
        // Quota vaults first by name, local copies last; no bar without an enabled quota.
        $this->assertSame([
            [['Cloud vault', '50 GB 50%', '100 GB'], 'width: 50%'],
            [['Own S3', '3 MB', 'Unlimited'], null],
            [['USB copy (Local copy)', '5 GB', 'Unlimited'], null],
        ], $rows);

        // Protected items: 20 GB + 30 GB of a 200 GB quota.
        $this->assertStringContainsString('50 GB / 200 GB', $html);
        $this->assertSame(1, $xp->query('//*[contains(@class,"progress-bar") and @style="width: 25%"]')->length);
    }

    public function testAFullVaultShowsADangerBarCappedAt100(): void
    {
        $profile = self::profile();
        $profile['Destinations'] = ['v' => ['Description' => 'Full', 'DestinationType' => 1003, 'StorageLimitEnabled' => true,
            'StorageLimitBytes' => 1073741824, 'Statistics' => ['ClientProvidedSize' => ['Size' => 2 * 1073741824]]]];
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply($profile),
            'get-jobs-for-custom-search' => ViewCannedComet::json([]),
        ]);
        $xp = self::dom($this->render($this->build()));
        $bar = $xp->query('//tr[contains(@class,"cb-vault")]//*[contains(@class,"progress-bar")]')->item(0);
        $this->assertSame('width: 100%', $bar->getAttribute('style'));
        $this->assertStringContainsString('progress-bar-danger', $bar->getAttribute('class'));
        $this->assertStringContainsString('bg-danger', $bar->getAttribute('class'));
    }

    public function testDownloadLinksAndTheSsoButtonPointAtTheModuleActions(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile()),
            'get-jobs-for-custom-search' => ViewCannedComet::json([]),
        ]);
        $xp = self::dom($this->render($this->build()));
        $hrefs = [];
        foreach ($xp->query('//ul[contains(@class,"cb-downloads")]//a/@href') as $a) {
            $hrefs[] = $a->value;
        }
        $this->assertContains('clientarea.php?action=productdetails&id=42&modop=custom&a=ClientDownload&platform=windows-x86_64-zip', $hrefs);
        $this->assertContains('clientarea.php?action=productdetails&id=42&modop=custom&a=ClientDownload&platform=macos-arm64', $hrefs);
        $this->assertContains('clientarea.php?action=productdetails&id=42&modop=custom&a=ClientDownload&platform=macos-x86_64', $hrefs);
        $this->assertContains('clientarea.php?action=productdetails&id=42&modop=custom&a=ClientDownload&platform=linuxgeneric', $hrefs);
        $sso = $xp->query('//a[contains(@class,"cb-sso")]/@href')->item(0);
        $this->assertSame('clientarea.php?action=productdetails&id=42&dosinglesignon=1', $sso->value);
    }

    public function testAMissingAccountShowsAClearSentenceAndNoDump(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => ViewCannedComet::json(['Status' => 400, 'Message' => 'User does not exist']),
            'list-users' => ViewCannedComet::json(['someone-else']),
        ]);
        $result = $this->build();
        $this->assertSame('templates/error', $result['templatefile']);
        $html = $this->render($result);
        $xp = self::dom($html);
        $alert = self::texts($xp, '//*[contains(@class,"cb-error")]');
        $this->assertCount(1, $alert);
        $this->assertStringContainsString('no longer exists', $alert[0]);
        $this->assertStringContainsString('alert-warning', $html);
        $this->assertStringNotContainsString('Unknown error', $html);
        $this->assertStringNotContainsString('User does not exist', $html, 'no raw server text for the customer');
        $this->assertDoesNotMatchRegularExpression('#[A-Za-z0-9+/]{24,}={0,2}#', $html, 'no base64 dump');
    }

    public function testAnErrorEnvelopeUnderHttp400IsAClearSentence(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => ViewCannedComet::json(['Status' => 400, 'Message' => 'User does not exist'], 400),
            'list-users' => ViewCannedComet::json(['someone-else']),
        ]);
        $html = $this->render($this->build());
        // The core reads any HTTP status but 200 as an HTTP failure (comet.http), not as "missing".
        $this->assertStringContainsString('could not provide the account details', $html);
        $this->assertStringNotContainsString('User does not exist', $html);
    }

    public function testATerminatedServiceAsksNothingAndSaysSo(): void
    {
        $before = count(self::$comet->journal());
        $html = $this->render($this->build(['status' => 'Terminated']));
        $this->assertSame($before, count(self::$comet->journal()), 'no Comet call for a terminated service');
        $this->assertStringContainsString('terminated', $html);
    }

    public function testAServiceWithoutUsernameSaysSo(): void
    {
        $html = $this->render($this->build(['username' => '', 'status' => 'Pending']));
        $this->assertStringContainsString('alert-warning', $html);
        $this->assertStringNotContainsString('Unknown error', $html);
    }

    /** @return iterable<string, array{0: array<string, mixed>, 1: string}> */
    public static function failingProfileReplies(): iterable
    {
        yield 'auth refused' => [ViewCannedComet::json(['Status' => 403, 'Message' => 'Unauthorised']), 'could not provide'];
        yield 'server error' => [ViewCannedComet::json(['Status' => 500, 'Message' => 'boom']), 'could not provide'];
        yield 'HTTP 502 HTML' => [['status' => 502, 'contentType' => 'text/html', 'body' => '<h1>Bad gateway</h1>'], 'could not provide'];
        yield 'not JSON' => [['status' => 200, 'contentType' => 'text/plain', 'body' => 'hello'], 'unreadable'];
        yield 'no Profile' => [ViewCannedComet::json(['Status' => 200, 'Message' => 'OK']), 'unreadable'];
    }

    /** @dataProvider failingProfileReplies */
    public function testEveryOtherFailureIsTheErrorTemplateWithASentence(array $reply, string $expected): void
    {
        self::$comet->reply(['get-user-profile-and-hash' => $reply]);
        $result = $this->build();
        $this->assertSame('templates/error', $result['templatefile']);
        $html = $this->render($result);
        $this->assertStringContainsString($expected, $html);
        $this->assertStringContainsString('alert-danger', $html);
        $this->assertStringNotContainsString('Unknown error', $html);
        $this->assertStringNotContainsString(ViewCannedComet::ADMIN_PASSWORD, $html);
    }

    public function testAnUnreachableServerIsTheErrorTemplate(): void
    {
        // A port that was just free: bind, read it, close.
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $name = stream_socket_get_name($probe, false);
        fclose($probe);
        $result = $this->build(['serverhostname' => $name]);
        $this->assertSame('templates/error', $result['templatefile']);
        $this->assertStringContainsString('cannot be reached', $this->render($result));
    }

    public function testFailedJobsStillShowTheAccount(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile()),
            'get-jobs-for-custom-search' => ['status' => 500, 'contentType' => 'text/plain', 'body' => 'oops'],
        ]);
        $result = $this->build();
        $this->assertSame('templates/clientarea', $result['templatefile']);
        $html = $this->render($result);
        $this->assertStringContainsString('The job history could not be loaded', $html);
        $this->assertStringContainsString('Cloud vault', $html);
    }

    public function testEmptyListsAndNullMapsRender(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile([
                'Devices' => null, 'Destinations' => [], 'Sources' => null, 'MaximumDevices' => 0,
                'AllProtectedItemsQuotaEnabled' => false,
            ])),
            'get-jobs-for-custom-search' => ['status' => 200, 'contentType' => 'application/json', 'body' => 'null'],
        ]);
        $result = $this->build();
        $this->assertSame('templates/clientarea', $result['templatefile']);
        $html = $this->render($result);
        $this->assertStringContainsString('No jobs in the last 14 days.', $html);
        $this->assertStringContainsString('No Storage Vaults yet.', $html);
        $this->assertStringNotContainsString('could not be loaded', $html);
    }

    public function testMalformedProfileFieldsNeverThrow(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile([
                'Devices' => 'not a map', 'Destinations' => [1, 'x', null, ['StorageLimitBytes' => 'lots']],
                'Sources' => ['s' => ['Statistics' => 'bad']], 'MaximumDevices' => 'many',
            ])),
            'get-jobs-for-custom-search' => ViewCannedComet::json([null, 3, ['StartTime' => 'soon', 'Status' => []]]),
        ]);
        $result = $this->build();
        $this->assertSame('templates/clientarea', $result['templatefile']);
        $this->assertStringContainsString('Unlimited', $this->render($result));
    }

    public function testTheViewModelHoldsOnlyTextAndNumbers(): void
    {
        self::$comet->reply([
            'get-user-profile-and-hash' => self::profileReply(self::profile()),
            'get-jobs-for-custom-search' => ViewCannedComet::json([self::job('j', self::NOW - 10)]),
        ]);
        $vars = $this->build()['vars'];
        array_walk_recursive($vars, function ($v, $k): void {
            $this->assertTrue(is_string($v) || is_int($v) || is_bool($v), "template var {$k} is " . get_debug_type($v));
        });
    }
}
