<?php
// No direct Comet access outside the client: in the module's lib/, every curl_ call and every Comet
// endpoint name lives in lib/Api (one transport, one handling of TLS and the private CA).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;

final class LayersTest extends TestCase
{
    /**
     * Files that still read Comet themselves until the ServiceOverview plan replaces their direct
     * get-user-profile-and-hash reads (issue 15, part 1, on another branch). Remove them from here
     * when it lands; the test then covers them too.
     */
    private const PENDING = ['View/AdminTab.php', 'View/ClientArea.php'];

    /** @return array<string, string> path under lib/ => PHP code with comments removed */
    private static function codeOutsideApi(): array
    {
        $lib = TestSupport::repoRoot() . '/whmcs-module/modules/servers/cometbackup/lib';
        $out = [];
        $files = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($lib, \FilesystemIterator::SKIP_DOTS));
        foreach ($files as $file) {
            $path = substr((string) $file, strlen($lib) + 1);
            if (!str_ends_with($path, '.php') || str_starts_with($path, 'Api/')) {
                continue;
            }
            $code = '';
            foreach (token_get_all((string) file_get_contents((string) $file)) as $token) {
                if (is_array($token) && in_array($token[0], [T_COMMENT, T_DOC_COMMENT], true)) {
                    continue; // a comment may name an endpoint to explain itself
                }
                $code .= is_array($token) ? $token[1] : $token;
            }
            $out[$path] = $code;
        }
        self::assertArrayHasKey('Module.php', $out, 'the walk found the module\'s files');
        return $out;
    }

    /** The endpoint names the emulator serves (the Comet admin API surface this module knows). */
    private static function endpointNames(): array
    {
        $js = (string) file_get_contents(TestSupport::repoRoot() . '/node-harness/emulator/handlers.js');
        preg_match_all("/^\\s*'([a-z][a-z0-9\\/-]+)': \\{ fn:/m", $js, $m);
        self::assertGreaterThan(20, count($m[1]), 'the emulator\'s endpoint table was read');
        return array_merge($m[1], ['branding/generate-client']);
    }

    public function testNoCurlCallOutsideLibApi(): void
    {
        foreach (self::codeOutsideApi() as $path => $code) {
            self::assertSame(0, preg_match('/\bcurl_[a-z_]+\s*\(/i', $code), "{$path} calls curl itself");
        }
    }

    public function testNoCometEndpointNameOutsideLibApi(): void
    {
        $names = self::endpointNames();
        foreach (self::codeOutsideApi() as $path => $code) {
            if (in_array($path, self::PENDING, true)) {
                continue;
            }
            foreach ($names as $name) {
                self::assertSame(0, preg_match('#[\'"]' . preg_quote($name, '#') . '[/\'"]#', $code), "{$path} names the Comet endpoint {$name}");
            }
        }
    }
}
