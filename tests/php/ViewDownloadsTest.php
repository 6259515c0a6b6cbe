<?php
// Client software downloads: streamed from branding/generate-client/<platform> in pieces by the App
// (App::download, the transport call), with the view's headers and wording, or a clean error.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use WHMCS\Module\Server\CometBackup\App;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;
use WHMCS\Module\Server\CometBackup\View\Downloads;

require_once __DIR__ . '/ViewTestCase.php';

final class ViewDownloadsTest extends ViewTestCase
{
    /** @var list<string> */
    private array $headers = [];
    /** @var list<string> */
    private array $chunks = [];

    private function download(string $platform, array $params = []): ?string
    {
        $this->headers = [];
        $this->chunks = [];
        return self::app()->download(
            $this->serviceParams($params),
            $platform,
            function (string $h): void {
                $this->headers[] = $h;
            },
            function (string $b): void {
                $this->chunks[] = $b;
            }
        );
    }

    /** An App as WHMCS builds one, with the canned server's short timeouts; the core is never loaded. */
    private static function app(): App
    {
        return new App([], ['connectTimeout' => 5, 'timeout' => 20]);
    }

    /** The bytes the canned server sends for an endpoint: SHA-256("<endpoint>:<i>") blocks, cut to $n. */
    private static function expectedBytes(string $endpoint, int $n): string
    {
        $out = '';
        for ($i = 0; strlen($out) < $n; $i++) {
            $out .= hash('sha256', $endpoint . ':' . $i, true);
        }
        return substr($out, 0, $n);
    }

    public function testAnInstallerIsStreamedInPiecesWithItsHeaders(): void
    {
        $size = 1024 * 1024 + 7;
        self::$comet->reply(['branding/generate-client/windows-x86_64-zip' => [
            'status' => 200, 'contentType' => 'application/octet-stream', 'bytes' => $size, 'chunk' => 128 * 1024,
        ]]);
        $before = count(self::$comet->journal());

        $this->assertNull($this->download('windows-x86_64-zip'));

        $body = implode('', $this->chunks);
        $this->assertSame(strlen(self::expectedBytes('branding/generate-client/windows-x86_64-zip', $size)), strlen($body));
        $this->assertTrue($body === self::expectedBytes('branding/generate-client/windows-x86_64-zip', $size), 'the bytes arrive unchanged');
        $this->assertGreaterThan(1, count($this->chunks), 'written piece by piece as they arrive, not held whole');
        $this->assertContains('Content-Type: application/octet-stream', $this->headers);
        $this->assertContains('Content-Disposition: attachment; filename="CometBackup-Windows-x64.zip"', $this->headers);
        $this->assertContains('Content-Length: ' . $size, $this->headers);
        $this->assertMatchesRegularExpression('/^Cache-Control: no-store/', implode("\n", preg_grep('/^Cache-Control/', $this->headers)));

        $calls = array_slice(self::$comet->journal(), $before);
        $this->assertCount(1, $calls);
        $this->assertSame('branding/generate-client/windows-x86_64-zip', $calls[0]['endpoint']);
        $this->assertSame('http://127.0.0.1:' . self::$comet->port . '/', $calls[0]['form']['SelfAddress']);
        $this->assertSame(ViewCannedComet::ADMIN_USER, $calls[0]['form']['Username']);
        $this->assertSame('Password', $calls[0]['form']['AuthType']);
        $this->assertTrue($calls[0]['form']['Password'] === ViewCannedComet::ADMIN_PASSWORD, 'admin password sent');
    }

    public function testACompressedInstallerArrivesDecodedWithoutTheWireLength(): void
    {
        $size = 256 * 1024;
        self::$comet->reply(['branding/generate-client/spk-dsm7' => [
            'status' => 200, 'contentType' => 'application/octet-stream', 'bytes' => $size, 'gzip' => true,
        ]]);
        $this->assertNull($this->download('spk-dsm7'));
        $this->assertTrue(implode('', $this->chunks) === self::expectedBytes('branding/generate-client/spk-dsm7', $size), 'decoded bytes');
        // The Content-Length on the wire is the compressed size: announcing it would cut the file.
        $this->assertSame([], preg_grep('/^Content-Length:/', $this->headers));
        $this->assertContains('Content-Disposition: attachment; filename="CometBackup-Synology-DSM7.spk"', $this->headers);
    }

    public function testTheDownloadIsLoggedWithoutTheAdminPassword(): void
    {
        self::$comet->reply(['branding/generate-client/macos-x86_64' => [
            'status' => 200, 'contentType' => 'application/octet-stream', 'bytes' => 4096,
        ]]);
        Recorder::reset();
        $this->assertNull($this->download('macos-x86_64'));
        $entries = array_values(array_filter(Recorder::moduleLog(), static fn (array $e): bool => $e['action'] === 'ClientDownload'));
        $this->assertCount(1, $entries);
        $this->assertStringContainsString('branding/generate-client/macos-x86_64', $entries[0]['request']);
        $this->assertStringContainsString('4096 bytes', $entries[0]['response']);
        $this->assertSame([], Secrets::scan([ViewCannedComet::ADMIN_PASSWORD]));
    }

