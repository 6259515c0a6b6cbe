<?php
// The one place that knows which values are secret and how a logged request or reply is redacted.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Api;

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

    /** Reply members that are secret or carry a whole profile. */
    private const SECRET_REPLY_KEYS = [
        'SessionKey', 'Profile', 'PasswordHash', 'PasswordRecovery', 'TOTPKey', 'CometBucketKey',
        'ProfileData', 'EncryptionKey', 'SecretKey', 'Password',
    ];

    /** Endpoints whose successful reply is one or many whole user profiles. */
    private const PROFILE_ENDPOINTS = ['get-user-profile', 'list-users-full'];

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
            if ($name === 'ProfileData' || $name === 'Policy' && strlen($value) > 4096) {
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
     * Profile replies are reduced to a summary; other JSON keeps its shape with secret members
     * replaced; binary bodies become a size note.
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
        $found = [];
        if (in_array($endpoint, self::PROFILE_ENDPOINTS, true) && !self::isEnvelope($json)) {
            if ($endpoint === 'list-users-full') {
                return ['[list-users-full: ' . count($json) . ' user profiles, ' . strlen($body) . ' bytes, not logged]', []];
            }
            $who = is_string($json['Username'] ?? null) ? ' of ' . $json['Username'] : '';
            return ['[user profile' . $who . ', ' . strlen($body) . ' bytes, not logged]', []];
        }
        $redacted = self::redactTree($json, $found);
        $text = json_encode($redacted, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PARTIAL_OUTPUT_ON_ERROR);
        return [is_string($text) ? $text : '[unprintable JSON reply]', $found];
    }

    private static function isEnvelope(array $json): bool
    {
        return isset($json['Status'], $json['Message']) && count($json) === 2;
    }

    /** @param list<string> $found */
    private static function redactTree(array $tree, array &$found, int $depth = 0): array
    {
        foreach ($tree as $key => $value) {
            if (is_string($key) && in_array($key, self::SECRET_REPLY_KEYS, true)) {
                if (is_string($value) && $value !== '') {
                    $found[] = $value;
                }
                $tree[$key] = $key === 'Profile' ? '[profile, not logged]' : '********';
            } elseif (is_array($value) && $depth < 16) {
                $tree[$key] = self::redactTree($value, $found, $depth + 1);
            }
        }
        return $tree;
    }
}
