<?php
// Client software downloads: the links on the client area, and streaming an installer to the browser.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\View;

use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Whmcs\Lang;

/**
 * The installer comes from the Comet Server through CometClient::downloadClient(), the one
 * transport (and the one handling of the server's private CA). It is tens of megabytes, so its
 * bytes go to the browser as they arrive instead of being held in memory. Nothing is sent until
 * the client has seen that the reply is an installer and not an error; until then a failure is
 * still a clean message. This class only chooses the headers and the wording.
 *
 * Wiring (client custom action, listed in ClientAreaAllowedFunctions):
 *
 *     function cometbackup_ClientDownload(array $params) {
 *         return Downloads::serveForService($params, (string) ($_GET['platform'] ?? ''));
 *     }
 *
 * serve() exits after a successful download (WHMCS must not append a page to the file) and returns
 * an error sentence otherwise.
 */
final class Downloads
{
    /** Comet platform => [lang key of the link text, file name offered to the browser]. */
    public const PLATFORMS = [
        'windows-x86_64-zip' => ['ui.download.windows64', 'CometBackup-Windows-x64.zip'],
        'windows-x86_32-zip' => ['ui.download.windows32', 'CometBackup-Windows-x86.zip'],
        'macos-x86_64' => ['ui.download.macosIntel', 'CometBackup-macOS-Intel.pkg'],
        'macos-arm64' => ['ui.download.macosArm', 'CometBackup-macOS-AppleSilicon.pkg'],
        'linuxgeneric' => ['ui.download.linuxRun', 'CometBackup-Linux.run'],
        'spk-dsm7' => ['ui.download.synology', 'CometBackup-Synology-DSM7.spk'],
    ];

    /** @return list<array{platform: string, label: string, url: string}> */
    public static function links(int $serviceId): array
    {
        $out = [];
        foreach (self::PLATFORMS as $platform => [$key, $file]) {
            $out[] = [
                'platform' => $platform,
                'label' => Lang::text($key),
                'url' => 'clientarea.php?action=productdetails&id=' . $serviceId
                    . '&modop=custom&a=ClientDownload&platform=' . rawurlencode($platform),
            ];
        }
        return $out;
    }

    /** The whole entry point for cometbackup_ClientDownload: builds the client, then serve(). */
    public static function serveForService(array $params, string $platform): string
    {
        try {
            $client = CometClient::fromParams($params);
        } catch (\Throwable $e) {
            return Lang::text('ui.download.failed');
        }
        return self::serve($params, $client, $platform);
    }

    /** Streams to the real browser; exits on success, returns an error sentence otherwise. */
    public static function serve(array $params, CometClient $client, string $platform): string
    {
        $started = false;
        $error = self::stream(
            $params,
            $client,
            $platform,
            static function (string $line) use (&$started): void {
                if (!$started) {
                    // Whatever WHMCS buffered so far must not end up inside the installer.
                    while (ob_get_level() > 0) {
                        ob_end_clean();
                    }
                    $started = true;
                }
                header($line);
            },
            static function (string $bytes): void {
                echo $bytes;
                flush();
            }
        );
        if ($error !== null) {
            return $error;
        }
        exit(0);
    }

    /**
     * The testable core of serve(): header lines go to $header, body bytes to $write.
     *
     * @param callable(string): void $header
     * @param callable(string): void $write
     * @return string|null null when the installer was sent, else a sentence for the customer
     */
    public static function stream(array $params, CometClient $client, string $platform, callable $header, callable $write): ?string
    {
        try {
            if (!isset(self::PLATFORMS[$platform])) {
                return Lang::text('ui.download.unknown');
            }
            if (Format::str($params['status'] ?? 'Active') !== 'Active') {
                return Lang::text('ui.download.inactive');
            }
            return self::fetch($client, $platform, $header, $write);
        } catch (\Throwable $e) {
            return Lang::text('ui.download.failed');
        }
    }

    private static function fetch(CometClient $client, string $platform, callable $header, callable $write): ?string
    {
        $fileName = self::PLATFORMS[$platform][1];
        $download = $client->downloadClient(
            $platform,
            'ClientDownload',
            static function (string $contentType, int $contentLength) use ($header, $fileName): void {
                $header('Content-Type: application/octet-stream');
                $header('Content-Disposition: attachment; filename="' . $fileName . '"');
                if ($contentLength >= 0) {
                    $header('Content-Length: ' . $contentLength);
                }
                $header('X-Content-Type-Options: nosniff');
                $header('Cache-Control: no-store, max-age=0');
            },
            $write
        );
        if ($download->started) {
            // The response is committed; a cut-off transfer shows in the browser as an incomplete
            // file (Content-Length) and in the module log.
            return null;
        }
        $reply = $download->response;
        if ($reply->transportError() !== null) {
            return Lang::text('ui.download.unreachable');
        }
        if ($reply->httpStatus() === 200 && $reply->body() === '') {
            return Lang::text('ui.download.empty');
        }
        return Lang::text('ui.download.failed');
    }
}
