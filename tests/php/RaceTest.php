<?php
// Races between PHP processes (issue 10, section 2): two real PHP processes (FaultRaceChild.php)
// load the module and its core, wait at a start line, and call one entry point each at the same
// moment against one emulator (with a little latency so their requests interleave) and one MariaDB.
// Every race runs several times; each child's exit code and signal are checked; the outcomes are
// printed at the end of the run.
//
// (a) two CreateAccount for two services that derive the same username: two distinct Comet users,
//     or one success and one clear error; never one account shared by two services.
// (b) two ChangePackage on one profile with different quotas: one of the two sets applied whole.
// (c) Suspend racing Unsuspend: the Comet state matches the last state WHMCS recorded, or a clear
//     error.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

require_once __DIR__ . '/ModuleTestCase.php';

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;
use WHMCS\Module\Server\CometBackup\Whmcs\Settings;

final class RaceTest extends ModuleTestCase
{
    private const RUNS = 5;
    private const GIB = 1073741824;
    private const PROVIDER = '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701';
    /** Per-request latency of the emulator: wide enough for the two processes' requests to interleave. */
    private const LATENCY_MS = 25;

    /** @var array<string, array<string, int>> race => outcome => runs */
    private static array $outcomes = [];

    private ?Emulator $emu = null;
    private int $n = 0;
    /** Whether the last race's two calls overlapped in time. */
    private bool $overlapped = false;

    /** The outcomes of every run, on stderr (outside any test, so PHPUnit's output check is not involved). */
    public static function tearDownAfterClass(): void
    {
        if (self::$outcomes !== []) {
            fwrite(STDERR, "\n");
        }
        foreach (self::$outcomes as $race => $counts) {
            ksort($counts);
            fwrite(STDERR, "race {$race}: " . implode(', ', array_map(
                static fn (string $k, int $v): string => "{$v}x {$k}",
                array_keys($counts),
                $counts
            )) . "\n");
        }
        parent::tearDownAfterClass();
    }

    /** (a) One client orders two plans: both services derive the client's e-mail address as username. */
    public function testTwoCreatesThatDeriveTheSameUsername(): void
    {
        $this->emu = $this->emulator(['latency' => self::LATENCY_MS]);
        $server = Fixtures::serverFor($this->emu);
        for ($run = 0; $run < self::RUNS; $run++) {
            $pid = $this->product('Race plan ' . $run);
            $email = 'race' . $run . 'x' . bin2hex(random_bytes(2)) . '@example.com';
            $client = Fixtures::client(['email' => $email]);
            $services = [];
            foreach ([0, 1] as $k) {
                $services[$k] = Fixtures::service($client, $pid, $server, ['password' => 'Race-pass-' . bin2hex(random_bytes(5))]);
                $this->quotas($services[$k], [3, 10, 20]);
            }
            $before = $this->users();
            [$r0, $r1] = $this->race([
                ['function' => 'CreateAccount', 'service' => $services[0]],
                ['function' => 'CreateAccount', 'service' => $services[1], 'delayMs' => $run * 7],
            ]);
            $added = array_values(array_diff($this->users(), $before));
            $ok = array_keys(array_filter([$r0, $r1], static fn ($r) => $r === 'success'));
            foreach ([$r0, $r1] as $k => $r) {
                if ($r !== 'success') {
                    self::assertIsString($r);
                    self::assertStringStartsWith('Comet Backup Create failed:', $r, 'a clear error');
                    self::assertSame('Pending', $this->hosting($services[$k])->domainstatus);
                }
            }
            self::assertNotSame([], $ok, 'at least one Create succeeds: ' . json_encode([$r0, $r1]));
            $names = [];
            foreach ($ok as $k) {
                $row = $this->hosting($services[$k]);
                $name = (string) $row->username;
                self::assertNotSame('', $name);
                self::assertSame('Active', $row->domainstatus);
                $profile = $this->profile($this->emu, $name);
                self::assertNotNull($profile, "service {$services[$k]}'s account {$name} exists");
                self::assertSame($profile['CreationGUID'], (string) $this->stored($services[$k])->marker,
                    "service {$services[$k]}'s marker is its own account's CreationGUID");
                self::assertSame('', (string) $this->stored($services[$k])->claim_username);
                self::assertSame($pid === 0 ? '' : 'WHMCS_' . Settings::installId() . '_P' . $pid, $profile['PolicyID']);
                self::assertCount(1, $profile['Destinations'], 'one vault');
                $names[] = $name;
            }
            self::assertSame(count($names), count(array_unique($names)), 'two services never share one Comet account: ' . json_encode($names));
            sort($names);
            sort($added);
            self::assertSame($names, $added, 'exactly one new Comet account per successful service, none left over');
            self::assertTrue($this->overlapped, 'the two Creates did not overlap');
            self::record('a: two Creates, same derived username', count($ok) === 2 ? 'two distinct accounts' : 'one success, one clear error');
        }
    }

