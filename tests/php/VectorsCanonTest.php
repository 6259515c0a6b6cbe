<?php
// The comparison VectorsTest relies on: canonical JSON that keeps {} vs [] and exact big integers.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;

final class VectorsCanonTest extends TestCase
{
    private static function canon(string $json): string
    {
        return VectorsTest::canon(VectorsTest::decode($json));
    }

    public function testSortsKeysRecursivelyAndIsCompact(): void
    {
        self::assertSame(
            '{"a":{"x":1,"y":[{"b":2,"c":3}]},"b":"é/"}',
            self::canon('{ "b": "\u00e9\/", "a": {"y": [{"c":3,"b":2}], "x": 1} }')
        );
    }

    public function testKeepsEmptyObjectAndEmptyListApart(): void
    {
        self::assertSame('{"a":{},"b":[]}', self::canon('{"b":[],"a":{}}'));
        self::assertNotSame(self::canon('{"a":{}}'), self::canon('{"a":[]}'));
    }

    public function testKeepsFloatsAsFloats(): void
    {
        self::assertSame('[1.0,1,0.5]', self::canon('[1.0,1,0.5]'));
    }

    public function testKeepsIntegersBeyond64BitSignedExact(): void
    {
        self::assertSame(
            '{"m":-9223372036854775809,"n":18446744073709551615,"s":"18446744073709551615"}',
            self::canon('{"n":18446744073709551615,"m":-9223372036854775809,"s":"18446744073709551615"}')
        );
        self::assertNotSame(self::canon('[18446744073709551615]'), self::canon('[18446744073709551614]'));
    }

    public function testLongStringsDoNotExhaustTheScanner(): void
    {
        $long = str_repeat('a\\"b', 200000);
        self::assertSame('["' . $long . '"]', self::canon('["' . $long . '"]'));
    }
}
