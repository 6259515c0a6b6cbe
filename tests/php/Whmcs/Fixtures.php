<?php
// Rows in the harness's WHMCS tables, stored the way WHMCS stores them (passwords encrypted,
// yes/no settings as 'on'/'', configurable options in the tblproductconfig* tables).
// Every method returns the new row's ID; $overrides replace column values.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

use WHMCS\Database\Capsule;

final class Fixtures
{
    /**
     * A tblservers row. 'password' is given in plain text and stored encrypted; 'hostname' may carry
     * ':port' (and a base path); 'secure' is 'on' or ''.
     */
    public static function server(array $overrides = []): int
    {
        $row = array_replace([
            'name' => 'Comet Server',
            'ipaddress' => '',
            'assignedips' => '',
            'hostname' => 'comet.example.test',
            'port' => null,
            'maxaccounts' => 0,
            'type' => 'cometbackup',
            'username' => 'admin',
            'password' => 'admin',
            'accesshash' => '',
            'secure' => 'on',
            'active' => 1,
            'disabled' => 0,
        ], $overrides);
        $row['password'] = encrypt((string) $row['password']);
        return (int) Capsule::table('tblservers')->insertGetId($row);
    }

    /** A server row pointing at a running emulator (http, or https when it was started with TLS). */
    public static function serverFor(Emulator $emulator, array $overrides = []): int
    {
        return self::server(array_replace([
            'hostname' => $emulator->host . ':' . $emulator->port,
            'ipaddress' => $emulator->host,
            'secure' => $emulator->tls ? 'on' : '',
            'username' => $emulator->adminUsername,
            'password' => $emulator->adminPassword,
        ], $overrides));
    }

    /** A tblproducts row of the cometbackup module; configoption1..24 default to ''. */
    public static function product(array $overrides = []): int
    {
        $row = [
            'type' => 'other',
            'gid' => 1,
            'name' => 'Comet Backup',
            'description' => '',
            'hidden' => 0,
            'servertype' => 'cometbackup',
            'servergroup' => 0,
        ];
        for ($i = 1; $i <= 24; $i++) {
            $row['configoption' . $i] = '';
        }
        return (int) Capsule::table('tblproducts')->insertGetId(array_replace($row, $overrides));
    }

    /** A product custom field ('Username', 'Password' or 'key|Label'). */
    public static function customField(int $pid, string $name, array $overrides = []): int
    {
        return (int) Capsule::table('tblcustomfields')->insertGetId(array_replace([
            'type' => 'product',
            'relid' => $pid,
            'fieldname' => $name,
            'fieldtype' => 'text',
            'description' => '',
            'fieldoptions' => '',
            'regexpr' => '',
            'adminonly' => '',
            'required' => '',
            'showorder' => 'on',
            'showinvoice' => '',
            'sortorder' => 0,
        ], $overrides));
    }

    public static function client(array $overrides = []): int
    {
        return (int) Capsule::table('tblclients')->insertGetId(array_replace([
            'uuid' => bin2hex(random_bytes(16)),
            'firstname' => 'Ada',
            'lastname' => 'Lovelace',
            'companyname' => '',
            'email' => 'ada@example.test',
            'address1' => '1 Analytical Row',
            'address2' => '',
            'city' => 'London',
            'state' => 'London',
            'postcode' => 'N1 1AA',
            'country' => 'GB',
            'phonenumber' => '',
            'password' => '',
            'language' => '',
            'status' => 'Active',
            'datecreated' => date('Y-m-d'),
        ], $overrides));
    }

