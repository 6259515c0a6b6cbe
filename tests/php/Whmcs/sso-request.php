<?php
// One browser request of sso.php in a web SAPI (run by php-cgi, which sends real headers): the
// harness database of the parent (Database::childEnv()), the login session SSO_SESSION_ID with the
// $_SESSION of SSO_SESSION (JSON), the token SSO_TOKEN. With SSO_EARLY_OUTPUT, something is
// printed first, as a stray notice or a BOM would be. Used by ModuleSsoTest.

declare(strict_types=1);

use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Database;
use WHMCS\Module\Server\CometBackup\Tests\Whmcs\Whmcs;

require __DIR__ . '/harness.php';

Database::start();
Whmcs::loginSession((string) getenv('SSO_SESSION_ID'));
$_SESSION = json_decode((string) getenv('SSO_SESSION'), true) ?: [];
$_GET['token'] = (string) getenv('SSO_TOKEN');
if (getenv('SSO_EARLY_OUTPUT') === '1') {
    // Past php.ini's output_buffering too, so the headers really go out.
    while (ob_get_level() > 0) {
        ob_end_flush();
    }
    echo "early output\n";
    flush();
}
require Whmcs::moduleDir() . '/sso.php';
