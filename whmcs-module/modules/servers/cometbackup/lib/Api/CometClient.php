<?php
// The HTTP transport to a Comet Server's admin API (curl): one form POST per request, nothing else;
// the only place in the module that talks to Comet (plans, streams and installer downloads alike).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Api;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}


/**
 * POSTs `application/x-www-form-urlencoded` forms to `<base>/api/v1/admin/<endpoint>`.
 *
 * - Base URL: https when the server's "Secure" flag is on, else http; the hostname may carry
 *   `:port` and a base path (`comet.example.com:8443/backup`); otherwise the server's port field,
 *   otherwise Comet's defaults (443 / 8060). IPv6 literals are written `[2001:db8::5]:8060` (a bare
 *   address without a port is bracketed). A pasted `http://` / `https://` is stripped when it
 *   agrees with the Secure flag and refused when it contradicts it; other schemes, a user:password@
 *   part, a query, a fragment, spaces and control characters are refused with a message naming
 *   the field (never quoting it).
 * - TLS is always verified (peer and host name). A private CA is configured per server: paste its
 *   PEM certificate(s) into the server's "Access Hash" field (or put the path of a PEM file there).
 *   Nothing else is read from that field, and it never reaches the core. CaBundle turns it into
 *   curl options (a blob, or a checked private file on an old libcurl).
 * - 10 s to connect, 60 s in total; redirects are never followed (a 3xx is an error: following it
 *   would resend the admin password to another address).
 * - The admin credentials (`Username`, `AuthType=Password`, `Password`) are added after the
 *   request's own parameters, so no parameter can replace them.
 * - Every request is written to the RequestLog the caller injects (the module passes WHMCS's module
 *   log), secrets masked; without one nothing is logged.
 *
 * The HTTP status and the JSON are checked by the core (plan replies) and by Response::json() /
 * apiError() (direct reads), never assumed.
 */
final class CometClient
{
    public const CONNECT_TIMEOUT = 10;
    public const TOTAL_TIMEOUT = 60;
    /** The total time a streamed reply may take (it must also keep moving: see postStream()). */
    public const STREAM_TIMEOUT = 900;
    /** A streamed reply up to this size (an error envelope, an error page) is logged as post() logs it. */
    public const STREAM_LOG_BYTES = 65536;
    /** An installer is built on demand and is large: the time it may take (it must keep moving). */
    public const DOWNLOAD_TIMEOUT = 600;

    /** @var \CurlHandle|null one handle per client (DNS and TLS session caches are kept; connections are not, see send()) */
    private $curl = null;
    private int $streamedBytes = 0;
    /** A streamed reply while it is at most STREAM_LOG_BYTES long (then null): logged like post()'s. */
    private ?string $streamHead = null;

    private function __construct(
        private readonly string $baseUrl,
        private readonly string $adminUsername,
        private readonly string $adminPassword,
        private readonly ?CaBundle $ca,
        private readonly RequestLog $log,
        private readonly int $connectTimeout,
        private readonly int $totalTimeout,
        private readonly ?bool $caBlob,
        private readonly ?string $caTempDir,
    ) {
    }

