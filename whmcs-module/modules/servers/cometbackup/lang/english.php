<?php
// English wording of the Comet Backup module. Keys are the core's error codes (see core/ERRORS.md;
// the sentence an admin or customer reads when that code is returned) and ui.* keys for pages.
// Values are plain text; `{name}` placeholders are filled by Lang::text. Pages escape them.

if (!defined('WHMCS')) {
    exit('This file cannot be accessed directly');
}

// ---- Comet Server and transport -------------------------------------------------------------
$_LANG['comet.unreachable'] = 'The Comet Server could not be reached. Check the server\'s hostname, port and firewall, and that Comet Server is running.';
$_LANG['comet.tls'] = 'The TLS (HTTPS) connection to the Comet Server failed verification. Install a certificate trusted by this system, or paste your private CA certificate into the server\'s Access Hash field; switch off "Secure" only if the server really speaks plain HTTP.';
$_LANG['comet.timeout'] = 'The Comet Server did not answer in time (60 seconds). It may be overloaded or unreachable; try again later.';
$_LANG['comet.transport'] = 'The connection to the Comet Server broke off before it answered.';
$_LANG['comet.http'] = 'The Comet Server (or a proxy in front of it) answered with an HTTP error instead of an API reply. Check the server\'s hostname, path and port.';
$_LANG['comet.bad_reply'] = 'The Comet Server sent a reply that is not valid JSON.';
$_LANG['comet.auth'] = 'The Comet Server refused the admin username or password. Check them in Configuration > System Settings > Servers.';
$_LANG['comet.totp_required'] = 'The Comet admin account requires two-factor authentication (TOTP). Create a dedicated admin account without TOTP for WHMCS and enter it in the server settings.';
$_LANG['comet.api_error'] = 'The Comet Server refused the request.';
$_LANG['comet.refused'] = 'The Comet Server refused the request.';
$_LANG['comet.profile_write_refused'] = 'The Comet Server refused to save the account\'s settings.';
$_LANG['comet.delete_refused'] = 'The Comet Server refused to delete the account.';
$_LANG['comet.password_refused'] = 'The Comet Server refused the new password.';
$_LANG['comet.vault_refused'] = 'The Comet Server refused to create the Storage Vault. Check the product\'s Initial Storage Vault setting and the storage provider on the server.';
$_LANG['comet.policy_write_refused'] = 'The Comet Server refused to create the product\'s policy group.';
$_LANG['comet.unexpected'] = 'The Comet Server\'s reply was not the expected one.';
$_LANG['comet.not_comet'] = 'This server does not answer like a Comet Server. Check the hostname, port, protocol (Secure flag) and base path.';
$_LANG['comet.too_old'] = 'This Comet Server version is too old: the module needs Comet Server 18.9.2 or newer.';
$_LANG['comet.unsupported'] = 'This Comet Server version does not support this feature.';

// ---- Accounts -------------------------------------------------------------------------------
$_LANG['account.no_username'] = 'This service has no Comet username recorded yet. Run "Create" first.';
$_LANG['account.not_ours'] = 'The Comet account named on this service was not created for it (its creation ID differs from the one recorded for the service), so nothing was changed. If the service\'s username was changed by mistake, put back the name of its own account; if that account really is this service\'s (it was re-created in Comet), delete the service\'s row from the table mod_cometbackup_services and use the "Adopt Comet account" button.';
$_LANG['account.missing'] = 'The Comet account of this service does not exist on the Comet Server (it may have been deleted there).';
$_LANG['account.username_taken'] = 'The chosen username is already in use on the Comet Server. Choose another one in the service\'s Username field.';
$_LANG['account.no_free_username'] = 'Every username tried for this service was refused by the Comet Server (in use, or not accepted). Type a free name into the service\'s Username on its admin page, save, and run Create again.';
$_LANG['account.create_refused'] = 'The Comet Server refused to create the account. If an account of that name already exists and belongs to this service (for example one the official Comet module created), use the "Adopt Comet account" button instead of Create.';

// ---- Plans and the core ---------------------------------------------------------------------
$_LANG['plan.bad_context'] = 'The module passed the core an unusable value (a module bug or an unusual service setting).';
$_LANG['plan.bad_state'] = 'The module\'s core lost track of a running action (a module bug).';
$_LANG['plan.unknown_action'] = 'This core does not know the action; upload the module\'s matching cometprov.wasm.';
$_LANG['plan.too_many_steps'] = 'The action needed more requests than allowed and was stopped.';

