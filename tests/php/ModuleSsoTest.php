<?php
// sso.php and its tokens: single use, 60 seconds, bound to the session that asked, the session key
// never in a URL and never in the table in clear.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Service\SsoTokens;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

final class ModuleSsoTest extends ModuleTestCase
{
    private const KEY = 'sess-0123456789abcdef-KEY';

    public function testSsoPhpInAWebSapiPrintsTheLoginPageOnlyToTheSessionThatAskedForIt(): void
    {
        $asked = Whmcs::loginSession();
        $digest = SsoTokens::sessionDigest($asked);
        $token = SsoTokens::issue('https://comet.example.test/', 'alice', self::KEY, 'user', 42, $digest);
        self::assertMatchesRegularExpression('/^[A-Za-z0-9_-]{43}$/', $token);
        $row = Capsule::table('mod_cometbackup_sso')->first();
        self::assertSame(hash('sha256', $token), $row->token_hash, 'only the token\'s digest is stored');
        self::assertSame(hash('sha256', $asked), $row->session_hash, 'bound to the digest of the session ID');
        self::assertStringNotContainsString($asked, json_encode($row), 'the session ID itself is not stored');
        self::assertStringNotContainsString(self::KEY, json_encode($row), 'the key is stored encrypted');

        // The same client logged in from another browser (another session): refused, and the token is spent.
        [$status, , $html] = $this->request($token, 'other' . bin2hex(random_bytes(8)), ['uid' => 42]);
        self::assertSame(403, $status);
        self::assertStringContainsString('expired or was already used', $html);
        self::assertStringNotContainsString(self::KEY, $html);
        self::assertSame(0, Capsule::table('mod_cometbackup_sso')->count(), 'a refused token is spent');

        // The right session, but another client's login in it: refused.
        $token = SsoTokens::issue('https://comet.example.test/', 'alice', self::KEY, 'user', 42, $digest);
        self::assertSame(403, $this->request($token, $asked, ['uid' => 7])[0]);

        $token = SsoTokens::issue('https://comet.example.test/', 'alice', self::KEY, 'user', 42, $digest);
        [$status, $headers, $html] = $this->request($token, $asked, ['uid' => 42]);
        self::assertSame(200, $status, $html);
        self::assertMatchesRegularExpression('/^Cache-Control: no-store/mi', $headers);
        self::assertMatchesRegularExpression('/^X-Frame-Options: DENY/mi', $headers);
        self::assertStringContainsString('user_session_login', $html);
        self::assertStringContainsString(self::KEY, $html);
        self::assertStringContainsString('https://comet.example.test', $html);
        [$status, , $html] = $this->request($token, $asked, ['uid' => 42]);
        self::assertSame(403, $status, 'single use');
        self::assertStringContainsString('expired or was already used', $html);
        self::assertSame(0, Capsule::table('mod_cometbackup_sso')->count());
    }

    public function testSsoPhpFailsClosedWhenOutputWentOutBeforeIt(): void
    {
        $asked = Whmcs::loginSession();
        $token = SsoTokens::issue('https://comet.example.test/', 'alice', self::KEY, 'user', 42, SsoTokens::sessionDigest($asked));
        // In a web SAPI after a stray echo, and in this process (PHPUnit has printed already).
        [, , $html] = $this->request($token, $asked, ['uid' => 42], true);
        self::assertStringContainsString('early output', $html, 'the child did print first');
        foreach (['web SAPI' => $html, 'CLI' => $this->include($token, ['uid' => 42])] as $where => $page) {
            self::assertStringContainsString('cannot be shown', $page, $where);
            self::assertStringNotContainsString(self::KEY, $page, $where);
            self::assertStringNotContainsString('<script', $page, $where);
        }
        self::assertSame(1, Capsule::table('mod_cometbackup_sso')->count(), 'the token was not used');
        self::assertSame(200, $this->request($token, $asked, ['uid' => 42])[0], 'and works once the stray output is gone');
    }

