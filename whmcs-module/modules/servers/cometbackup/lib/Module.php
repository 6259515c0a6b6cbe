<?php
// The dispatcher behind cometbackup.php: each entry point builds a context, runs one plan (or one
// read) and returns what WHMCS expects. Nothing here prints, and nothing escapes as an exception.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup;

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Service\ContextBuilder;
use WHMCS\Module\Server\CometBackup\Service\EffectStore;
use WHMCS\Module\Server\CometBackup\Service\PlanResult;
use WHMCS\Module\Server\CometBackup\Service\PlanRunner;
use WHMCS\Module\Server\CometBackup\Service\SsoTokens;
use WHMCS\Module\Server\CometBackup\View\AdminTab;
use WHMCS\Module\Server\CometBackup\View\ClientArea;
use WHMCS\Module\Server\CometBackup\View\Downloads;
use WHMCS\Module\Server\CometBackup\Whmcs\Failure;
use WHMCS\Module\Server\CometBackup\Whmcs\Lang;
use WHMCS\Module\Server\CometBackup\Whmcs\ModuleLog;
use WHMCS\Module\Server\CometBackup\Whmcs\Redactor;
use WHMCS\Module\Server\CometBackup\Whmcs\Settings;

final class Module
{
    public const PREVIEW_PATH = 'modules/servers/cometbackup/preview/index.html';
    public const SSO_PATH = 'modules/servers/cometbackup/sso.php';
    /** UsageUpdate rows per UPDATE statement. */
    public const USAGE_BATCH = 250;

    private static ?Core $core = null;
    /** @var array<string, mixed> */
    private static array $coreConfig = [];
    /** @var array{connectTimeout?: int, timeout?: int} */
    private static array $clientOptions = [];
    /** @var (callable(): int)|null */
    private static $clock = null;

    // ---- Wiring -------------------------------------------------------------------------------

    /** The per-process core (created on first use; a broken setup throws CoreException). */
    public static function core(): Core
    {
        if (self::$core === null) {
            $config = self::$coreConfig;
            if (!isset($config['wasmPath'])) {
                $env = getenv('COMETPROV_WASM');
                if (is_string($env) && $env !== '' && !is_file(dirname(__DIR__) . '/cometprov.wasm')) {
                    $config['wasmPath'] = $env;
                }
            }
            self::$core = Core::fromConfig($config);
        }
        return self::$core;
    }

    /**
     * Tests and embedders: the Core settings (see Core::fromConfig), transport options and clock.
     *
     * @param array<string, mixed> $coreConfig
     * @param array{connectTimeout?: int, timeout?: int} $clientOptions
     */
    public static function configure(array $coreConfig = [], array $clientOptions = [], ?callable $clock = null): void
    {
        self::$coreConfig = $coreConfig;
        self::$clientOptions = $clientOptions;
        self::$clock = $clock;
        self::$core = null;
    }

    public static function client(array $params): CometClient
    {
        return CometClient::fromParams($params, null, self::$clientOptions);
    }

    private static function contexts(): ContextBuilder
    {
        return new ContextBuilder(new EffectStore(), self::$clock);
    }

    private static function now(): int
    {
        return self::$clock !== null ? (int) (self::$clock)() : time();
    }

    /** @return array{0: CometClient, 1: PlanRunner} */
    private static function wire(array $params): array
    {
        $client = self::client($params);
        return [$client, new PlanRunner(self::core(), $client)];
    }

    // ---- Metadata and settings ----------------------------------------------------------------

    public static function metaData(): array
    {
        return [
            'DisplayName' => 'Comet Backup',
            'APIVersion' => '1.1',
            'RequiresServer' => true,
            'DefaultNonSSLPort' => '8060',
            'DefaultSSLPort' => '443',
            'ServiceSingleSignOnLabel' => Lang::text('ui.sso.service'),
            'AdminSingleSignOnLabel' => Lang::text('ui.sso.admin'),
            'ListAccountsUniqueIdentifierDisplayName' => Lang::text('ui.listaccounts.id'),
            'ListAccountsUniqueIdentifierField' => 'username',
            'ListAccountsProductField' => 'configoption1',
        ];
    }

