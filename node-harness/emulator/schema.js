// JSON shapes of UserProfileConfig, UserPolicy and GroupPolicy per mode, and the normalizer that fills defaults, checks types and keeps unknown fields.
'use strict';

const { ApiError, isPlainObject, sortObjectKeys } = require('./util');

// Field descriptors: { name, type, def, omitEmpty, fields (struct), items (array), values (map) }.
// `def` is a function so that every profile gets its own fresh objects (no shared mutable defaults).
// Types mirror the Go SDK's: a JSON value of the wrong type is a decode error on the real server.
const str = (name, extra = {}) => ({ name, type: 'string', def: () => '', ...extra });
const bool = (name, extra = {}) => ({ name, type: 'bool', def: () => false, ...extra });
const int = (name, extra = {}) => ({ name, type: 'int', def: () => 0, ...extra });
const uint = (name, extra = {}) => ({ name, type: 'uint', def: () => 0, ...extra });
// Maps are always emitted as {} (never null): WHMCS PHP code breaks on null maps (spec 7.1).
// Every map of these types is keyed by a string ID and holds structs (Go map[string]SomeConfig): a map
// accepts an object or null, never an array (Go cannot decode [] into a map); each entry must be an
// object, and a null entry decodes to that struct's zero value, emitted here as {}.
const map = (name, extra = {}) => ({ name, type: 'map', def: () => ({}), ...extra });
// Lists are emitted as [] rather than Go's null for a nil slice, for the same reason.
const arr = (name, items, extra = {}) => ({ name, type: 'array', items, def: () => [], ...extra });
const struct = (name, fields, extra = {}) => ({
  name,
  type: 'struct',
  fields,
  def: () => fillDefaults(fields),
  ...extra,
});

// ---- UserPolicy (spec 4.2). Fields marked omit in Go are left out of the defaults. ----
const STORAGE_VAULT_PROVIDERS = [bool('ShouldRestrictProviderList'), arr('AllowedProvidersWhenRestricted', 'uint')];
const ENGINE_TYPES = [bool('ShouldRestrictEngineTypeList'), arr('AllowedEngineTypeWhenRestricted', 'string')];

const USER_POLICY_18_9 = [
  bool('PreventRequestStorageVault'),
  bool('PreventAddCustomStorageVault'),
  bool('PreventEditStorageVault'),
  bool('PreventDeleteStorageVault'),
  struct('StorageVaultProviders', STORAGE_VAULT_PROVIDERS),
  bool('PreventNewProtectedItem'),
  bool('PreventEditProtectedItem'),
  bool('PreventDeleteProtectedItem'),
  struct('ProtectedItemEngineTypes', ENGINE_TYPES),
  bool('PreventDeleteSingleSnapshots'),
  bool('PreventChangeAccountPassword'),
  bool('PreventChangeEmailSettings'),
  bool('PreventOpenAppUI'),
  bool('HideAppImport'),
  bool('HideAppVersion'),
  bool('PreventOpenWebUI'),
  bool('PreventViewDeviceNames'),
];