    /**
     * From WHMCS server params: serversecure (bool or 'on') / serverhttpprefix, serverhostname
     * (optionally `host:port/path`), serverip as a fallback host, serverport, serverusername,
     * serverpassword (decrypted) and serveraccesshash (optional CA, see the class comment).
     *
     * @param array{connectTimeout?: int, timeout?: int, caBlob?: bool, caTempDir?: string} $options caBlob and
     *        caTempDir are for tests of the CA file path (see CaBundle::curlOptions)
     * @throws \InvalidArgumentException when the server settings cannot form a URL (a clear message)
     */
    public static function fromParams(array $params, ?RequestLog $log = null, array $options = []): self
    {
        $secure = self::secureFlag($params);
        $field = 'server hostname';
        // Only blanks are trimmed: a CR, LF or NUL anywhere is refused below.
        $host = trim((string) ($params['serverhostname'] ?? ''), " \t");
        if ($host === '') {
            $field = 'server IP address';
            $host = trim((string) ($params['serverip'] ?? ''), " \t");
        }
        if ($host === '') {
            throw new \InvalidArgumentException(
                'The server has no hostname or IP address: set one in Configuration > System Settings > Servers.'
            );
        }
        // The value itself is never quoted in a message: it may hold a password (user:pass@host).
        if (strlen($host) > 1024) {
            throw new \InvalidArgumentException("The {$field} is longer than 1,024 characters.");
        }
        if (preg_match('/[\x00-\x20\x7F]/', $host) === 1 || !mb_check_encoding($host, 'UTF-8')) {
            throw new \InvalidArgumentException(
                "The {$field} contains a space, a control character (NUL, CR, LF, ...) or bytes that are not UTF-8 text."
            );
        }
        // A pasted URL: its scheme is stripped when it agrees with the server's Secure option, which
        // decides the scheme; a contradicting or foreign scheme is refused rather than guessed.
        if (preg_match('#^([a-z][a-z0-9+.-]*)://#i', $host, $m) === 1) {
            $scheme = strtolower($m[1]);
            if ($scheme !== 'http' && $scheme !== 'https') {
                throw new \InvalidArgumentException("The {$field} starts with a URL scheme other than http:// or https://.");
            }
            if (($scheme === 'https') !== $secure) {
                throw new \InvalidArgumentException(
                    "The {$field} starts with {$scheme}://, but the server's Secure (SSL) option is "
                    . ($secure ? 'on' : 'off') . ': ' . ($secure ? 'untick Secure' : 'tick Secure')
                    . ' or remove the scheme from the hostname.'
                );
            }
            $host = substr($host, strlen($m[0]));
        }
        if (strpbrk($host, '?#\\') !== false) {
            throw new \InvalidArgumentException("The {$field} contains a query (?), a fragment (#) or a backslash; enter only host, port and path.");
        }
        $path = '';
        $slash = strpos($host, '/');
        if ($slash !== false) {
            $path = substr($host, $slash);
            $host = substr($host, 0, $slash);
        }
        if (str_contains($host, '@')) {
            throw new \InvalidArgumentException(
                "The {$field} contains a user name or password (user:password@host). Enter the admin's credentials "
                . 'in the server\'s Username and Password fields instead; they are never sent in a URL.'
            );
        }
        $port = null;
        if (preg_match('/^(\[[^\]]*\]|[^:\[\]]+):(\d{1,5})$/', $host, $m) === 1) {
            $host = $m[1];
            $port = (int) $m[2];
        } elseif (str_ends_with($host, ':')) {
            throw new \InvalidArgumentException("The {$field} ends with ':' but no port number.");
        }
        if (substr_count($host, ':') >= 2 && $host[0] !== '[' && filter_var($host, FILTER_VALIDATE_IP, FILTER_FLAG_IPV6) !== false) {
            // A bare IPv6 address (no port can follow it without brackets).
            $host = '[' . $host . ']';
        }
        if ($host !== '' && $host[0] === '[') {
            if (filter_var(substr($host, 1, -1), FILTER_VALIDATE_IP, FILTER_FLAG_IPV6) === false || !str_ends_with($host, ']')) {
                throw new \InvalidArgumentException(
                    "The {$field} has brackets but no valid IPv6 address in them (expected e.g. [2001:db8::5]:8060)."
                );
            }
            $host = strtolower($host);
        } elseif (strlen($host) > 253 || preg_match('/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/', $host) !== 1) {
            throw new \InvalidArgumentException(
                "The {$field} is not a valid host name or IP address (expected e.g. comet.example.com, "
                . 'comet.example.com:8060, [2001:db8::5]:8060 or comet.example.com/path).'
            );
        }
        $path = rtrim($path, '/');
        if ($path !== '' && preg_match('#^(/[A-Za-z0-9._~%!$&\'()*+,;=:@-]+)+$#', $path) !== 1) {
            throw new \InvalidArgumentException("The base path in the {$field} contains characters a URL cannot carry.");
        }
        if ($port === null) {
            $configured = (string) ($params['serverport'] ?? '');
            $port = ctype_digit($configured) && (int) $configured > 0 ? (int) $configured : ($secure ? 443 : 8060);
        }
        if ($port < 1 || $port > 65535) {
            throw new \InvalidArgumentException("The port in the {$field} ({$port}) is out of range (1 to 65535).");
        }
        $scheme = $secure ? 'https' : 'http';
        $defaultPort = $secure ? 443 : 80;
        $baseUrl = $scheme . '://' . $host . ($port === $defaultPort ? '' : ':' . $port) . $path;

        $password = (string) ($params['serverpassword'] ?? '');
        $log ??= new SilentLog();
        $log->addSecrets(Redactor::valuesFromParams($params));
        $log->addSecrets([$password]);
        return new self(
            $baseUrl,
            (string) ($params['serverusername'] ?? ''),
            $password,
            CaBundle::fromAccessHash((string) ($params['serveraccesshash'] ?? '')),
            $log,
            (int) ($options['connectTimeout'] ?? self::CONNECT_TIMEOUT),
            (int) ($options['timeout'] ?? self::TOTAL_TIMEOUT),
            isset($options['caBlob']) ? (bool) $options['caBlob'] : null,
            isset($options['caTempDir']) ? (string) $options['caTempDir'] : null,
        );
    }

