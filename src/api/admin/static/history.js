// History view: rule set versions, a diff of any version against the current rules, and rollback.
import { enc, get, post } from './api.js';
import { fill, formatTime, h } from './dom.js';
import { collapseUnchanged, lineDiff } from './diff.js';
import { announce, writeButton } from './state.js';

const MARK = { same: '  ', added: '+ ', removed: '- ', gap: '' };

export async function showHistory(section, options = {}) {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'history-status' });
  const list = h('div', { id: 'versions' });
  const diff = h('div', { id: 'version-diff', class: 'diff-panel' });
  fill(section,
    h('div', { class: 'view-head' },
      h('h2', { id: 'history-title' }, 'Rule history'),
      h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: () => showHistory(section) }, 'Refresh'))),
    status, list, diff);
  if (options.message) announce(status, options.message, 'ok');
  let versions;
  let current;
  try {
    [versions, current] = await Promise.all([get('/api/rules/versions'), get('/api/rules')]);
  } catch (err) {
    return announce(status, `Could not load the history: ${err.message}`, 'error');
  }
  const ctx = { section, status, diff, current };
  fill(list, versions.length === 0 ? h('p', { class: 'empty' }, 'No versions yet.') : h('table', { class: 'versions' },
    h('caption', { class: 'sr-only' }, 'Rule set versions, newest first'),
    h('thead', {}, h('tr', {}, ['Version', 'When', 'Who', 'Summary', ''].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, versions.map((v) => versionRow(v, ctx)))));
  fill(diff, h('p', { class: 'subtle' }, 'Choose “Compare” on a version to see how it differs from the current rules.'));
}

function versionRow(v, ctx) {
  const isCurrent = v.version === ctx.current.version;
  return h('tr', { dataset: { version: String(v.version) } },
    h('td', {}, `v${v.version}`, isCurrent ? h('span', { class: 'badge ok' }, 'current') : null),
    h('td', {}, formatTime(v.createdAt)),
    h('td', {}, v.createdBy || '—'),
    h('td', {}, v.summary || '—'),
    h('td', { class: 'row-actions' },
      h('button', { type: 'button', onclick: () => showDiff(v.version, ctx), 'aria-label': `Compare version ${v.version} with current` }, 'Compare'),
      isCurrent ? null : writeButton('Roll back', () => confirmRollback(v.version, ctx), { 'aria-label': `Roll back to version ${v.version}` })));
}

async function showDiff(version, ctx) {
  let old;
  try {
    old = await get(`/api/rules/versions/${enc(version)}`);
  } catch (err) {
    return announce(ctx.status, `Could not load version ${version}: ${err.message}`, 'error');
  }
  const lines = lineDiff(JSON.stringify(old.rules, null, 2), JSON.stringify(ctx.current.rules, null, 2));
  const added = lines.filter((l) => l.kind === 'added').length;
  const removed = lines.filter((l) => l.kind === 'removed').length;
  fill(ctx.diff,
    h('h3', {}, `Version ${version} → current (v${ctx.current.version})`),
    h('p', { class: 'subtle' }, added + removed === 0
      ? 'No differences: the current rules equal this version.'
      : `“-” lines are only in version ${version}, “+” lines only in the current rules (${removed} removed, ${added} added).`),
    h('pre', { class: 'diff', tabindex: '0', 'aria-label': `Differences between version ${version} and the current rules` },
      collapseUnchanged(lines).map((l) => h('span', { class: `line ${l.kind}` }, MARK[l.kind] + l.text))),
    writeButton(`Roll back to version ${version}`, () => confirmRollback(version, ctx)));
}

/** Rollback needs a second, explicit click: it replaces every rule at once. */
function confirmRollback(version, ctx) {
  const box = h('div', { class: 'confirm card', role: 'alertdialog', 'aria-labelledby': 'rollback-q' },
    h('p', { id: 'rollback-q' }, `Roll back to version ${version}? This saves a new version whose rules equal version ${version}.`),
    h('button', { type: 'button', class: 'danger', onclick: () => rollback(version, ctx) }, 'Confirm rollback'),
    h('button', { type: 'button', onclick: () => box.remove() }, 'Cancel'));
  ctx.diff.querySelector('.confirm')?.remove();
  ctx.diff.prepend(box);
  box.querySelector('button').focus();
}

async function rollback(version, ctx) {
  try {
    const result = await post('/api/rules/rollback', { version });
    await showHistory(ctx.section, { message: `Rolled back to version ${version}; saved as version ${result.version}.` });
  } catch (err) {
    announce(ctx.status, `Rollback failed: ${err.message}`, 'error');
  }
}
