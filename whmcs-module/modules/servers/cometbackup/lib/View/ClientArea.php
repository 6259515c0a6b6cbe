<?php
// The customer's product-details page: the core's ServiceOverview result as a page.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\View;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Service\PlanResult;
use WHMCS\Module\Server\CometBackup\Whmcs\Lang;

/**
 * Renders what the core's ServiceOverview plan returned: the account, devices, vaults, quotas and
 * recent jobs (raw numbers and names, computed and checked by the core, which verified first that
 * the account is this service's own), or the failure as one clear sentence. This view never talks to
 * Comet. Everything handed to the template is plain text or a number; the templates escape every
 * value, because device names, protected item names and vault names are typed by the end user.
 *
 *     return ClientArea::page($overviewResult, $serviceId);
 *
 * Never throws: a malformed result becomes templates/error with one clear sentence.
 */
final class ClientArea
{
    public const TEMPLATE = 'templates/clientarea';
    public const ERROR_TEMPLATE = 'templates/error';

    /** The core's failure codes of ServiceOverview => [lang key, tone]; anything else is a server failure. */
    private const FAILURES = [
        'service.terminated' => ['ui.error.terminated', 'warning'],
        'service.pending' => ['ui.error.pending', 'warning'],
        'account.no_username' => ['ui.error.noaccount', 'warning'],
        'account.missing' => ['ui.error.missing', 'warning'],
        'account.not_ours' => ['ui.error.notours', 'warning'],
        'comet.unreachable' => ['ui.error.unreachable', 'danger'],
        'comet.timeout' => ['ui.error.unreachable', 'danger'],
        'comet.transport' => ['ui.error.unreachable', 'danger'],
        'comet.bad_reply' => ['ui.error.badreply', 'danger'],
        'comet.unexpected' => ['ui.error.badreply', 'danger'],
    ];

    /**
     * @param string $status the WHMCS service status: the sign-in button is offered only to an Active
     *        service (the core refuses a customer's sign-in otherwise)
     * @return array{templatefile: string, vars: array<string, mixed>}
     */
    public static function page(PlanResult $overview, int $serviceId, string $status = 'Active'): array
    {
        try {
            if (!$overview->ok()) {
                [$key, $tone] = self::failureKey($overview->code);
                return self::error($key, $tone);
            }
            $out = $overview->output;
            return [
                'templatefile' => self::TEMPLATE,
                'vars' => [
                    'cb' => ['ssoUrl' => $status === 'Active' ? self::ssoUrl($serviceId) : ''] + self::model($out, $serviceId),
                    'cbJobsFailed' => ($out['jobsFailed'] ?? false) === true,
                    'cbText' => self::texts(),
                ],
            ];
        } catch (\Throwable $e) {
            // A bug in this view must not take the customer's whole product page down.
            return self::error('ui.error.internal');
        }
    }

    /**
     * The lang key and tone for a failed ServiceOverview.
     *
     * @return array{0: string, 1: string}
     */
    public static function failureKey(?string $code): array
    {
        return self::FAILURES[(string) $code] ?? ['ui.error.server', 'danger'];
    }

    /** The error template with one sentence; tone 'warning' for states, 'danger' for failures. */
    public static function error(string $langKey, string $tone = 'danger'): array
    {
        return [
            'templatefile' => self::ERROR_TEMPLATE,
            'vars' => [
                'cbError' => Lang::text($langKey),
                'cbErrorTone' => $tone,
                'cbErrorTitle' => Lang::text('ui.title'),
            ],
        ];
    }

