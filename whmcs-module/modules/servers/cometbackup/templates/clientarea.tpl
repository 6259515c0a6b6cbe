{* Comet Backup: the customer's product-details page. Built by lib/View/ClientArea.php.
   Every value is printed with |escape:'html' (device, item and vault names are typed by end users).
   Classes are the ones Bootstrap 3 (Six) and Bootstrap 4 (Twenty-One) share; both label and badge
   classes are given so either theme colours them. No JavaScript, no external assets. *}
<div class="cometbackup-clientarea">

<h3>{$cbText.account|escape:'html'}</h3>
<table class="table table-striped table-condensed table-sm">
    <tbody>
        <tr>
            <th scope="row">{$cbText.username|escape:'html'}</th>
            <td><code>{$cb.username|escape:'html'}</code>{if $cb.suspended} <span class="label label-warning badge badge-warning cb-suspended">{$cbText.suspended|escape:'html'}</span>{/if}</td>
        </tr>
        <tr>
            <th scope="row">{$cbText.devices|escape:'html'}</th>
            <td>
                <span class="cb-devices-used">{$cb.devicesUsed|escape:'html'}</span> /
                <span class="cb-devices-limit">{$cb.devicesLimit|escape:'html'}</span>
                {if $cb.devicesFull}<span class="label label-warning badge badge-warning">{$cbText.devicesFull|escape:'html'}</span>{/if}
            </td>
        </tr>
        <tr>
            <th scope="row">{$cbText.protected|escape:'html'}</th>
            <td>
                {$cb.protected.used|escape:'html'} / {$cb.protected.limit|escape:'html'}
                {if $cb.protected.limited}
                <div class="progress">
                    <div class="progress-bar progress-bar-{$cb.protected.tone|escape:'html'} bg-{$cb.protected.tone|escape:'html'}" role="progressbar"
                         style="width: {$cb.protected.percent|escape:'html'}%" aria-valuenow="{$cb.protected.percent|escape:'html'}"
                         aria-valuemin="0" aria-valuemax="100">{$cb.protected.percent|escape:'html'}%</div>
                </div>
                {/if}
                <small class="text-muted">{$cbText.protectedHelp|escape:'html'}</small>
            </td>
        </tr>
    </tbody>
</table>

<h3>{$cbText.vaults|escape:'html'}</h3>
{if $cb.vaults}
<table class="table table-striped table-condensed table-sm">
    <thead>
        <tr>
            <th scope="col">{$cbText.vault|escape:'html'}</th>
            <th scope="col">{$cbText.used|escape:'html'}</th>
            <th scope="col">{$cbText.quota|escape:'html'}</th>
        </tr>
    </thead>
    <tbody>
    {foreach $cb.vaults as $vault}
        <tr class="cb-vault">
            <td>{$vault.name|escape:'html'}{if $vault.note} <small class="text-muted">({$vault.note|escape:'html'})</small>{/if}</td>
            <td>
                {$vault.used|escape:'html'}
                {if $vault.limited}
                <div class="progress">
                    <div class="progress-bar progress-bar-{$vault.tone|escape:'html'} bg-{$vault.tone|escape:'html'}" role="progressbar"
                         style="width: {$vault.percent|escape:'html'}%" aria-valuenow="{$vault.percent|escape:'html'}"
                         aria-valuemin="0" aria-valuemax="100">{$vault.percent|escape:'html'}%</div>
                </div>
                {/if}
            </td>
            <td>{$vault.limit|escape:'html'}</td>
        </tr>
    {/foreach}
    </tbody>
</table>
{else}
<p class="text-muted">{$cbText.novaults|escape:'html'}</p>
{/if}

<h3>{$cbText.items|escape:'html'}</h3>
{if $cb.items}
<table class="table table-striped table-condensed table-sm">
    <thead>
        <tr>
            <th scope="col">{$cbText.item|escape:'html'}</th>
            <th scope="col">{$cbText.device|escape:'html'}</th>
            <th scope="col">{$cbText.lastBackup|escape:'html'}</th>
            <th scope="col">{$cbText.size|escape:'html'}</th>
        </tr>
    </thead>
    <tbody>
    {foreach $cb.items as $item}
        <tr class="cb-item">
            <td>{$item.name|escape:'html'}</td>
            <td>{$item.device|escape:'html'}</td>
            <td>{$item.lastBackup|escape:'html'}</td>
            <td>{$item.size|escape:'html'}</td>
        </tr>
    {/foreach}
    </tbody>
