// Minimal HTTP(S) client for the emulator's admin API and control routes, used by the tests and the bench (Node built-ins only).
'use strict';

const http = require('node:http');
const https = require('node:https');

/**
 * One HTTP request. Resolves with {status, headers, body (Buffer), text, json} where json is the parsed
 * body or undefined when it is not JSON (or when `parse: false`). Rejects on network errors (e.g. ECONNRESET from a 'reset' fault).
 */
function request(url, { method = 'POST', body, headers = {}, agent, ca, timeoutMs = 30000, parse = true } = {}) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  return new Promise((resolve, reject) => {
    const req = mod.request(
      u,
      {
        method,
        agent,
        ca,
        headers: payload ? { 'Content-Length': payload.length, ...headers } : headers,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const text = buf.toString('utf8');
          let json;
          if (parse) {
            try {
              json = JSON.parse(text);
            } catch (e) {
              json = undefined;
            }
          }
          resolve({ status: res.statusCode, headers: res.headers, body: buf, text, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`request timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

const DEFAULT_AUTH = { Username: 'admin', AuthType: 'Password', Password: 'admin' };

/**
 * POST /api/v1/admin/<endpoint> with form-encoded params. Auth fields are appended after the call's
 * params like the official SDKs do; pass `auth: null` to send none, or an object to override.
 */
function callApi(baseUrl, endpoint, params = {}, { auth = DEFAULT_AUTH, ...opts } = {}) {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    form.append(k, typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  if (auth) for (const [k, v] of Object.entries(auth)) if (!form.has(k)) form.append(k, v);
  return request(`${baseUrl}/api/v1/admin/${endpoint}`, {
    body: form.toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    ...opts,
  });
}

/** A control-route call (/__emulator/...), JSON in and out. */
function control(baseUrl, route, body, opts = {}) {
  return request(`${baseUrl}/__emulator/${route}`, {
    method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    ...opts,
  });
}

module.exports = { request, callApi, control, DEFAULT_AUTH };
