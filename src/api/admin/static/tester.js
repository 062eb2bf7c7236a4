// Tester view: dry-run the rules on a recent study or a dropped DICOM file and show the explanation.
import { get, post } from './api.js';
import { field, fill, h, shortUid, uid } from './dom.js';
import { renderDecision } from './explain.js';
import { impactPanel } from './impact.js';
import { announce, liveRulesWithDraft, state, writeButton } from './state.js';

export async function showTester(section, options = {}) {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'tester-status' });
  const result = h('div', { id: 'tester-result' });
  const studySelect = h('select', { id: 'tester-study' }, h('option', { value: '' }, 'Loading studies…'));
  const fileInput = h('input', { type: 'file', id: 'tester-file', accept: '.dcm,application/dicom' });
  const ruleSet = ruleSetChoice(options.useDraft === true);
  const ctx = { status, result, ruleSet };
  const drop = h('div', { class: 'dropzone', id: 'tester-drop', tabindex: '-1' }, 'Or drop a DICOM file here (tested against the live rules).');
  if (!state.readOnly) wireDrop(drop, (file) => testFile(file, ctx));
  fill(section,
    h('div', { class: 'view-head' }, h('h2', { id: 'tester-title' }, 'Rule tester (dry run)')),
    h('p', { class: 'subtle' }, 'Nothing is saved and no job is started: this shows what the rules would decide.'),
    state.readOnly ? h('p', { class: 'banner' }, 'The dry run needs the admin token: the API answers only reads to the read-only token.') : null,
    h('div', { class: 'card tester-inputs' },
      ruleSet.element,
      h('div', { class: 'grid-2' },
        h('div', {}, field('Recent study', studySelect).wrap,
          writeButton('Test this study', () => testStudy(studySelect.value, ctx), { class: 'primary', id: 'tester-run' })),
        h('div', {}, field('DICOM file', fileInput, 'A Part-10 file; always tested against the live rules.').wrap,
          writeButton('Test this file', () => (fileInput.files[0] ? testFile(fileInput.files[0], ctx) : announce(status, 'Choose a file first.', 'error'))),
          drop))),
    status, result, impactPanel());
  await loadStudies(studySelect, status);
}

function ruleSetChoice(preferDraft) {
  const name = uid('ruleset');
  const draft = state.draftRule;
  const live = h('input', { type: 'radio', name, value: 'live', id: `${name}-live`, checked: !(preferDraft && draft) });
  const edited = h('input', { type: 'radio', name, value: 'draft', id: `${name}-draft`, checked: Boolean(preferDraft && draft), disabled: !draft });
  const element = h('fieldset', { class: 'inline' },
    h('legend', {}, 'Rules to test'),
    h('label', { for: live.id }, live, ' Live rules'),
    h('label', { for: edited.id }, edited, draft ? ` Live rules with the rule being edited (“${draft.name || draft.id}”)` : ' The rule being edited (open a rule in the editor first)'));
  return { element, useDraft: () => edited.checked && Boolean(state.draftRule) };
}

async function loadStudies(select, status) {
  try {
    const studies = await get('/api/studies?limit=50');
    fill(select, studies.length === 0
      ? h('option', { value: '' }, 'No studies received yet')
      : studies.map((s) => h('option', { value: s.studyInstanceUid },
        `${s.studyDescription || 'Study'} · ${shortUid(s.studyInstanceUid)} · ${s.instances} inst · ${s.state}`)));
  } catch (err) {
    fill(select, h('option', { value: '' }, 'Could not load studies'));
    announce(status, `Could not load studies: ${err.message}`, 'error');
  }
}

async function testStudy(studyInstanceUid, ctx) {
  if (!studyInstanceUid) return announce(ctx.status, 'Choose a study first.', 'error');
  const body = { studyInstanceUid };
  if (ctx.ruleSet.useDraft()) body.rules = await liveRulesWithDraft();
  await run(ctx, `study ${shortUid(studyInstanceUid)}`, () => post('/api/rules/test', body), body.rules ? 'live rules + the rule being edited' : 'live rules');
}

async function testFile(file, ctx) {
  const bytes = await file.arrayBuffer();
  await run(ctx, `file ${file.name}`, () => post('/api/rules/test', bytes, { contentType: 'application/dicom' }), 'live rules');
}

async function run(ctx, what, call, rulesLabel) {
  announce(ctx.status, `Testing ${what}…`);
  fill(ctx.result);
  try {
    const decision = await call();
    fill(ctx.result, renderDecision(decision, { what, rulesLabel }));
    announce(ctx.status, `Tested ${what}: ${decision.planned?.length ?? 0} planned action(s).`, 'ok');
  } catch (err) {
    const problems = err.problems?.length ? ` (${err.problems.map((p) => `${p.path}: ${p.message}`).join('; ')})` : '';
    announce(ctx.status, `Test failed: ${err.message}${problems}`, 'error');
  }
}

function wireDrop(zone, onFile) {
  zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    const file = e.dataTransfer?.files?.[0];
    if (file) onFile(file);
  });
}
