<?php
// A loopback HTTP server with canned Comet replies, for the view tests: a child PHP process on
// 127.0.0.1, an ephemeral port, a replies file it re-reads per request and a journal of requests.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\Assert;
use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Api\Redactor;
use WHMCS\Module\Server\CometBackup\Whmcs\ModuleLog;

/**
 * The views read Comet through the real CometClient (curl), so the tests point it at this server.
 * Each reply is {status, contentType, body} or {status, contentType, bytes: N, chunk: N} (N
 * deterministic bytes sent in chunks with a pause, so a streaming reader sees several writes).
 * Endpoints without a reply get Comet's {"Status":404}. The journal records every request's endpoint
 * and form fields (it holds the fake admin password, so it is never printed).
 */
final class ViewCannedComet
{
    public const ADMIN_USER = 'view-admin';
    public const ADMIN_PASSWORD = 'view-admin-password-7Qx!';

    private const SERVER = <<<'PHP'
<?php
declare(strict_types=1);
[$self, $routesFile, $journalFile] = $argv;
$server = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
if ($server === false) { fwrite(STDERR, "listen failed: $errstr\n"); exit(2); }
$name = stream_socket_get_name($server, false);
fwrite(STDOUT, 'listening ' . substr($name, strrpos($name, ':') + 1) . "\n");
fflush(STDOUT);
function bytesFor(int $n, string $seed): string {
    $out = '';
    for ($i = 0; strlen($out) < $n; $i++) { $out .= hash('sha256', $seed . ':' . $i, true); }
    return substr($out, 0, $n);
}
while (true) {
    $conn = @stream_socket_accept($server, -1);
    if ($conn === false) { continue; }
    stream_set_timeout($conn, 10);
    $head = '';
    while (!str_contains($head, "\r\n\r\n")) {
        $chunk = fread($conn, 8192);
        if ($chunk === '' || $chunk === false) { break; }
        $head .= $chunk;
    }
    [$headers, $body] = array_pad(explode("\r\n\r\n", $head, 2), 2, '');
    $length = preg_match('/\r\ncontent-length:\s*(\d+)/i', $headers, $m) === 1 ? (int) $m[1] : 0;
    while (strlen($body) < $length) {
        $chunk = fread($conn, $length - strlen($body));
        if ($chunk === '' || $chunk === false) { break; }
        $body .= $chunk;
    }
    $path = preg_match('#^POST (\S+) HTTP#', $headers, $m) === 1 ? parse_url($m[1], PHP_URL_PATH) : '';
    $endpoint = str_starts_with((string) $path, '/api/v1/admin/') ? substr($path, strlen('/api/v1/admin/')) : (string) $path;
    parse_str($body, $form);
    file_put_contents($journalFile, json_encode(['endpoint' => $endpoint, 'form' => $form]) . "\n", FILE_APPEND | LOCK_EX);
    $routes = json_decode((string) file_get_contents($routesFile), true) ?: [];
    $reply = $routes[$endpoint] ?? ['status' => 200, 'contentType' => 'application/json',
        'body' => '{"Status":404,"Message":"Unknown endpoint"}'];
    $status = (int) ($reply['status'] ?? 200);
    $type = (string) ($reply['contentType'] ?? 'application/json');
    $payload = isset($reply['bytes']) ? bytesFor((int) $reply['bytes'], $endpoint) : (string) ($reply['body'] ?? '');
    $encoding = '';
    if (!empty($reply['gzip'])) {
        $payload = gzencode($payload);
        $encoding = "\r\nContent-Encoding: gzip";
    }
    $out = "HTTP/1.1 {$status} Canned\r\nContent-Type: {$type}\r\nContent-Length: " . strlen($payload)
        . $encoding . "\r\nConnection: close\r\n\r\n";
    fwrite($conn, $out);
    $step = (int) ($reply['chunk'] ?? 0);
    if ($step > 0) {
        for ($i = 0; $i < strlen($payload); $i += $step) {
            fwrite($conn, substr($payload, $i, $step));
            fflush($conn);
            usleep(20000);
        }
    } else {
        fwrite($conn, $payload);
    }
    fclose($conn);
}
PHP;

