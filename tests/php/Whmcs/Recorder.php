<?php
// What the module told WHMCS: module log entries (masked as WHMCS masks them), activity log lines,
// localAPI calls, registered hooks and strict-mode failures. Per-test lists are cleared by reset();
// the whole-run lists feed Secrets::scan().

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

use WHMCS\Database\Capsule;

final class Recorder
{
    private static bool $moduleLogEnabled = true;
    /** @var list<array{module: string, action: string, request: string, response: string, processed: string}> */
    private static array $moduleLog = [];
    /** @var list<array{module: string, action: string, request: string, response: string, processed: string}> */
    private static array $allModuleLog = [];
    /** @var list<array{message: string, userid: int}> */
    private static array $activity = [];
    /** @var list<string> */
    private static array $allActivity = [];
    /** @var list<array{command: string, values: array<string, mixed>, admin: string, result: array<string, mixed>}> */
    private static array $localApi = [];
    /** @var list<string> */
    private static array $strictFailures = [];
    /** @var list<array{hook: string, priority: int, function: mixed}> */
    private static array $hooks = [];

    /** Module logging on (default) or off, like Configuration > System Logs > Module Log. */
    public static function setModuleLogEnabled(bool $enabled): void
    {
        self::$moduleLogEnabled = $enabled;
    }

    /**
     * @param mixed $request
     * @param mixed $response
     * @param mixed $processed
     * @param mixed $replaceVars
     */
    public static function logModuleCall(string $module, string $action, $request, $response, $processed, $replaceVars): void
    {
        if (!self::$moduleLogEnabled) {
            return;
        }
        $needles = [];
        foreach (is_array($replaceVars) ? $replaceVars : [] as $value) {
            if (is_string($value) && $value !== '') {
                $needles[] = $value;
                if ($module === 'cometbackup') {
                    Secrets::addNeedle($value);   // what the module masks is secret (session keys too)
                }
            }
        }
        // Longest first, so a secret that contains another is masked whole.
        usort($needles, static fn (string $a, string $b): int => strlen($b) <=> strlen($a));
        $mask = static function ($value) use ($needles): string {
            $text = is_array($value) || is_object($value) ? print_r($value, true) : (string) $value;
            foreach ($needles as $needle) {
                $text = str_replace($needle, str_repeat('*', strlen($needle)), $text);
            }
            return $text;
        };
        $entry = [
            'module' => $module,
            'action' => $action,
            'request' => $mask($request),
            'response' => $mask($response),
            'processed' => $mask($processed),
        ];
        self::$moduleLog[] = $entry;
        self::$allModuleLog[] = $entry;
        if (Database::isReady()) {
            Capsule::table('mod_harness_module_log')->insert($entry + ['created_at' => date('Y-m-d H:i:s')]);
        }
    }

    public static function logActivity(string $message, int $userId = 0): void
    {
        self::$activity[] = ['message' => $message, 'userid' => $userId];
        self::$allActivity[] = $message;
        if (Database::isReady()) {
            Capsule::table('mod_harness_activity_log')->insert([
                'description' => $message,
                'userid' => $userId,
                'date' => date('Y-m-d H:i:s'),
            ]);
        }
    }

    /**
     * @param array<string, mixed> $values
     * @param array<string, mixed> $result
     */
    public static function recordLocalApi(string $command, array $values, string $admin, array $result): void
    {
        self::$localApi[] = ['command' => $command, 'values' => $values, 'admin' => $admin, 'result' => $result];
    }

    public static function strictFailure(string $message): void
    {
        self::$strictFailures[] = $message;
    }

    /** Returns and forgets the strict-mode failures recorded since the last call. */
    public static function takeStrictFailures(): array
    {
        $failures = self::$strictFailures;
        self::$strictFailures = [];
        return $failures;
    }

    /** @param mixed $function */
    public static function addHook(string $hook, int $priority, $function): void
    {
        self::$hooks[] = ['hook' => $hook, 'priority' => $priority, 'function' => $function];
    }

    /** @return list<array{module: string, action: string, request: string, response: string, processed: string}> */
    public static function moduleLog(): array
    {
        return self::$moduleLog;
    }

    /** @return list<array{message: string, userid: int}> */
    public static function activity(): array
    {
        return self::$activity;
    }

    /** @return list<array{command: string, values: array<string, mixed>, admin: string, result: array<string, mixed>}> */
    public static function localApiCalls(?string $command = null): array
    {
        if ($command === null) {
            return self::$localApi;
        }
        return array_values(array_filter(self::$localApi, static fn (array $c): bool => $c['command'] === $command));
    }

    /** @return list<array{hook: string, priority: int, function: mixed}> */
    public static function hooks(): array
    {
        return self::$hooks;
    }

    /** @return list<array{module: string, action: string, request: string, response: string, processed: string}> */
    public static function allModuleLog(): array
    {
        return self::$allModuleLog;
    }

    /** @return list<string> */
    public static function allActivity(): array
    {
        return self::$allActivity;
    }

    /** Clears the per-test records (the whole-run lists used by Secrets::scan stay). */
    public static function reset(): void
    {
        self::$moduleLogEnabled = true;
        self::$moduleLog = [];
        self::$activity = [];
        self::$localApi = [];
        self::$strictFailures = [];
    }
}