    /** The five module settings, in the order the core reads them (configoption1..5). */
    public static function configOptions(): array
    {
        $preview = '../' . self::PREVIEW_PATH;
        try {
            $system = Settings::systemUrl();
            if ($system !== '') {
                $preview = $system . self::PREVIEW_PATH;
            }
        } catch (\Throwable $e) {
            // The relative link works from the admin folder.
        }
        $e = static fn (string $s): string => htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
        return [
            'Policy Group' => [
                'FriendlyName' => Lang::text('ui.config.policy'),
                'Type' => 'text',
                'Size' => '60',
                'Loader' => 'cometbackup_LoadPolicies',
                'SimpleMode' => true,
                'Description' => $e(Lang::text('ui.config.policy.help')) . ' <a href="' . $e($preview)
                    . '" target="_blank" rel="noopener noreferrer">' . $e(Lang::text('ui.admin.previewlink')) . '</a>',
            ],
            'Initial Storage Vault' => [
                'FriendlyName' => Lang::text('ui.config.vault'),
                'Type' => 'text',
                'Size' => '60',
                'Loader' => 'cometbackup_LoadStorageProviders',
                'SimpleMode' => true,
                'Description' => $e(Lang::text('ui.config.vault.help')),
            ],
            'Require Password Change' => [
                'FriendlyName' => Lang::text('ui.config.passwordchange'),
                'Type' => 'yesno',
                'SimpleMode' => true,
                'Description' => $e(Lang::text('ui.config.passwordchange.help')),
            ],
            'Uninstall Client on Terminate' => [
                'FriendlyName' => Lang::text('ui.config.uninstall'),
                'Type' => 'yesno',
                'SimpleMode' => true,
                'Description' => $e(Lang::text('ui.config.uninstall.help')),
            ],
            'Never Change Storage Vault Limits' => [
                'FriendlyName' => Lang::text('ui.config.keepvaults'),
                'Type' => 'yesno',
                'SimpleMode' => true,
                'Description' => $e(Lang::text('ui.config.keepvaults.help')),
            ],
        ];
    }

    /**
     * A settings dropdown (LoadPolicies / LoadStorageProviders): value => label. Throws an
     * \Exception with a clear message on failure, as WHMCS's loader contract asks.
     *
     * @return array<string, string>
     * @throws \Exception
     */
    public static function loader(string $action, array $params): array
    {
        try {
            [$client, $runner] = self::wire($params);
            $ctx = self::contexts()->server($params, $client);
            if (!isset($ctx['pid'])) {
                $pid = $_REQUEST['id'] ?? $_REQUEST['pid'] ?? '';
                if (is_string($pid) && ctype_digit($pid) && (int) $pid > 0) {
                    $ctx['pid'] = (int) $pid;
                }
            }
            $result = $runner->run($action, $ctx);
        } catch (\Throwable $e) {
            self::logThrowable($action, $e, $params);
            throw new \Exception(Failure::fromThrowable($action, $e, Redactor::valuesFromParams($params)));
        }
        if (!$result->ok()) {
            throw new \Exception(Failure::fromPlan($action, $result, Redactor::valuesFromParams($params)));
        }
        $options = [];
        foreach ((array) ($result->output['options'] ?? []) as $option) {
            if (is_array($option) && isset($option['value'])) {
                $options[(string) $option['value']] = (string) ($option['label'] ?? $option['value']);
            }
        }
        return $options;
    }

