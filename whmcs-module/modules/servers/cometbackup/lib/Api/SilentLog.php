<?php
// A RequestLog that writes nothing but still collects the secrets (for callers outside WHMCS, e.g.
// tools and tests that build a client by hand; the module always passes its module log).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Api;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

final class SilentLog implements RequestLog
{
    /** @var array<string, true> */
    private array $secrets = [];

    public function addSecrets(array $values): void
    {
        foreach ($values as $v) {
            if ((string) $v !== '') {
                $this->secrets[(string) $v] = true;
            }
        }
    }

    public function secrets(): array
    {
        $values = array_map('strval', array_keys($this->secrets));
        usort($values, static fn (string $a, string $b) => strlen($b) <=> strlen($a));
        return $values;
    }

    public function call(string $action, string $endpoint, array $request, $response, array $secretValues = [], array $secretNames = []): void
    {
        $this->addSecrets($secretValues);
    }

    public function note(string $action, string $what, string $detail): void
    {
    }
}
