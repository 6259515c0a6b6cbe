<?php
// The one place that knows which values are secret and how a logged request or reply is redacted.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Api;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Api\Endpoints;

final class Redactor
{
    /**
     * Request parameters masked in every log, whatever a plan's `secrets` say. The core's `version`
     * op publishes the same list as `secretParams`; the PlanRunner adds that list when the core
     * has it, so this constant is only the fallback for older cores.
     */
    public const ALWAYS_SECRET_PARAMS = [
        'Password', 'TargetPassword', 'NewPassword', 'OldPassword', 'SessionKey', 'TOTP', 'ProfileData',
    ];

    /**
     * Reply members masked by name: any member whose name contains one of these words, in any case
     * ("SessionKey", "S3SecretKey", "apiToken", "PasswordHash", "AuthType", ...), at any depth.
     *
     * The match is deliberately wide, and it will hit names that are not secrets: flags such as
     * "RequirePasswordChange", concurrency hashes such as "ProfileHash", and the keys of maps keyed
     * by data (a device whose random ID happens to contain "key" in a map of devices, a user named
     * "monkey" in list-users). That is the safe direction, and it is made cheap: a match masks the
     * member's strings and numbers, at every depth below it, but keeps its shape (member names,
     * list lengths, true/false and null, which cannot carry a secret), so a false positive costs
     * only the readability of some values in the log, while a real secret is never printed.
     */
    private const SECRET_NAME_PATTERN = '/password|passwd|secret|key|token|hash|auth/i';

    /**
     * Members whose values are secrets for certain: they are also masked wherever else they appear
     * in the log entry (logModuleCall's $replaceVars). Values masked only by the pattern are not:
     * a false positive (an AuthType of "Password", a 0) would scrub ordinary words from the log.
     */
    private const KNOWN_SECRET_REPLY_KEYS = [
        'SessionKey', 'PasswordHash', 'PasswordRecovery', 'TOTPKey', 'CometBucketKey', 'EncryptionKey',
        'SecretKey', 'Password', 'ProfileData',
    ];

    /**
     * The secret values a service's $params carry: the admin password and the service passwords
     * (the WHMCS one and the custom field), for logModuleCall's $replaceVars.
     *
     * @return list<string>
     */
    public static function valuesFromParams(array $params): array
    {
        $values = [
            $params['serverpassword'] ?? '',
            $params['password'] ?? '',
            $params['customfields']['Password'] ?? '',
        ];
        return array_values(array_filter(array_map('strval', $values), static fn (string $v) => $v !== ''));
    }

    /**
     * A request form for the log: secret parameters become asterisks, ProfileData a size note.
     *
     * @param array<string, string> $form
     * @param list<string> $secretNames
     * @return array<string, string>
     */
    public static function request(array $form, array $secretNames): array
    {
        $out = [];
        foreach ($form as $name => $value) {
            // A whole profile or policy group (policies/set) is summarised, as their replies are.
            if ($name === 'ProfileData' || $name === 'Policy') {
                $out[$name] = '[' . $name . ': ' . strlen($value) . ' bytes of JSON, not logged]';
            } elseif (in_array($name, $secretNames, true) || in_array($name, self::ALWAYS_SECRET_PARAMS, true)) {
                $out[$name] = $value === '' ? '' : '********';
            } else {
                $out[$name] = $value;
            }
        }
        return $out;
    }

    /**
     * A reply body for the log, and the secret values found in it (session keys) for $replaceVars.
     * Profile and policy replies are reduced to a summary; other JSON keeps its shape with secret
     * members masked (see SECRET_NAME_PATTERN); binary bodies become a size note.
     *
     * @return array{0: string, 1: list<string>}
     */
    public static function reply(string $endpoint, string $body, string $contentType = ''): array
    {
        if ($body === '') {
            return ['', []];
        }
        if (str_contains(strtolower($contentType), 'octet-stream') || !mb_check_encoding($body, 'UTF-8')) {
            return ['[binary reply, ' . strlen($body) . ' bytes]', []];
        }
        $json = json_decode($body, true, 512, JSON_BIGINT_AS_STRING);
        if (!is_array($json)) {
            return [strlen($body) > 2048 ? substr($body, 0, 2048) . '... [' . strlen($body) . ' bytes]' : $body, []];
        }
        $whole = Endpoints::wholeData($endpoint);
        if ($whole !== null && !self::isEnvelope($json)) {
            $size = strlen($body) . ' bytes';
            if ($whole === Endpoints::PROFILES) {
                return ['[' . $endpoint . ': ' . count($json) . ' user profiles, ' . $size . ', not logged]', []];
            }
            if ($whole === Endpoints::POLICY) {
                $policy = is_array($json['Policy'] ?? null) ? $json['Policy'] : [];
                $what = self::label($policy['Description'] ?? null);
                return ['[policy group' . ($what !== '' ? ' "' . $what . '"' : '') . ', ' . $size . ', not logged]', []];
            }
            $who = self::label($json['Username'] ?? null);
            return ['[user profile' . ($who !== '' ? ' of ' . $who : '') . ', ' . $size . ', not logged]', []];
        }
        $found = [];
        $redacted = self::redactTree($json, $found, false);
        $text = json_encode($redacted, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PARTIAL_OUTPUT_ON_ERROR);
        return [is_string($text) ? $text : '[unprintable JSON reply]', $found];
    }

    /** True when a reply member's name marks its value as secret (see SECRET_NAME_PATTERN). */
    public static function isSecretName(string $name): bool
    {
        return preg_match(self::SECRET_NAME_PATTERN, $name) === 1;
    }

    private static function isEnvelope(array $json): bool
    {
        return isset($json['Status'], $json['Message']) && count($json) === 2;
    }

    /** A name or description for a summary: short printable text, else nothing. */
    private static function label(mixed $value): string
    {
        return is_string($value) && $value !== '' && strlen($value) <= 100 && preg_match('/^[^\x00-\x1F\x7F]+$/u', $value) === 1 ? $value : '';
    }

    /**
     * @param list<string> $found
     * @param bool $masked the tree hangs below a secret name: every string and number is masked
     */
    private static function redactTree(array $tree, array &$found, bool $masked, int $depth = 0): array
    {
        foreach ($tree as $key => $value) {
            $secret = $masked || (is_string($key) && self::isSecretName($key));
            if ($key === 'Profile') {
                $tree[$key] = '[profile, not logged]';
            } elseif (is_array($value)) {
                $tree[$key] = $depth < 16 ? self::redactTree($value, $found, $secret, $depth + 1) : '[nested too deep, not logged]';
            } elseif ($secret && (is_string($value) || is_int($value) || is_float($value))) {
                if (is_string($value) && $value !== '' && is_string($key) && in_array($key, self::KNOWN_SECRET_REPLY_KEYS, true)) {
                    $found[] = $value;
                }
                $tree[$key] = $value === '' ? '' : '********';
            }
        }
        return $tree;
    }
}
