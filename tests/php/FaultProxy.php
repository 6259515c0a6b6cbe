<?php
// The refusing proxy of FaultProxyServer.php as a child process: start() in front of an emulator,
// refuse(k) to refuse the connection of the k-th next request, open() to listen again, stop() to
// end it (exit code and signal checked).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

final class FaultProxy
{
    public int $port = 0;
    private int $controlPort = 0;
    /** @var resource|null */
    private $process = null;
    /** @var array<int, resource> */
    private array $pipes = [];

    public static function start(string $upstream): self
    {
        $proxy = new self();
        $process = proc_open([PHP_BINARY, __DIR__ . '/FaultProxyServer.php', $upstream],
            [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start FaultProxyServer.php');
        }
        $proxy->process = $process;
        $proxy->pipes = $pipes;
        register_shutdown_function(static function () use ($proxy): void {
            if ($proxy->process !== null) {
                proc_terminate($proxy->process, SIGKILL);
                proc_close($proxy->process);
                $proxy->process = null;
            }
        });
        $read = [$pipes[1]];
        $w = $e = null;
        $line = '';
        if (stream_select($read, $w, $e, 10) > 0) {
            $line = (string) fgets($pipes[1]);
        }
        if (preg_match('/^listening (\d+) control (\d+)$/', trim($line), $m) !== 1) {
            $err = stream_get_contents($pipes[2]);
            throw new \RuntimeException("FaultProxyServer.php did not start: \"{$line}\" {$err}");
        }
        $proxy->port = (int) $m[1];
        $proxy->controlPort = (int) $m[2];
        return $proxy;
    }

    /** Refuse the connection of the k-th next request (0 = the next one). */
    public function refuse(int $k): void
    {
        $this->command("refuse {$k}");
    }

    public function open(): void
    {
        $this->command('open');
    }

    public function forwarded(): int
    {
        return (int) $this->command('count');
    }

    /** Ends the proxy and checks it exited with status 0 and no signal. */
    public function stop(): void
    {
        if ($this->process === null) {
            return;
        }
        $this->command('quit');
        $deadline = microtime(true) + 10;
        do {
            $status = proc_get_status($this->process);
            if (!$status['running']) {
                break;
            }
            usleep(10000);
        } while (microtime(true) < $deadline);
        $stderr = stream_get_contents($this->pipes[2]);
        foreach ($this->pipes as $pipe) {
            fclose($pipe);
        }
        $process = $this->process;
        $this->process = null;
        if ($status['running']) {
            proc_terminate($process, SIGKILL);
            proc_close($process);
            throw new \RuntimeException('FaultProxyServer.php did not exit');
        }
        proc_close($process);
        if ($status['signaled'] || $status['exitcode'] !== 0) {
            throw new \RuntimeException(sprintf('FaultProxyServer.php exited %d (signal %d): %s',
                $status['exitcode'], $status['signaled'] ? $status['termsig'] : 0, $stderr));
        }
    }

    private function command(string $line): string
    {
        $conn = @stream_socket_client('tcp://127.0.0.1:' . $this->controlPort, $errno, $errstr, 5);
        if ($conn === false) {
            throw new \RuntimeException("FaultProxy control: {$errstr}");
        }
        stream_set_timeout($conn, 10);
        fwrite($conn, $line . "\n");
        $answer = trim((string) fgets($conn));
        fclose($conn);
        if ($answer === '' || $answer === 'unknown command') {
            throw new \RuntimeException("FaultProxy control \"{$line}\": \"{$answer}\"");
        }
        return $answer;
    }
}
