<?php
// $params built from the harness database the way WHMCS builds them (whmcs-contract.md section 3):
// passwords decrypted, all 24 configoptionN keys, custom fields and configurable options keyed by the
// name before '|', serverhostname as stored (with ':port' if the admin typed one).

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

use WHMCS\Database\Capsule;

final class Params
{
    /** WHMCS hands IDs over as they come from the database; tests can ask for numeric strings. */
    private static bool $numericStrings = false;

    public const WHMCS_VERSION = '8.12.1-release.1';

    public static function numericStrings(bool $on): void
    {
        self::$numericStrings = $on;
    }

    /** @return array<string, mixed> */
    public static function forService(int $serviceId, array $overrides = []): array
    {
        $service = Capsule::table('tblhosting')->where('id', $serviceId)->first();
        if ($service === null) {
            throw new \InvalidArgumentException("no service {$serviceId}");
        }
        $product = Capsule::table('tblproducts')->where('id', $service->packageid)->first();
        if ($product === null) {
            throw new \InvalidArgumentException("service {$serviceId} has no product");
        }
        $client = Capsule::table('tblclients')->where('id', $service->userid)->first();
        $serverId = (int) $service->server;

        $params = [
            'whmcsVersion' => self::WHMCS_VERSION,
            'accountid' => self::id($serviceId),
            'serviceid' => self::id($serviceId),
            'addonId' => self::id(0),
            'userid' => self::id((int) $service->userid),
            'pid' => self::id((int) $product->id),
            'serverid' => self::id($serverId),
            'domain' => (string) $service->domain,
            'username' => (string) $service->username,
            'password' => decrypt((string) $service->password),
            'producttype' => (string) $product->type,
            'type' => (string) $product->type,
            'moduletype' => (string) $product->servertype,
            'status' => (string) $service->domainstatus,
        ];
        for ($i = 1; $i <= 24; $i++) {
            $params['configoption' . $i] = (string) $product->{'configoption' . $i};
        }
        $params['customfields'] = self::customFields((int) $product->id, $serviceId);
        $params['configoptions'] = self::configOptions((int) $product->id, $serviceId);
        $params['clientsdetails'] = $client === null ? [] : self::clientDetails($client);
        $params['model'] = null;
        $params += self::serverSubset($serverId);
        return array_replace_recursive($params, $overrides);
    }

    /** The connection subset WHMCS gives TestConnection, UsageUpdate, ListAccounts and the loaders. */
    public static function forServer(int $serverId, array $overrides = []): array
    {
        if (!Capsule::table('tblservers')->where('id', $serverId)->exists()) {
            throw new \InvalidArgumentException("no server {$serverId}");
        }
        return array_replace_recursive(
            ['whmcsVersion' => self::WHMCS_VERSION, 'serverid' => self::id($serverId)] + self::serverSubset($serverId),
            $overrides
        );
    }

    /** @return array<string, mixed> */
    private static function serverSubset(int $serverId): array
    {
        $server = $serverId === 0 ? null : Capsule::table('tblservers')->where('id', $serverId)->first();
        if ($server === null) {
            return [
                'server' => false, 'serverip' => '', 'serverhostname' => '', 'serverusername' => '',
                'serverpassword' => '', 'serveraccesshash' => '', 'serversecure' => false,
                'serverhttpprefix' => 'http', 'serverport' => '',
            ];
        }
        $secure = (string) $server->secure === 'on';
        return [
            'server' => true,
            'serverip' => (string) $server->ipaddress,
            'serverhostname' => (string) $server->hostname,
            'serverusername' => (string) $server->username,
            'serverpassword' => decrypt((string) $server->password),
            'serveraccesshash' => (string) $server->accesshash,
            'serversecure' => $secure,
            'serverhttpprefix' => $secure ? 'https' : 'http',
            'serverport' => $server->port === null ? '' : (string) $server->port,
        ];
    }

    /** @return array<string, string> */
    private static function customFields(int $pid, int $serviceId): array
    {
        $fields = Capsule::table('tblcustomfields')
            ->where(['type' => 'product', 'relid' => $pid])
            ->orderBy('sortorder')->orderBy('id')->get();
        $out = [];
        foreach ($fields as $field) {
            $value = Capsule::table('tblcustomfieldsvalues')
                ->where(['fieldid' => $field->id, 'relid' => $serviceId])->value('value');
            $out[self::key((string) $field->fieldname)] = (string) ($value ?? '');
        }
        return $out;
    }

    /**
     * The service's configurable options: quantity -> the number, yes/no -> 1/0, dropdown/radio ->
     * the selected sub-option (the part before '|'). Options the service has no value for are absent.
     *
     * @return array<string, int|string>
     */
    private static function configOptions(int $pid, int $serviceId): array
    {
        $rows = Capsule::table('tblhostingconfigoptions as h')
            ->join('tblproductconfigoptions as o', 'o.id', '=', 'h.configid')
            ->join('tblproductconfiglinks as l', 'l.gid', '=', 'o.gid')
            ->leftJoin('tblproductconfigoptionssub as s', 's.id', '=', 'h.optionid')
            ->where('h.relid', $serviceId)->where('l.pid', $pid)
            ->orderBy('o.order')->orderBy('o.id')
            ->get(['o.optionname', 'o.optiontype', 'h.qty', 's.optionname as sub']);
        $out = [];
        foreach ($rows as $row) {
            $type = (int) $row->optiontype;
            $value = $type === 3 || $type === 4
                ? ((int) $row->qty)
                : self::key((string) ($row->sub ?? ''));
            $out[self::key((string) $row->optionname)] = self::$numericStrings && is_int($value) ? (string) $value : $value;
        }
        return $out;
    }

    /** @return array<string, mixed> */
    private static function clientDetails(object $c): array
    {
        return [
            'id' => self::id((int) $c->id),
            'userid' => self::id((int) $c->id),
            'client_id' => self::id((int) $c->id),
            'uuid' => (string) $c->uuid,
            'firstname' => (string) $c->firstname,
            'lastname' => (string) $c->lastname,
            'fullname' => trim($c->firstname . ' ' . $c->lastname),
            'companyname' => (string) $c->companyname,
            'email' => (string) $c->email,
            'address1' => (string) $c->address1,
            'address2' => (string) $c->address2,
            'city' => (string) $c->city,
            'fullstate' => (string) $c->state,
            'state' => (string) $c->state,
            'postcode' => (string) $c->postcode,
            'countrycode' => (string) $c->country,
            'country' => (string) $c->country,
            'phonenumber' => (string) $c->phonenumber,
            'language' => (string) $c->language,
            'status' => (string) $c->status,
        ];
    }

    /** 'key|Label' -> 'key'. */
    private static function key(string $name): string
    {
        $pipe = strpos($name, '|');
        return trim($pipe === false ? $name : substr($name, 0, $pipe));
    }

    /** @return int|string */
    private static function id(int $id)
    {
        return self::$numericStrings ? (string) $id : $id;
    }
}