    /**
     * loader() without the exception, for cometbackup.php (which throws it itself).
     *
     * @return array{ok: bool, options?: array<string, string>, error?: string}
     */
    public static function loaderResult(string $action, array $params): array
    {
        try {
            return ['ok' => true, 'options' => self::loader($action, $params)];
        } catch (\Throwable $e) {
            return ['ok' => false, 'error' => $e->getMessage()];
        }
    }

    public static function testConnection(array $params): array
    {
        $action = 'TestConnection';
        $secrets = Redactor::valuesFromParams($params);
        try {
            $core = self::core();
        } catch (\Throwable $e) {
            self::logThrowable($action, $e, $params);
            return ['success' => false, 'error' => Failure::fromThrowable($action, $e, $secrets)];
        }
        try {
            [$client, $runner] = self::wire($params);
            $result = $runner->run($action, self::contexts()->server($params, $client));
            if (!$result->ok()) {
                return ['success' => false, 'error' => Failure::fromPlan($action, $result, $secrets)];
            }
            (new EffectStore())->applyServer($params, $result->effects);
            $info = $core->info();
            $version = $core->invoke('version');
            $text = Lang::text('ui.testconnection.ok', [
                'version' => (string) ($result->output['version'] ?? '?'),
                'url' => $client->baseUrl(),
                'core' => (string) ($version['value']['version'] ?? '?'),
                'backend' => $info['backend'] === 'extension' ? 'the wasmer-php extension' : 'PHP FFI',
                'runtime' => $info['runtime'],
            ]);
            $client->log()->note($action, 'webassembly', $text);
            if (function_exists('logActivity')) {
                logActivity('Comet Backup Test Connection: ' . $text);
            }
            return ['success' => true, 'error' => '', 'message' => $text];
        } catch (\Throwable $e) {
            self::logThrowable($action, $e, $params);
            return ['success' => false, 'error' => Failure::fromThrowable($action, $e, $secrets)];
        }
    }

    // ---- Account actions ----------------------------------------------------------------------

    /**
     * CreateAccount, SuspendAccount, UnsuspendAccount, TerminateAccount, ChangePassword and
     * ChangePackage: one plan each, effects stored, 'success' or one sentence.
     */
    public static function accountAction(string $action, array $params, string $label = ''): string
    {
        $label = $label !== '' ? $label : $action;
        $secrets = Redactor::valuesFromParams($params);
        try {
            [$client, $runner] = self::wire($params);
            $store = new EffectStore();
            $ctx = (new ContextBuilder($store, self::$clock))->service($params, $client, $action);
            $result = $runner->run($action, $ctx);
            // Effects are stored whatever the result: a failed Create may still carry a claim.
            $problems = $store->apply($params, $result->effects);
            if (!$result->ok()) {
                return Failure::fromPlan($label, $result, $secrets);
            }
            // The applied password's digest, and both password fields set to it (Create, Change Password).
            $problems = array_merge($problems, $store->afterSuccess($label, $params, $ctx));
            if ($problems !== []) {
                return Failure::fromKey($label, 'module.whmcs_api', implode('; ', $problems), $secrets);
            }
            return 'success';
        } catch (\Throwable $e) {
            self::logThrowable($label, $e, $params);
            return Failure::fromThrowable($label, $e, $secrets);
        }
    }

    /** Admin button: re-apply the product's quotas and policy (the Change Package plan). */
    public static function reapplyQuotas(array $params): string
    {
        return self::accountAction('ChangePackage', $params, 'ReapplyQuotas');
    }

    /**
     * Admin button: request the product's initial Storage Vault when the account has none (and
     * re-apply quotas and policy). It runs the Create plan, which continues an account whose
     * recorded creation ID matches and never creates a second one, so it needs that marker.
     */
    public static function requestVault(array $params): string
    {
        $label = 'RequestVault';
        $secrets = Redactor::valuesFromParams($params);
        try {
            if (trim((string) ($params['configoption2'] ?? '')) === '') {
                return Failure::fromKey($label, 'module.no_vault_provider', '', $secrets);
            }
            $stored = (new EffectStore())->load((int) ($params['serviceid'] ?? 0));
            if ($stored['marker'] === null || trim((string) ($params['username'] ?? '')) === '') {
                return Failure::fromKey($label, 'module.no_marker', '', $secrets);
            }
        } catch (\Throwable $e) {
            self::logThrowable($label, $e, $params);
            return Failure::fromThrowable($label, $e, $secrets);
        }
        return self::accountAction('CreateAccount', $params, $label);
    }

