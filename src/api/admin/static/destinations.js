// Destinations view: list, add/edit/delete (DIMSE or DICOMweb) and a Verify button per destination.
import { ApiError, del, enc, get, post, put } from './api.js';
import { confirmInline, field, fill, h } from './dom.js';
import { announce, state, writeButton } from './state.js';

export async function showDestinations(section, options = {}) {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'destinations-status' });
  const list = h('div', { id: 'destination-list' });
  const editor = h('div', { id: 'destination-editor' });
  const ctx = { section, status, editor };
  fill(section,
    h('div', { class: 'view-head' },
      h('h2', { id: 'destinations-title' }, 'Destinations'),
      h('div', { class: 'toolbar' },
        writeButton('New destination', () => openForm(null, ctx), { class: 'primary' }),
        h('button', { type: 'button', onclick: () => showDestinations(section) }, 'Refresh'))),
    status, list, editor);
  if (options.message) announce(status, options.message, 'ok');
  try {
    const destinations = await get('/api/destinations');
    fill(list, destinations.length === 0 ? h('p', { class: 'empty' }, 'No destinations yet; results can still go back to the sender (reply-to-sender).') : h('table', {},
      h('caption', { class: 'sr-only' }, 'Destinations'),
      h('thead', {}, h('tr', {}, ['Name', 'Type', 'Address', 'Verify result', ''].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, destinations.map((d) => destinationRow(d, ctx)))));
  } catch (err) {
    announce(status, `Could not load destinations: ${err.message}`, 'error');
  }
}

function destinationRow(d, ctx) {
  const result = h('span', { role: 'status', 'aria-live': 'polite', class: 'verify-result' });
  const address = d.type === 'dimse' ? `${d.aeTitle}@${d.host}:${d.port}${d.tls ? (d.tlsCertFile ? ' (mutual TLS)' : ' (TLS)') : ''}` : d.url;
  return h('tr', { dataset: { destinationId: d.id } },
    h('td', {}, h('strong', {}, d.name), h('div', { class: 'subtle mono' }, d.id)),
    h('td', {}, d.type === 'dimse' ? 'DIMSE (C-STORE)' : 'DICOMweb (STOW-RS)',
      d.external ? h('div', { class: 'subtle' }, 'external: de-identified only') : false),
    h('td', { class: 'mono' }, address),
    h('td', {}, result),
    h('td', { class: 'row-actions' },
      h('button', { type: 'button', onclick: () => verify(d, result), 'aria-label': `Verify ${d.name}` }, 'Verify'),
      writeButton('Edit', () => openForm(d, ctx), { 'aria-label': `Edit ${d.name}` }),
      writeButton('Delete', (e) => confirmInline(e.currentTarget.parentElement, `Delete the destination “${d.name}”?`, 'Yes, delete', () => remove(d, ctx)), { class: 'danger', 'aria-label': `Delete ${d.name}` })));
}

async function verify(d, result) {
  result.textContent = 'Checking…';
  result.className = 'verify-result';
  try {
    const r = await post(`/api/destinations/${enc(d.id)}/verify`);
    result.textContent = `${r.ok ? '✓ ok' : '✗ failed'} in ${r.ms} ms — ${r.detail}`;
    result.className = `verify-result ${r.ok ? 'ok' : 'bad'}`;
  } catch (err) {
    result.textContent = `✗ could not verify: ${err.message}`;
    result.className = 'verify-result bad';
  }
}

async function remove(d, ctx) {
  try {
    await del(`/api/destinations/${enc(d.id)}`);
    await showDestinations(ctx.section, { message: `Deleted destination “${d.name}”.` });
  } catch (err) {
    const why = err instanceof ApiError && err.code === 'DESTINATION_IN_USE' ? 'a rule still sends to it; change that rule first' : err.message;
    announce(ctx.status, `Not deleted: ${why}`, 'error');
  }
}

