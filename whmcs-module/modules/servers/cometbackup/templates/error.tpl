{* Comet Backup: the client area when the account cannot be shown. One clear sentence, escaped; no
   technical detail (that is in the module log). Built by lib/View/ClientArea.php. *}
<div class="cometbackup-clientarea">
<div class="alert alert-{if $cbErrorTone == 'warning'}warning{else}danger{/if} cb-error" role="alert">
    <strong>{$cbErrorTitle|escape:'html'}:</strong> {$cbError|escape:'html'}
</div>
</div>
