<?php
// The customer's product-details page: account, devices, vaults, quotas, recent jobs, downloads, SSO.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\View;

use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Api\Response;
use WHMCS\Module\Server\CometBackup\Whmcs\Lang;

/**
 * Builds the WHMCS ClientArea return value from two reads (the profile, then the last 14 days of
 * jobs). Everything handed to the template is plain text or a number; the templates escape every
 * value, because device names, protected item names and vault names are typed by the end user.
 *
 *     return ClientArea::forService($params);
 *
 * Never throws: any failure becomes templates/error with one clear sentence (and the technical
 * detail stays in the module log that CometClient writes).
 */
final class ClientArea
{
    public const TEMPLATE = 'templates/clientarea';
    public const ERROR_TEMPLATE = 'templates/error';

    /** How far back "recent jobs" reaches, and how many rows the table shows at most. */
    public const JOB_WINDOW_SECONDS = 14 * 86400;
    public const JOB_LIMIT = 50;

    /**
     * @param int|null $now Unix seconds (tests pin it; WHMCS passes nothing)
     * @return array{templatefile: string, vars: array<string, mixed>}
     */
    public static function build(array $params, CometClient $client, ?int $now = null): array
    {
        try {
            return self::buildOrFail($params, $client, $now ?? time());
        } catch (\Throwable $e) {
            // A bug in this view must not take the customer's whole product page down.
            return self::error('ui.error.internal');
        }
    }