    /** (b) Two Change Package calls with different quotas on one profile. */
    public function testTwoChangePackagesOnOneProfile(): void
    {
        $this->emu = $this->emulator(['latency' => self::LATENCY_MS]);
        $server = Fixtures::serverFor($this->emu);
        $sets = [
            [7, 40, 70],
            [9, 60, 90],
        ];
        for ($run = 0; $run < self::RUNS; $run++) {
            $service = $this->createdService($server, $run);
            $username = (string) $this->hosting($service)->username;
            $this->emu->control('journal/clear');
            $calls = [];
            foreach ($sets as $k => $set) {
                $calls[] = ['function' => 'ChangePackage', 'service' => $service, 'delayMs' => $k * $run * 7, 'overrides' => ['configoptions' => [
                    'number_of_devices' => $set[0], 'storage_vault_quota_gb' => $set[1], 'protected_item_quota_gb' => $set[2],
                ]]];
            }
            $results = $this->race($calls);
            $conflicts = count(array_filter($this->emu->journal(), static fn (array $e): bool => $e['endpoint'] === 'set-user-profile-hash' && $e['outcome'] === 'error:409'));
            foreach ($results as $r) {
                self::assertIsString($r);
                self::assertTrue($r === 'success' || str_starts_with($r, 'Comet Backup Change Package failed:'), "a clear result: {$r}");
            }
            $profile = $this->profile($this->emu, $username);
            $vaults = array_values($profile['Destinations']);
            self::assertCount(1, $vaults);
            $applied = [$profile['MaximumDevices'], intdiv((int) $vaults[0]['StorageLimitBytes'], self::GIB), intdiv((int) $profile['AllProtectedItemsQuotaBytes'], self::GIB)];
            self::assertContains($applied, $sets, 'one of the two quota sets, whole (not mixed): ' . json_encode($applied));
            $winner = array_search($applied, $sets, true);
            if ($results[$winner] !== 'success') {
                self::fail('the applied quota set belongs to the call that failed: ' . json_encode($results));
            }
            self::assertSame([$username], array_values(array_filter($this->users(), static fn ($u) => $u === $username)));
            self::assertTrue($this->overlapped, 'the two Change Package calls did not overlap');
            self::record('b: two ChangePackage on one profile', sprintf('%s; %d hash conflict(s) retried; set %d applied',
                implode('+', array_map(static fn ($r) => $r === 'success' ? 'success' : 'error', $results)), $conflicts, $winner + 1));
        }
    }

    /** (c) Suspend and Unsuspend of one service at once, from both starting states. */
    public function testSuspendRacingUnsuspend(): void
    {
        $this->emu = $this->emulator(['latency' => self::LATENCY_MS]);
        $server = Fixtures::serverFor($this->emu);
        for ($run = 0; $run < self::RUNS * 2; $run++) {
            $service = $this->createdService($server, $run);
            $username = (string) $this->hosting($service)->username;
            $startSuspended = $run % 2 === 1;
            if ($startSuspended) {
                self::assertSame('success', $this->call('SuspendAccount', $service));
            }
            $this->emu->control('journal/clear');
            [$suspend, $unsuspend] = $this->race([
                ['function' => 'SuspendAccount', 'service' => $service, 'overrides' => ['suspendreason' => 'Race']],
                ['function' => 'UnsuspendAccount', 'service' => $service, 'delayMs' => intdiv($run, 2) * 12],
            ]);
            foreach (['Suspend' => $suspend, 'Unsuspend' => $unsuspend] as $label => $r) {
                self::assertIsString($r);
                self::assertTrue($r === 'success' || str_starts_with($r, "Comet Backup {$label} failed:"), "a clear result: {$r}");
            }
            $status = $this->hosting($service)->domainstatus;
            $suspended = $this->profile($this->emu, $username)['IsSuspended'];
            self::assertSame($status === 'Suspended', $suspended,
                "Comet IsSuspended " . json_encode($suspended) . " but WHMCS last recorded {$status} (" . json_encode([$suspend, $unsuspend]) . ')');
            $conflicts = count(array_filter($this->emu->journal(), static fn (array $e): bool => $e['endpoint'] === 'set-user-profile-hash' && $e['outcome'] === 'error:409'));
            self::record('c: Suspend racing Unsuspend', sprintf('from %s, Unsuspend %d ms later (%s): %s/%s, %d hash conflict(s), ends %s in both',
                $startSuspended ? 'Suspended' : 'Active', intdiv($run, 2) * 12, $this->overlapped ? 'overlapping' : 'one after the other', $suspend === 'success' ? 'success' : 'error',
                $unsuspend === 'success' ? 'success' : 'error', $conflicts, $status));
        }
        self::assertSame([], Secrets::scan([$this->emu->adminPassword]));
    }

    // ---- Helpers ------------------------------------------------------------------------------

