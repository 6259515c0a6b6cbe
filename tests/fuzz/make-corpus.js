'use strict';
// Seeds the fuzzer, in the fuzz target's input format: every golden vector request (mode 0), and
// every plan conversation (mode 2: action, context and the replies' bodies, NUL-separated).
const fs = require('node:fs');
const path = require('node:path');
const { loadVectorCases, requestOf, loadConversations } = require('../../node-harness/lib/vectors');

const dir = process.argv[2];
fs.mkdirSync(dir, { recursive: true });
const cases = loadVectorCases();
cases.forEach((c, i) => {
  fs.writeFileSync(path.join(dir, `vector-${i}`), Buffer.concat([Buffer.from([0]), Buffer.from(requestOf(c))]));
});
const conversations = loadConversations();
conversations.forEach((c, i) => {
  const replies = c.replies.map((r) => {
    if (r && r.transportError) return `!${r.transportError.kind || ''}`;
    return r && typeof r.body === 'string' ? r.body : '';
  });
  const parts = [String(c.action), JSON.stringify(c.context), ...replies].map((p) => p.replace(/\0/g, ''));
  fs.writeFileSync(path.join(dir, `plan-${i}`), Buffer.concat([Buffer.from([2]), Buffer.from(parts.join('\0'))]));
});
// usage-*: seeds of usage_stream_fuzz (8 seed bytes for the cut pattern, then a list-users-full body).
let usage = 0;
conversations.forEach((c, i) => {
  if (c.action !== 'UsageUpdate') return;
  for (const r of c.replies) {
    if (r && typeof r.body === 'string') {
      fs.writeFileSync(path.join(dir, `usage-${i}`), Buffer.concat([Buffer.alloc(8, usage % 2 ? 0xff : 0), Buffer.from(r.body)]));
      usage++;
    }
  }
});
console.log(`${cases.length + conversations.length + usage} seeds in ${dir}`);
