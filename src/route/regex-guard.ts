// The guard around `matches`: node's RegExp has no timeout, so risky patterns are refused before they run.
//
// A regular expression runs on the event loop and cannot be interrupted. Three limits keep a rule from
// freezing the node: patterns are at most 200 characters; patterns whose quantified group itself contains
// a quantifier — `(a+)+`, `(.*)*`, `(\d{1,9})+` — are refused at validation, because that shape is what makes
// backtracking exponential; and at evaluation only the first 1024 characters of a value are tested.

export const MAX_PATTERN_LENGTH = 200;
export const MAX_TESTED_CHARACTERS = 1024;

/** Why a pattern may not be used in a rule, or null when it is acceptable. */
export function patternProblem(pattern: string, caseSensitive: boolean): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    return `pattern is ${pattern.length} characters; at most ${MAX_PATTERN_LENGTH} are allowed`;
  }
  try {
    compilePattern(pattern, caseSensitive);
  } catch (e) {
    return `pattern does not compile: ${(e as Error).message}`;
  }
  const nested = nestedQuantifier(pattern);
  if (nested) {
    return `pattern has a quantified group that contains a quantifier ('${nested}'), which can backtrack for minutes; ` +
      'rewrite it without the nesting (e.g. (a+)+ → a+)';
  }
  return null;
}

/** The pattern compiled the way evaluation uses it: case-insensitive unless asked. Throws on bad syntax. */
export function compilePattern(pattern: string, caseSensitive: boolean): RegExp {
  return new RegExp(pattern, caseSensitive ? '' : 'i');
}

/** Tests a value against an already validated, compiled pattern, looking only at its first 1024 characters. */
export function testPattern(re: RegExp, value: string): boolean {
  return re.test(value.length > MAX_TESTED_CHARACTERS ? value.slice(0, MAX_TESTED_CHARACTERS) : value);
}

interface OpenGroup { start: number; hasQuantifier: boolean }

/**
 * The first group that is quantified (*, +, {n,} or {n,m} with m > 1) and contains such a quantifier itself,
 * as text; null when there is none. Escapes and character classes are skipped: their `+` and `*` are literals.
 */
function nestedQuantifier(pattern: string): string | null {
  const open: OpenGroup[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i]!;
    if (ch === '\\') { i += 2; continue; }
    if (ch === '[') { i = endOfClass(pattern, i); continue; }
    if (ch === '(') { open.push({ start: i, hasQuantifier: false }); i++; continue; }
    if (ch === ')') {
      const group = open.pop();
      const quantifier = repeatingQuantifierAt(pattern, i + 1);
      if (group && quantifier > 0 && group.hasQuantifier) return pattern.slice(group.start, i + 1 + quantifier);
      if (group?.hasQuantifier || quantifier > 0) markEnclosing(open);
      i += 1 + Math.max(quantifier, 0);
      continue;
    }
    const quantifier = repeatingQuantifierAt(pattern, i);
    if (quantifier > 0) { markEnclosing(open); i += quantifier; continue; }
    i++;
  }
  return null;
}

function markEnclosing(open: OpenGroup[]): void {
  const inner = open[open.length - 1];
  if (inner) inner.hasQuantifier = true;
}

/** Length of a repeating quantifier starting at `at` (with its lazy `?`), or 0. `?` and {0,1} do not repeat. */
function repeatingQuantifierAt(pattern: string, at: number): number {
  const ch = pattern[at];
  let length = 0;
  if (ch === '*' || ch === '+') length = 1;
  else if (ch === '{') {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(at));
    if (m && m[2] !== undefined && (m[3] === '' || Number(m[3]) > 1)) length = m[0].length;
  }
  if (length > 0 && pattern[at + length] === '?') length++;
  return length;
}

function endOfClass(pattern: string, start: number): number {
  let i = start + 1;
  if (pattern[i] === '^') i++;
  if (pattern[i] === ']') i++;
  while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
  return i + 1;
}
