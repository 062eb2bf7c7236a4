// Rule editor: a form whose problems (from POST /api/rules/validate while typing, or a 422 on save)
// appear next to the field their JSON path points into, plus a summary list.
import { ApiError, enc, get, post, put } from './api.js';
import { debounce, field, fill, h } from './dom.js';
import { announce, goTo, state, writeButton } from './state.js';

const EXAMPLE_WHEN = { all: [{ attribute: 'Modality', op: 'equals', value: 'CT' }] };
const EXAMPLE_ACTIONS = [{
  type: 'runModel', model: 'ct-body-lung',
  series: { where: { all: [{ attribute: 'Modality', op: 'equals', value: 'CT' }, { attribute: 'Orientation', op: 'equals', value: 'axial' }] }, pick: 'thinnest' },
  outputs: ['SEG', 'SR'], destinations: ['reply-to-sender'],
}];
const FIELDS = ['id', 'name', 'description', 'enabled', 'priority', 'then', 'when', 'actions'];
const pretty = (v) => JSON.stringify(v, null, 2);

/** Show the editor for `rule` (null: a new rule) in place of the list; `onClose(message)` returns to it. */
export function openEditor(section, rule, onClose) {
  const isNew = rule === null;
  const form = buildForm(rule ?? { id: '', name: '', enabled: true, priority: 100, then: 'stop', when: EXAMPLE_WHEN, actions: EXAMPLE_ACTIONS });
  const { inputs, errors, summary, status, save } = form;
  if (!isNew || state.readOnly) inputs.id.readOnly = true;
  // Read-only: text stays selectable (readOnly); controls without a read-only state are disabled.
  if (state.readOnly) for (const input of Object.values(inputs)) input[input.type === 'checkbox' || input.tagName === 'SELECT' ? 'disabled' : 'readOnly'] = true;
  form.tryIt.hidden = state.readOnly;
  let sequence = 0;
  let valid = false;

  const showProblems = (problems) => {
    for (const name of FIELDS) fill(errors[name]);
    for (const p of problems) {
      const name = fieldOf(p.path);
      if (name) errors[name].append(h('li', {}, `${p.path}: ${p.message}`));
    }
    fill(summary, problems.length === 0 ? [] : [
      h('p', {}, `${problems.length} problem${problems.length === 1 ? '' : 's'} to fix before saving:`),
      h('ul', {}, problems.map((p) => h('li', {}, `${p.path || '(rule)'}: ${p.message}`))),
    ]);
    for (const name of FIELDS) inputs[name].setAttribute('aria-invalid', String(errors[name].childElementCount > 0));
  };
  const setValid = (value) => {
    valid = value;
    save.disabled = state.readOnly || !valid;
  };

  const validate = async () => {
    const mine = ++sequence;
    const { rule: draft, problems } = collect(inputs);
    state.draftRule = problems.length === 0 ? draft : null;
    setValid(false);
    if (problems.length > 0) return showProblems(problems);
    announce(status, 'Checking…');
    try {
      const result = await post('/api/rules/validate', draft);
      if (mine !== sequence) return;
      showProblems(result.problems ?? []);
      setValid(result.valid === true);
      announce(status, result.valid ? 'No problems found.' : 'This rule has problems (listed next to their fields).', result.valid ? 'ok' : 'error');
    } catch (err) {
      if (mine === sequence) announce(status, `Could not validate: ${err.message}`, 'error');
    }
  };
  const validateSoon = debounce(validate, 350);
  form.element.addEventListener('input', validateSoon);
  form.element.addEventListener('change', validateSoon);

  save.addEventListener('click', async () => {
    const { rule: draft, problems } = collect(inputs);
    if (problems.length > 0 || !valid) return showProblems(problems);
    try {
      const result = isNew ? await post('/api/rules', draft) : await put(`/api/rules/${enc(rule.id)}`, draft);
      state.draftRule = null;
      onClose(`Saved “${draft.name}” (rules version ${result.version}).`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'RULE_EXISTS') showProblems([{ path: '/id', message: 'a rule with this id already exists' }]);
      else if (err instanceof ApiError && err.problems.length > 0) showProblems(err.problems);
      setValid(false);
      announce(status, `Not saved: ${err.message}`, 'error');
    }
  });
  form.cancel.textContent = state.readOnly ? 'Back to the list' : 'Cancel';
  form.cancel.addEventListener('click', () => { state.draftRule = null; onClose(''); });
  form.tryIt.addEventListener('click', async () => { await validate(); goTo('tester', { useDraft: true }); });

  fill(section, h('div', { class: 'view-head' }, h('h2', { id: 'rules-title' }, isNew ? 'New rule' : `${state.readOnly ? 'Rule' : 'Edit rule'} “${rule.name}”`)), form.element);
  addModelHints(form.help);
  inputs[isNew ? 'id' : 'name'].focus();
  if (!state.readOnly) validate();
}

