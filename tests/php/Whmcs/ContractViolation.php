<?php
// Thrown by Whmcs::call() when the module breaks the WHMCS contract (an escaped Throwable, printed
// output, a PHP warning/notice, a wrong return type, an unknown localAPI command). Under PHPUnit it is
// an assertion failure, so the test fails rather than errors.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

if (class_exists(\PHPUnit\Framework\AssertionFailedError::class)) {
    final class ContractViolation extends \PHPUnit\Framework\AssertionFailedError
    {
    }
} else {
    final class ContractViolation extends \RuntimeException
    {
    }
}