    /** The server's base URL, e.g. `https://comet.example.com` or `http://10.0.0.5:8060/comet` (no trailing slash). */
    public function baseUrl(): string
    {
        return $this->baseUrl;
    }

    public function adminUsername(): string
    {
        return $this->adminUsername;
    }

    public function log(): RequestLog
    {
        return $this->log;
    }

    /**
     * POSTs one request. Never throws for network or HTTP problems: they come back in the Response.
     *
     * @param array<string, scalar> $params the endpoint's own parameters
     * @param list<string> $secretNames parameters to mask in the log (the ALWAYS list is added)
     */
    public function post(string $endpoint, array $params, array $secretNames = [], string $action = ''): Response
    {
        if (preg_match('#^[a-z0-9][a-z0-9/_.-]*$#i', $endpoint) !== 1 || str_contains($endpoint, '..')) {
            return Response::failed('other', "refused to call the malformed endpoint name '{$endpoint}'");
        }
        // The admin's credentials go last, replacing any same-named parameter; no other
        // authentication field may ride along.
        [$form, $secretNames, $secretValues] = $this->form($params, $secretNames);

        $response = $this->send($endpoint, http_build_query($form, '', '&', PHP_QUERY_RFC1738));
        $this->log->call($action !== '' ? $action : $endpoint, $endpoint, $form, $response, $secretValues, $secretNames);
        return $response;
    }

    /**
     * POSTs one request whose reply body is handed to $sink in pieces as curl receives them, never
     * held whole (UsageUpdate's list-users-full of 100,000 users is about 390 MB). $sink(string $chunk)
     * returns false to stop receiving (the core already knows the body is unreadable). Only a 200
     * reply's bytes reach the sink. The HTTP status is checked as for post(), and the module log
     * records the request (secrets masked) and the reply's size, never its body.
     *
     * The returned Response has an empty body: its status or transport error is what the stream's
     * close needs. streamedBytes() tells how many bytes arrived. A reply of at most STREAM_LOG_BYTES
     * (an error envelope or page) is logged as post() would log it, masked the same way.
     *
     * @param array<string, scalar> $params
     * @param list<string> $secretNames
     * @param callable(string): bool $sink
     */
    public function postStream(string $endpoint, array $params, array $secretNames, string $action, callable $sink): Response
    {
        if (preg_match('#^[a-z0-9][a-z0-9/_.-]*$#i', $endpoint) !== 1 || str_contains($endpoint, '..')) {
            return Response::failed('other', "refused to call the malformed endpoint name '{$endpoint}'");
        }
        [$form, $secretNames, $secretValues] = $this->form($params, $secretNames);
        $this->streamedBytes = 0;
        $this->streamHead = '';
        $writer = function (string $chunk, array $head) use ($sink): bool {
            $this->streamedBytes += strlen($chunk);
            // The first bytes are kept for the log while the reply is small; never more.
            if ($this->streamHead !== null) {
                $this->streamHead = $this->streamedBytes <= self::STREAM_LOG_BYTES ? $this->streamHead . $chunk : null;
            }
            if ($head['status'] !== 200) {
                return true; // an error page is not read
            }
            return $sink($chunk); // false: stop receiving, the core has decided
        };
        $response = $this->send($endpoint, http_build_query($form, '', '&', PHP_QUERY_RFC1738), $writer, self::STREAM_TIMEOUT);
        if ($response->transportError() !== null) {
            $summary = $response;
        } elseif ($this->streamHead !== null) {
            // A small reply (an error envelope, an error page) is logged as post() logs it.
            $summary = Response::http($response->httpStatus(), $this->streamHead, $response->contentType());
        } else {
            $summary = sprintf('[streamed reply: HTTP %d, %s bytes, read by the core, not logged]', $response->httpStatus(), number_format($this->streamedBytes));
        }
        $this->streamHead = null;
        $this->log->call($action !== '' ? $action : $endpoint, $endpoint, $form, $summary, $secretValues, $secretNames);
        return $response;
    }