    // ---- Server-level -------------------------------------------------------------------------

    /**
     * One list-users-full for every Active or Suspended service of this server, streamed from curl
     * into the core (never held whole: 100,000 users are about 390 MB); diskusage and disklimit (MB)
     * and lastupdate written in one transaction, a few hundred rows per statement, only after the
     * core's reader finished successfully. Services without an account, accounts of another marker
     * and accounts without a service are reported (counts and the first 20), never fatal.
     * Memory: the services are read in pages and passed to the core as JSON text; the usage rows
     * stay in the core's response text (UsageRows). Nothing grows with the reply's size.
     */
    public static function usageUpdate(array $params): string
    {
        $action = 'UsageUpdate';
        $secrets = Redactor::valuesFromParams($params);
        try {
            $serverId = (int) ($params['serverid'] ?? 0);
            $services = self::usageServices($serverId);
            [$client, $runner] = self::wire($params);
            $ctx = self::contexts()->server($params, $client);
            unset($ctx['services']);
            $result = $runner->run($action, $ctx, ['services' => $services]);
            unset($services);
            if (!$result->ok()) {
                $message = Failure::fromPlan($action, $result, $secrets);
                self::activity($message);
                return $message;
            }
            $usage = $result->effect('usage');
            $written = self::writeUsage($serverId, is_iterable($usage) ? $usage : []);
            $out = $result->output;
            $report = "Comet Backup Usage Update (server {$serverId}): {$written} services updated";
            $unmatched = (int) ($out['unmatchedCount'] ?? 0);
            if ($unmatched > 0) {
                $report .= '; ' . $unmatched . ' services have no Comet account on this server (service IDs '
                    . self::listFirst((array) ($out['unmatched'] ?? []), $unmatched) . ')';
            }
            $notOurs = (int) ($out['notOursCount'] ?? 0);
            if ($notOurs > 0) {
                $report .= '; ' . $notOurs . ' services were skipped because the Comet account of their username was not created for them (service IDs '
                    . self::listFirst((array) ($out['notOurs'] ?? []), $notOurs) . ')';
            }
            $unknown = (int) ($out['unknownAccountCount'] ?? 0);
            if ($unknown > 0) {
                $report .= '; ' . $unknown . ' Comet accounts have no service on this server ('
                    . self::listFirst((array) ($out['unknownAccounts'] ?? []), $unknown) . ')';
            }
            self::activity($report);
            return 'success';
        } catch (\Throwable $e) {
            self::logThrowable($action, $e, $params);
            $message = Failure::fromThrowable($action, $e, $secrets);
            self::activity($message);
            return $message;
        }
    }

    /** Services read per query while building UsageUpdate's list. */
    public const USAGE_PAGE = 5000;

