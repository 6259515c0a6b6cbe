<?php
// Wording lookup: lang/english.php, keyed by the core's error codes and by ui.* keys.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Whmcs;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

final class Lang
{
    /** @var array<string, string>|null */
    private static ?array $texts = null;

    /**
     * The text for $key with `{name}` placeholders filled from $vars (plain text: callers escape
     * for HTML). An unknown key returns the key itself, so a missing string is visible, not blank.
     *
     * @param array<string, scalar|null> $vars
     */
    public static function text(string $key, array $vars = []): string
    {
        $text = self::all()[$key] ?? $key;
        if ($vars !== []) {
            $replace = [];
            foreach ($vars as $name => $value) {
                $replace['{' . $name . '}'] = is_scalar($value) ? (string) $value : '';
            }
            $text = strtr($text, $replace);
        }
        return $text;
    }

    public static function has(string $key): bool
    {
        return isset(self::all()[$key]);
    }

    /** @return array<string, string> */
    public static function all(): array
    {
        if (self::$texts === null) {
            self::$texts = self::load(dirname(__DIR__, 2) . '/lang/english.php');
        }
        return self::$texts;
    }

    /** @return array<string, string> */
    private static function load(string $file): array
    {
        if (!is_file($file)) {
            return [];
        }
        $_LANG = [];
        // The file assigns $_LANG[...] entries (WHMCS's language-file convention).
        include $file;
        $out = [];
        foreach ($_LANG as $k => $v) {
            if (is_string($k) && is_string($v)) {
                $out[$k] = $v;
            }
        }
        return $out;
    }
}
