'use strict';
// Runs a core plan against a Comet Server: the core decides each request, this file only does HTTP.
const { loadCore } = require('./core');

// The core refuses these in a plan context (plan.bad_context); WHMCS puts them in every $params.
const SERVER_SECRET_KEYS = ['serverpassword', 'serveraccesshash', 'serverusername'];

/** Classifies a fetch failure into the core's transport kinds. */
function transportKind(err) {
  if (err && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'timeout';
  const code = (err && err.cause && err.cause.code) || (err && err.code) || '';
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/i.test(code)) return 'tls';
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EAI_AGAIN') return 'connect';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return 'reset';
  return 'other';
}

function transportMessage(err) {
  const cause = err && err.cause;
  if (cause && (cause.code || cause.message)) return [cause.code, cause.message].filter(Boolean).join(': ');
  return (err && err.message) || String(err);
}

/**
 * A copy of params with every secret replaced by "***" (for logs and transcripts): the step's own
 * `secrets` and the names the core always treats as secret (its `version` op's `secretParams`).
 */
function maskParams(params, secrets, alwaysSecret) {
  if (!Array.isArray(alwaysSecret) || alwaysSecret.length === 0) throw new TypeError('maskParams needs the core\'s secretParams');
  const hidden = new Set([...alwaysSecret, ...(secrets || [])]);
  const out = {};
  for (const [k, v] of Object.entries(params || {})) out[k] = hidden.has(k) ? '***' : v;
  return out;
}

/** Builds the plan context from a WHMCS $params array: admin credentials never enter the core. */
function contextFromParams(params, extra = {}) {
  const ctx = { ...params };
  for (const k of SERVER_SECRET_KEYS) delete ctx[k];
  delete ctx.model;
  if (ctx.now === undefined) ctx.now = Math.floor(Date.now() / 1000);
  return { ...ctx, ...extra };
}

/**
 * POSTs one form to <server>/api/v1/admin/<endpoint> and returns the core's response shape:
 * {httpStatus, body} or {transportError: {kind, message}}. TLS verification stays on (Node's
 * default); add a private CA with NODE_EXTRA_CA_CERTS rather than turning verification off.
 */
async function postForm(server, endpoint, params, { timeoutMs = 15000, fetchImpl = fetch } = {}) {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) form.append(k, String(v));
  // Auth fields last, so a param can never override them.
  form.set('Username', server.adminUsername);
  form.set('AuthType', server.totp ? 'PasswordTOTP' : 'Password');
  form.set('Password', server.adminPassword);
  if (server.totp) form.set('TOTP', typeof server.totp === 'function' ? server.totp() : server.totp);
  const url = `${server.url.replace(/\/+$/, '')}/api/v1/admin/${endpoint}`;
  try {
    const res = await fetchImpl(url, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'cometprov-node-harness' },
      redirect: 'error', // a redirect would re-send the admin password somewhere else
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await res.text();
    return { httpStatus: res.status, body };
  } catch (err) {
    return { transportError: { kind: transportKind(err), message: transportMessage(err) } };
  }
}

/**
 * POSTs like postForm, but hands the reply body to `core` chunk by chunk as it arrives (the core's
 * stream for the step `state`), never holding it. Returns {response: {httpStatus} |
 * {transportError}, bytes, reply} where `reply` is the core's answer to the close (the next step).
 * Only a 200 reply's bytes reach the core; it may stop the download early when the body is already
 * known to be unreadable.
 */