    /**
     * UsageUpdate's `services`: the server's Active and Suspended services of this module as the
     * JSON list the core reads ([{serviceid, username, customUsername?, marker?}]), built in pages
     * of $page rows so no row collection is ever held. `customUsername` is the service's custom
     * field Username, so the core's account-name rule finds the accounts of services whose username
     * is empty or the official module's placeholder.
     */
    private static function usageServices(int $serverId, int $page = self::USAGE_PAGE): string
    {
        EffectStore::ensureSchema();
        $flags = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE | JSON_THROW_ON_ERROR;
        $json = '[';
        $first = true;
        $last = 0;
        do {
            $rows = Capsule::table('tblhosting')
                ->join('tblproducts', 'tblproducts.id', '=', 'tblhosting.packageid')
                ->leftJoin(EffectStore::TABLE, EffectStore::TABLE . '.serviceid', '=', 'tblhosting.id')
                // The product's field named "Username" (or "Username|Label") and this service's value.
                ->leftJoin('tblcustomfields as cbf', static function ($join) {
                    $join->on('cbf.relid', '=', 'tblhosting.packageid')
                        ->where('cbf.type', '=', 'product')
                        ->where(static function ($q) {
                            $q->where('cbf.fieldname', '=', 'Username')->orWhere('cbf.fieldname', 'like', 'Username|%');
                        });
                })
                ->leftJoin('tblcustomfieldsvalues as cbv', static function ($join) {
                    $join->on('cbv.fieldid', '=', 'cbf.id')->on('cbv.relid', '=', 'tblhosting.id');
                })
                ->where('tblhosting.server', $serverId)
                ->where('tblproducts.servertype', 'cometbackup')
                ->whereIn('tblhosting.domainstatus', ['Active', 'Suspended'])
                ->where('tblhosting.id', '>', $last)
                ->orderBy('tblhosting.id')
                ->orderBy('cbf.id')
                ->limit($page)
                ->get(['tblhosting.id', 'tblhosting.username', EffectStore::TABLE . '.marker', 'cbv.value as custom_username']);
            $count = count($rows);
            foreach ($rows as $row) {
                $id = (int) $row->id;
                if ($id === $last) {
                    continue;   // a second matching field of one product: the first one counts
                }
                $entry = ['serviceid' => $id, 'username' => (string) $row->username];
                $custom = trim((string) ($row->custom_username ?? ''));
                if ($custom !== '') {
                    $entry['customUsername'] = $custom;
                }
                if ((string) ($row->marker ?? '') !== '') {
                    $entry['marker'] = (string) $row->marker;
                }
                $json .= ($first ? '' : ',') . json_encode($entry, $flags);
                $first = false;
                $last = $id;
            }
            unset($rows);
        } while ($count === $page);
        return $json . ']';
    }

    /**
     * @param iterable<array<string, mixed>> $usage [{serviceid, username, diskusage, disklimit}] in MiB
     * @return int rows written
     */
    private static function writeUsage(int $serverId, iterable $usage): int
    {
        $now = gmdate('Y-m-d H:i:s', self::now());
        $connection = Capsule::connection();
        $written = 0;
        $connection->transaction(static function () use ($connection, $usage, $now, $serverId, &$written): void {
            $batch = [];
            $flush = static function (array $chunk) use ($connection, $now, $serverId): void {
                $usageCase = '';
                $limitCase = '';
                $usageBind = [];
                $limitBind = [];
                foreach ($chunk as $id => [$used, $limit]) {
                    $usageCase .= ' WHEN ? THEN ?';
                    $limitCase .= ' WHEN ? THEN ?';
                    array_push($usageBind, $id, $used);
                    array_push($limitBind, $id, $limit);
                }
                $ids = array_keys($chunk);
                $sql = 'UPDATE tblhosting SET diskusage = CASE id' . $usageCase . ' ELSE diskusage END,'
                    . ' disklimit = CASE id' . $limitCase . ' ELSE disklimit END, lastupdate = ?'
                    . ' WHERE server = ? AND id IN (' . implode(',', array_fill(0, count($ids), '?')) . ')';
                $connection->update($sql, array_merge($usageBind, $limitBind, [$now, $serverId], $ids));
            };
            foreach ($usage as $row) {
                $id = (int) ($row['serviceid'] ?? 0);
                if ($id <= 0 || isset($batch[$id])) {
                    continue;
                }
                $batch[$id] = [
                    max(0, (int) round((float) ($row['diskusage'] ?? 0))),
                    max(0, (int) round((float) ($row['disklimit'] ?? 0))),
                ];
                if (count($batch) >= self::USAGE_BATCH) {
                    $flush($batch);
                    $written += count($batch);
                    $batch = [];
                }
            }
            if ($batch !== []) {
                $flush($batch);
                $written += count($batch);
            }
        });
        return $written;
    }

