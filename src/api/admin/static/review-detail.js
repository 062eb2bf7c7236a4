// One result on the Review page: what it is (study, series, model, rule), its QC reasons, segment
// volumes, previews, viewer link, the decisions its state allows, its history and deliveries.
import { getBlob } from './api.js';
import { fill, formatTime, h, shortUid } from './dom.js';
import { decisionPanel } from './review-actions.js';
import { problemText, qcBadge, stateBadge } from './review-common.js';

/** Blob URLs of the previews on screen; released when another result replaces them. */
let previewUrls = [];

/** `ctx`: { status, after(message, kind) } — after() reloads the queue and this result. */
export function renderResult(container, result, ctx) {
  for (const url of previewUrls) URL.revokeObjectURL(url);
  previewUrls = [];
  const previews = h('div', { class: 'previews' });
  const article = { class: 'card result', 'aria-labelledby': 'result-title', dataset: { resultId: String(result.id) } };
  fill(container, h('article', article,
    h('h3', { id: 'result-title', tabindex: '-1' },
      `Result #${result.id}`, stateBadge(result.state), qcBadge(result.qc?.state)),
    facts(result),
    h('h4', {}, 'Quality checks'), qcSection(result.qc),
    h('h4', {}, 'Segments'), segmentTable(result.segments ?? []),
    h('h4', {}, 'Previews'), previews,
    h('h4', {}, 'Decision'), decisionPanel(result, ctx),
    h('h4', {}, 'History'), historyTable(result.history ?? []),
    h('h4', {}, 'Deliveries'), deliveryTable(result.deliveries ?? []),
    h('h4', {}, 'Objects'), objectList(result.objects ?? [])));
  loadPreviews(previews, result.previews ?? []);
}

function facts(r) {
  const row = (term, ...value) => [h('dt', {}, term), h('dd', {}, ...value)];
  return h('dl', { class: 'facts' },
    row('Study', h('span', { class: 'mono', title: r.studyInstanceUid }, r.studyInstanceUid)),
    row('Series', h('span', { class: 'mono', title: r.seriesInstanceUid }, r.seriesInstanceUid)),
    row('Model', `${r.modelId}, version ${r.modelVersion}`),
    row('Rule', `${r.ruleId} (rules version ${r.rulesVersion})`),
    row('Job', `#${r.jobId}, revision ${r.revision}`),
    r.heldReason ? row('Why held', r.heldReason) : null,
    r.reviewedBy ? row('Reviewed', `by ${r.reviewedBy}, ${formatTime(r.reviewedAt)}`,
      r.decisionReason ? h('div', { class: 'subtle' }, r.decisionReason) : null) : null,
    row('Created', formatTime(r.createdAt)),
    row('Updated', formatTime(r.updatedAt)),
    row('Viewer', viewerLink(r.viewerUrl)));
}

/** Only http(s) links from the configured template; anything else is shown as text, never followed. */
function viewerLink(url) {
  if (!url) return h('span', { class: 'subtle' }, 'no viewer link configured (review.viewerUrlTemplate)');
  if (!/^https?:\/\//i.test(url)) return h('span', { class: 'mono' }, url);
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', id: 'viewer-link' },
    'Open the study in the viewer');
}

function qcSection(qc) {
  if (!qc || qc.state === 'none') return h('p', { class: 'qc' }, 'None: the model declares no quality checks.');
  if (qc.state === 'passed') return h('p', { class: 'qc ok' }, 'Passed: every check of every segment.');
  return h('div', { class: 'qc' },
    h('p', { class: 'bad' }, `Failed: ${qc.reasons.length} reason${qc.reasons.length === 1 ? '' : 's'}.`),
    h('ul', { class: 'qc-reasons' },
      qc.reasons.map((r) => h('li', {}, h('strong', {}, r.segment), ` (${r.check}): ${withoutSegment(r)}`))));
}