    /**
     * Starts one FaultRaceChild.php per call, waits until all are ready, releases them together,
     * and returns their results in order. Exit codes, signals and contract violations are checked.
     *
     * @param list<array<string, mixed>> $calls
     * @return list<mixed>
     */
    private function race(array $calls): array
    {
        $env = array_merge(getenv(), Database::childEnv());
        $children = [];
        foreach ($calls as $call) {
            $job = json_encode($call + ['core' => self::coreConfig(), 'clientOptions' => ['connectTimeout' => 5, 'timeout' => 20]]);
            $process = proc_open([PHP_BINARY, '-d', 'ffi.enable=1', __DIR__ . '/FaultRaceChild.php', $job],
                [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
            self::assertIsResource($process);
            $children[] = ['process' => $process, 'pipes' => $pipes];
        }
        foreach ($children as $i => $child) {
            $line = $this->readLine($child['pipes'][1], 30.0);
            if ($line !== 'ready') {
                // Stop every child first (reading a live child's stderr would wait for ever).
                foreach ($children as $c) {
                    proc_terminate($c['process'], SIGKILL);
                }
                $stderr = (string) stream_get_contents($child['pipes'][2]);
                foreach ($children as $c) {
                    proc_close($c['process']);
                }
                self::fail("race child {$i} did not get ready (\"{$line}\"): {$stderr}");
            }
        }
        foreach ($children as $child) {
            fwrite($child['pipes'][0], "go\n");
        }
        foreach ($children as $child) {
            fclose($child['pipes'][0]);
        }
        $results = [];
        $spans = [];
        foreach ($children as $i => $child) {
            $stdout = (string) stream_get_contents($child['pipes'][1]);
            $stderr = (string) stream_get_contents($child['pipes'][2]);
            fclose($child['pipes'][1]);
            fclose($child['pipes'][2]);
            $status = self::wait($child['process']);
            self::assertFalse($status['signaled'], "child {$i} was killed by signal {$status['termsig']}: {$stderr}");
            self::assertSame(0, $status['exitcode'], "child {$i} exited with {$status['exitcode']}: {$stderr}");
            self::assertSame('', $stderr, "child {$i} wrote to stderr");
            $report = json_decode(trim($stdout), true);
            self::assertIsArray($report, "child {$i} printed no report: {$stdout}");
            self::assertSame([], $report['violations'], "child {$i} broke the WHMCS contract");
            $results[] = $report['result'];
            $spans[] = [$report['started'], $report['finished']];
        }
        // Released together, the calls really overlap: each starts before the other finishes
        // (a staggered start may legitimately begin after a short no-op call has ended).
        $this->overlapped = $spans[0][0] < $spans[1][1] && $spans[1][0] < $spans[0][1];
        if (max(array_map(static fn (array $c): int => (int) ($c['delayMs'] ?? 0), $calls)) === 0) {
            self::assertTrue($this->overlapped, 'the two calls did not overlap: ' . json_encode($spans));
        }
        return $results;
    }

    /** @param resource $process @return array<string, mixed> */
    private static function wait($process): array
    {
        $deadline = microtime(true) + 60;
        do {
            $status = proc_get_status($process);
            if (!$status['running']) {
                proc_close($process);
                return $status;
            }
            usleep(5000);
        } while (microtime(true) < $deadline);
        proc_terminate($process, SIGKILL);
        proc_close($process);
        self::fail('a race child did not finish within 60 s');
    }

    /** @param resource $pipe */
    private function readLine($pipe, float $seconds): string
    {
        $read = [$pipe];
        $w = $e = null;
        if (stream_select($read, $w, $e, (int) $seconds) < 1) {
            return '';
        }
        return trim((string) fgets($pipe));
    }

    private function product(string $name): int
    {
        $pid = Fixtures::product(['name' => $name, 'configoption2' => self::PROVIDER]);
        Capsule::table('tblproducts')->where('id', $pid)->update(['configoption1' => 'WHMCS_' . Settings::installId() . '_P' . $pid]);
        Fixtures::customField($pid, 'Username');
        Fixtures::customField($pid, 'Password');
        return $pid;
    }

    /** @param array{0: int, 1: int, 2: int} $quota */
    private function quotas(int $serviceId, array $quota): void
    {
        Fixtures::configOption($serviceId, 'number_of_devices|Devices', $quota[0]);
        Fixtures::configOption($serviceId, 'storage_vault_quota_gb|Storage (GB)', $quota[1]);
        Fixtures::configOption($serviceId, 'protected_item_quota_gb|Protected data (GB)', $quota[2]);
    }

    private function createdService(int $server, int $run): int
    {
        $pid = $this->product('Race plan ' . (++$this->n));
        $client = Fixtures::client(['email' => 'racer' . $this->n . 'x' . bin2hex(random_bytes(2)) . '@example.com']);
        $service = Fixtures::service($client, $pid, $server, ['password' => 'Race-pass-' . bin2hex(random_bytes(5))]);
        $this->quotas($service, [3, 10, 20]);
        self::assertSame('success', $this->call('CreateAccount', $service), 'setup: Create');
        return $service;
    }

    /** @return list<string> */
    private function users(): array
    {
        $users = array_map('strval', (array) $this->emu->api('list-users'));
        sort($users);
        return $users;
    }

    private static function record(string $race, string $outcome): void
    {
        self::$outcomes[$race][$outcome] = (self::$outcomes[$race][$outcome] ?? 0) + 1;
    }
}
