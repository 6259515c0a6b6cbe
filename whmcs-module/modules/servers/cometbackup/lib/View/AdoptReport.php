<?php
// What the "Adopt Comet account" button found, as the one sentence WHMCS shows for a button.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\View;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Whmcs\Lang;

/**
 * Words the core's AdoptAccount output ({username, adopted, alreadyAdopted, creationGuid,
 * policy: {account, product, matches}, quotas: [{name, account, product, matches}]}) from lang keys:
 * whether the account was adopted now or already, its policy and each quota against the product's.
 * Plain text (WHMCS escapes a button's message).
 */
final class AdoptReport
{
    /** @param array<string, mixed> $out */
    public static function text(array $out): string
    {
        $vars = [
            'username' => Format::str($out['username'] ?? ''),
            'guid' => Format::str($out['creationGuid'] ?? ''),
        ];
        $parts = [Lang::text(($out['adopted'] ?? false) === true ? 'ui.adopt.adopted' : 'ui.adopt.already', $vars)];
        $differs = false;

        $policy = Format::arr($out['policy'] ?? null);
        if ($policy !== []) {
            $matches = ($policy['matches'] ?? false) === true;
            $differs = $differs || !$matches;
            $parts[] = Lang::text('ui.adopt.policy', [
                'account' => self::policy($policy['account'] ?? null),
                'product' => self::policy($policy['product'] ?? null),
                'verdict' => Lang::text($matches ? 'ui.adopt.matches' : 'ui.adopt.differs'),
            ]);
        }

        $quotas = [];
        foreach (Format::arr($out['quotas'] ?? null) as $q) {
            $q = Format::arr($q);
            $matches = ($q['matches'] ?? false) === true;
            $differs = $differs || !$matches;
            $name = Format::str($q['name'] ?? '');
            $quotas[] = Lang::text('ui.adopt.quota', [
                'name' => self::quotaName($name),
                'account' => self::amount($name, $q['account'] ?? null),
                'product' => self::amount($name, $q['product'] ?? null),
                'verdict' => Lang::text($matches ? 'ui.adopt.matches' : 'ui.adopt.differs'),
            ]);
        }
        if ($quotas !== []) {
            $parts[] = Lang::text('ui.adopt.quotas') . ' ' . implode('; ', $quotas) . '.';
        }
        $parts[] = Lang::text($differs ? 'ui.adopt.reapply' : 'ui.adopt.allmatch');
        return implode(' ', $parts);
    }

    private static function quotaName(string $name): string
    {
        $key = 'ui.adopt.quota.' . $name;
        return Lang::has($key) ? Lang::text($key) : $name;
    }

    /** A policy group ID, or "None" when there is none. */
    private static function policy(mixed $v): string
    {
        $id = Format::str($v);
        return $id === '' ? Lang::text('ui.admin.nopolicy') : $id;
    }

    /**
     * A quota: the core reports devices as a count and the others in bytes, 0 meaning unlimited,
     * null meaning the product does not set it.
     */
    private static function amount(string $name, mixed $v): string
    {
        if (!is_int($v) && !is_float($v)) {
            return self::value($v);
        }
        if ((int) $v <= 0) {
            return Lang::text('ui.unlimited');
        }
        return $name === 'devices' ? (string) (int) $v : Format::bytes($v);
    }

    /** A reported value: null is "not set"; numbers and text as they are. */
    private static function value(mixed $v): string
    {
        if ($v === null || $v === '') {
            return Lang::text('ui.adopt.unset');
        }
        if (is_bool($v)) {
            return Lang::text($v ? 'ui.adopt.on' : 'ui.adopt.off');
        }
        if (is_array($v)) {
            return implode(', ', array_map(static fn ($x) => self::value($x), $v));
        }
        return Format::str($v);
    }
}
