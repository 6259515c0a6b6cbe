<?php
// WHMCS's module log for this module: logModuleCall with every secret masked.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Whmcs;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Api\RequestLog;
use WHMCS\Module\Server\CometBackup\Api\Redactor;
use WHMCS\Module\Server\CometBackup\Api\Response;

/**
 * Writes one module-log entry per Comet request. Secrets are removed twice: by name here
 * (Redactor: secret parameters, reply members by name pattern, profile and policy data) and by value through
 * logModuleCall's $replaceVars (admin password, service passwords, session keys), so a secret
 * echoed in an unexpected place is still masked.
 */
final class ModuleLog implements RequestLog
{
    public const MODULE = 'cometbackup';

    /** @var array<string, true> */
    private array $secrets = [];

    /** @param list<string> $secretValues */
    public function __construct(array $secretValues = [])
    {
        $this->addSecrets($secretValues);
    }

    /** @param list<string|null> $values */
    public function addSecrets(array $values): void
    {
        foreach ($values as $v) {
            $v = (string) $v;
            if ($v !== '') {
                $this->secrets[$v] = true;
            }
        }
    }

    /** @return list<string> */
    public function secrets(): array
    {
        $values = array_map('strval', array_keys($this->secrets));
        // Longest first, so a secret that contains another is masked whole.
        usort($values, static fn (string $a, string $b) => strlen($b) <=> strlen($a));
        return $values;
    }

    /**
     * @param array<string, string> $request the form as sent
     * @param Response|string $response
     * @param list<string> $secretValues values to mask besides the ones this log already knows
     * @param list<string> $secretNames request parameters to mask by name
     */
    public function call(
        string $action,
        string $endpoint,
        array $request,
        $response,
        array $secretValues = [],
        array $secretNames = []
    ): void {
        $this->addSecrets($secretValues);
        $logged = Redactor::request($request, $secretNames);
        if ($response instanceof Response) {
            $error = $response->transportError();
            if ($error !== null) {
                $body = 'transport error (' . $error['kind'] . '): ' . $error['message'];
                $processed = $response->describe();
            } else {
                [$body, $found] = Redactor::reply($endpoint, $response->body(), $response->contentType());
                $this->addSecrets($found);
                $processed = $response->describe();
            }
        } else {
            [$body, $found] = Redactor::reply($endpoint, (string) $response);
            $this->addSecrets($found);
            $processed = '';
        }
        $this->write($action, $endpoint, $logged, $body, $processed);
    }

    /** A note that is not a Comet request (e.g. which WebAssembly backend ran), with the same masking. */
    public function note(string $action, string $what, string $detail): void
    {
        $this->write($action, $what, [], $detail, '');
    }

    /** @param array<string, string> $request */
    private function write(string $action, string $endpoint, array $request, string $response, string $processed): void
    {
        if (!function_exists('logModuleCall')) {
            return;
        }
        try {
            logModuleCall(
                self::MODULE,
                $action,
                ['endpoint' => $endpoint] + $request,
                $response,
                $processed,
                $this->secrets()
            );
        } catch (\Throwable $e) {
            // The log must never break an action.
        }
    }
}
