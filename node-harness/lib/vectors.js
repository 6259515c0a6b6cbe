'use strict';
// Reads tests/vectors and compares responses canonically (keys sorted, compact), as every host does.
const fs = require('node:fs');
const path = require('node:path');

const VECTORS_DIR = process.env.COMETPROV_VECTORS_DIR || path.resolve(__dirname, '..', '..', 'tests', 'vectors');

function loadVectorCases(dir = VECTORS_DIR) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  const cases = [];
  for (const file of files) {
    const doc = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    doc.cases.forEach((c, index) => cases.push({ file, index, ...c }));
  }
  return cases;
}

/** The exact request text for a case: `raw`, or {"op", "args"} serialised compactly. */
function requestOf(c) {
  if (typeof c.raw === 'string') return c.raw;
  const req = { op: c.op };
  if (Object.prototype.hasOwnProperty.call(c, 'args')) req.args = c.args;
  return JSON.stringify(req);
}

function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const k of Object.keys(value).sort()) out[k] = canonical(value[k]);
    return out;
  }
  return value;
}

const CONVERSATIONS_FILE = path.join(VECTORS_DIR, 'conversations', 'plan_conversations.json');

/** The plan conversations: [{name, action, context, replies, expect: {requests, done | error}}]. */
function loadConversations(file = CONVERSATIONS_FILE) {
  return JSON.parse(fs.readFileSync(file, 'utf8')).conversations;
}

/**
 * Runs one conversation through `invokeJson` (request text in, response text out): plan.start with
 * the context, then plan.resume with each reply in turn until the plan ends or the replies run out.
 * Returns the raw responses (for byte comparisons across hosts) and the transcript
 * {requests, done | error | waiting, unusedReplies?} that tests/vectors/README.md defines.
 */
function runConversation(invokeJson, c) {
  const responses = [];
  const requests = [];
  const transcript = {};
  let used = 0;
  let text = JSON.stringify({ op: 'plan.start', args: { action: c.action, context: c.context } });
  for (;;) {
    const out = invokeJson(text);
    responses.push(out);
    const r = JSON.parse(out);
    if (!r.ok) {
      transcript.error = r.error;
      break;
    }
    if (r.value.done) {
      transcript.done = r.value.done;
      break;
    }
    requests.push(r.value.request);
    if (used >= c.replies.length) {
      transcript.waiting = true;
      break;
    }
    text = JSON.stringify({ op: 'plan.resume', args: { state: r.value.state, response: c.replies[used++] } });
  }
  transcript.requests = requests;
  if (used < c.replies.length) transcript.unusedReplies = c.replies.length - used;
  return { responses, transcript };
}

module.exports = { loadVectorCases, requestOf, canonical, loadConversations, runConversation, CONVERSATIONS_FILE };
