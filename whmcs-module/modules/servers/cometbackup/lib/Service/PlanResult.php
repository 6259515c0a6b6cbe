<?php
// The finished step of a plan: {result, code?, detail?, effects, output?}.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

final class PlanResult
{
    /**
     * @param list<array{type: string, value: mixed}> $effects
     * @param array<string, mixed> $output
     * @param array<string, mixed> $detail
     * @param list<array{endpoint: string, outcome: string}> $steps
     */
    public function __construct(
        public readonly string $action,
        public readonly string $result,
        public readonly ?string $code,
        public readonly array $detail,
        public readonly array $effects,
        public readonly array $output,
        public readonly array $steps,
    ) {
    }

    /** @param array<string, mixed> $done the core's `done` object */
    public static function fromDone(string $action, array $done, array $steps): self
    {
        $effects = [];
        foreach ((array) ($done['effects'] ?? []) as $e) {
            if (is_array($e) && is_string($e['type'] ?? null)) {
                $effects[] = ['type' => $e['type'], 'value' => $e['value'] ?? null];
            }
        }
        return new self(
            $action,
            is_string($done['result'] ?? null) ? $done['result'] : 'The core returned no result',
            is_string($done['code'] ?? null) ? $done['code'] : null,
            is_array($done['detail'] ?? null) ? $done['detail'] : [],
            $effects,
            is_array($done['output'] ?? null) ? $done['output'] : [],
            $steps,
        );
    }

    public function ok(): bool
    {
        return $this->result === 'success';
    }

    /** The value of the last effect of $type, and whether there was one. */
    public function effect(string $type, &$found = null): mixed
    {
        $found = false;
        $value = null;
        foreach ($this->effects as $e) {
            if ($e['type'] === $type) {
                $found = true;
                $value = $e['value'];
            }
        }
        return $value;
    }

    /**
     * The request that failed, for messages: the last one the server did not answer with a plain
     * success (a plan may re-read after a refused write), else the last one sent.
     */
    public function failedEndpoint(): ?string
    {
        for ($i = count($this->steps) - 1; $i >= 0; $i--) {
            if ($this->steps[$i]['outcome'] !== 'HTTP 200') {
                return $this->steps[$i]['endpoint'];
            }
        }
        return $this->lastEndpoint();
    }

    /** The endpoint of the last request sent. */
    public function lastEndpoint(): ?string
    {
        $last = array_key_last($this->steps);
        return $last === null ? null : $this->steps[$last]['endpoint'];
    }
}
