// Renders a dry-run Decision: each rule's outcome, every condition with its actual value and why,
// and the planned actions with the series they apply to.
import { h, shortUid } from './dom.js';
import { describeAction } from './rules.js';

export function renderDecision(decision, { what, rulesLabel }) {
  const outcomes = decision.outcomes ?? [];
  return h('div', { class: 'decision' },
    h('h3', {}, `Result for ${what}`),
    h('p', { class: 'subtle' }, `Rules: ${rulesLabel}${decision.rulesVersion !== undefined ? ` (version ${decision.rulesVersion})` : ''}.`),
    plannedSummary(decision.planned ?? []),
    outcomes.length === 0 ? h('p', { class: 'empty' }, 'There are no rules, so nothing would run.') : outcomes.map(outcomeCard));
}

/** matched / not matched / disabled / not evaluated, in words (colour is only a second cue). */
export function outcomeLabel(o) {
  if (!o.enabled) return 'disabled';
  if (!o.evaluated) return 'not evaluated';
  return o.matched ? 'matched' : 'not matched';
}

function outcomeCard(o) {
  const label = outcomeLabel(o);
  return h('section', { class: `outcome card ${label.replace(' ', '-')}`, dataset: { ruleId: o.ruleId }, 'aria-label': `Rule ${o.ruleName}: ${label}` },
    h('h4', {}, `${o.ruleName} `, h('span', { class: 'subtle mono' }, o.ruleId), ' ', h('span', { class: `badge ${label.replace(' ', '-')}` }, label)),
    !o.evaluated && o.enabled ? h('p', { class: 'subtle' }, 'An earlier rule matched and said stop.') : null,
    o.trace?.length ? traceTable(o.trace) : h('p', { class: 'subtle' }, o.evaluated ? 'No conditions: matches every study.' : ''),
    o.actions?.length ? h('div', {}, h('p', {}, 'Planned actions:'), actionList(o.actions)) : null);
}

function traceTable(trace) {
  return h('table', { class: 'trace' },
    h('thead', {}, h('tr', {}, ['Condition', 'Scope', 'Actual value', 'Result', 'Why'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, trace.map((t) => h('tr', { class: t.passed ? 'passed' : 'failed', dataset: { scope: t.scope === 'study' ? 'study' : 'series' } },
      h('td', { class: 'mono' }, describeCondition(t.condition)),
      h('td', { title: t.scope }, t.scope === 'study' ? 'study' : `series ${shortUid(t.scope)}`),
      h('td', { class: 'mono actual' }, formatActual(t.actual)),
      h('td', {}, h('span', { class: `badge ${t.passed ? 'ok' : 'bad'}` }, t.passed ? '✓ passed' : '✗ failed')),
      h('td', { class: 'why' }, t.why)))));
}

function actionList(actions) {
  return h('ul', { class: 'plain actions' }, actions.map((p) => h('li', {},
    describeAction(p.action),
    p.seriesInstanceUids?.length ? h('div', { class: 'subtle' }, `series: ${p.seriesInstanceUids.map(shortUid).join(', ')}`) : null,
    p.note ? h('div', { class: 'note' }, p.note) : null)));
}

function plannedSummary(planned) {
  if (planned.length === 0) return h('p', { class: 'planned none' }, 'Nothing would run for this study.');
  return h('div', { class: 'planned' }, h('p', {}, `Would run ${planned.length} action(s):`),
    h('ul', { class: 'plain' }, planned.map((p) => h('li', {}, `${p.ruleId}: ${describeAction(p.action)}`))));
}

export function describeCondition(c) {
  if (!c) return '?';
  if (c.Finding) {
    const f = c.Finding;
    const score = f.minScore === undefined ? '' : ` score ≥ ${f.minScore}`;
    return `Finding of ${f.model}: ${f.code?.meaning ?? ''} (${f.code?.scheme} ${f.code?.value}) ${f.present === false ? 'absent' : 'present'}${score}`;
  }
  if (c.op === 'exists' || c.op === 'missing') return `${c.attribute} ${c.op}`;
  return `${c.attribute} ${c.op} ${JSON.stringify(c.value)}`;
}

function formatActual(v) {
  if (v === undefined || v === null) return '(absent)';
  return typeof v === 'string' ? `'${v}'` : JSON.stringify(v);
}
