<?php
// The SSO page in a real browser (Debian's Chromium, headless): it signs in the Comet window it
// opened, and a window that ends up on another origin never receives the session key.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\View\SsoPage;

final class ViewSsoBrowserTest extends TestCase
{
    private const KEY = 'sk_browser_5e1d0c9b8a7f6e5d4c3b';

    /**
     * One router for every origin (each is a `php -S` on its own loopback port, so each port is its
     * own origin): /sso.html is the page under test, /comet/ plays the Comet web UI (announces
     * app_loaded to its opener, records what it receives), /redirect sends the browser elsewhere.
     */
    private const ROUTER = <<<'PHP'
<?php
$uri = parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH);
$dir = getenv('SSO_TEST_DIR');
if ($uri === '/record' && $_SERVER['REQUEST_METHOD'] === 'POST') {
    file_put_contents($dir . '/record-' . $_SERVER['SERVER_PORT'] . '.jsonl', file_get_contents('php://input') . "\n", FILE_APPEND | LOCK_EX);
    echo 'ok';
    return true;
}
if ($uri === '/redirect') {
    header('Location: ' . getenv('SSO_TEST_REDIRECT'), true, 302);
    return true;
}
if ($uri === '/comet/') {
    header('Content-Type: text/html; charset=utf-8');
    echo '<!DOCTYPE html><html><body>Comet<script>
function record(v) { return fetch("/record", {method: "POST", body: JSON.stringify(v)}); }
window.addEventListener("message", function (e) { record({origin: e.origin, data: e.data}); });
record({loaded: true}).then(function () { window.opener.postMessage({msg: "app_loaded"}, "*"); });
</script></body></html>';
    return true;
}
if ($uri === '/sso.html') {
    header('Content-Type: text/html; charset=utf-8');
    readfile($dir . '/sso.html');
    return true;
}
http_response_code(404);
return true;
PHP;

    private string $dir;
    /** @var list<array{process: resource, port: int}> */
    private array $servers = [];

    protected function setUp(): void
    {
        $this->dir = TestSupport::tempDir('sso-browser');
        file_put_contents($this->dir . '/router.php', self::ROUTER);
    }

    protected function tearDown(): void
    {
        foreach ($this->servers as $s) {
            $this->stopServer($s);
        }
        $this->servers = [];
    }

    public function testTheOpenedCometWindowIsSignedInWithTheKey(): void
    {
        $page = $this->startServer('');
        $comet = $this->startServer('');
        $this->writePage("http://127.0.0.1:{$comet}/comet/");

        $dom = $this->browse("http://127.0.0.1:{$page}/sso.html");

        $records = $this->records($comet);
        $this->assertContains(['loaded' => true], $records, 'the Comet window loaded');
        $messages = array_values(array_filter($records, static fn (array $r): bool => isset($r['data'])));
        $this->assertSame([[
            'origin' => "http://127.0.0.1:{$page}",
            'data' => ['msg' => 'user_session_login', 'username' => 'alice01', 'sessionkey' => self::KEY],
        ]], $messages, 'exactly one login message, from the SSO page');
        $this->assertStringStartsWith('You are signed in.', self::status($dom));
    }

    public function testAWindowRedirectedToAnotherOriginNeverGetsTheKey(): void
    {
        $page = $this->startServer('');
        $elsewhere = $this->startServer('');
        $comet = $this->startServer("http://127.0.0.1:{$elsewhere}/comet/");
        $this->writePage("http://127.0.0.1:{$comet}/redirect");

        $dom = $this->browse("http://127.0.0.1:{$page}/sso.html");

        $records = $this->records($elsewhere);
        $this->assertContains(['loaded' => true], $records, 'the other origin loaded and announced app_loaded');
        foreach ($records as $r) {
            $this->assertArrayNotHasKey('data', $r, 'the other origin received a message');
        }
        $this->assertStringNotContainsString(self::KEY, (string) @file_get_contents($this->dir . "/record-{$elsewhere}.jsonl"));
        $this->assertStringStartsWith('Waiting for the Comet web interface', self::status($dom), 'still waiting: not signed in');
    }

    /** The text of the page's status line in the final DOM. */
    private static function status(string $dom): string
    {
        $doc = new \DOMDocument();
        $previous = libxml_use_internal_errors(true);
        $doc->loadHTML($dom);
        libxml_clear_errors();
        libxml_use_internal_errors($previous);
        $node = $doc->getElementById('cb-status');
        self::assertNotNull($node, 'the page has its status line');
        return trim($node->textContent);
    }

    private function writePage(string $cometUrl): void
    {
        file_put_contents($this->dir . '/sso.html', SsoPage::html($cometUrl, 'alice01', self::KEY, 'user'));
    }

    /** Loads $url in headless Chromium (pop-ups allowed, as after a user's click) and returns the final DOM. */
    private function browse(string $url): string
    {
        $chromium = trim((string) shell_exec('command -v chromium chromium-browser 2>/dev/null | head -n 1'));
        $this->assertNotSame('', $chromium, 'Debian\'s chromium package is required for this test');
        $cmd = [$chromium, '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-popup-blocking',
            '--no-first-run', '--disable-extensions', '--user-data-dir=' . $this->dir . '/profile',
            '--virtual-time-budget=5000', '--dump-dom', $url];
        $proc = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['file', $this->dir . '/chromium.log', 'w']], $pipes);
        $this->assertIsResource($proc);
        stream_set_blocking($pipes[1], false);
        $out = '';
        $deadline = microtime(true) + 60;
        do {
            $read = [$pipes[1]];
            $none = null;
            if (stream_select($read, $none, $none, 1) === 1) {
                $out .= (string) fread($pipes[1], 65536);
            }
            $status = proc_get_status($proc);
        } while ($status['running'] && microtime(true) < $deadline);
        $out .= (string) stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        if ($status['running']) {
            proc_terminate($proc, 9);
        }
        proc_close($proc);
        $this->assertFalse($status['running'], 'chromium did not finish within 60 s');
        $this->assertFalse($status['signaled'], 'chromium was killed by signal ' . $status['termsig']);
        $this->assertSame(0, $status['exitcode'], 'chromium failed: ' . (string) @file_get_contents($this->dir . '/chromium.log'));
        return $out;
    }

    /** @return list<array<string, mixed>> */
    private function records(int $port): array
    {
        $file = $this->dir . "/record-{$port}.jsonl";
        if (!is_file($file)) {
            return [];
        }
        $out = [];
        foreach (file($file, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
            $out[] = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
        }
        return $out;
    }

    /** A `php -S` on a free loopback port (retrying if another process takes the port first). */
    private function startServer(string $redirect): int
    {
        for ($attempt = 0; $attempt < 5; $attempt++) {
            $probe = stream_socket_server('tcp://127.0.0.1:0');
            $name = stream_socket_get_name($probe, false);
            fclose($probe);
            $port = (int) substr($name, strrpos($name, ':') + 1);
            $env = ['SSO_TEST_DIR' => $this->dir, 'SSO_TEST_REDIRECT' => $redirect, 'PATH' => (string) getenv('PATH')];
            $proc = proc_open([PHP_BINARY, '-S', '127.0.0.1:' . $port, $this->dir . '/router.php'],
                [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', $this->dir . "/server-{$port}.log", 'w']],
                $pipes, $this->dir, $env);
            $this->assertIsResource($proc);
            for ($i = 0; $i < 100; $i++) {
                $conn = @stream_socket_client('tcp://127.0.0.1:' . $port, $errno, $errstr, 0.2);
                if ($conn !== false) {
                    fclose($conn);
                    $this->servers[] = ['process' => $proc, 'port' => $port];
                    return $port;
                }
                if (!proc_get_status($proc)['running']) {
                    break;
                }
                usleep(20000);
            }
            proc_terminate($proc);
            proc_close($proc);
        }
        $this->fail('could not start a loopback php -S server');
    }

    /** @param array{process: resource, port: int} $s */
    private function stopServer(array $s): void
    {
        $status = proc_get_status($s['process']);
        $this->assertTrue($status['running'], "the php -S server on port {$s['port']} died early");
        proc_terminate($s['process'], 15);
        for ($i = 0; $i < 200 && $status['running']; $i++) {
            usleep(10000);
            $status = proc_get_status($s['process']);
        }
        proc_close($s['process']);
        $this->assertFalse($status['running'], 'the php -S server did not stop');
        $this->assertTrue(
            ($status['signaled'] && $status['termsig'] === 15) || (!$status['signaled'] && $status['exitcode'] === 0),
            "the php -S server ended with exit code {$status['exitcode']} / signal {$status['termsig']}"
        );
    }
}
