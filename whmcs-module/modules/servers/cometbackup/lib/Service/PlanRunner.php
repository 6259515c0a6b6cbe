<?php
// Runs one core plan against the Comet Server: the core decides every request, this class only
// carries them. The PHP twin of node-harness/lib/driver.js runPlan().

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

use WHMCS\Module\Server\CometBackup\Api\CometClient;
use WHMCS\Module\Server\CometBackup\Api\Response;
use WHMCS\Module\Server\CometBackup\Core;
use WHMCS\Module\Server\CometBackup\Whmcs\Redactor;

final class PlanRunner
{
    /** No plan of the core needs more requests than this; more means something is wrong. */
    public const MAX_STEPS = 64;

    /** @var list<string>|null the core's published secretParams, read once per process */
    private static ?array $coreSecrets = null;

    /** @var (callable(string, Response): void)|null */
    private $onResponse = null;

    public function __construct(
        private readonly Core $core,
        private readonly CometClient $client,
        private readonly int $maxSteps = self::MAX_STEPS,
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
     * @throws PlanException when the core refuses the plan (bad context, broken state) or the plan
     *         does not finish within the step limit; CoreException when the core cannot run
     */
    public function run(string $action, array $context): PlanResult
    {
        $reply = $this->core->invoke('plan.start', ['action' => $action, 'context' => (object) $context]);
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
