// Admin page entry: login with a token, role detection, and the section navigation.
import { ApiError, authEvents, get, post, token } from './api.js';
import { $ } from './dom.js';
import { READ_ONLY_NOTE_ID, state } from './state.js';
import { showRules } from './rules.js';
import { showHistory } from './history.js';
import { showTester } from './tester.js';
import { showDestinations } from './destinations.js';
import { showDashboard } from './dashboard.js';
import { showReview } from './review.js';

const views = {
  rules: showRules,
  history: showHistory,
  tester: showTester,
  destinations: showDestinations,
  dashboard: showDashboard,
  review: showReview,
};

const ROLE_TEXT = { admin: 'Admin access', 'read-only': 'Read-only access', reviewer: 'Reviewer access' };
const NOTE_TEXT = {
  'read-only': 'Read-only token: you can look at everything, but changes are disabled. '
    + 'Log in with the admin token to change rules, destinations or jobs.',
  reviewer: 'Reviewer token: you can review results (accept, reject, release, retract); rules, destinations '
    + 'and jobs are read-only. Log in with the admin token to change them.',
};

function navigate(name, options) {
  for (const button of document.querySelectorAll('#nav button')) {
    if (button.dataset.view === name) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
  for (const key of Object.keys(views)) $(`#view-${key}`).hidden = key !== name;
  views[name]($(`#view-${name}`), options);
}

async function start() {
  $('#login-form').addEventListener('submit', onLogin);
  $('#logout').addEventListener('click', () => showLogin('Logged out.'));
  for (const button of document.querySelectorAll('#nav button')) button.addEventListener('click', () => navigate(button.dataset.view));
  document.addEventListener('admin:navigate', (e) => navigate(e.detail.view, e.detail.options));
  authEvents.addEventListener('unauthorized', () => showLogin('The node refused the token (401). Log in again.'));
  if (token.get()) await enter();
  else showLogin('');
}

async function onLogin(event) {
  event.preventDefault();
  const value = $('#token').value.trim();
  if (!value) return;
  token.set(value);
  $('#token').value = '';
  await enter();
}

/** Check the token with a read, then find out whether it may write, then show the rules. */
async function enter() {
  try {
    await get('/api/rules');
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) showLogin(`Cannot reach the admin API: ${err.message}`);
    return;
  }
  state.role = await roleOfToken();
  state.readOnly = state.role !== 'admin';
  $('#login').hidden = true;
  $('#nav').hidden = false;
  $('#session').hidden = false;
  $('#role').textContent = ROLE_TEXT[state.role];
  const note = $(`#${READ_ONLY_NOTE_ID}`);
  note.hidden = !state.readOnly;
  if (state.readOnly) note.textContent = NOTE_TEXT[state.role];
  // A reviewer logs in to review: the queue is where the work is.
  navigate(state.role === 'reviewer' ? 'review' : 'rules');
}

/** GET /api/session names the role; a node without it is asked with a validation (which never saves). */
async function roleOfToken() {
  try {
    const session = await get('/api/session');
    if (session && session.role in ROLE_TEXT) return session.role;
  } catch { /* an older node: ask the other way */ }
  try {
    await post('/api/rules/validate', { rules: [] });
    return 'admin';
  } catch (err) {
    return err instanceof ApiError && err.status === 403 ? 'read-only' : 'admin';
  }
}

function showLogin(message) {
  token.clear();
  state.readOnly = false;
  state.role = 'admin';
  state.draftRule = null;
  $('#login').hidden = false;
  $('#nav').hidden = true;
  $('#session').hidden = true;
  $(`#${READ_ONLY_NOTE_ID}`).hidden = true;
  for (const key of Object.keys(views)) $(`#view-${key}`).hidden = true;
  const msg = $('#login-message');
  msg.textContent = message;
  msg.className = `status ${message && /refused|Cannot/.test(message) ? 'error' : 'info'}`;
  $('#token').focus();
}

start();
