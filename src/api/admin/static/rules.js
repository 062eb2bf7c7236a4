// Rules view: the ordered rule list with enable/disable, move up/down, edit, delete and "New rule".
import { del, enc, get, post } from './api.js';
import { confirmInline, fill, formatTime, h } from './dom.js';
import { announce, state, writeButton } from './state.js';
import { openEditor } from './rule-editor.js';

/** Entry point from the navigation; `options.message` is shown after a save from the editor. */
export async function showRules(section, options = {}) {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'rules-status' });
  const list = h('div', { id: 'rules-list' });
  fill(section,
    h('div', { class: 'view-head' },
      h('h2', { id: 'rules-title' }, 'Rules'),
      h('div', { class: 'toolbar' },
        writeButton('New rule', () => openEditor(section, null, (message) => showRules(section, { message })), { class: 'primary', id: 'new-rule' }),
        h('button', { type: 'button', onclick: () => showRules(section) }, 'Refresh'))),
    status, list);
  if (options.message) announce(status, options.message, 'ok');
  await renderList(section, list, status);
}

async function renderList(section, list, status) {
  let ruleSet;
  try {
    ruleSet = await get('/api/rules');
  } catch (err) {
    announce(status, `Could not load the rules: ${err.message}`, 'error');
    return;
  }
  // Shown in evaluation order: ascending priority, ties in list order (sort is stable).
  const rules = [...ruleSet.rules].sort((a, b) => a.priority - b.priority);
  const reload = () => renderList(section, list, status);
  const act = (what, fn) => async () => {
    try {
      await fn();
      announce(status, what, 'ok');
    } catch (err) {
      announce(status, `${what} failed: ${err.message}`, 'error');
    }
    await reload();
  };
  const move = (index, delta) => {
    const ids = rules.map((r) => r.id);
    [ids[index], ids[index + delta]] = [ids[index + delta], ids[index]];
    return act(`Moved “${rules[index].name}” ${delta < 0 ? 'up' : 'down'}.`, () => post('/api/rules/reorder', { ids }));
  };
  fill(list,
    h('p', { class: 'subtle' }, `Version ${ruleSet.version}, changed ${formatTime(ruleSet.updatedAt)} by ${ruleSet.updatedBy || '—'}. Rules run top to bottom.`),
    rules.length === 0
      ? h('p', { class: 'empty' }, 'No rules yet: studies are stored but nothing runs. Add one with “New rule”.')
      : h('table', { class: 'rules' },
        h('caption', { class: 'sr-only' }, 'Routing rules in evaluation order'),
        h('thead', {}, h('tr', {}, ['#', 'Name', 'Enabled', 'Priority', 'Then', 'Actions', ''].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, rules.map((rule, i) => ruleRow(rule, i, rules.length, { section, act, move })))));
}

function ruleRow(rule, index, count, { section, act, move }) {
  const toggleId = `enabled-${rule.id}`;
  const toggle = h('input', {
    type: 'checkbox', id: toggleId, checked: rule.enabled,
    onchange: act(`${rule.enabled ? 'Disabled' : 'Enabled'} “${rule.name}”.`, () => post(`/api/rules/${enc(rule.id)}/${rule.enabled ? 'disable' : 'enable'}`)),
  });
  if (state.readOnly) Object.assign(toggle, { disabled: true, title: 'Read-only token: changes are disabled' });
  return h('tr', { dataset: { ruleId: rule.id }, class: rule.enabled ? '' : 'disabled-rule' },
    h('td', {}, String(index + 1)),
    h('td', {}, h('strong', {}, rule.name), h('div', { class: 'subtle mono' }, rule.id), rule.description ? h('div', { class: 'subtle' }, rule.description) : null),
    h('td', {}, h('label', { for: toggleId, class: 'toggle' }, toggle, rule.enabled ? ' on' : ' off')),
    h('td', {}, String(rule.priority)),
    h('td', {}, rule.then),
    h('td', {}, summarizeActions(rule.actions)),
    h('td', { class: 'row-actions' },
      writeButton('Up', move(index, -1), { disabled: index === 0, 'aria-label': `Move ${rule.name} up` }),
      writeButton('Down', move(index, 1), { disabled: index === count - 1, 'aria-label': `Move ${rule.name} down` }),
      h('button', { type: 'button', onclick: () => openEditor(section, rule, (message) => showRules(section, { message })), 'aria-label': `Edit ${rule.name}` }, state.readOnly ? 'View' : 'Edit'),
      writeButton('Delete', confirmDelete(rule, act), { class: 'danger', 'aria-label': `Delete ${rule.name}` })));
}

function confirmDelete(rule, act) {
  return (event) => confirmInline(event.currentTarget.parentElement, `Delete the rule “${rule.name}”?`, 'Yes, delete',
    act(`Deleted “${rule.name}”.`, () => del(`/api/rules/${enc(rule.id)}`)));
}

/** One readable line per action: what runs, on which series, where results go. */
export function summarizeActions(actions = []) {
  if (!Array.isArray(actions) || actions.length === 0) return '—';
  return h('ul', { class: 'plain' }, actions.map((a) => h('li', {}, describeAction(a))));
}

export function describeAction(a) {
  const to = (d) => (d && d.length ? ` → ${d.join(', ')}` : '');
  if (a?.type === 'runModel') return `run ${a.model} on ${a.series?.pick ?? '?'} series (${(a.outputs ?? []).join('+')})${to(a.destinations)}`;
  if (a?.type === 'measure') return `measure IBSI features of ${a.segmentation?.pick ?? 'all'} SEG series (SR)${to(a.destinations)}`;
  if (a?.type === 'external') {
    const review = a.review === 'required' ? ', review required' : '';
    const pick = a.series?.pick ?? '?';
    return `send ${pick} series de-identified to ${a.service}, results re-identified${to(a.destinations)}${review}`;
  }
  if (a?.type === 'forward') return `forward${to(a.destinations)}`;
  if (a?.type === 'discard') return 'discard';
  return JSON.stringify(a);
}
