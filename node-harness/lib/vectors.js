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

module.exports = { loadVectorCases, requestOf, canonical };
