<?php
// The admin's service tab: label => escaped HTML, rendered from the core's ServiceOverview result (run
// against canned Comet replies); an error row, never a throw.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use WHMCS\Module\Server\CometBackup\View\AdminTab;

require_once __DIR__ . '/ViewTestCase.php';

final class ViewAdminTabTest extends ViewTestCase
{
    private function fields(array $params = [], array $stored = ['lastupdate' => '2024-03-05 04:00:00']): array
    {
        $params = $this->serviceParams($params);
        $fields = AdminTab::fields(self::overview($params, 1709654400), $params, $stored);
        foreach ($fields as $label => $html) {
            $this->assertIsString($label);
            $this->assertIsString($html);
        }
        return $fields;
    }

    public function testEveryFieldOfAHealthyAccount(): void
    {
        self::$comet->reply(['get-user-profile-and-hash' => self::profileReply(self::profile(['MaximumDevices' => 0, 'IsSuspended' => true]))]);
        $f = $this->fields();
        $this->assertSame('<code>alice01</code>', $f['Comet Username']);
        $this->assertStringContainsString('Suspended', $f['Comet State']);
        $this->assertSame('2 / Unlimited', $f['Devices (used / allowed)']);
        $this->assertSame(
            'Cloud vault: 50 GB / 100 GB (50%)<br>Own S3: 3 MB / Unlimited<br>USB copy: 5 GB / Unlimited - Local copy',
            $f['Storage Vaults (used / limit)']
        );
        $this->assertSame('50 GB / 200 GB (25%)', $f['Protected Items (used / quota)']);
        $this->assertSame('2024-03-05 04:00:00 UTC', $f['Last Usage Sync']);
        $this->assertStringContainsString('href="../modules/servers/cometbackup/preview/index.html"', $f['Preview']);
    }

    public function testHostileNamesAreEscaped(): void
    {
        $profile = self::profile(['PolicyID' => self::HOSTILE['img'], 'Username' => self::HOSTILE['img']]);
        $profile['Destinations']['vault-cloud']['Description'] = self::HOSTILE['script'];
        self::$comet->reply(['get-user-profile-and-hash' => self::profileReply($profile)]);
        $f = $this->fields(['username' => self::HOSTILE['img']]);
        $all = implode("\n", $f);
        $xp = self::dom($all);
        $this->assertSame(0, $xp->query('//script | //img')->length);
        $this->assertStringContainsString('&lt;script&gt;alert(1)&lt;/script&gt;', $f['Storage Vaults (used / limit)']);
        $this->assertStringContainsString('&quot;&gt;&lt;img src=x onerror=1&gt;', $f['Comet Username']);
    }

    public function testAMissingAccountIsOneErrorRowBesideTheStoredFields(): void
    {
        // Status 400, and list-users does not list the name: the core calls the account missing.
        self::$comet->reply(['get-user-profile-and-hash' => ViewCannedComet::json(['Status' => 400, 'Message' => '<i>User</i> not found']),
            'list-users' => ViewCannedComet::json(['someone-else'])]);
        $f = $this->fields([], ['lastupdate' => '0000-00-00 00:00:00']);
        $this->assertSame(['Comet Username', 'Comet', 'Last Usage Sync', 'Preview'], array_keys($f));
        $this->assertStringContainsString('does not exist', $f['Comet']);
        $this->assertStringContainsString('(400: &lt;i&gt;User&lt;/i&gt; not found)', $f['Comet'], 'Comet\'s words, escaped');
        $this->assertSame('<em>Never</em>', $f['Last Usage Sync']);
    }

    public function testAnUnreachableServerIsAnErrorRow(): void
    {
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $name = stream_socket_get_name($probe, false);
        fclose($probe);
        $f = $this->fields(['serverhostname' => $name]);
        $this->assertStringContainsString('cannot be reached', $f['Comet']);
    }

    public function testNoUsernameMakesNoCall(): void
    {
        $before = count(self::$comet->journal());
        $f = $this->fields(['username' => ''], []);
        $this->assertSame($before, count(self::$comet->journal()));
        $this->assertSame(['Comet Username', 'Last Usage Sync', 'Preview'], array_keys($f));
        $this->assertStringContainsString('Not provisioned', $f['Comet Username']);
    }

    public function testGarbageRepliesNeverThrow(): void
    {
        self::$comet->reply(['get-user-profile-and-hash' => self::profileReply(['Devices' => 7, 'Destinations' => 'x'])]);
        $f = $this->fields();
        $this->assertSame('0 / Unlimited', $f['Devices (used / allowed)']);
    }
}
