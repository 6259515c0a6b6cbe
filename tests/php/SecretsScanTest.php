<?php
// The whole-run secret scan. phpunit.xml runs this file last (its own test suite), so it sees what
// every other test produced: module-log rows (recorded and in the harness table), activity rows,
// rendered templates and printed output, exception messages, PHP's error log (this process and child
// PHP processes), the output of every child process and the emulators' stderr. The needles are every
// password the module was handed through the WHMCS call site and every value it masked (session keys
// included): Secrets::addNeedle(). Each is searched plain, URL-encoded, JSON-escaped, HTML-escaped
// and in base64. It runs a lifecycle with both sign-ins first, so every kind of secret is present
// even when this file runs alone.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

final class SecretsScanTest extends ModuleTestCase
{
    public function testNothingTheWholeRunProducedHoldsASecret(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu);
        $custom = 'Scan-custom-' . bin2hex(random_bytes(5)) . '/+=&"<>';
        Fixtures::customFieldValue($ids['password'], $ids['service'], $custom);
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        $sessionKeys = [];
        foreach (['ServiceSingleSignOn', 'AdminSingleSignOn'] as $fn) {
            $params = $fn === 'ServiceSingleSignOn' ? Params::forService($ids['service']) : Params::forServer($ids['server']);
            $sso = Whmcs::call($fn, $params);
            self::assertTrue($sso['success'], json_encode($sso));
        }
        foreach (Capsule::table('mod_cometbackup_sso')->get() as $row) {
            $sessionKeys[] = decrypt((string) $row->session_key);
        }
        self::assertCount(2, $sessionKeys);
        self::assertSame('success', $this->call('ChangePassword', $ids['service'], ['password' => 'Scan-new-' . bin2hex(random_bytes(5))]));
        self::assertSame('success', $this->call('TerminateAccount', $ids['service']));
        // A failure with secrets in play goes through the exception and activity paths too.
        $this->call('SuspendAccount', $ids['service'], ['serverpassword' => 'Scan-wrong-admin-' . bin2hex(random_bytes(4))]);

        $needles = Secrets::needles();
        foreach (array_merge([$emu->adminPassword, $custom], $sessionKeys) as $secret) {
            self::assertNotSame('', $secret);
            self::assertContains($secret, $needles, 'the run registered every kind of secret (admin password, custom password, session keys)');
        }

        $extra = [];
        $errorLog = TestSupport::errorLog();
        self::assertNotNull($errorLog, 'the bootstrap sets PHP\'s error log');
        clearstatcache();
        $extra['PHP error log'] = (string) @file_get_contents($errorLog);
        foreach (TestSupport::childOutputs() as $i => $output) {
            $extra["child process #{$i} output"] = $output;
        }
        foreach (glob(Whmcs::scratchDir() . '/emulator-*/stderr.log') ?: [] as $file) {
            $extra['emulator ' . basename(dirname($file)) . ' stderr'] = (string) file_get_contents($file);
        }
        $coverage = Secrets::coverage();
        $tables = Capsule::table('mod_harness_module_log')->count() + Capsule::table('mod_harness_activity_log')->count();
        $artefacts = array_sum($coverage) + $tables + count($extra);

        $hits = Secrets::scan($needles, $extra);

        self::assertGreaterThan(0, $coverage['moduleLog']);
        self::assertGreaterThan(0, $coverage['activity']);
        fwrite(STDERR, sprintf("\nsecret scan: %d artefacts, %d needles, %d found\n", $artefacts, count($needles), count($hits)));
        self::assertSame([], $hits, 'a secret reached a log, page, exception message, error log or test output');
    }
}
