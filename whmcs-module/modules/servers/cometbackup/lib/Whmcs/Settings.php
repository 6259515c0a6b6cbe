<?php
// What the module reads from WHMCS's own tables: the install ID, product names, the System URL.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Whmcs;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Database\Capsule;

final class Settings
{
    public const INSTALL_ID_SETTING = 'CometBackupInstallId';

    private static ?string $installId = null;

    /**
     * This WHMCS installation's random ID (32 hex characters), generated once and kept in
     * tblconfiguration. The core derives the managed policy IDs from it (WHMCS_<id>_P<pid>), so two
     * WHMCS installations sharing one Comet Server never reuse each other's policies, and the ID
     * offered for a product is the same on every page view.
     */
    public static function installId(): string
    {
        if (self::$installId !== null) {
            return self::$installId;
        }
        $read = static fn () => Capsule::table('tblconfiguration')
            ->where('setting', self::INSTALL_ID_SETTING)->orderBy('value')->value('value');
        $id = (string) ($read() ?? '');
        if (preg_match('/^[A-Za-z0-9]{1,32}$/', $id) !== 1) {
            $fresh = bin2hex(random_bytes(16));
            if ($id === '') {
                try {
                    Capsule::table('tblconfiguration')->insert(['setting' => self::INSTALL_ID_SETTING, 'value' => $fresh]);
                } catch (\Throwable $e) {
                    // A concurrent request stored one first (setting is the table's key in WHMCS).
                }
            } else {
                Capsule::table('tblconfiguration')->where('setting', self::INSTALL_ID_SETTING)->update(['value' => $fresh]);
            }
            // Read back: whichever value won is the installation's ID from now on.
            $id = (string) ($read() ?? $fresh);
        }
        return self::$installId = $id;
    }

    public static function productName(int $productId): string
    {
        if ($productId <= 0) {
            return '';
        }
        return (string) (Capsule::table('tblproducts')->where('id', $productId)->value('name') ?? '');
    }

    /** WHMCS's System URL with a trailing slash, or '' when it is not set. */
    public static function systemUrl(): string
    {
        $url = '';
        if (class_exists('\WHMCS\Config\Setting')) {
            try {
                $url = (string) \WHMCS\Config\Setting::getValue('SystemURL');
            } catch (\Throwable $e) {
                $url = '';
            }
        }
        if ($url === '') {
            $url = (string) (Capsule::table('tblconfiguration')->where('setting', 'SystemURL')->value('value') ?? '');
        }
        $url = trim($url);
        return $url === '' ? '' : rtrim($url, '/') . '/';
    }

    /** Tests: forget the cached install ID (the database was reset). */
    public static function reset(): void
    {
        self::$installId = null;
    }
}
