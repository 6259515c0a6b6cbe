<?php
// What the Comet admin API's replies hold, for whoever must treat them specially (the module log):
// kept in lib/Api so that no Comet endpoint name lives outside the transport.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Api;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

final class Endpoints
{
    public const PROFILE = 'profile';
    public const PROFILES = 'profiles';
    public const POLICY = 'policy';

    /** Endpoints whose successful reply is whole account or policy data, and what it is. */
    private const WHOLE_DATA = [
        'get-user-profile' => self::PROFILE,
        'list-users-full' => self::PROFILES,
        'policies/get' => self::POLICY,
    ];

    /**
     * PROFILE (one user profile), PROFILES (a map of them), POLICY ({Policy, PolicyHash}: a whole
     * policy group), or null for a reply of no special shape.
     */
    public static function wholeData(string $endpoint): ?string
    {
        return self::WHOLE_DATA[$endpoint] ?? null;
    }
}
