// Sample data for the admin preview: what a Comet Server could hold and answer, and the wording that
// explains the restricted policy. No provisioning rule lives here: every decision comes from the core.
'use strict';

(function (global) {
  const GiB = 1024 * 1024 * 1024;

  // The two servers shown side by side: the generation decides reply shapes and username minimums.
  const servers = [
    { mode: 'modern', version: '25.9.8', title: 'Comet 25.9.8 (modern)' },
    { mode: '18.9', version: '18.9.2', title: 'Comet 18.9.2' },
  ];

  // What WHMCS would pass besides the admin's choices. No admin credentials: the host adds those.
  const service = {
    serviceid: 42,
    password: 'Wh-Svc-7qK2-x9Lm', // the WHMCS service password, used when no custom password is typed
    serverUrl: 'https://backup.example.com',
  };

  // Storage vault providers as request-storage-vault-providers lists them.
  const providers = [
    { id: '8d0c4b7e2a1f4c3d9e8f7a6b5c4d3e02', name: 'Comet Storage (EU)' },
    { id: '5f3a8c2e9d7b4e10a1c2d3e4f5a6b701', name: 'Comet Storage (US)' },
    { id: '2b9e7d4c1a0f4e8b8c6d5e4f3a2b1c09', name: 'Wasabi (reseller bucket)' },
  ];

  // Policy groups that already exist on the sample server (policies/list-full).
  const policies = {
    'c8f3e1a2-6b4d-4e0f-9a7c-5d2b1e3f4a60': {
      Description: 'Standard customers',
      Policy: { PreventChangeAccountPassword: true, PreventDeleteStorageVault: true },
    },
    'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b': {
      Description: 'Resellers (no restrictions)',
      Policy: {},
    },
  };

  // A profile as add-user leaves it (Comet fills the rest with zero values).
  function freshProfile(username) {
    return {
      Username: username,
      AccountName: '',
      LocalTimezone: '',
      LanguageCode: 'en_US',
      Emails: [],
      Destinations: {},
      Sources: {},
      BackupRules: {},
      Devices: {},
      IsSuspended: false,
      AllProtectedItemsQuotaEnabled: false,
      AllProtectedItemsQuotaBytes: 0,
      MaximumDevices: 0,
      PolicyID: '',
      Policy: {},
      PasswordFormat: 1,
      CreateTime: 1767225600,
      CreationGUID: '3f6c2b1e-8a4d-4c7e-9b2a-1d0e5f6a7b8c',
    };
  }

  // A customer who has used the account for a while: two devices and two vaults, one of them a
  // local copy on the customer's own disk.
  function twoVaultProfile(username) {
    const p = freshProfile(username);
    p.Devices = {
      'dev-laptop': { FriendlyName: 'Alice laptop', PlatformVersion: { Platform: 'windows' } },
      'dev-nas': { FriendlyName: 'Office NAS', PlatformVersion: { Platform: 'linux' } },
    };
    p.Destinations = {
      'a0c1e2f3-0000-4000-8000-0000000000d1': {
        Description: 'Comet Storage (EU)',
        DestinationType: 1003,
        StorageLimitEnabled: true,
        StorageLimitBytes: 50 * GiB,
        Statistics: { ClientProvidedSize: { Size: Math.round(12.5 * GiB), MeasureStarted: 1767300000, MeasureCompleted: 1767300100 } },
      },
      'a0c1e2f3-0000-4000-8000-0000000000d2': {
        Description: 'USB disk (local copy)',
        DestinationType: 1002,
        StorageLimitEnabled: false,
        StorageLimitBytes: 0,
        Statistics: { ClientProvidedSize: { Size: 80 * GiB, MeasureStarted: 1767300000, MeasureCompleted: 1767300200 } },
      },
    };
    p.MaximumDevices = 5;
    p.AllProtectedItemsQuotaEnabled = true;
    p.AllProtectedItemsQuotaBytes = 200 * GiB;
    return p;
  }

  // Sample usage shown against the protected-items quota (Comet measures it on the devices).
  const sampleProtectedBytes = 30 * GiB;

  const profiles = [
    { key: 'fresh', title: 'A fresh account', make: freshProfile },
    { key: 'twoVaults', title: 'An account with two vaults', make: twoVaultProfile },
  ];

  // A small fake Comet Server answering one CreateAccount conversation with canned replies, in the
  // shapes of the given generation (Comet 25.6.8+ returns the profile from vault and profile writes).
  function cannedServer(mode) {
    let profile = null;
    let writes = 0;
    const reply = (body) => ({ httpStatus: 200, body: JSON.stringify(body) });
    const ok = (extra) => reply(Object.assign({ Status: 200, Message: 'OK' }, extra || {}));
    const refused = (message) => reply({ Status: 400, Message: message });
    const hash = () => `hash-${mode}-${writes}`;
    return function answer(request) {
      const p = request.params || {};
      switch (request.endpoint) {
        case 'policies/get':
          if (!policies[p.PolicyID]) return refused('Policy does not exist');
          return ok({ Policy: policies[p.PolicyID], PolicyHash: 'policy-hash-1' });
        case 'policies/list': {
          const list = {};
          for (const id of Object.keys(policies)) list[id] = policies[id].Description;
          return reply(list);
        }
        case 'policies/set':
          return ok();
        case 'add-user':
          profile = freshProfile(p.TargetUser);
          writes++;
          return ok();
        case 'request-storage-vault': {
          if (!profile) return refused('User does not exist');
          const provider = providers.find((x) => x.id === p.StorageProvider);
          if (!provider) return refused('Storage provider does not exist');
          const id = 'b7d9e1f3-0000-4000-8000-00000000f001';
          profile.Destinations[id] = {
            Description: provider.name,
            DestinationType: 1003,
            StorageLimitEnabled: false,
            StorageLimitBytes: 0,
          };
          writes++;
          if (mode === '18.9') return ok();
          return ok({ DestinationID: id, ProfileHash: hash(), Profile: profile });
        }
        case 'get-user-profile-and-hash':
          if (!profile) return refused('User does not exist');
          return ok({ ProfileHash: hash(), Profile: profile });
        case 'set-user-profile-hash':
          if (!profile) return refused('User does not exist');
          if (p.RequireHash !== hash()) {
            return reply({ Status: 409, Message: 'Hash mismatch: the object was modified concurrently, re-read it and retry' });
          }
          profile = JSON.parse(p.ProfileData);
          writes++;
          if (mode === '18.9') return ok();
          return ok({ ProfileHash: hash(), Profile: profile });
        default:
          return reply({ Status: 404, Message: `Unknown API endpoint: ${request.endpoint}` });
      }
    };
  }

  // One sentence per GroupPolicy field. The values shown next to them come from the core.
  const storageTypes = { 1002: 'local copy', 1003: 'Comet Server storage' };
  const policyLabels = {
    Description: () => 'The name admins see for this policy group in the Comet Server web interface.',
    'Policy.PreventChangeAccountPassword': (v) => (v
      ? 'Customers cannot change their account password in the Comet app: WHMCS stays the one place that sets it.'
      : 'Customers may change their account password in the Comet app.'),
    'Policy.ModeAdminResetPassword': (v) => (v === 3
      ? 'Admins can always reset the account password (enforced on), so WHMCS can change it later.'
      : `Admin password resets are in mode ${v}.`),
    'Policy.PreventRequestStorageVault': (v) => (v
      ? 'Customers cannot request another storage vault from the server themselves: vaults come from WHMCS.'
      : 'Customers may request more storage vaults from the server.'),
    'Policy.PreventAddCustomStorageVault': (v) => (v
      ? 'Customers cannot add storage of their own (such as their own S3 bucket) to the account.'
      : 'Customers may add storage of their own to the account.'),
    'Policy.PreventEditStorageVault': (v) => (v
      ? 'Customers cannot edit a storage vault, so they cannot raise or remove its size limit.'
      : 'Customers may edit their storage vaults.'),
    'Policy.PreventDeleteStorageVault': (v) => (v
      ? 'Customers cannot delete a storage vault that WHMCS provisioned.'
      : 'Customers may delete their storage vaults.'),
    'Policy.StorageVaultProviders.ShouldRestrictProviderList': (v) => (v
      ? 'Only the storage types listed below may be used for vaults.'
      : 'Every storage type may be used for vaults.'),
    'Policy.StorageVaultProviders.AllowedProvidersWhenRestricted': (v) => `The storage types allowed: ${
      (Array.isArray(v) ? v : []).map((t) => `${t} (${storageTypes[t] || 'storage type'})`).join(', ') || 'none'}.`,
    'Policy.ProtectedItemEngineTypes.ShouldRestrictEngineTypeList': (v) => (v
      ? 'Only the protected item types listed below may be backed up.'
      : 'Every kind of protected item (files, databases, disk images...) may be backed up.'),
    'Policy.ProtectedItemEngineTypes.AllowedEngineTypeWhenRestricted': (v) => (Array.isArray(v) && v.length
      ? `The protected item types allowed: ${v.join(', ')}.`
      : 'No list is needed, since protected item types are not restricted.'),
  };

  global.CometPreviewSamples = {
    GiB, servers, service, providers, policies, profiles, sampleProtectedBytes, cannedServer, policyLabels,
  };
})(typeof window !== 'undefined' ? window : globalThis);
