'use strict';
// The Embind build in a real browser: Debian's headless Chromium loads the same .js/.wasm from a
// loopback server (fetching the .wasm, as browsers do), runs every golden vector and posts back.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { spawn } = require('node:child_process');
const { defaultWasmDir } = require('../../lib/core');
const { loadVectorCases } = require('../../lib/vectors');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

const PAGE = `<!doctype html><meta charset="utf-8"><title>cometprov embind</title>
<script src="/cometprov_embind.js"></script>
<script>
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') { const o = {}; for (const k of Object.keys(v).sort()) o[k] = canonical(v[k]); return o; }
  return v;
}
(async () => {
  const report = { pass: 0, fail: 0, failures: [] };
  try {
    const cases = await (await fetch('/vectors.json')).json();
    const core = await createCometProv();
    for (const c of cases) {
      const req = typeof c.raw === 'string' ? c.raw : JSON.stringify('args' in c ? { op: c.op, args: c.args } : { op: c.op });
      const out = core.invoke(req);
      if (JSON.stringify(canonical(JSON.parse(out))) === JSON.stringify(canonical(c.expect))) report.pass++;
      else { report.fail++; if (report.failures.length < 5) report.failures.push({ name: c.name, out }); }
    }
    report.typed = JSON.parse(core.passwordValidate('short')).value.errors[0].code;
  } catch (e) { report.error = String(e && e.stack || e); }
  await fetch('/result', { method: 'POST', body: JSON.stringify(report) });
})();
</script>`;

test('the Embind build runs every vector in headless Chromium', { timeout: 120000 }, async (t) => {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium is required at ${CHROMIUM} (make test installs Debian's chromium)`);
  const dir = defaultWasmDir();
  const cases = loadVectorCases();
  let resolveReport;
  const reportPromise = new Promise((r) => { resolveReport = r; });
  const server = http.createServer((req, res) => {
    const send = (type, body) => { res.writeHead(200, { 'content-type': type }); res.end(body); };
    if (req.method === 'POST' && req.url === '/result') {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => { res.end('ok'); resolveReport(JSON.parse(body)); });
      return;
    }
    if (req.url === '/') return send('text/html; charset=utf-8', PAGE);
    if (req.url === '/vectors.json') return send('application/json', JSON.stringify(cases));
    if (req.url === '/cometprov_embind.js') return send('text/javascript', fs.readFileSync(path.join(dir, 'cometprov_embind.js')));
    if (req.url === '/cometprov_embind.wasm') return send('application/wasm', fs.readFileSync(path.join(dir, 'cometprov_embind.wasm')));
    res.writeHead(404);
    res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cometprov-chromium-'));
  t.after(() => fs.rmSync(profile, { recursive: true, force: true }));
  const browser = spawn(CHROMIUM, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--user-data-dir=${profile}`, `http://127.0.0.1:${server.address().port}/`,
  ], { stdio: 'ignore' });
  t.after(() => browser.kill('SIGKILL'));
  let timer;
  const report = await Promise.race([
    reportPromise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no report from Chromium within 90 s')), 90000); }),
  ]).finally(() => clearTimeout(timer));
  assert.equal(report.error, undefined, report.error);
  assert.deepEqual(report.failures, []);
  assert.equal(report.pass, cases.length);
  assert.equal(report.typed, 'password.too_short');
});
