<?php
// Where a plan's effects are kept between actions, under the names the core reads them back.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Database\Capsule;

/**
 * - `username` -> tblhosting.username, through localAPI UpdateClientProduct (serviceusername), and
 *   the product's custom field "Username" when the customer chose the name (custom fields are keyed
 *   by field ID, base64(serialize([id => value])), as UpdateClientProduct requires).
 * - `customPassword` -> the customer's own password becomes the service password too
 *   (servicepassword: WHMCS encrypts it), so the welcome email, Change Password and a retried
 *   Create all use the password the Comet account really has.
 * - `marker`, `claim` and `createAttempted` -> the module's own table mod_cometbackup_services
 *   (createAttempted in its create_attempted column).
 * - `adopted` ({username, marker}: an account created outside this module, e.g. by the official
 *   Comet module, found under the name this service's own records give) -> one Activity Log line;
 *   its `marker` and `username` effects come in the same list and are stored as usual, so
 *   tblhosting.username holds the real name from then on (also when it was the official module's
 *   placeholder "[Using custom field]").
 * - `serverVersion` -> the module's table mod_cometbackup_servers (serverid, version, checked_at):
 *   the core is told the version only while it is less than a day old (ContextBuilder).
 * - After a successful Create or Change Password (afterSuccess): the keyed digest of the applied
 *   password (see Passwords), and both password fields set to it.
 *
 * Why a table of our own rather than a hidden custom field for marker and claim: a custom field is
 *   shown in the admin area (and to clients unless marked admin-only) and can be edited there,
 *   which would let anyone re-point a service at another Comet account; WHMCS copies custom fields
 *   by name across product changes, so an upgrade to a product without the field would silently
 *   forget the marker; and marker and claim change together, which one UPDATE of one row does
 *   atomically while two custom-field rows cannot. The table is created on first use.
 */
final class EffectStore
{
    public const TABLE = 'mod_cometbackup_services';
    public const SERVERS_TABLE = 'mod_cometbackup_servers';
    /** A recorded server version is passed to the core for this long (seconds). */
    public const VERSION_TTL = 86400;
    /** The literal the official module stores in tblhosting.username when the custom field holds the name. */
    public const PLACEHOLDER = '[Using custom field]';

    private static bool $schemaChecked = false;

    /** @return array{marker: ?string, claim: ?array{username: string, at: int}, customPassword: bool, digest: ?string, createAttempted: bool, updatedAt: ?string} */
    public function load(int $serviceId): array
    {
        self::ensureSchema();
        $row = Capsule::table(self::TABLE)->where('serviceid', $serviceId)->first();
        $marker = $row !== null && (string) $row->marker !== '' ? (string) $row->marker : null;
        $claim = null;
        if ($row !== null && (string) $row->claim_username !== '') {
            $claim = ['username' => (string) $row->claim_username, 'at' => (int) $row->claim_at];
        }
        return [
            'marker' => $marker,
            'claim' => $claim,
            'customPassword' => $row !== null && (int) $row->custom_password === 1,
            'digest' => $row !== null && (string) ($row->password_digest ?? '') !== '' ? (string) $row->password_digest : null,
            'createAttempted' => $row !== null && (int) ($row->create_attempted ?? 0) === 1,
            'updatedAt' => $row !== null ? (string) $row->updated_at : null,
        ];
    }

