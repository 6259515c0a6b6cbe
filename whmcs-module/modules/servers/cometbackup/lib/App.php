<?php
// One WHMCS request: the core, the Comet client factory, the clock and the stores, built once, and
// the one run(action, params, shape) that every entry point of cometbackup.php goes through.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Api\Redactor;
use WHMCS\Module\Server\CometBackup\Repository\UsageRepository;
use WHMCS\Module\Server\CometBackup\Service\ContextBuilder;
use WHMCS\Module\Server\CometBackup\Service\EffectStore;
use WHMCS\Module\Server\CometBackup\Service\PlanException;
use WHMCS\Module\Server\CometBackup\Service\PlanResult;
use WHMCS\Module\Server\CometBackup\Service\PlanRunner;
use WHMCS\Module\Server\CometBackup\Service\SsoTokens;
use WHMCS\Module\Server\CometBackup\View\AdminTab;
use WHMCS\Module\Server\CometBackup\View\AdoptReport;
use WHMCS\Module\Server\CometBackup\View\ClientArea;
use WHMCS\Module\Server\CometBackup\View\Downloads;
use WHMCS\Module\Server\CometBackup\View\SsoPage;
use WHMCS\Module\Server\CometBackup\Whmcs\Failure;
use WHMCS\Module\Server\CometBackup\Whmcs\Lang;
use WHMCS\Module\Server\CometBackup\Whmcs\ModuleLog;
use WHMCS\Module\Server\CometBackup\Whmcs\Settings;

/**
 * The rings, outside in: cometbackup.php's table (WHMCS function -> action and result shape) ->
 * this object -> context builder, plan runner, effect store, repositories, views -> the Api client.
 * Nothing here is static: WHMCS builds one App per request (forRequest()), a test builds its own
 * (new App($coreConfig, $clientOptions, $clock, $adminArea)) instead of resetting globals. Building
 * it does no work; the core is loaded on first use, the client per call from the server params.
 *
 *     $app->run('SuspendAccount', $params, 'status');   // 'success' or one sentence
 *
 * run() never throws and never prints: every failure becomes the value WHMCS expects for the shape.
 */
final class App
{
    public const PREVIEW_PATH = 'modules/servers/cometbackup/preview/index.html';
    public const SSO_PATH = 'modules/servers/cometbackup/sso.php';

    /**
     * What an entry point returns:
     * status: 'success' or a sentence; test: {success, error, message?}; accounts: {success, accounts|error};
     * loader: {ok, options|error} (cometbackup.php throws the error, as loaders must); sso: {success,
     * redirectTo|errorMsg}; page: a ClientArea template array; fields: label => HTML; list: an array.
     */
    public const SHAPES = ['status', 'test', 'accounts', 'loader', 'sso', 'page', 'fields', 'list'];

    /** The core's actions that read a service (the rest read the server only). */
    private const SERVICE_PLANS = [
        'CreateAccount', 'SuspendAccount', 'UnsuspendAccount', 'TerminateAccount', 'ChangePassword',
        'ChangePackage', 'ServiceOverview', 'SignIn', 'AdoptAccount',
    ];

    private ?Core $core;
    /** @var array<string, mixed> */
    private array $coreConfig;
    /** @var \Closure(): int */
    private \Closure $clock;
    /** @var \Closure(): bool */
    private \Closure $adminArea;
    private EffectStore $store;
    private UsageRepository $usage;