// ---- Policies -------------------------------------------------------------------------------
$_LANG['policy.missing'] = 'The product\'s policy group does not exist on the Comet Server. Choose another one in the product\'s Module Settings.';
$_LANG['policy.no_providers'] = 'The policy allows no storage provider.';
$_LANG['policy.unknown_provider'] = 'The policy names an unknown storage type.';

// ---- Usernames and passwords ----------------------------------------------------------------
$_LANG['username.empty'] = 'The username is empty.';
$_LANG['username.too_short'] = 'The username is too short for this Comet Server.';
$_LANG['username.too_long'] = 'The username is too long (at most 255 characters).';
$_LANG['username.bad_char'] = 'The username may only contain letters, digits and _ . @ -';
$_LANG['username.no_source'] = 'No username can be made for this service: set the Username field or the client\'s email address.';
$_LANG['password.too_short'] = 'The password must be at least 8 characters long.';
$_LANG['password.multiline'] = 'The password must not contain line breaks.';

// ---- Configurable options -------------------------------------------------------------------
$_LANG['options.empty_key'] = 'A configurable option has no name before its "|".';
$_LANG['options.bad_type'] = 'A configurable option of the product has a value that is not a number.';
$_LANG['options.not_a_number'] = 'A configurable option of the product is not a plain decimal number (write 10, not 10GB).';
$_LANG['options.negative'] = 'A configurable option of the product is negative.';
$_LANG['options.not_integer'] = 'The number of devices must be a whole number.';
$_LANG['options.overflow'] = 'A quota in the configurable options is too large for Comet.';
$_LANG['options.conflict'] = 'Both the GB and the TB variant of one quota are set; use only one of them.';
$_LANG['options.duplicate'] = 'The same configurable option appears twice.';
$_LANG['profile.bad_shape'] = 'The Comet account\'s profile has an unexpected shape; nothing was changed.';

// ---- This module (PHP side) -----------------------------------------------------------------
$_LANG['module.setup'] = 'The module cannot run its core on this PHP installation.';
$_LANG['module.config'] = 'The server settings are not usable.';
$_LANG['module.internal'] = 'An internal error occurred in the module.';
$_LANG['module.database'] = 'The module could not read or write the WHMCS database.';
$_LANG['module.no_marker'] = 'No Comet account is recorded for this service yet (no creation ID). Run "Create" for a new service, or adopt an existing account first (the "Adopt Comet account" button, or any action such as Re-apply Quotas and Policy).';
$_LANG['module.no_system_url'] = 'Set the System URL in Configuration > System Settings > General Settings so sign-in links can be built.';
$_LANG['module.sso_expired'] = 'This sign-in link has expired or was already used. Go back and click the sign-in button again.';
$_LANG['module.sso_denied'] = 'This sign-in link belongs to another login session.';
$_LANG['module.no_vault_provider'] = 'This product has no Initial Storage Vault selected in its Module Settings.';
$_LANG['module.whmcs_api'] = 'WHMCS refused to store the result on the service.';

// ---- Action labels (used in "Comet Backup <Action> failed: ...") ----------------------------
$_LANG['ui.action.CreateAccount'] = 'Create';
$_LANG['ui.action.SuspendAccount'] = 'Suspend';
$_LANG['ui.action.UnsuspendAccount'] = 'Unsuspend';
$_LANG['ui.action.TerminateAccount'] = 'Terminate';
$_LANG['ui.action.ChangePassword'] = 'Change Password';
$_LANG['ui.action.ChangePackage'] = 'Change Package';
$_LANG['ui.action.TestConnection'] = 'Test Connection';
$_LANG['ui.action.UsageUpdate'] = 'Usage Update';
$_LANG['ui.action.ListAccounts'] = 'List Accounts';
$_LANG['ui.action.ServiceSingleSignOn'] = 'Sign-In';
$_LANG['ui.action.AdminSingleSignOn'] = 'Admin Sign-In';
$_LANG['ui.action.LoadPolicies'] = 'Policy Group list';
$_LANG['ui.action.LoadStorageProviders'] = 'Storage Vault list';
$_LANG['ui.action.ReapplyQuotas'] = 'Re-apply Quotas and Policy';
$_LANG['ui.action.RequestVault'] = 'Request Initial Storage Vault';
$_LANG['ui.failed'] = 'Comet Backup {action} failed: {message}';
$_LANG['ui.testconnection.ok'] = 'Comet Server {version} at {url}; core {core} on {backend} ({runtime}).';

