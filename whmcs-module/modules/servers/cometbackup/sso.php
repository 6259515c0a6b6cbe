<?php
/**
 * Sign-in page for Comet Backup: consumes a single-use token issued by ServiceSingleSignOn /
 * AdminSingleSignOn and prints the page that logs the browser in to the Comet web interface by
 * postMessage. The session key itself never appears in any URL.
 */

if (!defined('WHMCS')) {
    // Reached directly by the browser: bootstrap WHMCS (session, database, encryption).
    $cometbackupRoot = dirname(__DIR__, 3);
    if (!is_file($cometbackupRoot . '/init.php')) {
        http_response_code(500);
        exit('WHMCS not found.');
    }
    require $cometbackupRoot . '/init.php';
}

require_once __DIR__ . '/cometbackup.php';

$cometbackupProblem = cometbackup_Requirements();
if ($cometbackupProblem !== null) {
    http_response_code(500);
    header('Content-Type: text/plain; charset=utf-8');
    echo $cometbackupProblem;
    return;
}
cometbackup_Autoload();

// The page carries a live session key and is safe only with its own headers (no-store, no framing,
// no Referer). Once output has gone out they can no longer be sent, so nothing is shown and the
// token is left unused; the same check runs again after the token was consumed.
if (headers_sent()) {
    echo htmlspecialchars(\WHMCS\Module\Server\CometBackup\Whmcs\Lang::text('module.sso_headers_sent'), ENT_QUOTES, 'UTF-8');
    return;
}
$cometbackupToken = isset($_GET['token']) && is_string($_GET['token']) ? $_GET['token'] : '';
list($cometbackupStatus, $cometbackupHeaders, $cometbackupHtml) = \WHMCS\Module\Server\CometBackup\App::forRequest()->ssoPage(
    $cometbackupToken,
    isset($_SESSION) && is_array($_SESSION) ? $_SESSION : [],
    (string) session_id()
);
if (headers_sent()) {
    echo htmlspecialchars(\WHMCS\Module\Server\CometBackup\Whmcs\Lang::text('module.sso_headers_sent'), ENT_QUOTES, 'UTF-8');
    return;
}
http_response_code($cometbackupStatus);
foreach ($cometbackupHeaders as $cometbackupHeader) {
    header($cometbackupHeader);
}
echo $cometbackupHtml;