    /**
     * @param Core|array<string, mixed> $core a core, or its settings (Core::fromConfig, loaded on first use)
     * @param array{connectTimeout?: int, timeout?: int} $clientOptions
     * @param (callable(): int)|null $clock Unix seconds; default time()
     * @param (callable(): bool)|null $adminArea whether this request is WHMCS's admin area; default isAdminRequest()
     */
    public function __construct(
        Core|array $core = [],
        private readonly array $clientOptions = [],
        ?callable $clock = null,
        ?callable $adminArea = null,
        ?EffectStore $store = null,
        ?UsageRepository $usage = null,
    ) {
        $this->core = $core instanceof Core ? $core : null;
        $this->coreConfig = is_array($core) ? $core : [];
        $this->clock = $clock !== null ? \Closure::fromCallable($clock) : static fn (): int => time();
        $this->adminArea = $adminArea !== null ? \Closure::fromCallable($adminArea) : static fn (): bool => self::isAdminRequest();
        $this->store = $store ?? new EffectStore();
        $this->usage = $usage ?? new UsageRepository();
    }

    /**
     * The App of one WHMCS request: cometprov.wasm of the module folder (or $COMETPROV_WASM when the
     * folder has none, as in a source checkout), Comet timeouts of CometClient, the real clock.
     */
    public static function forRequest(): self
    {
        $config = [];
        $env = getenv('COMETPROV_WASM');
        if (is_string($env) && $env !== '' && !is_file(dirname(__DIR__) . '/cometprov.wasm')) {
            $config['wasmPath'] = $env;
        }
        return new self($config);
    }

    /**
     * Whether WHMCS is serving its admin area: admin pages define ADMINAREA; an admin's session
     * (also when an admin is logged in as the client) carries adminid.
     */
    public static function isAdminRequest(): bool
    {
        if (defined('ADMINAREA')) {
            return true;
        }
        return isset($_SESSION) && is_array($_SESSION) && (int) ($_SESSION['adminid'] ?? 0) > 0;
    }

    /** The core (loaded on first use; a broken setup throws CoreException). */
    public function core(): Core
    {
        return $this->core ??= Core::fromConfig($this->coreConfig);
    }

    /** A Comet client for the server in $params, logging to WHMCS's module log. */
    public function client(array $params): CometClient
    {
        return CometClient::fromParams($params, new ModuleLog(Redactor::valuesFromParams($params)), $this->clientOptions);
    }

    public function now(): int
    {
        return (int) ($this->clock)();
    }

    public function isAdminArea(): bool
    {
        return (bool) ($this->adminArea)();
    }

    // ---- The one wrapper ----------------------------------------------------------------------

    /**
     * Runs one action for WHMCS and returns what the entry point returns, in $shape. Never throws,
     * never prints: a failure is logged (masked) and becomes the shape's failure value.
     *
     * @param string $action a core action, or one of the module's own (ReapplyQuotas, RequestVault,
     *        ClientDownload, UsageUpdate's write, Buttons, MetaData, ConfigOptions)
     */
    public function run(string $action, array $params, string $shape): mixed
    {
        try {
            $outcome = $this->perform($action, $params, $shape);
        } catch (\Throwable $e) {
            $this->logThrowable($action, $e, $params);
            $outcome = self::failed($this->sentenceFor($action, $e, $params));
        }
        try {
            return self::present($shape, $outcome);
        } catch (\Throwable $e) {
            return self::present($shape, self::failed(Lang::text('module.internal')));
        }
    }

    /**
     * Runs one plan of the core: context, requests, effects stored (also on failure: a failed
     * Create may carry a claim, a read an adoption).
     *
     * @param array<string, mixed> $extra context keys the App adds (role)
     * @param array<string, string> $raw context keys already encoded as JSON text
     * @return array{0: PlanResult, 1: list<string>, 2: CometClient, 3: array<string, mixed>}
     *         [result, effects WHMCS refused to store, client, the context sent]
     */
    public function plan(string $action, array $params, array $extra = [], array $raw = []): array
    {
        $client = $this->client($params);
        $contexts = new ContextBuilder($this->store, $this->clock);
        $service = in_array($action, self::SERVICE_PLANS, true);
        if ($service) {
            $ctx = $contexts->service($params, $client, $action);
            if (!array_key_exists('status', $ctx)) {
                $ctx['status'] = ContextBuilder::text($params['status'] ?? '', "service's status");
            }
        } else {
            $ctx = $contexts->server($params, $client);
        }
        $ctx = $extra + $ctx;
        $result = (new PlanRunner($this->core(), $client))->run($action, $ctx, $raw);
        $problems = [];
        if ($service) {
            $problems = $this->store->apply($params, $result->effects);
        } else {
            // The server's effects (serverVersion, per WHMCS server).
            $this->store->applyServer($params, $result->effects);
        }
        return [$result, $problems, $client, $ctx];
    }