/** Messages may start with their segment ("Body: 3246 ml, …"), which the list already shows in bold. */
function withoutSegment(reason) {
  const prefix = `${reason.segment}: `;
  return reason.message.startsWith(prefix) ? reason.message.slice(prefix.length) : reason.message;
}

function segmentTable(segments) {
  if (segments.length === 0) return h('p', { class: 'empty' }, 'No segments.');
  return h('table', { class: 'segments' },
    h('caption', { class: 'sr-only' }, 'Segments with their volumes and quality checks'),
    h('thead', {}, h('tr', {}, ['Segment', 'Present', 'Volume', 'QC'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, segments.map((s) => h('tr', { dataset: { segment: s.label } },
      h('th', { scope: 'row' }, s.label),
      h('td', {}, s.present ? 'yes' : 'absent'),
      h('td', { class: 'num' }, s.volumeMl === null || s.volumeMl === undefined ? '—' : `${formatMl(s.volumeMl)} ml`),
      h('td', {}, h('span', { class: `badge qc-${s.qc}` }, s.qc))))));
}

function formatMl(ml) {
  return ml >= 100 ? ml.toFixed(0) : ml >= 10 ? ml.toFixed(1) : ml.toFixed(2);
}

/** An <img src> cannot carry the bearer token, so each PNG is fetched and shown from a blob URL. */
function loadPreviews(container, previews) {
  if (previews.length === 0) {
    fill(container, h('p', { class: 'empty' }, 'No previews (the result has no SEG).'));
    return;
  }
  for (const p of previews) {
    const figure = h('figure', { class: 'preview', dataset: { n: String(p.n) } },
      h('div', { class: 'preview-frame' }, h('span', { class: 'subtle' }, 'Loading…')), h('figcaption', {}, p.title));
    container.append(figure);
    getBlob(p.url).then((blob) => {
      const url = URL.createObjectURL(blob);
      previewUrls.push(url);
      fill(figure.firstChild, h('img', { src: url, alt: p.title }));
    }, (err) => {
      fill(figure.firstChild, h('span', { class: 'bad' }, `Could not load this preview: ${problemText(err)}`));
    });
  }
}

function historyTable(history) {
  if (history.length === 0) return h('p', { class: 'empty' }, 'No decisions yet.');
  return h('table', { class: 'history' },
    h('caption', { class: 'sr-only' }, 'History of the result'),
    h('thead', {}, h('tr', {}, ['When', 'Who', 'What', 'State', 'Reason'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, history.map((e) => h('tr', { dataset: { action: e.action } },
      h('td', {}, formatTime(e.at)),
      h('td', {}, e.actor),
      h('td', {}, e.action),
      h('td', {}, e.from ? `${e.from} → ${e.to}` : e.to),
      h('td', { class: 'history-reason' }, e.reason ?? '—')))));
}

function deliveryTable(deliveries) {
  if (deliveries.length === 0) return h('p', { class: 'empty' }, 'Not sent anywhere.');
  return h('table', { class: 'result-deliveries' },
    h('caption', { class: 'sr-only' }, 'Deliveries of the result'),
    h('thead', {}, h('tr', {}, ['Destination', 'Object', 'State', 'Last error']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, deliveries.map((d) => h('tr', {},
      h('td', {}, d.destinationId),
      h('td', { class: 'mono', title: d.sopInstanceUid }, shortUid(d.sopInstanceUid)),
      h('td', {}, h('span', { class: `badge ${d.state === 'delivered' ? 'done' : d.state}` }, d.state)),
      h('td', { class: d.lastError ? 'reason' : '' }, d.lastError ?? '—')))));
}

function objectList(objects) {
  if (objects.length === 0) return h('p', { class: 'empty' }, 'No stored objects.');
  return h('ul', { class: 'plain objects' }, objects.map((o) => h('li', {},
    h('strong', {}, o.kind), ' ', h('span', { class: 'mono', title: o.sopInstanceUid }, o.sopInstanceUid))));
}
