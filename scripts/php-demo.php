<?php
// `make demo`: a service's whole life through the PHP module (whmcs-module/.../cometbackup.php),
// called the way WHMCS calls it, against the Comet Server emulator on a free loopback port, on the
// harness's WHMCS tables in SQLite (through the same Illuminate Capsule the tests use on MariaDB).
// Prints each step readably; stops everything it started; exits non-zero if any step failed.
//
// Needs: build-wasm/cometprov.wasm (or $COMETPROV_WASM) and the runtime library
// (scripts/build-runtime.sh), Debian's php-sqlite3, php-illuminate-database, smarty4, node.

declare(strict_types=1);

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\ContractViolation;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Emulator;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Fixtures;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Params;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Recorder;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Schema;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Secrets;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Templates;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

// WHMCS runs the module with ffi.enable=1 (php.ini); the CLI default is "preload", which the module
// refuses. ffi.enable cannot be changed at run time, so start again with it set.
if (extension_loaded('ffi') && ini_get('ffi.enable') !== '1' && getenv('COMETPROV_DEMO_REEXEC') === false) {
    putenv('COMETPROV_DEMO_REEXEC=1');
    pcntl_exec(PHP_BINARY, array_merge(['-d', 'ffi.enable=1', __FILE__], array_slice($argv, 1)));
    fwrite(STDERR, "demo: cannot restart PHP with ffi.enable=1\n");
    exit(1);
}

require dirname(__DIR__) . '/tests/php/Whmcs/harness.php';

if (getenv('COMETPROV_WASM') === false) {
    putenv('COMETPROV_WASM=' . dirname(__DIR__) . '/build-wasm/cometprov.wasm');
}

final class Demo
{
    private int $failures = 0;
    private int $journalSeen = 0;
    private int $activitySeen = 0;

    public function __construct(private Emulator $emu)
    {
    }

    public function title(string $text): void
    {
        echo "\n== {$text}\n";
    }

    /** @return list<array<string, mixed>> the emulator journal entries since the last call */
    private function takeJournal(): array
    {
        $journal = $this->emu->journal();
        $new = array_slice($journal, $this->journalSeen);
        $this->journalSeen = count($journal);
        return $new;
    }

    /** Marks the demo's own reads of the Comet Server as seen, so no step is charged for them. */
    public function skipOwnRequests(): void
    {
        $this->takeJournal();
    }

    public function line(string $text): void
    {
        foreach (explode("\n", $text) as $l) {
            echo "   {$l}\n";
        }
    }

    /** Runs one module call, prints its outcome and the Comet API calls and log lines it caused. */
    public function step(string $title, callable $call, callable $ok, ?callable $describe = null): mixed
    {
        $this->title($title);
        $result = null;
        $new = [];
        try {
            $result = $call();
            // The module's own requests, taken before the check below reads Comet itself.
            $new = $this->takeJournal();
            $good = (bool) $ok($result);
            $this->line(($good ? 'ok: ' : 'FAILED: ') . ($describe !== null && $good ? $describe($result) : self::describe($result)));
            if (!$good) {
                $this->failures++;
            }
        } catch (ContractViolation $e) {
            $this->failures++;
            $this->line('FAILED (WHMCS contract): ' . $e->getMessage());
        } catch (\Throwable $e) {
            $this->failures++;
            $this->line('FAILED: ' . get_class($e) . ': ' . $e->getMessage());
        }
        if ($result === null && $new === []) {
            $new = $this->takeJournal();
        }
        $this->takeJournal();  // the demo's own checks are not the module's requests
        if ($new !== []) {
            $this->line('Comet API: ' . implode(', ', array_map(
                static fn (array $e): string => $e['endpoint'] . ($e['outcome'] === 'ok' ? '' : " ({$e['outcome']})"),
                $new
            )));
        }
        $activity = Recorder::activity();
        foreach (array_slice($activity, $this->activitySeen) as $entry) {
            $this->line('activity log: ' . $entry['message']);
        }
        $this->activitySeen = count($activity);
        return $result;
    }

