<?php
// TLS against the emulator's HTTPS mode (a throwaway CA from scripts/make-test-ca.sh), and redirects:
// verification is always on, a CA bundle comes only from the server's Access Hash, and a 3xx is
// never followed (a loopback server records whether the redirect target was ever hit).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

final class TlsTest extends ModuleTestCase
{
    /** @var list<array{0: resource, 1: string}> php -S servers of this test */
    private array $servers = [];

    protected function tearDown(): void
    {
        $problems = [];
        foreach ($this->servers as [$proc, $what]) {
            proc_terminate($proc, SIGTERM);
            $status = proc_get_status($proc);
            for ($i = 0; $i < 200 && $status['running']; $i++) {
                usleep(25000);
                $status = proc_get_status($proc);
            }
            if ($status['running']) {
                proc_terminate($proc, SIGKILL);
                $problems[] = "{$what} did not stop on SIGTERM";
            } elseif (!($status['signaled'] ? $status['termsig'] === SIGTERM : $status['exitcode'] === 0)) {
                $problems[] = "{$what} ended abnormally: " . json_encode($status);
            }
            proc_close($proc);
        }
        $this->servers = [];
        parent::tearDown();
        self::assertSame([], $problems);
    }

    private function untrusted(array $result): void
    {
        self::assertFalse($result['success'], json_encode($result));
        self::assertStringContainsString('TLS (HTTPS) connection to the Comet Server failed verification', $result['error']);
    }

    public function testAnUntrustedCertificateFailsClearlyAndNothingIsSent(): void
    {
        $emu = $this->emulator(['tls' => true]);
        $ids = $this->service($emu);
        $this->untrusted(Whmcs::call('TestConnection', Params::forServer($ids['server'])));
        $create = $this->call('CreateAccount', $ids['service']);
        self::assertStringStartsWith('Comet Backup Create failed: The TLS (HTTPS) connection to the Comet Server failed verification', $create);
        self::assertSame([], $emu->journal(), 'no request (and so no admin password) got through');

        // Someone else's CA in the Access Hash does not help.
        Capsule::table('tblservers')->where('id', $ids['server'])->update(['accesshash' => (string) file_get_contents(dirname($emu->caFile) . '/other-ca.pem')]);
        $this->untrusted(Whmcs::call('TestConnection', Params::forServer($ids['server'])));
        self::assertSame([], $emu->journal());
        self::assertSame([], Secrets::scan([$emu->adminPassword]));
    }

    public function testTheConfiguredCaBundlePassesAsPemAndAsPath(): void
    {
        $emu = $this->emulator(['tls' => true]);
        $ids = $this->service($emu);
        $pem = (string) file_get_contents($emu->caFile);
        foreach (['PEM text' => $pem, 'PEM with blanks around' => "\n  " . $pem . "\n", 'path' => $emu->caFile] as $case => $hash) {
            Capsule::table('tblservers')->where('id', $ids['server'])->update(['accesshash' => $hash]);
            $r = Whmcs::call('TestConnection', Params::forServer($ids['server']));
            self::assertTrue($r['success'], "{$case}: " . json_encode($r));
        }
        self::assertSame('success', $this->call('CreateAccount', $ids['service']));
        self::assertNotNull($this->profile($emu, (string) $this->hosting($ids['service'])->username));

        // A path that cannot be read is named, and nothing is sent.
        $emu->control('journal/clear');
        Capsule::table('tblservers')->where('id', $ids['server'])->update(['accesshash' => dirname($emu->caFile) . '/missing-ca.pem']);
        $r = Whmcs::call('TestConnection', Params::forServer($ids['server']));
        self::assertFalse($r['success']);
        self::assertStringContainsString('missing-ca.pem', $r['error']);
        self::assertStringContainsString('cannot be read', $r['error']);
        self::assertSame([], $emu->journal());
    }

    public function testTheHostNameIsVerifiedToo(): void
    {
        // The certificate names 127.0.0.1, ::1 and localhost; [::ffff:127.0.0.1] reaches the same
        // socket under a name the certificate does not carry, so even with the right CA it fails.
        $emu = $this->emulator(['tls' => true]);
        $serverId = Fixtures::serverFor($emu, ['accesshash' => (string) file_get_contents($emu->caFile)]);
        self::assertTrue(Whmcs::call('TestConnection', Params::forServer($serverId))['success']);
        self::assertTrue(Whmcs::call('TestConnection', Params::forServer($serverId, ['serverhostname' => 'localhost:' . $emu->port]))['success']);
        $emu->control('journal/clear');
        $this->untrusted(Whmcs::call('TestConnection', Params::forServer($serverId, ['serverhostname' => "[::ffff:127.0.0.1]:{$emu->port}"])));
        self::assertSame([], $emu->journal());
    }