    /** Bytes of the last streamed reply. */
    public function streamedBytes(): int
    {
        return $this->streamedBytes;
    }

    /**
     * Streams a client installer from `branding/generate-client/<platform>` (tens of megabytes) to
     * $write as curl receives it, never holding it whole. Comet reports errors as JSON (often over
     * HTTP 200), so the reply's head decides: a non-200 status, a JSON or text/* type is an error
     * (collected, at most STREAM_LOG_BYTES, for the log and the Download's response); anything else
     * is the installer, announced once through $begin(contentType, length) before its first byte
     * reaches $write; the length is -1 when unknown or compressed on the wire (curl decodes it).
     * Nothing reaches $begin or $write for an error.
     *
     * The module log gets the request (admin password masked) and the error reply, or for an
     * installer its size, never its bytes.
     *
     * @param callable(string, int): void $begin
     * @param callable(string): void $write
     */
    public function downloadClient(string $platform, string $action, callable $begin, callable $write): Download
    {
        if (preg_match('/^[a-z0-9][a-z0-9_-]{0,63}$/', $platform) !== 1) {
            return new Download(false, 0, Response::failed('other', 'refused to request an installer for a malformed platform name'));
        }
        $endpoint = 'branding/generate-client/' . $platform;
        // SelfAddress: the address the installer will connect to, the one this module uses.
        [$form, $secretNames, $secretValues] = $this->form(['SelfAddress' => $this->baseUrl . '/'], []);
        $mode = null; // null = undecided, 'stream' = the installer, 'error' = an error document
        $errorBody = '';
        $sent = 0;
        $contentType = '';
        $writer = static function (string $chunk, array $head) use (&$mode, &$errorBody, &$sent, &$contentType, $begin, $write): bool {
            if ($mode === null) {
                $contentType = strtolower($head['contentType']);
                $error = $head['status'] !== 200 || str_contains($contentType, 'json') || str_starts_with($contentType, 'text/');
                $mode = $error ? 'error' : 'stream';
                if ($mode === 'stream') {
                    $begin($head['contentType'], $head['encoded'] ? -1 : $head['contentLength']);
                }
            }
            if ($mode === 'error') {
                if (strlen($errorBody) + strlen($chunk) > self::STREAM_LOG_BYTES) {
                    // Not an error document after all, and not worth holding: its start is kept.
                    $errorBody .= substr($chunk, 0, self::STREAM_LOG_BYTES - strlen($errorBody));
                    return false;
                }
                $errorBody .= $chunk;
                return true;
            }
            $write($chunk);
            $sent += strlen($chunk);
            return true;
        };
        $response = $this->send($endpoint, http_build_query($form, '', '&', PHP_QUERY_RFC1738), $writer, self::DOWNLOAD_TIMEOUT);
        $error = $response->transportError();
        if ($mode === 'stream') {
            $summary = sprintf('%d bytes of %s streamed to the browser%s', $sent, $contentType === '' ? 'binary data' : $contentType,
                $error !== null ? ' (interrupted: ' . $error['message'] . ')' : '');
            $this->log->call($action, $endpoint, $form, $summary, $secretValues, $secretNames);
            return new Download(true, $sent, $response);
        }
        if ($error === null || $errorBody !== '') {
            $response = Response::http($response->httpStatus(), $errorBody, $response->contentType());
        }
        $this->log->call($action, $endpoint, $form, $response, $secretValues, $secretNames);
        return new Download(false, 0, $response);
    }

