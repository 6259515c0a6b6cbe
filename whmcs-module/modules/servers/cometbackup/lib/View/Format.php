<?php
// Plain-text formatting shared by the views: sizes, times, job labels, vault usage. Templates escape.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\View;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Whmcs\Lang;

/**
 * Every function here takes decoded Comet JSON values of any type (a profile comes from the network
 * and may be malformed) and returns plain text or numbers; none throws on odd input.
 *
 * @internal
 */
final class Format
{
    /** Comet's DESTINATIONTYPE_LOCALCOPY: a copy on the customer's own disk, never subject to a quota. */
    public const DESTINATION_LOCAL_COPY = 1002;

    /** Job date format: 24-hour clock with the timezone abbreviation, so no reader guesses AM/PM or zone. */
    public const TIME_FORMAT = 'Y-m-d H:i T';

    private const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

    /** "0 B", "512 B", "1.5 GB", "100 GB": binary multiples, as the product's GB quotas are (1 GB = 1024^3). */
    public static function bytes(mixed $bytes): string
    {
        $n = self::int($bytes);
        if ($n <= 0) {
            return '0 B';
        }
        $unit = 0;
        $value = (float) $n;
        while ($value >= 1024 && $unit < count(self::UNITS) - 1) {
            $value /= 1024;
            $unit++;
        }
        if ($unit === 0) {
            return $n . ' B';
        }
        $text = $value >= 100 ? number_format($value, 0, '.', '') : rtrim(rtrim(number_format($value, 1, '.', ''), '0'), '.');
        return $text . ' ' . self::UNITS[$unit];
    }

    /** A Unix time in the PHP default timezone as "2024-05-01 17:05 UTC"; '' for 0 or missing. */
    public static function time(mixed $unixSeconds): string
    {
        $t = self::int($unixSeconds);
        if ($t <= 0) {
            return '';
        }
        return date(self::TIME_FORMAT, $t);
    }

    /** The PHP default timezone's name, shown once beside the job table. */
    public static function timezone(): string
    {
        return date_default_timezone_get();
    }

    /** An integer from a JSON number or numeric string; 0 for anything else (Go's zero value). */
    public static function int(mixed $v): int
    {
        if (is_int($v)) {
            return $v;
        }
        if (is_float($v) && is_finite($v)) {
            return (int) $v;
        }
        if (is_string($v) && preg_match('/^-?\d{1,18}$/', $v) === 1) {
            return (int) $v;
        }
        return 0;
    }

    /** A string from a JSON string or number; '' for anything else. */
    public static function str(mixed $v): string
    {
        if (is_string($v)) {
            return $v;
        }
        if (is_int($v) || is_float($v)) {
            return (string) $v;
        }
        return '';
    }

    /** An array from a JSON object/array; [] for null and scalars (Comet sends null for empty maps). */
    public static function arr(mixed $v): array
    {
        return is_array($v) ? $v : [];
    }

    /**
     * Status of a BackupJobDetail: 5xxx success, 6xxx running, 7xxx failure (7003: a quota stopped it).
     *
     * @return array{label: string, tone: string} tone is a Bootstrap contextual name common to 3 and 4
     */
    public static function jobStatus(mixed $status): array
    {
        $s = self::int($status);
        $specific = [
            5000 => 'ui.job.status.success',
            6001 => 'ui.job.status.running',
            6002 => 'ui.job.status.revived',
            7000 => 'ui.job.status.timeout',
            7001 => 'ui.job.status.warning',
            7002 => 'ui.job.status.error',
            7003 => 'ui.job.status.quota',
            7004 => 'ui.job.status.missed',
            7005 => 'ui.job.status.cancelled',
            7006 => 'ui.job.status.skipped',
            7007 => 'ui.job.status.abandoned',
        ];
        if ($s >= 5000 && $s <= 5999) {
            $tone = 'success';
            $fallback = 'ui.job.status.success';
        } elseif ($s >= 6000 && $s <= 6999) {
            $tone = 'info';
            $fallback = 'ui.job.status.running';
        } elseif ($s >= 7000 && $s <= 7999) {
            // A warning finish still completed; everything else in 7xxx did not.
            $tone = $s === 7001 || $s === 7006 ? 'warning' : 'danger';
            $fallback = 'ui.job.status.failed';
        } else {
            return ['label' => Lang::text('ui.job.status.unknown'), 'tone' => 'default'];
        }
        return ['label' => Lang::text($specific[$s] ?? $fallback), 'tone' => $tone];
    }

    /** The kind of job (BackupJobDetail.Classification, 4001..4011). */
    public static function jobType(mixed $classification): string
    {
        $c = self::int($classification);
        $keys = [
            4001 => 'ui.job.type.backup',
            4002 => 'ui.job.type.restore',
            4003 => 'ui.job.type.retention',
            4004 => 'ui.job.type.unlock',
            4005 => 'ui.job.type.delete',
            4006 => 'ui.job.type.measure',
            4007 => 'ui.job.type.update',
            4008 => 'ui.job.type.import',
            4009 => 'ui.job.type.reindex',
            4010 => 'ui.job.type.verify',
            4011 => 'ui.job.type.uninstall',
        ];
        return Lang::text($keys[$c] ?? 'ui.job.type.other');
    }

    /**
     * Usage against an optional quota.
     *
     * @return array{used: string, usedBytes: int, limited: bool, limit: string, limitBytes: int, percent: int, tone: string}
     */
    public static function usage(int $usedBytes, bool $limited, int $limitBytes): array
    {
        $limited = $limited && $limitBytes > 0;
        $percent = 0;
        if ($limited) {
            $percent = (int) min(100, max(0, floor($usedBytes * 100 / $limitBytes)));
            if ($usedBytes > 0 && $percent === 0) {
                $percent = 1; // a sliver, so "some use" never looks like "none"
            }
        }
        $tone = $percent >= 90 ? 'danger' : ($percent >= 75 ? 'warning' : 'success');
        return [
            'used' => self::bytes($usedBytes),
            'usedBytes' => max(0, $usedBytes),
            'limited' => $limited,
            'limit' => $limited ? self::bytes($limitBytes) : Lang::text('ui.unlimited'),
            'limitBytes' => $limited ? $limitBytes : 0,
            'percent' => $percent,
            'tone' => $tone,
        ];
    }
}
