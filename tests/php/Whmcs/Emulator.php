<?php
// The Comet Server emulator (node-harness/bin/comet-emulator) as a child process on a free loopback
// port, with its /__emulator/* control routes (faults, latency, journal, seed, reset).
//
//   $emu = Emulator::start(['mode' => '18.9']);   // or 'modern' (default); 'tls' => true for HTTPS
//   $serverId = Fixtures::serverFor($emu);
//   $emu->control('faults', ['endpoint' => 'add-user', 'kind' => 'reset']);
//   $emu->journal();                               // every API request, secrets redacted
//   $emu->stop();                                  // checks it exited with status 0

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

final class Emulator
{
    public string $url = '';
    public string $host = '127.0.0.1';
    public int $port = 0;
    public bool $tls = false;
    /** The throwaway CA that signed the emulator's certificate (TLS mode), else null. */
    public ?string $caFile = null;
    public string $adminUsername = 'admin';
    public string $adminPassword = '';

    /** @var resource|null */
    private $process = null;
    /** @var resource|null */
    private $stdout = null;
    private string $dir = '';

    private function __construct()
    {
    }

    /**
     * Options: mode ('modern'|'18.9'), latency (ms), adminUsername, adminPassword (default: a random
     * one, so secret scans can look for it), totpSecret (base32), seed (array or file path),
     * serverVersion, state (file path), tls (bool: HTTPS with a throwaway CA, see ->caFile).
     */
    public static function start(array $opts = []): self
    {
        $emu = new self();
        $emu->dir = Whmcs::scratchDir() . '/emulator-' . bin2hex(random_bytes(4));
        mkdir($emu->dir, 0700);
        $emu->adminUsername = (string) ($opts['adminUsername'] ?? 'admin');
        $emu->adminPassword = (string) ($opts['adminPassword'] ?? 'Adm1n-' . bin2hex(random_bytes(8)));
        $repo = dirname(__DIR__, 3);
        $argv = ['node', $repo . '/node-harness/bin/comet-emulator', '--port', '0', '--control',
            '--admin-username', $emu->adminUsername, '--admin-password', $emu->adminPassword];
        $flags = ['mode' => '--mode', 'latency' => '--latency', 'totpSecret' => '--admin-totp-secret',
            'serverVersion' => '--server-version', 'state' => '--state'];
        foreach ($flags as $key => $flag) {
            if (isset($opts[$key])) {
                array_push($argv, $flag, (string) $opts[$key]);
            }
        }
        if (isset($opts['seed'])) {
            $seed = $opts['seed'];
            if (is_array($seed)) {
                $file = $emu->dir . '/seed.json';
                file_put_contents($file, json_encode($seed, JSON_UNESCAPED_SLASHES));
                $seed = $file;
            }
            array_push($argv, '--seed', (string) $seed);
        }
        if (!empty($opts['tls'])) {
            $ca = $emu->dir . '/ca';
            $p = proc_open([$repo . '/scripts/make-test-ca.sh', $ca], [0 => ['file', '/dev/null', 'r'],
                1 => ['file', '/dev/null', 'w'], 2 => ['file', $emu->dir . '/ca.log', 'w']], $pipes);
            if (!is_resource($p) || proc_close($p) !== 0) {
                throw new \RuntimeException('scripts/make-test-ca.sh failed: ' . @file_get_contents($emu->dir . '/ca.log'));
            }
            array_push($argv, '--tls-cert', $ca . '/server.pem', '--tls-key', $ca . '/server.key');
            $emu->tls = true;
            $emu->caFile = $ca . '/ca.pem';
        }
        $process = proc_open($argv, [
            0 => ['file', '/dev/null', 'r'],
            1 => ['pipe', 'w'],
            2 => ['file', $emu->dir . '/stderr.log', 'w'],
        ], $pipes);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start node-harness/bin/comet-emulator (is node installed?)');
        }
        $emu->process = $process;
        $emu->stdout = $pipes[1];
        register_shutdown_function(static function () use ($emu): void {
            $emu->kill();
        });
        $line = $emu->readLine(15.0);
        if (!preg_match('#^listening (https?)://(127\.0\.0\.1):(\d+)$#', trim($line), $m)) {
            $emu->kill();
            throw new \RuntimeException("comet-emulator did not start (first line \"{$line}\"): " . $emu->stderr());
        }
        $emu->host = $m[2];
        $emu->port = (int) $m[3];
        $emu->url = "{$m[1]}://{$m[2]}:{$m[3]}";
        return $emu;
    }

    /**
     * POSTs a JSON body to /__emulator/<route> (or GETs it when $body is null) and returns the
     * decoded answer. Routes: faults, faults/clear, latency, journal, journal/clear, reset, seed, stats.
     */
    public function control(string $route, ?array $body = []): array
    {
        [$status, $text] = $this->http('/__emulator/' . ltrim($route, '/'), $body === null ? null : json_encode($body ?: new \stdClass()), 'application/json');
        $decoded = json_decode($text, true);
        if ($status !== 200 || !is_array($decoded)) {
            throw new \RuntimeException("emulator control {$route}: HTTP {$status} {$text}");
        }
        return $decoded;
    }

    /** @return list<array<string, mixed>> every API request so far (secret parameters redacted) */
    public function journal(): array
    {
        $journal = $this->control('journal', null);
        return array_values($journal['journal'] ?? $journal);
    }

    /** The endpoints of the journal entries, in order. @return list<string> */
    public function endpoints(): array
    {
        return array_map(static fn (array $e): string => (string) $e['endpoint'], $this->journal());
    }

    /**
     * An admin API call straight to the emulator (for test setup and inspection), outside the journal's
     * point of view only in that it is journalled like any other request.
     *
     * @param array<string, string> $params
     * @return mixed the decoded JSON answer (arrays, or objects when $assoc is false)
     */
    public function api(string $endpoint, array $params = [], bool $assoc = true)
    {
        $params += ['Username' => $this->adminUsername, 'AuthType' => 'Password', 'Password' => $this->adminPassword];
        [$status, $text] = $this->http('/api/v1/admin/' . $endpoint, http_build_query($params), 'application/x-www-form-urlencoded');
        if ($status !== 200) {
            throw new \RuntimeException("emulator {$endpoint}: HTTP {$status}");
        }
        // $assoc false keeps empty JSON objects ({}) as objects, for a profile sent back unchanged.
        return json_decode($text, $assoc);
    }

    /** Stops the emulator (SIGTERM) and checks that it exited with status 0. */
    public function stop(): void
    {
        if ($this->process === null) {
            return;
        }
        $process = $this->process;
        $this->process = null;
        proc_terminate($process, SIGTERM);
        $status = self::waitExit($process, 10.0);
        if ($status === null) {
            proc_terminate($process, SIGKILL);
            self::waitExit($process, 5.0);
            $this->closePipes($process);
            throw new \RuntimeException('comet-emulator did not exit within 10 s of SIGTERM');
        }
        $this->closePipes($process);
        if ($status['signaled'] || $status['exitcode'] !== 0) {
            throw new \RuntimeException(sprintf('comet-emulator exited with status %d (signal %d): %s',
                $status['exitcode'], $status['signaled'] ? $status['termsig'] : 0, $this->stderr()));
        }
    }

    public function stderr(): string
    {
        return (string) @file_get_contents($this->dir . '/stderr.log');
    }

    /** Kills without checks (shutdown path). */
    private function kill(): void
    {
        if ($this->process !== null) {
            $process = $this->process;
            $this->process = null;
            proc_terminate($process, SIGTERM);
            if (self::waitExit($process, 5.0) === null) {
                proc_terminate($process, SIGKILL);
                self::waitExit($process, 2.0);
            }
            $this->closePipes($process);
        }
    }

    /** @param resource $process */
    private function closePipes($process): void
    {
        if (is_resource($this->stdout)) {
            fclose($this->stdout);
        }
        $this->stdout = null;
        proc_close($process);
    }

    /**
     * @param resource $process
     * @return array<string, mixed>|null the final proc_get_status(), or null on timeout
     */
    private static function waitExit($process, float $seconds): ?array
    {
        $deadline = microtime(true) + $seconds;
        do {
            $status = proc_get_status($process);
            if (!$status['running']) {
                return $status;
            }
            usleep(10000);
        } while (microtime(true) < $deadline);
        return null;
    }

    private function readLine(float $seconds): string
    {
        $deadline = microtime(true) + $seconds;
        $buffer = '';
        stream_set_blocking($this->stdout, false);
        while (microtime(true) < $deadline && !str_contains($buffer, "\n")) {
            $read = [$this->stdout];
            $write = $except = null;
            if (@stream_select($read, $write, $except, 0, 100000) > 0) {
                $chunk = fread($this->stdout, 4096);
                if ($chunk === '' || $chunk === false) {
                    if (feof($this->stdout)) {
                        break;
                    }
                    continue;
                }
                $buffer .= $chunk;
            }
        }
        return strtok($buffer, "\n") ?: $buffer;
    }

    /** @return array{0: int, 1: string} */
    private function http(string $path, ?string $body, string $contentType): array
    {
        $curl = curl_init($this->url . $path);
        $options = [
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_CONNECTTIMEOUT => 5,
            CURLOPT_TIMEOUT => 60,
        ];
        if ($body !== null) {
            $options[CURLOPT_POST] = true;
            $options[CURLOPT_POSTFIELDS] = $body;
            $options[CURLOPT_HTTPHEADER] = ['Content-Type: ' . $contentType];
        }
        if ($this->caFile !== null) {
            $options[CURLOPT_CAINFO] = $this->caFile;
        }
        curl_setopt_array($curl, $options);
        $text = curl_exec($curl);
        $status = (int) curl_getinfo($curl, CURLINFO_RESPONSE_CODE);
        $error = curl_error($curl);
        curl_close($curl);
        if ($text === false) {
            throw new \RuntimeException("emulator {$path}: {$error}");
        }
        return [$status, (string) $text];
    }
}
