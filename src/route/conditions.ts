// Evaluates a condition tree on one scope (the study or one series), leaving a trace for every condition.
import type { Condition, ConditionNode, ConditionTrace } from './types.js';
import { lookupFact, type FactScope } from './facts.js';
import { testPattern } from './regex-guard.js';

/** Whether a node passed, and the condition traces that decided it (to say which filter removed a series). */
export interface NodeResult { passed: boolean; decisive: ConditionTrace[] }

/**
 * Evaluates every condition of the tree, without short-circuiting: a dry run shows the value and the
 * verdict of each one, not only of those before the first failure. Traces are appended to `traces`.
 */
export function evaluateNode(node: ConditionNode, path: string, scope: FactScope, scopeName: string, traces: ConditionTrace[]): NodeResult {
  if ('all' in node) {
    const results = node.all.map((child, i) => evaluateNode(child, `${path}/all/${i}`, scope, scopeName, traces));
    const passed = results.every((r) => r.passed);
    return { passed, decisive: results.filter((r) => r.passed === passed).flatMap((r) => r.decisive) };
  }
  if ('any' in node) {
    const results = node.any.map((child, i) => evaluateNode(child, `${path}/any/${i}`, scope, scopeName, traces));
    const passed = results.some((r) => r.passed);
    return { passed, decisive: results.filter((r) => r.passed === passed).flatMap((r) => r.decisive) };
  }
  if ('not' in node) {
    const inner = evaluateNode(node.not, `${path}/not`, scope, scopeName, traces);
    return { passed: !inner.passed, decisive: inner.decisive };
  }
  const trace = evaluateCondition(node, scope, scopeName, path);
  traces.push(trace);
  return { passed: trace.passed, decisive: [trace] };
}

export function evaluateCondition(condition: Condition, scope: FactScope, scopeName: string, path: string): ConditionTrace {
  const { values, actual } = lookupFact(condition.attribute, scope);
  const { passed, why } = verdict(condition, values, actual);
  return { condition, scope: scopeName, actual, passed, why, path };
}

function verdict(c: Condition, values: Array<string | number>, actual: unknown): { passed: boolean; why: string } {
  const name = c.attribute;
  if (actual === null) {
    const passed = c.op === 'missing' || c.op === 'notEquals';
    const why = c.op === 'notEquals' ? `${name} is missing, so not equal to ${show(c.value)}` : `${name} is missing`;
    return { passed, why };
  }
  if (c.op === 'exists' || c.op === 'missing') return { passed: c.op === 'exists', why: `${name} is present (${show(actual)})` };
  if (c.op === 'notEquals') {
    const equal = values.find((v) => valueEquals(v, c.value, c.caseSensitive));
    return equal === undefined
      ? { passed: true, why: `${name} is ${show(actual)}, not equal to ${show(c.value)}` }
      : { passed: false, why: `${name} is ${values.length > 1 ? `${show(actual)}: ${show(equal)} is ` : `${show(actual)}, `}equal to ${show(c.value)}` };
  }
  const test = valueTest(c);
  const hit = values.find(test.passes);
  if (['<', '<=', '>', '>='].includes(c.op)) {
    if (!values.some((v) => toNumber(v) !== null)) return { passed: false, why: `${name} ${show(actual)} is not a number` };
    const numbers = values.map((v) => toNumber(v) ?? v);
    const seen = show(numbers.length === 1 ? numbers[0] : numbers);
    const which = hit !== undefined && values.length > 1 ? `: ${show(toNumber(hit) ?? hit)}` : '';
    return { passed: hit !== undefined, why: `${name} ${seen}${which} is ${hit === undefined ? 'not ' : ''}${test.phrase}` };
  }
  if (hit === undefined) {
    return { passed: false, why: `${name} is ${show(actual)}, ${values.length > 1 ? 'none' : 'not'} ${test.phrase}` };
  }
  return { passed: true, why: `${name} is ${show(actual)}${values.length > 1 ? `: ${show(hit)} is` : ','} ${test.phrase}` };
}

/** One value's test for the operators that pass when any value passes, and how to say it. */
function valueTest(c: Condition): { passes: (v: string | number) => boolean; phrase: string } {
  const expected = c.value;
  const cs = c.caseSensitive === true;
  const text = (v: unknown) => (cs ? String(v) : String(v).toLowerCase());
  const needle = text(expected);
  const suffix = cs ? ' (case-sensitive)' : '';
  switch (c.op) {
    case 'equals': return { passes: (v) => valueEquals(v, expected, cs), phrase: `equal to ${show(expected)}${suffix}` };
    case 'in': {
      const options = Array.isArray(expected) ? expected : [];
      return { passes: (v) => options.some((o) => valueEquals(v, o, cs)), phrase: `in ${show(options)}${suffix}` };
    }
    case 'contains': return { passes: (v) => text(v).includes(needle), phrase: `containing ${show(expected)}${suffix}` };
    case 'startsWith': return { passes: (v) => text(v).startsWith(needle), phrase: `starting with ${show(expected)}${suffix}` };
    case 'matches': return { passes: (v) => testPattern(String(expected), cs, String(v)), phrase: `matching /${String(expected)}/${cs ? '' : 'i'}` };
    default: {
      const limit = Number(expected);
      const compare = numericComparison(c.op, limit);
      return { passes: (v) => { const n = toNumber(v); return n !== null && compare(n); }, phrase: `${c.op} ${limit}` };
    }
  }
}

function numericComparison(op: string, limit: number): (n: number) => boolean {
  switch (op) {
    case '<': return (n) => n < limit;
    case '<=': return (n) => n <= limit;
    case '>': return (n) => n > limit;
    default: return (n) => n >= limit;
  }
}

/** Equality of one value with the expected one: numerically when a number is expected, else as text. */
function valueEquals(v: string | number, expected: unknown, caseSensitive?: boolean): boolean {
  if (typeof expected === 'number') return toNumber(v) === expected;
  if (caseSensitive) return String(v) === String(expected);
  return String(v).toLowerCase() === String(expected).toLowerCase();
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Numbers as DICOM writes them (DS "1.25", IS "12"), or null. */
export function toNumber(v: string | number): number | null {
  if (typeof v === 'number') return v;
  return DECIMAL.test(v) ? Number(v) : null;
}

/** A value as a trace sentence shows it: 'MR', 5, ['ORIGINAL', 'PRIMARY']; long text is cut. */
export function show(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'number') return String(v);
  if (v === undefined || v === null) return 'nothing';
  const s = String(v);
  return `'${s.length > 120 ? `${s.slice(0, 117)}…` : s}'`;
}
