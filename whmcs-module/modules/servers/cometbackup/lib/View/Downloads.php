<?php
// Client software downloads: the links on the client area, and streaming an installer to the browser.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\View;

use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Whmcs\Lang;

/**
 * The installer comes from `branding/generate-client/<platform>` (a POST with admin credentials and
 * SelfAddress). It is tens of megabytes, so the bytes go from curl's write callback straight to the
 * browser instead of being held in memory. Nothing is sent until Comet's first body bytes show that
 * the reply is an installer and not a JSON error; until then a failure is still a clean message.
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

    /** Installers are large; allow a slow server time to build and send one. */
    private const CONNECT_TIMEOUT = 10;
    private const TOTAL_TIMEOUT = 600;
    /** An error reply is a small JSON document; more than this is not one. */
    private const ERROR_BODY_CAP = 65536;

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
            return self::fetch($params, $client, $platform, $header, $write);
        } catch (\Throwable $e) {
            return Lang::text('ui.download.failed');
        }
    }

    private static function fetch(array $params, CometClient $client, string $platform, callable $header, callable $write): ?string
    {
        $base = rtrim($client->baseUrl(), '/');
        $endpoint = 'branding/generate-client/' . $platform;
        $password = Format::str($params['serverpassword'] ?? '');
        $fields = [
            'SelfAddress' => $base . '/',
            // Admin credentials last, as every Comet SDK does, so nothing above can override them.
            'Username' => Format::str($params['serverusername'] ?? ''),
            'AuthType' => 'Password',
            'Password' => $password,
        ];

        $status = 0;
        $contentType = '';
        $contentLength = -1;
        $mode = null; // null = undecided, 'stream' = sending the installer, 'error' = collecting an error body
        $errorBody = '';
        $sent = 0;
        $fileName = self::PLATFORMS[$platform][1];

        $ch = curl_init($base . '/api/v1/admin/' . $endpoint);
        curl_setopt_array($ch, [
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => http_build_query($fields, '', '&', PHP_QUERY_RFC3986),
            CURLOPT_HTTPHEADER => ['Content-Type: application/x-www-form-urlencoded', 'Expect:'],
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_SSL_VERIFYPEER => true,
            CURLOPT_SSL_VERIFYHOST => 2,
            CURLOPT_CONNECTTIMEOUT => self::CONNECT_TIMEOUT,
            CURLOPT_TIMEOUT => self::TOTAL_TIMEOUT,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_HEADERFUNCTION => static function ($ch, string $line) use (&$status, &$contentType, &$contentLength): int {
                if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $m) === 1) {
                    // A new status line (after a 100 Continue, say) starts a new header block.
                    $status = (int) $m[1];
                    $contentType = '';
                    $contentLength = -1;
                } elseif (stripos($line, 'content-type:') === 0) {
                    $contentType = strtolower(trim(substr($line, 13)));
                } elseif (stripos($line, 'content-length:') === 0) {
                    $v = trim(substr($line, 15));
                    $contentLength = ctype_digit($v) ? (int) $v : -1;
                }
                return strlen($line);
            },
            CURLOPT_WRITEFUNCTION => static function ($ch, string $chunk) use (
                &$mode, &$status, &$contentType, &$contentLength, &$errorBody, &$sent, $header, $write, $fileName
            ): int {
                if ($mode === null) {
                    // Comet reports errors as JSON (usually over HTTP 200), so the type decides.
                    $looksLikeError = $status !== 200 || str_contains($contentType, 'json') || str_starts_with($contentType, 'text/');
                    $mode = $looksLikeError ? 'error' : 'stream';
                    if ($mode === 'stream') {
                        $header('Content-Type: application/octet-stream');
                        $header('Content-Disposition: attachment; filename="' . $fileName . '"');
                        if ($contentLength >= 0) {
                            $header('Content-Length: ' . $contentLength);
                        }
                        $header('X-Content-Type-Options: nosniff');
                        $header('Cache-Control: no-store, max-age=0');
                    }
                }
                if ($mode === 'error') {
                    if (strlen($errorBody) + strlen($chunk) > self::ERROR_BODY_CAP) {
                        return -1; // abort: not an error document after all, and not worth holding
                    }
                    $errorBody .= $chunk;
                    return strlen($chunk);
                }
                $write($chunk);
                $sent += strlen($chunk);
                return strlen($chunk);
            },
        ]);
        $ca = self::caOption($params);
        if ($ca !== null) {
            curl_setopt($ch, $ca[0], $ca[1]);
        }
        $ok = curl_exec($ch);
        $errno = curl_errno($ch);
        $errText = curl_error($ch);
        curl_close($ch);

        $logged = $mode === 'stream'
            ? sprintf('%d bytes of %s streamed to the browser%s', $sent, $contentType === '' ? 'binary data' : $contentType,
                $ok === false ? ' (interrupted: ' . $errText . ')' : '')
            : ($ok === false && $mode === null ? 'transport error ' . $errno . ': ' . $errText : $errorBody);
        self::log($client, $endpoint, $fields, $logged, $password);

        if ($mode === 'stream') {
            // The response is committed; a cut-off transfer shows in the browser as an incomplete file
            // (Content-Length) and in the module log above.
            return null;
        }
        if ($mode === null && $ok !== false && $status === 200) {
            return Lang::text('ui.download.empty');
        }
        if ($ok === false && $mode === null) {
            return Lang::text('ui.download.unreachable');
        }
        return Lang::text('ui.download.failed');
    }

    /**
     * The server's private CA, read from its Access Hash exactly as CometClient reads it: PEM text,
     * or the absolute path of a .pem/.crt/.cer file. Returns [curl option, value] or null.
     *
     * @return array{0: int, 1: string}|null
     */
    private static function caOption(array $params): ?array
    {
        $value = trim(Format::str($params['serveraccesshash'] ?? ''));
        if ($value === '') {
            return null;
        }
        if (str_contains($value, '-----BEGIN CERTIFICATE-----')) {
            if (defined('CURLOPT_CAINFO_BLOB')) {
                return [CURLOPT_CAINFO_BLOB, $value . "\n"];
            }
            $file = sys_get_temp_dir() . '/cometbackup-ca-' . hash('sha256', $value . "\n") . '.pem';
            if (!is_file($file) && @file_put_contents($file, $value . "\n") === false) {
                return null;
            }
            return [CURLOPT_CAINFO, $file];
        }
        if ($value[0] === '/' && preg_match('/\.(pem|crt|cer)$/i', $value) === 1) {
            return [CURLOPT_CAINFO, $value];
        }
        return null;
    }

    private static function log(CometClient $client, string $endpoint, array $request, string $response, string $password): void
    {
        $client->log()->call('ClientDownload', $endpoint, $request, $response, $password === '' ? [] : [$password], ['Password']);
    }
}
