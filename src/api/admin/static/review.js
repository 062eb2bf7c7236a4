// Review section: the queue of results (awaiting review first, filterable by state) and the open
// result with its QC, previews, history and the decisions its state allows.
import { enc, get } from './api.js';
import { field, fill, formatTime, h, shortUid } from './dom.js';
import { announce } from './state.js';
import { renderResult } from './review-detail.js';
import { problemText, qcBadge, RESULT_STATES, stateBadge } from './review-common.js';
const QUEUE_LIMIT = 200;

/** Entry point from the navigation; `options.resultId` opens one result. */
export async function showReview(section, options = {}) {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'review-status' });
  const filter = h('select', { id: 'review-filter', name: 'state' },
    h('option', { value: '' }, 'All states, awaiting review first'),
    RESULT_STATES.map((s) => h('option', { value: s }, s)));
  const queue = h('div', { id: 'review-queue' });
  const detail = h('div', { id: 'review-detail' });
  const ctx = { section, status, filter, queue, detail, openId: options.resultId ?? null };
  const filterField = field('Show results in state', filter).wrap;
  filterField.classList.add('inline-field');
  filter.addEventListener('change', () => refresh(ctx, {}));
  fill(section,
    h('div', { class: 'view-head' },
      h('h2', { id: 'review-title' }, 'Review'),
      h('div', { class: 'toolbar' },
        filterField,
        h('button', { type: 'button', onclick: () => refresh(ctx, {}) }, 'Refresh'))),
    status,
    h('section', { 'aria-labelledby': 'review-queue-title' }, h('h3', { id: 'review-queue-title' }, 'Queue'), queue),
    detail);
  await refresh(ctx, {});
}

/**
 * Reload the queue and the open result. `message` is announced once both are on screen, so a
 * screen reader hears the outcome of an action and not a loading notice; `focus` moves focus to
 * the open result's heading (after an action the button pressed may no longer exist).
 */
async function refresh(ctx, { message, kind = 'ok', focus = false }) {
  const state = ctx.filter.value;
  const query = `?limit=${QUEUE_LIMIT}${state ? `&state=${enc(state)}` : ''}`;
  let results;
  try {
    results = await get(`/api/results${query}`);
  } catch (err) {
    announce(ctx.status, `Could not load the results: ${problemText(err)}`, 'error');
    return;
  }
  fill(ctx.queue, queueTable(state ? results : awaitingFirst(results), ctx));
  if (ctx.openId !== null) await openResult(ctx, ctx.openId, { focus });
  if (message) announce(ctx.status, message, kind);
}

/** Stable sort: awaiting-review, then awaiting-destination, then the rest, each newest first as the API gives them. */
function awaitingFirst(results) {
  const rank = (r) => (r.state === 'awaiting-review' ? 0 : r.state === 'awaiting-destination' ? 1 : 2);
  return [...results].sort((a, b) => rank(a) - rank(b));
}

function queueTable(results, ctx) {
  if (results.length === 0) {
    const what = ctx.filter.value ? `No results in state ${ctx.filter.value}.` : 'No results yet.';
    return h('p', { class: 'empty' }, what);
  }
  return h('table', { class: 'results' },
    h('caption', { class: 'sr-only' }, 'Results, awaiting review first'),
    h('thead', {}, h('tr', {}, ['Result', 'State', 'Study / series', 'Model', 'Rule', 'Why held', 'Updated', '']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, results.map((r) => queueRow(r, ctx))));
}

function queueRow(r, ctx) {
  return h('tr', { dataset: { resultId: String(r.id) }, 'aria-current': r.id === ctx.openId ? 'true' : null },
    h('td', { class: 'mono nowrap' }, `#${r.id}`, h('div', { class: 'subtle' }, `job #${r.jobId} rev ${r.revision}`)),
    h('td', {}, stateBadge(r.state), qcBadge(r.qc?.state)),
    h('td', { class: 'mono nowrap' },
      h('div', { title: r.studyInstanceUid }, shortUid(r.studyInstanceUid)),
      h('div', { class: 'subtle', title: r.seriesInstanceUid }, shortUid(r.seriesInstanceUid))),
    h('td', {}, r.modelId, h('div', { class: 'subtle' }, `version ${r.modelVersion}`)),
    h('td', {}, r.ruleId, h('div', { class: 'subtle' }, `rules v${r.rulesVersion}`)),
    h('td', { class: 'why' }, r.heldReason ?? '—'),
    h('td', {}, formatTime(r.updatedAt)),
    h('td', { class: 'row-actions' }, h('button', {
      type: 'button', 'aria-label': `Open result ${r.id}`, 'aria-controls': 'review-detail',
      onclick: () => { ctx.openId = r.id; return refresh(ctx, { focus: true }); },
    }, 'Open')));
}

async function openResult(ctx, id, { focus }) {
  let result;
  try {
    result = await get(`/api/results/${enc(id)}`);
  } catch (err) {
    fill(ctx.detail);
    announce(ctx.status, `Could not load result #${id}: ${problemText(err)}`, 'error');
    return;
  }
  const after = (message, kind = 'ok') => refresh(ctx, { message, kind, focus: true });
  renderResult(ctx.detail, result, { status: ctx.status, after });
  if (focus) ctx.detail.querySelector('h3')?.focus();
}
