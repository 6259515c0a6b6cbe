// The HTTP request pipeline: routing, form parsing, admin authentication, fault injection, journalling, control routes and response writing.
'use strict';

const { ApiError, RawJson, JsonPieces, BinaryBody } = require('./util');
const { lookup } = require('./handlers');
const { verifyTotp } = require('./totp');

const API_PREFIX = '/api/v1/admin/';
const CONTROL_PREFIX = '/__emulator/';
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const UNAUTHORISED = 'Unauthorised';

const carm = (status, message) => JSON.stringify({ Status: status, Message: message });

class BodyTooLarge extends Error {}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * Form parameters from the urlencoded body, falling back to the query string (as Go's FormValue does).
 * For a repeated name the first value wins, like Go's r.FormValue.
 */
function parseParams(query, body) {
  const params = {};
  for (const source of [body.toString('utf8'), query]) {
    if (!source) continue;
    for (const [k, v] of new URLSearchParams(source)) if (!Object.hasOwn(params, k)) params[k] = v;
  }
  return params;
}

/** Write a response. `body` is a string, a Buffer, or JsonPieces (a large JSON document made while it is sent). */
function send(res, status, contentType, body, extraHeaders = {}) {
  if (res.destroyed || res.writableEnded) return;
  if (body instanceof JsonPieces) {
    sendPieces(res, status, contentType, body, extraHeaders).catch((e) => {
      process.stderr.write(`comet-emulator: streaming a reply failed: ${e.stack}\n`);
      res.destroy();
    });
    return;
  }
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': buf.length, ...extraHeaders });
  res.end(buf);
}

/** Wait until a response can take more data (or is gone). */
function drained(res) {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

const PIECES_BYTES_PER_WRITE = 256 * 1024;

/**
 * Stream a body produced while it is sent (JsonPieces), with chunked transfer encoding (the length is
 * not known in advance, as with Go's net/http for large replies). Writes about 256 KB at a time and
 * honours backpressure, so memory stays flat however large the document is.
 */
async function sendPieces(res, status, contentType, body, extraHeaders) {
  res.writeHead(status, { 'Content-Type': contentType, ...extraHeaders });
  let buf = '';
  for (const piece of body) {
    if (res.destroyed) return;
    buf += piece;
    if (buf.length >= PIECES_BYTES_PER_WRITE) {
      const ok = res.write(buf);
      buf = '';
      if (!ok) await drained(res);
    }
  }
  if (res.destroyed) return;
  res.end(buf);
}

const bodyText = (body) => (body instanceof JsonPieces ? body.toString() : body);

const sendJsonText = (res, status, text) => send(res, status, 'application/json', text);

/** Turn a handler result (object, RawJson, BinaryBody or ApiError) into a response description. */
function render(result) {
  if (result instanceof ApiError) {
    return { status: 200, type: 'application/json', body: carm(result.status, result.message), outcome: `error:${result.status}` };
  }
  if (result instanceof BinaryBody) {
    return {
      status: 200,
      type: 'application/octet-stream',
      body: result.buffer,
      headers: { 'Content-Disposition': `attachment; filename="${result.filename}"` },
      outcome: 'ok',
    };
  }
  if (result instanceof RawJson) return { status: 200, type: 'application/json', body: result.text, outcome: 'ok' };
  const isError = result && typeof result === 'object' && typeof result.Status === 'number' && result.Status >= 400;
  return { status: 200, type: 'application/json', body: JSON.stringify(result), outcome: isError ? `error:${result.Status}` : 'ok' };
}

const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';
const HTML_NONJSON =
  '<!DOCTYPE html>\n<html><head><title>Maintenance</title></head>' +
  '<body><p>The service is temporarily unavailable (comet-emulator injected non-JSON body).</p></body></html>\n';

/**
 * Write the response for a fault. `actual` is the real response when the request was processed
 * (phase 'after'); 'truncated' then cuts the real body in half, otherwise a plausible success body.
 */
function sendFault(req, res, fault, actual) {
  switch (fault.kind) {
    case 'reset':
      // RST rather than FIN: the client sees ECONNRESET, like a proxy or server crash mid-request.
      req.socket.resetAndDestroy();
      return;
    case 'http500':
      send(res, 500, 'text/plain; charset=utf-8', 'Internal Server Error\n');
      return;
    case 'http502html':
      send(res, 502, 'text/html', HTML_502);
      return;
    case 'nonjson':
      send(res, 200, 'text/html; charset=utf-8', HTML_NONJSON);
      return;
    case 'truncated': {
      const full = Buffer.from(actual ? bodyText(actual.body) : '{"Status":200,"Message":"OK"}');
      // A strict prefix of a JSON object or array is never valid JSON.
      send(res, 200, 'application/json', full.subarray(0, Math.max(1, Math.floor(full.length / 2))));
      return;
    }
    case 'status400':
      sendJsonText(res, 200, carm(400, fault.message || 'Injected fault: Status 400'));
      return;
    case 'status403':
      sendJsonText(res, 200, carm(403, fault.message || UNAUTHORISED));
      return;
    case 'status500':
      sendJsonText(res, 200, carm(500, fault.message || 'Injected fault: Status 500'));
      return;
    default:
      throw new Error(`no renderer for fault kind ${fault.kind}`);
  }
}

/**
 * Admin authentication on every call (spec 1.2, 7.1). Credentials come from the form body; the
 * X-Comet-Admin-* headers used by multipart uploads are accepted as a fallback.
 */
function authenticate(emu, params, headers) {
  const get = (name) => (params[name] !== undefined ? params[name] : headers[`x-comet-admin-${name.toLowerCase()}`]);
  const { adminUsername, adminPassword, adminTotpSecret } = emu.options;
  const fail = () => new ApiError(403, UNAUTHORISED);
  if (get('Username') !== adminUsername) throw fail();
  switch (get('AuthType')) {
    case 'Password':
      if (get('Password') !== adminPassword) throw fail();
      if (adminTotpSecret) throw new ApiError(403, 'ERR_TOTP_REQUIRED');
      return { kind: 'Password' };
    case 'PasswordTOTP':
      if (get('Password') !== adminPassword) throw fail();
      // Without a configured secret the admin has no 2FA, so a TOTP login cannot succeed.
      if (!adminTotpSecret || !verifyTotp(adminTotpSecret, get('TOTP'), emu.clock())) throw fail();
      return { kind: 'PasswordTOTP' };
    case 'SessionKey': {
      const key = get('SessionKey');
      const s = key === undefined ? undefined : emu.state.sessions.get(key);
      // Only admin sessions authenticate admin calls; a session-start-as-user key is an end-user key.
      if (!s || s.type !== 'admin' || s.username !== adminUsername) throw fail();
      return { kind: 'SessionKey', sessionKey: key };
    }
    default:
      // Missing AuthType, TOTP alone and PasswordWebAuthn are not supported by the emulator.
      throw fail();
  }
}

/** Run an endpoint synchronously (so each request is atomic with respect to the others). */
function dispatch(emu, endpoint, params, headers) {
  try {
    const handler = lookup(endpoint, emu.options.mode);
    if (!handler) throw new ApiError(404, `Unknown API endpoint: ${endpoint}`);
    const auth = authenticate(emu, params, headers);
    const result = handler.fn({
      state: emu.state,
      mode: emu.options.mode,
      params,
      endpoint,
      auth,
      info: emu.info,
      serverUrl: emu.url,
    });
    return render(result);
  } catch (e) {
    if (e instanceof ApiError) return render(e);
    process.stderr.write(`comet-emulator: internal error on ${endpoint}: ${e.stack}\n`);
    return render(new ApiError(500, 'Internal server error'));
  }
}

/** A "concurrent write" for the hashconflict fault: bump the hash of the object this request targets. */
function simulateConcurrentWrite(emu, endpoint, params) {
  if (endpoint.startsWith('policies/')) {
    if (params.PolicyID) emu.state.touchPolicy(params.PolicyID);
  } else if (params.TargetUser) {
    emu.state.touchUser(params.TargetUser);
  }
}

/** Persist after a write; a failed save is reported as Status 500 rather than a silent loss. */
function persist(emu, response) {
  if (!emu.state.dirty) return response;
  try {
    emu.state.save();
    return response;
  } catch (e) {
    process.stderr.write(`comet-emulator: failed to save state: ${e.message}\n`);
    return render(new ApiError(500, 'Failed to save server state'));
  }
}

async function handleApi(emu, req, res, endpoint, query) {
  let body;
  try {
    body = await readBody(req);
  } catch (e) {
    if (e instanceof BodyTooLarge) send(res, 413, 'application/json', carm(413, 'Request body too large'));
    return;
  }
  const params = parseParams(query, body);
  const entry = emu.journalStore.begin(endpoint, params);

  if (req.method !== 'POST') {
    entry.outcome = 'http:405';
    send(res, 405, 'application/json', carm(405, 'Method Not Allowed'), { Allow: 'POST' });
    return;
  }

  const fault = emu.faults.take(endpoint);
  if (fault) {
    entry.fault = fault.kind;
    entry.phase = fault.phase;
  }
  if (emu.latencyMs > 0) await emu.sleep(emu.latencyMs);
  if (fault && fault.kind === 'delay' && fault.phase === 'before') await emu.sleep(fault.delayMs);

  if (fault && fault.phase === 'before' && fault.kind !== 'delay' && fault.kind !== 'hashconflict') {
    entry.outcome = `fault:${fault.kind}`;
    entry.processed = false;
    sendFault(req, res, fault, undefined);
    return;
  }
  if (fault && fault.kind === 'hashconflict') simulateConcurrentWrite(emu, endpoint, params);

  const response = persist(emu, dispatch(emu, endpoint, params, req.headers));

  if (fault && fault.phase === 'after') {
    entry.processed = true;
    entry.processedOutcome = response.outcome;
    if (fault.kind === 'delay') {
      await emu.sleep(fault.delayMs);
    } else {
      entry.outcome = `fault:${fault.kind}`;
      sendFault(req, res, fault, response);
      return;
    }
  }
  entry.outcome = response.outcome;
  send(res, response.status, response.type, response.body, response.headers);
}

function readJsonBody(req) {
  return readBody(req).then((b) => (b.length === 0 ? undefined : JSON.parse(b.toString('utf8'))));
}

/** Test-control routes (only when the emulator was started with control enabled). */
async function handleControl(emu, req, res, route) {
  const reply = (status, obj) => sendJsonText(res, status, JSON.stringify(obj));
  if (!emu.options.control) return reply(404, { ok: false, error: 'control routes are disabled (start with --control)' });
  let body;
  try {
    body = req.method === 'POST' ? await readJsonBody(req) : undefined;
  } catch (e) {
    return reply(400, { ok: false, error: `invalid JSON body: ${e.message}` });
  }
  const key = `${req.method} ${route}`;
  try {
    switch (key) {
      case 'POST faults':
        return reply(200, { ok: true, added: emu.injectFault(body) });
      case 'GET faults':
        return reply(200, emu.faults.list());
      case 'POST faults/clear':
        emu.faults.clear();
        return reply(200, { ok: true });
      case 'POST latency':
        emu.setLatency(body && body.ms);
        return reply(200, { ok: true, ms: emu.latencyMs });
      case 'GET journal':
        return reply(200, emu.journal());
      case 'POST journal/clear':
        emu.clearJournal();
        return reply(200, { ok: true });
      case 'POST reset':
        emu.faults.clear();
        emu.clearJournal();
        return reply(200, { ok: true });
      case 'POST seed':
        emu.seed(body);
        return reply(200, { ok: true });
      case 'POST seed-users':
        return reply(200, { ok: true, ...emu.seedUsers(body || {}) });
      case 'GET stats':
        return reply(200, emu.stats());
      default:
        return reply(404, { ok: false, error: `unknown control route ${key}` });
    }
  } catch (e) {
    return reply(400, { ok: false, error: e.message });
  }
}

/** The request listener for http/https.createServer. */
function createRequestListener(emu) {
  return (req, res) => {
    const q = req.url.indexOf('?');
    const pathname = q < 0 ? req.url : req.url.slice(0, q);
    const query = q < 0 ? '' : req.url.slice(q + 1);
    let work;
    if (pathname.startsWith(API_PREFIX)) {
      let endpoint;
      try {
        endpoint = decodeURIComponent(pathname.slice(API_PREFIX.length));
      } catch (e) {
        endpoint = pathname.slice(API_PREFIX.length);
      }
      work = handleApi(emu, req, res, endpoint, query);
    } else if (pathname.startsWith(CONTROL_PREFIX)) {
      work = handleControl(emu, req, res, pathname.slice(CONTROL_PREFIX.length));
    } else {
      send(res, 404, 'application/json', carm(404, 'Not Found'));
      return;
    }
    work.catch((e) => {
      // Aborted sleeps during close() land here; anything else is a bug worth seeing.
      if (!emu.closing) process.stderr.write(`comet-emulator: ${e.stack}\n`);
      if (!res.headersSent && !res.destroyed) send(res, 500, 'application/json', carm(500, 'Internal server error'));
    });
  };
}

module.exports = { createRequestListener, API_PREFIX, CONTROL_PREFIX, UNAUTHORISED, parseParams, authenticate };