    public static function listAccounts(array $params): array
    {
        $action = 'ListAccounts';
        $secrets = Redactor::valuesFromParams($params);
        try {
            [$client, $runner] = self::wire($params);
            $result = $runner->run($action, self::contexts()->server($params, $client));
            if (!$result->ok()) {
                return ['success' => false, 'error' => Failure::fromPlan($action, $result, $secrets)];
            }
            $accounts = [];
            foreach ((array) ($result->output['accounts'] ?? []) as $a) {
                if (!is_array($a)) {
                    continue;
                }
                $status = ($a['status'] ?? '') === 'Suspended' ? self::status('SUSPENDED', 'Suspended') : self::status('ACTIVE', 'Active');
                $accounts[] = [
                    'email' => (string) ($a['email'] ?? ''),
                    'username' => (string) ($a['username'] ?? ''),
                    'domain' => (string) ($a['domain'] ?? ''),
                    'uniqueIdentifier' => (string) ($a['uniqueIdentifier'] ?? $a['username'] ?? ''),
                    'product' => (string) ($a['product'] ?? ''),
                    'primaryip' => (string) ($a['primaryip'] ?? ''),
                    'created' => (string) ($a['created'] ?? ''),
                    'status' => $status,
                ];
            }
            return ['success' => true, 'accounts' => $accounts];
        } catch (\Throwable $e) {
            self::logThrowable($action, $e, $params);
            return ['success' => false, 'error' => Failure::fromThrowable($action, $e, $secrets)];
        }
    }

    // ---- Single sign-on -----------------------------------------------------------------------

    /**
     * Runs the SSO plan, keeps the session key server-side under a 60-second single-use token,
     * and sends the browser to sso.php?token=..., whose page logs in by postMessage. No session key
     * is ever part of a URL.
     */
    public static function singleSignOn(string $action, array $params): array
    {
        $secrets = Redactor::valuesFromParams($params);
        try {
            $system = Settings::systemUrl();
            if ($system === '') {
                return ['success' => false, 'errorMsg' => Failure::fromKey($action, 'module.no_system_url', '', $secrets)];
            }
            [$client, $runner] = self::wire($params);
            $contexts = self::contexts();
            $user = $action === 'ServiceSingleSignOn';
            $ctx = $user ? $contexts->service($params, $client) : $contexts->server($params, $client);
            $result = $runner->run($action, $ctx);
            if (!$result->ok()) {
                return ['success' => false, 'errorMsg' => Failure::fromPlan($action, $result, $secrets)];
            }
            $key = (string) ($result->output['sessionKey'] ?? '');
            $client->log()->addSecrets([$key]);
            $username = $user ? (string) ($result->output['username'] ?? $params['username'] ?? '') : $client->adminUsername();
            $token = SsoTokens::issue(
                $client->baseUrl() . '/',
                $username,
                $key,
                $user ? 'user' : 'admin',
                $user ? (int) ($params['userid'] ?? 0) : 0,
                self::now()
            );
            return ['success' => true, 'redirectTo' => $system . self::SSO_PATH . '?token=' . $token];
        } catch (\Throwable $e) {
            self::logThrowable($action, $e, $params);
            return ['success' => false, 'errorMsg' => Failure::fromThrowable($action, $e, $secrets)];
        }
    }

