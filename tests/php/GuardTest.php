<?php
// The WHMCS guard (issue 15, part 2): every PHP file of the module folder that a browser could
// request and that is no entry point starts with it, so a request for it runs nothing and prints
// only the refusal. lib/Wasm/opcache-preload.php runs when PHP starts, before WHMCS exists, and
// refuses web requests instead; preload.php is a command-line tool and refuses the web.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;

final class GuardTest extends TestCase
{
    private const GUARD = "if (!defined('WHMCS')) {\n    exit('This file cannot be accessed directly');\n}";
    private const REFUSAL = 'This file cannot be accessed directly';

    /**
     * The one file of lib/ that PHP itself runs (opcache.preload), where WHMCS is never defined:
     * it refuses a web request instead.
     */
    private const PRELOAD_GUARD = "if (!defined('WHMCS') && (http_response_code() !== false || isset(\$_SERVER['REQUEST_METHOD']))) {\n"
        . "    exit('This file cannot be accessed directly');\n}";

    private static function moduleDir(): string
    {
        return TestSupport::repoRoot() . '/whmcs-module/modules/servers/cometbackup';
    }

    /** @return array<string, string> path relative to the module folder => absolute path */
    private static function guardedFiles(): array
    {
        $out = [];
        foreach (['lib', 'lang'] as $dir) {
            $it = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator(self::moduleDir() . '/' . $dir, \FilesystemIterator::SKIP_DOTS));
            foreach ($it as $f) {
                if ($f->isFile() && $f->getExtension() === 'php') {
                    $out[substr($f->getPathname(), strlen(self::moduleDir()) + 1)] = $f->getPathname();
                }
            }
        }
        ksort($out);
        return $out;
    }

    /** The code's tokens without whitespace, comments and the opening tag, joined. */
    private static function significant(string $code): string
    {
        $text = '';
        foreach (token_get_all($code) as $token) {
            if (is_array($token) && in_array($token[0], [T_OPEN_TAG, T_WHITESPACE, T_COMMENT, T_DOC_COMMENT], true)) {
                continue;
            }
            $text .= is_array($token) ? $token[1] : $token;
        }
        return $text;
    }

    /**
     * Why $file does not start with $guard, or null: the guard must be the first statement, after
     * declare(strict_types=1) (which PHP wants first) and a namespace declaration (which PHP wants
     * before any other code) when the file has them.
     */
    private static function problem(string $file, string $guard = self::GUARD): ?string
    {
        $code = (string) file_get_contents($file);
        if (!str_starts_with($code, '<?php')) {
            return 'does not start with <?php';
        }
        $rest = self::significant($code);
        if (str_contains($rest, 'declare(strict_types=1);')) {
            if (!str_starts_with($rest, 'declare(strict_types=1);')) {
                return 'declare(strict_types=1) is not the first statement';
            }
            $rest = substr($rest, strlen('declare(strict_types=1);'));
        }
        $rest = (string) preg_replace('/\Anamespace[A-Za-z0-9_\\\\]+;/', '', $rest, 1);
        $expected = self::significant('<?php ' . $guard);
        return str_starts_with($rest, $expected) ? null : 'does not start with the guard: ' . substr($rest, 0, 60);
    }

    public function testEveryPhpFileUnderLibAndLangStartsWithTheGuard(): void
    {
        $files = self::guardedFiles();
        self::assertArrayHasKey('lib/App.php', $files);
        self::assertArrayHasKey('lang/english.php', $files);
        self::assertArrayHasKey('lib/Wasm/opcache-preload.php', $files);
        $problems = [];
        foreach ($files as $rel => $file) {
            $problem = self::problem($file, $rel === 'lib/Wasm/opcache-preload.php' ? self::PRELOAD_GUARD : self::GUARD);
            if ($problem !== null) {
                $problems[] = "{$rel}: {$problem}";
            }
        }
        self::assertGreaterThan(30, count($files));
        self::assertSame([], $problems);
    }

    public function testTheCheckCatchesAFileWithoutTheGuard(): void
    {
        $dir = TestSupport::tempDir('guard');
        $cases = [
            'none' => "<?php\ndeclare(strict_types=1);\n\nnamespace A\\B;\n\nfinal class X {}\n",
            'after code' => "<?php\ndeclare(strict_types=1);\nnamespace A;\nfinal class X {}\n" . self::GUARD . "\n",
            // The guard lang/english.php had: it let any command-line script in.
            'weaker condition' => "<?php\nif (!defined('WHMCS') && PHP_SAPI !== 'cli') {\n    exit;\n}\n",
            'other message' => "<?php\nif (!defined('WHMCS')) {\n    exit('no');\n}\n",
            'declare not first' => "<?php\n" . self::GUARD . "\ndeclare(strict_types=1);\n",
            'in a comment only' => "<?php\n// " . str_replace("\n", ' ', self::GUARD) . "\nfinal class X {}\n",
        ];
        foreach ($cases as $name => $code) {
            file_put_contents($dir . '/bad.php', $code);
            self::assertNotNull(self::problem($dir . '/bad.php'), "missed: {$name}");
        }
        $good = [
            'declare, namespace, guard' => "<?php\n// Role.\n\ndeclare(strict_types=1);\n\nnamespace A\\B;\n\n" . self::GUARD . "\n\nuse C\\D;\n",
            'declare, guard' => "<?php\ndeclare(strict_types=1);\n" . self::GUARD . "\n\$x = 1;\n",
            'comments, guard' => "<?php\n/** Words. */\n" . self::GUARD . "\n\$_LANG['a'] = 'b';\n",
        ];
        foreach ($good as $name => $code) {
            file_put_contents($dir . '/good.php', $code);
            self::assertNull(self::problem($dir . '/good.php'), "refused: {$name}");
        }
    }

    /**
     * One request to php-cgi for $script, as a web server makes it, with PHP's errors shown in the
     * page (so that a warning or a fatal error would show up in the body).
     *
     * @param list<string> $ini
     * @return array{0: string, 1: string, 2: string} [head, body, stderr]
     */
    private static function cgi(string $script, array $ini = []): array
    {
        $argv = [WebSapiTest::phpCgi(), '-d', 'display_errors=1', '-d', 'error_reporting=-1', '-d', 'log_errors=0'];
        foreach ($ini as $setting) {
            array_push($argv, '-d', $setting);
        }
        $env = [
            'PATH' => (string) getenv('PATH'),
            'GATEWAY_INTERFACE' => 'CGI/1.1',
            'REDIRECT_STATUS' => '200',
            'REQUEST_METHOD' => 'GET',
            'SCRIPT_FILENAME' => $script,
            'SCRIPT_NAME' => '/' . basename($script),
            'REQUEST_URI' => '/' . basename($script),
            'QUERY_STRING' => '',
            'SERVER_PROTOCOL' => 'HTTP/1.1',
            'SERVER_NAME' => 'localhost',
        ];
        [$code, $stdout, $stderr] = TestSupport::run($argv, '', $env);
        self::assertSame(0, TestSupport::lastSignal(), "php-cgi was killed by a signal ({$script})");
        self::assertSame(0, $code, "php-cgi {$script} exited with {$code}:\n{$stdout}\n{$stderr}");
        [$head, $body] = array_pad(preg_split("/\r?\n\r?\n/", $stdout, 2) ?: [], 2, '');
        return [$head, $body, $stderr];
    }

    public function testEveryLibAndLangFileRequestedOverHttpPrintsOnlyTheRefusal(): void
    {
        $bodies = [];
        foreach (self::guardedFiles() as $rel => $file) {
            [, $body, $stderr] = self::cgi($file);
            $bodies[$rel] = $body . $stderr;
        }
        self::assertSame(array_fill_keys(array_keys(self::guardedFiles()), self::REFUSAL), $bodies);
    }

    private static function preloadIni(): array
    {
        $ini = ['opcache.enable=1', 'opcache.preload=' . self::moduleDir() . '/lib/Wasm/opcache-preload.php'];
        if (function_exists('posix_geteuid') && posix_geteuid() === 0) {
            // PHP refuses to preload as root without it.
            $ini[] = 'opcache.preload_user=root';
        }
        return $ini;
    }

    /**
     * The preload script runs at start-up (no request yet, no WHMCS) and compiles FfiApi; the same
     * php.ini then refuses a request for the script itself, printing only the refusal.
     */
    public function testThePreloadScriptRunsAtStartUpAndRefusesARequest(): void
    {
        $front = TestSupport::tempDir('guard-front') . '/front.php';
        file_put_contents($front, '<?php $s = opcache_get_status(false);'
            . ' echo json_encode(is_array($s) ? ($s["preload_statistics"]["classes"] ?? []) : null);');
        [, $body, $stderr] = self::cgi($front, self::preloadIni());
        $classes = json_decode($body, true);
        self::assertIsArray($classes, "no preload statistics:\n{$body}\n{$stderr}");
        self::assertContains('WHMCS\\Module\\Server\\CometBackup\\Wasm\\FfiApi', $classes, $body . $stderr);
        self::assertContains('WHMCS\\Module\\Server\\CometBackup\\Wasm\\WasmApi', $classes, $body . $stderr);

        [, $body, $stderr] = self::cgi(self::moduleDir() . '/lib/Wasm/opcache-preload.php', self::preloadIni());
        self::assertSame(self::REFUSAL, $body . $stderr);
    }

    /** preload.php prints absolute paths of the server: over HTTP it refuses and names none. */
    public function testPreloadPhpRefusesAWebRequest(): void
    {
        [$head, $body, $stderr] = self::cgi(self::moduleDir() . '/preload.php');
        self::assertMatchesRegularExpression('/^Status: 404\b/m', $head);
        self::assertSame('preload.php runs from the command line only.', $body . $stderr);
    }
}
