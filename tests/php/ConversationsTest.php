<?php
// Runs every plan conversation (tests/vectors/conversations) through the PHP host: plan.start with the
// context, then plan.resume with each reply in turn; the transcript (the requests the plan made, then
// how it ended) must equal the conversation's expectation, compared as canonical JSON.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests;

use PHPUnit\Framework\TestCase;
use WHMCS\Module\Server\CometBackup\Core;

// The canonical JSON helpers (decode, encode, canon) live beside the golden vectors' test.
require_once __DIR__ . '/VectorsTest.php';

final class ConversationsTest extends TestCase
{
    private static ?Core $core = null;

    private static function file(): string
    {
        $dir = getenv('COMETPROV_VECTORS') ?: 'tests/vectors';
        $dir = $dir[0] === '/' ? $dir : TestSupport::repoRoot() . '/' . $dir;
        return $dir . '/conversations/plan_conversations.json';
    }

    private static function core(): Core
    {
        $wasm = getenv('COMETPROV_WASM') ?: 'build-wasm/cometprov.wasm';
        $wasm = $wasm[0] === '/' ? $wasm : TestSupport::repoRoot() . '/' . $wasm;
        self::assertFileExists($wasm, 'the core module is missing: build it (make wasm) or set COMETPROV_WASM');
        return self::$core ??= Core::fromConfig(['wasmPath' => $wasm, 'cacheDir' => getenv('COMETPROV_MODULE_CACHE_DIR') ?: null]);
    }

    /** @return array<int, object> */
    private static function conversations(): array
    {
        $doc = VectorsTest::decode((string) file_get_contents(self::file()));
        return is_object($doc) && is_array($doc->conversations ?? null) ? $doc->conversations : [];
    }

    /** @return iterable<string, array{0: object}> */
    public function conversationCases(): iterable
    {
        foreach (self::conversations() as $i => $c) {
            yield "#{$i} " . ($c->name ?? '?') => [$c];
        }
    }

    /**
     * The transcript of tests/vectors/README.md: {requests, done | error | waiting, unusedReplies?}.
     */
    public static function transcript(Core $core, object $c): object
    {
        $replies = $c->replies;
        $used = 0;
        $requests = [];
        $t = new \stdClass();
        $text = VectorsTest::encode(['op' => 'plan.start', 'args' => ['action' => $c->action, 'context' => $c->context]]);
        for (;;) {
            $r = VectorsTest::decode($core->invokeJson($text));
            if ($r->ok !== true) {
                $t->error = $r->error;
                break;
            }
            if (isset($r->value->done)) {
                $t->done = $r->value->done;
                break;
            }
            $requests[] = $r->value->request;
            if ($used >= count($replies)) {
                $t->waiting = true;
                break;
            }
            $text = VectorsTest::encode(['op' => 'plan.resume', 'args' => ['state' => $r->value->state, 'response' => $replies[$used++]]]);
        }
        $t->requests = $requests;
        if ($used < count($replies)) {
            $t->unusedReplies = count($replies) - $used;
        }
        return $t;
    }

    public function testTheConversationsCoverEveryAction(): void
    {
        $conversations = self::conversations();
        self::assertGreaterThanOrEqual(140, count($conversations), 'too few conversations in ' . self::file());
        $seen = array_map(static fn (object $c) => $c->action, $conversations);
        $actions = VectorsTest::decode(self::core()->invokeJson('{"op":"version"}'))->value->actions;
        foreach ($actions as $action) {
            self::assertContains($action, $seen, "{$action} has no conversation");
        }
    }

    /** @dataProvider conversationCases */
    public function testConversation(object $c): void
    {
        self::assertSame(VectorsTest::canon($c->expect), VectorsTest::canon(self::transcript(self::core(), $c)));
    }
}
