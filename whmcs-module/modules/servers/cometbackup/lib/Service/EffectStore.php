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
 * - `marker` and `claim` -> the module's own table mod_cometbackup_services.
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

    private static bool $schemaChecked = false;

    /** @return array{marker: ?string, claim: ?array{username: string, at: int}, customPassword: bool, updatedAt: ?string} */
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
                case 'claim':
                    $row['claim_username'] = is_array($value) ? (string) ($value['username'] ?? '') : '';
                    $row['claim_at'] = is_array($value) ? (int) ($value['at'] ?? 0) : 0;
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

    /** After a successful Change Password: keep a custom Password field in step with the account. */
    public function syncCustomPassword(array $params, string $newPassword): array
    {
        $current = (string) ($params['customfields']['Password'] ?? '');
        if ($current === '' || $current === $newPassword) {
            return [];
        }
        return $this->setCustomField($params, 'Password', $newPassword);
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
                'marker' => '', 'claim_username' => '', 'claim_at' => 0, 'custom_password' => 0,
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
                    $table->dateTime('updated_at')->nullable();
                });
            } catch (\Throwable $e) {
                // Created concurrently by another request: fine if it exists now.
                if (!Capsule::schema()->hasTable(self::TABLE)) {
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
    }
}