    public function testTokensExpireAfterSixtySecondsAndAdminTokensNeedAnAdmin(): void
    {
        $now = 1700000000;
        $mine = SsoTokens::sessionDigest(Whmcs::loginSession());
        $token = SsoTokens::issue('https://comet.example.test/', 'admin', self::KEY, 'admin', 0, $mine, $now);
        self::assertNull(SsoTokens::consume($token, ['uid' => 1], $mine, $now + 1), 'a client session cannot use an admin token');
        $token = SsoTokens::issue('https://comet.example.test/', 'admin', self::KEY, 'admin', 0, $mine, $now);
        self::assertNull(SsoTokens::consume($token, ['adminid' => 1], $mine, $now + 61), 'expired');
        $token = SsoTokens::issue('https://comet.example.test/', 'admin', self::KEY, 'admin', 0, $mine, $now);
        self::assertNull(SsoTokens::consume($token, ['adminid' => 1], SsoTokens::sessionDigest('another-admin-session'), $now + 1),
            'an admin of another session cannot use it');
        $token = SsoTokens::issue('https://comet.example.test/', 'admin', self::KEY, 'admin', 0, $mine, $now);
        self::assertNull(SsoTokens::consume($token, ['adminid' => 1], '', $now + 1), 'no session, no token');
        $token = SsoTokens::issue('https://comet.example.test/', 'admin', self::KEY, 'admin', 0, $mine, $now);
        $entry = SsoTokens::consume($token, ['adminid' => 1], $mine, $now + 60);
        self::assertSame(['cometUrl' => 'https://comet.example.test/', 'username' => 'admin', 'sessionKey' => self::KEY, 'kind' => 'admin'], $entry);
        self::assertNull(SsoTokens::consume('not-a-token', ['adminid' => 1], $mine, $now));

        // Issuing purges expired rows, and so does consuming.
        SsoTokens::issue('https://comet.example.test/', 'x', 'k1', 'admin', 0, $mine, $now);
        SsoTokens::issue('https://comet.example.test/', 'x', 'k2', 'admin', 0, $mine, $now + 120);
        self::assertSame(1, Capsule::table('mod_cometbackup_sso')->count());
        SsoTokens::issue('https://comet.example.test/', 'x', 'k3', 'admin', 0, $mine, $now + 120);
        $last = SsoTokens::issue('https://comet.example.test/', 'x', 'k4', 'admin', 0, $mine, $now + 170);
        self::assertSame(3, Capsule::table('mod_cometbackup_sso')->count());
        self::assertNotNull(SsoTokens::consume($last, ['adminid' => 1], $mine, $now + 200));
        self::assertSame(0, Capsule::table('mod_cometbackup_sso')->count(), 'the two expired rows went with the consume');

        // No session to bind to: no token.
        $this->expectException(\InvalidArgumentException::class);
        SsoTokens::issue('https://comet.example.test/', 'x', 'k5', 'admin', 0, '', $now);
    }

    public function testAnOldTableWithoutTheSessionColumnIsUpgradedAndItsRowsAreUnusable(): void
    {
        Capsule::schema()->dropIfExists('mod_cometbackup_sso');
        Capsule::schema()->create('mod_cometbackup_sso', static function ($table) {
            $table->char('token_hash', 64)->primary();
            $table->string('kind', 8);
            $table->unsignedInteger('client_id')->default(0);
            $table->string('comet_url', 1024);
            $table->string('username', 255);
            $table->text('session_key');
            $table->unsignedBigInteger('expires_at')->index();
        });
        $old = str_repeat('A', 43);
        Capsule::table('mod_cometbackup_sso')->insert(['token_hash' => hash('sha256', $old), 'kind' => 'admin', 'client_id' => 0,
            'comet_url' => 'https://comet.example.test/', 'username' => 'admin', 'session_key' => encrypt(self::KEY), 'expires_at' => time() + 60]);
        SsoTokens::resetSchemaCheck();
        $mine = SsoTokens::sessionDigest(Whmcs::loginSession());
        self::assertNull(SsoTokens::consume($old, ['adminid' => 1], $mine), 'a row bound to no session is never handed out');
        $token = SsoTokens::issue('https://comet.example.test/', 'admin', self::KEY, 'admin', 0, $mine);
        self::assertNotNull(SsoTokens::consume($token, ['adminid' => 1], $mine));
    }

    public function testWithoutALoginSessionNoSignInIsStarted(): void
    {
        $emu = $this->emulator();
        $ids = $this->service($emu);
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        $emu->control('journal/clear');
        session_id('');
        try {
            $sso = $this->call('ServiceSingleSignOn', $ids['service'], [], 'client');
        } finally {
            Whmcs::loginSession();
        }
        self::assertFalse($sso['success']);
        self::assertStringContainsString('login session', $sso['errorMsg']);
        self::assertSame([], $emu->journal(), 'no Comet session was started');
        self::assertSame(0, Capsule::table('mod_cometbackup_sso')->count());
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

    /**
     * One browser request of sso.php in php-cgi (a web SAPI: real headers), from the login session
     * $sessionId with $session as its $_SESSION.
     *
     * @return array{0: int, 1: string, 2: string} [HTTP status, header block, body]
     */
    private function request(string $token, string $sessionId, array $session, bool $earlyOutput = false): array
    {
        $env = Database::childEnv() + [
            'SSO_TOKEN' => $token,
            'SSO_SESSION_ID' => $sessionId,
            'SSO_SESSION' => (string) json_encode($session),
            'SSO_EARLY_OUTPUT' => $earlyOutput ? '1' : '0',
            'COMETPROV_HARNESS_MODULE_DIR' => Whmcs::moduleDir(),
        ];
        [$code, $out, $err] = TestSupport::run(['php-cgi', '-d', 'ffi.enable=1', '-d', 'display_errors=0',
            '-d', 'log_errors=1', '-d', 'error_log=' . (TestSupport::errorLog() ?? '/dev/null'),
            TestSupport::repoRoot() . '/tests/php/Whmcs/sso-request.php'], '', $env);
        self::assertSame(0, $code, "php-cgi failed: {$err}");
        return self::split($out);
    }

    /** @return array{0: int, 1: string, 2: string} */
    private static function split(string $out): array
    {
        $cut = strpos($out, "\r\n\r\n");
        self::assertNotFalse($cut, 'php-cgi printed no header block: ' . substr($out, 0, 200));
        $headers = substr($out, 0, $cut);
        $status = preg_match('/^Status: (\d{3})/mi', $headers, $m) === 1 ? (int) $m[1] : 200;
        return [$status, $headers, substr($out, $cut + 4)];
    }

    /** Includes sso.php in this process, where PHPUnit's output has gone out already. */
    private function include(string $token, array $session): string
    {
        self::assertTrue(headers_sent(), 'PHPUnit printed before the test');
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
