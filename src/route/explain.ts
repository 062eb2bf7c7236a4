// Words for the admin's dry run: one line per planned action, and what changes between the live and a proposed
// rule set.
import type { Decision, PlannedAction } from './types.js';

/** "runModel ct-body-lung on 1.2.3 → SEG,SR to reply-to-sender", "forward 3 series to pacs", "discard 3 series". */
export function describeAction(a: PlannedAction): string {
  const action = a.action;
  switch (action.type) {
    case 'runModel': {
      const on = a.seriesInstanceUids.length ? a.seriesInstanceUids.join(', ') : 'no series';
      const line =
        `runModel ${action.model} on ${on} → ${action.outputs.join(',')} to ${action.destinations.join(', ')}`;
      return a.note ? `${line} (${a.note})` : line;
    }
    case 'measure': {
      const on = a.seriesInstanceUids.length
        ? `SEG/RTSTRUCT series ${a.seriesInstanceUids.join(', ')}` : 'no SEG or RTSTRUCT';
      const line = `measure IBSI features of ${on} → SR to ${action.destinations.join(', ')}`;
      return a.note ? `${line} (${a.note})` : line;
    }
    case 'external': {
      const on = a.seriesInstanceUids.length ? a.seriesInstanceUids.join(', ') : 'no series';
      const line = `external: ${on} de-identified to ${action.service}, results re-identified to ${action.destinations.join(', ')}`;
      return a.note ? `${line} (${a.note})` : line;
    }
    case 'forward':
      return `forward ${seriesCount(a)} as received to ${action.destinations.join(', ')}`;
    case 'discard':
      return `discard ${seriesCount(a)}`;
  }
}

export interface DecisionDiff { live: string[]; proposed: string[]; liveActions: string[]; proposedActions: string[] }

/**
 * How a proposed rule set would treat a study differently from the live one: the rules that match under
 * each (`live`, `proposed`: rule ids) and the actions each would carry out. Null when both agree on both.
 */
export function diffDecisions(live: Decision, proposed: Decision): DecisionDiff | null {
  const diff: DecisionDiff = {
    live: matchedRuleIds(live),
    proposed: matchedRuleIds(proposed),
    liveActions: live.planned.map(describeAction),
    proposedActions: proposed.planned.map(describeAction),
  };
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  return same(diff.live, diff.proposed) && same(diff.liveActions, diff.proposedActions) ? null : diff;
}

function matchedRuleIds(d: Decision): string[] {
  return d.outcomes.filter((o) => o.matched).map((o) => o.ruleId);
}

function seriesCount(a: PlannedAction): string {
  return `${a.seriesInstanceUids.length} series`;
}
