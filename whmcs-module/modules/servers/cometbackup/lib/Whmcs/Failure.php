<?php
// Turns a failed plan or a caught exception into the one sentence WHMCS shows.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Whmcs;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\CoreException;

final class Failure
{
    /**
     * "Comet Backup <Action> failed: <worded message> (<the core's message>) [request: x]".
     * The worded part comes from lang/english.php by the core's code; the core's own sentence
     * follows because it names the account, the endpoint and Comet's reason. (The App hands a
     * plan's failure over as its parts, so this layer knows nothing of plans.)
     *
     * @param array<string, mixed> $detail
     * @param list<string> $secrets
     */
    public static function fromCode(string $action, ?string $code, string $coreMessage, array $detail = [], ?string $endpoint = null, array $secrets = []): string
    {
        return self::sentence($action, $code, $coreMessage, $detail, $endpoint, $secrets);
    }

    public static function fromThrowable(string $action, \Throwable $e, array $secrets = []): string
    {
        if ($e instanceof CoreException) {
            return self::sentence($action, 'module.setup', $e->getMessage(), [], null, $secrets);
        }
        if ($e instanceof \InvalidArgumentException) {
            return self::sentence($action, 'module.config', $e->getMessage(), [], null, $secrets);
        }
        if ($e instanceof \PDOException || is_a($e, 'Illuminate\Database\QueryException')) {
            // SQL text and bindings stay in the module log; the sentence names the problem only.
            return self::sentence($action, 'module.database', '', [], null, $secrets);
        }
        return self::sentence($action, 'module.internal', get_class($e) . ': ' . $e->getMessage(), [], null, $secrets);
    }

    /** A sentence of this module's own (lang key + optional detail). */
    public static function fromKey(string $action, string $key, string $detail = '', array $secrets = []): string
    {
        return self::sentence($action, $key, $detail, [], null, $secrets);
    }

    /** The worded message without the "Comet Backup X failed:" prefix (for arrays' error fields). */
    public static function words(?string $code, string $coreMessage, array $detail = [], ?string $endpoint = null): string
    {
        $worded = $code !== null && Lang::has($code) ? Lang::text($code, self::scalars($detail)) : '';
        $core = trim($coreMessage);
        if ($worded === '') {
            $message = $core !== '' ? $core : Lang::text('module.internal');
        } elseif ($core === '' || $core === $worded) {
            $message = $worded;
        } else {
            $message = $worded . ' (' . rtrim($core, '.') . ')';
        }
        if ($endpoint !== null && $endpoint !== '' && !str_contains($message, $endpoint)) {
            $message .= ' [request: ' . $endpoint . ']';
        }
        return $message;
    }

    /** @param list<string> $secrets */
    private static function sentence(string $action, ?string $code, string $coreMessage, array $detail, ?string $endpoint, array $secrets): string
    {
        $label = Lang::has('ui.action.' . $action) ? Lang::text('ui.action.' . $action) : $action;
        $text = Lang::text('ui.failed', ['action' => $label, 'message' => self::words($code, $coreMessage, $detail, $endpoint)]);
        return self::clean($text, $secrets);
    }

    /**
     * One line of plain text, no secret in it, at most 1,000 characters.
     *
     * @param list<string> $secrets
     */
    public static function clean(string $text, array $secrets = []): string
    {
        usort($secrets, static fn ($a, $b) => strlen((string) $b) <=> strlen((string) $a));
        foreach ($secrets as $s) {
            $s = (string) $s;
            if ($s !== '') {
                $text = str_replace($s, str_repeat('*', 8), $text);
            }
        }
        $text = trim((string) preg_replace('/[\x00-\x1F\x7F]+/u', ' ', $text));
        if (!mb_check_encoding($text, 'UTF-8')) {
            $text = mb_convert_encoding($text, 'UTF-8', 'UTF-8');
        }
        return mb_strlen($text) > 1000 ? mb_substr($text, 0, 997) . '...' : $text;
    }

    /** @return array<string, scalar> */
    private static function scalars(array $detail): array
    {
        return array_filter($detail, static fn ($v) => is_scalar($v));
    }
}
