<?php
// Keeps the FFI declaration subset (lib/Wasm/wasm-decl.h) in step with the runtime's real wasm.h.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Wasm\FfiApi;

final class HeaderCheckTest extends TestCase
{
    /** The real wasm.h: $COMETPROV_WASM_H, else the copy build-runtime.sh keeps next to the library. */
    private static function realHeader(): string
    {
        $header = getenv('COMETPROV_WASM_H') ?: dirname(TestSupport::runtimeLibrary()) . '/wasm.h';
        self::assertFileExists($header, 'wasm.h of the runtime crate not found; scripts/build-runtime.sh copies it '
            . 'next to libwasmer.so, or set COMETPROV_WASM_H');
        return $header;
    }

    /** @return array{0: int, 1: string} [gcc exit code, diagnostics] */
    private static function compileCheck(string $declFile): array
    {
        [$code, $c, $stderr] = TestSupport::run([PHP_BINARY, __DIR__ . '/bin/header-check.php', $declFile]);
        self::assertSame(0, $code, "generating the check failed: {$stderr}");
        $file = TestSupport::tempDir('header') . '/wasm-decl-check.c';
        file_put_contents($file, $c);
        [$code, $out, $err] = TestSupport::run(
            ['gcc', '-std=c11', '-Wall', '-Werror', '-fsyntax-only', '-I', dirname(self::realHeader()), $file]
        );
        return [$code, $out . $err];
    }

    private static function mutatedDeclarations(string $search, string $replace): string
    {
        $decl = (string) file_get_contents(FfiApi::declarationFile());
        self::assertStringContainsString($search, $decl);
        $file = TestSupport::tempDir('decl') . '/wasm-decl.h';
        file_put_contents($file, str_replace($search, $replace, $decl));
        return $file;
    }

    public function testDeclarationSubsetCompilesAgainstTheRealHeader(): void
    {
        [$code, $diagnostics] = self::compileCheck(FfiApi::declarationFile());
        self::assertSame(0, $code, "wasm-decl.h disagrees with " . self::realHeader() . ":\n" . $diagnostics);
    }

    public function testAWrongPrototypeIsCaught(): void
    {
        $file = self::mutatedDeclarations('size_t wasm_memory_data_size', 'uint32_t wasm_memory_data_size');
        [$code, $diagnostics] = self::compileCheck($file);
        self::assertNotSame(0, $code);
        self::assertStringContainsString('wasm_memory_data_size', $diagnostics);
    }

    public function testAWrongStructLayoutIsCaught(): void
    {
        $file = self::mutatedDeclarations('wasm_valkind_t kind;', 'int32_t kind;');
        [$code, $diagnostics] = self::compileCheck($file);
        self::assertNotSame(0, $code);
        self::assertStringContainsString('wasm_val_t.kind', $diagnostics);
    }

    public function testPreprocessorLinesAreRejected(): void
    {
        $file = self::mutatedDeclarations('typedef char byte_t;', "#include <stddef.h>\ntypedef char byte_t;");
        [$code, , $stderr] = TestSupport::run([PHP_BINARY, __DIR__ . '/bin/header-check.php', $file]);
        self::assertNotSame(0, $code);
        self::assertStringContainsString('preprocessor', $stderr);
    }

    public function testEveryDeclaredFunctionIsExportedByTheLibrary(): void
    {
        $decl = preg_replace('#/\*.*?\*/#s', '', (string) file_get_contents(FfiApi::declarationFile()));
        preg_match_all('/^[\w\s\*]*?\b(wasm_\w+)\s*\(/m', $decl, $m);
        self::assertGreaterThan(20, count($m[1]));
        [$code, $symbols] = TestSupport::run(['nm', '-D', '--defined-only', TestSupport::runtimeLibrary()]);
        self::assertSame(0, $code);
        foreach ($m[1] as $function) {
            self::assertMatchesRegularExpression('/ T ' . $function . '$/m', $symbols, "{$function} not exported");
        }
    }
}
