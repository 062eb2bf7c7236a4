// Rule checks a JSON schema cannot state: attribute names, values that fit the operator, regex guard, known ids.
import type { RuleProblem } from './types.js';
import { ORIENTATIONS, SOURCES, resolveAttribute } from './dictionary.js';
import { patternProblem } from './regex-guard.js';
import { resolveFeatureConfig } from '../features/config.js';
import { externalOptionProblems } from './external-options.js';

/** The model and destination ids a rule may name; `reply-to-sender` is always a destination. `external`: the
 *  destinations marked external (outside the hospital), which only an external action's `service` may name. */
export interface KnownIds { models: string[]; destinations: string[]; external?: string[] }

export const REPLY_TO_SENDER = 'reply-to-sender';

type Level = 'study' | 'series';
type Obj = Record<string, unknown>;

/**
 * Problems of one rule at `path`. Walks the candidate defensively: it runs on input the schema may have
 * rejected, so that an admin sees every problem at once, and skips what is not shaped enough to check.
 */
export function ruleProblems(rule: unknown, path: string, known: KnownIds): RuleProblem[] {
  const out: RuleProblem[] = [];
  if (!isObject(rule)) return out;
  if (rule.when !== undefined) nodeProblems(rule.when, `${path}/when`, 'study', known, out);
  if (Array.isArray(rule.actions)) rule.actions.forEach((a, i) =>
    actionProblems(a, `${path}/actions/${i}`, known, out));
  if (Array.isArray(rule.actions)) measureCountProblem(rule.actions, path, out);
  return out;
}

function actionProblems(action: unknown, path: string, known: KnownIds, out: RuleProblem[]): void {
  if (!isObject(action)) return;
  if (action.type === 'runModel') {
    if (typeof action.model === 'string' && !known.models.includes(action.model)) {
      out.push({ path: `${path}/model`, message: `unknown model '${action.model}'; known: ${list(known.models)}` });
    }
    if (Array.isArray(action.outputs) && action.outputs.length === 0) {
      out.push({ path: `${path}/outputs`, message: 'runModel needs at least one output: SEG, SR or both' });
    }
    if (isObject(action.series) && action.series.where !== undefined)
      nodeProblems(action.series.where, `${path}/series/where`, 'series', known, out);
  }
  if (action.type === 'measure') measureProblems(action, path, known, out);
  if (action.type === 'external') externalProblems(action, path, known, out);
  if (Array.isArray(action.destinations)) {
    action.destinations.forEach((d, i) => {
      if (typeof d === 'string' && d !== REPLY_TO_SENDER && !known.destinations.includes(d)) {
        out.push({ path: `${path}/destinations/${i}`,
          message: `unknown destination '${d}'; known: ${list([...known.destinations, REPLY_TO_SENDER])}` });
      } else if (typeof d === 'string' && known.external?.includes(d)) {
        // originals and re-identified results carry PHI: they never leave for a destination outside the hospital
        out.push({ path: `${path}/destinations/${i}`,
          message: `destination '${d}' is marked external: only an external action's service may receive data `
            + '(de-identified)' });
      }
    });
  }
}

/** The service must be a destination marked external (so TLS); its profile and qc: external-options.ts. */
function externalProblems(action: Obj, path: string, known: KnownIds, out: RuleProblem[]): void {
  if (typeof action.service === 'string' && !known.destinations.includes(action.service)) {
    out.push({ path: `${path}/service`,
      message: `unknown destination '${action.service}'; known: ${list(known.destinations)}` });
  } else if (typeof action.service === 'string' && !(known.external ?? []).includes(action.service)) {
    out.push({ path: `${path}/service`,
      message: `destination '${action.service}' is not marked external (TLS required): `
      + `mark it "external": true or name one of: ${list(known.external ?? [])}` });
  }
  if (isObject(action.series) && action.series.where !== undefined) {
    nodeProblems(action.series.where, `${path}/series/where`, 'series', known, out);
  }
  externalOptionProblems(action, path, out);
}

/** A measure job finds its feature configuration in its rule's version, so a rule holds one measure action. */
function measureCountProblem(actions: unknown[], path: string, out: RuleProblem[]): void {
  const at = actions.flatMap((a, i) => (isObject(a) && a.type === 'measure' ? [i] : []));
  for (const i of at.slice(1)) {
    out.push({ path: `${path}/actions/${i}`,
      message: `a rule has at most one measure action (also /actions/${at[0]})` });
  }
}

function measureProblems(action: Obj, path: string, known: KnownIds, out: RuleProblem[]): void {
  const s = action.segmentation;
  if (isObject(s) && s.where !== undefined) nodeProblems(s.where, `${path}/segmentation/where`, 'series', known, out);
  if (!isObject(action.features)) return;
  const resolved = resolveFeatureConfig(action.features);
  if (resolved.ok) return;
  for (const p of resolved.problems) out.push({ path: `${path}/features${p.path === '/' ? '' : p.path}`,
    message: p.message });
}

