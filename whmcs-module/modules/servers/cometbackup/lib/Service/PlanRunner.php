<?php
// Runs one core plan against the Comet Server: the core decides every request, this class only
// carries them. The PHP twin of node-harness/lib/driver.js runPlan().

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Api\Response;
use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\CoreException;
use WHMCS\Module\Server\CometBackup\Api\Redactor;

final class PlanRunner
{
    /** No plan of the core needs more requests than this; more means something is wrong. */
    public const MAX_STEPS = 64;

    /** @var list<string>|null the core's published secretParams, read once per process */
    private static ?array $coreSecrets = null;

    /** @var (callable(string, Response): void)|null */
    private $onResponse = null;

    /**
     * @param bool $stream stream replies the core allows to be streamed (`"stream": true` steps:
     *        the body goes from curl to the core in pieces, never held whole); false: plan.resume
     *        with the whole body (the results are the same, byte for byte)
     */
    public function __construct(
        private readonly Core $core,
        private readonly CometClient $client,
        private readonly int $maxSteps = self::MAX_STEPS,
        private readonly bool $stream = true,
    ) {
    }

    /** Sees every raw reply (e.g. UsageUpdate reads the user names of list-users-full). */
    public function onResponse(callable $callback): void
    {
        $this->onResponse = $callback;
    }

    /**
     * plan.start, then POST each request and plan.resume with the reply (or the transport error)
     * until the core says done.
     *
     * @param array<string, mixed> $context
     * @param array<string, string> $rawContext context keys whose values are already JSON text (a
     *        100,000-service list is built as text, not as 100,000 PHP arrays)
     * @throws PlanException when the core refuses the plan (bad context, broken state) or the plan
     *         does not finish within the step limit; CoreException when the core cannot run
     */
    public function run(string $action, array $context, array $rawContext = []): PlanResult
    {
        $flags = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR;
        try {
            $contextJson = json_encode((object) $context, $flags);
        } catch (\JsonException $e) {
            // The message names the problem, never the value.
            throw new CoreException(
                CoreException::BAD_REQUEST,
                "The arguments of 'plan.start' cannot be encoded as JSON ({$e->getMessage()}); strings must be UTF-8.",
                $e
            );
        }
        foreach ($rawContext as $key => $json) {
            $contextJson = '{' . json_encode((string) $key, $flags) . ':' . $json
                . ($contextJson === '{}' ? '}' : ',' . substr($contextJson, 1));
        }
        $reply = $this->decode($this->core->invokeJson(
            '{"op":"plan.start","args":{"action":' . json_encode($action, $flags) . ',"context":' . $contextJson . '}}'
        ));
        $steps = [];
        for ($n = 0; ; $n++) {
            if (($reply['ok'] ?? false) !== true) {
                $error = is_array($reply['error'] ?? null) ? $reply['error'] : [];
                throw new PlanException(
                    (string) ($error['code'] ?? 'plan.error'),
                    (string) ($error['message'] ?? 'the core refused the plan'),
                    $steps === [] ? null : $steps[count($steps) - 1]['endpoint']
                );
            }
            $step = $reply['value'] ?? null;
            if (!is_array($step)) {
                throw new PlanException('plan.bad_state', 'the core returned a step that is not an object', null);
            }
            if (is_array($step['done'] ?? null)) {
                return PlanResult::fromDone($action, $step['done'], $steps);
            }
            if ($n >= $this->maxSteps) {
                throw new PlanException(
                    'plan.too_many_steps',
                    "the {$action} plan did not finish within {$this->maxSteps} requests",
                    $steps === [] ? null : $steps[count($steps) - 1]['endpoint']
                );
            }
            $request = $step['request'] ?? null;
            if (!is_array($request) || !is_string($request['endpoint'] ?? null) || !is_string($step['state'] ?? null)) {
                throw new PlanException('plan.bad_state', 'the core returned a step without a request', null);
            }
            $params = is_array($request['params'] ?? null) ? $request['params'] : [];
            $secrets = array_values(array_filter((array) ($request['secrets'] ?? []), 'is_string'));
            $secrets = array_values(array_unique(array_merge($secrets, $this->secretParams())));
            if ($this->stream && ($request['stream'] ?? false) === true && $this->core->canStream()) {
                $reply = $this->streamStep($action, $step['state'], $request['endpoint'], $params, $secrets, $steps);
                continue;
            }
            $response = $this->client->post($request['endpoint'], $params, $secrets, $action);
            $steps[] = ['endpoint' => $request['endpoint'], 'outcome' => $response->describe()];
            if ($this->onResponse !== null) {
                ($this->onResponse)($request['endpoint'], $response);
            }
            $reply = $this->core->invoke('plan.resume', [
                'state' => $step['state'],
                'response' => $response->toCoreResponse(),
            ]);
        }
    }

