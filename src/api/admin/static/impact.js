// "What would have matched": the rule being edited against every study of the last N days,
// listing the studies the live rules and the proposed rules would route differently.
import { post } from './api.js';
import { field, fill, h, shortUid } from './dom.js';
import { announce, liveRulesWithDraft, state, writeButton } from './state.js';

export function impactPanel() {
  const days = h('input', { type: 'number', id: 'impact-days', value: '7', min: '1', max: '365', step: '1' });
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'impact-status' });
  const result = h('div', { id: 'impact-result' });
  const run = writeButton('Compare over recent studies', () => compare(Number(days.value), status, result), { id: 'impact-run' });
  if (!state.draftRule) {
    run.disabled = true;
    run.title = 'Open a rule in the editor first';
  }
  return h('div', { class: 'card' },
    h('h3', {}, 'What would change with the rule being edited'),
    h('div', { class: 'toolbar' }, field('Days back', days).wrap, run),
    status, result);
}

async function compare(sinceDays, status, result) {
  if (!state.draftRule) return announce(status, 'Open a rule in the editor first.', 'error');
  announce(status, 'Comparing…');
  try {
    const answer = await post('/api/rules/test', { sinceDays, rules: await liveRulesWithDraft() });
    announce(status, `Checked ${answer.studies} ${answer.studies === 1 ? 'study' : 'studies'} from the last ${sinceDays} day(s): ${answer.differences.length} would be routed differently.`, 'ok');
    fill(result, answer.differences.length === 0 ? [] : h('table', {},
      h('thead', {}, h('tr', {}, ['Study', 'Live rules match', 'Proposed rules match', 'Live actions', 'Proposed actions'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, answer.differences.map((d) => h('tr', {},
        h('td', { class: 'mono', title: d.studyInstanceUid }, shortUid(d.studyInstanceUid)),
        h('td', {}, d.live.join(', ') || '—'), h('td', {}, d.proposed.join(', ') || '—'),
        h('td', {}, d.liveActions.join(', ') || '—'), h('td', {}, d.proposedActions.join(', ') || '—'))))));
  } catch (err) {
    announce(status, `Could not compare: ${err.message}`, 'error');
  }
}