    public function failures(): int
    {
        return $this->failures;
    }

    private static function describe(mixed $result): string
    {
        if (is_string($result)) {
            return $result;
        }
        $json = json_encode($result, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PARTIAL_OUTPUT_ON_ERROR);
        return strlen((string) $json) > 700 ? substr((string) $json, 0, 697) . '...' : (string) $json;
    }
}

function service(int $sid): object
{
    return Capsule::table('tblhosting')->where('id', $sid)->first();
}

$emu = null;
$exit = 1;
try {
    $started = microtime(true);
    Database::start('sqlite');
    Schema::create();
    $emu = Emulator::start(['mode' => 'modern']);
    $demo = new Demo($emu);
    echo "Comet Backup for WHMCS: a service's life through the PHP module\n";
    echo "Comet Server emulator at {$emu->url}; WHMCS tables in SQLite; module folder " . realpath(Whmcs::moduleDir()) . "\n";

    Fixtures::setting('SystemURL', 'https://billing.example.test/');
    $serverId = Fixtures::serverFor($emu, ['name' => 'Comet (emulator)']);
    $pid = Fixtures::product(['name' => 'Backup 100 GB']);
    Fixtures::customField($pid, 'Username');
    Fixtures::customField($pid, 'Password');
    $clientId = Fixtures::client(['firstname' => 'Ada', 'lastname' => 'Lovelace', 'email' => 'ada.lovelace@example.test']);
    $servicePassword = 'Demo-' . bin2hex(random_bytes(6));
    $sid = Fixtures::service($clientId, $pid, $serverId, ['password' => $servicePassword]);
    $serverParams = Params::forServer($serverId);

    $demo->step('Test Connection', static fn () => Whmcs::call('TestConnection', $serverParams),
        static fn ($r) => is_array($r) && $r['success'] === true);
    if ($demo->failures() > 0) {
        throw new RuntimeException('Test Connection failed, so nothing else can work; see the message above.');
    }

    $_REQUEST['id'] = (string) $pid;   // the product page the loaders are called from
    $policies = $demo->step('Loader: policy groups (product settings)', static fn () => Whmcs::loader('LoadPolicies', $serverParams),
        static fn ($r) => is_array($r) && count($r) > 1);
    $providers = $demo->step('Loader: storage vault providers', static fn () => Whmcs::loader('LoadStorageProviders', $serverParams),
        static fn ($r) => is_array($r) && count($r) > 1);
    unset($_REQUEST['id']);
    $policy = (string) (array_keys(array_filter((array) $policies, static fn ($label) => str_contains((string) $label, '[Create New Policy Group]')))[0] ?? '');
    $provider = (string) (array_keys(array_filter((array) $providers, static fn ($label, $id) => $id !== '', ARRAY_FILTER_USE_BOTH))[0] ?? '');
    Capsule::table('tblproducts')->where('id', $pid)->update(['configoption1' => $policy, 'configoption2' => $provider]);
    Fixtures::configOption($sid, 'number_of_devices|Devices', 3);
    Fixtures::configOption($sid, 'storage_vault_quota_gb|Storage (GB)', 100);
    $demo->line("product settings: policy group '{$policy}', initial vault '{$provider}'; options: 3 devices, 100 GB");

    $demo->step('Create Account', static fn () => Whmcs::call('CreateAccount', Params::forService($sid)),
        static fn ($r) => $r === 'success' && service($sid)->domainstatus === 'Active');
    $username = (string) service($sid)->username;
    if ($demo->failures() > 0 || $username === '') {
        throw new RuntimeException('Create Account failed; the remaining steps need the account.');
    }
    $demo->line("tblhosting: username '{$username}', status " . service($sid)->domainstatus);
    $profile = $emu->api('get-user-profile', ['TargetUser' => $username]);
    if (is_array($profile) && isset($profile['Username'])) {
        $demo->line(sprintf('Comet profile: %d device(s) allowed, policy %s, %d storage vault(s)',
            $profile['MaximumDevices'] ?? 0, $profile['PolicyID'] ?? '-', count($profile['Destinations'] ?? [])));
        // Some activity for the client area: a finished and a running backup job, one device online.
        $now = time();
        $emu->control('seed', [
            'jobs' => [
                ['Username' => $username, 'Classification' => 4001, 'Status' => 5000, 'StartTime' => $now - 7200,
                 'EndTime' => $now - 6900, 'TotalSize' => 5368709120, 'DeviceID' => 'demo-laptop'],
                ['Username' => $username, 'Classification' => 4001, 'Status' => 6001, 'StartTime' => $now - 60,
                 'EndTime' => 0, 'DeviceID' => 'demo-laptop'],
            ],
            'liveConnections' => ['demo-live' => ['Username' => $username, 'DeviceID' => 'demo-laptop',
                'ReportedPlatform' => 'windows', 'IPAddress' => '192.0.2.10', 'ConnectionTime' => $now - 600]],
        ]);
    }
    $demo->skipOwnRequests();

    $demo->step('Suspend', static fn () => Whmcs::call('SuspendAccount', Params::forService($sid, ['suspendreason' => 'Overdue on payment'])),
        static fn ($r) => $r === 'success' && service($sid)->domainstatus === 'Suspended');
    $demo->step('Unsuspend', static fn () => Whmcs::call('UnsuspendAccount', Params::forService($sid)),
        static fn ($r) => $r === 'success' && service($sid)->domainstatus === 'Active');

    Fixtures::configOption($sid, 'number_of_devices|Devices', 5);
    $demo->step('Change Package (5 devices)', static fn () => Whmcs::call('ChangePackage', Params::forService($sid)),
        static fn ($r) => $r === 'success'
            && ($emu->api('get-user-profile', ['TargetUser' => $username])['MaximumDevices'] ?? null) === 5);

    $newPassword = 'Chg-' . bin2hex(random_bytes(6));
    $demo->step('Change Password', static fn () => Whmcs::call('ChangePassword', Params::forService($sid, ['password' => $newPassword])),
        static fn ($r) => $r === 'success' && Params::forService($sid)['password'] === $newPassword);

    $demo->step('Usage Update (daily cron)', static fn () => Whmcs::call('UsageUpdate', $serverParams, 'cron'),
        static fn ($r) => service($sid)->lastupdate !== null);
    $row = service($sid);
    $demo->line("tblhosting: disk usage {$row->diskusage} MB of {$row->disklimit} MB (0 = unlimited), updated {$row->lastupdate}");

    $area = $demo->step('Client area', static fn () => Whmcs::call('ClientArea', Params::forService($sid), 'client'),
        static fn ($r) => is_array($r) && isset($r['templatefile']),
        static fn ($r) => "template {$r['templatefile']} with " . count($r['vars'] ?? $r['templateVariables'] ?? []) . ' variable(s)');
    if (is_array($area) && isset($area['templatefile'])) {
        $text = Templates::toText(Templates::render($area['templatefile'], $area['vars'] ?? $area['templateVariables'] ?? []));
        $demo->line("rendered with Smarty, as text:\n" . preg_replace('/^/m', '  | ', $text));
    }

    $demo->step('Single sign-on (customer)', static fn () => Whmcs::call('ServiceSingleSignOn', Params::forService($sid), 'client'),
        static fn ($r) => is_array($r) && $r['success'] === true);

    $demo->step('Terminate', static fn () => Whmcs::call('TerminateAccount', Params::forService($sid)),
        static fn ($r) => $r === 'success' && service($sid)->domainstatus === 'Terminated'
            && !isset($emu->api('get-user-profile', ['TargetUser' => $username])['Username']));

    // A service the official Comet module left behind: the name in the custom field Username and
    // "[Using custom field]" as the service's username, the password in the custom field Password
    // and a blank service password, the official module's product settings. Its first action adopts
    // the account.
    $demo->title('A service the official module created');
    $oldPid = Fixtures::product(['name' => 'Backup (official module)', 'configoption1' => 'WHMCS_67dd0b5c3f4a19.87654321',
        'configoption2' => $provider, 'configoption3' => 'no', 'configoption4' => 'Set up by the official module']);
    $oldUserField = Fixtures::customField($oldPid, 'Username');
    $oldPassField = Fixtures::customField($oldPid, 'Password');
    $oldName = 'grace.hopper';
    $oldPassword = 'Official-' . bin2hex(random_bytes(5));
    $emu->api('add-user', ['TargetUser' => $oldName, 'TargetPassword' => $oldPassword, 'StoreRecoveryCode' => '1']);
    $oldSid = Fixtures::service(Fixtures::client(['firstname' => 'Grace', 'lastname' => 'Hopper', 'email' => 'grace@example.test']),
        $oldPid, $serverId, ['domainstatus' => 'Active', 'username' => '[Using custom field]', 'password' => '']);
    Fixtures::customFieldValue($oldUserField, $oldSid, $oldName);
    Fixtures::customFieldValue($oldPassField, $oldSid, $oldPassword);
    $demo->skipOwnRequests();
    $demo->line("tblhosting: username '[Using custom field]', blank password; custom fields Username '{$oldName}', Password set; no marker");
    $demo->step('Suspend (its first action: adopts the account)',
        static fn () => Whmcs::call('SuspendAccount', Params::forService($oldSid)),
        static fn ($r) => $r === 'success' && service($oldSid)->username === $oldName
            && (string) Capsule::table('mod_cometbackup_services')->where('serviceid', $oldSid)->value('marker') !== '',
        static fn ($r) => "{$r}; tblhosting.username is now '" . service($oldSid)->username . "', CreationGUID recorded as the marker");
    $oldNew = 'Seed-' . bin2hex(random_bytes(5));
    Fixtures::customFieldValue($oldPassField, $oldSid, $oldNew);
    $demo->step('Change Password (custom field Password edited, as the official documentation says)',
        static fn () => Whmcs::call('ChangePassword', Params::forService($oldSid)),
        static fn ($r) => $r === 'success' && Params::forService($oldSid)['password'] === $oldNew,
        static fn ($r) => "{$r}; the service password now holds it too ({\$service_password})");
    $demo->step('Unsuspend (already adopted: no second Activity Log line)',
        static fn () => Whmcs::call('UnsuspendAccount', Params::forService($oldSid)),
        static fn ($r) => $r === 'success');

    $demo->title('Secrets');
    $hits = Secrets::scan([$emu->adminPassword, $servicePassword, $newPassword, $oldPassword, $oldNew]);
    $demo->line(sprintf('%d module log entries, %d activity lines, %d rendered page(s) scanned: %s',
        count(Recorder::allModuleLog()), count(Recorder::allActivity()), Secrets::coverage()['pages'],
        $hits === [] ? 'no admin or service password in any of them' : 'LEAKS: ' . implode('; ', $hits)));

    $failures = $demo->failures() + ($hits === [] ? 0 : 1);
    printf("\n%s in %.1f s\n", $failures === 0 ? 'All steps succeeded' : "{$failures} step(s) FAILED", microtime(true) - $started);
    $exit = $failures === 0 ? 0 : 1;
} catch (\Throwable $e) {
    fwrite(STDERR, 'demo: ' . get_class($e) . ': ' . $e->getMessage() . "\n");
    $exit = 1;
} finally {
    if ($emu !== null) {
        try {
            $emu->stop();
        } catch (\Throwable $e) {
            fwrite(STDERR, 'demo: ' . $e->getMessage() . "\n");
            $exit = 1;
        }
    }
}
exit($exit);
