<?php
// The runtime library in the zip must load on the servers WHMCS runs on: no glibc symbol version newer
// than 2.17 (RHEL/CentOS 7; AlmaLinux/CloudLinux 8 have 2.28, Ubuntu 20.04 2.31, Debian 11 2.31) and no
// libgcc_s. A library linked on the build machine (Debian 12, glibc 2.36) by a plain `cargo build` needs
// GLIBC_2.34 and does not load there at all. This test reads the library that `make dist` puts in the
// zip with objdump, on its own (not through scripts/check-runtime-abi.sh, which the build uses as its
// gate and which is checked here against the same libraries). Libraries compiled here with gcc show
// that both readers do fail on a newer glibc and on libgcc_s.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;

final class RuntimeAbiTest extends TestCase
{
    private const MAX_GLIBC = '2.17';
    /** glibc's own libraries; a Rust cdylib needs no other. */
    private const GLIBC_LIBRARIES = [
        'libc.so.6', 'libm.so.6', 'libdl.so.2', 'libpthread.so.0', 'librt.so.1', 'libutil.so.1', 'ld-linux-x86-64.so.2',
    ];

    /**
     * What a shared library needs from the system, from objdump -T (dynamic symbols and their
     * versions) and objdump -p (version references and NEEDED entries).
     *
     * @return array{glibc: array<string, list<string>>, needed: list<string>} glibc version => symbols
     */
    private static function requirements(string $library): array
    {
        [$code, $symbols, $stderr] = TestSupport::run(['objdump', '-T', $library]);
        self::assertSame(0, $code, "objdump -T {$library}: {$stderr}");
        [$code, $headers, $stderr] = TestSupport::run(['objdump', '-p', $library]);
        self::assertSame(0, $code, "objdump -p {$library}: {$stderr}");

        $glibc = [];
        foreach (explode("\n", $symbols) as $line) {
            // e.g. "0000000000000000      DF *UND*  0000000000000000 (GLIBC_2.14)  memcpy"
            if (preg_match('/\(?(GLIBC_[0-9A-Za-z_.]+)\)?\s+(\S+)\s*$/', $line, $m) === 1) {
                $glibc[$m[1]][] = $m[2];
            }
        }
        // Version references cover versions needed without a named symbol too.
        preg_match_all('/\b(GLIBC_[0-9A-Za-z_.]+)\b/', $headers, $refs);
        foreach ($refs[1] as $version) {
            $glibc[$version] ??= [];
        }
        preg_match_all('/^\s*NEEDED\s+(\S+)\s*$/m', $headers, $needed);
        return ['glibc' => $glibc, 'needed' => $needed[1]];
    }

    /** @return list<string> every reason the library would not load on a glibc 2.17 server without libgcc_s */
    private static function problems(string $library): array
    {
        $req = self::requirements($library);
        $problems = [];
        foreach ($req['glibc'] as $version => $symbols) {
            $number = substr($version, strlen('GLIBC_'));
            if (preg_match('/^\d+(\.\d+)+$/', $number) !== 1) {
                $problems[] = "needs {$version} (not a public glibc version)";
            } elseif (version_compare($number, self::MAX_GLIBC, '>')) {
                $problems[] = "needs {$version} (" . implode(' ', array_slice(array_unique($symbols), 0, 5)) . ')';
            }
        }
        foreach ($req['needed'] as $name) {
            if (!in_array($name, self::GLIBC_LIBRARIES, true)) {
                $problems[] = "needs {$name}";
            }
        }
        sort($problems);
        return $problems;
    }

    /** The build's own gate on the same library: [exit code, stdout + stderr]. */
    private static function buildGate(string $library): array
    {
        [$code, $stdout, $stderr] = TestSupport::run(['bash', TestSupport::repoRoot() . '/scripts/check-runtime-abi.sh', $library, self::MAX_GLIBC]);
        return [$code, $stdout . $stderr];
    }

    public function testTheZipsRuntimeNeedsNoGlibcNewerThan217AndNoLibgccS(): void
    {
        // The zip as `make dist` builds it, carrying the library every other suite runs on.
        $out = TestSupport::tempDir('abi-dist');
        [$code, $stdout, $stderr] = TestSupport::run(['bash', TestSupport::repoRoot() . '/scripts/dist.sh', $out], '',
            ['COMETPROV_WASM_RUNTIME' => TestSupport::runtimeLibrary()]);
        self::assertSame(0, $code, "scripts/dist.sh failed: {$stderr}");
        $lines = array_values(array_filter(explode("\n", trim($stdout))));
        $zip = (string) end($lines);
        self::assertFileExists($zip);

        $unpacked = TestSupport::tempDir('abi-unpacked');
        [$code, , $stderr] = TestSupport::run(['unzip', '-q', $zip, 'modules/servers/cometbackup/runtime/libwasmer.so', '-d', $unpacked]);
        self::assertSame(0, $code, "the zip has no runtime/libwasmer.so: {$stderr}");
        $library = $unpacked . '/modules/servers/cometbackup/runtime/libwasmer.so';

        $req = self::requirements($library);
        // Guards against a reader that finds nothing and so passes anything.
        self::assertContains('libc.so.6', $req['needed'], 'objdump -p lists the NEEDED entries');
        self::assertArrayHasKey('GLIBC_2.2.5', $req['glibc'], 'objdump -T lists the versioned glibc symbols');
        self::assertSame([], self::problems($library), 'the zip\'s runtime/libwasmer.so loads only on a newer glibc or with libgcc_s');
        self::assertNotContains('libgcc_s.so.1', $req['needed']);

        [$code, $output] = self::buildGate($library);
        self::assertSame(0, $code, "scripts/check-runtime-abi.sh refuses the shipped library: {$output}");
    }

