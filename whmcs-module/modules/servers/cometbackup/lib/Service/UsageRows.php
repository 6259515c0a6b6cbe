<?php
// The `usage` effect of a large UsageUpdate, read row by row from the core's response text.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Service;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Module\Server\CometBackup\CoreException;

/**
 * A UsageUpdate done for 100,000 services carries 100,000 rows; json_decode would make 100,000 PHP
 * arrays (about 55 MB). Instead the rows stay in the core's compact response text and are read one
 * at a time. The text is the core's own output (nlohmann, compact, keys in the order written by
 * core/src/plan_server.cpp): `{"type":"usage","value":[{"serviceid":"5","username":"...",
 * "diskusage":100,"disklimit":2048},...]}`. The substring `{"type":"usage","value":[` can only be
 * that effect: inside a JSON string every `"` is escaped. Any row in another form is refused (a
 * CoreException), never guessed.
 *
 * @implements \IteratorAggregate<int, array{serviceid: int, username: string, diskusage: int, disklimit: int}>
 */
final class UsageRows implements \IteratorAggregate, \Countable
{
    private const MARK = '{"type":"usage","value":[';
    private const ROW = '/\G\{"serviceid":"(\d{1,19})","username":"((?:[^"\\\\]++|\\\\.)*+)","diskusage":(-?\d{1,19}),"disklimit":(-?\d{1,19})\}([,\]])/';

    private ?int $count = null;

    private function __construct(private readonly string $text, private readonly int $start, private readonly int $end)
    {
    }

    /**
     * Splits a raw core response: [the response with the usage rows replaced by [] (small, for
     * json_decode), the rows] or [the response unchanged, null] when it has no usage effect.
     *
     * @return array{0: string, 1: ?self}
     * @throws CoreException when the rows are not in the core's form
     */
    public static function split(string $raw): array
    {
        $at = strpos($raw, self::MARK);
        if ($at === false) {
            return [$raw, null];
        }
        $start = $at + strlen(self::MARK);
        if (($raw[$start] ?? '') === ']') {
            return [$raw, null];
        }
        $offset = $start;
        $matches = [];
        for (;;) {
            if (preg_match(self::ROW, $raw, $matches, 0, $offset) !== 1) {
                throw self::malformed($offset - $start);
            }
            $offset += strlen($matches[0]);
            if ($matches[5] === ']') {
                break;
            }
        }
        $end = $offset - 1; // the closing ]
        $rows = new self($raw, $start, $end);
        return [substr($raw, 0, $start) . substr($raw, $end), $rows];
    }

    /** @return \Generator<int, array{serviceid: int, username: string, diskusage: int, disklimit: int}> */
    public function getIterator(): \Generator
    {
        $offset = $this->start;
        $matches = [];
        while ($offset < $this->end) {
            if (preg_match(self::ROW, $this->text, $matches, 0, $offset) !== 1) {
                throw self::malformed($offset - $this->start);
            }
            $offset += strlen($matches[0]);
            $username = json_decode('"' . $matches[2] . '"');
            yield [
                'serviceid' => (int) $matches[1],
                'username' => is_string($username) ? $username : '',
                'diskusage' => (int) $matches[3],
                'disklimit' => (int) $matches[4],
            ];
        }
    }

    public function count(): int
    {
        if ($this->count === null) {
            $n = 0;
            foreach ($this as $ignored) {
                $n++;
            }
            $this->count = $n;
        }
        return $this->count;
    }

    private static function malformed(int $at): CoreException
    {
        return new CoreException(
            CoreException::BAD_REPLY,
            "The core's usage rows are not in the expected form (at offset {$at} of the rows). Re-upload "
            . 'cometprov.wasm from the package that matches this version of the PHP module.'
        );
    }
}