// ---- Module settings ------------------------------------------------------------------------
$_LANG['ui.config.policy'] = 'Policy Group';
$_LANG['ui.config.policy.help'] = 'The Comet policy group applied to every account of this product. "[Create New Policy Group]" creates a restricted policy named after this product on the first order (IDs are unique to this WHMCS installation).';
$_LANG['ui.config.vault'] = 'Initial Storage Vault';
$_LANG['ui.config.vault.help'] = 'The storage provider from which each new account requests its first Storage Vault. "None" creates accounts without a vault.';
$_LANG['ui.config.passwordchange'] = 'Require Password Change';
$_LANG['ui.config.passwordchange.help'] = 'Tick to make customers choose a new password at their first Comet login (Comet Server 20.3.4 or newer).';
$_LANG['ui.config.uninstall'] = 'Uninstall Client on Terminate';
$_LANG['ui.config.uninstall.help'] = 'Tick to ask the customer\'s online devices to uninstall the Comet client when the service is terminated (Comet Server 20.3.5 or newer).';
$_LANG['ui.config.keepvaults'] = 'Never Change Storage Vault Limits';
$_LANG['ui.config.keepvaults.help'] = 'Ticked: the module never touches Storage Vault limits, whatever the storage_vault_quota options say (manage them in Comet). Unticked: no storage_vault_quota option on the product leaves vault limits as they are (the initial vault gets no limit from the module); 0 lifts the limits (unlimited); N sets N GiB (TiB for _tb) on every vault that is not a local copy.';
$_LANG['ui.button.reapply'] = 'Re-apply Quotas and Policy';
$_LANG['ui.button.vault'] = 'Request Initial Storage Vault';
$_LANG['ui.sso.service'] = 'Log in to Comet Backup';
$_LANG['ui.sso.admin'] = 'Log in to Comet Server';
$_LANG['ui.listaccounts.id'] = 'Comet Username';

// ---- Client area (templates/clientarea.tpl, View\ClientArea) --------------------------------
$_LANG['ui.title'] = 'Comet Backup';
$_LANG['ui.account'] = 'Account';
$_LANG['ui.username'] = 'Username';
$_LANG['ui.devices'] = 'Devices';
$_LANG['ui.devicesOf'] = 'devices in use of the allowed number';
$_LANG['ui.devicesFull'] = 'Device limit reached';
$_LANG['ui.suspended'] = 'Suspended';
$_LANG['ui.vaults'] = 'Storage Vaults';
$_LANG['ui.vault'] = 'Storage Vault';
$_LANG['ui.used'] = 'Used';
$_LANG['ui.quota'] = 'Quota';
$_LANG['ui.novaults'] = 'No Storage Vaults yet.';
$_LANG['ui.protected'] = 'Protected Items';
$_LANG['ui.protectedHelp'] = 'The quota counts the size of all protected items together.';
$_LANG['ui.items'] = 'Protected Items';
$_LANG['ui.item'] = 'Protected Item';
$_LANG['ui.device'] = 'Device';
$_LANG['ui.lastBackup'] = 'Last Backup';
$_LANG['ui.size'] = 'Size';
$_LANG['ui.noitems'] = 'No protected items yet.';
$_LANG['ui.nodevices'] = 'No devices registered yet.';
$_LANG['ui.platform'] = 'Platform';
$_LANG['ui.version'] = 'Version';
$_LANG['ui.registered'] = 'Registered';
$_LANG['ui.jobs'] = 'Recent Jobs';
$_LANG['ui.jobsHelp'] = 'Jobs of the last 14 days, newest first.';
$_LANG['ui.jobsTimezone'] = 'Times are in 24-hour format, time zone:';
$_LANG['ui.nojobs'] = 'No jobs in the last 14 days.';
$_LANG['ui.jobsFailed'] = 'The job history could not be loaded right now.';
$_LANG['ui.started'] = 'Started';
$_LANG['ui.ended'] = 'Ended';
$_LANG['ui.type'] = 'Type';
$_LANG['ui.status'] = 'Status';
$_LANG['ui.files'] = 'Files';
$_LANG['ui.uploaded'] = 'Uploaded';
$_LANG['ui.downloaded'] = 'Downloaded';
$_LANG['ui.downloads'] = 'Client Software';
$_LANG['ui.downloadsHelp'] = 'Download the backup client, already set up for this server.';
$_LANG['ui.sso'] = 'Open the Comet web interface';
$_LANG['ui.ssoHelp'] = 'Signs you in to the Comet web interface in a new window.';
$_LANG['ui.unlimited'] = 'Unlimited';
$_LANG['ui.device.unknown'] = 'Unknown device';
$_LANG['ui.item.removed'] = '(removed item)';
$_LANG['ui.item.unnamed'] = '(unnamed item)';
$_LANG['ui.vault.localcopy'] = 'Local copy';
$_LANG['ui.vault.unnamed'] = '(unnamed vault)';
$_LANG['ui.error.internal'] = 'The backup account details cannot be shown right now. Please try again later or contact support.';
$_LANG['ui.error.badreply'] = 'The backup server sent an unreadable reply. Please try again later or contact support.';
$_LANG['ui.error.missing'] = 'The backup account of this service no longer exists on the backup server. Please contact support.';
$_LANG['ui.error.noaccount'] = 'This service has no backup account yet.';
$_LANG['ui.error.pending'] = 'The backup account is being set up. Please check back shortly.';
$_LANG['ui.error.server'] = 'The backup server could not provide the account details right now. Please try again later or contact support.';
$_LANG['ui.error.terminated'] = 'This service has been terminated; its backup account no longer exists.';
$_LANG['ui.error.unreachable'] = 'The backup server cannot be reached right now. Please try again later.';

