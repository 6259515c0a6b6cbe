<?php
// Failures in the middle of an action: the message names the request that failed, what was stored
// survives, and a retry (WHMCS's Module Queue) finishes the job without a second account.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;

final class LifecycleRecoveryTest extends ModuleTestCase
{
    /** @dataProvider modes */
    public function testALostAddUserReplyIsRecoveredByTheRetry(string $mode): void
    {
        $emu = $this->emulator(['mode' => $mode]);
        $ids = $this->service($emu, ['configoption2' => '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701']);
        // add-user is processed, then the connection is reset: the account exists, WHMCS is not told.
        $emu->control('faults', ['endpoint' => 'add-user', 'kind' => 'reset', 'phase' => 'after']);
        $first = $this->call('CreateAccount', $ids['service']);
        self::assertStringStartsWith('Comet Backup Create failed:', $first);
        self::assertStringContainsString('add-user', $first, 'the message names the request that failed');
        $claim = $this->stored($ids['service']);
        self::assertNotNull($claim, 'the claim of the attempt is stored');
        $claimed = (string) $claim->claim_username;
        self::assertNotSame('', $claimed);
        self::assertNotNull($this->profile($emu, $claimed), 'the server did create it');
        self::assertSame('Pending', $this->hosting($ids['service'])->domainstatus);

        $before = $emu->api('list-users');
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        self::assertSame($before, $emu->api('list-users'), 'the retry adopted the account, it did not make another');
        self::assertSame($claimed, $this->hosting($ids['service'])->username);
        $profile = $this->profile($emu, $claimed);
        self::assertSame($profile['CreationGUID'], $this->stored($ids['service'])->marker);
        self::assertSame('', (string) $this->stored($ids['service'])->claim_username);
        self::assertCount(1, $profile['Destinations'], 'the initial vault was requested on the retry');
    }

    public function testAFailedRequestIsNamedAndNothingIsChanged(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu);
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        $username = (string) $this->hosting($ids['service'])->username;

        $emu->control('faults', ['endpoint' => 'get-user-profile-and-hash', 'kind' => 'http502html']);
        $r = $this->call('SuspendAccount', $ids['service']);
        self::assertStringStartsWith('Comet Backup Suspend failed:', $r);
        self::assertStringContainsString('get-user-profile-and-hash', $r);
        self::assertStringContainsString('HTTP', $r);
        self::assertSame('Active', $this->hosting($ids['service'])->domainstatus);
        self::assertFalse($this->profile($emu, $username)['IsSuspended']);

        $emu->control('faults', ['endpoint' => 'set-user-profile-hash', 'kind' => 'status500']);
        $r = $this->call('SuspendAccount', $ids['service']);
        self::assertStringStartsWith('Comet Backup Suspend failed:', $r);
        self::assertStringContainsString('set-user-profile-hash', $r);
        self::assertStringContainsString('Injected fault: Status 500', $r);

        // A write that raced another one (hash conflict) is re-read and retried by the plan.
        $emu->control('faults', ['endpoint' => 'set-user-profile-hash', 'kind' => 'hashconflict']);
        self::assertSame('success', $this->call('SuspendAccount', $ids['service']));
        self::assertTrue($this->profile($emu, $username)['IsSuspended']);
    }

    public function testTheModuleLogHoldsNoProfileAndTheActionsWorkWithLoggingOff(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu, ['configoption2' => '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701']);
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        self::assertSame('success', $this->call('ChangePackage', $ids['service']));
        $log = Recorder::moduleLog();
        self::assertNotEmpty($log);
        $text = json_encode($log, JSON_UNESCAPED_SLASHES);
        foreach (['PasswordHash', 'PasswordRecovery', 'CometBucketKey', 'emu1$'] as $needle) {
            self::assertStringNotContainsString($needle, $text, "profile data ({$needle}) in the module log");
        }
        self::assertStringContainsString('not logged', $text, 'profile replies and ProfileData are summarised');
        $endpoints = array_map(static fn ($e) => is_array($e['request'] ?? null) ? ($e['request']['endpoint'] ?? '') : (string) ($e['request'] ?? ''), $log);
        self::assertNotEmpty(array_filter($endpoints, static fn ($e) => str_contains((string) $e, 'add-user')), 'each request has an entry');

        Recorder::setModuleLogEnabled(false);
        try {
            self::assertSame('success', $this->call('SuspendAccount', $ids['service']));
            self::assertSame('success', $this->call('UnsuspendAccount', $ids['service']));
        } finally {
            Recorder::setModuleLogEnabled(true);
        }
        self::assertSame([], Secrets::scan([$emu->adminPassword, Params::forService($ids['service'])['password']]));
    }
}
