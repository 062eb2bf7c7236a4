// What a schema cannot check of an external action's options: its de-identification profile, as de-identification
// reads it, and its returned-segment checks, by the manifest's own rules for segment checks.
import { type DeidProfile, resolveProfile } from '../deid/profile.js';
import { segmentChecksProblems } from '../infer/segment-checks.js';
import type { RuleProblem } from './types.js';

type Obj = Record<string, unknown>;

export function externalOptionProblems(action: Obj, path: string, out: RuleProblem[]): void {
  if (isObject(action.profile)) profileProblems(action.profile, `${path}/profile`, out);
  if (isObject(action.qc) && Array.isArray(action.qc.segments)) qcProblems(action.qc.segments, `${path}/qc`, out);
  if (action.onQcFail !== undefined && action.qc === undefined) {
    out.push({ path: `${path}/onQcFail`, message: 'onQcFail needs qc: without checks a returned result cannot fail' });
  }
}

function profileProblems(profile: Obj, path: string, out: RuleProblem[]): void {
  try { resolveProfile(profile as Partial<DeidProfile>); } catch (err) {
    // resolveProfile names each bad option as "option: why": each gets its own path
    for (const p of (err as Error).message.replace(/^DEID_PROFILE_INVALID: /, '').split('; ')) {
      const at = p.indexOf(': ');
      out.push(at > 0 ? { path: `${path}/${p.slice(0, at)}`, message: p.slice(at + 2) } : { path, message: p });
    }
  }
}

/** Labels name segments in reasons and in `inside`, so they are unique; the checks follow the manifest's rules. */
function qcProblems(segments: unknown[], path: string, out: RuleProblem[]): void {
  const firstAt = new Map<string, number>();
  segments.forEach((s, i) => {
    if (!isObject(s) || typeof s.label !== 'string') return;
    const earlier = firstAt.get(s.label);
    if (earlier === undefined) firstAt.set(s.label, i);
    else {
      out.push({ path: `${path}/segments/${i}/label`,
        message: `duplicate label '${s.label}' (also ${path}/segments/${earlier})` });
    }
  });
  // an item the schema refused still holds its place, so that the others keep their paths
  const checked = segments.map((s) => (isObject(s) && typeof s.label === 'string'
    ? { label: s.label, checks: isObject(s.checks) ? s.checks : undefined } : { label: '' }));
  out.push(...segmentChecksProblems(checked, (i) => `${path}/segments/${i}/checks`, 'this qc'));
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