    /** A tblhosting row; 'password' is given in plain text and stored encrypted. */
    public static function service(int $clientId, int $productId, int $serverId, array $overrides = []): int
    {
        $row = array_replace([
            'userid' => $clientId,
            'orderid' => 0,
            'packageid' => $productId,
            'server' => $serverId,
            'regdate' => date('Y-m-d'),
            'domain' => '',
            'paymentmethod' => 'banktransfer',
            'amount' => 0,
            'billingcycle' => 'Monthly',
            'nextduedate' => date('Y-m-d'),
            'domainstatus' => 'Pending',
            'username' => '',
            'password' => '',
            'notes' => '',
            'suspendreason' => '',
            'dedicatedip' => '',
            'assignedips' => '',
        ], $overrides);
        $row['password'] = encrypt((string) $row['password']);
        return (int) Capsule::table('tblhosting')->insertGetId($row);
    }

    /** Sets a service's value of a product custom field. */
    public static function customFieldValue(int $fieldId, int $serviceId, string $value): void
    {
        $where = ['fieldid' => $fieldId, 'relid' => $serviceId];
        if (Capsule::table('tblcustomfieldsvalues')->where($where)->exists()) {
            Capsule::table('tblcustomfieldsvalues')->where($where)->update(['value' => $value]);
        } else {
            Capsule::table('tblcustomfieldsvalues')->insert($where + ['value' => $value]);
        }
    }

    /**
     * Gives a service a configurable option, named as WHMCS shows it (e.g. 'number_of_devices|Devices').
     * The option's type follows the value: int = quantity, bool = yes/no, string = dropdown whose
     * selected sub-option is the string (which may itself be 'value|Label').
     * Returns the option's ID (tblproductconfigoptions.id).
     *
     * @param int|bool|string $value
     */
    public static function configOption(int $serviceId, string $optionName, $value): int
    {
        $pid = (int) Capsule::table('tblhosting')->where('id', $serviceId)->value('packageid');
        if ($pid === 0) {
            throw new \InvalidArgumentException("no service {$serviceId}");
        }
        $gid = (int) Capsule::table('tblproductconfiglinks')->where('pid', $pid)->value('gid');
        if ($gid === 0) {
            $gid = (int) Capsule::table('tblproductconfiggroups')->insertGetId([
                'name' => "Options of product {$pid}",
                'description' => '',
            ]);
            Capsule::table('tblproductconfiglinks')->insert(['gid' => $gid, 'pid' => $pid]);
        }
        $type = is_bool($value) ? 3 : (is_int($value) ? 4 : 1);
        $configId = (int) Capsule::table('tblproductconfigoptions')
            ->where(['gid' => $gid, 'optionname' => $optionName])->value('id');
        if ($configId === 0) {
            $configId = (int) Capsule::table('tblproductconfigoptions')->insertGetId([
                'gid' => $gid,
                'optionname' => $optionName,
                'optiontype' => $type,
                'qtyminimum' => 0,
                'qtymaximum' => $type === 4 ? 100000 : 0,
                'order' => 0,
                'hidden' => 0,
            ]);
        } else {
            Capsule::table('tblproductconfigoptions')->where('id', $configId)->update(['optiontype' => $type]);
        }
        $optionId = 0;
        $qty = 0;
        if ($type === 1) {
            $optionId = (int) Capsule::table('tblproductconfigoptionssub')
                ->where(['configid' => $configId, 'optionname' => (string) $value])->value('id');
            if ($optionId === 0) {
                $optionId = (int) Capsule::table('tblproductconfigoptionssub')->insertGetId([
                    'configid' => $configId,
                    'optionname' => (string) $value,
                    'sortorder' => 0,
                    'hidden' => 0,
                ]);
            }
        } else {
            $qty = is_bool($value) ? (int) $value : (int) $value;
        }
        $where = ['relid' => $serviceId, 'configid' => $configId];
        Capsule::table('tblhostingconfigoptions')->where($where)->delete();
        Capsule::table('tblhostingconfigoptions')->insert($where + ['optionid' => $optionId, 'qty' => $qty]);
        return $configId;
    }

    /** A tblconfiguration setting. */
    public static function setting(string $name, string $value): void
    {
        Capsule::table('tblconfiguration')->updateOrInsert(['setting' => $name], ['value' => $value]);
    }
}