    public function testACometErrorIsASentenceAndNothingIsSent(): void
    {
        self::$comet->reply(['branding/generate-client/macos-arm64' => ViewCannedComet::json(['Status' => 400, 'Message' => 'Unknown platform'])]);
        $error = $this->download('macos-arm64');
        $this->assertIsString($error);
        $this->assertStringContainsString('could not be downloaded', $error);
        $this->assertSame([], $this->headers);
        $this->assertSame([], $this->chunks);
    }

    public function testAnHttpErrorIsASentenceAndNothingIsSent(): void
    {
        self::$comet->reply(['branding/generate-client/linuxgeneric' => ['status' => 503, 'contentType' => 'application/octet-stream', 'body' => 'busy']]);
        $this->assertIsString($this->download('linuxgeneric'));
        $this->assertSame([], $this->headers);
        $this->assertSame([], $this->chunks);
    }

    public function testALargeReplyThatIsNotAnInstallerIsAbandonedWithASentence(): void
    {
        // An HTML page of 300 KB over HTTP 200 (a proxy's error page, say): not an installer, not
        // an empty one either, and not held whole.
        self::$comet->reply(['branding/generate-client/linuxgeneric' => [
            'status' => 200, 'contentType' => 'text/html', 'bytes' => 300 * 1024, 'chunk' => 16 * 1024,
        ]]);
        Recorder::reset();
        $this->assertStringContainsString('could not be downloaded', (string) $this->download('linuxgeneric'));
        $this->assertSame([], $this->headers);
        $this->assertSame([], $this->chunks);
        $entries = array_values(array_filter(Recorder::moduleLog(), static fn (array $e): bool => $e['action'] === 'ClientDownload'));
        $this->assertCount(1, $entries);
        $this->assertLessThan(70 * 1024, strlen($entries[0]['response']), 'at most the first 64 KB reach the log');
    }

    public function testAnEmptyReplyIsASentence(): void
    {
        self::$comet->reply(['branding/generate-client/linuxgeneric' => ['status' => 200, 'contentType' => 'application/octet-stream', 'body' => '']]);
        $this->assertStringContainsString('empty', (string) $this->download('linuxgeneric'));
        $this->assertSame([], $this->headers);
    }

    public function testTheEntryPointRefusesUnusableServerSettingsWithASentence(): void
    {
        $before = count(self::$comet->journal());
        $_GET['platform'] = 'linuxgeneric';
        try {
            $result = self::app()->run('ClientDownload', $this->serviceParams(['serverhostname' => '', 'serverip' => '']), 'status');
        } finally {
            unset($_GET['platform']);
        }
        $this->assertIsString($result);
        $this->assertStringContainsString('could not be downloaded', $result);
        $this->assertSame($before, count(self::$comet->journal()));
    }

    public function testAnUnknownPlatformAsksNothing(): void
    {
        $before = count(self::$comet->journal());
        foreach (['../meta/version', 'windows-anycpu-exe', '', 'linuxgeneric?x=1'] as $platform) {
            $this->assertSame('Unknown platform.', $this->download($platform));
        }
        $this->assertSame($before, count(self::$comet->journal()));
        $this->assertSame([], $this->headers);
    }

    public function testAnInactiveServiceGetsNoDownload(): void
    {
        $before = count(self::$comet->journal());
        $this->assertStringContainsString('while the service is active', (string) $this->download('linuxgeneric', ['status' => 'Suspended']));
        $this->assertSame($before, count(self::$comet->journal()));
    }

    public function testAnUnreachableServerIsASentence(): void
    {
        $probe = stream_socket_server('tcp://127.0.0.1:0');
        $name = stream_socket_get_name($probe, false);
        fclose($probe);
        $this->assertStringContainsString('cannot be reached', (string) $this->download('linuxgeneric', ['serverhostname' => $name]));
        $this->assertSame([], $this->headers);
    }

    public function testLinksCoverWindowsMacBothArchitecturesLinuxAndSynology(): void
    {
        $links = Downloads::links(9);
        $platforms = array_column($links, 'platform');
        foreach (['windows-x86_64-zip', 'macos-x86_64', 'macos-arm64', 'linuxgeneric', 'spk-dsm7'] as $p) {
            $this->assertContains($p, $platforms);
        }
        foreach ($links as $link) {
            $this->assertSame('clientarea.php?action=productdetails&id=9&modop=custom&a=ClientDownload&platform=' . $link['platform'], $link['url']);
            $this->assertNotSame('', $link['label']);
        }
    }

    public function testTheHeadersOfAPlatformNameItsFileAndNeverGuessALength(): void
    {
        $this->assertSame([
            'Content-Type: application/octet-stream',
            'Content-Disposition: attachment; filename="CometBackup-macOS-AppleSilicon.pkg"',
            'Content-Length: 12',
            'X-Content-Type-Options: nosniff',
            'Cache-Control: no-store, max-age=0',
        ], Downloads::headers('macos-arm64', 12));
        $this->assertSame([], preg_grep('/^Content-Length/', Downloads::headers('macos-arm64', -1)));
        $this->expectException(\InvalidArgumentException::class);
        Downloads::headers('../meta/version', 1);
    }
}