    public function testEverySuiteRunsOnTheLibraryThatMakeDistShips(): void
    {
        // The suites load TestSupport::runtimeLibrary(); `make dist` (without COMETPROV_WASM_RUNTIME)
        // ships what scripts/build-runtime.sh prints. They must be the same file.
        $tested = TestSupport::runtimeLibrary();
        $testedHash = hash_file('sha256', $tested);
        [$code, $stdout, $stderr] = TestSupport::run(['bash', TestSupport::repoRoot() . '/scripts/build-runtime.sh']);
        self::assertSame(0, $code, "scripts/build-runtime.sh failed: {$stderr}");
        $lines = array_values(array_filter(explode("\n", trim($stdout))));
        $shipped = (string) end($lines);
        self::assertFileExists($shipped);
        self::assertSame(hash_file('sha256', $shipped), $testedHash,
            "the suites run on {$tested}, but make dist ships {$shipped} (unset COMETPROV_WASM_RUNTIME, run make runtime)");
    }

    /**
     * Compiles a small shared library with the system gcc (linked against this machine's glibc).
     *
     * @param list<string> $extra linker arguments
     */
    private static function compile(string $name, string $source, array $extra = []): string
    {
        $dir = TestSupport::tempDir('abi-' . $name);
        file_put_contents("{$dir}/{$name}.c", $source);
        $library = "{$dir}/lib{$name}.so";
        [$code, , $stderr] = TestSupport::run(array_merge(['gcc', '-shared', '-fPIC', '-O1', '-o', $library, "{$dir}/{$name}.c"], $extra));
        self::assertSame(0, $code, "gcc {$name}.c: {$stderr}");
        return $library;
    }

    public function testALibraryThatNeedsGlibc236IsRefused(): void
    {
        // arc4random first appeared in glibc 2.36 (Debian 12's own).
        $library = self::compile('newglibc', "#include <stdlib.h>\nunsigned int draw(void) { return arc4random(); }\n");
        $problems = self::problems($library);
        self::assertCount(1, $problems, implode("\n", $problems));
        self::assertStringContainsString('GLIBC_2.36', $problems[0]);
        self::assertStringContainsString('arc4random', $problems[0]);

        [$code, $output] = self::buildGate($library);
        self::assertSame(1, $code, $output);
        self::assertStringContainsString('GLIBC_2.36', $output);
        self::assertStringContainsString('arc4random', $output);
    }

    public function testALibraryThatNeedsLibgccSIsRefused(): void
    {
        $library = self::compile('gccs', "#include <string.h>\nsize_t measure(const char *s) { return strlen(s); }\n",
            ['-Wl,--no-as-needed', '-lgcc_s']);
        self::assertSame(['needs libgcc_s.so.1'], self::problems($library));

        [$code, $output] = self::buildGate($library);
        self::assertSame(1, $code, $output);
        self::assertStringContainsString('libgcc_s.so.1', $output);
    }

    public function testALibraryThatNeedsOnlyOldGlibcVersionsPasses(): void
    {
        // memcpy is GLIBC_2.14 and malloc GLIBC_2.2.5 on x86_64: both within 2.17.
        $library = self::compile('oldglibc',
            "#include <stdlib.h>\n#include <string.h>\n"
            . "void *copy(const void *p, size_t n) { void *q = malloc(n); if (q) memcpy(q, p, n); return q; }\n");
        $req = self::requirements($library);
        self::assertArrayHasKey('GLIBC_2.14', $req['glibc'], 'memcpy\'s version is read');
        self::assertContains('memcpy', $req['glibc']['GLIBC_2.14']);
        self::assertSame([], self::problems($library));

        [$code, $output] = self::buildGate($library);
        self::assertSame(0, $code, $output);
        self::assertStringContainsString('glibc 2.14 at most', $output);
    }

    public function testAFileThatIsNotALibraryIsAnErrorNotAPass(): void
    {
        $file = TestSupport::tempDir('abi-text') . '/libwasmer.so';
        file_put_contents($file, "not an ELF file\n");
        [$code, $output] = self::buildGate($file);
        self::assertSame(1, $code, $output);
        self::assertStringContainsString('cannot read', $output);
    }
}