// Job labels
$_LANG['ui.job.status.success'] = 'Success';
$_LANG['ui.job.status.running'] = 'Running';
$_LANG['ui.job.status.revived'] = 'Running (resumed)';
$_LANG['ui.job.status.warning'] = 'Warning';
$_LANG['ui.job.status.error'] = 'Error';
$_LANG['ui.job.status.failed'] = 'Failed';
$_LANG['ui.job.status.quota'] = 'Quota exceeded';
$_LANG['ui.job.status.missed'] = 'Missed';
$_LANG['ui.job.status.cancelled'] = 'Cancelled';
$_LANG['ui.job.status.timeout'] = 'Timed out';
$_LANG['ui.job.status.abandoned'] = 'Abandoned';
$_LANG['ui.job.status.skipped'] = 'Skipped';
$_LANG['ui.job.status.unknown'] = 'Unknown';
$_LANG['ui.job.type.backup'] = 'Backup';
$_LANG['ui.job.type.restore'] = 'Restore';
$_LANG['ui.job.type.retention'] = 'Retention';
$_LANG['ui.job.type.unlock'] = 'Unlock';
$_LANG['ui.job.type.delete'] = 'Delete';
$_LANG['ui.job.type.measure'] = 'Measure';
$_LANG['ui.job.type.update'] = 'Software update';
$_LANG['ui.job.type.import'] = 'Import';
$_LANG['ui.job.type.reindex'] = 'Reindex';
$_LANG['ui.job.type.verify'] = 'Verify';
$_LANG['ui.job.type.uninstall'] = 'Uninstall';
$_LANG['ui.job.type.other'] = 'Other';

// Downloads
$_LANG['ui.download.windows64'] = 'Windows (64-bit, zip)';
$_LANG['ui.download.windows32'] = 'Windows (32-bit, zip)';
$_LANG['ui.download.macosIntel'] = 'macOS (Intel)';
$_LANG['ui.download.macosArm'] = 'macOS (Apple Silicon)';
$_LANG['ui.download.linuxRun'] = 'Linux (.run installer)';
$_LANG['ui.download.synology'] = 'Synology DSM 7';
$_LANG['ui.download.empty'] = 'The backup server returned an empty installer. Please try again later or contact support.';
$_LANG['ui.download.failed'] = 'The installer could not be downloaded right now. Please try again later or contact support.';
$_LANG['ui.download.inactive'] = 'Downloads are available while the service is active.';
$_LANG['ui.download.unknown'] = 'Unknown platform.';
$_LANG['ui.download.unreachable'] = 'The backup server cannot be reached right now. Please try again later.';

// SSO page (View\SsoPage)
$_LANG['ui.sso.title'] = 'Signing in to Comet Backup';
$_LANG['ui.sso.opening'] = 'Opening the Comet web interface...';
$_LANG['ui.sso.waiting'] = 'Waiting for the Comet web interface to load...';
$_LANG['ui.sso.signedin'] = 'You are signed in. You can close this window.';
$_LANG['ui.sso.blocked'] = 'Your browser blocked the new window. Allow pop-ups for this site, then click the button below.';
$_LANG['ui.sso.open'] = 'Open Comet Backup';
$_LANG['ui.sso.failed'] = 'Signing in failed. Please go back and try again.';