    /** @return array{ok: bool, value: mixed, message: string} */
    private function perform(string $action, array $params, string $shape): array
    {
        switch ($action) {
            case 'MetaData':
                return self::ok($this->metaData());
            case 'ConfigOptions':
                return self::ok($this->configOptions());
            case 'Buttons':
                return self::ok([
                    Lang::text('ui.button.reapply') => 'ReapplyQuotas',
                    Lang::text('ui.button.vault') => 'RequestVault',
                    Lang::text('ui.button.adopt') => 'AdoptAccount',
                ]);
            case 'TestConnection':
                return $this->testConnection($params);
            case 'UsageUpdate':
                return $this->usageUpdate($params);
            case 'ListAccounts':
                return $this->listAccounts($params);
            case 'LoadPolicies':
            case 'LoadStorageProviders':
                return $this->loader($action, $params);
            case 'ReapplyQuotas':
                return $this->accountAction('ChangePackage', $params, 'ReapplyQuotas');
            case 'RequestVault':
                return $this->requestVault($params);
            case 'AdoptAccount':
                return $this->adoptAccount($params);
            case 'SignIn':
                return $this->signIn($params);
            case 'AdminSingleSignOn':
                return $this->adminSignIn($params);
            case 'ServiceOverview':
                return $this->overview($params, $shape);
            case 'ClientDownload':
                return $this->clientDownload($params);
            case 'CreateAccount':
            case 'SuspendAccount':
            case 'UnsuspendAccount':
            case 'TerminateAccount':
            case 'ChangePassword':
            case 'ChangePackage':
                return $this->accountAction($action, $params, $action);
        }
        return self::failed(Failure::fromKey($action, 'module.internal', "no action {$action}"));
    }

    /**
     * The value WHMCS expects for $shape.
     *
     * @param array{ok: bool, value: mixed, message: string} $o
     */
    private static function present(string $shape, array $o): mixed
    {
        switch ($shape) {
            case 'status':
                return $o['ok'] ? (is_string($o['value']) ? $o['value'] : 'success') : $o['message'];
            case 'test':
                return $o['ok'] ? ['success' => true, 'error' => '', 'message' => (string) $o['value']] : ['success' => false, 'error' => $o['message']];
            case 'accounts':
                return $o['ok'] ? ['success' => true, 'accounts' => (array) $o['value']] : ['success' => false, 'error' => $o['message']];
            case 'loader':
                return $o['ok'] ? ['ok' => true, 'options' => (array) $o['value']] : ['ok' => false, 'error' => $o['message']];
            case 'sso':
                return $o['ok'] ? ['success' => true, 'redirectTo' => (string) $o['value']] : ['success' => false, 'errorMsg' => $o['message']];
            case 'page':
                return $o['ok'] && is_array($o['value']) ? $o['value'] : ClientArea::error('ui.error.internal');
            case 'fields':
                return $o['ok'] && is_array($o['value']) ? $o['value'] : AdminTab::failed();
            case 'list':
                return $o['ok'] && is_array($o['value']) ? $o['value'] : [];
        }
        return $o['ok'] ? $o['value'] : $o['message'];
    }

    /** @return array{ok: bool, value: mixed, message: string} */
    private static function ok(mixed $value = 'success'): array
    {
        return ['ok' => true, 'value' => $value, 'message' => ''];
    }

    /** @return array{ok: bool, value: mixed, message: string} */
    private static function failed(string $message): array
    {
        return ['ok' => false, 'value' => null, 'message' => $message];
    }

