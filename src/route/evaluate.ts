// Evaluates a rule set against a completed study: which rules match, and which actions to carry out on which series.
import type { Action, ConditionTrace, Decision, PlannedAction, Rule, RuleOutcome, RuleSet, StudyFacts }
  from './types.js';
import { evaluateNode } from './conditions.js';
import { selectSegmentations, selectSeries } from './select.js';

/**
 * Pure and deterministic: rules in ascending priority (ties keep their order in the set); a rule without
 * `when` (or with an empty `all`) matches every study, the explicit catch-all; a matched rule with
 * `then: 'stop'` ends evaluation. `opts.now` replaces the study's completion time for TimeOfDay.
 * Condition trees are compiled once per object and cached: treat rule objects as immutable (edit by copying).
 */
export function evaluateRules(ruleSet: RuleSet, study: StudyFacts, opts: { now?: Date } = {}): Decision {
  const now = opts.now ?? study.completedAt;
  const ordered = ruleSet.rules.map((rule, i) => ({ rule, i }))
    .sort((a, b) => a.rule.priority - b.rule.priority || a.i - b.i);
  const outcomes: RuleOutcome[] = [];
  const planned: Decision['planned'] = [];
  let stoppedBy: Rule | null = null;
  for (const { rule } of ordered) {
    if (!rule.enabled) { outcomes.push(skipped(rule, 'rule disabled')); continue; }
    if (stoppedBy) {
      outcomes.push(skipped(rule, `not evaluated: rule '${stoppedBy.id}' matched earlier and has then=stop`)); continue;
    }
    const outcome = evaluateRule(rule, study, now);
    outcomes.push(outcome);
    if (!outcome.matched) continue;
    for (const action of outcome.actions) if (!action.note) planned.push({ ...action, ruleId: rule.id });
    if (rule.then === 'stop') stoppedBy = rule;
  }
  return { outcomes, planned };
}

function evaluateRule(rule: Rule, study: StudyFacts, now: Date): RuleOutcome {
  const trace: ConditionTrace[] = [];
  const matched = rule.when ? evaluateNode(rule.when, '/when', { study, now }, 'study', trace) : true;
  const actions = matched
    ? rule.actions.map((action, i) => planAction(action, study, now, `/actions/${i}`, trace)) : [];
  return { ruleId: rule.id, ruleName: rule.name, enabled: rule.enabled, matched, evaluated: true, trace, actions };
}

function planAction(action: Action, study: StudyFacts, now: Date, path: string,
  trace: ConditionTrace[]): PlannedAction {
  if (action.type !== 'runModel' && action.type !== 'measure' && action.type !== 'external') {
    return { action, seriesInstanceUids: study.series.map((s) => s.seriesInstanceUid) };
  }
  const selection = action.type === 'measure' ? selectSegmentations(action, study, now, `${path}/segmentation`, trace)
    : selectSeries(action.series, study, now, `${path}/series`, trace);
  return selection.note ? { action, seriesInstanceUids: [], note: selection.note }
    : { action, seriesInstanceUids: selection.seriesInstanceUids };
}

/** A rule that was not evaluated, with one trace line saying why (disabled, or stopped by an earlier rule). */
function skipped(rule: Rule, why: string): RuleOutcome {
  const trace: ConditionTrace = { condition: { attribute: 'enabled', op: 'equals', value: 'true' }, scope: 'rule',
    actual: rule.enabled, passed: rule.enabled, why };
  return { ruleId: rule.id, ruleName: rule.name, enabled: rule.enabled, matched: false, evaluated: false,
    trace: [trace], actions: [] };
}
