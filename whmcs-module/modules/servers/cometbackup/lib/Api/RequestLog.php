<?php
// Where the transport writes each request it sends: the module injects WHMCS's module log, so the
// Api layer depends on this interface and never on the WHMCS side.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Api;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

interface RequestLog
{
    /**
     * Values to mask wherever they appear (passwords, session keys).
     *
     * @param list<string|null> $values
     */
    public function addSecrets(array $values): void;

    /** @return list<string> the values masked so far, longest first */
    public function secrets(): array;

    /**
     * One request and its reply.
     *
     * @param array<string, string> $request the form as sent
     * @param Response|string $response
     * @param list<string> $secretValues values to mask besides the known ones
     * @param list<string> $secretNames request parameters to mask by name
     */
    public function call(string $action, string $endpoint, array $request, $response, array $secretValues = [], array $secretNames = []): void;

    /** A line that is not a request (e.g. which WebAssembly backend ran), masked the same way. */
    public function note(string $action, string $what, string $detail): void;
}
