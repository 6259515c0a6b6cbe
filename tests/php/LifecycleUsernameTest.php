<?php
// A customer's custom username that another customer already holds is refused, and the other
// customer's Comet account is neither written nor read: the refused add-user is the only request
// naming it (the emulator's journal is the witness).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;

final class LifecycleUsernameTest extends ModuleTestCase
{
    /** @dataProvider modes */
    public function testACustomUsernameHeldByAnotherCustomerIsRefused(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $first = $this->service($emu);
        Fixtures::customFieldValue($first['username'], $first['service'], 'shared.name');
        self::assertSame('success', $this->call('CreateAccount', $first['service']));
        self::assertSame('shared.name', $this->hosting($first['service'])->username);
        $before = $this->profile($emu, 'shared.name');
        self::assertNotNull($before);

        // The second customer, another product on the same server, asks for the same name.
        $pid = Fixtures::product(['name' => 'Other product']);
        $userField = Fixtures::customField($pid, 'Username');
        Fixtures::customField($pid, 'Password');
        $client = Fixtures::client(['email' => 'mallory@example.com']);
        $sid = Fixtures::service($client, $pid, $first['server'], ['password' => 'Mallory-pass-1']);
        Fixtures::customFieldValue($userField, $sid, 'shared.name');
        $emu->control('journal/clear');

        $result = $this->call('CreateAccount', $sid);
        // Comet's refusal is reported as it is: without reading the other account, "taken" cannot
        // be told from another refusal, so the name is only said to be possibly in use.
        self::assertStringStartsWith('Comet Backup Create failed: The Comet Server refused to create the account.', $result);
        self::assertStringContainsString('shared.name', $result);
        self::assertStringContainsString('the name may already be in use: choose another one', $result);
        self::assertSame('Pending', $this->hosting($sid)->domainstatus);
        self::assertSame('', $this->hosting($sid)->username, 'the foreign name is not recorded on the service');
        // The core's createAttempted effect is stored: the routine actions below are refused by the core.
        self::assertSame(1, (int) $this->stored($sid)->create_attempted);
        self::assertSame('', (string) $this->stored($sid)->marker);

        // The only request naming the other customer's account is the add-user Comet refused: the
        // service never claimed the name, so the plan neither reads nor writes that account.
        // Any parameter counts, not only TargetUser.
        $touching = array_values(array_filter($emu->journal(),
            static fn (array $e): bool => str_contains(json_encode($e['params'] ?? [], JSON_UNESCAPED_SLASHES), 'shared.name')));
        self::assertSame(['add-user'], array_column($touching, 'endpoint'), json_encode(array_column($touching, 'endpoint')));
        self::assertSame('shared.name', $touching[0]['params']['TargetUser']);
        self::assertSame('error:400', $touching[0]['outcome']);
        self::assertSame($before, $this->profile($emu, 'shared.name'), 'the other customer\'s account is unchanged');

        // Every later action on the refused service stays away from the foreign account.
        $emu->control('journal/clear');
        foreach (['SuspendAccount', 'ChangePackage', 'ChangePassword', 'TerminateAccount'] as $fn) {
            $r = $this->call($fn, $sid, $fn === 'ChangePassword' ? ['password' => 'Another-pass-2'] : []);
            self::assertNotSame('success', $r, $fn);
            self::assertStringContainsString('Create did not finish for this service', $r, $fn);
        }
        self::assertSame(1, (int) $this->stored($sid)->create_attempted, 'a refusal keeps the flag');
        self::assertSame([], self::journalFor($emu, 'shared.name'));
        self::assertNotNull($this->profile($emu, 'shared.name'));
        self::assertStringContainsString('Module Create Failed - Service ID: ' . $sid, implode("\n", array_column(Recorder::activity(), 'message')));
    }

    /** @dataProvider modes */
    public function testACustomUsernameAndPasswordAreUsedAndKept(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $ids = $this->service($emu);
        Fixtures::customFieldValue($ids['username'], $ids['service'], 'carol.backup');
        Fixtures::customFieldValue($ids['password'], $ids['service'], 'Carol-own-pass-9');
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        self::assertSame('carol.backup', $this->hosting($ids['service'])->username);
        // The customer's own password becomes the service password (encrypted by WHMCS).
        self::assertSame('Carol-own-pass-9', decrypt((string) $this->hosting($ids['service'])->password));
        self::assertSame(1, (int) $this->stored($ids['service'])->custom_password);
        $add = array_values(array_filter($emu->journal(), static fn ($e) => $e['endpoint'] === 'add-user'));
        self::assertCount(1, $add);
        self::assertSame('carol.backup', $add[0]['params']['TargetUser']);

        // Change Password keeps the custom field in step with the account.
        self::assertSame('success', $this->call('ChangePassword', $ids['service'], ['password' => 'Carol-new-pass-10']));
        $value = \WHMCS\Database\Capsule::table('tblcustomfieldsvalues')
            ->where(['fieldid' => $ids['password'], 'relid' => $ids['service']])->value('value');
        self::assertSame('Carol-new-pass-10', $value);
        self::assertSame([], \WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets::scan(['Carol-own-pass-9', 'Carol-new-pass-10', $emu->adminPassword]));
    }
}
