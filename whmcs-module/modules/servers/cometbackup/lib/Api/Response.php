<?php
// One reply of the Comet Server admin API, or the transport failure that stopped it.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Api;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

/**
 * What one POST produced: an HTTP status and the raw body, or a transport error
 * ({kind: connect|timeout|tls|reset|other, message}). The plan runner hands this to the core
 * unchanged (toCoreResponse); the views read json()/apiError() for their direct reads.
 */
final class Response
{
    /** @var array{kind: string, message: string}|null */
    private ?array $transportError;
    private ?array $decoded = null;
    private bool $decodedDone = false;

    /** @param array{kind: string, message: string}|null $transportError */
    private function __construct(
        private readonly int $httpStatus,
        private readonly string $body,
        ?array $transportError,
        private readonly string $contentType = '',
    ) {
        $this->transportError = $transportError;
    }

    public static function http(int $status, string $body, string $contentType = ''): self
    {
        return new self($status, $body, null, $contentType);
    }

    public static function failed(string $kind, string $message): self
    {
        return new self(0, '', ['kind' => $kind, 'message' => $message]);
    }

    public function httpStatus(): int
    {
        return $this->httpStatus;
    }

    public function body(): string
    {
        return $this->body;
    }

    public function contentType(): string
    {
        return $this->contentType;
    }

    /** @return array{kind: string, message: string}|null */
    public function transportError(): ?array
    {
        return $this->transportError;
    }

    /** The plan.resume response shape: {httpStatus, body} or {transportError: {kind, message}}. */
    public function toCoreResponse(): array
    {
        if ($this->transportError !== null) {
            return ['transportError' => $this->transportError];
        }
        return ['httpStatus' => $this->httpStatus, 'body' => $this->body];
    }

    /** The body as a JSON object or list, or null (transport error, HTTP error, not JSON, a scalar). */
    public function json(): ?array
    {
        if (!$this->decodedDone) {
            $this->decodedDone = true;
            if ($this->transportError === null && $this->httpStatus === 200 && $this->body !== '') {
                $value = json_decode($this->body, true, 512, JSON_BIGINT_AS_STRING);
                $this->decoded = is_array($value) ? $value : null;
            }
        }
        return $this->decoded;
    }

    /** {Status, Message} when the body is a Comet error envelope (Status >= 400), else null. */
    public function apiError(): ?array
    {
        $json = $this->json();
        if ($json === null || !isset($json['Status']) || !is_int($json['Status']) || $json['Status'] < 400) {
            return null;
        }
        return ['Status' => $json['Status'], 'Message' => is_string($json['Message'] ?? null) ? $json['Message'] : ''];
    }

    /** True for HTTP 200 with a JSON body that is not an error envelope. */
    public function isOk(): bool
    {
        return $this->json() !== null && $this->apiError() === null;
    }

    /** One line for logs and messages: "HTTP 200", "Status 400: User does not exist", "transport timeout: ...". */
    public function describe(): string
    {
        if ($this->transportError !== null) {
            return 'transport ' . $this->transportError['kind'] . ': ' . $this->transportError['message'];
        }
        if ($this->httpStatus !== 200) {
            return 'HTTP ' . $this->httpStatus;
        }
        $error = $this->apiError();
        if ($error !== null) {
            return 'Status ' . $error['Status'] . ': ' . $error['Message'];
        }
        return $this->json() === null ? 'HTTP 200, not JSON' : 'HTTP 200';
    }
}
