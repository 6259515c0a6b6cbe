<?php
// localAPI() as WHMCS answers it, for the commands a provisioning module uses. Handlers really
// change the harness tables. An unknown command answers {result: error} (as WHMCS does) and is
// recorded as a strict-mode failure, which makes the surrounding Whmcs::call() fail.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Tests\Whmcs;

use WHMCS\Database\Capsule;

final class LocalApi
{
    /** @var array<string, callable(array<string, mixed>): array<string, mixed>> */
    private static array $extra = [];

    /** Adds or replaces a handler for this test (cleared by reset()). */
    public static function register(string $command, callable $handler): void
    {
        self::$extra[strtolower($command)] = $handler;
    }

    public static function reset(): void
    {
        self::$extra = [];
    }

    /**
     * @param array<string, mixed> $values
     * @return array<string, mixed>
     */
    public static function call(string $command, array $values, string $adminUser = ''): array
    {
        $key = strtolower($command);
        $builtin = [
            'updateclientproduct' => [self::class, 'updateClientProduct'],
            'encryptpassword' => static fn (array $v): array => ['result' => 'success', 'password' => encrypt((string) ($v['password2'] ?? ''))],
            'decryptpassword' => static fn (array $v): array => ['result' => 'success', 'password' => decrypt((string) ($v['password2'] ?? ''))],
            'getclientsdetails' => [self::class, 'getClientsDetails'],
            'getclientsproducts' => [self::class, 'getClientsProducts'],
        ];
        $handler = self::$extra[$key] ?? $builtin[$key] ?? null;
        if ($handler === null) {
            $result = ['result' => 'error', 'message' => 'Command Not Found'];
            Recorder::strictFailure("localAPI('{$command}') is not a command the harness knows; WHMCS would answer: Command Not Found");
        } else {
            $result = $handler($values);
        }
        Recorder::recordLocalApi($command, $values, $adminUser, $result);
        return $result;
    }

    /** @param array<string, mixed> $v */
    private static function updateClientProduct(array $v): array
    {
        $id = (int) ($v['serviceid'] ?? 0);
        if ($id === 0 || !Capsule::table('tblhosting')->where('id', $id)->exists()) {
            return ['result' => 'error', 'message' => 'Service ID Not Found'];
        }
        $columns = [
            'pid' => 'packageid', 'serverid' => 'server', 'regdate' => 'regdate', 'nextduedate' => 'nextduedate',
            'domain' => 'domain', 'paymentmethod' => 'paymentmethod', 'billingcycle' => 'billingcycle',
            'status' => 'domainstatus', 'notes' => 'notes', 'serviceusername' => 'username',
            'suspendreason' => 'suspendreason', 'dedicatedip' => 'dedicatedip', 'assignedips' => 'assignedips',
            'diskusage' => 'diskusage', 'disklimit' => 'disklimit', 'bwusage' => 'bwusage', 'bwlimit' => 'bwlimit',
        ];
        $update = [];
        foreach ($columns as $param => $column) {
            if (array_key_exists($param, $v)) {
                $update[$column] = $v[$param];
            }
        }
        if (array_key_exists('servicepassword', $v)) {
            $update['password'] = encrypt((string) $v['servicepassword']);
        }
        if ($update !== []) {
            Capsule::table('tblhosting')->where('id', $id)->update($update);
        }
        if (isset($v['customfields']) && $v['customfields'] !== '') {
            $decoded = base64_decode((string) $v['customfields'], true);
            $fields = $decoded === false ? false : @unserialize($decoded, ['allowed_classes' => false]);
            if (!is_array($fields)) {
                return ['result' => 'error', 'message' => 'Invalid customfields: expected base64_encode(serialize(array))'];
            }
            $pid = (int) Capsule::table('tblhosting')->where('id', $id)->value('packageid');
            foreach ($fields as $fieldId => $value) {
                $field = Capsule::table('tblcustomfields')
                    ->where(['id' => (int) $fieldId, 'type' => 'product', 'relid' => $pid])->exists();
                if ($field) {
                    Fixtures::customFieldValue((int) $fieldId, $id, (string) $value);
                }
            }
        }
        return ['result' => 'success', 'serviceid' => $id];
    }

    /** @param array<string, mixed> $v */
    private static function getClientsDetails(array $v): array
    {
        $query = Capsule::table('tblclients');
        if (isset($v['clientid'])) {
            $query->where('id', (int) $v['clientid']);
        } elseif (isset($v['email'])) {
            $query->where('email', (string) $v['email']);
        } else {
            return ['result' => 'error', 'message' => 'Client ID Not Found'];
        }
        $c = $query->first();
        if ($c === null) {
            return ['result' => 'error', 'message' => 'Client Not Found'];
        }
        $client = [
            'userid' => (int) $c->id, 'id' => (int) $c->id, 'uuid' => $c->uuid, 'firstname' => $c->firstname,
            'lastname' => $c->lastname, 'fullname' => trim($c->firstname . ' ' . $c->lastname),
            'companyname' => $c->companyname, 'email' => $c->email, 'address1' => $c->address1,
            'address2' => $c->address2, 'city' => $c->city, 'state' => $c->state, 'postcode' => $c->postcode,
            'countrycode' => $c->country, 'country' => $c->country, 'phonenumber' => $c->phonenumber,
            'language' => $c->language, 'status' => $c->status,
        ];
        return ['result' => 'success'] + $client + ['client' => $client];
    }

    /** @param array<string, mixed> $v */
    private static function getClientsProducts(array $v): array
    {
        $query = Capsule::table('tblhosting');
        if (isset($v['serviceid'])) {
            $query->where('id', (int) $v['serviceid']);
        }
        if (isset($v['clientid'])) {
            $query->where('userid', (int) $v['clientid']);
        }
        $products = [];
        foreach ($query->orderBy('id')->get() as $h) {
            $products[] = [
                'id' => (int) $h->id, 'clientid' => (int) $h->userid, 'pid' => (int) $h->packageid,
                'serverid' => (int) $h->server, 'domain' => $h->domain, 'username' => $h->username,
                'status' => $h->domainstatus, 'diskusage' => (int) $h->diskusage, 'disklimit' => (int) $h->disklimit,
            ];
        }
        return ['result' => 'success', 'totalresults' => count($products), 'products' => ['product' => $products]];
    }
}
