<?php
// sso.php and its tokens: single use, 60 seconds, bound to the session that asked, the session key
// never in a URL and never in the table in clear.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Service\SsoTokens;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

final class ModuleSsoTest extends ModuleTestCase
{
    private const KEY = 'sess-0123456789abcdef-KEY';

    public function testSsoPhpPrintsTheLoginPageOnceForTheRightSession(): void
    {
        $token = SsoTokens::issue('https://comet.example.test/', 'alice', self::KEY, 'user', 42);
        self::assertMatchesRegularExpression('/^[A-Za-z0-9_-]{43}$/', $token);
        $row = Capsule::table('mod_cometbackup_sso')->first();
        self::assertSame(hash('sha256', $token), $row->token_hash, 'only the token\'s digest is stored');
        self::assertStringNotContainsString(self::KEY, json_encode($row), 'the key is stored encrypted');

        // Another client's session: refused, and the token is spent.
        self::assertStringContainsString('expired or was already used', $this->page($token, ['uid' => 7]));
        $token = SsoTokens::issue('https://comet.example.test/', 'alice', self::KEY, 'user', 42);
        $html = $this->page($token, ['uid' => 42]);
        self::assertStringContainsString('user_session_login', $html);
        self::assertStringContainsString(self::KEY, $html);
        self::assertStringContainsString('https://comet.example.test', $html);
        self::assertStringContainsString('expired or was already used', $this->page($token, ['uid' => 42]), 'single use');
        self::assertSame(0, Capsule::table('mod_cometbackup_sso')->count());
    }

    public function testTokensExpireAfterSixtySecondsAndAdminTokensNeedAnAdmin(): void
    {
        $now = 1700000000;
        $token = SsoTokens::issue('https://comet.example.test/', 'admin', self::KEY, 'admin', 0, $now);
        self::assertNull(SsoTokens::consume($token, ['uid' => 1], $now + 1), 'a client session cannot use an admin token');
        $token = SsoTokens::issue('https://comet.example.test/', 'admin', self::KEY, 'admin', 0, $now);
        self::assertNull(SsoTokens::consume($token, ['adminid' => 1], $now + 61), 'expired');
        $token = SsoTokens::issue('https://comet.example.test/', 'admin', self::KEY, 'admin', 0, $now);
        $entry = SsoTokens::consume($token, ['adminid' => 1], $now + 60);
        self::assertSame(['cometUrl' => 'https://comet.example.test/', 'username' => 'admin', 'sessionKey' => self::KEY, 'kind' => 'admin'], $entry);
        self::assertNull(SsoTokens::consume('not-a-token', ['adminid' => 1], $now));
        // Issuing purges expired rows.
        SsoTokens::issue('https://comet.example.test/', 'x', 'k1', 'admin', 0, $now);
        SsoTokens::issue('https://comet.example.test/', 'x', 'k2', 'admin', 0, $now + 120);
        self::assertSame(1, Capsule::table('mod_cometbackup_sso')->count());
    }

    public function testAMissingSystemUrlIsAClearSsoError(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu);
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        Capsule::table('tblconfiguration')->where('setting', 'SystemURL')->delete();
        $sso = $this->call('ServiceSingleSignOn', $ids['service'], [], 'client');
        self::assertFalse($sso['success']);
        self::assertStringContainsString('System URL', $sso['errorMsg']);
        self::assertSame(0, Capsule::table('mod_cometbackup_sso')->count());
    }

    /** Runs sso.php as the browser's request would (WHMCS already booted by the harness). */
    private function page(string $token, array $session): string
    {
        $_GET['token'] = $token;
        $_SESSION = $session;
        ob_start();
        try {
            include Whmcs::moduleDir() . '/sso.php';
        } finally {
            $html = (string) ob_get_clean();
            unset($_GET['token'], $_SESSION);
        }
        return $html;
    }
}