    /**
     * Stores a finished plan's effects for one service. Returns problems as sentences (an effect
     * WHMCS refused to store); an empty list means everything was stored.
     *
     * @param list<array{type: string, value: mixed}> $effects
     * @return list<string>
     */
    public function apply(array $params, array $effects): array
    {
        $serviceId = (int) ($params['serviceid'] ?? 0);
        if ($serviceId <= 0) {
            return [];
        }
        $problems = [];
        $row = [];
        $serviceUpdate = [];
        foreach ($effects as $e) {
            $value = $e['value'];
            switch ($e['type']) {
                case 'username':
                    if (is_string($value) && $value !== '') {
                        $serviceUpdate['serviceusername'] = $value;
                        $custom = trim((string) ($params['customfields']['Username'] ?? ''));
                        if ($custom !== '' && $custom !== $value) {
                            $problems = array_merge($problems, $this->setCustomField($params, 'Username', $value));
                        }
                    }
                    break;
                case 'marker':
                    $row['marker'] = is_string($value) ? $value : '';
                    break;
                case 'createAttempted':
                    // The core's own flag (Create sets it before its first add-user; an adoption,
                    // Create's marker and Terminate clear it), passed back as context createAttempted.
                    $row['create_attempted'] = $value === true ? 1 : 0;
                    break;
                case 'claim':
                    $row['claim_username'] = is_array($value) ? (string) ($value['username'] ?? '') : '';
                    $row['claim_at'] = is_array($value) ? (int) ($value['at'] ?? 0) : 0;
                    break;
                case 'adopted':
                    $adopted = is_array($value) ? $value : [];
                    $this->activity(sprintf(
                        'Comet Backup: adopted account %s for service #%d (CreationGUID %s)',
                        self::oneLine((string) ($adopted['username'] ?? '')),
                        $serviceId,
                        self::oneLine((string) ($adopted['marker'] ?? ''))
                    ), (int) ($params['userid'] ?? 0));
                    break;
                case 'serverVersion':
                    if (is_string($value) && $value !== '') {
                        $this->recordServerVersion((int) ($params['serverid'] ?? 0), $value);
                    }
                    break;
                case 'customPassword':
                    $row['custom_password'] = $value === true ? 1 : 0;
                    $customPassword = (string) ($params['customfields']['Password'] ?? '');
                    if ($value === true && $customPassword !== '' && $customPassword !== (string) ($params['password'] ?? '')) {
                        $serviceUpdate['servicepassword'] = $customPassword;
                    }
                    break;
            }
        }
        // The module's own rows first: a marker must never be lost because WHMCS refused a username.
        if ($row !== []) {
            $this->saveRow($serviceId, $row);
        }
        if ($serviceUpdate !== []) {
            $problems = array_merge($problems, $this->updateService($serviceId, $serviceUpdate));
        }
        return $problems;
    }

    /**
     * Server actions (TestConnection): stores the effects that belong to the server, not a service
     * (`serverVersion`).
     *
     * @param list<array{type: string, value: mixed}> $effects
     */
    public function applyServer(array $params, array $effects): void
    {
        foreach ($effects as $e) {
            if ($e['type'] === 'serverVersion' && is_string($e['value']) && $e['value'] !== '') {
                $this->recordServerVersion((int) ($params['serverid'] ?? 0), $e['value']);
            }
        }
    }

    public function recordServerVersion(int $serverId, string $version, ?int $now = null): void
    {
        if ($serverId <= 0) {
            return;
        }
        self::ensureSchema();
        $row = ['version' => substr($version, 0, 64), 'checked_at' => $now ?? time()];
        if (Capsule::table(self::SERVERS_TABLE)->where('serverid', $serverId)->exists()) {
            Capsule::table(self::SERVERS_TABLE)->where('serverid', $serverId)->update($row);
            return;
        }
        try {
            Capsule::table(self::SERVERS_TABLE)->insert(['serverid' => $serverId] + $row);
        } catch (\Throwable $e) {
            // Another request inserted the row first.
            Capsule::table(self::SERVERS_TABLE)->where('serverid', $serverId)->update($row);
        }
    }

    /** The server's recorded version when it was checked less than VERSION_TTL ago, else null. */
    public function serverVersion(int $serverId, int $now): ?string
    {
        if ($serverId <= 0) {
            return null;
        }
        self::ensureSchema();
        $row = Capsule::table(self::SERVERS_TABLE)->where('serverid', $serverId)->first();
        if ($row === null || (string) $row->version === '') {
            return null;
        }
        $age = $now - (int) $row->checked_at;
        return $age >= 0 && $age < self::VERSION_TTL ? (string) $row->version : null;
    }

