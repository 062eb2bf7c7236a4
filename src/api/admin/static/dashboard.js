// Dashboard: recent studies and jobs with state and per-stage timings; failed jobs with retry.
import { enc, get, post } from './api.js';
import { fill, formatTime, h, shortUid } from './dom.js';
import { announce, goTo, writeButton } from './state.js';
import { undeliveredTable } from './deliveries.js';
import { qcBadge, stateBadge } from './review-common.js';

export async function showDashboard(section, options = {}) {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', id: 'dashboard-status' });
  const failed = h('div', { id: 'failed-jobs' });
  const undelivered = h('div', { id: 'undelivered' });
  const jobs = h('div', { id: 'jobs' });
  const studies = h('div', { id: 'studies' });
  fill(section,
    h('div', { class: 'view-head' },
      h('h2', { id: 'dashboard-title' }, 'Dashboard'),
      h('div', { class: 'toolbar' }, h('button', { type: 'button', onclick: () => showDashboard(section) }, 'Refresh'))),
    status,
    h('h3', {}, 'Failed jobs'), failed,
    h('h3', {}, 'Undelivered results'), undelivered,
    h('h3', {}, 'Recent jobs'), jobs,
    h('h3', {}, 'Recent studies'), studies);
  if (options.message) announce(status, options.message, 'ok');
  const reload = (message) => showDashboard(section, { message });
  const [studyList, jobList, resultList] = await Promise.all([
    get('/api/studies?limit=20').catch((err) => { announce(status, `Could not load studies: ${err.message}`, 'error'); return null; }),
    get('/api/jobs?limit=50').catch((err) => { announce(status, `Could not load jobs: ${err.message}`, 'error'); return null; }),
    // The QC state and result state next to each job; a node without results still shows its jobs.
    get('/api/results?limit=200').catch(() => []),
  ]);
  const results = latestResultByJob(resultList);
  if (studyList) fill(studies, studyTable(studyList));
  undeliveredTable({ reload, status }).then((t) => fill(undelivered, t), (err) => announce(status, `Could not load deliveries: ${err.message}`, 'error'));
  if (jobList) {
    const failedJobs = jobList.filter((j) => j.state === 'failed');
    fill(failed, failedJobs.length === 0 ? h('p', { class: 'empty' }, 'No failed jobs.') : jobTable(failedJobs, { reload, status, results, showReason: true }));
    fill(jobs, jobList.length === 0 ? h('p', { class: 'empty' }, 'No jobs yet.') : jobTable(jobList, { reload, status, results, showReason: false }));
  }
}

function studyTable(studies) {
  if (studies.length === 0) return h('p', { class: 'empty' }, 'No studies received yet.');
  return h('table', {},
    h('thead', {}, h('tr', {}, ['Study', 'State', 'Revision', 'Instances', 'Series', 'From', 'Completed'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, studies.map((s) => h('tr', {},
      h('td', { title: s.studyInstanceUid }, s.studyDescription || 'Study', h('div', { class: 'subtle mono' }, shortUid(s.studyInstanceUid))),
      h('td', {}, h('span', { class: `badge ${s.state}` }, s.state)),
      h('td', {}, String(s.revision ?? '—')),
      h('td', {}, String(s.instances ?? '—')),
      h('td', {}, String(s.series ?? '—')),
      h('td', {}, (s.callingAes ?? []).join(', ') || (s.sources ?? []).join(', ') || '—'),
      h('td', {}, formatTime(s.completedAt))))));
}

function jobTable(jobs, ctx) {
  const heads = ['Job', 'State', 'Node', 'Rule', 'Action', 'Series', 'Stages', ctx.showReason ? 'Reason' : 'Updated', ''];
  return h('table', { class: 'jobs' },
    h('thead', {}, h('tr', {}, heads.map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, jobs.map((j) => h('tr', { dataset: { jobId: String(j.id) } },
      h('td', { title: j.studyInstanceUid }, h('span', { class: 'mono' }, `#${j.id}`), h('div', { class: 'subtle mono' }, shortUid(j.studyInstanceUid))),
      h('td', {}, h('span', { class: `badge ${j.state}` }, j.state), resultBadges(ctx.results.get(j.id))),
      // which node holds the job (the last one that did, once it ended); "—" before any claimed it
      h('td', { class: 'mono' }, j.node ?? '—'),
      h('td', {}, j.ruleId ?? '—', j.rulesVersion !== undefined ? h('div', { class: 'subtle' }, `rules v${j.rulesVersion}`) : null),
      h('td', {}, j.action === 'runModel' ? `runModel ${j.modelId ?? ''}` : j.action),
      h('td', { class: 'mono', title: j.seriesInstanceUid ?? '' }, shortUid(j.seriesInstanceUid)),
      h('td', {}, stageTimings(j.stages)),
      h('td', { class: ctx.showReason ? 'reason' : '' }, ctx.showReason ? (j.reason ?? '—') : formatTime(j.updatedAt)),
      h('td', { class: 'row-actions' }, jobButtons(j, ctx), reviewButton(ctx.results.get(j.id)))))));
}

/** The API lists results newest first, so the first one seen for a job is its latest revision. */
function latestResultByJob(results) {
  const byJob = new Map();
  for (const r of Array.isArray(results) ? results : []) if (!byJob.has(r.jobId)) byJob.set(r.jobId, r);
  return byJob;
}

function resultBadges(result) {
  if (!result) return null;
  return h('div', { class: 'result-badges' }, stateBadge(result.state), qcBadge(result.qc?.state));
}

function reviewButton(result) {
  if (!result) return null;
  return h('button', {
    type: 'button', 'aria-label': `Open result ${result.id} in Review`,
    onclick: () => goTo('review', { resultId: result.id }),
  }, 'Review');
}

/** "receive 12 ms · infer 1.4 s": where the time of a job went. */
function stageTimings(stages) {
  if (!Array.isArray(stages) || stages.length === 0) return '—';
  return h('ul', { class: 'plain stages' }, stages.map((s) => h('li', {}, `${s.stage}: ${formatMs(s.ms)}`)));
}

function formatMs(ms) {
  if (ms === null || ms === undefined) return 'running';
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

function jobButtons(job, ctx) {
  const act = (verb) => async () => {
    try {
      await post(`/api/jobs/${enc(job.id)}/${verb}`);
      await ctx.reload(`Job #${job.id}: ${verb === 'retry' ? 'queued again' : 'cancelled'}.`);
    } catch (err) {
      announce(ctx.status, `Job #${job.id}: ${verb} failed: ${err.message}`, 'error');
    }
  };
  return [
    job.state === 'failed' || job.state === 'cancelled' ? writeButton('Retry', act('retry'), { 'aria-label': `Retry job ${job.id}` }) : null,
    job.state === 'pending' || job.state === 'failed' ? writeButton('Cancel', act('cancel'), { 'aria-label': `Cancel job ${job.id}` }) : null,
  ];
}
