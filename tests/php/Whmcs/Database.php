<?php
// The harness database behind WHMCS\Database\Capsule: a real MariaDB server started once per PHP
// process (lazily, on first use) in a throwaway data directory, or SQLite for `make demo`.
//
//   Database::start();            // 'mariadb' unless COMETPROV_TEST_DB=sqlite; idempotent
//   Schema::create();             // idempotent
//   Database::reset();            // empties every table (between tests)
//
// A child PHP process reuses the parent's database: pass Database::childEnv() to it and call
// Database::start() there (COMETPROV_HARNESS_DB names the connection).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

use WHMCS\Database\Capsule;

final class Database
{
    private static ?string $driver = null;
    /** @var array<string, mixed>|null */
    private static ?array $config = null;
    private static ?MariaDbServer $server = null;
    private static bool $schemaReady = false;
    private static ?string $sqliteFile = null;

    public static function start(string $driver = 'mariadb'): void
    {
        $attach = getenv('COMETPROV_HARNESS_DB');
        if (is_string($attach) && $attach !== '' && self::$driver === null) {
            $spec = json_decode($attach, true);
            if (!is_array($spec) || !isset($spec['driver'], $spec['config']) || !is_array($spec['config'])) {
                throw new \RuntimeException('COMETPROV_HARNESS_DB is not a harness connection description');
            }
            self::boot((string) $spec['driver'], $spec['config']);
            return;
        }
        if ($driver === 'mariadb' && getenv('COMETPROV_TEST_DB') === 'sqlite') {
            $driver = 'sqlite';
        }
        if (self::$driver === $driver) {
            return;
        }
        if ($driver === 'mariadb') {
            if (self::$server === null) {
                self::$server = MariaDbServer::start();
                register_shutdown_function([self::class, 'stop']);
            }
            self::boot('mariadb', self::$server->capsuleConfig());
        } elseif ($driver === 'sqlite') {
            if (self::$sqliteFile === null) {
                self::$sqliteFile = Whmcs::scratchDir() . '/harness.sqlite';
                touch(self::$sqliteFile);
            }
            self::boot('sqlite', [
                'driver' => 'sqlite',
                'database' => self::$sqliteFile,
                'prefix' => '',
                'foreign_key_constraints' => false,
            ]);
        } else {
            throw new \InvalidArgumentException("unknown harness database driver '{$driver}' (mariadb or sqlite)");
        }
    }

    /** @param array<string, mixed> $config */
    private static function boot(string $driver, array $config): void
    {
        $capsule = new Capsule();
        $capsule->addConnection($config);
        $capsule->setAsGlobal();
        $capsule->bootEloquent();
        self::$driver = $driver;
        self::$config = $config;
        self::$schemaReady = false;
        // Fail here, not in the first test, when the server is unusable.
        Capsule::connection()->getPdo();
        if ($driver === 'sqlite') {
            // A scratch file: durability does not matter, speed does (make demo).
            Capsule::statement('PRAGMA synchronous = OFF');
            Capsule::statement('PRAGMA journal_mode = MEMORY');
        }
    }

    /** 'mariadb', 'sqlite' or null before start(). */
    public static function driver(): ?string
    {
        return self::$driver;
    }

    public static function isReady(): bool
    {
        return self::$driver !== null && self::$schemaReady;
    }

    /** @internal Schema::create() marks the schema present. */
    public static function markSchemaReady(): void
    {
        self::$schemaReady = true;
    }

    /** Seconds the MariaDB server took to start in this process (null when none was started here). */
    public static function startupSeconds(): ?float
    {
        return self::$server === null ? null : self::$server->startupSeconds();
    }

    /** Environment for a child PHP process that should use this same database. */
    public static function childEnv(): array
    {
        if (self::$driver === null || self::$config === null) {
            throw new \LogicException('Database::start() first');
        }
        return ['COMETPROV_HARNESS_DB' => json_encode(['driver' => self::$driver, 'config' => self::$config])];
    }

    /** @return list<string> */
    public static function tables(): array
    {
        if (self::$driver === 'sqlite') {
            $rows = Capsule::select("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
            return array_map(static fn ($r): string => (string) $r->name, $rows);
        }
        $rows = Capsule::select('SHOW TABLES');
        return array_map(static fn ($r): string => (string) array_values((array) $r)[0], $rows);
    }

    /** Empties every table of the harness database, module-created ones included. */
    public static function reset(): void
    {
        if (self::$driver === null) {
            return;
        }
        $tables = self::tables();
        if ($tables === []) {
            return;
        }
        if (self::$driver === 'sqlite') {
            foreach ($tables as $table) {
                Capsule::statement('DELETE FROM "' . $table . '"');
            }
            $hasSequence = Capsule::select("SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'");
            if ($hasSequence !== []) {
                Capsule::statement('DELETE FROM sqlite_sequence');
            }
            return;
        }
        // DELETE (TRUNCATE recreates the table, ten times slower), and only where rows exist.
        $probe = implode(' UNION ALL ', array_map(
            static fn (string $t): string => "SELECT '{$t}' AS t, EXISTS(SELECT 1 FROM `{$t}`) AS n",
            $tables
        ));
        foreach (Capsule::select($probe) as $row) {
            if ((int) $row->n === 1) {
                Capsule::statement('DELETE FROM `' . $row->t . '`');
            }
        }
    }

    /** Stops the MariaDB server this process started (also run at shutdown). */
    public static function stop(): void
    {
        if (self::$server !== null) {
            $server = self::$server;
            self::$server = null;
            if (self::$driver === 'mariadb') {
                Capsule::connection()->disconnect();
                self::$driver = null;
                self::$schemaReady = false;
            }
            $server->stop();
        }
    }
}
