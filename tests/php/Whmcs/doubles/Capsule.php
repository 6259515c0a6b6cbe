<?php
// WHMCS\Database\Capsule: WHMCS exposes Laravel's Capsule manager under this name. Here it is the
// real Illuminate\Database\Capsule\Manager from Debian's php-illuminate-database.

declare(strict_types=1);

namespace WHMCS\Database;

$illuminate = stream_resolve_include_path('Illuminate/Database/autoload.php');
if ($illuminate === false) {
    throw new \RuntimeException(
        'Illuminate\Database is missing: install Debian\'s php-illuminate-database (Illuminate/Database/autoload.php '
        . 'is looked up on the include_path, ' . get_include_path() . ').'
    );
}
require_once $illuminate;

class Capsule extends \Illuminate\Database\Capsule\Manager
{
}
