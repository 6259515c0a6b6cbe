// The admin preview: reads the form, asks the module's core (the Embind build, through invoke) for
// every answer, and renders them. It decides nothing itself: validation, usernames, quotas, the
// policy, profile edits and the plan's requests all come from the core.
'use strict';

(function () {
  const S = window.CometPreviewSamples;
  const $ = (id) => document.getElementById(id);
  const api = {
    ready: false,
    readyMs: null, // performance.now() when the first results were on screen
    coreMs: null, // of which: fetching and instantiating the core
    marks: { script: performance.now() }, // milestones since navigation, for the timing report
    lastRuns: {}, // per server mode: {context, responses, requests, done} of the plan shown
    json: {}, // what each Copy JSON button copies
    error: null,
  };
  window.CometPreview = api;
  let core = null;
  let secretParams = [];

  // ---- the core ----------------------------------------------------------------------------

  async function loadCore() {
    // The bytes are passed as wasmBinary, so the server's MIME type for .wasm does not matter.
    const response = await fetch('cometprov_embind.wasm');
    if (!response.ok) throw new Error(`cometprov_embind.wasm is missing next to this page (HTTP ${response.status})`);
    const bytes = await response.arrayBuffer();
    if (typeof window.createCometProv !== 'function') {
      throw new Error('cometprov_embind.js is missing next to this page');
    }
    return window.createCometProv({ wasmBinary: new Uint8Array(bytes) });
  }

  function invoke(op, args) {
    return JSON.parse(core.invoke(JSON.stringify(args === undefined ? { op } : { op, args })));
  }

  // ---- small DOM helpers -------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  }

  const pretty = (v) => JSON.stringify(v, null, 2);
  const show = (v) => (v === undefined ? '(absent)' : JSON.stringify(v));

  function formatBytes(n) {
    if (n >= S.GiB * 1024) return `${+(n / (S.GiB * 1024)).toFixed(2)} TB`;
    if (n >= S.GiB) return `${+(n / S.GiB).toFixed(2)} GB`;
    if (n >= 1024 * 1024) return `${+(n / (1024 * 1024)).toFixed(1)} MB`;
    return `${n} bytes`;
  }

  // A JSON pointer token, to find which input an error's field names.
  const pointerToken = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');

  function messageList(errors, extraClass) {
    const ul = el('ul', { class: `errors ${extraClass || ''}`.trim() });
    for (const e of errors) ul.append(el('li', { class: 'err', 'data-code': e.code, text: e.message }));
    return ul;
  }

  // ---- reading the form --------------------------------------------------------------------

  function readForm() {
    const f = $('settings');
    const v = (id) => $(id).value;
    return {
      policyMode: f.querySelector('input[name=policyMode]:checked').value,
      existingPolicy: v('existingPolicy'),
      productId: v('productId'),
      installId: v('installId'),
      productName: v('productName'),
      provider: v('provider'),
      requirePasswordChange: $('requirePasswordChange').checked,
      neverChangeVault: $('neverChangeVault').checked,
      devices: v('devices'),
      itemsQuota: v('itemsQuota'),
      itemsUnit: v('itemsUnit'),
      vaultQuota: v('vaultQuota'),
      vaultUnit: v('vaultUnit'),
      customUsername: v('customUsername'),
      customPassword: v('customPassword'),
      email: v('email'),
      firstname: v('firstname'),
    };
  }

  // WHMCS configurable option names ("key|Label") and the input each one comes from.
  function configOptions(form) {
    const options = [
      [`number_of_devices|Devices`, form.devices, 'devices'],
      [`protected_item_quota_${form.itemsUnit}|Protected items quota`, form.itemsQuota, 'itemsQuota'],
      [`storage_vault_quota_${form.vaultUnit}|Storage vault quota`, form.vaultQuota, 'vaultQuota'],
    ];
    const values = {};
    const inputs = {};
    for (const [name, value, input] of options) {
      // An empty vault quota stands for "option not on the product" (null counts as absent):
      // vault limits are then left as they are.
      values[name] = input === 'vaultQuota' && String(value).trim() === '' ? null : value;
      inputs[`/configoptions/${pointerToken(name)}`] = input;
    }
    return { values, inputs };
  }

  // ---- one full evaluation -----------------------------------------------------------------

  function evaluate(form) {
    const r = { form };
    r.options = configOptions(form);
    // The policy group the product points at (module setting 1).
    if (form.policyMode === 'existing') {
      r.policyId = form.existingPolicy;
    } else if (form.policyMode === 'create') {
      r.managed = invoke('policy.idForProduct', { productId: form.productId, installId: form.installId });
      r.policyId = r.managed.ok ? r.managed.value.policyId : null;
    } else {
      r.policyId = '';
    }
    if (form.policyMode !== 'create') {
      r.managed = invoke('policy.idForProduct', { productId: form.productId, installId: form.installId });
    }
    r.policy = invoke('policy.restricted', {
      productName: form.productName,
      policyId: r.managed.ok ? r.managed.value.policyId : '',
    });
    r.quotas = invoke('options.quotas', { configoptions: r.options.values, manageVaultQuota: !form.neverChangeVault });
    r.password = form.customPassword === '' ? null : invoke('password.validate', { password: form.customPassword });
    r.servers = S.servers.map((server) => ({
      server,
      validate: form.customUsername === ''
        ? null
        : invoke('username.validate', { username: form.customUsername, serverVersion: server.version }),
      derive: invoke('username.derive', {
        customUsername: form.customUsername,
        email: form.email,
        firstname: form.firstname,
        lastname: '',
        serviceId: S.service.serviceid,
        serverVersion: server.version,
      }),
    }));
    const modernDerive = r.servers[0].derive;
    const username = modernDerive.ok ? modernDerive.value.username : 'customer';
    r.profiles = S.profiles.map((sample) => {
      const before = sample.make(username);
      const apply = r.quotas.ok && r.policyId !== null
        ? invoke('profile.apply', { profile: before, quotas: r.quotas.value, policyId: r.policyId })
        : null;
      return { sample, before, apply };
    });
    const twoVaults = r.profiles.find((p) => p.sample.key === 'twoVaults');
    if (twoVaults && twoVaults.apply && twoVaults.apply.ok) {
      r.usage = invoke('usage.fromProfiles', { profiles: { [username]: twoVaults.apply.value.profile } });
    }
    r.plans = r.policyId === null ? null : S.servers.map((server) => {
      const context = planContext(form, r, server);
      return { server, run: runPlan('CreateAccount', context, S.cannedServer(server.mode)) };
    });
    return r;
  }

  // The context WHMCS would give the core for CreateAccount (the keys it reads, see version.contextKeys).
  // No admin credentials: WHMCS adds them to each request.
  function planContext(form, r, server) {
    return {
      serviceid: S.service.serviceid,
      username: '',
      password: S.service.password,
      customfields: { Username: form.customUsername, Password: form.customPassword },
      clientsdetails: { email: form.email, firstname: form.firstname, lastname: '' },
      configoption1: r.policyId,
      configoption2: form.provider,
      configoption3: form.requirePasswordChange ? 'on' : '',
      configoption5: form.neverChangeVault ? 'on' : '',
      configoptions: r.options.values,
      productName: form.productName,
      serverVersion: server.version,
      serverUrl: S.service.serverUrl,
      now: Math.floor(Date.now() / 1000),
    };
  }

  // Drives a plan: start, then hand each request's reply back, until the core says it is done.
  // `answer(request, index)` gives the reply; undefined stops (the conversation ran out).
  function runPlan(action, context, answer) {
    const run = { action, context, requests: [], responses: [], done: null, error: null };
    let out = invoke('plan.start', { action, context });
    for (let guard = 0; guard < 64; guard++) {
      if (!out.ok) {
        run.error = out.error;
        return run;
      }
      const step = out.value;
      if (step.done) {
        run.done = step.done;
        return run;
      }
      run.requests.push(step.request);
      const response = answer(step.request, run.requests.length - 1);
      if (response === undefined) {
        run.waiting = true;
        return run;
      }
      run.responses.push(response);
      out = invoke('plan.resume', { state: step.state, response });
    }
    run.error = { code: 'preview.too_many_steps', message: 'The plan did not finish within 64 requests' };
    return run;
  }

  function maskedParams(request) {
    const secrets = new Set([...(request.secrets || []), ...secretParams]);
    const params = {};
    for (const [k, v] of Object.entries(request.params || {})) params[k] = secrets.has(k) ? '••••••' : v;
    return { endpoint: request.endpoint, params, masked: Object.keys(params).filter((k) => secrets.has(k)) };
  }

  // ---- rendering ---------------------------------------------------------------------------

  function setFieldMessage(id, node) {
    const target = $(`${id}-msg`);
    target.replaceChildren(...(node ? [node] : []));
    const input = $(id);
    if (input) input.setAttribute('aria-invalid', node && node.querySelector && node.querySelector('.err') ? 'true' : 'false');
  }

  function renderFieldMessages(r) {
    // The product ID and installation ID feed the managed policy ID.
    const managedError = r.managed.ok ? null : r.managed.error;
    setFieldMessage('productId', managedError && managedError.field === '/productId' ? messageList([managedError]) : null);
    setFieldMessage('installId', managedError && managedError.field !== '/productId' ? messageList([managedError]) : null);

    // Configurable options: the core's error goes next to the option it names.
    for (const id of ['devices', 'itemsQuota', 'vaultQuota']) setFieldMessage(id, null);
    $('options-msg').replaceChildren();
    if (!r.quotas.ok) {
      const e = r.quotas.error;
      const input = Object.entries(r.options.inputs).find(([ptr]) => e.field === ptr || (e.field || '').startsWith(`${ptr}/`));
      if (input) setFieldMessage(input[1], messageList([e]));
      else $('options-msg').replaceChildren(messageList([e]));
    }

    // Username: per server generation, validation of the custom name and the derivation's refusal.
    const userBlocks = [];
    const emailBlocks = [];
    for (const s of r.servers) {
      const errors = [];
      if (s.validate) {
        if (s.validate.ok) errors.push(...s.validate.value.errors);
        else errors.push(s.validate.error);
      }
      if (!s.derive.ok && (s.derive.error.field || '').startsWith('/customUsername')
          && !errors.some((e) => e.code === s.derive.error.code && e.message === s.derive.error.message)) {
        errors.push(s.derive.error);
      }
      if (s.validate || errors.length) {
        userBlocks.push(el('div', { class: 'per-server', 'data-server': s.server.mode },
          el('span', { class: 'who', text: `${s.server.title}: ` }),
          errors.length ? messageList(errors) : el('span', { class: 'ok', text: 'accepted' })));
      }
      if (!s.derive.ok && !(s.derive.error.field || '').startsWith('/customUsername')) {
        emailBlocks.push(el('div', { class: 'per-server', 'data-server': s.server.mode },
          el('span', { class: 'who', text: `${s.server.title}: ` }), messageList([s.derive.error])));
      }
    }
    setFieldMessage('customUsername', userBlocks.length ? el('div', {}, ...userBlocks) : null);
    setFieldMessage('email', emailBlocks.length ? el('div', {}, ...emailBlocks) : null);

    if (!r.password) {
      setFieldMessage('customPassword', el('span', { class: 'hint', text: 'The WHMCS service password will be used.' }));
    } else if (!r.password.ok) {
      setFieldMessage('customPassword', messageList([r.password.error]));
    } else if (r.password.value.errors.length) {
      setFieldMessage('customPassword', messageList(r.password.value.errors));
    } else {
      setFieldMessage('customPassword', el('span', { class: 'ok', text: 'accepted' }));
    }
  }

  function renderUsernames(r) {
    const dl = $('derived');
    dl.replaceChildren();
    for (const s of r.servers) {
      dl.append(el('dt', { text: s.server.title }));
      const dd = el('dd', { 'data-server': s.server.mode });
      if (s.derive.ok) {
        const v = s.derive.value;
        const more = v.candidates.length - 1;
        dd.append(el('code', { class: 'username', text: v.username }),
          el('span', { class: 'hint', title: v.candidates.slice(1).join(', ') || null,
            text: ` from the ${v.source === 'custom' ? 'custom field' : v.source}${more > 0 ? `; ${more} more to try if it is taken` : ''}` }));
      } else {
        dd.append(messageList([s.derive.error]));
      }
      dl.append(dd);
    }
  }

  function renderPolicy(r) {
    const mode = r.form.policyMode;
    const summary = $('policy-summary');
    const tbody = $('policy-table').querySelector('tbody');
    tbody.replaceChildren();
    if (mode === 'none') summary.textContent = 'No policy group: accounts keep the server\'s default policy. Below, the policy that "[Create New Policy Group]" would create.';
    else if (mode === 'existing') summary.textContent = `Accounts are put in the existing policy group ${r.policyId}; it is never changed. Below, the policy that "[Create New Policy Group]" would create.`;
    else if (r.managed.ok) summary.textContent = `"[Create New Policy Group]" creates the policy group ${r.managed.value.policyId} with the first account, if it does not exist yet:`;
    else summary.textContent = 'Fix the product ID or installation ID to see the policy group ID.';
    $('policy-summary').dataset.policyId = r.managed.ok ? r.managed.value.policyId : '';
    if (!r.policy.ok) {
      $('policy-json').textContent = '';
      tbody.append(el('tr', {}, el('td', { colspan: 3 }, messageList([r.policy.error]))));
      api.json.policy = null;
      return;
    }
    api.json.policy = r.policy.value;
    $('policy-json').textContent = pretty(r.policy.value);
    const walk = (value, path) => {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
        return;
      }
      const label = S.policyLabels[path];
      tbody.append(el('tr', { 'data-path': path },
        el('th', { scope: 'row' }, el('code', { text: path.replace(/^Policy\./, '') })),
        el('td', {}, el('code', { text: JSON.stringify(value) })),
        el('td', { text: label ? label(value) : 'A setting of the policy group (no explanation yet).' })));
    };
    walk(r.policy.value, '');
  }

  function diffRows(a, b, path, out) {
    const isObj = (x) => x && typeof x === 'object' && !Array.isArray(x);
    if (isObj(a) && isObj(b)) {
      const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))];
      for (const k of keys) diffRows(a[k], b[k], `${path}/${k}`, out);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push({ path, before: a, after: b });
    }
    return out;
  }

  // Byte counts are hard to read: add the size in GB or TB next to them.
  function bytesHint(memberPath, value) {
    if (!/Bytes$/.test(memberPath) || typeof value !== 'number' || value <= 0) return null;
    return el('span', { class: 'hint', text: ` (${formatBytes(value)})` });
  }

  function renderDiffs(r) {
    const box = $('diffs');
    box.replaceChildren();
    for (const p of r.profiles) {
      const key = `profile-${p.sample.key}`;
      const section = el('div', { class: 'diff', 'data-profile': p.sample.key });
      const head = el('div', { class: 'card-head' }, el('h3', { text: p.sample.title }));
      section.append(head);
      if (!p.apply) {
        section.append(el('p', { class: 'note', text: 'Fix the highlighted settings to see the changes.' }));
        api.json[key] = null;
      } else if (!p.apply.ok) {
        section.append(messageList([p.apply.error]));
        api.json[key] = null;
      } else {
        const after = p.apply.value.profile;
        const rows = diffRows(p.before, after, '', []);
        api.json[key] = { changed: p.apply.value.changed, before: p.before, after };
        head.append(el('button', { type: 'button', class: 'copy', 'data-copy': key, text: 'Copy JSON' }));
        section.dataset.changed = String(p.apply.value.changed);
        if (!rows.length) {
          section.append(el('p', { class: 'note', text: 'No change: the module would not write this profile.' }));
        } else {
          const table = el('table', { class: 'changes' },
            el('caption', { class: 'sr', text: `Changes to ${p.sample.title.toLowerCase()}` }),
            el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Member' }), el('th', { scope: 'col', text: 'Before' }), el('th', { scope: 'col', text: 'After' }))));
          const tb = el('tbody');
          for (const row of rows) {
            tb.append(el('tr', { 'data-path': row.path },
              el('th', { scope: 'row' }, el('code', { text: row.path })),
              el('td', { class: 'before' }, el('code', { text: show(row.before) }), bytesHint(row.path, row.before)),
              el('td', { class: 'after' }, el('code', { text: show(row.after) }), bytesHint(row.path, row.after))));
          }
          table.append(tb);
          section.append(table);
        }
        section.append(el('details', {}, el('summary', { text: 'Before and after JSON' }),
          el('div', { class: 'pair-json' },
            el('pre', { class: 'before', tabindex: 0, text: pretty(p.before) }),
            el('pre', { class: 'after', tabindex: 0, text: pretty(after) }))));
      }
      box.append(section);
    }
  }

  function bar(label, used, limit, unit) {
    const unlimited = limit === null;
    const text = unlimited ? `${unit(used)} used, no limit` : `${unit(used)} of ${unit(limit)}`;
    const share = unlimited || limit === 0 ? 0 : Math.min(1, used / limit);
    const fill = el('span', { class: 'fill' });
    fill.style.width = `${(share * 100).toFixed(1)}%`;
    const meter = el('div', { class: `bar${unlimited ? ' unlimited' : ''}${!unlimited && used > limit ? ' over' : ''}`, role: 'img', 'aria-label': `${label}: ${text}` }, fill);
    return el('div', { class: 'bar-row', 'data-bar': label }, el('span', { class: 'bar-label', text: label }), meter, el('span', { class: 'bar-value', text }));
  }

  function renderBars(r) {
    const box = $('bars');
    box.replaceChildren();
    api.json.quotas = r.quotas.ok ? r.quotas.value : null;
    const twoVaults = r.profiles.find((p) => p.sample.key === 'twoVaults');
    if (!r.quotas.ok || !twoVaults.apply || !twoVaults.apply.ok) {
      box.append(el('p', { class: 'note', text: 'Fix the highlighted settings to see the quotas.' }));
      return;
    }
    const after = twoVaults.apply.value.profile;
    const count = (n) => String(n);
    box.append(bar('Devices (count)', Object.keys(after.Devices || {}).length, after.MaximumDevices > 0 ? after.MaximumDevices : null, count));
    box.append(bar('Protected items', S.sampleProtectedBytes,
      after.AllProtectedItemsQuotaEnabled ? after.AllProtectedItemsQuotaBytes : null, formatBytes));
    for (const vault of Object.values(after.Destinations || {})) {
      const used = ((vault.Statistics || {}).ClientProvidedSize || {}).Size || 0;
      box.append(bar(`Vault: ${vault.Description}`, used, vault.StorageLimitEnabled ? vault.StorageLimitBytes : null, formatBytes));
    }
    if (r.usage && r.usage.ok && r.usage.value.rows.length) {
      const row = r.usage.value.rows[0];
      box.append(el('p', { class: 'note', 'data-usage': '' , text: `WHMCS would record ${row.diskUsageMB} MB used of ${row.diskLimitMB ? `${row.diskLimitMB} MB` : 'unlimited'} (${row.vaults} vault${row.vaults === 1 ? '' : 's'} counted).` }));
    }
    box.append(el('div', { class: 'card-head' }, el('span', { class: 'hint', text: 'The quotas the core computed from the configurable options' }),
      el('button', { type: 'button', class: 'copy', 'data-copy': 'quotas', text: 'Copy JSON' })));
  }

  function renderPlans(r) {
    const box = $('plans');
    box.replaceChildren();
    api.lastRuns = {};
    if (!r.plans) {
      box.append(el('p', { class: 'note', text: 'Fix the highlighted settings to see the plan.' }));
      api.json.plans = null;
      return;
    }
    const copy = {};
    for (const { server, run } of r.plans) {
      api.lastRuns[server.mode] = run;
      const shown = run.requests.map(maskedParams);
      copy[server.mode] = { server: server.version, requests: shown.map(({ endpoint, params }) => ({ endpoint, params })), done: run.done, error: run.error };
      box.append(renderPlan(server, shown, run));
    }
    api.json.plans = copy;
  }

  function renderPlan(server, shown, run) {
    const col = el('div', { class: 'plan', 'data-server': server.mode });
    col.append(el('h3', {}, el('span', { text: server.title }), el('span', { class: 'count', text: `${shown.length} request${shown.length === 1 ? '' : 's'}` })));
    if (shown.length) {
      const ol = el('ol', { class: 'requests' });
      for (const req of shown) {
        const dl = el('dl', { class: 'params' });
        for (const [k, v] of Object.entries(req.params)) {
          const masked = req.masked.includes(k);
          dl.append(el('dt', { text: k }), el('dd', { class: masked ? 'masked' : null, 'data-param': k, text: masked ? `${v} (secret, masked)` : v }));
        }
        ol.append(el('li', { 'data-endpoint': req.endpoint }, el('code', { class: 'endpoint', text: req.endpoint }), dl));
      }
      col.append(ol);
    }
    const result = el('div', { class: 'result' });
    if (run.error) {
      result.append(el('strong', { text: 'The core refused the plan: ' }), messageList([run.error]));
    } else if (run.done && run.done.result === 'success') {
      result.classList.add('success');
      result.append(el('strong', { text: 'Result: success.' }), el('span', { text: ` Effects stored by WHMCS: ${run.done.effects.map((e) => e.type).join(', ') || 'none'}.` }));
    } else if (run.done) {
      result.classList.add('failure');
      result.append(el('strong', { text: shown.length ? 'Result: ' : 'No Comet request would be made: ' }),
        el('span', { class: 'err', 'data-code': run.done.code || '', text: run.done.result }));
      if (run.done.code) result.append(el('span', { class: 'hint', text: ` (${run.done.code})` }));
      if (run.done.detail) result.append(el('pre', { class: 'detail', text: pretty(run.done.detail) }));
    } else {
      result.append(el('strong', { text: 'The canned server ran out of replies.' }));
    }
    col.append(result);
    return col;
  }

  function update() {
    const r = evaluate(readForm());
    syncVisibility(r.form);
    renderFieldMessages(r);
    renderUsernames(r);
    renderBars(r);
    renderPolicy(r);
    renderDiffs(r);
    renderPlans(r);
    return r;
  }

  function syncVisibility(form) {
    $('existing-policy-field').hidden = form.policyMode !== 'existing';
  }

  // ---- copy buttons ------------------------------------------------------------------------

  async function copyText(text) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // Fallback for pages without clipboard permission (plain http on a non-local host).
      const area = el('textarea', { class: 'sr', 'aria-hidden': 'true' });
      area.value = text;
      document.body.append(area);
      area.select();
      let ok = false;
      try {
        ok = document.execCommand('copy');
      } catch {
        ok = false;
      }
      area.remove();
      return ok;
    }
  }

  document.addEventListener('click', async (ev) => {
    const button = ev.target.closest('button.copy');
    if (!button) return;
    const value = api.json[button.dataset.copy];
    if (value === undefined || value === null) return;
    const text = pretty(value);
    api.lastCopied = text;
    const ok = await copyText(text);
    const original = button.dataset.label || button.textContent;
    button.dataset.label = original;
    button.textContent = ok ? 'Copied' : 'Copy failed';
    $('copied').textContent = ok ? 'JSON copied to the clipboard' : 'Could not copy to the clipboard';
    setTimeout(() => { button.textContent = original; }, 1500);
  });

  // ---- start -------------------------------------------------------------------------------

  function fillSelects() {
    const existing = $('existingPolicy');
    for (const [id, p] of Object.entries(S.policies)) existing.append(el('option', { value: id, text: `${p.Description} (${id})` }));
    const provider = $('provider');
    provider.append(el('option', { value: '', text: 'None: no initial storage vault' }));
    for (const p of S.providers) provider.append(el('option', { value: p.id, text: p.name }));
    provider.value = S.providers[0].id;
  }

  async function start() {
    const t0 = performance.now();
    fillSelects();
    const form = $('settings');
    form.addEventListener('submit', (ev) => ev.preventDefault());
    try {
      core = await loadCore();
      api.coreMs = performance.now() - t0;
      api.marks.core = performance.now();
      const version = invoke('version');
      if (version.ok && Array.isArray(version.value.secretParams)) secretParams = version.value.secretParams;
      form.addEventListener('input', update);
      form.addEventListener('change', update);
      update();
      api.readyMs = performance.now();
      api.ready = true;
      document.body.dataset.ready = 'true';
      $('status').textContent = `Ready: the module's core ${version.ok ? version.value.version : ''} is loaded. Change any setting to see the results update.`;
    } catch (err) {
      api.error = String(err && err.message ? err.message : err);
      document.body.dataset.ready = 'error';
      $('status').textContent = `The preview could not start: ${api.error}`;
      $('status').classList.add('failure');
    }
  }

  api.update = update;
  // For the tests: run the plan shown for one server against a recorded conversation's replies.
  api.replay = (mode, context, replies) => {
    const server = S.servers.find((s) => s.mode === mode);
    const run = runPlan('CreateAccount', context, (_req, i) => (i < replies.length ? replies[i] : undefined));
    const col = renderPlan(server, run.requests.map(maskedParams), run);
    col.dataset.replay = 'true';
    const old = $('plans').querySelector(`[data-server="${mode}"]`);
    if (old) old.replaceWith(col);
    else $('plans').append(col);
    api.lastRuns[mode] = run;
    return run.requests.length;
  };

  start();
})();