const USER_POLICY_MODERN = [
  bool('PreventRequestStorageVault'),
  bool('PreventAddCustomStorageVault'),
  bool('HideCloudStorageBranding'),
  bool('PreventEditStorageVault'),
  bool('PreventDeleteStorageVault'),
  str('DefaultNewStorageVault'),
  struct('StorageVaultProviders', STORAGE_VAULT_PROVIDERS),
  bool('PreventNewProtectedItem'),
  bool('PreventEditProtectedItem'),
  bool('PreventDeleteProtectedItem'),
  struct('ProtectedItemEngineTypes', ENGINE_TYPES),
  bool('PreventDeleteSingleSnapshots'),
  bool('PreventProtectedItemRetention'),
  bool('EnforceStorageVaultRetention'),
  bool('AllowEditObjectLockRetention'),
  bool('PreventChangeAccountPassword'),
  int('ModeAdminResetPassword'),
  int('ModeRequireUserResetPassword'),
  bool('PreventChangeEmailSettings'),
  bool('PreventChangeAccountName'),
  bool('PreventOpenAppUI'),
  bool('RequirePasswordOpenAppUI'),
  bool('HideAppImport'),
  bool('HideAppVersion'),
  bool('PreventOpenWebUI'),
  bool('PreventViewDeviceNames'),
  struct('DefaultEmailReports', [bool('ShouldOverrideDefaultReports'), arr('Reports', 'any')]),
  // The four Default* collections are maps keyed by string IDs (spec 4.2; the PHP SDK v4.46.0 types
  // DefaultBackupRules as array<string, BackupRuleConfig> and sends {}), never lists.
  map('DefaultSources'),
  map('DefaultSourcesBackupRules'),
  map('DefaultSourcesWithOSRestriction'),
  map('DefaultBackupRules'),
  int('RotateStorageVaultKeysHours'),
];

// ---- DestinationConfig: only the provisioning-relevant fields are type-checked; nothing is filled in,
// because a real vault carries ~100 backend-specific fields we do not model (spec 3.1). ----
const DESTINATION_CHECKED = [
  str('Description'),
  int('CreateTime'),
  int('ModifyTime'),
  uint('DestinationType'),
  str('CometServer'),
  str('CometBucket'),
  str('CometBucketKey'),
  bool('StorageLimitEnabled'),
  int('StorageLimitBytes'),
  struct('Statistics', [
    struct('ClientProvidedSize', [int('Size'), int('MeasureStarted'), int('MeasureCompleted')]),
  ]),
];

// ---- UserProfileConfig (spec 3). Order follows the Go struct as far as the spec shows it. ----
const PROFILE_18_9 = [
  str('Username'),
  str('LocalTimezone'),
  str('LanguageCode'),
  arr('Emails', 'string'),
  bool('SendEmailReports'),
  map('Destinations', { values: DESTINATION_CHECKED }),
  map('Sources'),
  map('BackupRules'),
  map('Devices'),
  bool('IsSuspended'),
  bool('AllProtectedItemsQuotaEnabled'),
  int('AllProtectedItemsQuotaBytes'),
  int('MaximumDevices'),
  str('PolicyID'),
  struct('Policy', USER_POLICY_18_9),
  int('PasswordFormat'),
  str('PasswordHash'),
  str('PasswordRecovery', { omitEmpty: true }),
  int('CreateTime'),
  str('CreationGUID'),
];

const PROFILE_MODERN = [
  str('Username'),
  str('AccountName'),
  str('LocalTimezone'),
  str('LanguageCode'),
  str('OrganizationID', { omitEmpty: true }),
  str('GroupID'),
  arr('Emails', 'string'),
  map('OverrideEmailSettings'),
  bool('SendEmailReports'),
  map('Destinations', { values: DESTINATION_CHECKED }),
  bool('SupportsDeviceAssociations'),
  map('Sources'),
  map('BackupRules'),
  map('Devices'),
  bool('IsSuspended'),
  int('LastSuspended', { omitEmpty: true }),
  bool('AllProtectedItemsQuotaEnabled'),
  int('AllProtectedItemsQuotaBytes'),
  int('MaximumDevices'),
  int('QuotaOffice365ProtectedAccounts'),
  int('QuotaHyperVGuests'),
  int('QuotaVMwareGuests'),
  str('PolicyID'),
  struct('Policy', USER_POLICY_MODERN),
  int('PasswordFormat'),
  str('PasswordHash'),
  str('PasswordRecovery', { omitEmpty: true }),
  bool('AllowPasswordLogin'),
  bool('AllowPasswordAndTOTPLogin'),
  int('TOTPKeyEncryptionFormat'),
  str('TOTPKey'),
  bool('RequirePasswordChange'),
  int('CreateTime'),
  str('CreationGUID'),
  { name: 'ServerConfig', type: 'struct', fields: [int('RandomDelaySecs')], omitEmpty: true, def: () => undefined },
  str('AutoStorageTemplateGUID'),
  bool('LinuxHomedirSandbox'),
];