/** One form for both types: the fields of the other type are hidden and not sent. */
function openForm(d, ctx) {
  const isNew = d === null;
  const v = d ?? { id: '', name: '', type: 'dimse', aeTitle: '', host: '', port: 104, tls: false, url: '', auth: { type: 'none' } };
  const auth = v.auth ?? { type: 'none' };
  const i = {
    id: h('input', { type: 'text', value: v.id, readOnly: !isNew }),
    name: h('input', { type: 'text', value: v.name }),
    type: h('select', {}, h('option', { value: 'dimse', selected: v.type === 'dimse' }, 'DIMSE (C-STORE)'), h('option', { value: 'dicomweb', selected: v.type === 'dicomweb' }, 'DICOMweb (STOW-RS)')),
    aeTitle: h('input', { type: 'text', value: v.aeTitle ?? '', maxlength: '16' }),
    host: h('input', { type: 'text', value: v.host ?? '' }),
    port: h('input', { type: 'number', value: String(v.port ?? 104), min: '1', max: '65535' }),
    tls: h('input', { type: 'checkbox', checked: Boolean(v.tls) }),
    tlsCaFile: h('input', { type: 'text', value: v.tlsCaFile ?? '', placeholder: '/etc/dicom-ai-node/pacs-ca.pem', spellcheck: 'false' }),
    tlsCertFile: h('input', { type: 'text', value: v.tlsCertFile ?? '', placeholder: '/etc/dicom-ai-node/node.crt', spellcheck: 'false' }),
    tlsKeyFile: h('input', { type: 'text', value: v.tlsKeyFile ?? '', placeholder: '/etc/dicom-ai-node/node.key', spellcheck: 'false' }),
    url: h('input', { type: 'url', value: v.url ?? '', placeholder: 'https://pacs.example/dicom-web' }),
    external: h('input', { type: 'checkbox', checked: v.external === true }),
    authType: h('select', {}, ['none', 'bearer', 'basic'].map((t) => h('option', { value: t, selected: auth.type === t }, t))),
    token: h('input', { type: 'password', value: auth.token ?? '', autocomplete: 'off' }),
    username: h('input', { type: 'text', value: auth.username ?? '' }),
    password: h('input', { type: 'password', value: auth.password ?? '', autocomplete: 'off' }),
  };
  const problems = h('ul', { class: 'field-errors', role: 'status', 'aria-live': 'polite' });
  // PEM paths on the node's disk: the admin page never uploads keys, the node reads them at each connection.
  const tlsFiles = h('div', { class: 'tls-files' },
    field('CA certificate file', i.tlsCaFile, 'PEM of the CA that signed the PACS certificate; empty: the public CAs Node ships.').wrap,
    field('Client certificate file', i.tlsCertFile, 'For PACS that require mutual TLS; with its key.').wrap,
    field('Client key file', i.tlsKeyFile, 'PEM private key of the client certificate, readable by the node.').wrap);
  const dimse = h('fieldset', {}, h('legend', {}, 'DIMSE'), field('AE title', i.aeTitle).wrap, field('Host', i.host).wrap, field('Port', i.port).wrap, field('Use TLS', i.tls).wrap, tlsFiles);
  const bearer = field('Bearer token', i.token, '“***” keeps the stored secret.').wrap;
  const basic = h('div', {}, field('Username', i.username).wrap, field('Password', i.password, '“***” keeps the stored secret.').wrap);
  const web = h('fieldset', {}, h('legend', {}, 'DICOMweb'), field('Base URL', i.url).wrap, field('Authentication', i.authType).wrap, bearer, basic);
  const sync = () => {
    dimse.hidden = i.type.value !== 'dimse';
    web.hidden = i.type.value !== 'dicomweb';
    tlsFiles.hidden = !i.tls.checked;
    bearer.hidden = i.authType.value !== 'bearer';
    basic.hidden = i.authType.value !== 'basic';
  };
  i.type.addEventListener('change', sync);
  i.authType.addEventListener('change', sync);
  i.tls.addEventListener('change', sync);
  sync();
  const save = async () => {
    const body = toDestination(i);
    try {
      if (isNew) await post('/api/destinations', body); else await put(`/api/destinations/${enc(d.id)}`, body);
      await showDestinations(ctx.section, { message: `Saved destination “${body.name}”.` });
    } catch (err) {
      fill(problems, (err.problems?.length ? err.problems : [{ path: '', message: err.message }]).map((p) => h('li', {}, `${p.path || 'destination'}: ${p.message}`)));
    }
  };
  fill(ctx.editor, h('form', { class: 'card', onsubmit: (e) => e.preventDefault(), 'aria-label': isNew ? 'New destination' : `Edit ${d.name}` },
    h('h3', {}, isNew ? 'New destination' : `Edit “${d.name}”`),
    h('div', { class: 'grid-3' }, field('Id', i.id).wrap, field('Name', i.name).wrap, field('Type', i.type).wrap),
    h('div', { class: 'grid-2' }, dimse, web),
    field('External service', i.external, 'Outside the hospital (an external AI): only an external action sends to it, '
      + 'de-identified; TLS (or https) required.').wrap,
    problems,
    h('div', { class: 'toolbar' }, writeButton('Save destination', save, { class: 'primary' }), h('button', { type: 'button', onclick: () => fill(ctx.editor) }, 'Cancel'))));
  if (state.readOnly) for (const input of Object.values(i)) input.disabled = true;
  i[isNew ? 'id' : 'name'].focus();
}

function toDestination(i) {
  const base = { id: i.id.value.trim(), name: i.name.value.trim(), type: i.type.value };
  if (i.external.checked) base.external = true;
  if (base.type === 'dimse') return { ...base, aeTitle: i.aeTitle.value.trim(), host: i.host.value.trim(), port: Number(i.port.value), tls: i.tls.checked, ...tlsFilesOf(i) };
  const authType = i.authType.value;
  const auth = authType === 'bearer' ? { type: 'bearer', token: i.token.value }
    : authType === 'basic' ? { type: 'basic', username: i.username.value, password: i.password.value } : { type: 'none' };
  return { ...base, url: i.url.value.trim(), auth };
}

/** The TLS file fields that are filled in, and only with TLS on (the server refuses them otherwise). */
function tlsFilesOf(i) {
  if (!i.tls.checked) return {};
  const files = {};
  for (const key of ['tlsCaFile', 'tlsCertFile', 'tlsKeyFile']) if (i[key].value.trim()) files[key] = i[key].value.trim();
  return files;
}