function nodeProblems(node: unknown, path: string, level: Level, known: KnownIds, out: RuleProblem[]): void {
  if (!isObject(node)) return;
  for (const key of ['all', 'any'] as const) {
    if (key in node) {
      if (Array.isArray(node[key])) (node[key] as unknown[]).forEach((child, i) =>
        nodeProblems(child, `${path}/${key}/${i}`, level, known, out));
      return;
    }
  }
  if ('not' in node) return nodeProblems(node.not, `${path}/not`, level, known, out);
  if ('Finding' in node) return findingProblems(node.Finding, `${path}/Finding`, known, out);
  conditionProblems(node, path, level, out);
}

/** A Finding names a model this node knows (else it could never be true); a score bound only means something for
 *  a present finding (an absent one scored below its operating point). */
function findingProblems(f: unknown, path: string, known: KnownIds, out: RuleProblem[]): void {
  if (!isObject(f)) return;
  if (typeof f.model === 'string' && !known.models.includes(f.model)) {
    out.push({ path: `${path}/model`, message: `unknown model '${f.model}'; known: ${list(known.models)}` });
  }
  if (f.present === false && f.minScore !== undefined) {
    out.push({ path: `${path}/minScore`,
      message: 'minScore tests a present finding; remove it or drop present: false' });
  }
}

function conditionProblems(c: Obj, path: string, level: Level, out: RuleProblem[]): void {
  if (typeof c.attribute === 'string') {
    const ref = resolveAttribute(c.attribute);
    if (ref.kind === 'invalid') out.push({ path: `${path}/attribute`, message: ref.reason });
    else if (level === 'study' && c.attribute === 'Orientation') {
      out.push({ path: `${path}/attribute`,
        message: "Orientation is a series fact: use it in a runModel action's series.where" });
    } else if (level === 'series' && c.attribute === 'NumberOfSeries') {
      out.push({ path: `${path}/attribute`, message: "NumberOfSeries is a study fact: use it in the rule's when" });
    }
  }
  if (typeof c.op !== 'string') return;
  const problem = valueProblem(c.op, c.value, c.caseSensitive === true) ?? factValueProblem(c);
  if (problem) out.push({ path: `${path}/value`, message: problem });
}

/** Whether the value fits the operator: `in` a list, comparisons a number, exists/missing nothing. */
function valueProblem(op: string, value: unknown, caseSensitive: boolean): string | null {
  switch (op) {
    case 'exists': case 'missing':
      return value === undefined ? null : `'${op}' takes no value; remove it`;
    case 'in':
      return Array.isArray(value) ? null : `'in' needs a list of values, e.g. ["CT", "MR"]`;
    case '<': case '<=': case '>': case '>=':
      return typeof value === 'number' ? null
        : `'${op}' needs a number, e.g. 1.5${typeof value === 'string' ? ` (write ${value}, not "${value}")` : ''}`;
    case 'matches':
      if (typeof value !== 'string') return `'matches' needs a regular expression as a string`;
      return patternProblem(value, caseSensitive);
    case 'equals': case 'notEquals': case 'contains': case 'startsWith':
      if (value === undefined) return `'${op}' needs a value`;
      return Array.isArray(value) ? `'${op}' compares with one value; use 'in' for a list` : null;
    default:
      return null;
  }
}

/** Values of the node's own facts have a fixed form: a wrong one would silently never match. */
function factValueProblem(c: Obj): string | null {
  const values = Array.isArray(c.value) ? c.value : c.value === undefined ? [] : [c.value];
  const comparing = ['equals', 'notEquals', 'in'].includes(c.op as string);
  if (c.attribute === 'TimeOfDay' && ['<', '<=', '>', '>='].includes(c.op as string)) {
    const t = c.value as number;
    return Number.isInteger(t) && t >= 0 && t <= 2400 && t % 100 < 60 ? null
      : `TimeOfDay is HHMM on a 24 h clock (0 to 2400, e.g. 1830), not ${String(t)}`;
  }
  for (const [fact, allowed] of [['Source', SOURCES], ['Orientation', ORIENTATIONS]] as const) {
    if (c.attribute !== fact || !comparing) continue;
    const wrong = values.find((v) => !(allowed as readonly string[]).includes(String(v).toLowerCase()));
    if (wrong !== undefined) return `${fact} is one of ${allowed.join(', ')}, never '${String(wrong)}'`;
  }
  return null;
}

function list(ids: string[]): string {
  return ids.length ? ids.join(', ') : '(none)';
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