// Map-valued profile fields whose values are emitted as {} when missing or null, in both modes
// (OverrideEmailSettings is normalized in 18.9 mode too if a client sends it, see README).
const PROFILE_MAP_FIELDS = ['Destinations', 'Sources', 'BackupRules', 'Devices', 'OverrideEmailSettings'];

// ---- GroupPolicy (spec 4.1). ----
const GROUP_POLICY_18_9 = [str('Description'), struct('Policy', USER_POLICY_18_9)];
const GROUP_POLICY_MODERN = [
  str('Description'),
  str('OrganizationID'),
  struct('Policy', USER_POLICY_MODERN),
  bool('DefaultUserPolicy'),
  int('CreatedDate'),
  int('ModifiedDate'),
];

const SCHEMAS = {
  '18.9': { profile: PROFILE_18_9, userPolicy: USER_POLICY_18_9, groupPolicy: GROUP_POLICY_18_9, destination: DESTINATION_CHECKED },
  modern: { profile: PROFILE_MODERN, userPolicy: USER_POLICY_MODERN, groupPolicy: GROUP_POLICY_MODERN, destination: DESTINATION_CHECKED },
};

// The JSON kind each descriptor type accepts, as named in tests and docs.
const KIND = { string: 'string', bool: 'bool', int: 'int', uint: 'uint', map: 'map', struct: 'object', array: 'list' };

/**
 * Every field the schema types, flattened to dotted paths -> kind ("string", "bool", "int", "uint",
 * "map", "object", "list" or "list<item kind>"), struct fields included. Map values are reached with
 * "<map>.*" (e.g. "Destinations.*.Statistics.ClientProvidedSize.Size").
 */
function fieldKinds(fields, prefix = '', out = {}) {
  for (const f of fields) {
    const path = prefix ? `${prefix}.${f.name}` : f.name;
    out[path] = f.type === 'array' && f.items && f.items !== 'any' ? `list<${KIND[f.items]}>` : KIND[f.type];
    if (f.type === 'struct') fieldKinds(f.fields, path, out);
    if (f.type === 'map' && f.values) fieldKinds(f.values, `${path}.*`, out);
  }
  return out;
}

const TYPE_LABEL = {
  string: 'a string',
  bool: 'a boolean',
  int: 'an integer',
  uint: 'a non-negative integer',
  map: 'an object',
  struct: 'an object',
  array: 'an array',
};

