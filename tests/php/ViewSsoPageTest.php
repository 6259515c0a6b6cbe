<?php
// The SSO page: the session key only in the script body, origin and source checks, no-store headers.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\View\SsoPage;

final class ViewSsoPageTest extends TestCase
{
    private const KEY = 'sk_9f8e7d6c5b4a39281706f5e4d3c2b1a0';

    private static function dom(string $html): \DOMXPath
    {
        $doc = new \DOMDocument();
        $previous = libxml_use_internal_errors(true);
        $doc->loadHTML($html);
        libxml_clear_errors();
        libxml_use_internal_errors($previous);
        return new \DOMXPath($doc);
    }

    /** The config object the page's script holds, decoded from the page itself. */
    private static function config(string $html): array
    {
        $xp = self::dom($html);
        $scripts = $xp->query('//script');
        self::assertSame(1, $scripts->length, 'exactly one script element');
        $js = $scripts->item(0)->textContent;
        self::assertSame(1, preg_match('/var cfg = (\{.*?\});\n/s', $js, $m), 'the config literal is where the script reads it');
        return json_decode($m[1], true, 512, JSON_THROW_ON_ERROR);
    }

    public function testTheSessionKeyIsInTheScriptBodyAndInNoUrlOrAttribute(): void
    {
        $html = SsoPage::html('https://comet.example.com/', 'alice01', self::KEY, 'user');
        $xp = self::dom($html);

        $this->assertSame(1, substr_count($html, self::KEY), 'the key appears once');
        foreach ($xp->query('//@*') as $attr) {
            $this->assertStringNotContainsString(self::KEY, $attr->value, "attribute {$attr->name} carries the key");
        }
        $script = $xp->query('//script')->item(0)->textContent;
        $this->assertStringContainsString(self::KEY, $script);
        // Every URL-looking string in the page is the Comet URL, and none has a query or fragment.
        preg_match_all('#https?://[^"\'\s<>]*#', $html, $urls);
        $this->assertNotEmpty($urls[0]);
        foreach ($urls[0] as $url) {
            $this->assertStringNotContainsString(self::KEY, $url);
            $this->assertStringNotContainsString('?', $url);
        }
        $cfg = self::config($html);
        $this->assertSame('https://comet.example.com/', $cfg['url']);
        $this->assertSame(self::KEY, $cfg['sessionkey']);
        $this->assertSame('alice01', $cfg['username']);
    }

    public function testTheScriptChecksOriginAndSourceAndPostsOnlyToTheOrigin(): void
    {
        $html = SsoPage::html('https://comet.example.com:8443/comet/', 'alice01', self::KEY, 'user');
        $cfg = self::config($html);
        $this->assertSame('https://comet.example.com:8443', $cfg['origin']);
        $this->assertSame('user_session_login', $cfg['msg']);
        $script = self::dom($html)->query('//script')->item(0)->textContent;
        $this->assertStringContainsString('event.source !== win', $script);
        $this->assertStringContainsString('event.origin !== cfg.origin', $script);
        $this->assertStringContainsString('data.msg !== "app_loaded"', $script);
        $this->assertStringContainsString('}, cfg.origin);', $script, 'postMessage targets the Comet origin, never "*"');
        $this->assertStringNotContainsString('"*"', $script);
        $this->assertStringContainsString('window.open(cfg.url', $script);
    }

    public function testAdminKindPostsSessionLogin(): void
    {
        $cfg = self::config(SsoPage::html('http://10.0.0.5:8060/', 'admin', self::KEY, 'admin'));
        $this->assertSame('session_login', $cfg['msg']);
        $this->assertSame('http://10.0.0.5:8060', $cfg['origin']);
    }

    /** @return iterable<string, array{string, ?string}> */
    public static function origins(): iterable
    {
        yield 'https default port' => ['https://Comet.Example.com:443/x', 'https://comet.example.com'];
        yield 'http default port' => ['http://comet.example.com:80', 'http://comet.example.com'];
        yield 'explicit port' => ['http://127.0.0.1:8060/', 'http://127.0.0.1:8060'];
        yield 'IPv6' => ['https://[::1]:8443/', 'https://[::1]:8443'];
        yield 'javascript URL' => ['javascript:alert(1)', null];
        yield 'relative' => ['/comet', null];
        yield 'credentials in URL' => ['https://u:p@comet.example.com/', null];
        yield 'other scheme' => ['ftp://comet.example.com/', null];
    }

    /** @dataProvider origins */
    public function testOriginIsSerialisedAsABrowserDoes(string $url, ?string $expected): void
    {
        $this->assertSame($expected, SsoPage::origin($url));
    }

    public function testHostileUsernameCannotLeaveTheScript(): void
    {
        $name = '</script><script>alert(1)</script><!--';
        $html = SsoPage::html('https://comet.example.com/', $name, self::KEY, 'user');
        $cfg = self::config($html); // asserts a single script element
        $this->assertSame($name, $cfg['username']);
        $this->assertStringNotContainsString('</script><script>', $html);
    }

    public function testTheCspAllowsOnlyThisPagesNoncedScript(): void
    {
        $html = SsoPage::html('https://comet.example.com/', 'alice01', self::KEY, 'user');
        $xp = self::dom($html);
        $csp = $xp->query('//meta[@http-equiv="Content-Security-Policy"]/@content')->item(0)->value;
        $this->assertSame(1, preg_match("/script-src 'nonce-([A-Za-z0-9_-]{16,})'/", $csp, $m));
        $this->assertStringContainsString("default-src 'none'", $csp);
        $this->assertSame($m[1], $xp->query('//script/@nonce')->item(0)->value);
        $this->assertSame('no-referrer', $xp->query('//meta[@name="referrer"]/@content')->item(0)->value);
        // A fresh nonce per page.
        $other = self::dom(SsoPage::html('https://comet.example.com/', 'alice01', self::KEY, 'user'));
        $this->assertNotSame($m[1], $other->query('//script/@nonce')->item(0)->value);
    }

    public function testHeadersForbidCachingFramingAndReferrers(): void
    {
        $headers = implode("\n", SsoPage::headers());
        $this->assertMatchesRegularExpression('/^Cache-Control: .*no-store/m', $headers);
        $this->assertMatchesRegularExpression('/^Referrer-Policy: no-referrer$/m', $headers);
        $this->assertMatchesRegularExpression('/^X-Frame-Options: DENY$/m', $headers);
        $this->assertMatchesRegularExpression('#^Content-Type: text/html; charset=utf-8$#m', $headers);
    }

    /** @return iterable<string, array{string, string, string}> */
    public static function refused(): iterable
    {
        yield 'not a URL' => ['comet.example.com', self::KEY, 'user'];
        yield 'key in the URL' => ['https://comet.example.com/?k=' . self::KEY, self::KEY, 'user'];
        yield 'key URL-encoded in the URL' => ['https://comet.example.com/#' . rawurlencode('x' . self::KEY), self::KEY, 'user'];
        yield 'unknown kind' => ['https://comet.example.com/', self::KEY, 'root'];
        yield 'empty key' => ['https://comet.example.com/', '', 'user'];
    }

    /** @dataProvider refused */
    public function testBadInputGivesAPageWithNoScriptAndNoKey(string $url, string $key, string $kind): void
    {
        $html = SsoPage::html($url, 'alice01', $key, $kind);
        $xp = self::dom($html);
        $this->assertSame(0, $xp->query('//script')->length);
        if ($key !== '') {
            $this->assertStringNotContainsString($key, $html);
        }
        $this->assertStringContainsString('Signing in failed', $html);
    }
}
