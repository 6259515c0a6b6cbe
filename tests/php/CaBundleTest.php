<?php
// The private CA from the Access Hash (Api\CaBundle) against the emulator's HTTPS mode: by default a
// blob and no file at all; on the file path (old libcurl, forced here) a planted file, a symlink, or a
// file or directory of another owner is never trusted. A real TLS handshake decides each case: a
// planted file holds someone else's CA, so trusting it would fail verification.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use WHMCS\Module\Server\CometBackup\Api\CaBundle;
use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Api\Response;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\HarnessTestCase;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;

/** No core is involved: these are the transport's own checks (a harness database for the params). */
final class CaBundleTest extends HarnessTestCase
{
    /** Another uid than ours, for files and directories "of another owner" (the tests run as root). */
    private const OTHER_UID = 65534;

    private Emulator $emu;
    private string $pem;
    private string $otherPem;
    private string $temp;

    protected function setUp(): void
    {
        parent::setUp();
        $this->emu = Emulator::start(['tls' => true]);
        $this->pem = (string) file_get_contents($this->emu->caFile);
        $this->otherPem = (string) file_get_contents(dirname($this->emu->caFile) . '/other-ca.pem');
        $this->temp = TestSupport::tempDir('ca-temp');
    }

    protected function tearDown(): void
    {
        $this->emu->stop();
        parent::tearDown();
    }

    /** One meta/version through a client whose Access Hash is the emulator's CA, on the file path. */
    private function version(bool $blob = false): Response
    {
        $serverId = Fixtures::serverFor($this->emu, ['accesshash' => $this->pem]);
        $client = CometClient::fromParams(Params::forServer($serverId), null, ['caBlob' => $blob, 'caTempDir' => $this->temp]);
        return $client->post('meta/version', []);
    }

    private function dir(): string
    {
        return CaBundle::directoryFor($this->temp);
    }

    private function file(): string
    {
        return $this->dir() . '/' . CaBundle::fileNameFor(trim($this->pem) . "\n");
    }

    private function assertTrustedFileIsOurs(): void
    {
        clearstatcache();
        $st = lstat($this->file());
        self::assertSame(0100000, $st['mode'] & 0170000, 'a regular file, not a symlink');
        self::assertSame(posix_geteuid(), $st['uid']);
        self::assertSame(0, $st['mode'] & 0077, 'no access for group or others');
        self::assertSame(hash('sha256', trim($this->pem) . "\n"), hash_file('sha256', $this->file()));
        $d = lstat($this->dir());
        self::assertSame(0040700, $d['mode'] & 0170777, 'the directory is a real 0700 directory');
        self::assertSame(posix_geteuid(), $d['uid']);
    }

    public function testTheBlobNeedsNoFileAndTheFilePathWritesAPrivateOne(): void
    {
        self::assertTrue(defined('CURLOPT_CAINFO_BLOB'), 'PHP 8.2 with libcurl 7.77+ has CURLOPT_CAINFO_BLOB');
        $r = $this->version(true);
        self::assertSame(200, $r->httpStatus(), $r->describe());
        self::assertSame([], glob($this->temp . '/*') ?: [], 'nothing written for the blob');
        // The default (no option) is the blob too.
        $serverId = Fixtures::serverFor($this->emu, ['accesshash' => $this->pem]);
        $default = CometClient::fromParams(Params::forServer($serverId), null, ['caTempDir' => $this->temp])->post('meta/version', []);
        self::assertSame(200, $default->httpStatus(), $default->describe());
        self::assertSame([], glob($this->temp . '/*') ?: []);

        $old = umask(0);
        try {
            $r = $this->version();
        } finally {
            umask($old);
        }
        self::assertSame(200, $r->httpStatus(), $r->describe());
        $this->assertTrustedFileIsOurs();
        self::assertSame([], glob($this->dir() . '/.tmp-*') ?: [], 'no temp file left behind');
        // A second client reuses the checked file.
        $inode = fileinode($this->file());
        self::assertSame(200, $this->version()->httpStatus());
        clearstatcache();
        self::assertSame($inode, fileinode($this->file()));
    }

    public function testAPlantedFileIsReplacedNotTrusted(): void
    {
        mkdir($this->dir(), 0700);
        file_put_contents($this->file(), $this->otherPem);
        chmod($this->file(), 0600);
        $r = $this->version();
        self::assertSame(200, $r->httpStatus(), 'the planted CA was used: ' . $r->describe());
        $this->assertTrustedFileIsOurs();
    }