function buildForm(rule) {
  const errors = Object.fromEntries(FIELDS.map((name) => [name, h('ul', { class: 'field-errors', id: `err-${name}` })]));
  const inputs = {
    id: h('input', { type: 'text', name: 'id', value: rule.id, required: true, pattern: '[A-Za-z0-9._-]+' }),
    name: h('input', { type: 'text', name: 'name', value: rule.name, required: true }),
    description: h('input', { type: 'text', name: 'description', value: rule.description ?? '' }),
    enabled: h('input', { type: 'checkbox', name: 'enabled', checked: rule.enabled }),
    priority: h('input', { type: 'number', name: 'priority', value: String(rule.priority), step: '1' }),
    then: h('select', { name: 'then' }, ['stop', 'continue'].map((v) => h('option', { value: v, selected: rule.then === v }, v))),
    when: h('textarea', { name: 'when', rows: 8, spellcheck: 'false', class: 'mono' }, rule.when === undefined ? '' : pretty(rule.when)),
    actions: h('textarea', { name: 'actions', rows: 12, spellcheck: 'false', class: 'mono' }, pretty(rule.actions ?? [])),
  };
  const row = (label, name, hint) => {
    const { wrap } = field(label, inputs[name], hint);
    wrap.append(errors[name]);
    inputs[name].setAttribute('aria-describedby', [inputs[name].getAttribute('aria-describedby'), errors[name].id].filter(Boolean).join(' '));
    wrap.dataset.field = name;
    return wrap;
  };
  const summary = h('div', { class: 'problem-summary', id: 'rule-problems', role: 'status', 'aria-live': 'polite' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const save = writeButton('Save rule', null, { class: 'primary', id: 'save-rule', disabled: true });
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const tryIt = h('button', { type: 'button' }, 'Try in tester');
  const help = h('div', { class: 'hint' });
  const element = h('form', { class: 'card editor', onsubmit: (e) => e.preventDefault(), novalidate: true },
    h('div', { class: 'grid-3' }, row('Id', 'id', 'Letters, digits, . _ -; fixed once saved.'), row('Name', 'name'), row('Priority', 'priority', 'Lower runs first.')),
    h('div', { class: 'grid-3' }, row('Description', 'description'), row('Enabled', 'enabled'), row('After a match', 'then', 'stop: later rules are skipped.')),
    h('div', { class: 'grid-2' },
      row('When (JSON condition)', 'when', 'e.g. {"all":[{"attribute":"Modality","op":"equals","value":"CT"}]}; empty matches every study.'),
      row('Actions (JSON list)', 'actions', 'runModel (model, series selector, outputs, destinations), measure '
        + '(segmentation selector, features, destinations), external (service: an external destination, series '
        + 'selector, destinations; optional profile, timeoutSeconds, review, qc, onQcFail), forward, or discard.')),
    help, summary,
    h('div', { class: 'toolbar' }, save, tryIt, cancel), status);
  return { element, inputs, errors, summary, status, save, cancel, tryIt, help };
}

/** Read the form into a Rule; JSON that does not parse becomes a problem at its field. */
function collect(inputs) {
  const problems = [];
  const parse = (name, fallback) => {
    const text = inputs[name].value.trim();
    if (text === '') return fallback;
    try { return JSON.parse(text); } catch (err) { problems.push({ path: `/${name}`, message: `not valid JSON (${err.message})` }); return fallback; }
  };
  const priorityText = inputs.priority.value.trim();
  const rule = {
    id: inputs.id.value.trim(),
    name: inputs.name.value.trim(),
    enabled: inputs.enabled.checked,
    priority: priorityText === '' ? undefined : Number(priorityText),
    then: inputs.then.value,
    when: parse('when', undefined),
    actions: parse('actions', []),
  };
  if (inputs.description.value.trim()) rule.description = inputs.description.value.trim();
  return { rule, problems };
}

/** `/when/all/0/value` → `when`; paths may also come prefixed with `/rules/N`. */
export function fieldOf(path) {
  const parts = String(path ?? '').replace(/^\/rules\/\d+/, '').split('/').filter(Boolean);
  return FIELDS.includes(parts[0]) ? parts[0] : null;
}

async function addModelHints(help) {
  try {
    const [models, destinations] = await Promise.all([get('/api/models'), get('/api/destinations').catch(() => [])]);
    const inside = destinations.filter((d) => !d.external).map((d) => d.id);
    const outside = destinations.filter((d) => d.external).map((d) => d.id);
    fill(help,
      'Models on this node: ', models.map((m) => `${m.id} (${m.state})`).join(', ') || 'none',
      '. Destinations: ', ['reply-to-sender', ...inside].join(', '),
      '. External services (an external action\'s service only): ', outside.join(', ') || 'none', '.');
  } catch { /* hints only */ }
}