    /**
     * The form as sent (admin credentials last) and what to mask.
     *
     * @param array<string, scalar> $params
     * @param list<string> $secretNames
     * @return array{0: array<string, string>, 1: list<string>, 2: list<string>}
     */
    private function form(array $params, array $secretNames): array
    {
        $form = [];
        foreach ($params as $name => $value) {
            $form[(string) $name] = is_bool($value) ? ($value ? '1' : '0') : (string) $value;
        }
        unset($form['Username'], $form['AuthType'], $form['Password'], $form['SessionKey'], $form['TOTP'], $form['WebAuthnSign']);
        $form['Username'] = $this->adminUsername;
        $form['AuthType'] = 'Password';
        $form['Password'] = $this->adminPassword;
        $secretNames = array_values(array_unique(array_merge(Redactor::ALWAYS_SECRET_PARAMS, $secretNames)));
        $secretValues = [$this->adminPassword];
        foreach ($secretNames as $name) {
            if (isset($form[$name]) && $name !== 'ProfileData') {
                $secretValues[] = $form[$name];
            }
        }
        return [$form, $secretNames, $secretValues];
    }

    /**
     * @param (\Closure(string, array{status: int, contentType: string, contentLength: int, encoded: bool}): bool)|null $writer
     *        receives the body in pieces with the reply's head instead of it being returned; false stops
     *        receiving (the Response then has the status and an empty body)
     * @param int $streamTimeout the total time a streamed reply may take (it must also keep moving)
     */
    private function send(string $endpoint, string $body, ?\Closure $writer = null, int $streamTimeout = 0): Response
    {
        if (!function_exists('curl_init')) {
            return Response::failed('other', 'the PHP curl extension is not loaded');
        }
        if ($this->curl === null) {
            $this->curl = curl_init();
            if ($this->curl === false) {
                $this->curl = null;
                return Response::failed('other', 'curl_init failed');
            }
        } else {
            curl_reset($this->curl);
        }
        $ch = $this->curl;
        $head = ['status' => 0, 'contentType' => '', 'contentLength' => -1, 'encoded' => false];
        $options = [
            CURLOPT_URL => $this->baseUrl . '/api/v1/admin/' . $endpoint,
            CURLOPT_POST => true,
            CURLOPT_POSTFIELDS => $body,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_HEADER => false,
            CURLOPT_FOLLOWLOCATION => false,
            CURLOPT_MAXREDIRS => 0,
            CURLOPT_CONNECTTIMEOUT => $this->connectTimeout,
            CURLOPT_TIMEOUT => $this->totalTimeout,
            CURLOPT_SSL_VERIFYPEER => true,
            CURLOPT_SSL_VERIFYHOST => 2,
            CURLOPT_PROTOCOLS => CURLPROTO_HTTP | CURLPROTO_HTTPS,
            CURLOPT_NOSIGNAL => true,
            // No connection reuse: libcurl silently re-sends a request when a reused connection
            // dies before any reply byte arrives, so an add-user or request-storage-vault that the
            // server applied but whose reply was lost would run twice (a second account or vault).
            // The plan must see that transport error and decide (core/PLAN.md: never retry).
            CURLOPT_FORBID_REUSE => true,
            CURLOPT_ENCODING => '',
            CURLOPT_HTTPHEADER => [
                'Content-Type: application/x-www-form-urlencoded',
                'Accept: application/json',
                'Expect:',
            ],
            CURLOPT_USERAGENT => 'cometbackup-whmcs',
            CURLOPT_HEADERFUNCTION => static function ($handle, string $line) use (&$head): int {
                if (preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $m) === 1) {
                    // A new status line (after a 100 Continue, say) starts a new header block.
                    $head = ['status' => (int) $m[1], 'contentType' => '', 'contentLength' => -1, 'encoded' => false];
                } elseif (stripos($line, 'content-type:') === 0) {
                    $head['contentType'] = trim(substr($line, 13));
                } elseif (stripos($line, 'content-length:') === 0) {
                    $v = trim(substr($line, 15));
                    $head['contentLength'] = ctype_digit($v) ? (int) $v : -1;
                } elseif (stripos($line, 'content-encoding:') === 0 && strtolower(trim(substr($line, 17))) !== 'identity') {
                    // curl decodes the body (CURLOPT_ENCODING), so the length on the wire is not
                    // the length of what the writer receives.
                    $head['encoded'] = true;
                }
                return strlen($line);
            },
        ];
        $stopped = false;
        if ($writer !== null) {
            // The body goes to the writer as it arrives; a stall (no byte for the usual total timeout)
            // fails, a long but moving transfer (a large server, an installer) does not.
            unset($options[CURLOPT_RETURNTRANSFER]);
            $options[CURLOPT_TIMEOUT] = max($this->totalTimeout, $streamTimeout);
            $options[CURLOPT_LOW_SPEED_LIMIT] = 1;
            $options[CURLOPT_LOW_SPEED_TIME] = $this->totalTimeout;
            $options[CURLOPT_BUFFERSIZE] = 512 * 1024;
            $options[CURLOPT_WRITEFUNCTION] = static function ($handle, string $chunk) use ($writer, &$head, &$stopped): int {
                if (!$writer($chunk, $head)) {
                    $stopped = true;
                    return 0;
                }
                return strlen($chunk);
            };
        }
        if (defined('CURLOPT_REDIR_PROTOCOLS')) {
            $options[CURLOPT_REDIR_PROTOCOLS] = 0;
        }
        $caError = $this->applyCa($options);
        if ($caError !== null) {
            return Response::failed('tls', $caError);
        }
        curl_setopt_array($ch, $options);
        $result = curl_exec($ch);
        $errno = curl_errno($ch);
        if ($writer !== null && $stopped && $errno === 23) {
            // CURLE_WRITE_ERROR because the writer said stop: the reply was received, just not read on.
            return Response::http((int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE), '', $head['contentType']);
        }
        if ($result === false || $errno !== 0) {
            return Response::failed(self::transportKind($errno), self::transportMessage($errno, curl_error($ch)));
        }
        return Response::http((int) curl_getinfo($ch, CURLINFO_RESPONSE_CODE), $writer !== null ? '' : (string) $result, $head['contentType']);
    }

    /** @param array<int, mixed> $options */
    private function applyCa(array &$options): ?string
    {
        if ($this->ca === null) {
            return null;
        }
        try {
            $options = $this->ca->curlOptions($this->caBlob, $this->caTempDir) + $options;
        } catch (\RuntimeException $e) {
            return $e->getMessage();
        }
        return null;
    }

    public function __destruct()
    {
        if ($this->curl !== null) {
            curl_close($this->curl);
        }
    }

    private static function secureFlag(array $params): bool
    {
        if (array_key_exists('serversecure', $params) && $params['serversecure'] !== null && $params['serversecure'] !== '') {
            $v = $params['serversecure'];
            return $v === true || $v === 1 || in_array(strtolower((string) $v), ['on', '1', 'true', 'yes'], true);
        }
        return strtolower((string) ($params['serverhttpprefix'] ?? '')) === 'https';
    }

    private static function transportKind(int $errno): string
    {
        switch ($errno) {
            case 5:   // couldn't resolve proxy
            case 6:   // couldn't resolve host
            case 7:   // couldn't connect
                return 'connect';
            case 28:  // timed out
                return 'timeout';
            case 35: case 51: case 53: case 54: case 58: case 59: case 60: case 64: case 66:
            case 77: case 80: case 82: case 83: case 90: case 91:
                return 'tls';
            case 52:  // empty reply
            case 55:  // send error
            case 56:  // receive error
                return 'reset';
            default:
                return 'other';
        }
    }

    private static function transportMessage(int $errno, string $error): string
    {
        $text = $error !== '' ? $error : 'curl error ' . $errno;
        if ($errno === 35 && stripos($text, 'wrong version number') !== false) {
            $text .= ' (is the server plain HTTP? then switch off "Secure" for this server)';
        }
        return "curl error {$errno}: {$text}";
    }
}
