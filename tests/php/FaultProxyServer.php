<?php
// A loopback HTTP proxy in front of the Comet emulator that can REFUSE a chosen connection, so the
// fault matrix can inject "connection refused" on exactly the n-th request of a plan (the emulator
// cannot: it only sees requests that reached it). Started by FaultProxy.php, never on its own.
//
//   php FaultProxyServer.php http://127.0.0.1:<emulator port>
//   stdout, first line: "listening <proxy port> control <control port>"
//
// Every answer carries "Connection: close", so the module's curl opens one connection per request
// and the k-th connection after arming carries the k-th request. Control (one line in, one out, on
// the control port): "refuse K" closes the listening socket once K more requests have been answered
// (K = 0: now), so the next connect gets ECONNREFUSED; "open" listens again on the same port;
// "count" answers how many requests were forwarded; "quit" exits 0.

declare(strict_types=1);

if (PHP_SAPI !== 'cli' || count($argv) !== 2 || preg_match('#^http://127\.0\.0\.1:\d+$#', $argv[1]) !== 1) {
    fwrite(STDERR, "usage: php FaultProxyServer.php http://127.0.0.1:<port>\n");
    exit(2);
}
$upstream = $argv[1];

$listen = static function (int $port) {
    $ctx = stream_context_create(['socket' => ['so_reuseaddr' => true, 'backlog' => 16]]);
    $server = @stream_socket_server("tcp://127.0.0.1:{$port}", $errno, $errstr, STREAM_SERVER_BIND | STREAM_SERVER_LISTEN, $ctx);
    if ($server === false) {
        fwrite(STDERR, "cannot listen on 127.0.0.1:{$port}: {$errstr}\n");
        exit(1);
    }
    return $server;
};
$portOf = static function ($socket): int {
    $name = (string) stream_socket_get_name($socket, false);
    return (int) substr($name, strrpos($name, ':') + 1);
};

$server = $listen(0);
$port = $portOf($server);
$control = $listen(0);
echo 'listening ', $port, ' control ', $portOf($control), "\n";
flush();

$refuseAfter = null;   // requests still to answer before the listener closes
$forwarded = 0;

/** Reads one HTTP/1.1 request (headers + Content-Length body); null on a broken connection. */
$readRequest = static function ($conn): ?array {
    $head = '';
    while (!str_contains($head, "\r\n\r\n")) {
        $chunk = fread($conn, 8192);
        if ($chunk === '' || $chunk === false) {
            return null;
        }
        $head .= $chunk;
    }
    [$head, $body] = explode("\r\n\r\n", $head, 2);
    $lines = explode("\r\n", $head);
    $requestLine = explode(' ', (string) array_shift($lines));
    $headers = [];
    foreach ($lines as $line) {
        $colon = strpos($line, ':');
        if ($colon !== false) {
            $headers[strtolower(trim(substr($line, 0, $colon)))] = trim(substr($line, $colon + 1));
        }
    }
    $length = (int) ($headers['content-length'] ?? 0);
    while (strlen($body) < $length) {
        $chunk = fread($conn, $length - strlen($body));
        if ($chunk === '' || $chunk === false) {
            return null;
        }
        $body .= $chunk;
    }
    return ['method' => $requestLine[0] ?? 'GET', 'path' => $requestLine[1] ?? '/', 'headers' => $headers, 'body' => $body];
};

$forward = static function (array $request) use ($upstream): array {
    $curl = curl_init($upstream . $request['path']);
    $contentType = 'application/octet-stream';
    curl_setopt_array($curl, [
        CURLOPT_RETURNTRANSFER => true,
        CURLOPT_CUSTOMREQUEST => $request['method'],
        CURLOPT_POSTFIELDS => $request['body'],
        CURLOPT_HTTPHEADER => ['Content-Type: ' . ($request['headers']['content-type'] ?? 'application/x-www-form-urlencoded'), 'Expect:'],
        CURLOPT_CONNECTTIMEOUT => 5,
        CURLOPT_TIMEOUT => 60,
        CURLOPT_HEADERFUNCTION => static function ($h, string $line) use (&$contentType): int {
            if (stripos($line, 'content-type:') === 0) {
                $contentType = trim(substr($line, 13));
            }
            return strlen($line);
        },
    ]);
    $body = curl_exec($curl);
    $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
    curl_close($curl);
    if ($body === false) {
        return [502, 'text/plain', 'proxy: upstream failed'];
    }
    return [$status, $contentType, (string) $body];
};

while (true) {
    $read = [$control];
    if ($server !== null) {
        $read[] = $server;
    }
    $write = $except = null;
    if (@stream_select($read, $write, $except, 5) === false) {
        continue;
    }
    foreach ($read as $ready) {
        $conn = @stream_socket_accept($ready, 5);
        if ($conn === false) {
            continue;
        }
        if ($ready === $control) {
            $line = trim((string) fgets($conn));
            $answer = 'ok';
            if (preg_match('/^refuse (\d+)$/', $line, $m) === 1) {
                $refuseAfter = (int) $m[1];
                if ($refuseAfter === 0 && $server !== null) {
                    fclose($server);
                    $server = null;
                    $refuseAfter = null;
                }
            } elseif ($line === 'open') {
                $refuseAfter = null;
                if ($server === null) {
                    $server = $listen($port);
                }
            } elseif ($line === 'count') {
                $answer = (string) $forwarded;
            } elseif ($line === 'quit') {
                fwrite($conn, "ok\n");
                fclose($conn);
                exit(0);
            } else {
                $answer = 'unknown command';
            }
            fwrite($conn, $answer . "\n");
            fclose($conn);
            continue;
        }
        stream_set_timeout($conn, 30);
        $request = $readRequest($conn);
        if ($request === null) {
            fclose($conn);
            continue;
        }
        [$status, $type, $body] = $forward($request);
        $forwarded++;
        // Close the listener BEFORE answering: the client cannot connect again before it has the
        // answer, so its next connection is refused deterministically.
        if ($refuseAfter !== null && --$refuseAfter === 0 && $server !== null) {
            fclose($server);
            $server = null;
            $refuseAfter = null;
        }
        $out = "HTTP/1.1 {$status} X\r\nContent-Type: {$type}\r\nContent-Length: " . strlen($body)
            . "\r\nConnection: close\r\n\r\n" . $body;
        while ($out !== '') {
            $n = @fwrite($conn, $out);
            if ($n === false || $n === 0) {
                break;
            }
            $out = (string) substr($out, $n);
        }
        fclose($conn);
    }
}
