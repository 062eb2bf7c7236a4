// Evaluates a condition tree on one scope (the study or one series), leaving a trace for every condition.
import type { Condition, ConditionNode, ConditionTrace, FindingCondition } from './types.js';
import { lookupFact, type FactScope } from './facts.js';
import { compilePattern, testPattern } from './regex-guard.js';
import { findingVerdict } from './findings.js';

/**
 * Evaluates every condition of the tree, without short-circuiting: a dry run shows the value and the
 * verdict of each one, not only of those before the first failure. Traces are appended to `traces`;
 * `path` is where the tree sits in its rule (`/when`, `/actions/0/series/where`).
 */
export function evaluateNode(node: ConditionNode, path: string, scope: FactScope, scopeName: string,
  traces: ConditionTrace[]): boolean {
  return run(compile(node, path), scope, scopeName, traces);
}

/** The traces that decided a tree's result (for "which filter removed this series"), from traces already made. */
export function decisiveTraces(node: ConditionNode, path: string, traces: ConditionTrace[]): ConditionTrace[] {
  const byPath = new Map(traces.map((t) => [t.path, t]));
  const walk = (n: Compiled): { passed: boolean; decisive: ConditionTrace[] } => {
    if (n.kind === 'leaf' || n.kind === 'finding') {
      const t = byPath.get(n.path); return { passed: t?.passed ?? false, decisive: t ? [t] : [] };
    }
    if (n.kind === 'not') { const inner = walk(n.child); return { passed: !inner.passed, decisive: inner.decisive }; }
    const results = n.children.map(walk);
    const passed = n.kind === 'all' ? results.every((r) => r.passed) : results.some((r) => r.passed);
    return { passed, decisive: results.filter((r) => r.passed === passed).flatMap((r) => r.decisive) };
  };
  return walk(compile(node, path)).decisive;
}

// Rules are evaluated for every completed study, usually unchanged: each tree is compiled once (attribute
// resolved, expected values lower-cased, paths and phrases built) and kept while its rule object lives.
type Compiled =
  | { kind: 'all' | 'any'; children: Compiled[] }
  | { kind: 'not'; child: Compiled }
  | { kind: 'leaf'; condition: Condition; path: string; passes: (v: string | number) => boolean; phrase: string }
  | { kind: 'finding'; condition: FindingCondition; path: string };
const compiledTrees = new WeakMap<ConditionNode, { path: string; tree: Compiled }>();

function compile(node: ConditionNode, path: string): Compiled {
  const cached = compiledTrees.get(node);
  if (cached?.path === path) return cached.tree;
  const tree = compileNode(node, path);
  compiledTrees.set(node, { path, tree });
  return tree;
}

function compileNode(node: ConditionNode, path: string): Compiled {
  if ('all' in node) return { kind: 'all', children: node.all.map((c, i) => compileNode(c, `${path}/all/${i}`)) };
  if ('any' in node) return { kind: 'any', children: node.any.map((c, i) => compileNode(c, `${path}/any/${i}`)) };
  if ('not' in node) return { kind: 'not', child: compileNode(node.not, `${path}/not`) };
  if ('Finding' in node) return { kind: 'finding', condition: node, path };
  return { kind: 'leaf', condition: node, path, ...valueTest(node) };
}

function run(node: Compiled, scope: FactScope, scopeName: string, traces: ConditionTrace[]): boolean {
  switch (node.kind) {
    case 'all': { let passed = true;
      for (const c of node.children) passed = run(c, scope, scopeName, traces) && passed; return passed; }
    case 'any': { let passed = false;
      for (const c of node.children) passed = run(c, scope, scopeName, traces) || passed; return passed; }
    case 'not': return !run(node.child, scope, scopeName, traces);
    case 'finding': {
      const { passed, actual, why } = findingVerdict(node.condition.Finding, scope);
      traces.push({ condition: node.condition, scope: scopeName, actual, passed, why, path: node.path });
      return passed;
    }
    case 'leaf': {
      const { values, actual } = lookupFact(node.condition.attribute, scope);
      const { passed, why } = verdict(node, values, actual);
      traces.push({ condition: node.condition, scope: scopeName, actual, passed, why, path: node.path });
      return passed;
    }
  }
}

