<?php
// Runs every case of tests/vectors/*.json through the PHP host and compares canonical JSON.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Core;

/**
 * PHP decodes integers beyond 64-bit signed range as floats, which would turn a vector's
 * 9223372036854775808 into 9.2233720368547758E+18 on the way to the core (and into a float in the
 * comparison). So such integer literals are swapped for marker strings before decoding and put back
 * after encoding: requests carry the vector's exact digits and comparisons compare them exactly.
 *
 * The wasm is $COMETPROV_WASM (default build-wasm/cometprov.wasm under the repository root) and the
 * vectors $COMETPROV_VECTORS (default tests/vectors). A missing wasm or an empty vector set is a
 * failure, never a skip.
 */
final class VectorsTest extends TestCase
{
    private const JSON_FLAGS = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION;

    private static ?Core $core = null;
    private static ?string $marker = null;

    private static function wasmPath(): string
    {
        $path = getenv('COMETPROV_WASM') ?: 'build-wasm/cometprov.wasm';
        return $path[0] === '/' ? $path : TestSupport::repoRoot() . '/' . $path;
    }

    private static function vectorsDir(): string
    {
        $dir = getenv('COMETPROV_VECTORS') ?: 'tests/vectors';
        return $dir[0] === '/' ? $dir : TestSupport::repoRoot() . '/' . $dir;
    }

    /** @return iterable<string, array{0: string, 1: ?string, 2: mixed}> name => [request bytes, problem, expect] */
    public function cases(): iterable
    {
        $files = glob(self::vectorsDir() . '/*.json') ?: [];
        $count = 0;
        foreach ($files as $file) {
            $vector = self::decode((string) file_get_contents($file));
            if (!is_object($vector) || !is_array($vector->cases ?? null)) {
                yield basename($file) . ' (unreadable)' => ['', "{$file} is not {\"cases\": [...]} JSON", null];
                continue;
            }
            foreach ($vector->cases as $i => $case) {
                $name = basename($file, '.json') . ' #' . $i . ' ' . ($case->name ?? '');
                yield $name => self::prepare($case);
                $count++;
            }
        }
        if ($count === 0) {
            yield 'no vectors' => ['', 'no cases found in ' . self::vectorsDir() . '/*.json', null];
        }
    }

    /** @return array{0: string, 1: ?string, 2: mixed} */
    private static function prepare(object $case): array
    {
        if (!property_exists($case, 'expect')) {
            return ['', 'case has no "expect"', null];
        }
        if (isset($case->raw)) {
            return [(string) $case->raw, is_string($case->raw) ? null : '"raw" must be a string', $case->expect];
        }
        if (!isset($case->op)) {
            return ['', 'case has neither "op" nor "raw"', null];
        }
        $request = property_exists($case, 'args') ? ['op' => $case->op, 'args' => $case->args] : ['op' => $case->op];
        return [self::encode($request), null, $case->expect];
    }

    /** Canonical text of a decoded value: keys sorted recursively, compact, big integers exact. */
    public static function canon(mixed $value): string
    {
        return self::encode(self::sortKeys($value));
    }

    /** json_decode with objects kept as objects ({} vs []) and out-of-range integers kept as marked digits. */
    public static function decode(string $json): mixed
    {
        $protected = preg_replace_callback(
            '/"(?:[^"\\\\]++|\\\\.)*+"|-?\d++(?:\.\d++)?(?:[eE][+-]?\d++)?/',
            static function (array $m): string {
                $token = $m[0];
                if ($token[0] === '"' || !preg_match('/^-?\d+$/', $token) || self::fitsInt($token)) {
                    return $token;
                }
                return '"' . self::marker() . $token . '"';
            },
            $json
        );
        if ($protected === null) {
            throw new \RuntimeException('scanning JSON failed: ' . preg_last_error_msg());
        }
        return json_decode($protected, false, 512, JSON_THROW_ON_ERROR);
    }

    public static function encode(mixed $value): string
    {
        $json = json_encode($value, self::JSON_FLAGS | JSON_THROW_ON_ERROR);
        return (string) preg_replace('/"' . self::marker() . '(-?\d+)"/', '$1', $json);
    }

    private static function fitsInt(string $digits): bool
    {
        $negative = $digits[0] === '-';
        $magnitude = ltrim($negative ? substr($digits, 1) : $digits, '0');
        $limit = $negative ? '9223372036854775808' : '9223372036854775807';
        return strlen($magnitude) < strlen($limit)
            || (strlen($magnitude) === strlen($limit) && strcmp($magnitude, $limit) <= 0);
    }

    private static function marker(): string
    {
        return self::$marker ??= 'cpbigint' . bin2hex(random_bytes(8)) . ':';
    }

    private static function sortKeys(mixed $value): mixed
    {
        if (is_array($value)) {
            return array_map([self::class, 'sortKeys'], $value);
        }
        if ($value instanceof \stdClass) {
            $fields = get_object_vars($value);
            ksort($fields, SORT_STRING);
            return (object) array_map([self::class, 'sortKeys'], $fields);
        }
        return $value;
    }

    /** @dataProvider cases */
    public function testVector(string $request, ?string $problem, mixed $expect): void
    {
        if ($problem !== null) {
            self::fail($problem);
        }
        self::assertFileExists(
            self::wasmPath(),
            'the core module is missing: build it (make wasm) or set COMETPROV_WASM'
        );
        self::$core ??= Core::fromConfig([
            'wasmPath' => self::wasmPath(),
            'cacheDir' => getenv('COMETPROV_MODULE_CACHE_DIR') ?: null,
        ]);
        $response = self::$core->invokeJson($request);
        $actual = self::decode($response);
        self::assertSame(self::canon($expect), self::canon($actual), "request: {$request}");
    }
}
