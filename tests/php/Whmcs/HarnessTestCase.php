<?php
// Base class for tests that use the WHMCS-shaped harness: the database is started once per run
// (MariaDB, or SQLite with COMETPROV_TEST_DB=sqlite), the schema created once, and every table
// emptied and every per-test record cleared before each test.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

use PHPUnit\Framework\TestCase;

abstract class HarnessTestCase extends TestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        Database::start();
        Schema::create();
        Database::reset();
        Recorder::reset();
        LocalApi::reset();
        Whmcs::reset();
        Params::numericStrings(false);
    }
}