</table>
{else}
<p class="text-muted">{$cbText.noitems|escape:'html'}</p>
{/if}

<h3>{$cbText.devices|escape:'html'}</h3>
{if $cb.devices}
<table class="table table-striped table-condensed table-sm">
    <thead>
        <tr>
            <th scope="col">{$cbText.device|escape:'html'}</th>
            <th scope="col">{$cbText.platform|escape:'html'}</th>
            <th scope="col">{$cbText.version|escape:'html'}</th>
            <th scope="col">{$cbText.registered|escape:'html'}</th>
        </tr>
    </thead>
    <tbody>
    {foreach $cb.devices as $device}
        <tr class="cb-device">
            <td>{$device.name|escape:'html'}</td>
            <td>{$device.platform|escape:'html'}</td>
            <td>{$device.version|escape:'html'}</td>
            <td>{$device.registered|escape:'html'}</td>
        </tr>
    {/foreach}
    </tbody>
</table>
{else}
<p class="text-muted">{$cbText.nodevices|escape:'html'}</p>
{/if}

<h3>{$cbText.jobs|escape:'html'}</h3>
<p class="text-muted"><small>{$cbText.jobsHelp|escape:'html'} {$cbText.jobsTimezone|escape:'html'} <span class="cb-timezone">{$cb.timezone|escape:'html'}</span></small></p>
{if $cbJobsFailed}
<div class="alert alert-warning" role="alert">{$cbText.jobsFailed|escape:'html'}</div>
{elseif $cb.jobs}
<div class="table-responsive">
<table class="table table-striped table-condensed table-sm cb-jobs">
    <thead>
        <tr>
            <th scope="col">{$cbText.started|escape:'html'}</th>
            <th scope="col">{$cbText.type|escape:'html'}</th>
            <th scope="col">{$cbText.status|escape:'html'}</th>
            <th scope="col">{$cbText.device|escape:'html'}</th>
            <th scope="col">{$cbText.item|escape:'html'}</th>
            <th scope="col">{$cbText.vault|escape:'html'}</th>
            <th scope="col">{$cbText.files|escape:'html'}</th>
            <th scope="col">{$cbText.size|escape:'html'}</th>
            <th scope="col">{$cbText.uploaded|escape:'html'}</th>
            <th scope="col">{$cbText.downloaded|escape:'html'}</th>
        </tr>
    </thead>
    <tbody>
    {foreach $cb.jobs as $job}
        <tr class="cb-job">
            <td class="cb-job-started">{$job.started|escape:'html'}</td>
            <td>{$job.type|escape:'html'}</td>
            <td><span class="label label-{$job.tone|escape:'html'} badge badge-{$job.tone|escape:'html'} cb-job-status">{$job.status|escape:'html'}</span></td>
            <td>{$job.device|escape:'html'}</td>
            <td>{$job.item|escape:'html'}</td>
            <td>{$job.vault|escape:'html'}</td>
            <td>{$job.files|escape:'html'}</td>
            <td>{$job.size|escape:'html'}</td>
            <td>{$job.uploaded|escape:'html'}</td>
            <td>{$job.downloaded|escape:'html'}</td>
        </tr>
    {/foreach}
    </tbody>
</table>
</div>
{else}
<p class="text-muted">{$cbText.nojobs|escape:'html'}</p>
{/if}

<h3>{$cbText.downloads|escape:'html'}</h3>
<p>{$cbText.downloadsHelp|escape:'html'}</p>
<ul class="list-unstyled cb-downloads">
{foreach $cb.downloads as $download}
    <li><a class="btn btn-default btn-light btn-sm" href="{$download.url|escape:'html'}" rel="nofollow">{$download.label|escape:'html'}</a></li>
{/foreach}
</ul>

{if $cb.ssoUrl}
<h3>{$cbText.sso|escape:'html'}</h3>
<p>{$cbText.ssoHelp|escape:'html'}</p>
<p><a class="btn btn-primary cb-sso" href="{$cb.ssoUrl|escape:'html'}" target="_blank" rel="noopener">{$cbText.sso|escape:'html'}</a></p>
{/if}

</div>
