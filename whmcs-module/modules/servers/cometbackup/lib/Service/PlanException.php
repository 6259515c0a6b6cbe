<?php
// The core refused to start or continue a plan (not a Comet failure: those are done results).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

final class PlanException extends \RuntimeException
{
    public function __construct(
        public readonly string $errorCode,
        string $message,
        public readonly ?string $endpoint,
    ) {
        parent::__construct($message);
    }
}
