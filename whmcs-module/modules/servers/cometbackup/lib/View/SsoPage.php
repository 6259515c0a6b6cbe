<?php
// The single sign-on page: opens the Comet web UI and hands it a session key by postMessage.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\View;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\Whmcs\Lang;

/**
 * Comet's browser SSO: open the web UI, wait for its `{msg:"app_loaded"}`, then post
 * `{msg:"user_session_login"|"session_login", username, sessionkey}` to it. The session key lives only
 * in this page's body (never in a URL, so never in a log, history or Referer). The page accepts a
 * message only from the window it opened and only from the Comet origin, and posts only to that
 * origin, so no other site or frame can obtain the key.
 *
 * Serve it with the headers from headers() (no-store: the body carries a live session key):
 *
 *     foreach (SsoPage::headers() as $h) { header($h); }
 *     echo SsoPage::html($cometUrl, $username, $sessionKey, 'user');
 */
final class SsoPage
{
    /** HTTP headers for the page: no caching anywhere, no framing, no Referer, no sniffing. */
    public static function headers(): array
    {
        return [
            'Content-Type: text/html; charset=utf-8',
            'Cache-Control: no-store, no-cache, must-revalidate, max-age=0',
            'Pragma: no-cache',
            'Expires: 0',
            'Referrer-Policy: no-referrer',
            'X-Content-Type-Options: nosniff',
            'X-Frame-Options: DENY',
        ];
    }

    /**
     * The Comet origin ("https://host[:port]") as a browser serialises it, or null for a URL that is
     * not absolute http(s).
     */
    public static function origin(string $url): ?string
    {
        $p = parse_url($url);
        if (!is_array($p) || !isset($p['scheme'], $p['host'])) {
            return null;
        }
        $scheme = strtolower($p['scheme']);
        if (($scheme !== 'http' && $scheme !== 'https') || isset($p['user']) || isset($p['pass'])) {
            return null;
        }
        $host = strtolower($p['host']);
        if ($host === '' || preg_match('/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/', $host) !== 1) {
            return null;
        }
        $port = isset($p['port']) ? (int) $p['port'] : null;
        $default = $scheme === 'https' ? 443 : 80;
        return $scheme . '://' . $host . ($port !== null && $port !== $default ? ':' . $port : '');
    }

    /** @param string $kind 'user' (end-user web UI login) or 'admin' (admin web UI login) */
    public static function html(string $cometUrl, string $username, string $sessionKey, string $kind): string
    {
        $origin = self::origin($cometUrl);
        // A key inside the URL would leak into history and logs: refuse rather than open it.
        if ($origin === null || ($kind !== 'user' && $kind !== 'admin') || $sessionKey === ''
            || str_contains($cometUrl, $sessionKey) || str_contains(rawurldecode($cometUrl), $sessionKey)) {
            return self::page(Lang::text('ui.sso.failed'), '', null);
        }
        $config = [
            'url' => $cometUrl,
            'origin' => $origin,
            'msg' => $kind === 'admin' ? 'session_login' : 'user_session_login',
            'username' => $username,
            'sessionkey' => $sessionKey,
            'text' => [
                'waiting' => Lang::text('ui.sso.waiting'),
                'blocked' => Lang::text('ui.sso.blocked'),
                'signedIn' => Lang::text('ui.sso.signedin'),
            ],
        ];
        // JSON_HEX_*: no "</script>", "<!--", quote or ampersand can end the script block early.
        $json = json_encode(
            $config,
            JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR
        );
        $script = <<<JS
(function () {
  "use strict";
  var cfg = {$json};
  var win = null;
  var done = false;
  var status = document.getElementById("cb-status");
  var button = document.getElementById("cb-open");
  function say(text) { status.textContent = text; }
  function open() {
    win = window.open(cfg.url, "_blank");
    if (win) {
      button.hidden = true;
      say(cfg.text.waiting);
    } else {
      button.hidden = false;
      say(cfg.text.blocked);
    }
  }
  window.addEventListener("message", function (event) {
    // Only the Comet window this page opened, and only from the Comet origin, may ask for the key.
    if (done || win === null || event.source !== win || event.origin !== cfg.origin) { return; }
    var data = event.data;
    if (typeof data === "string") {
      try { data = JSON.parse(data); } catch (e) { return; }
    }
    if (!data || typeof data !== "object" || data.msg !== "app_loaded") { return; }
    done = true;
    win.postMessage({ msg: cfg.msg, username: cfg.username, sessionkey: cfg.sessionkey }, cfg.origin);
    cfg.sessionkey = "";
    say(cfg.text.signedIn);
  });
  button.addEventListener("click", open);
  open();
}());
JS;
        return self::page(Lang::text('ui.sso.opening'), Lang::text('ui.sso.open'), $script);
    }

    private static function page(string $statusText, string $buttonText, ?string $script): string
    {
        $nonce = rtrim(strtr(base64_encode(random_bytes(18)), '+/', '-_'), '=');
        $csp = "default-src 'none'; script-src 'nonce-{$nonce}'; style-src 'nonce-{$nonce}'; "
            . "base-uri 'none'; form-action 'none'";
        $e = static fn (string $s): string => htmlspecialchars($s, ENT_QUOTES | ENT_SUBSTITUTE | ENT_HTML5, 'UTF-8');
        $title = $e(Lang::text('ui.sso.title'));
        $button = $buttonText === ''
            ? ''
            : '<p><button id="cb-open" type="button" hidden>' . $e($buttonText) . "</button></p>\n";
        $scriptTag = $script === null ? '' : '<script nonce="' . $nonce . '">' . "\n" . $script . "\n</script>\n";
        return <<<HTML
<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{$csp}">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex, nofollow">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{$title}</title>
<style nonce="{$nonce}">
body { font-family: system-ui, sans-serif; margin: 3em auto; max-width: 32em; padding: 0 1em; color: #222; }
button { font-size: 1em; padding: .5em 1em; }
</style>
</head>
<body>
<h1>{$title}</h1>
<p id="cb-status" role="status">{$e($statusText)}</p>
{$button}{$scriptTag}</body>
</html>

HTML;
    }
}
