<?php
// From WHMCS's $params to the core's plan context: only the keys the core reads, never secrets of
// the server (the transport adds the admin credentials), never the `model` object.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Whmcs\Settings;

final class ContextBuilder
{
    /** @var \Closure(): int */
    private \Closure $clock;

    public function __construct(private readonly EffectStore $store, ?callable $clock = null)
    {
        $this->clock = $clock !== null ? \Closure::fromCallable($clock) : static fn (): int => time();
    }

    /**
     * The context of an account action (Create, Suspend, ..., ServiceSingleSignOn).
     *
     * @return array<string, mixed>
     */
    public function service(array $params, CometClient $client): array
    {
        $serviceId = (int) ($params['serviceid'] ?? 0);
        $pid = (int) ($params['pid'] ?? 0);
        $ctx = $this->server($params, $client);
        $ctx['serviceid'] = $serviceId;
        $ctx['pid'] = $pid;
        $ctx['username'] = (string) ($params['username'] ?? '');
        $ctx['password'] = (string) ($params['password'] ?? '');
        $custom = is_array($params['customfields'] ?? null) ? $params['customfields'] : [];
        $ctx['customfields'] = (object) array_filter([
            'Username' => trim((string) ($custom['Username'] ?? '')),
            'Password' => (string) ($custom['Password'] ?? ''),
        ], static fn (string $v) => $v !== '');
        $details = is_array($params['clientsdetails'] ?? null) ? $params['clientsdetails'] : [];
        $ctx['clientsdetails'] = (object) [
            'email' => (string) ($details['email'] ?? ''),
            'firstname' => (string) ($details['firstname'] ?? ''),
            'lastname' => (string) ($details['lastname'] ?? ''),
        ];
        for ($i = 1; $i <= 5; $i++) {
            $ctx['configoption' . $i] = trim((string) ($params['configoption' . $i] ?? ''));
        }
        $options = [];
        foreach ((array) ($params['configoptions'] ?? []) as $name => $value) {
            if (is_scalar($value) || $value === null) {
                $options[(string) $name] = $value === null ? '' : $value;
            }
        }
        $ctx['configoptions'] = (object) $options;
        $ctx['productName'] = Settings::productName($pid);
        if ($serviceId > 0) {
            $stored = $this->store->load($serviceId);
            if ($stored['marker'] !== null) {
                $ctx['marker'] = $stored['marker'];
            }
            if ($stored['claim'] !== null) {
                $ctx['claim'] = (object) $stored['claim'];
            }
        }
        return $ctx;
    }

    /**
     * The context of a server action (TestConnection, UsageUpdate, ListAccounts, loaders,
     * AdminSingleSignOn): the clock, the install ID and the server's URL.
     *
     * @return array<string, mixed>
     */
    public function server(array $params, CometClient $client): array
    {
        $ctx = [
            'now' => ($this->clock)(),
            'installId' => Settings::installId(),
            'serverUrl' => $client->baseUrl() . '/',
        ];
        $pid = (int) ($params['pid'] ?? 0);
        if ($pid > 0) {
            $ctx['pid'] = $pid;
        }
        return $ctx;
    }
}