    public function testPlainHttpToTheTlsPortIsAClearError(): void
    {
        $emu = $this->emulator(['tls' => true]);
        $serverId = Fixtures::serverFor($emu, ['secure' => '']);
        $r = Whmcs::call('TestConnection', Params::forServer($serverId));
        self::assertFalse($r['success']);
        self::assertSame([], $emu->journal());
    }

    /** @return array<string, array{0: int}> */
    public static function redirects(): array
    {
        return ['301' => [301], '302' => [302], '303' => [303], '307 (would resend the POST)' => [307], '308' => [308]];
    }

    /** @dataProvider redirects */
    public function testARedirectIsNeverFollowed(int $status): void
    {
        $dir = TestSupport::tempDir('redirect');
        $hits = $dir . '/target-hits.log';
        touch($hits);
        file_put_contents($dir . '/target.php', '<?php file_put_contents(' . var_export($hits, true)
            . ', $_SERVER["REQUEST_METHOD"] . " " . $_SERVER["REQUEST_URI"] . " " . file_get_contents("php://input") . "\n", FILE_APPEND);'
            . ' header("Content-Type: application/json"); echo "{\"Status\":200,\"Message\":\"OK\"}";');
        $targetPort = $this->serve($dir . '/target.php', 'redirect target');
        file_put_contents($dir . '/redirect.php', '<?php header("Location: http://127.0.0.1:' . $targetPort
            . '/api/v1/admin/meta/version", true, ' . $status . '); echo "moved";');
        $port = $this->serve($dir . '/redirect.php', 'redirecting server');

        $emu = $this->emulator();
        $ids = $this->service($emu);
        $serverId = Fixtures::server(['hostname' => '127.0.0.1:' . $port, 'secure' => '', 'password' => 'Redirect-admin-' . bin2hex(random_bytes(4))]);
        $r = Whmcs::call('TestConnection', Params::forServer($serverId));
        self::assertFalse($r['success']);
        self::assertStringContainsString("HTTP {$status}", $r['error']);
        Capsule::table('tblhosting')->where('id', $ids['service'])->update(['server' => $serverId]);
        $create = $this->call('CreateAccount', $ids['service']);
        self::assertStringStartsWith('Comet Backup Create failed', $create);
        self::assertStringContainsString("HTTP {$status}", $create);
        $this->call('SuspendAccount', $ids['service']);
        // The redirecting server really works: a plain client that follows redirects reaches the target.
        $probe = curl_init("http://127.0.0.1:{$port}/probe");
        curl_setopt_array($probe, [CURLOPT_FOLLOWLOCATION => true, CURLOPT_RETURNTRANSFER => true, CURLOPT_TIMEOUT => 10]);
        curl_exec($probe);
        curl_close($probe);
        $lines = array_values(array_filter(explode("\n", (string) file_get_contents($hits))));
        self::assertCount(1, $lines, 'only the probe reached the target: ' . implode(' | ', $lines));
        self::assertStringStartsWith('GET /api/v1/admin/meta/version', $lines[0]);
    }

    /** Starts `php -S 127.0.0.1:<free port> $router` and returns the port. */
    private function serve(string $router, string $what): int
    {
        $socket = stream_socket_server('tcp://127.0.0.1:0');
        $port = (int) substr((string) stream_socket_get_name($socket, false), strlen('127.0.0.1:'));
        fclose($socket);
        $proc = proc_open([PHP_BINARY, '-S', '127.0.0.1:' . $port, $router], [0 => ['file', '/dev/null', 'r'],
            1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
        self::assertIsResource($proc);
        $this->servers[] = [$proc, $what];
        for ($i = 0; $i < 100; $i++) {
            $c = @fsockopen('127.0.0.1', $port, $errno, $error, 0.2);
            if ($c !== false) {
                fclose($c);
                return $port;
            }
            usleep(50000);
        }
        self::fail("{$what} (php -S) did not start");
    }
}
