<?php
// Which password an action applies when a product has a custom Password field, and the keyed digest
// of the value last applied that lets the module tell which of the two fields an admin edited.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Database\Capsule;

/**
 * A product with a custom field "Password" has two places an admin can type a password: the custom
 * field (the seed documentation's workflow: edit it, save, run Change Password) and the service's
 * own Password field (WHMCS's workflow, also what a customer's password change in the client area
 * sets). The admin's latest edit wins. To know which field changed since the password was last
 * applied, the module keeps HMAC-SHA256(key, service ID, password) of the applied value in its own
 * table (`mod_cometbackup_services.password_digest`), never the password: the key is a random
 * per-installation secret in tblconfiguration (`CometBackupPasswordKey`), so the digest cannot be
 * checked against guesses without the WHMCS database and the key together, and binding the service
 * ID stops a digest copied to another service from matching.
 *
 * Decision (custom field C, service password S, stored digest D; an empty field never counts as an
 * edit):
 * - with D: C changed and S changed to different values -> refused (`password.both_edited`), nothing
 *   is sent; otherwise the changed one is applied (both changed alike: that value; neither: the
 *   current value, C before S);
 * - without D (a service created by the official module, or by a version of this module that kept
 *   no digest):
 *   - only one field set, or both the same: that value;
 *   - both set and different, and the service was created by this module with a custom password
 *     (it wrote the same value into both, `custom_password` = 1): the module cannot tell which one
 *     was edited -> refused, as above;
 *   - both set and different otherwise (the official module blanked the service password when the
 *     custom field held the password, so a non-empty service password was typed by an admin or set
 *     by a customer's password change): the service password is applied, as the official module
 *     did.
 * After a successful Create or Change Password both fields hold the applied value and D is its
 * digest, so `{$service_password}` in the welcome email is the account's password.
 */
final class Passwords
{
    public const KEY_SETTING = 'CometBackupPasswordKey';

    private static ?string $key = null;

    /**
     * The password Change Password applies, or a PlanException (`password.both_edited`).
     *
     * @param array{digest: ?string, customPassword: bool} $stored the service's row (EffectStore::load)
     */
    public static function choose(int $serviceId, string $custom, string $service, array $stored): string
    {
        $digest = $stored['digest'] ?? null;
        if ($custom === '' || $service === '' || $custom === $service) {
            return $custom !== '' ? $custom : $service;
        }
        if ($digest !== null) {
            $customEdited = !self::matches($serviceId, $custom, $digest);
            $serviceEdited = !self::matches($serviceId, $service, $digest);
            if ($customEdited && $serviceEdited) {
                throw self::bothEdited(false);
            }
            return $customEdited ? $custom : $service;
        }
        if ($stored['customPassword'] ?? false) {
            throw self::bothEdited(true);
        }
        return $service;
    }

    public static function digest(int $serviceId, string $password): string
    {
        return hash_hmac('sha256', $serviceId . "\0" . $password, self::key());
    }

    public static function matches(int $serviceId, string $password, string $digest): bool
    {
        return hash_equals($digest, self::digest($serviceId, $password));
    }

    private static function bothEdited(bool $noRecord): PlanException
    {
        return new PlanException('password.both_edited', $noRecord
            ? 'The service\'s Password and its custom field Password hold different passwords, and the module has no record of the one it last applied, so it cannot tell which one you changed; nothing was sent to the Comet Server.'
            : 'The service\'s Password and its custom field Password were both changed, to different passwords, since the password was last applied; nothing was sent to the Comet Server.', null);
    }

    /**
     * The installation's digest key (64 hex characters), generated once and kept in tblconfiguration.
     * A concurrent first use may race: whichever row is read back wins for everyone.
     */
    private static function key(): string
    {
        if (self::$key !== null) {
            return self::$key;
        }
        $read = static fn () => Capsule::table('tblconfiguration')
            ->where('setting', self::KEY_SETTING)->orderBy('value')->value('value');
        $key = (string) ($read() ?? '');
        if (preg_match('/^[0-9a-f]{64}$/', $key) !== 1) {
            $fresh = bin2hex(random_bytes(32));
            if ($key === '') {
                try {
                    Capsule::table('tblconfiguration')->insert(['setting' => self::KEY_SETTING, 'value' => $fresh]);
                } catch (\Throwable $e) {
                    // Stored concurrently by another request: read it back below.
                }
            } else {
                Capsule::table('tblconfiguration')->where('setting', self::KEY_SETTING)->update(['value' => $fresh]);
            }
            $key = (string) ($read() ?? $fresh);
        }
        return self::$key = $key;
    }

    /** Tests: the database was reset. */
    public static function reset(): void
    {
        self::$key = null;
    }
}