// Admin services tab (View\AdminTab)
$_LANG['ui.admin.comet'] = 'Comet';
$_LANG['ui.admin.username'] = 'Comet Username';
$_LANG['ui.admin.notprovisioned'] = 'Not provisioned yet';
$_LANG['ui.admin.state'] = 'Comet State';
$_LANG['ui.admin.active'] = 'Active';
$_LANG['ui.admin.suspended'] = 'Suspended';
$_LANG['ui.admin.devices'] = 'Devices (used / allowed)';
$_LANG['ui.admin.vaults'] = 'Storage Vaults (used / limit)';
$_LANG['ui.admin.protected'] = 'Protected Items (used / quota)';
$_LANG['ui.admin.policy'] = 'Policy Group';
$_LANG['ui.admin.nopolicy'] = 'None';
$_LANG['ui.admin.lastsync'] = 'Last Usage Sync';
$_LANG['ui.admin.never'] = 'Never';
$_LANG['ui.admin.preview'] = 'Preview';
$_LANG['ui.admin.previewlink'] = 'Client area and admin tab preview';
$_LANG['ui.admin.error'] = 'Error';
$_LANG['ui.admin.error.badreply'] = 'The Comet Server sent an unreadable reply.';
$_LANG['ui.admin.error.missing'] = 'The Comet account does not exist on the Comet Server.';
$_LANG['ui.admin.error.server'] = 'The Comet Server refused to show the account.';
$_LANG['ui.admin.error.unreachable'] = 'The Comet Server cannot be reached.';

// Sign-in bound to the login session (issue 15, hardening).
$_LANG['module.sso_no_session'] = 'Signing in needs a WHMCS login session (the sign-in link is bound to it). Log in again, then click the sign-in button.';
$_LANG['module.sso_headers_sent'] = 'The sign-in page cannot be shown: something printed output before it (a PHP notice, a hook or a BOM in a file). Check the PHP error log, then click the sign-in button again.';

// ---- App: read plans, sign-in roles, Adopt button, Test Connection warning (issue 15) -------
$_LANG['ui.action.SignIn'] = 'Sign-In';
$_LANG['ui.action.ServiceOverview'] = 'Account overview';
$_LANG['ui.action.AdoptAccount'] = 'Adopt Comet account';
$_LANG['ui.action.ClientDownload'] = 'Download';
$_LANG['ui.button.adopt'] = 'Adopt Comet account';
$_LANG['ui.error.notours'] = 'This service\'s backup account is not the one on the backup server. Please contact support.';
$_LANG['ui.admin.warning'] = 'Warning';
$_LANG['ui.admin.notours'] = 'The Comet account under this service\'s username is not this service\'s account: the service recorded creation ID {marker}, the account on the server has CreationGUID {creationGuid}. Nothing of that account is shown and no action will change it. Check the service\'s username.';
$_LANG['ui.testconnection.insecure'] = 'Warning: "Secure" is off for this server, so the Comet admin password travels in clear text. Tick "Secure" and use HTTPS.';
$_LANG['ui.adopt.adopted'] = 'Comet Backup: adopted the Comet account {username} for this service (CreationGUID {guid}).';
$_LANG['ui.adopt.already'] = 'Comet Backup: the Comet account {username} is already this service\'s (CreationGUID {guid}).';
$_LANG['ui.adopt.policy'] = 'Policy group: the account has {account}, the product sets {product} ({verdict}).';
$_LANG['ui.adopt.quotas'] = 'Quotas (account / product):';
$_LANG['ui.adopt.quota'] = '{name} {account} / {product} ({verdict})';
$_LANG['ui.adopt.quota.devices'] = 'devices';
$_LANG['ui.adopt.quota.protectedItems'] = 'protected items';
$_LANG['ui.adopt.quota.storageVault'] = 'storage vault';
$_LANG['ui.adopt.matches'] = 'matches';
$_LANG['ui.adopt.differs'] = 'differs';
$_LANG['ui.adopt.unset'] = 'not set';
$_LANG['ui.adopt.on'] = 'on';
$_LANG['ui.adopt.off'] = 'off';
$_LANG['ui.adopt.reapply'] = 'Click "Re-apply Quotas and Policy" to give the account the product\'s settings.';
$_LANG['ui.adopt.allmatch'] = 'The account matches the product\'s settings.';
$_LANG['ui.sso.notours'] = 'Sign-in refused: this service\'s backup account is not the one on the backup server. Please contact support.';
$_LANG['service.not_active'] = 'Sign-in is available only while the service is Active (it is suspended, terminated or not yet set up).';
$_LANG['service.terminated'] = 'This service has been terminated; its backup account no longer exists.';
$_LANG['service.pending'] = 'The backup account of this service has not been created yet.';
$_LANG['sso.unsupported_version'] = 'Customer sign-in needs Comet 19.6 or newer on the Comet Server.';

// ---- Inherited services and passwords (issue 16) ---------------------------------------------
$_LANG['password.both_edited'] = 'The service\'s Password field and its custom field Password hold two different new passwords. Put the password you want in one of them (clear the other, or make both the same), save, and run Change Password again.';
