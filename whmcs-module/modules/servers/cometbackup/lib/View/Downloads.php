<?php
// Client software downloads: the links on the client area, the header lines that announce an
// installer, and the sentence for a download that did not happen.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\View;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Whmcs\Lang;

/**
 * The App streams the installer (App::download: CometClient::downloadClient, the one transport and
 * the one handling of the server's private CA) and asks this class only what to show: whether the
 * request is refused before Comet is asked, which headers go with a platform's file, and the
 * wording when Comet's reply was not an installer. Like every view it never holds a client.
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

    /**
     * Why this download is refused before anything is asked of Comet, as a sentence; null to go on.
     * Only the platforms of the links are served (the name ends up in a Comet endpoint path).
     */
    public static function refusal(string $platform, mixed $serviceStatus): ?string
    {
        if (!isset(self::PLATFORMS[$platform])) {
            return Lang::text('ui.download.unknown');
        }
        if (Format::str($serviceStatus) !== 'Active') {
            return Lang::text('ui.download.inactive');
        }
        return null;
    }

    /**
     * The header lines for $platform's installer. $contentLength < 0: unknown (a compressed reply,
     * whose length on the wire is not the file's), so none is announced rather than a wrong one.
     *
     * @return list<string>
     */
    public static function headers(string $platform, int $contentLength): array
    {
        if (!isset(self::PLATFORMS[$platform])) {
            throw new \InvalidArgumentException("no installer file name for platform {$platform}");
        }
        $lines = [
            'Content-Type: application/octet-stream',
            'Content-Disposition: attachment; filename="' . self::PLATFORMS[$platform][1] . '"',
        ];
        if ($contentLength >= 0) {
            $lines[] = 'Content-Length: ' . $contentLength;
        }
        $lines[] = 'X-Content-Type-Options: nosniff';
        $lines[] = 'Cache-Control: no-store, max-age=0';
        return $lines;
    }

    /**
     * The sentence for a download that did not start: Comet was not reached, answered HTTP 200
     * with nothing, or answered with an error (or something that is not an installer).
     */
    public static function failure(bool $reached, int $httpStatus, int $bodyBytes): string
    {
        if (!$reached) {
            return Lang::text('ui.download.unreachable');
        }
        if ($httpStatus === 200 && $bodyBytes === 0) {
            return Lang::text('ui.download.empty');
        }
        return Lang::text('ui.download.failed');
    }

    /** The sentence when the download failed inside the module (settings, a bug). */
    public static function failed(): string
    {
        return Lang::text('ui.download.failed');
    }
}
