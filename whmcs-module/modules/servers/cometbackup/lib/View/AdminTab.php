<?php
// The admin's service tab (AdminServicesTabFields): the core's ServiceOverview result at a glance.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\View;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Service\PlanResult;
use WHMCS\Module\Server\CometBackup\Whmcs\Lang;

/**
 * label => HTML. WHMCS prints the values as HTML, so every value built from Comet or the database
 * is escaped here (vault and device names are typed by the end user). This view never talks to
 * Comet: it renders the plan's result. Never throws: a failure is one row that says what happened,
 * next to what the database alone can tell. When the account under the service's name is not the
 * service's own (account.not_ours), the row names both creation IDs and nothing of that account
 * is shown.
 *
 *     return AdminTab::fields($overviewResult, $params, ['lastupdate' => ..., 'marker' => ...]);
 */
final class AdminTab
{
    /** The admin preview page, relative to the admin folder (always one level below the WHMCS root). */
    public const PREVIEW_URL = '../modules/servers/cometbackup/preview/index.html';

    /** The core's failure codes => lang key of the row's sentence (others: the server refused). */
    private const FAILURES = [
        'account.missing' => 'ui.admin.error.missing',
        'service.terminated' => 'ui.error.terminated',
        'comet.unreachable' => 'ui.admin.error.unreachable',
        'comet.timeout' => 'ui.admin.error.unreachable',
        'comet.transport' => 'ui.admin.error.unreachable',
        'comet.bad_reply' => 'ui.admin.error.badreply',
        'comet.unexpected' => 'ui.admin.error.badreply',
    ];

    /**
     * @param array{lastupdate?: string|null, marker?: string|null} $stored what the module keeps in WHMCS's database
     * @return array<string, string>
     */
    public static function fields(PlanResult $overview, array $params, array $stored): array
    {
        try {
            return self::build($overview, $params, $stored);
        } catch (\Throwable $e) {
            return self::failed(Lang::text('ui.error.internal'), $stored);
        }
    }

    /**
     * One error row with $sentence (plain text) and the stored rows.
     *
     * @return array<string, string>
     */
    public static function failed(string $sentence = '', array $stored = []): array
    {
        return [Lang::text('ui.admin.comet') => self::errorLabel() . ' '
            . self::e($sentence !== '' ? $sentence : Lang::text('ui.error.internal'))] + self::tail($stored);
    }

    private static function build(PlanResult $overview, array $params, array $stored): array
    {
        $out = $overview->output;
        $username = Format::str($out['username'] ?? '');
        if ($username === '') {
            $username = Format::str($params['username'] ?? '');
        }
        $code = $overview->ok() ? null : (string) $overview->code;
        if ($code === 'account.no_username' || $code === 'service.pending') {
            return [Lang::text('ui.admin.username') => '<em>' . self::e(Lang::text('ui.admin.notprovisioned')) . '</em>'] + self::tail($stored);
        }
        $rows = [Lang::text('ui.admin.username') => $username === '' ? '' : '<code>' . self::e($username) . '</code>'];
        if ($code === 'account.not_ours') {
            // The other account's name is the service's own username; nothing else of it is shown.
            $text = Lang::text('ui.admin.notours', [
                'marker' => Format::str($overview->detail['marker'] ?? ($stored['marker'] ?? '')),
                'creationGuid' => Format::str($overview->detail['creationGuid'] ?? ''),
            ]);
            $rows[Lang::text('ui.admin.comet')] = '<span class="label label-warning badge badge-warning">'
                . self::e(Lang::text('ui.admin.warning')) . '</span> ' . self::e($text);
            return $rows + self::tail($stored);
        }
        if ($code !== null) {
            $text = Lang::text(self::FAILURES[$code] ?? 'ui.admin.error.server');
            $status = Format::int($overview->detail['status'] ?? 0);
            $message = Format::str($overview->detail['message'] ?? '');
            if ($message !== '') {
                // The admin may see Comet's own words (an error text, never a secret).
                $text .= ' (' . ($status > 0 ? $status . ': ' : '') . $message . ')';
            }
            $rows[Lang::text('ui.admin.comet')] = self::errorLabel() . ' ' . self::e($text);
            return $rows + self::tail($stored);
        }

        $rows[Lang::text('ui.admin.state')] = ($out['suspended'] ?? false) === true
            ? '<span class="label label-warning badge badge-warning">' . self::e(Lang::text('ui.admin.suspended')) . '</span>'
            : '<span class="label label-success badge badge-success">' . self::e(Lang::text('ui.admin.active')) . '</span>';

        $model = ClientArea::model($out, Format::int($params['serviceid'] ?? 0));
        $rows[Lang::text('ui.admin.devices')] = self::e($model['devicesUsed'] . ' / ' . $model['devicesLimit']);

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

        if (array_key_exists('policy', $out)) {
            $policy = Format::str($out['policy']);
            $rows[Lang::text('ui.admin.policy')] = $policy === ''
                ? '<em>' . self::e(Lang::text('ui.admin.nopolicy')) . '</em>'
                : '<code>' . self::e($policy) . '</code>';
        }
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

    private static function errorLabel(): string
    {
        return '<span class="label label-danger badge badge-danger">' . self::e(Lang::text('ui.admin.error')) . '</span>';
    }

    private static function e(string $s): string
    {
        return htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
    }
}
