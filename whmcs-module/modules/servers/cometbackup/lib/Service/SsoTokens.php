<?php
// Single-use, 60-second sign-in tokens: the Comet session key stays on the server, never in a URL.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Database\Capsule;

/**
 * ServiceSingleSignOn / AdminSingleSignOn store the session key here under a random token and
 * redirect the browser to sso.php?token=...; sso.php consumes the token once (delete-then-use, so
 * a second use finds nothing) and prints the postMessage page. The table holds only the SHA-256
 * of the token and the session key encrypted with WHMCS's encrypt(); rows expire after 60 s and
 * are purged whenever a token is issued or consumed.
 *
 * A token is bound twice:
 * - to the WHMCS login session that asked for it: the row keeps the SHA-256 of its PHP session ID
 *   (never the ID itself, which would let a reader of the table ride the session), and only a
 *   request of that same session can consume it, so a link that leaks (history, a screenshot, a
 *   proxy log) is useless in any other browser;
 * - to its role: an admin token (AdminSingleSignOn) needs an admin login, a user token needs an
 *   admin login or the client who owns the service.
 */
final class SsoTokens
{
    public const TABLE = 'mod_cometbackup_sso';
    public const TTL = 60;

    private static bool $schemaChecked = false;

    /**
     * The digest a token is bound to, for the PHP session ID of the login (session_id()); '' when
     * there is no session (nothing can be bound to it, so issue() refuses and consume() finds nothing).
     */
    public static function sessionDigest(string $sessionId): string
    {
        return $sessionId === '' ? '' : hash('sha256', $sessionId);
    }

    /**
     * @param string $kind 'user' or 'admin'
     * @param int $clientId the service's client (user SSO), 0 for admin-only tokens
     * @param string $sessionDigest sessionDigest() of the login session asking for the token
     * @return string the token (URL-safe, 43 characters)
     * @throws \InvalidArgumentException without a login session to bind the token to
     */
    public static function issue(string $cometUrl, string $username, string $sessionKey, string $kind, int $clientId, string $sessionDigest, ?int $now = null): string
    {
        if (preg_match('/^[0-9a-f]{64}$/', $sessionDigest) !== 1) {
            throw new \InvalidArgumentException('a sign-in token needs the WHMCS login session it is for');
        }
        self::ensureSchema();
        $now ??= time();
        self::purge($now);
        $token = rtrim(strtr(base64_encode(random_bytes(32)), '+/', '-_'), '=');
        Capsule::table(self::TABLE)->insert([
            'token_hash' => hash('sha256', $token),
            'kind' => $kind,
            'client_id' => $clientId,
            'session_hash' => $sessionDigest,
            'comet_url' => $cometUrl,
            'username' => $username,
            'session_key' => encrypt($sessionKey),
            'expires_at' => $now + self::TTL,
        ]);
        return $token;
    }

    /**
     * Takes a token out of the table. Returns null when it is unknown, used, expired, asked for by
     * another login session, or not for this login's role ($session: WHMCS's $_SESSION; `adminid`
     * for admins, `uid` for clients; $sessionDigest: sessionDigest() of this request's session).
     * A refused token is spent all the same: whoever holds a leaked link cannot try again.
     *
     * @return array{cometUrl: string, username: string, sessionKey: string, kind: string}|null
     */
    public static function consume(string $token, array $session, string $sessionDigest, ?int $now = null): ?array
    {
        if (preg_match('/^[A-Za-z0-9_-]{43}$/', $token) !== 1) {
            return null;
        }
        self::ensureSchema();
        $now ??= time();
        self::purge($now);
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
        if ($sessionDigest === '' || !hash_equals((string) $row->session_hash, $sessionDigest)) {
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

    /** Expired rows go whenever the table is touched: a session key never outlives its 60 s. */
    private static function purge(int $now): void
    {
        Capsule::table(self::TABLE)->where('expires_at', '<', $now)->delete();
    }

    public static function ensureSchema(): void
    {
        if (self::$schemaChecked) {
            return;
        }
        $schema = Capsule::schema();
        if ($schema->hasTable(self::TABLE) && !$schema->hasColumn(self::TABLE, 'session_hash')) {
            // A table of an older release: its rows are bound to no session and so cannot be used
            // any more (they expire within 60 s anyway); the column is added for new tokens.
            try {
                $schema->table(self::TABLE, static function ($table) {
                    $table->char('session_hash', 64)->default('');
                });
            } catch (\Throwable $e) {
                if (!Capsule::schema()->hasColumn(self::TABLE, 'session_hash')) {
                    throw $e;
                }
            }
        }
        if (!$schema->hasTable(self::TABLE)) {
            try {
                $schema->create(self::TABLE, static function ($table) {
                    $table->char('token_hash', 64)->primary();
                    $table->string('kind', 8);
                    $table->unsignedInteger('client_id')->default(0);
                    $table->char('session_hash', 64);
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