    public function testASymlinkIsReplacedAndItsTargetLeftAlone(): void
    {
        mkdir($this->dir(), 0700);
        $target = $this->temp . '/planted.pem';
        file_put_contents($target, $this->pem); // even the right content is not trusted through a link
        symlink($target, $this->file());
        $r = $this->version();
        self::assertSame(200, $r->httpStatus(), $r->describe());
        $this->assertTrustedFileIsOurs();
        self::assertSame($this->pem, file_get_contents($target), 'the link was replaced, never written through');
    }

    public function testAFileOfAnotherOwnerOrWritableByOthersIsReplaced(): void
    {
        mkdir($this->dir(), 0700);
        foreach (['another owner' => [self::OTHER_UID, 0600], 'writable by others' => [posix_geteuid(), 0666]] as $case => [$uid, $mode]) {
            @unlink($this->file());
            file_put_contents($this->file(), trim($this->pem) . "\n");
            chown($this->file(), $uid);
            chmod($this->file(), $mode);
            $r = $this->version();
            self::assertSame(200, $r->httpStatus(), "{$case}: " . $r->describe());
            $this->assertTrustedFileIsOurs();
        }
    }

    /** @return array<string, array{0: string, 1: string}> */
    public static function badDirectories(): array
    {
        return [
            'a symlink to our own directory' => ['symlink', 'symbolic link'],
            'a directory of another owner' => ['foreign', 'belongs to uid ' . self::OTHER_UID],
            'a file' => ['file', 'not a directory'],
        ];
    }

    /** @dataProvider badDirectories */
    public function testABadDirectoryIsRefusedAndNothingIsSent(string $kind, string $message): void
    {
        $planted = $this->temp . '/planted-dir';
        mkdir($planted, 0700);
        file_put_contents($planted . '/' . CaBundle::fileNameFor(trim($this->pem) . "\n"), $this->otherPem);
        if ($kind === 'symlink') {
            symlink($planted, $this->dir());
        } elseif ($kind === 'foreign') {
            rename($planted, $this->dir());
            chown($this->dir(), self::OTHER_UID);
        } else {
            file_put_contents($this->dir(), 'x');
        }
        $this->emu->control('journal/clear');
        $r = $this->version();
        self::assertSame('tls', $r->transportError()['kind'] ?? null, $r->describe());
        self::assertStringContainsString($message, $r->transportError()['message']);
        self::assertStringNotContainsString('BEGIN CERTIFICATE', $r->describe(), 'the message names the problem, not the PEM');
        self::assertSame([], $this->emu->journal(), 'nothing (and so no admin password) was sent');
        clearstatcache();
        if ($kind !== 'file') {
            self::assertSame($this->otherPem, file_get_contents($this->dir() . '/' . CaBundle::fileNameFor(trim($this->pem) . "\n")), 'left untouched');
        }
    }

    public function testOurOwnLooseDirectoryIsTightened(): void
    {
        mkdir($this->dir(), 0700);
        chmod($this->dir(), 0777);
        self::assertSame(200, $this->version()->httpStatus());
        $this->assertTrustedFileIsOurs();
    }

    public function testTheDownloadUsesTheSameCa(): void
    {
        $serverId = Fixtures::serverFor($this->emu, ['accesshash' => $this->pem]);
        $client = CometClient::fromParams(Params::forServer($serverId), null, ['caBlob' => false, 'caTempDir' => $this->temp]);
        $bytes = 0;
        $download = $client->downloadClient('linuxgeneric', 'ClientDownload', static function (): void {
        }, static function (string $chunk) use (&$bytes): void {
            $bytes += strlen($chunk);
        });
        self::assertTrue($download->started, $download->response->describe());
        self::assertGreaterThan(0, $bytes);
        $this->assertTrustedFileIsOurs();

        // Someone else's CA: the download fails verification and nothing is written.
        $other = Fixtures::serverFor($this->emu, ['accesshash' => $this->otherPem]);
        $bytes = 0;
        $download = CometClient::fromParams(Params::forServer($other))->downloadClient('linuxgeneric', 'ClientDownload', static function (): void {
        }, static function (string $chunk) use (&$bytes): void {
            $bytes += strlen($chunk);
        });
        self::assertFalse($download->started);
        self::assertSame('tls', $download->response->transportError()['kind'] ?? null);
        self::assertSame(0, $bytes);
    }
}