type Leaf = Extract<Compiled, { kind: 'leaf' }>;

function verdict(leaf: Leaf, values: Array<string | number>, actual: unknown): { passed: boolean; why: string } {
  const c = leaf.condition;
  const name = c.attribute;
  if (actual === null) {
    const passed = c.op === 'missing' || c.op === 'notEquals';
    return { passed, why: c.op === 'notEquals' ? `${name} is missing, so not ${leaf.phrase}` : `${name} is missing` };
  }
  if (c.op === 'exists' || c.op === 'missing') return { passed: c.op === 'exists',
    why: `${name} is present (${show(actual)})` };
  const hit = values.find(leaf.passes);
  const several = values.length > 1;
  if (c.op === 'notEquals') {
    return hit === undefined
      ? { passed: true, why: `${name} is ${show(actual)}, not ${leaf.phrase}` }
      : { passed: false, why: `${name} is ${show(actual)}${several ? `: ${show(hit)} is` : ','} ${leaf.phrase}` };
  }
  if (c.op === '<' || c.op === '<=' || c.op === '>' || c.op === '>=') {
    const numbers = values.map((v) => toNumber(v) ?? v);
    if (!numbers.some((v) => typeof v === 'number')) return { passed: false,
      why: `${name} ${show(actual)} is not a number` };
    const which = hit !== undefined && several ? `: ${show(toNumber(hit))}` : '';
    return { passed: hit !== undefined, why:
      `${name} ${show(several ? numbers : numbers[0])}${which} is ${hit === undefined ? 'not ' : ''}${leaf.phrase}` };
  }
  if (hit === undefined) return { passed: false,
    why: `${name} is ${show(actual)}, ${several ? 'none' : 'not'} ${leaf.phrase}` };
  return { passed: true, why: `${name} is ${show(actual)}${several ? `: ${show(hit)} is` : ','} ${leaf.phrase}` };
}

/** One value's test for the operators that pass when any value passes (notEquals: the equality it must not find). */
function valueTest(c: Condition): { passes: (v: string | number) => boolean; phrase: string } {
  const expected = c.value;
  const cs = c.caseSensitive === true;
  const needle = cs ? String(expected) : String(expected).toLowerCase();
  const text = cs ? (v: string | number) => String(v) : (v: string | number) => String(v).toLowerCase();
  const suffix = cs ? ' (case-sensitive)' : '';
  switch (c.op) {
    case 'equals': case 'notEquals':
      return { passes: equality(expected, cs), phrase: `equal to ${show(expected)}${suffix}` };
    case 'in': {
      const options = (Array.isArray(expected) ? expected : []).map((o) => equality(o, cs));
      return { passes: (v) => options.some((equals) => equals(v)), phrase: `in ${show(expected)}${suffix}` };
    }
    case 'contains':
      return { passes: (v) => text(v).includes(needle), phrase: `containing ${show(expected)}${suffix}` };
    case 'startsWith':
      return { passes: (v) => text(v).startsWith(needle), phrase: `starting with ${show(expected)}${suffix}` };
    case 'matches': {
      const phrase = `matching /${String(expected)}/${cs ? '' : 'i'}`;
      let re: RegExp;
      // Validation refuses such a pattern; a rule set that skipped it fails the condition rather than the node.
      try { re = compilePattern(String(expected), cs); }
      catch { return { passes: () => false, phrase: `${phrase} (an invalid pattern)` }; }
      return { passes: (v) => testPattern(re, String(v)), phrase };
    }
    case '<': case '<=': case '>': case '>=': {
      const compare = numericComparison(c.op, Number(expected));
      return { passes: (v) => { const n = toNumber(v); return n !== null && compare(n); },
        phrase: `${c.op} ${Number(expected)}` };
    }
    default: return { passes: () => true, phrase: '' };
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

/** Equality with one expected value: numerically when a number is expected, else as text. */
function equality(expected: unknown, caseSensitive: boolean): (v: string | number) => boolean {
  if (typeof expected === 'number') return (v) => toNumber(v) === expected;
  const want = caseSensitive ? String(expected) : String(expected).toLowerCase();
  return caseSensitive ? (v) => String(v) === want : (v) => String(v).toLowerCase() === want;
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