    /**
     * The view model: plain strings and integers only.
     *
     * @param array<string, mixed> $o the ServiceOverview output
     */
    public static function model(array $o, int $serviceId): array
    {
        $devices = [];
        foreach (Format::arr($o['devices'] ?? null) as $d) {
            $d = Format::arr($d);
            $devices[] = [
                'name' => self::nameOr(Format::str($d['name'] ?? ''), Format::str($d['id'] ?? '')),
                'platform' => trim(Format::str($d['os'] ?? '') . ' ' . Format::str($d['arch'] ?? '')),
                'version' => Format::str($d['version'] ?? ''),
                'registered' => Format::time($d['registered'] ?? 0),
            ];
        }

        $vaults = [];
        foreach (Format::arr($o['vaults'] ?? null) as $v) {
            $v = Format::arr($v);
            $local = ($v['local'] ?? false) === true;
            $vaults[] = [
                'name' => self::nameOr(Format::str($v['name'] ?? ''), Lang::text('ui.vault.unnamed')),
                'local' => $local,
                'note' => $local ? Lang::text('ui.vault.localcopy') : '',
            ] + Format::usage(Format::int($v['usedBytes'] ?? 0), ($v['limited'] ?? false) === true, Format::int($v['limitBytes'] ?? 0));
        }

        $items = [];
        foreach (Format::arr($o['items'] ?? null) as $i) {
            $i = Format::arr($i);
            $items[] = [
                'name' => self::nameOr(Format::str($i['name'] ?? ''), Lang::text('ui.item.unnamed')),
                'device' => self::deviceName(Format::str($i['deviceId'] ?? ''), Format::str($i['deviceName'] ?? '')),
                'lastBackup' => Format::time($i['lastBackup'] ?? 0),
                'size' => Format::bytes($i['sizeBytes'] ?? 0),
            ];
        }

        $p = Format::arr($o['protected'] ?? null);
        $protected = Format::usage(Format::int($p['usedBytes'] ?? 0), ($p['limited'] ?? false) === true, Format::int($p['limitBytes'] ?? 0));

        $jobs = [];
        foreach (Format::arr($o['jobs'] ?? null) as $j) {
            $j = Format::arr($j);
            $status = Format::jobStatus($j['status'] ?? 0);
            $itemId = Format::str($j['itemId'] ?? '');
            $end = Format::int($j['ended'] ?? 0);
            $jobs[] = [
                'started' => Format::time($j['started'] ?? 0),
                'ended' => $end > 0 ? Format::time($end) : '',
                'type' => Format::jobType($j['classification'] ?? 0),
                'status' => $status['label'],
                'tone' => $status['tone'],
                'device' => self::deviceName(Format::str($j['deviceId'] ?? ''), Format::str($j['deviceName'] ?? '')),
                'item' => ($j['itemRemoved'] ?? false) === true
                    ? Lang::text('ui.item.removed')
                    : ($itemId === '' ? '' : self::nameOr(Format::str($j['itemName'] ?? ''), Lang::text('ui.item.unnamed'))),
                'vault' => Format::str($j['vaultName'] ?? ''),
                'files' => Format::int($j['files'] ?? 0),
                'size' => Format::bytes($j['sizeBytes'] ?? 0),
                'uploaded' => Format::bytes($j['uploadedBytes'] ?? 0),
                'downloaded' => Format::bytes($j['downloadedBytes'] ?? 0),
            ];
        }

        $used = Format::int($o['devicesUsed'] ?? count($devices));
        $limit = Format::int($o['devicesLimit'] ?? 0);
        return [
            'username' => Format::str($o['username'] ?? ''),
            'suspended' => ($o['suspended'] ?? false) === true,
            'devicesUsed' => $used,
            'devicesLimit' => $limit > 0 ? (string) $limit : Lang::text('ui.unlimited'),
            'devicesFull' => $limit > 0 && $used >= $limit,
            'devices' => $devices,
            'vaults' => $vaults,
            'protected' => $protected,
            'items' => $items,
            'jobs' => $jobs,
            'timezone' => Format::timezone(),
            'downloads' => Downloads::links($serviceId),
            'ssoUrl' => self::ssoUrl($serviceId),
        ];
    }

    private static function ssoUrl(int $serviceId): string
    {
        return 'clientarea.php?action=productdetails&id=' . $serviceId . '&dosinglesignon=1';
    }

    /** @return array<string, string> every fixed string the template prints */
    public static function texts(): array
    {
        $keys = [
            'title', 'account', 'username', 'devices', 'devicesFull', 'suspended',
            'vaults', 'vault', 'used', 'quota', 'novaults', 'protected', 'protectedHelp',
            'items', 'item', 'device', 'lastBackup', 'size', 'noitems', 'nodevices', 'platform', 'version',
            'registered', 'jobs', 'jobsHelp', 'jobsTimezone', 'nojobs', 'jobsFailed', 'started', 'ended',
            'type', 'status', 'files', 'uploaded', 'downloaded', 'downloads', 'downloadsHelp', 'sso', 'ssoHelp',
        ];
        $out = [];
        foreach ($keys as $k) {
            $out[$k] = Lang::text('ui.' . $k);
        }
        return $out;
    }

    /** A device's name; '' when no device is named, "unknown device" for one no longer on the account. */
    private static function deviceName(string $id, string $name): string
    {
        if ($name !== '') {
            return $name;
        }
        return $id === '' ? '' : Lang::text('ui.device.unknown');
    }

    private static function nameOr(string $name, string $fallback): string
    {
        return trim($name) === '' ? $fallback : $name;
    }
}
