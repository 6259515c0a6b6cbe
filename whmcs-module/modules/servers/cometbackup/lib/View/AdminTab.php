<?php
// The admin's service tab (AdminServicesTabFields): the Comet account at a glance.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\View;

use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Whmcs\Lang;

/**
 * label => HTML. WHMCS prints the values as HTML, so every value built from Comet or the database
 * is escaped here (vault and device names are typed by the end user). One profile read; never throws:
 * a failure is one row that says what happened, next to what the database alone can tell.
 *
 *     function cometbackup_AdminServicesTabFields(array $params) {
 *         $stored = ['lastupdate' => <tblhosting.lastupdate of $params['serviceid']>];
 *         return AdminTab::forService($params, $stored);
 *     }
 */
final class AdminTab
{
    /** The admin preview page, relative to the admin folder (always one level below the WHMCS root). */
    public const PREVIEW_URL = '../modules/servers/cometbackup/preview/index.html';

    /** The whole entry point for cometbackup_AdminServicesTabFields, including building the client. */
    public static function forService(array $params, array $stored): array
    {
        try {
            $client = CometClient::fromParams($params);
        } catch (\Throwable $e) {
            $username = Format::str($params['username'] ?? '');
            return [
                Lang::text('ui.admin.username') => $username === '' ? '' : '<code>' . self::e($username) . '</code>',
                Lang::text('ui.admin.comet') => self::e(Lang::text('ui.admin.error.server') . ' (' . $e->getMessage() . ')'),
            ] + self::tail($stored);
        }
        return self::fields($params, $client, $stored);
    }

    /**
     * @param array{lastupdate?: string|null} $stored values the module keeps in WHMCS's database
     * @return array<string, string>
     */
    public static function fields(array $params, CometClient $client, array $stored): array
    {
        try {
            return self::build($params, $client, $stored);
        } catch (\Throwable $e) {
            return [Lang::text('ui.admin.comet') => self::e(Lang::text('ui.error.internal'))] + self::tail($stored);
        }
    }

    private static function build(array $params, CometClient $client, array $stored): array
    {
        $username = Format::str($params['username'] ?? '');
        $rows = [Lang::text('ui.admin.username') => $username === ''
            ? '<em>' . self::e(Lang::text('ui.admin.notprovisioned')) . '</em>'
            : '<code>' . self::e($username) . '</code>'];
        if ($username === '') {
            return $rows + self::tail($stored);
        }

        $reply = $client->post('get-user-profile-and-hash', ['TargetUser' => $username], [], 'AdminServicesTabFields');
        $failure = ClientArea::failureKey($reply);
        $json = $reply->json();
        $profile = is_array($json) && is_array($json['Profile'] ?? null) ? $json['Profile'] : null;
        if ($failure !== null || $profile === null) {
            $key = $failure === null ? 'ui.admin.error.badreply' : match ($failure[0]) {
                'ui.error.missing' => 'ui.admin.error.missing',
                'ui.error.unreachable' => 'ui.admin.error.unreachable',
                default => 'ui.admin.error.server',
            };
            $text = Lang::text($key);
            $api = $reply->apiError();
            if ($api !== null && Format::str($api['Message'] ?? '') !== '') {
                // The admin may see Comet's own words (never secrets: it is an error text).
                $text .= ' (' . Format::int($api['Status'] ?? 0) . ': ' . Format::str($api['Message']) . ')';
            }
            $rows[Lang::text('ui.admin.comet')] = '<span class="label label-danger badge badge-danger">'
                . self::e(Lang::text('ui.admin.error')) . '</span> ' . self::e($text);
            return $rows + self::tail($stored);
        }

        $suspended = ($profile['IsSuspended'] ?? false) === true;
        $rows[Lang::text('ui.admin.state')] = $suspended
            ? '<span class="label label-warning badge badge-warning">' . self::e(Lang::text('ui.admin.suspended')) . '</span>'
            : '<span class="label label-success badge badge-success">' . self::e(Lang::text('ui.admin.active')) . '</span>';

        $devices = count(Format::arr($profile['Devices'] ?? null));
        $max = Format::int($profile['MaximumDevices'] ?? 0);
        $rows[Lang::text('ui.admin.devices')] = self::e($devices . ' / ' . ($max > 0 ? (string) $max : Lang::text('ui.unlimited')));

        $model = ClientArea::model($profile, [], $username, Format::int($params['serviceid'] ?? 0));
        $lines = [];
        foreach ($model['vaults'] as $v) {
            $line = $v['name'] . ': ' . $v['used'] . ' / ' . $v['limit'];
            if ($v['limited']) {
                $line .= ' (' . $v['percent'] . '%)';
            }
            if ($v['local']) {
                $line .= ' - ' . $v['note'];
            }
            $lines[] = self::e($line);
        }
        $rows[Lang::text('ui.admin.vaults')] = $lines === []
            ? '<em>' . self::e(Lang::text('ui.novaults')) . '</em>'
            : implode('<br>', $lines);

        $p = $model['protected'];
        $rows[Lang::text('ui.admin.protected')] = self::e($p['used'] . ' / ' . $p['limit']
            . ($p['limited'] ? ' (' . $p['percent'] . '%)' : ''));

        $policy = Format::str($profile['PolicyID'] ?? '');
        $rows[Lang::text('ui.admin.policy')] = $policy === ''
            ? '<em>' . self::e(Lang::text('ui.admin.nopolicy')) . '</em>'
            : '<code>' . self::e($policy) . '</code>';

        return $rows + self::tail($stored);
    }

    /** The rows that need no Comet call: last usage sync and the preview link. */
    private static function tail(array $stored): array
    {
        $last = Format::str($stored['lastupdate'] ?? '');
        $never = $last === '' || str_starts_with($last, '0000-00-00');
        return [
            Lang::text('ui.admin.lastsync') => $never
                ? '<em>' . self::e(Lang::text('ui.admin.never')) . '</em>'
                : self::e($last . ' ' . Format::timezone()),
            Lang::text('ui.admin.preview') => '<a href="' . self::e(self::PREVIEW_URL) . '" target="_blank" rel="noopener noreferrer">'
                . self::e(Lang::text('ui.admin.previewlink')) . '</a>',
        ];
    }

    private static function e(string $s): string
    {
        return htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    }
}
