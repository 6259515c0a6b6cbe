#!/usr/bin/env bash
# The demo: a few core rules through the native CLI, then a service's whole lifecycle against the
# local Comet emulator through the Node CLI.
set -euo pipefail
cd "$(dirname "$0")/.."
CLI=build/cometprov

run() {
  local title="$1" request="$2"
  echo "== $title"
  echo "   request:  $request"
  echo -n "   response: "
  "$CLI" <<<"$request" || true
  echo
}

echo "### The core's rules (native build)"
echo
run "Derive a username from a client's email (the '+' is not allowed by Comet)" \
  '{"op":"username.derive","args":{"email":"john+backup@example.com","firstname":"John","serviceId":42}}'
run "Quotas for a product's configurable options (GB = 1024^3 bytes)" \
  '{"op":"options.quotas","args":{"configoptions":{"number_of_devices|Devices":"3","protected_item_quota_gb":"100","storage_vault_quota_tb":"0.5"}}}'
run "The restricted policy for [Create New Policy Group]" \
  '{"op":"policy.restricted","args":{"productName":"Backup Pro"}}'

echo "### A service's lifecycle against the Comet emulator (Node CLI)"
echo
exec node node-harness/demo/lifecycle.js