async function postStream(core, state, server, endpoint, params, { timeoutMs = 15000, fetchImpl = fetch } = {}) {
  const opened = core.streamOpen(state);
  if (!opened.ok) return { response: null, bytes: 0, reply: opened };
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) form.append(k, String(v));
  form.set('Username', server.adminUsername);
  form.set('AuthType', server.totp ? 'PasswordTOTP' : 'Password');
  form.set('Password', server.adminPassword);
  if (server.totp) form.set('TOTP', typeof server.totp === 'function' ? server.totp() : server.totp);
  const url = `${server.url.replace(/\/+$/, '')}/api/v1/admin/${endpoint}`;
  let bytes = 0;
  let response;
  try {
    const res = await fetchImpl(url, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'cometprov-node-harness' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (res.status === 200 && res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        bytes += value.byteLength;
        if (core.streamWrite(value) !== 0) {
          await reader.cancel();
          break;
        }
      }
    } else if (res.body) {
      await res.body.cancel();
    }
    response = { httpStatus: res.status };
  } catch (err) {
    response = { transportError: { kind: transportKind(err), message: transportMessage(err) } };
  }
  return { response, bytes, reply: core.streamClose(response) };
}

function outcomeOf(response) {
  if (response.transportError) return `transport ${response.transportError.kind}`;
  if (response.httpStatus !== 200) return `HTTP ${response.httpStatus}`;
  try {
    const body = JSON.parse(response.body);
    if (body && typeof body.Status === 'number' && body.Status >= 400) return `Status ${body.Status}: ${body.Message}`;
    return 'ok';
  } catch {
    return 'unreadable reply';
  }
}

/**
 * Runs one action to completion. Returns {result, code, effects, output, steps}; `steps` lists
 * {endpoint, params (masked), outcome} for transcripts and round-trip counts. Steps marked
 * `"stream": true` are streamed into the core (postStream) unless `stream` is false.
 */
async function runPlan({ core, action, context, server, timeoutMs, onStep, maxSteps = 64, stream = true }) {
  core = core || (await loadCore());
  const { secretParams } = core.invoke('version').value;
  const steps = [];
  let r = core.invoke('plan.start', { action, context });
  for (let n = 0; ; n++) {
    if (!r.ok) throw new Error(`core rejected the plan: ${r.error.code}: ${r.error.message}`);
    const step = r.value;
    if (step.done) return { ...step.done, steps };
    if (n >= maxSteps) throw new Error(`plan ${action} did not finish within ${maxSteps} requests`);
    const { endpoint, params, secrets } = step.request;
    if (step.request.stream === true && stream) {
      const streamed = await postStream(core, step.state, server, endpoint, params, { timeoutMs });
      if (streamed.response !== null) {
        const res = streamed.response;
        const outcome = res.transportError ? `transport ${res.transportError.kind}` : `HTTP ${res.httpStatus} (streamed, ${streamed.bytes} bytes)`;
        const record = { endpoint, params: maskParams(params, secrets, secretParams), outcome };
        steps.push(record);
        if (onStep) onStep(record);
      }
      r = streamed.reply;
      continue;
    }
    const response = await postForm(server, endpoint, params, { timeoutMs });
    const record = { endpoint, params: maskParams(params, secrets, secretParams), outcome: outcomeOf(response) };
    steps.push(record);
    if (onStep) onStep(record);
    r = core.invoke('plan.resume', { state: step.state, response });
  }
}

/**
 * What the WHMCS module does with a plan's effects, for the harness's simulated service. Effects and
 * context keys share one vocabulary: `username`, `marker` and `claim` are stored under their own
 * names and passed back as context keys of those names (a null value forgets the key), and so is
 * `createAttempted` (a boolean: this module's Create sent add-user and no account is recorded since);
 * `serverVersion` belongs to the server (the module stores it per server with the time), and the
 * harness keeps it on the params it passes back; `adopted` is only logged by the module.
 * Returns usage rows, if any.
 */
function applyEffects(params, effects) {
  let usage = null;
  for (const e of effects || []) {
    if (e.type === 'username') params.username = e.value;
    else if (e.type === 'marker' || e.type === 'claim') {
      if (e.value === null) delete params[e.type];
      else params[e.type] = e.value;
    } else if (e.type === 'createAttempted') params.createAttempted = e.value === true;
    else if (e.type === 'customPassword') params.customPassword = e.value;
    else if (e.type === 'serverVersion') params.serverVersion = e.value;
    else if (e.type === 'usage') usage = e.value;
  }
  return usage;
}

module.exports = { runPlan, postForm, postStream, maskParams, contextFromParams, applyEffects };
