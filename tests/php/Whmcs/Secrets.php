<?php
// The whole-run scan for leaked secrets: every module log entry and activity line (recorded and in
// the harness tables), every rendered page or printed output, and every exception message the
// module let out, searched for each needle in plain, URL-encoded, JSON-escaped, HTML-escaped and
// base64 form. Hits name the place and the form, never the secret.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

use WHMCS\Database\Capsule;

final class Secrets
{
    /** @var list<string> */
    private static array $pages = [];
    /** @var list<string> */
    private static array $exceptions = [];
    /** @var array<string, true> every secret the module was given or masked in this run (see addNeedle) */
    private static array $needles = [];

    /**
     * Remembers a secret for the whole-run scan (tests/php/SecretsScanTest.php): Whmcs::call adds the
     * passwords in the params it passes to this module, Recorder the values the module masked
     * (session keys included). Values shorter than 8 bytes (e.g. the fixture default "admin"), longer
     * than 4,096, not UTF-8 or holding control characters other than tab (hostile-input cases) are not realistic
     * secrets and would only match unrelated text, so they are left out.
     */
    public static function addNeedle(mixed $value): void
    {
        if (is_string($value) && strlen($value) >= 8 && strlen($value) <= 4096 && mb_check_encoding($value, 'UTF-8')
            && preg_match('/[\x00-\x08\x0A-\x1F\x7F]/', $value) !== 1) {
            self::$needles[$value] = true;
        }
    }

    /** @return list<string> */
    public static function needles(): array
    {
        return array_map('strval', array_keys(self::$needles));
    }

    public static function recordPage(string $html): void
    {
        self::$pages[] = $html;
    }

    public static function recordException(string $message): void
    {
        self::$exceptions[] = $message;
    }

    /**
     * @param list<string> $needles secret values (empty strings are ignored)
     * @param array<string, string> $extra more texts to search (name => text), e.g. log files
     * @return list<string> hits such as "module log #3 response: secret #1 (url-encoded)"
     */
    public static function scan(array $needles, array $extra = []): array
    {
        $haystacks = $extra;
        foreach (Recorder::allModuleLog() as $i => $entry) {
            foreach (['action', 'request', 'response', 'processed'] as $part) {
                $haystacks["module log #{$i} {$part}"] = $entry[$part];
            }
        }
        foreach (Recorder::allActivity() as $i => $line) {
            $haystacks["activity #{$i}"] = $line;
        }
        if (Database::isReady()) {
            foreach (Capsule::table('mod_harness_module_log')->get() as $row) {
                $haystacks["table mod_harness_module_log id {$row->id}"] = $row->action . "\n" . $row->request . "\n" . $row->response . "\n" . $row->processed;
            }
            foreach (Capsule::table('mod_harness_activity_log')->get() as $row) {
                $haystacks["table mod_harness_activity_log id {$row->id}"] = (string) $row->description;
            }
        }
        foreach (self::$pages as $i => $page) {
            $haystacks["page #{$i}"] = $page;
        }
        foreach (self::$exceptions as $i => $message) {
            $haystacks["exception #{$i}"] = $message;
        }
        $hits = [];
        foreach (array_values($needles) as $n => $needle) {
            if (!is_string($needle) || $needle === '') {
                continue;
            }
            foreach (self::forms($needle) as $form => $variants) {
                foreach ($haystacks as $where => $text) {
                    foreach ($variants as $variant) {
                        if ($variant !== '' && str_contains($text, $variant)) {
                            $hits[] = "{$where}: secret #{$n} ({$form})";
                            break;
                        }
                    }
                }
            }
        }
        return array_values(array_unique($hits));
    }

    /** Counts of what a scan looks at, so a test can check the scan saw something. */
    public static function coverage(): array
    {
        return [
            'moduleLog' => count(Recorder::allModuleLog()),
            'activity' => count(Recorder::allActivity()),
            'pages' => count(self::$pages),
            'exceptions' => count(self::$exceptions),
        ];
    }

    /** @return array<string, list<string>> */
    private static function forms(string $needle): array
    {
        $json = substr((string) json_encode($needle, JSON_UNESCAPED_UNICODE), 1, -1);
        $jsonAscii = substr((string) json_encode($needle), 1, -1);
        return [
            'plain' => [$needle],
            'url-encoded' => [rawurlencode($needle), urlencode($needle)],
            'json-escaped' => [$json, $jsonAscii, str_replace('/', '\\/', $json)],
            'html-escaped' => [htmlspecialchars($needle, ENT_QUOTES | ENT_HTML5), htmlspecialchars($needle, ENT_QUOTES)],
            'base64' => self::base64Forms($needle),
        ];
    }

    /**
     * The base64 text that encodes $needle wherever it sits in a longer string: one variant per
     * alignment, keeping only the characters that depend on the needle alone.
     *
     * @return list<string>
     */
    private static function base64Forms(string $needle): array
    {
        $forms = [];
        foreach ([0, 1, 2] as $shift) {
            $encoded = base64_encode(str_repeat("\0", $shift) . $needle);
            $skip = $shift === 0 ? 0 : 4;
            $usableBytes = intdiv($shift + strlen($needle), 3) * 3;
            $keep = intdiv($usableBytes, 3) * 4 - $skip;
            if ($keep >= 4) {
                $forms[] = substr($encoded, $skip, $keep);
            }
        }
        foreach ([base64_encode($needle), rtrim(strtr(base64_encode($needle), '+/', '-_'), '=')] as $whole) {
            $forms[] = $whole;
        }
        return array_values(array_unique($forms));
    }
}