    /**
     * One streamed request: open the core's stream with the step's state, let curl hand every piece
     * of the reply to the core as it arrives, close with the HTTP status (or the transport error).
     * The answer is exactly what plan.resume with the whole body would have given.
     *
     * @param array<string, scalar> $params
     * @param list<string> $secrets
     * @param list<array{endpoint: string, outcome: string}> $steps
     * @return array<string, mixed> the decoded reply
     */
    private function streamStep(string $action, string $state, string $endpoint, array $params, array $secrets, array &$steps): array
    {
        $opened = $this->core->streamOpen($state);
        if (($opened['ok'] ?? false) !== true) {
            return $opened; // the loop turns the refusal into a PlanException
        }
        $core = $this->core;
        $response = $this->client->postStream($endpoint, $params, $secrets, $action, static fn (string $chunk): bool => $core->streamWrite($chunk));
        $error = $response->transportError();
        $steps[] = ['endpoint' => $endpoint, 'outcome' => $error !== null ? $response->describe() : 'HTTP ' . $response->httpStatus()];
        if ($this->onResponse !== null) {
            ($this->onResponse)($endpoint, $response);
        }
        return $this->decode($core->streamClose($error !== null ? ['transportError' => $error] : ['httpStatus' => $response->httpStatus()]));
    }

    /**
     * Decodes a raw core response; a `usage` effect stays in the text as UsageRows (read row by row).
     *
     * @return array<string, mixed>
     */
    private function decode(string $raw): array
    {
        [$small, $rows] = UsageRows::split($raw);
        unset($raw);
        try {
            $decoded = json_decode($small, true, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new PlanException('plan.bad_state', 'the core returned a reply that is not JSON', null);
        }
        if (!is_array($decoded)) {
            throw new PlanException('plan.bad_state', 'the core returned a reply that is not an object', null);
        }
        if ($rows !== null) {
            foreach ($decoded['value']['done']['effects'] ?? [] as $i => $effect) {
                if (is_array($effect) && ($effect['type'] ?? null) === 'usage') {
                    $decoded['value']['done']['effects'][$i]['value'] = $rows;
                }
            }
        }
        return $decoded;
    }

    /**
     * The parameters a host must always mask: the core's `version` op lists them as
     * `secretParams`; a core without that list gets Redactor's fallback (the same names).
     *
     * @return list<string>
     */
    private function secretParams(): array
    {
        if (self::$coreSecrets === null) {
            $list = Redactor::ALWAYS_SECRET_PARAMS;
            try {
                $v = $this->core->invoke('version');
                $published = $v['value']['secretParams'] ?? null;
                if (($v['ok'] ?? false) === true && is_array($published)) {
                    $list = array_values(array_unique(array_merge(
                        $list,
                        array_values(array_filter($published, 'is_string'))
                    )));
                }
            } catch (\Throwable $e) {
                // The fallback list stands.
            }
            self::$coreSecrets = $list;
        }
        return self::$coreSecrets;
    }
}