    /** @var resource */
    private $process;
    private string $dir;
    public readonly int $port;

    private function __construct()
    {
        $this->dir = TestSupport::tempDir('canned-comet');
        file_put_contents($this->dir . '/server.php', self::SERVER);
        file_put_contents($this->dir . '/routes.json', '{}');
        touch($this->dir . '/journal.jsonl');
        $cmd = [PHP_BINARY, '-n', '-d', 'display_errors=stderr', $this->dir . '/server.php',
            $this->dir . '/routes.json', $this->dir . '/journal.jsonl'];
        $process = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', $this->dir . '/stderr.txt', 'w']], $pipes);
        Assert::assertIsResource($process, 'could not start the canned Comet server');
        $this->process = $process;
        fclose($pipes[0]);
        $read = [$pipes[1]];
        $none = null;
        $line = '';
        if (stream_select($read, $none, $none, 10) === 1) {
            $line = (string) fgets($pipes[1]);
        }
        fclose($pipes[1]);
        if (preg_match('/^listening (\d+)$/', trim($line), $m) !== 1) {
            proc_terminate($process);
            Assert::fail('canned Comet server did not start: ' . (string) @file_get_contents($this->dir . '/stderr.txt'));
        }
        $this->port = (int) $m[1];
    }

    public static function start(): self
    {
        return new self();
    }

    /** @param array<string, array<string, mixed>> $routes endpoint => reply */
    public function reply(array $routes): self
    {
        file_put_contents($this->dir . '/routes.json.tmp', json_encode($routes, JSON_THROW_ON_ERROR));
        rename($this->dir . '/routes.json.tmp', $this->dir . '/routes.json');
        return $this;
    }

    /** A JSON reply (HTTP 200, application/json) of a PHP value. */
    public static function json(mixed $value, int $status = 200): array
    {
        return ['status' => $status, 'contentType' => 'application/json', 'body' => json_encode($value, JSON_THROW_ON_ERROR)];
    }

    /** @return list<array{endpoint: string, form: array<string, string>}> */
    public function journal(): array
    {
        $out = [];
        foreach (file($this->dir . '/journal.jsonl', FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES) as $line) {
            $out[] = json_decode($line, true, 512, JSON_THROW_ON_ERROR);
        }
        return $out;
    }

    /** WHMCS-style server params pointing at this server (plain HTTP on loopback). */
    public function params(array $overrides = []): array
    {
        return $overrides + [
            'serverhostname' => '127.0.0.1:' . $this->port,
            'serverip' => '127.0.0.1',
            'serverport' => '',
            'serversecure' => false,
            'serverhttpprefix' => 'http',
            'serverusername' => self::ADMIN_USER,
            'serverpassword' => self::ADMIN_PASSWORD,
            'serveraccesshash' => '',
        ];
    }

    /** A client as the module's App builds one: WHMCS's module log injected. */
    public function client(array $params): CometClient
    {
        return CometClient::fromParams($params, new ModuleLog(Redactor::valuesFromParams($params)), ['connectTimeout' => 5, 'timeout' => 20]);
    }

    /** Stops the child and checks that it was still running and ended by our SIGTERM, nothing else. */
    public function stop(): void
    {
        $status = proc_get_status($this->process);
        Assert::assertTrue($status['running'], 'the canned Comet server died early: '
            . (string) @file_get_contents($this->dir . '/stderr.txt'));
        proc_terminate($this->process, 15);
        for ($i = 0; $i < 200; $i++) {
            $status = proc_get_status($this->process);
            if (!$status['running']) {
                break;
            }
            usleep(10000);
        }
        proc_close($this->process);
        Assert::assertFalse($status['running'], 'the canned Comet server did not stop');
        Assert::assertTrue($status['signaled'] && $status['termsig'] === 15,
            'the canned Comet server ended with exit code ' . $status['exitcode'] . ' / signal ' . $status['termsig']);
    }
}
