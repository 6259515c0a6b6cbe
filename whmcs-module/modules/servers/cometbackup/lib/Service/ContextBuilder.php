<?php
// From WHMCS's $params to the core's plan context: only the keys the core reads, never secrets of
// the server (the transport adds the admin credentials), never the `model` object. Every text value
// is checked here first (size, UTF-8, NUL, CR/LF), so a hostile value stops with a message naming
// its field before the core runs and before anything is sent to Comet.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Whmcs\Settings;

final class ContextBuilder
{
    /** The longest text accepted in one field from WHMCS (bytes); real values are far shorter. */
    public const MAX_FIELD_BYTES = 4096;
    /** The most configurable options one service may carry. */
    public const MAX_OPTIONS = 200;

    /** What each module setting is called in the product's Module Settings. */
    private const SETTING_NAMES = [
        1 => 'Policy Group', 2 => 'Initial Storage Vault', 3 => 'Require Password Change',
        4 => 'Uninstall Client on Terminate', 5 => 'Never Change Storage Vault Limits',
    ];

    /** @var \Closure(): int */
    private \Closure $clock;

    public function __construct(private readonly EffectStore $store, ?callable $clock = null)
    {
        $this->clock = $clock !== null ? \Closure::fromCallable($clock) : static fn (): int => time();
    }

    /**
     * The context of an account action (Create, Suspend, ..., SignIn). The service's own records go
     * to the core as they are: `username` may be empty or the official module's placeholder
     * "[Using custom field]" (the core then takes customfields.Username: one account-name rule, in
     * the core), `password` may be blank (the official module blanked it when the custom field held
     * the password). $action selects what only one action needs: ChangePassword gets the password
     * the admin edited last (see Passwords), or a refusal before anything is sent.
     *
     * @return array<string, mixed>
     */
    public function service(array $params, CometClient $client, string $action = ''): array
    {
        $serviceId = (int) ($params['serviceid'] ?? 0);
        $pid = (int) ($params['pid'] ?? 0);
        $ctx = $this->server($params, $client);
        $ctx['serviceid'] = $serviceId;
        $ctx['pid'] = $pid;
        $ctx['username'] = self::text($params['username'] ?? '', "service's username");
        $ctx['password'] = self::text($params['password'] ?? '', "service's password");
        $custom = is_array($params['customfields'] ?? null) ? $params['customfields'] : [];
        $ctx['customfields'] = (object) array_filter([
            'Username' => trim(self::text($custom['Username'] ?? '', 'custom field Username')),
            'Password' => self::text($custom['Password'] ?? '', 'custom field Password'),
        ], static fn (string $v) => $v !== '');
        $details = is_array($params['clientsdetails'] ?? null) ? $params['clientsdetails'] : [];
        $ctx['clientsdetails'] = (object) [
            'email' => self::text($details['email'] ?? '', "client's email address"),
            'firstname' => self::text($details['firstname'] ?? '', "client's first name"),
            'lastname' => self::text($details['lastname'] ?? '', "client's last name"),
        ];
        for ($i = 1; $i <= 5; $i++) {
            $ctx['configoption' . $i] = trim(self::text(
                $params['configoption' . $i] ?? '',
                'module setting ' . self::SETTING_NAMES[$i] . " (configoption{$i})"
            ));
        }
        $options = [];
        $given = (array) ($params['configoptions'] ?? []);
        if (count($given) > self::MAX_OPTIONS) {
            throw self::refused('The service has ' . count($given) . ' configurable options, more than the ' . self::MAX_OPTIONS . ' the module accepts.');
        }
        foreach ($given as $name => $value) {
            $name = (string) $name;
            $label = preg_match('/^[A-Za-z0-9_ .()-]{1,64}$/', $name) === 1 ? "configurable option {$name}" : 'name of a configurable option';
            self::text($name, $label);
            if (is_string($value)) {
                $options[$name] = self::text($value, "configurable option {$name}");
            } elseif (is_scalar($value) || $value === null) {
                $options[$name] = $value === null ? '' : $value;
            }
        }
        $ctx['configoptions'] = (object) $options;
        $ctx['productName'] = self::text(Settings::productName($pid), 'product name');
        $ctx['status'] = self::text($params['status'] ?? self::storedStatus($serviceId), 'service status');
        $version = $this->store->serverVersion((int) ($params['serverid'] ?? 0), $ctx['now']);
        if ($version !== null) {
            $ctx['serverVersion'] = $version;
        }
        $stored = null;
        if ($serviceId > 0) {
            $stored = $this->store->load($serviceId);
            if ($stored['marker'] !== null) {
                $ctx['marker'] = $stored['marker'];
            }
            if ($stored['claim'] !== null) {
                $ctx['claim'] = (object) $stored['claim'];
            }
            // The core stops the routine actions itself when this is true and no marker is stored
            // (the name may be another customer's); Create and the Adopt button do not read it.
            $ctx['createAttempted'] = $stored['createAttempted'];
        }
        if ($action === 'ChangePassword' && $serviceId > 0 && self::hasPasswordField($params, $pid)) {
            $ctx['password'] = Passwords::choose(
                $serviceId,
                (string) ($ctx['customfields']->Password ?? ''),
                $ctx['password'],
                $stored ?? ['digest' => null, 'customPassword' => false]
            );
        }
        return $ctx;
    }

    /** WHMCS passes `status`; a caller that built $params itself may not: read the service's row. */
    private static function storedStatus(int $serviceId): string
    {
        if ($serviceId <= 0) {
            return '';
        }
        return (string) (Capsule::table('tblhosting')->where('id', $serviceId)->value('domainstatus') ?? '');
    }

    /** Whether the product has a custom field Password (WHMCS passes every product field, empty or not). */
    private static function hasPasswordField(array $params, int $pid): bool
    {
        if (is_array($params['customfields'] ?? null) && array_key_exists('Password', $params['customfields'])) {
            return true;
        }
        return EffectStore::customFieldId($pid, 'Password') !== null;
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

    /**
     * $value as text, or a PlanException naming $field (never quoting the value: it may be a
     * password). Refused: non-scalar values, more than MAX_FIELD_BYTES, invalid UTF-8, NUL, CR, LF.
     */
    public static function text(mixed $value, string $field): string
    {
        if ($value !== null && !is_scalar($value)) {
            throw self::refused("The {$field} is not text.");
        }
        $text = is_bool($value) ? ($value ? '1' : '') : (string) $value;
        if (strlen($text) > self::MAX_FIELD_BYTES) {
            throw self::refused(sprintf('The %s is %s bytes long, more than the %s the module accepts.',
                $field, number_format(strlen($text)), number_format(self::MAX_FIELD_BYTES)));
        }
        if (!mb_check_encoding($text, 'UTF-8')) {
            throw self::refused("The {$field} is not valid UTF-8 text.");
        }
        if (str_contains($text, "\0")) {
            throw self::refused("The {$field} contains a NUL character.");
        }
        if (strpbrk($text, "\r\n") !== false) {
            throw self::refused("The {$field} contains a line break (CR or LF).");
        }
        return $text;
    }

    private static function refused(string $message): PlanException
    {
        return new PlanException('module.bad_input', $message . ' Correct it in WHMCS and try again; nothing was sent to the Comet Server.', null);
    }
}
