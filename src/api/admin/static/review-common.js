// Shared by the Review section and the dashboard: result state and QC badges, and how an API error reads.
import { h } from './dom.js';

/** The result states of the API, in the order a reviewer cares about them. */
export const RESULT_STATES = [
  'awaiting-review', 'awaiting-destination', 'accepted', 'delivered', 'rejected', 'withheld', 'retracted'];

export function stateBadge(state) {
  return h('span', { class: `badge result-${state}` }, state);
}

/** "QC failed" next to a state: the reason a result may need a closer look. */
export function qcBadge(qcState) {
  if (!qcState) return null;
  return h('span', { class: `badge qc-${qcState}`, title: 'quality checks' }, `QC ${qcState}`);
}

/** The server's problem code with its message ("RESULT_STATE: …"); a network failure has no code. */
export function problemText(err) {
  return err?.code ? `${err.code}: ${err.message}` : String(err?.message ?? err);
}
