<?php
// Debian's MariaDB server for the harness: a throwaway data directory under the system temp dir,
// socket only (--skip-networking), a database and a user with a random password. The system tables
// that mariadb-install-db writes are built once per machine and server version into a template
// directory (that takes seconds); each run copies the template (a fraction of a second).
// The server runs in its own process group under a small watchdog that stops it if this PHP
// process dies without running its shutdown functions.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

final class MariaDbServer
{
    private const WATCHDOG = <<<'SH'
parent=$1; scratch=$2; shift 2
"$@" &
child=$!
trap 'kill -TERM "$child" 2>/dev/null; wait "$child"; rc=$?; wait; exit $rc' TERM INT HUP
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 1 & wait $!; done
kill -TERM "$child" 2>/dev/null
wait "$child"; rc=$?; wait
# The PHP process died without its shutdown functions: clean up its scratch directory too.
kill -0 "$parent" 2>/dev/null || rm -rf "$scratch"
exit $rc
SH;

    /** @var resource */
    private $process;
    private int $pgid;
    private bool $stopped = false;

    private function __construct(
        private readonly string $dir,
        private readonly string $socket,
        private readonly string $database,
        private readonly string $user,
        private readonly string $password,
        private float $startupSeconds = 0.0,
    ) {
    }

    public static function start(): self
    {
        $begin = microtime(true);
        $mariadbd = self::findProgram('mariadbd');
        $template = self::template($mariadbd);
        $dir = Whmcs::scratchDir() . '/mariadb';
        mkdir($dir, 0700);
        self::runOrFail(['cp', '-a', $template, $dir . '/data']);
        $socket = $dir . '/mysqld.sock';
        $argv = array_merge(
            ['setsid', 'sh', '-c', self::WATCHDOG, 'cometprov-mariadb-watchdog', (string) getmypid(),
                Whmcs::scratchDir(), $mariadbd],
            self::serverOptions($dir . '/data'),
            [
                '--socket=' . $socket,
                '--skip-networking',
                '--pid-file=' . $dir . '/mysqld.pid',
                '--log-error=' . $dir . '/error.log',
                '--character-set-server=utf8mb4',
                '--collation-server=utf8mb4_unicode_ci',
            ]
        );
        $null = ['file', '/dev/null', 'a'];
        $process = proc_open($argv, [0 => ['file', '/dev/null', 'r'], 1 => $null, 2 => $null], $pipes);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start mariadbd');
        }
        $server = new self($dir, $socket, 'whmcs', 'whmcs', bin2hex(random_bytes(12)));
        $server->process = $process;
        $server->pgid = (int) proc_get_status($process)['pid'];
        try {
            $root = $server->waitForSocket(30.0);
            $root->exec('CREATE DATABASE `whmcs` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci');
            $root->exec("CREATE USER 'whmcs'@'localhost' IDENTIFIED BY " . $root->quote($server->password));
            $root->exec("GRANT ALL PRIVILEGES ON `whmcs`.* TO 'whmcs'@'localhost'");
        } catch (\Throwable $e) {
            $server->stop();
            throw $e;
        }
        $server->startupSeconds = microtime(true) - $begin;
        return $server;
    }

    public function startupSeconds(): float
    {
        return $this->startupSeconds;
    }

    /** @return array<string, mixed> */
    public function capsuleConfig(): array
    {
        return [
            'driver' => 'mysql',
            'unix_socket' => $this->socket,
            'database' => $this->database,
            'username' => $this->user,
            'password' => $this->password,
            'charset' => 'utf8mb4',
            'collation' => 'utf8mb4_unicode_ci',
            'prefix' => '',
            'strict' => true,
        ];
    }

    /** Stops the server (SIGTERM to its process group, SIGKILL after 20 s) and checks it ended. */
    public function stop(): void
    {
        if ($this->stopped) {
            return;
        }
        $this->stopped = true;
        $status = proc_get_status($this->process);
        $exit = $status['running'] ? null : $status;
        if ($status['running']) {
            posix_kill(-$this->pgid, SIGTERM);
        }
        $deadline = microtime(true) + 20.0;
        while (microtime(true) < $deadline) {
            if ($exit === null) {
                $s = proc_get_status($this->process);
                if (!$s['running']) {
                    $exit = $s;
                }
            }
            if ($exit !== null && !self::groupAlive($this->pgid)) {
                break;
            }
            usleep(20000);
        }
        if ($exit === null || self::groupAlive($this->pgid)) {
            posix_kill(-$this->pgid, SIGKILL);
            usleep(200000);
            proc_close($this->process);
            throw new \RuntimeException('mariadbd did not stop within 20 s after SIGTERM; killed its process group');
        }
        proc_close($this->process);
        if ($exit['signaled'] || $exit['exitcode'] !== 0) {
            throw new \RuntimeException(sprintf(
                'mariadbd ended badly (exit %d, signal %d): %s',
                $exit['exitcode'],
                $exit['signaled'] ? $exit['termsig'] : 0,
                $this->errorLogTail()
            ));
        }
        Whmcs::removeTree($this->dir);
    }

    private function waitForSocket(float $seconds): \PDO
    {
        $deadline = microtime(true) + $seconds;
        $last = '';
        while (microtime(true) < $deadline) {
            $status = proc_get_status($this->process);
            if (!$status['running']) {
                throw new \RuntimeException('mariadbd exited during start-up: ' . $this->errorLogTail());
            }
            if (file_exists($this->socket)) {
                try {
                    return new \PDO('mysql:unix_socket=' . $this->socket, 'root', '', [
                        \PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
                    ]);
                } catch (\PDOException $e) {
                    $last = $e->getMessage();
                }
            }
            usleep(20000);
        }
        throw new \RuntimeException("mariadbd did not accept connections within {$seconds} s ({$last}): "
            . $this->errorLogTail());
    }

    private function errorLogTail(): string
    {
        $log = @file_get_contents($this->dir . '/error.log');
        return $log === false ? '(no error log)' : substr($log, -2000);
    }

    /** @return list<string> */
    private static function serverOptions(string $datadir): array
    {
        $user = posix_getpwuid(posix_geteuid());
        return [
            '--no-defaults',
            '--datadir=' . $datadir,
            '--user=' . ($user['name'] ?? 'root'),
            '--innodb-buffer-pool-size=16M',
            '--innodb-log-file-size=4M',
            '--innodb-flush-log-at-trx-commit=0',
            '--innodb-doublewrite=0',
            '--skip-log-bin',
            '--skip-name-resolve',
        ];
    }

    /** The initialized data directory for this server version, built once (under a lock). */
    private static function template(string $mariadbd): string
    {
        [$code, $version] = self::run([$mariadbd, '--version']);
        if ($code !== 0) {
            throw new \RuntimeException("{$mariadbd} --version failed");
        }
        $key = substr(hash('sha256', $version . '|recipe=1'), 0, 12);
        $base = sys_get_temp_dir() . '/cometprov-mariadb-template-' . posix_geteuid() . '-' . $key;
        $ready = $base . '/.ready';
        if (is_file($ready)) {
            return $base . '/data';
        }
        $lock = fopen($base . '.lock', 'c');
        if ($lock === false || !flock($lock, LOCK_EX)) {
            throw new \RuntimeException("cannot lock {$base}.lock");
        }
        try {
            if (is_file($ready)) {
                return $base . '/data';
            }
            Whmcs::removeTree($base);
            mkdir($base, 0700);
            [$code, $out] = self::run(array_merge(
                [self::findProgram('mariadb-install-db')],
                self::serverOptions($base . '/data'),
                ['--auth-root-authentication-method=normal', '--skip-test-db']
            ));
            if ($code !== 0) {
                throw new \RuntimeException("mariadb-install-db failed (exit {$code}): " . substr($out, -2000));
            }
            touch($ready);
            return $base . '/data';
        } finally {
            flock($lock, LOCK_UN);
            fclose($lock);
        }
    }

    private static function findProgram(string $name): string
    {
        $dirs = explode(':', (string) getenv('PATH'));
        // Debian installs the server daemon in sbin, which is not on every user's PATH.
        array_push($dirs, '/usr/sbin', '/usr/local/sbin', '/usr/bin');
        foreach ($dirs as $dir) {
            if ($dir !== '' && is_file("{$dir}/{$name}") && is_executable("{$dir}/{$name}")) {
                return "{$dir}/{$name}";
            }
        }
        throw new \RuntimeException("{$name} not found: install Debian's mariadb-server");
    }

    private static function groupAlive(int $pgid): bool
    {
        return posix_kill(-$pgid, 0);
    }

    /**
     * @param list<string> $argv
     * @return array{0: int, 1: string}
     */
    private static function run(array $argv): array
    {
        $process = proc_open($argv, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => ['redirect', 1]], $pipes);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot run ' . $argv[0]);
        }
        $out = (string) stream_get_contents($pipes[1]);
        fclose($pipes[1]);
        return [proc_close($process), $out];
    }

    /** @param list<string> $argv */
    private static function runOrFail(array $argv): void
    {
        [$code, $out] = self::run($argv);
        if ($code !== 0) {
            throw new \RuntimeException(implode(' ', $argv) . " failed (exit {$code}): {$out}");
        }
    }
}
