<?php
// The module's folders are layers (issue 15, part 3): only lib/Api talks to Comet (no curl_ call
// and no Comet endpoint name anywhere else in lib/), Api does not reach into the WHMCS side, Whmcs
// does not reach into Service, and a view never holds a Comet client.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;

final class LayeringTest extends TestCase
{
    /** Endpoints the module calls that no conversation vector lists (not plan requests). */
    private const EXTRA_ENDPOINTS = ['branding/generate-client', 'get-jobs-for-custom-search'];

    public function testNoCurlCallAndNoEndpointNameOutsideLibApi(): void
    {
        $endpoints = self::endpoints();
        self::assertContains('get-user-profile-and-hash', $endpoints, 'the endpoint list comes from the conversation vectors');
        $found = [];
        foreach (self::libFiles() as $rel => $file) {
            if (str_starts_with($rel, 'Api/')) {
                continue;
            }
            foreach (self::comettalk($file, $endpoints) as $hit) {
                $found[] = "{$rel}: {$hit}";
            }
        }
        self::assertSame([], $found, 'only lib/Api may talk to Comet');
    }

    public function testTheScannerSeesCurlCallsAndEndpointNames(): void
    {
        // The rule must be able to fail: a file that does both is caught, comments are not.
        $dir = TestSupport::tempDir('layering');
        file_put_contents($dir . '/x.php', "<?php\n// get-user-profile-and-hash in a comment is fine\n"
            . "\$c = curl_init();\n\$r = \$client->post('get-user-profile-and-hash', []);\n\$s = \"account/session-start-as-user\";\n");
        $hits = self::comettalk($dir . '/x.php', self::endpoints());
        self::assertSame(['curl_init(', "'get-user-profile-and-hash'", '"account/session-start-as-user"'], $hits);
    }

    public function testApiDoesNotReachIntoWhmcsAndWhmcsNotIntoService(): void
    {
        $problems = [];
        foreach (self::libFiles() as $rel => $file) {
            $names = self::namesUsed($file);
            foreach ($names as $name) {
                if (str_starts_with($rel, 'Api/') && str_contains($name, 'CometBackup\\Whmcs\\')) {
                    $problems[] = "{$rel} uses {$name}";
                }
                if (str_starts_with($rel, 'Whmcs/') && str_contains($name, 'CometBackup\\Service\\')) {
                    $problems[] = "{$rel} uses {$name}";
                }
            }
        }
        self::assertSame([], $problems);
    }

    public function testAViewNeverHoldsACometClient(): void
    {
        $problems = [];
        foreach (self::libFiles() as $rel => $file) {
            if (!str_starts_with($rel, 'View/')) {
                continue;
            }
            foreach (self::namesUsed($file) as $name) {
                if (str_contains($name, 'CometBackup\\Api\\')) {
                    $problems[] = "{$rel} uses {$name}";
                }
            }
        }
        self::assertSame([], $problems, 'views render plan results; the App holds the client');
    }

    public function testTheEntryFileIsOneTableIntoTheApp(): void
    {
        $module = file_get_contents(self::moduleDir() . '/cometbackup.php');
        self::assertIsString($module);
        self::assertStringNotContainsString('CometBackup\\Module', $module, 'no static dispatcher behind the entry points');
        self::assertFileDoesNotExist(self::moduleDir() . '/lib/Module.php');
        preg_match_all('/^function (cometbackup_\w+)\(/m', $module, $m);
        $entries = [];
        foreach ($m[1] as $fn) {
            // Every entry point other than the helpers is one call into the table.
            if (in_array($fn, ['cometbackup_Requirements', 'cometbackup_PreloadProblem', 'cometbackup_Autoload', 'cometbackup_Entries', 'cometbackup_Run',
                'cometbackup_Unavailable', 'cometbackup_Loader', 'cometbackup_Renew', 'cometbackup_ClientAreaAllowedFunctions'], true)) {
                continue;
            }
            $entries[] = $fn;
            $body = self::functionBody($module, $fn);
            self::assertMatchesRegularExpression('/^\s*return cometbackup_(Run|Loader)\(\'\w+\'(, [^;]*)?\);\s*$/', $body, "{$fn} is one line into the table");
        }
        self::assertGreaterThanOrEqual(20, count($entries));
    }

    /** @return array<string, string> path relative to lib/ => absolute path */
    private static function libFiles(): array
    {
        $lib = self::moduleDir() . '/lib';
        $out = [];
        $it = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($lib, \FilesystemIterator::SKIP_DOTS));
        foreach ($it as $f) {
            if ($f->isFile() && $f->getExtension() === 'php') {
                $out[substr($f->getPathname(), strlen($lib) + 1)] = $f->getPathname();
            }
        }
        ksort($out);
        self::assertArrayHasKey('App.php', $out);
        return $out;
    }

    /** @return list<string> every endpoint the core's conversations request, plus EXTRA_ENDPOINTS */
    private static function endpoints(): array
    {
        $names = self::EXTRA_ENDPOINTS;
        foreach (glob(TestSupport::repoRoot() . '/tests/vectors/conversations/*.json') ?: [] as $file) {
            preg_match_all('/"endpoint"\s*:\s*"([^"]+)"/', (string) file_get_contents($file), $m);
            $names = array_merge($names, $m[1]);
        }
        $names = array_values(array_unique($names));
        sort($names);
        return $names;
    }

    /**
     * curl_ calls and string literals naming a Comet endpoint in $file's code (comments ignored).
     *
     * @param list<string> $endpoints
     * @return list<string>
     */
    private static function comettalk(string $file, array $endpoints): array
    {
        $tokens = token_get_all((string) file_get_contents($file));
        $hits = [];
        foreach ($tokens as $i => $t) {
            if (!is_array($t)) {
                continue;
            }
            if ($t[0] === T_STRING && str_starts_with(strtolower($t[1]), 'curl_')) {
                $next = $tokens[$i + 1] ?? null;
                if ($next === '(') {
                    $hits[] = $t[1] . '(';
                }
            }
            if ($t[0] === T_CONSTANT_ENCAPSED_STRING || $t[0] === T_ENCAPSED_AND_WHITESPACE) {
                foreach ($endpoints as $e) {
                    if (preg_match('~(?<![A-Za-z0-9_/-])' . preg_quote($e, '~') . '(?![A-Za-z0-9_-])~', $t[1]) === 1) {
                        $hits[] = $t[1];
                        break;
                    }
                }
            }
        }
        return $hits;
    }

    /** @return list<string> the class names $file imports or names fully (`use` lines and \A\B references) */
    private static function namesUsed(string $file): array
    {
        $code = (string) file_get_contents($file);
        preg_match_all('/^use\s+([A-Za-z0-9_\\\\]+)/m', $code, $uses);
        preg_match_all('/\\\\?WHMCS\\\\Module\\\\Server\\\\CometBackup\\\\[A-Za-z0-9_\\\\]+/', $code, $full);
        return array_values(array_unique(array_merge($uses[1], $full[0])));
    }

    private static function functionBody(string $code, string $fn): string
    {
        $start = strpos($code, "function {$fn}(");
        self::assertNotFalse($start);
        $open = strpos($code, '{', $start);
        $close = strpos($code, "\n}", $open);
        return substr($code, $open + 1, $close - $open - 1);
    }

    private static function moduleDir(): string
    {
        return TestSupport::repoRoot() . '/whmcs-module/modules/servers/cometbackup';
    }
}
