<?php
// Single-use, 60-second sign-in tokens: the Comet session key stays on the server, never in a URL.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

use WHMCS\Database\Capsule;

/**
 * ServiceSingleSignOn / AdminSingleSignOn store the session key here under a random token and
 * redirect the browser to sso.php?token=...; sso.php consumes the token once (delete-then-use, so
 * a second use finds nothing) and prints the postMessage page. The table holds only the SHA-256
 * of the token and the session key encrypted with WHMCS's encrypt(); rows expire after 60 s and
 * are purged whenever a new token is issued. A token is bound to who asked for it: an admin
 * session, or the client who owns the service.
 */
final class SsoTokens
{
    public const TABLE = 'mod_cometbackup_sso';
    public const TTL = 60;

    private static bool $schemaChecked = false;

    /**
     * @param string $kind 'user' or 'admin'
     * @param int $clientId the service's client (user SSO), 0 for admin-only tokens
     * @return string the token (URL-safe, 43 characters)
     */
    public static function issue(string $cometUrl, string $username, string $sessionKey, string $kind, int $clientId, ?int $now = null): string
    {
        self::ensureSchema();
        $now ??= time();
        Capsule::table(self::TABLE)->where('expires_at', '<', $now)->delete();
        $token = rtrim(strtr(base64_encode(random_bytes(32)), '+/', '-_'), '=');
        Capsule::table(self::TABLE)->insert([
            'token_hash' => hash('sha256', $token),
            'kind' => $kind,
            'client_id' => $clientId,
            'comet_url' => $cometUrl,
            'username' => $username,
            'session_key' => encrypt($sessionKey),
            'expires_at' => $now + self::TTL,
        ]);
        return $token;
    }

    /**
     * Takes a token out of the table. Returns null when it is unknown, used, expired, or not for
     * this login session ($session: WHMCS's $_SESSION; `adminid` for admins, `uid` for clients).
     *
     * @return array{cometUrl: string, username: string, sessionKey: string, kind: string}|null
     */
    public static function consume(string $token, array $session, ?int $now = null): ?array
    {
        if (preg_match('/^[A-Za-z0-9_-]{43}$/', $token) !== 1) {
            return null;
        }
        self::ensureSchema();
        $now ??= time();
        $hash = hash('sha256', $token);
        $row = Capsule::table(self::TABLE)->where('token_hash', $hash)->first();
        if ($row === null) {
            return null;
        }
        // Whoever deletes the row owns the token: a concurrent second use deletes nothing.
        if (Capsule::table(self::TABLE)->where('token_hash', $hash)->delete() !== 1) {
            return null;
        }
        if ((int) $row->expires_at < $now) {
            return null;
        }
        $isAdmin = (int) ($session['adminid'] ?? 0) > 0;
        $isOwner = (int) $row->client_id > 0 && (int) ($session['uid'] ?? 0) === (int) $row->client_id;
        if (!$isAdmin && !($row->kind === 'user' && $isOwner)) {
            return null;
        }
        $key = (string) decrypt((string) $row->session_key);
        if ($key === '') {
            return null;
        }
        return [
            'cometUrl' => (string) $row->comet_url,
            'username' => (string) $row->username,
            'sessionKey' => $key,
            'kind' => (string) $row->kind,
        ];
    }

    public static function ensureSchema(): void
    {
        if (self::$schemaChecked) {
            return;
        }
        $schema = Capsule::schema();
        if (!$schema->hasTable(self::TABLE)) {
            try {
                $schema->create(self::TABLE, static function ($table) {
                    $table->char('token_hash', 64)->primary();
                    $table->string('kind', 8);
                    $table->unsignedInteger('client_id')->default(0);
                    $table->string('comet_url', 1024);
                    $table->string('username', 255);
                    $table->text('session_key');
                    $table->unsignedBigInteger('expires_at')->index();
                });
            } catch (\Throwable $e) {
                if (!Capsule::schema()->hasTable(self::TABLE)) {
                    throw $e;
                }
            }
        }
        self::$schemaChecked = true;
    }

    public static function resetSchemaCheck(): void
    {
        self::$schemaChecked = false;
    }
}