    /** A failed plan as one sentence (worded by its code; secrets of $params masked). */
    private function planFailure(string $label, PlanResult $r, array $params): string
    {
        $endpoint = is_string($r->detail['endpoint'] ?? null) ? $r->detail['endpoint'] : $r->failedEndpoint();
        return Failure::fromCode($label, $r->code, $r->result, $r->detail, $endpoint, Redactor::valuesFromParams($params));
    }

    private function sentenceFor(string $label, \Throwable $e, array $params): string
    {
        $secrets = Redactor::valuesFromParams($params);
        if ($e instanceof PlanException) {
            return Failure::fromCode($label, $e->errorCode, $e->getMessage(), [], $e->endpoint, $secrets);
        }
        return Failure::fromThrowable($label, $e, $secrets);
    }

    // ---- Settings and server actions ----------------------------------------------------------

    /** @return array<string, mixed> */
    private function metaData(): array
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
    private function configOptions(): array
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
        $yesno = static fn (string $key): array => [
            'FriendlyName' => Lang::text($key),
            'Type' => 'yesno',
            'SimpleMode' => true,
            'Description' => $e(Lang::text($key . '.help')),
        ];
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
            'Require Password Change' => $yesno('ui.config.passwordchange'),
            'Uninstall Client on Terminate' => $yesno('ui.config.uninstall'),
            'Never Change Storage Vault Limits' => $yesno('ui.config.keepvaults'),
        ];
    }

    /** A settings dropdown: value => label. */
    private function loader(string $action, array $params): array
    {
        $extra = [];
        if ((int) ($params['pid'] ?? 0) <= 0) {
            // Module Settings of a product: WHMCS passes only the server, the product is in the URL.
            $pid = $_REQUEST['id'] ?? $_REQUEST['pid'] ?? '';
            if (is_string($pid) && ctype_digit($pid) && (int) $pid > 0) {
                $extra['pid'] = (int) $pid;
            }
        }
        [$result] = $this->plan($action, $params, $extra);
        if (!$result->ok()) {
            return self::failed($this->planFailure($action, $result, $params));
        }
        $options = [];
        foreach ((array) ($result->output['options'] ?? []) as $option) {
            if (is_array($option) && isset($option['value'])) {
                $options[(string) $option['value']] = (string) ($option['label'] ?? $option['value']);
            }
        }
        return self::ok($options);
    }

    /**
     * Test Connection: meta/version through the core, the version stored for the server (effect
     * serverVersion), and a warning when Secure is off: the admin password then travels in clear.
     */
    private function testConnection(array $params): array
    {
        $action = 'TestConnection';
        $core = $this->core();
        [$result, $problems, $client] = $this->plan($action, $params);
        if (!$result->ok()) {
            return self::failed($this->planFailure($action, $result, $params));
        }
        $info = $core->info();
        $version = $core->invoke('version');
        $text = Lang::text('ui.testconnection.ok', [
            'version' => (string) ($result->output['version'] ?? '?'),
            'url' => $client->baseUrl(),
            'core' => (string) ($version['value']['version'] ?? '?'),
            'backend' => $info['backend'] === 'extension' ? 'the wasmer-php extension' : 'PHP FFI',
            'runtime' => $info['runtime'],
        ]);
        if (!str_starts_with($client->baseUrl(), 'https://')) {
            $text .= ' ' . Lang::text('ui.testconnection.insecure');
        }
        if ($problems !== []) {
            $text .= ' ' . Failure::clean(implode('; ', $problems));
        }
        $client->log()->note($action, 'webassembly', $text);
        self::activity('Comet Backup Test Connection: ' . $text);
        return self::ok($text);
    }

    /**
     * One list-users-full for every Active or Suspended service of this server, streamed from curl
     * into the core; the usage written by the repository only after the core's reader finished.
     * Services without an account, accounts of another marker and accounts without a service are
     * reported (counts and the first 20), never fatal.
     */
    private function usageUpdate(array $params): array
    {
        $action = 'UsageUpdate';
        try {
            $serverId = (int) ($params['serverid'] ?? 0);
            $services = $this->usage->servicesJson($serverId);
            [$result] = $this->plan($action, $params, [], ['services' => $services]);
            unset($services);
            if (!$result->ok()) {
                $message = $this->planFailure($action, $result, $params);
                self::activity($message);
                return self::failed($message);
            }
            $usage = $result->effect('usage');
            $written = $this->usage->write($serverId, is_iterable($usage) ? $usage : [], $this->now());
        } catch (\Throwable $e) {
            // The cron's admin reads the Activity Log, not the return value.
            $this->logThrowable($action, $e, $params);
            $message = $this->sentenceFor($action, $e, $params);
            self::activity($message);
            return self::failed($message);
        }
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
        return self::ok('success');
    }

    private function listAccounts(array $params): array
    {
        [$result] = $this->plan('ListAccounts', $params);
        if (!$result->ok()) {
            return self::failed($this->planFailure('ListAccounts', $result, $params));
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
        return self::ok($accounts);
    }

    // ---- Account actions ----------------------------------------------------------------------

    /**
     * Create, Suspend, Unsuspend, Terminate, ChangePassword and ChangePackage (and the buttons that
     * re-run them): one plan each, effects stored, 'success' or one sentence labelled $label.
     */
    private function accountAction(string $action, array $params, string $label): array
    {
        [$result, $problems, , $ctx] = $this->plan($action, $params);
        if (!$result->ok()) {
            return self::failed($this->planFailure($label, $result, $params));
        }
        // The applied password's digest, and both password fields set to it.
        $problems = array_merge($problems, $this->store->afterSuccess($label, $params, $ctx));
        if ($problems !== []) {
            return self::failed(Failure::fromKey($label, 'module.whmcs_api', implode('; ', $problems), Redactor::valuesFromParams($params)));
        }
        return self::ok('success');
    }

    /**
     * Admin button: request the product's initial Storage Vault when the account has none (and
     * re-apply quotas and policy). It runs the Create plan, which continues an account whose
     * recorded creation ID matches and never creates a second one, so it needs that marker.
     */
    private function requestVault(array $params): array
    {
        $label = 'RequestVault';
        $secrets = Redactor::valuesFromParams($params);
        if (trim((string) ($params['configoption2'] ?? '')) === '') {
            return self::failed(Failure::fromKey($label, 'module.no_vault_provider', '', $secrets));
        }
        $stored = $this->store->load((int) ($params['serviceid'] ?? 0));
        if ($stored['marker'] === null || trim((string) ($params['username'] ?? '')) === '') {
            return self::failed(Failure::fromKey($label, 'module.no_marker', '', $secrets));
        }
        return $this->accountAction('CreateAccount', $params, $label);
    }

    /**
     * Admin button "Adopt Comet account": the core reads the account under the service's name,
     * adopts it when no marker is stored (marker and username stored as effects), and reports the
     * account's policy and quotas against the product's. WHMCS shows a button's string as is, so
     * the report is the string (a button has no other way to show what it found).
     */
    private function adoptAccount(array $params): array
    {
        [$result, $problems] = $this->plan('AdoptAccount', $params);
        if (!$result->ok()) {
            return self::failed($this->planFailure('AdoptAccount', $result, $params));
        }
        $report = AdoptReport::text($result->output);
        if ($problems !== []) {
            $report .= ' ' . Failure::fromKey('AdoptAccount', 'module.whmcs_api', implode('; ', $problems));
        }
        return self::ok(Failure::clean($report, Redactor::valuesFromParams($params)));
    }

    // ---- Sign-in ------------------------------------------------------------------------------

    /**
     * ServiceSingleSignOn: the core's SignIn plan, role admin in WHMCS's admin area and customer
     * elsewhere (a customer needs an Active service; both need the account to be the service's own).
     * The session key stays server-side under a 60-second single-use token; the browser goes to
     * sso.php?token=..., whose page logs in by postMessage. No session key is ever part of a URL.
     */
    private function signIn(array $params): array
    {
        [$refused, $system, $sessionDigest] = $this->signInPrelude('SignIn', $params);
        if ($refused !== null) {
            return $refused;
        }
        $role = $this->isAdminArea() ? 'admin' : 'customer';
        [$result, , $client] = $this->plan('SignIn', $params, ['role' => $role]);
        if (!$result->ok() && $result->code === 'account.not_ours') {
            // Said plainly: the reader may be the customer, and nothing of the other account is named.
            return self::failed(Failure::fromKey('SignIn', 'ui.sso.notours', '', Redactor::valuesFromParams($params)));
        }
        if (!$result->ok()) {
            return self::failed($this->planFailure('SignIn', $result, $params));
        }
        $key = (string) ($result->output['sessionKey'] ?? '');
        $client->log()->addSecrets([$key]);
        $token = SsoTokens::issue(
            $client->baseUrl() . '/',
            (string) ($result->output['username'] ?? $params['username'] ?? ''),
            $key,
            'user',
            (int) ($params['userid'] ?? 0),
            $sessionDigest,
            $this->now()
        );
        return self::ok($system . self::SSO_PATH . '?token=' . $token);
    }

    private function adminSignIn(array $params): array
    {
        [$refused, $system, $sessionDigest] = $this->signInPrelude('AdminSingleSignOn', $params);
        if ($refused !== null) {
            return $refused;
        }
        [$result, , $client] = $this->plan('AdminSingleSignOn', $params);
        if (!$result->ok()) {
            return self::failed($this->planFailure('AdminSingleSignOn', $result, $params));
        }
        $key = (string) ($result->output['sessionKey'] ?? '');
        $client->log()->addSecrets([$key]);
        $token = SsoTokens::issue($client->baseUrl() . '/', $client->adminUsername(), $key, 'admin', 0, $sessionDigest, $this->now());
        return self::ok($system . self::SSO_PATH . '?token=' . $token);
    }

    /**
     * What both sign-ins check before the core is asked for a session: the system URL (the token's
     * page, sso.php, lives under it) and this login session's digest (the token is bound to it;
     * without a login session no Comet session is started).
     *
     * @return array{0: ?array, 1: string, 2: string} [$action's failure or null, system URL, session digest]
     */
    private function signInPrelude(string $action, array $params): array
    {
        $system = Settings::systemUrl();
        if ($system === '') {
            return [self::failed(Failure::fromKey($action, 'module.no_system_url', '', Redactor::valuesFromParams($params))), '', ''];
        }
        $sessionDigest = SsoTokens::sessionDigest((string) session_id());
        if ($sessionDigest === '') {
            return [self::failed(Failure::fromKey($action, 'module.sso_no_session', '', Redactor::valuesFromParams($params))), '', ''];
        }
        return [null, $system, $sessionDigest];
    }

    /**
     * sso.php: the page for a token (consumed here), or an error page.
     *
     * @return array{0: int, 1: list<string>, 2: string} [HTTP status, headers, HTML]
     */
    public function ssoPage(string $token, array $session, string $sessionId): array
    {
        $headers = SsoPage::headers();
        try {
            $entry = SsoTokens::consume($token, $session, SsoTokens::sessionDigest($sessionId), $this->now());
            if ($entry === null) {
                return [403, $headers, self::plainPage(Lang::text('module.sso_expired'))];
            }
            return [200, $headers, SsoPage::html($entry['cometUrl'], $entry['username'], $entry['sessionKey'], $entry['kind'])];
        } catch (\Throwable $e) {
            $this->logThrowable('SingleSignOn', $e, []);
            return [500, $headers, self::plainPage(Lang::text('ui.sso.failed'))];
        }
    }

    // ---- Pages --------------------------------------------------------------------------------

    /**
     * The client area (shape page) and the admin tab (shape fields): both render the core's
     * ServiceOverview plan, which checks the account is the service's own before reading anything
     * else. A failed plan is a page too (a clear sentence, never the other account's data).
     */
    private function overview(array $params, string $shape): array
    {
        $serviceId = (int) ($params['serviceid'] ?? 0);
        $problem = null;
        try {
            [$result] = $this->plan('ServiceOverview', $params);
        } catch (\Throwable $e) {
            $this->logThrowable('ServiceOverview', $e, $params);
            $result = null;
            $problem = $e;
        }
        if ($shape === 'fields') {
            $stored = $this->store->load($serviceId);
            $stored['lastupdate'] = $this->usage->lastUpdate($serviceId);
            if ($problem !== null) {
                return self::ok(AdminTab::failed($this->sentenceFor('ServiceOverview', $problem, $params), $stored));
            }
            return self::ok(AdminTab::fields($result, $params, $stored));
        }
        if ($problem !== null) {
            return self::ok(ClientArea::error($problem instanceof \InvalidArgumentException ? 'ui.error.server' : 'ui.error.internal'));
        }
        return self::ok(ClientArea::page($result, $serviceId, (string) ($params['status'] ?? '')));
    }

    /**
     * Client custom action: stream an installer to the browser (exits on success: WHMCS must not
     * append a page to the file) or return an error sentence.
     */
    private function clientDownload(array $params): array
    {
        $started = false;
        $message = $this->download(
            $params,
            (string) ($_GET['platform'] ?? ''),
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
        if ($message === null) {
            exit(0);
        }
        return self::failed($message);
    }

    /**
     * The testable core of ClientDownload: header lines go to $header, body bytes to $write.
     * The installer is tens of megabytes, so its bytes go out as they arrive instead of being held
     * in memory; nothing is sent until the client has seen that the reply is an installer and not
     * an error, so until then a failure is still a clean sentence. Downloads (the view) words it.
     *
     * @param callable(string): void $header
     * @param callable(string): void $write
     * @return string|null null when the installer was sent, else a sentence for the customer
     */
    public function download(array $params, string $platform, callable $header, callable $write): ?string
    {
        try {
            $refusal = Downloads::refusal($platform, $params['status'] ?? 'Active');
            if ($refusal !== null) {
                return $refusal;
            }
            $download = $this->client($params)->downloadClient(
                $platform,
                'ClientDownload',
                static function (string $contentType, int $contentLength) use ($header, $platform): void {
                    foreach (Downloads::headers($platform, $contentLength) as $line) {
                        $header($line);
                    }
                },
                $write
            );
            if ($download->started) {
                // The response is committed; a cut-off transfer shows in the browser as an
                // incomplete file (Content-Length) and in the module log.
                return null;
            }
            $reply = $download->response;
            return Downloads::failure($reply->transportError() === null, $reply->httpStatus(), strlen($reply->body()));
        } catch (\Throwable $e) {
            $this->logThrowable('ClientDownload', $e, $params);
            return Downloads::failed();
        }
    }

    // ---- Helpers ------------------------------------------------------------------------------

    private static function plainPage(string $message): string
    {
        $m = htmlspecialchars($message, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
        return '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Comet Backup</title></head>'
            . '<body style="font-family:sans-serif;margin:2em"><p>' . $m . '</p></body></html>';
    }

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
                // Reporting must not fail the action.
            }
        }
    }

    /** A caught exception goes to the module log (masked), with its class, place and message. */
    public function logThrowable(string $action, \Throwable $e, array $params): void
    {
        try {
            $log = new ModuleLog(Redactor::valuesFromParams($params));
            $log->note($action, 'exception', get_class($e) . ' at ' . basename($e->getFile()) . ':' . $e->getLine() . ': ' . $e->getMessage());
        } catch (\Throwable $ignored) {
            // Nothing more can be done.
        }
    }
}
