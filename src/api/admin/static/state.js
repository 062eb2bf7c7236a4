// Page-wide state shared by the views: the caller's role and the rule being edited (for the tester).
import { get } from './api.js';
import { h } from './dom.js';

export const state = {
  /** 'admin' | 'read-only' | 'reviewer', as GET /api/session reports it. */
  role: 'admin',
  /** True when the token may not change rules, destinations or jobs (read-only and reviewer tokens). */
  readOnly: false,
  /** The rule in the editor, as last parsed (or null), so the tester can try it before saving. */
  draftRule: null,
};

export const READ_ONLY_NOTE_ID = 'read-only-note';

/** A button that changes something: disabled, with the reason attached, under a read-only token. */
export function writeButton(text, onclick, attrs = {}) {
  const button = h('button', { type: 'button', onclick, ...attrs }, text);
  if (state.readOnly) {
    button.disabled = true;
    button.setAttribute('aria-describedby', READ_ONLY_NOTE_ID);
    button.title = `${state.role === 'reviewer' ? 'Reviewer' : 'Read-only'} token: changes are disabled`;
  }
  return button;
}

/** A review decision button: the admin and reviewer tokens may decide, the read-only token may not. */
export function reviewButton(text, onclick, attrs = {}) {
  const button = h('button', { type: 'button', onclick, ...attrs }, text);
  if (state.role === 'read-only') {
    button.disabled = true;
    button.setAttribute('aria-describedby', READ_ONLY_NOTE_ID);
    button.title = 'Read-only token: review decisions are disabled';
  }
  return button;
}

/** Show a message in a live region (role=status), replacing the previous one. */
export function announce(region, message, kind = 'info') {
  region.textContent = message;
  region.className = `status ${kind}`;
}

/** Switch sections from inside a view (app.js owns the navigation and listens for this). */
export function goTo(view, options) {
  document.dispatchEvent(new CustomEvent('admin:navigate', { detail: { view, options } }));
}

/** The live rule set with the editor's rule in place of the saved one (or added, if new). */
export async function liveRulesWithDraft() {
  const { rules } = await get('/api/rules');
  const draft = state.draftRule;
  const index = rules.findIndex((r) => r.id === draft.id);
  return index >= 0 ? rules.map((r, i) => (i === index ? draft : r)) : [...rules, draft];
}
