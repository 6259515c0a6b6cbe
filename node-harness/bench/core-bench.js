'use strict';
// Times one invoke through the Embind build for the same ops as the native bench (make bench).
const { loadCore } = require('../lib/core');

const OPS = {
  'username.validate': '{"op":"username.validate","args":{"username":"john_backup@example.com"}}',
  'options.quotas': '{"op":"options.quotas","args":{"configoptions":{"number_of_devices|Devices":"3","protected_item_quota_gb":"100","storage_vault_quota_gb":"250"}}}',
  'plan.start CreateAccount': '{"op":"plan.start","args":{"action":"CreateAccount","context":{"serviceid":42,"password":"Wh1mcs-Generated","configoptions":{"number_of_devices":"3"},"configoption1":"WHMCS_P3","clientsdetails":{"email":"john+x@example.com"},"now":1764500000,"serverVersion":"25.9.8"}}}',
};

async function main() {
  const t0 = process.hrtime.bigint();
  const core = await loadCore();
  const loadMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const out = { loadMs: Number(loadMs.toFixed(2)) };
  for (const [name, req] of Object.entries(OPS)) {
    const rounds = [];
    let sink = 0;
    for (let r = 0; r < 15; r++) {
      const s = process.hrtime.bigint();
      for (let i = 0; i < 2000; i++) sink += core.invokeJson(req).length;
      rounds.push(Number(process.hrtime.bigint() - s) / 1e3 / 2000);
    }
    rounds.sort((a, b) => a - b);
    out[name] = { medianUs: Number(rounds[7].toFixed(3)), minUs: Number(rounds[0].toFixed(3)), checksum: sink % 1000 };
  }
  console.log(JSON.stringify(out));
}

main();
