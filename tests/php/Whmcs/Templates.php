<?php
// Renders a module template with Debian's Smarty 4 the way WHMCS does: the path is relative to the
// module folder (".tpl" optional), a security policy is on, and nothing is escaped automatically
// (escape_html off), so a module that prints {$x} without |escape is caught by the tests.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

final class Templates
{
    /** @param array<string, mixed> $vars */
    public static function render(string $moduleTemplate, array $vars, string $module = 'cometbackup'): string
    {
        self::loadSmarty();
        $moduleDir = realpath(Whmcs::moduleDir($module));
        if ($moduleDir === false) {
            throw new \RuntimeException("module folder {$module} does not exist");
        }
        $relative = ltrim($moduleTemplate, '/');
        if (pathinfo($relative, PATHINFO_EXTENSION) === '') {
            $relative .= '.tpl';
        }
        $file = realpath($moduleDir . '/' . $relative);
        if ($file === false || !str_starts_with($file, $moduleDir . '/')) {
            throw new ContractViolation("template {$moduleTemplate} does not exist in modules/servers/{$module}/");
        }
        $smarty = new \Smarty();
        $smarty->setTemplateDir($moduleDir);
        $compileDir = Whmcs::scratchDir() . '/smarty_c';
        if (!is_dir($compileDir)) {
            mkdir($compileDir, 0700);
        }
        $smarty->setCompileDir($compileDir);
        $smarty->setCacheDir($compileDir);
        $smarty->escape_html = false;
        $smarty->muteUndefinedOrNullWarnings();
        $security = new \Smarty_Security($smarty);
        $security->secure_dir = [$moduleDir];
        $security->static_classes = null;
        $security->streams = null;
        $smarty->enableSecurity($security);
        $smarty->assign(array_replace(self::whmcsVars(), $vars));
        $html = $smarty->fetch('file:' . $file);
        Secrets::recordPage($html);
        return $html;
    }

    /** Plain text of rendered HTML (tags dropped, entities decoded, blank lines squeezed). */
    public static function toText(string $html): string
    {
        $html = preg_replace('#<(script|style)\b.*?</\1>#is', '', $html) ?? $html;
        $html = preg_replace('#<(br|/p|/div|/tr|/li|/h[1-6]|/table)\b[^>]*>#i', "\n", $html) ?? $html;
        $text = html_entity_decode(strip_tags($html), ENT_QUOTES | ENT_HTML5, 'UTF-8');
        $lines = array_filter(array_map(static fn (string $l): string => trim(preg_replace('/[ \t]+/', ' ', $l) ?? $l), explode("\n", $text)),
            static fn (string $l): bool => $l !== '');
        return implode("\n", $lines);
    }

    /** A few of the variables every WHMCS client-area template sees. */
    private static function whmcsVars(): array
    {
        return [
            'WEB_ROOT' => '',
            'systemurl' => 'https://whmcs.example.test/',
            'template' => 'twenty-one',
            'language' => 'english',
            'LANG' => [],
        ];
    }

    private static function loadSmarty(): void
    {
        if (class_exists(\Smarty::class, false)) {
            return;
        }
        $file = stream_resolve_include_path('smarty4/Smarty.class.php');
        if ($file === false) {
            throw new \RuntimeException('Smarty 4 is missing: install Debian\'s smarty4 (smarty4/Smarty.class.php on the include_path)');
        }
        require_once $file;
    }
}
