<?php
// The WHMCS tables a provisioning module touches (column names as in WHMCS 8; only the columns
// modules and the harness use), the configurable-option tables, and the harness's own log tables.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

use Illuminate\Database\Schema\Blueprint;
use WHMCS\Database\Capsule;

final class Schema
{
    /** Creates the missing tables (idempotent). */
    public static function create(): void
    {
        $schema = Capsule::schema();
        foreach (self::definitions() as $table => $define) {
            if (!$schema->hasTable($table)) {
                $schema->create($table, $define);
            }
        }
        Database::markSchemaReady();
    }

    /** @return array<string, \Closure> */
    private static function definitions(): array
    {
        return [
            'tblclients' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->string('uuid', 64)->default('');
                $t->text('firstname')->default('');
                $t->text('lastname')->default('');
                $t->text('companyname')->default('');
                $t->text('email')->default('');
                $t->text('address1')->default('');
                $t->text('address2')->default('');
                $t->text('city')->default('');
                $t->text('state')->default('');
                $t->text('postcode')->default('');
                $t->string('country', 2)->default('');
                $t->text('phonenumber')->default('');
                $t->text('password')->default('');
                $t->string('language', 32)->default('');
                $t->string('status', 16)->default('Active');
                $t->date('datecreated')->nullable();
            },
            'tblservers' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->text('name')->default('');
                $t->text('ipaddress')->default('');
                $t->text('assignedips')->default('');
                $t->text('hostname')->default('');
                $t->integer('port')->nullable();
                $t->integer('maxaccounts')->default(0);
                $t->text('type')->default('');
                $t->text('username')->default('');
                $t->text('password')->default('');
                $t->text('accesshash')->default('');
                $t->text('secure')->default('');
                $t->tinyInteger('active')->default(0);
                $t->tinyInteger('disabled')->default(0);
            },
            'tblproducts' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->text('type')->default('');
                $t->integer('gid')->default(0);
                $t->text('name')->default('');
                $t->text('description')->default('');
                $t->tinyInteger('hidden')->default(0);
                $t->text('servertype')->default('');
                $t->integer('servergroup')->default(0);
                for ($i = 1; $i <= 24; $i++) {
                    $t->text('configoption' . $i)->default('');
                }
                $t->tinyInteger('retired')->default(0);
            },
            'tblhosting' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->integer('userid');
                $t->integer('orderid')->default(0);
                $t->integer('packageid');
                $t->integer('server')->default(0);
                $t->date('regdate')->nullable();
                $t->text('domain')->default('');
                $t->text('paymentmethod')->default('');
                $t->decimal('amount', 16, 2)->default(0);
                $t->text('billingcycle')->default('');
                $t->date('nextduedate')->nullable();
                $t->string('domainstatus', 16)->default('Pending');
                $t->text('username')->default('');
                $t->text('password')->default('');
                $t->text('notes')->default('');
                $t->text('suspendreason')->default('');
                $t->text('dedicatedip')->default('');
                $t->text('assignedips')->default('');
                $t->integer('diskusage')->default(0);
                $t->integer('disklimit')->default(0);
                $t->integer('bwusage')->default(0);
                $t->integer('bwlimit')->default(0);
                $t->dateTime('lastupdate')->nullable();
                $t->dateTime('created_at')->nullable();
                $t->dateTime('updated_at')->nullable();
            },
            'tblcustomfields' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->string('type', 16);
                $t->integer('relid');
                $t->text('fieldname')->default('');
                $t->string('fieldtype', 16)->default('text');
                $t->text('description')->default('');
                $t->text('fieldoptions')->default('');
                $t->text('regexpr')->default('');
                $t->string('adminonly', 3)->default('');
                $t->string('required', 3)->default('');
                $t->string('showorder', 3)->default('');
                $t->string('showinvoice', 3)->default('');
                $t->integer('sortorder')->default(0);
            },
            'tblcustomfieldsvalues' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->integer('fieldid');
                $t->integer('relid');
                $t->text('value')->default('');
                $t->dateTime('created_at')->nullable();
                $t->dateTime('updated_at')->nullable();
            },
            'tblconfiguration' => static function (Blueprint $t): void {
                $t->string('setting', 64)->primary();
                $t->text('value')->default('');
                $t->dateTime('created_at')->nullable();
                $t->dateTime('updated_at')->nullable();
            },
            'tblproductconfiggroups' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->text('name')->default('');
                $t->text('description')->default('');
            },
            'tblproductconfiglinks' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->integer('gid');
                $t->integer('pid');
            },
            // optiontype: 1 dropdown, 2 radio, 3 yes/no, 4 quantity (as in WHMCS).
            'tblproductconfigoptions' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->integer('gid');
                $t->text('optionname')->default('');
                $t->integer('optiontype');
                $t->integer('qtyminimum')->default(0);
                $t->integer('qtymaximum')->default(0);
                $t->integer('order')->default(0);
                $t->tinyInteger('hidden')->default(0);
            },
            'tblproductconfigoptionssub' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->integer('configid');
                $t->text('optionname')->default('');
                $t->integer('sortorder')->default(0);
                $t->tinyInteger('hidden')->default(0);
            },
            'tblhostingconfigoptions' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->integer('relid');
                $t->integer('configid');
                $t->integer('optionid')->default(0);
                $t->integer('qty')->default(0);
            },
            'mod_harness_module_log' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->string('module', 64);
                $t->text('action')->default('');
                $t->longText('request')->default('');
                $t->longText('response')->default('');
                $t->longText('processed')->default('');
                $t->dateTime('created_at')->nullable();
            },
            'mod_harness_activity_log' => static function (Blueprint $t): void {
                $t->increments('id');
                $t->dateTime('date')->nullable();
                $t->text('description')->default('');
                $t->integer('userid')->default(0);
            },
        ];
    }
}