    /**
     * After a successful Create or Change Password ($label: the action as the admin ran it; the
     * Create plan run by "Request Initial Storage Vault" sets no password): the keyed digest of the
     * password the account now has, and both password fields set to it (the service password, so
     * `{$service_password}` in the welcome email is the login; the custom field Password when the
     * product has one). Returns problems as sentences.
     *
     * @param array<string, mixed> $ctx the context the plan ran with
     * @return list<string>
     */
    public function afterSuccess(string $label, array $params, array $ctx): array
    {
        $serviceId = (int) ($params['serviceid'] ?? 0);
        if ($serviceId <= 0 || ($label !== 'CreateAccount' && $label !== 'ChangePassword')) {
            return [];
        }
        $custom = (array) ($ctx['customfields'] ?? []);
        $applied = (string) ($ctx['password'] ?? '');
        if ($label === 'CreateAccount' && (string) ($custom['Password'] ?? '') !== '') {
            $applied = (string) $custom['Password'];
        }
        if ($applied === '') {
            return [];
        }
        $this->saveRow($serviceId, ['password_digest' => Passwords::digest($serviceId, $applied)]);
        $problems = [];
        // Create's `customPassword` effect already made the service password the custom one.
        if ($label === 'ChangePassword' && $applied !== (string) ($params['password'] ?? '')) {
            $problems = $this->updateService($serviceId, ['servicepassword' => $applied]);
        }
        if ((string) ($params['customfields']['Password'] ?? '') !== $applied) {
            $problems = array_merge($problems, $this->setCustomField($params, 'Password', $applied));
        }
        return $problems;
    }

    private function activity(string $message, int $userId): void
    {
        if (function_exists('logActivity')) {
            logActivity($message, $userId);
        }
    }

    /** A value for a log line: no control characters, at most 255 characters. */
    private static function oneLine(string $text): string
    {
        $text = (string) preg_replace('/[\x00-\x1F\x7F]+/', ' ', $text);
        return mb_strlen($text) > 255 ? mb_substr($text, 0, 252) . '...' : $text;
    }

    /** Forgets a service's marker and claim (after Terminate, or when an admin asks). */
    public function forget(int $serviceId): void
    {
        self::ensureSchema();
        Capsule::table(self::TABLE)->where('serviceid', $serviceId)->delete();
    }

    /** @param array<string, mixed> $values */
    private function saveRow(int $serviceId, array $values): void
    {
        self::ensureSchema();
        $values['updated_at'] = gmdate('Y-m-d H:i:s');
        $table = Capsule::table(self::TABLE);
        if ($table->where('serviceid', $serviceId)->exists()) {
            Capsule::table(self::TABLE)->where('serviceid', $serviceId)->update($values);
            return;
        }
        try {
            Capsule::table(self::TABLE)->insert(['serviceid' => $serviceId] + $values + [
                'marker' => '', 'claim_username' => '', 'claim_at' => 0, 'custom_password' => 0, 'password_digest' => '', 'create_attempted' => 0,
            ]);
        } catch (\Throwable $e) {
            // Another request inserted the row first: update it instead.
            Capsule::table(self::TABLE)->where('serviceid', $serviceId)->update($values);
        }
    }

    /**
     * @param array<string, string> $fields UpdateClientProduct fields
     * @return list<string>
     */
    private function updateService(int $serviceId, array $fields): array
    {
        $result = localAPI('UpdateClientProduct', ['serviceid' => $serviceId] + $fields);
        if (($result['result'] ?? '') !== 'success') {
            return ['WHMCS did not store the service\'s ' . implode(' and ', array_map(
                static fn ($k) => $k === 'serviceusername' ? 'username' : 'password',
                array_keys($fields)
            )) . ': ' . (string) ($result['message'] ?? 'no reason given')];
        }
        return [];
    }

