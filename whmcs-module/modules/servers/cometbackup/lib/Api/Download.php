<?php
// What CometClient::downloadClient() did: whether an installer reached the writer, and the reply.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Api;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

/**
 * started: the installer's head went to $begin and its bytes (bytes of them) to $write; the reply is
 * then committed and $response only tells whether it was cut off. Otherwise nothing was written and
 * $response is the error: a transport failure, or the HTTP status with the error document.
 */
final class Download
{
    public function __construct(
        public readonly bool $started,
        public readonly int $bytes,
        public readonly Response $response,
    ) {
    }
}