    /**
     * The whole entry point for cometbackup_ClientArea: builds the client from the server params too,
     * so a server setting that cannot form a URL is the error template as well, never an exception.
     */
    public static function forService(array $params): array
    {
        try {
            $client = CometClient::fromParams($params);
        } catch (\Throwable $e) {
            return self::error('ui.error.server');
        }
        return self::build($params, $client);
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

    private static function buildOrFail(array $params, CometClient $client, int $now): array
    {
        $status = Format::str($params['status'] ?? '');
        if ($status === 'Terminated' || $status === 'Cancelled') {
            return self::error('ui.error.terminated', 'warning');
        }
        $username = Format::str($params['username'] ?? '');
        if ($username === '') {
            return self::error($status === 'Pending' ? 'ui.error.pending' : 'ui.error.noaccount', 'warning');
        }

        $reply = $client->post('get-user-profile-and-hash', ['TargetUser' => $username], [], 'ClientArea');
        $failure = self::failureKey($reply);
        if ($failure !== null) {
            return self::error($failure[0], $failure[1]);
        }
        $json = $reply->json();
        $profile = is_array($json) && is_array($json['Profile'] ?? null) ? $json['Profile'] : null;
        // Comet echoes the username it read; a different one means a confused proxy or server, and
        // showing someone else's devices would be worse than showing nothing.
        if ($profile === null || Format::str($profile['Username'] ?? $username) !== $username) {
            return self::error('ui.error.badreply');
        }

        $jobsReply = $client->post(
            'get-jobs-for-custom-search',
            ['Query' => self::jobQuery($username, $now)],
            [],
            'ClientArea'
        );
        $jobsFailed = self::failureKey($jobsReply) !== null || !self::isList($jobsReply->json(), $jobsReply->body());

        $serviceId = Format::int($params['serviceid'] ?? 0);
        return [
            'templatefile' => self::TEMPLATE,
            'vars' => [
                'cb' => self::model($profile, $jobsFailed ? [] : Format::arr($jobsReply->json()), $username, $serviceId),
                'cbJobsFailed' => $jobsFailed,
                'cbText' => self::texts(),
            ],
        ];
    }

    /**
     * The view model: plain strings and integers only.
     *
     * @param array<mixed> $profile UserProfileConfig
     * @param array<mixed> $jobs    BackupJobDetail list
     */
    public static function model(array $profile, array $jobs, string $username, int $serviceId): array
    {
        $devicesById = Format::arr($profile['Devices'] ?? null);
        $sourcesById = Format::arr($profile['Sources'] ?? null);
        $vaultsById = Format::arr($profile['Destinations'] ?? null);

        $maxDevices = Format::int($profile['MaximumDevices'] ?? 0);

        $devices = [];
        foreach ($devicesById as $id => $d) {
            $d = Format::arr($d);
            $os = Format::arr($d['PlatformVersion'] ?? null);
            $devices[] = [
                'name' => self::nameOr(Format::str($d['FriendlyName'] ?? ''), (string) $id),
                'platform' => trim(Format::str($os['os'] ?? '') . ' ' . Format::str($os['arch'] ?? '')),
                'version' => Format::str($d['ClientVersion'] ?? ''),
                'registered' => Format::time($d['RegistrationTime'] ?? 0),
            ];
        }
        usort($devices, static fn (array $a, array $b): int => strcasecmp($a['name'], $b['name']));

        $vaults = [];
        foreach ($vaultsById as $id => $v) {
            $v = Format::arr($v);
            $type = Format::int($v['DestinationType'] ?? 0);
            $stats = Format::arr($v['Statistics'] ?? null);
            $size = Format::int(Format::arr($stats['ClientProvidedSize'] ?? null)['Size'] ?? 0);
            // A local copy lives on the customer's own disk: no provider quota applies to it.
            $local = $type === Format::DESTINATION_LOCAL_COPY;
            $usage = Format::usage(
                $size,
                !$local && ($v['StorageLimitEnabled'] ?? false) === true,
                Format::int($v['StorageLimitBytes'] ?? 0)
            );
            $vaults[] = [
                'name' => self::nameOr(Format::str($v['Description'] ?? ''), Lang::text('ui.vault.unnamed')),
                'local' => $local,
                'note' => $local ? Lang::text('ui.vault.localcopy') : '',
            ] + $usage;
        }
        usort($vaults, static fn (array $a, array $b): int => [(int) $a['local'], strtolower($a['name'])]
            <=> [(int) $b['local'], strtolower($b['name'])]);

        $items = [];
        $protectedBytes = 0;
        foreach ($sourcesById as $id => $s) {
            $s = Format::arr($s);
            $stats = Format::arr($s['Statistics'] ?? null);
            $last = Format::arr($stats['LastBackupJob'] ?? null);
            $size = Format::int($last['TotalSize'] ?? 0);
            $protectedBytes += max(0, $size);
            $owner = Format::str($s['OwnerDevice'] ?? '');
            $items[] = [
                'name' => self::nameOr(Format::str($s['Description'] ?? ''), Lang::text('ui.item.unnamed')),
                'device' => self::deviceName($devicesById, $owner),
                'lastBackup' => Format::time($stats['LastStartTime'] ?? ($last['StartTime'] ?? 0)),
                'size' => Format::bytes($size),
            ];
        }
        usort($items, static fn (array $a, array $b): int => strcasecmp($a['name'], $b['name']));

        $protected = Format::usage(
            $protectedBytes,
            ($profile['AllProtectedItemsQuotaEnabled'] ?? false) === true,
            Format::int($profile['AllProtectedItemsQuotaBytes'] ?? 0)
        );

        return [
            'username' => $username,
            'suspended' => ($profile['IsSuspended'] ?? false) === true,
            'devicesUsed' => count($devicesById),
            'devicesLimit' => $maxDevices > 0 ? (string) $maxDevices : Lang::text('ui.unlimited'),
            'devicesFull' => $maxDevices > 0 && count($devicesById) >= $maxDevices,
            'devices' => $devices,
            'vaults' => $vaults,
            'protected' => $protected,
            'items' => $items,
            'jobs' => self::jobs($jobs, $username, $devicesById, $sourcesById, $vaultsById),
            'timezone' => Format::timezone(),
            'downloads' => Downloads::links($serviceId),
            'ssoUrl' => 'clientarea.php?action=productdetails&id=' . $serviceId . '&dosinglesignon=1',
        ];
    }

    /**
     * The last JOB_LIMIT jobs of this user, newest first (Comet returns them in no particular order).
     *
     * @return list<array<string, mixed>>
     */
    public static function jobs(array $jobs, string $username, array $devices, array $sources, array $vaults): array
    {
        $rows = [];
        foreach ($jobs as $j) {
            if (!is_array($j)) {
                continue;
            }
            // The query already filters by user; this guards against a server that ignored it.
            if (array_key_exists('Username', $j) && Format::str($j['Username']) !== $username) {
                continue;
            }
            $rows[] = $j;
        }
        usort($rows, static function (array $a, array $b): int {
            return [Format::int($b['StartTime'] ?? 0), Format::str($b['GUID'] ?? '')]
                <=> [Format::int($a['StartTime'] ?? 0), Format::str($a['GUID'] ?? '')];
        });
        $rows = array_slice($rows, 0, self::JOB_LIMIT);

        $out = [];
        foreach ($rows as $j) {
            $status = Format::jobStatus($j['Status'] ?? 0);
            $sourceId = Format::str($j['SourceGUID'] ?? '');
            $source = Format::arr($sources[$sourceId] ?? null);
            $vault = Format::arr($vaults[Format::str($j['DestinationGUID'] ?? '')] ?? null);
            $end = Format::int($j['EndTime'] ?? 0);
            $out[] = [
                'started' => Format::time($j['StartTime'] ?? 0),
                'ended' => $end > 0 ? Format::time($end) : '',
                'type' => Format::jobType($j['Classification'] ?? 0),
                'status' => $status['label'],
                'tone' => $status['tone'],
                'device' => self::deviceName($devices, Format::str($j['DeviceID'] ?? '')),
                'item' => $source === []
                    ? ($sourceId === '' ? '' : Lang::text('ui.item.removed'))
                    : self::nameOr(Format::str($source['Description'] ?? ''), Lang::text('ui.item.unnamed')),
                'vault' => Format::str($vault['Description'] ?? ''),
                'files' => Format::int($j['TotalFiles'] ?? 0),
                'size' => Format::bytes($j['TotalSize'] ?? 0),
                'uploaded' => Format::bytes($j['UploadSize'] ?? 0),
                'downloaded' => Format::bytes($j['DownloadSize'] ?? 0),
            ];
        }
        return $out;
    }

    /** The SearchClause for this user's jobs that started in the last 14 days, as a JSON form field. */
    public static function jobQuery(string $username, int $now): string
    {
        $clause = [
            'ClauseType' => 'and',
            'ClauseChildren' => [
                ['ClauseType' => '', 'RuleField' => 'BackupJobDetail.Username', 'RuleOperator' => 'str_eq', 'RuleValue' => $username],
                ['ClauseType' => '', 'RuleField' => 'BackupJobDetail.StartTime', 'RuleOperator' => 'int_gt',
                    'RuleValue' => (string) ($now - self::JOB_WINDOW_SECONDS)],
            ],
        ];
        return json_encode($clause, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR);
    }

    /**
     * What went wrong with a reply, as [lang key, tone], or null when it is a usable success.
     *
     * @return array{0: string, 1: string}|null
     */
    public static function failureKey(Response $r): ?array
    {
        if ($r->transportError() !== null) {
            return ['ui.error.unreachable', 'danger'];
        }
        $api = $r->apiError();
        if ($api === null && $r->httpStatus() !== 200) {
            // A server (or proxy) that mirrors the error Status in the HTTP status still sends the envelope.
            $body = json_decode($r->body(), true);
            if (is_array($body) && is_int($body['Status'] ?? null) && $body['Status'] >= 400) {
                $api = ['Status' => $body['Status']];
            }
        }
        if ($api !== null) {
            $code = Format::int($api['Status'] ?? 0);
            // Comet answers 400 for an unknown user (older servers: 404/500 with a "not found" text
            // are handled as generic failures, which is still a clear sentence).
            if ($code === 400 || $code === 404) {
                return ['ui.error.missing', 'warning'];
            }
            return ['ui.error.server', 'danger'];
        }
        if ($r->httpStatus() !== 200) {
            return ['ui.error.server', 'danger'];
        }
        return null;
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

    private static function deviceName(array $devices, string $id): string
    {
        if ($id === '') {
            return '';
        }
        $d = Format::arr($devices[$id] ?? null);
        if ($d === []) {
            return Lang::text('ui.device.unknown');
        }
        return self::nameOr(Format::str($d['FriendlyName'] ?? ''), $id);
    }

    private static function nameOr(string $name, string $fallback): string
    {
        return trim($name) === '' ? $fallback : $name;
    }

    /** A JSON list, or JSON null (Comet's empty list). */
    private static function isList(mixed $json, string $body): bool
    {
        if (is_array($json)) {
            return array_is_list($json);
        }
        return trim($body) === 'null';
    }
}