    /**
     * sso.php: the page for a token (consumed here), or an error page.
     *
     * @return array{0: int, 1: list<string>, 2: string} [HTTP status, headers, HTML]
     */
    public static function ssoPage(string $token, array $session): array
    {
        $headers = class_exists(View\SsoPage::class) ? View\SsoPage::headers() : ['Content-Type: text/html; charset=utf-8', 'Cache-Control: no-store'];
        try {
            $entry = SsoTokens::consume($token, $session, self::now());
            if ($entry === null) {
                return [403, $headers, self::plainPage(Lang::text('module.sso_expired'))];
            }
            return [200, $headers, View\SsoPage::html($entry['cometUrl'], $entry['username'], $entry['sessionKey'], $entry['kind'])];
        } catch (\Throwable $e) {
            self::logThrowable('SingleSignOn', $e, []);
            return [500, $headers, self::plainPage(Lang::text('ui.sso.failed'))];
        }
    }

    // ---- Admin area, client area --------------------------------------------------------------

    public static function adminCustomButtonArray(): array
    {
        return [
            Lang::text('ui.button.reapply') => 'ReapplyQuotas',
            Lang::text('ui.button.vault') => 'RequestVault',
        ];
    }

    public static function adminServicesTabFields(array $params): array
    {
        try {
            $serviceId = (int) ($params['serviceid'] ?? 0);
            $stored = (new EffectStore())->load($serviceId);
            $stored['lastupdate'] = (string) (Capsule::table('tblhosting')->where('id', $serviceId)->value('lastupdate') ?? '');
            return AdminTab::fields($params, self::client($params), $stored);
        } catch (\Throwable $e) {
            self::logThrowable('AdminServicesTabFields', $e, $params);
            return [];
        }
    }

    /** @return array<string, mixed>|string */
    public static function clientArea(array $params)
    {
        try {
            return ClientArea::build($params, self::client($params), self::now());
        } catch (\Throwable $e) {
            self::logThrowable('ClientArea', $e, $params);
            try {
                return ClientArea::error('ui.error.internal');
            } catch (\Throwable $e2) {
                return '';
            }
        }
    }

    /** Client custom action: stream an installer (exits on success) or return an error sentence. */
    public static function clientDownload(array $params): string
    {
        try {
            return Downloads::serve($params, self::client($params), (string) ($_GET['platform'] ?? ''));
        } catch (\Throwable $e) {
            self::logThrowable('ClientDownload', $e, $params);
            return Lang::text('ui.download.failed');
        }
    }

    // ---- Helpers ------------------------------------------------------------------------------

    private static function status(string $constant, string $fallback): string
    {
        $name = '\WHMCS\Service\Status::' . $constant;
        return defined($name) ? (string) constant($name) : $fallback;
    }

    /** The first items the core listed, and how many more there are of $total. */
    private static function listFirst(array $first, int $total): string
    {
        $shown = implode(', ', array_map('strval', $first));
        return $total > count($first) ? $shown . ', and ' . ($total - count($first)) . ' more' : $shown;
    }

    private static function activity(string $message): void
    {
        if (function_exists('logActivity')) {
            try {
                logActivity($message);
            } catch (\Throwable $e) {
                // Reporting must not fail the cron.
            }
        }
    }

    /** A caught exception goes to the module log (masked), with its class, place and message. */
    public static function logThrowable(string $action, \Throwable $e, array $params): void
    {
        try {
            $log = new ModuleLog(Redactor::valuesFromParams($params));
            $log->note($action, 'exception', get_class($e) . ' at ' . basename($e->getFile()) . ':' . $e->getLine() . ': ' . $e->getMessage());
        } catch (\Throwable $ignored) {
            // Nothing more can be done.
        }
    }

    private static function plainPage(string $message): string
    {
        $m = htmlspecialchars($message, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
        return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Comet Backup</title></head>'
            . '<body style="font-family:sans-serif;margin:2em"><p>' . $m . '</p></body></html>';
    }

    /** Tests: forget the core and the wiring. */
    public static function reset(): void
    {
        self::$core = null;
        self::$coreConfig = [];
        self::$clientOptions = [];
        self::$clock = null;
        Settings::reset();
        EffectStore::resetSchemaCheck();
    }
}
