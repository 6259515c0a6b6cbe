<?php
// The SQL of UsageUpdate: which services the core reports on, and writing the usage it computed.

declare(strict_types=1);

namespace WHMCS\Module\Server\CometBackup\Repository;

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

use WHMCS\Database\Capsule;
use WHMCS\Module\Server\CometBackup\Service\EffectStore;

/**
 * Both directions are built for 100,000 services: the list is read in pages and handed to the core
 * as JSON text (never as 100,000 PHP arrays), and the rows are written a few hundred per UPDATE in
 * one transaction, only after the core's reader finished successfully.
 */
final class UsageRepository
{
    /** Services read per query while building the list. */
    public const PAGE = 5000;
    /** Rows per UPDATE statement. */
    public const BATCH = 250;

    /**
     * The server's Active and Suspended services of this module as the JSON list the core reads
     * ([{serviceid, username, customUsername?, marker?}]), built in pages so no row collection is
     * ever held. `customUsername` is the service's custom field Username, so the core's account-name
     * rule finds the accounts of services whose username is empty or the official module's
     * placeholder.
     */
    public function servicesJson(int $serverId, int $page = self::PAGE): string
    {
        EffectStore::ensureSchema();
        $flags = JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE | JSON_THROW_ON_ERROR;
        $json = '[';
        $first = true;
        $last = 0;
        do {
            $rows = Capsule::table('tblhosting')
                ->join('tblproducts', 'tblproducts.id', '=', 'tblhosting.packageid')
                ->leftJoin(EffectStore::TABLE, EffectStore::TABLE . '.serviceid', '=', 'tblhosting.id')
                // The product's field named "Username" (or "Username|Label") and this service's value.
                ->leftJoin('tblcustomfields as cbf', static function ($join) {
                    $join->on('cbf.relid', '=', 'tblhosting.packageid')
                        ->where('cbf.type', '=', 'product')
                        ->where(static function ($q) {
                            $q->where('cbf.fieldname', '=', 'Username')->orWhere('cbf.fieldname', 'like', 'Username|%');
                        });
                })
                ->leftJoin('tblcustomfieldsvalues as cbv', static function ($join) {
                    $join->on('cbv.fieldid', '=', 'cbf.id')->on('cbv.relid', '=', 'tblhosting.id');
                })
                ->where('tblhosting.server', $serverId)
                ->where('tblproducts.servertype', 'cometbackup')
                ->whereIn('tblhosting.domainstatus', ['Active', 'Suspended'])
                ->where('tblhosting.id', '>', $last)
                ->orderBy('tblhosting.id')
                ->orderBy('cbf.id')
                ->limit($page)
                ->get(['tblhosting.id', 'tblhosting.username', EffectStore::TABLE . '.marker', 'cbv.value as custom_username']);
            $count = count($rows);
            foreach ($rows as $row) {
                $id = (int) $row->id;
                if ($id === $last) {
                    continue;   // a second matching field of one product: the first one counts
                }
                $entry = ['serviceid' => $id, 'username' => (string) $row->username];
                $custom = trim((string) ($row->custom_username ?? ''));
                if ($custom !== '') {
                    $entry['customUsername'] = $custom;
                }
                if ((string) ($row->marker ?? '') !== '') {
                    $entry['marker'] = (string) $row->marker;
                }
                $json .= ($first ? '' : ',') . json_encode($entry, $flags);
                $first = false;
                $last = $id;
            }
            unset($rows);
        } while ($count === $page);
        return $json . ']';
    }

    /**
     * Writes diskusage and disklimit (MiB) and lastupdate of each row to its service on this server.
     *
     * @param iterable<array<string, mixed>> $usage [{serviceid, username, diskusage, disklimit}] in MiB
     * @return int rows written
     */
    public function write(int $serverId, iterable $usage, int $now): int
    {
        $stamp = gmdate('Y-m-d H:i:s', $now);
        $connection = Capsule::connection();
        $written = 0;
        $connection->transaction(static function () use ($connection, $usage, $stamp, $serverId, &$written): void {
            $batch = [];
            $flush = static function (array $chunk) use ($connection, $stamp, $serverId): void {
                $usageCase = '';
                $limitCase = '';
                $usageBind = [];
                $limitBind = [];
                foreach ($chunk as $id => [$used, $limit]) {
                    $usageCase .= ' WHEN ? THEN ?';
                    $limitCase .= ' WHEN ? THEN ?';
                    array_push($usageBind, $id, $used);
                    array_push($limitBind, $id, $limit);
                }
                $ids = array_keys($chunk);
                $sql = 'UPDATE tblhosting SET diskusage = CASE id' . $usageCase . ' ELSE diskusage END,'
                    . ' disklimit = CASE id' . $limitCase . ' ELSE disklimit END, lastupdate = ?'
                    . ' WHERE server = ? AND id IN (' . implode(',', array_fill(0, count($ids), '?')) . ')';
                $connection->update($sql, array_merge($usageBind, $limitBind, [$stamp, $serverId], $ids));
            };
            foreach ($usage as $row) {
                $id = (int) ($row['serviceid'] ?? 0);
                if ($id <= 0 || isset($batch[$id])) {
                    continue;
                }
                $batch[$id] = [
                    max(0, (int) round((float) ($row['diskusage'] ?? 0))),
                    max(0, (int) round((float) ($row['disklimit'] ?? 0))),
                ];
                if (count($batch) >= self::BATCH) {
                    $flush($batch);
                    $written += count($batch);
                    $batch = [];
                }
            }
            if ($batch !== []) {
                $flush($batch);
                $written += count($batch);
            }
        });
        return $written;
    }

    /** tblhosting.lastupdate of a service ('' when unknown), for the admin tab. */
    public function lastUpdate(int $serviceId): string
    {
        return (string) (Capsule::table('tblhosting')->where('id', $serviceId)->value('lastupdate') ?? '');
    }
}