function typeOk(type, v) {
  switch (type) {
    case 'string':
      return typeof v === 'string';
    case 'bool':
      return typeof v === 'boolean';
    case 'int':
      return Number.isInteger(v);
    case 'uint':
      return Number.isInteger(v) && v >= 0;
    case 'map':
    case 'struct':
      return isPlainObject(v);
    case 'array':
      return Array.isArray(v);
    default:
      return true; // 'any'
  }
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function invalid(label, path, type, v) {
  return new ApiError(400, `Invalid ${label}: ${path} must be ${TYPE_LABEL[type] || type}, got ${describe(v)}`);
}

function isZero(v) {
  return v === undefined || v === null || v === '' || v === 0 || v === false;
}

/** Defaults for a list of fields (omitEmpty fields are left out, as Go omits their zero values). */
function fillDefaults(fields) {
  const out = {};
  for (const f of fields) {
    if (f.omitEmpty) continue;
    out[f.name] = f.def();
  }
  return out;
}

/**
 * Check and normalize one value against a field descriptor.
 * null means "zero value" (Go leaves the field at zero when it decodes null), so it becomes the default.
 */
function normalizeValue(f, v, label, path, fill) {
  if (v === null || v === undefined) return f.def();
  if (!typeOk(f.type, v)) throw invalid(label, path, f.type, v);
  if (f.type === 'struct') return normalizeStruct(v, f.fields, label, path, fill);
  if (f.type === 'array') {
    if (f.items && f.items !== 'any') {
      v.forEach((item, i) => {
        if (!typeOk(f.items, item)) throw invalid(label, `${path}[${i}]`, f.items, item);
      });
    }
    return v;
  }
  if (f.type === 'map') {
    const out = {};
    for (const [k, item] of Object.entries(v)) {
      // Go decodes a null entry into the zero struct; the emulator does not model the entry's fields, so {}.
      if (item === null) {
        out[k] = {};
        continue;
      }
      if (!isPlainObject(item)) throw invalid(label, `${path}.${k}`, 'struct', item);
      // Map entries are validated (when their fields are modelled) but not padded with defaults
      // (see DESTINATION_CHECKED).
      out[k] = f.values ? normalizeStruct(item, f.values, label, `${path}.${k}`, false) : item;
    }
    // Go marshals map keys in sorted order, so a round trip through the real server sorts them.
    return sortObjectKeys(out);
  }
  return v;
}

/**
 * Build a normalized copy of `input`: known fields first (schema order, type-checked, defaulted when `fill`),
 * then unknown fields exactly as given (the emulator preserves what it does not model).
 */
function normalizeStruct(input, fields, label, pathPrefix, fill = true) {
  const out = {};
  const known = new Set();
  for (const f of fields) {
    known.add(f.name);
    const path = pathPrefix ? `${pathPrefix}.${f.name}` : f.name;
    const v = input[f.name];
    // Validation-only mode (map entries such as vaults): absent or null fields stay absent.
    if ((v === undefined || v === null) && !fill) continue;
    const nv = normalizeValue(f, v, label, path, fill);
    if (f.omitEmpty && (isZero(nv) || (isPlainObject(nv) && Object.keys(nv).length === 0))) continue;
    if (nv === undefined) continue;
    out[f.name] = nv;
  }
  for (const k of Object.keys(input)) {
    if (!known.has(k)) out[k] = input[k];
  }
  return out;
}

/** Normalize a UserProfileConfig as decoded from ProfileData (throws ApiError 400 on a type error). */
function normalizeProfile(input, mode, label = 'ProfileData') {
  if (!isPlainObject(input)) throw new ApiError(400, `Invalid ${label}: expected a JSON object`);
  const out = normalizeStruct(input, SCHEMAS[mode].profile, label, '', true);
  // In 18.9 mode OverrideEmailSettings is not a known field, but a null map must still never be emitted.
  for (const k of PROFILE_MAP_FIELDS) {
    if (k in out && (out[k] === null || out[k] === undefined)) out[k] = {};
  }
  return out;
}

/** Normalize a UserPolicy object (the restrictions inside a GroupPolicy or a profile). */
function normalizeUserPolicy(input, mode, label = 'Policy') {
  if (input === null || input === undefined) return fillDefaults(SCHEMAS[mode].userPolicy);
  if (!isPlainObject(input)) throw new ApiError(400, `Invalid ${label}: expected a JSON object`);
  return normalizeStruct(input, SCHEMAS[mode].userPolicy, label, '', true);
}

/** Normalize a GroupPolicy wrapper {Description, Policy, ...}. */
function normalizeGroupPolicy(input, mode, label = 'Policy') {
  if (!isPlainObject(input)) throw new ApiError(400, `Invalid ${label}: expected a JSON object`);
  return normalizeStruct(input, SCHEMAS[mode].groupPolicy, label, '', true);
}

/** A profile with every known field at its zero value, for the given mode. */
function emptyProfile(mode) {
  return fillDefaults(SCHEMAS[mode].profile);
}

module.exports = {
  SCHEMAS,
  fieldKinds,
  PROFILE_MAP_FIELDS,
  normalizeProfile,
  normalizeUserPolicy,
  normalizeGroupPolicy,
  emptyProfile,
  fillDefaults,
};