    /** @return list<string> */
    private function setCustomField(array $params, string $name, string $value): array
    {
        $fieldId = self::customFieldId((int) ($params['pid'] ?? 0), $name);
        if ($fieldId === null) {
            return [];
        }
        $result = localAPI('UpdateClientProduct', [
            'serviceid' => (int) $params['serviceid'],
            'customfields' => base64_encode(serialize([$fieldId => $value])),
        ]);
        if (($result['result'] ?? '') !== 'success') {
            return ["WHMCS did not store the custom field {$name}: " . (string) ($result['message'] ?? 'no reason given')];
        }
        return [];
    }

    /** The ID of the product's custom field named $name (or "$name|Label"), or null. */
    public static function customFieldId(int $productId, string $name): ?int
    {
        if ($productId <= 0) {
            return null;
        }
        $rows = Capsule::table('tblcustomfields')
            ->where('type', 'product')
            ->where('relid', $productId)
            ->where(static function ($q) use ($name) {
                $q->where('fieldname', $name)->orWhere('fieldname', 'like', $name . '|%');
            })
            ->orderBy('id')
            ->get(['id', 'fieldname']);
        foreach ($rows as $row) {
            if (explode('|', (string) $row->fieldname, 2)[0] === $name) {
                return (int) $row->id;
            }
        }
        return null;
    }

    /** Creates the module's tables when they do not exist yet (once per process). */
    public static function ensureSchema(): void
    {
        if (self::$schemaChecked) {
            return;
        }
        $schema = Capsule::schema();
        if (!$schema->hasTable(self::TABLE)) {
            try {
                $schema->create(self::TABLE, static function ($table) {
                    $table->unsignedInteger('serviceid')->primary();
                    $table->string('marker', 64)->default('');
                    $table->string('claim_username', 255)->default('');
                    $table->unsignedBigInteger('claim_at')->default(0);
                    $table->unsignedTinyInteger('custom_password')->default(0);
                    $table->string('password_digest', 64)->default('');
                    $table->unsignedTinyInteger('create_attempted')->default(0);
                    $table->dateTime('updated_at')->nullable();
                });
            } catch (\Throwable $e) {
                // Created concurrently by another request: fine if it exists now.
                if (!Capsule::schema()->hasTable(self::TABLE)) {
                    throw $e;
                }
            }
        }
        // Tables of earlier module versions get the newer columns on first use.
        $columns = [
            'password_digest' => static fn ($table) => $table->string('password_digest', 64)->default(''),
            'create_attempted' => static fn ($table) => $table->unsignedTinyInteger('create_attempted')->default(0),
        ];
        foreach ($columns as $column => $define) {
            if ($schema->hasColumn(self::TABLE, $column)) {
                continue;
            }
            try {
                $schema->table(self::TABLE, static function ($table) use ($define) {
                    $define($table);
                });
            } catch (\Throwable $e) {
                if (!Capsule::schema()->hasColumn(self::TABLE, $column)) {
                    throw $e;
                }
            }
        }
        if (!$schema->hasTable(self::SERVERS_TABLE)) {
            try {
                $schema->create(self::SERVERS_TABLE, static function ($table) {
                    $table->unsignedInteger('serverid')->primary();
                    $table->string('version', 64)->default('');
                    $table->unsignedBigInteger('checked_at')->default(0);
                });
            } catch (\Throwable $e) {
                if (!Capsule::schema()->hasTable(self::SERVERS_TABLE)) {
                    throw $e;
                }
            }
        }
        SsoTokens::ensureSchema();
        self::$schemaChecked = true;
    }

    /** Tests drop the tables between cases; they call this so the next use re-creates them. */
    public static function resetSchemaCheck(): void
    {
        self::$schemaChecked = false;
        SsoTokens::resetSchemaCheck();
        Passwords::reset();
    }
}
