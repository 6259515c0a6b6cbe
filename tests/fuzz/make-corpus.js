'use strict';
// Seeds the fuzzer with every golden vector request (mode 0), in the fuzz target's input format.
const fs = require('node:fs');
const path = require('node:path');
const { loadVectorCases, requestOf } = require('../../node-harness/lib/vectors');

const dir = process.argv[2];
fs.mkdirSync(dir, { recursive: true });
const cases = loadVectorCases();
cases.forEach((c, i) => {
  fs.writeFileSync(path.join(dir, `vector-${i}`), Buffer.concat([Buffer.from([0]), Buffer.from(requestOf(c))]));
});
// A plan seed per action: a create context and Comet-shaped replies.
const ctx = JSON.stringify({ serviceid: 5, username: 'bob', password: 'Passw0rd-ok', marker: 'G', now: 1764500000, installId: 'i1', configoption1: 'WHMCS_P1', configoption2: 'p', configoptions: { number_of_devices: '2' }, clientsdetails: { email: 'a@b.c' }, services: [{ serviceid: 5, username: 'bob' }] });
const replies = ['{"Status":400,"Message":"no"}', '{"Status":200,"Message":"OK"}', '{"Status":200,"ProfileHash":"h","Profile":{"CreationGUID":"G","Destinations":{}}}', '{"Version":"25.9.8"}', '{"bob":{}}'];
for (let a = 0; a < 13; a++) {
  fs.writeFileSync(path.join(dir, `plan-${a}`), Buffer.concat([Buffer.from([2, a]), Buffer.from([ctx, ...replies].join('\0'))]));
}
console.log(`${cases.length + 13} seeds in ${dir}`);
