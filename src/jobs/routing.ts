// The routing stage: consumes study_completions rows, evaluates the live rules, and writes one job
// per planned action and selected series, marking the completion consumed in the same transaction. A completion
// whose study got a result with findings is routed again: rules with a Finding condition may match now.
import { buildStudyFacts } from '../assemble/study-facts.js';
import {
  markCompletionConsumed, pendingReroutes, rerouteDone, unconsumedCompletions, type PendingCompletion as Completion,
  type PendingReroute,
} from '../db/completions.js';
import { transaction, type Db } from '../db/database.js';
import { insertJob, jobOfCompletionExists, setJobStages, type NewJob } from '../db/jobs.js';
import { externalRequestByPseudoStudy, setReturnJob } from '../db/external-requests.js';
import { currentRules } from '../db/rule-versions.js';
import type { Logger } from '../log/logger.js';
import { evaluateRules, type Decision } from '../route/index.js';
import { ruleUsesFindings } from '../route/findings.js';
import { externalActionOfJob } from './external-action.js';

/** Routes every unconsumed completion; returns how many were routed. Safe to call concurrently (single flight). */
export function createRouter(db: Db, log: Logger) {
  let running = false;
  const retryAt = new Map<number, number>();
  return function routeCompletedStudies(): number {
    if (running) return 0;
    running = true;
    try {
      const pending = unconsumedCompletions(db);
      let routed = 0;
      for (const c of pending) {
        if ((retryAt.get(c.id) ?? 0) > Date.now()) continue;
        try {
          routeOne(db, log, c);
          retryAt.delete(c.id);
          routed++;
        } catch (err) {
          // Left unconsumed (nothing half-written: the jobs transaction did not commit); retried later.
          retryAt.set(c.id, Date.now() + 60_000);
          log.error('route.failed', { studyUid: c.studyUid, revision: c.revision, reason: (err as Error).message });
        }
      }
      for (const r of pendingReroutes(db)) {
        try {
          if (rerouteOne(db, log, r) > 0) routed++;
        } catch (err) {
          log.error('route.reroute.failed',
            { studyUid: r.studyUid, revision: r.revision, reason: (err as Error).message });
        }
      }
      return routed;
    } finally {
      running = false;
    }
  };
}

function routeOne(db: Db, log: Logger, c: Completion): void {
  const started = Date.now();
  // An external service's answer arrives under the pseudonymous study UID: it is re-identified, never routed by rules.
  const request = externalRequestByPseudoStudy(db, c.studyUid);
  if (request) {
    // what a failed check of the answer does is the external action's word, as the rule was when the series went out
    const onQcFail = externalActionOfJob(db, request.jobId)?.onQcFail ?? 'review';
    const id = transaction(db, () => {
      // Claimed first: another node's router that consumed it meanwhile makes this one write nothing.
      if (!markCompletionConsumed(db, c.id)) return undefined;
      const jobId = insertJob(db, { completionId: c.id, studyUid: request.studyUid, revision: c.revision,
        ruleId: 'external-return', rulesVersion: 0, action: 'reidentify', seriesUid: request.seriesUid ?? undefined,
        destinations: request.destinations, policy: { review: request.review, onQcFail } });
      setReturnJob(db, request.id, jobId);
      return jobId;
    });
    if (id === undefined) return;
    log.info('route.external.returned', { requestId: request.id, jobId: id, revision: c.revision });
    return;
  }
  const rules = currentRules(db);
  const facts = buildStudyFacts(db, c.studyUid, new Date(c.completedAt));
  const decision = rules && facts ? evaluateRules({ rules: rules.rules }, facts) : undefined;
  const ended = Date.now();
  const stages = JSON.stringify([{ stage: 'route', startedAt: new Date(started).toISOString(),
    endedAt: new Date(ended).toISOString(), ms: ended - started }]);
  const jobIds = transaction(db, () => {
    if (!markCompletionConsumed(db, c.id)) return undefined; // another node routed it: its jobs are the only ones
    const ids = insertPlannedJobs(db, c, rules?.version ?? 0, decision?.planned ?? [], false);
    for (const id of ids) setJobStages(db, id, stages);
    return ids;
  });
  if (jobIds === undefined) return;
  log.info('route.study.routed', {
    studyUid: c.studyUid, revision: c.revision, rulesVersion: rules?.version ?? null, jobs: jobIds.length,
    matchedRules: decision?.outcomes.filter((o) => o.matched).map((o) => o.ruleId) ?? [], ms: ended - started,
  });
}

/**
 * Routes a completion again after a result with findings was stored: only rules that test findings can decide
 * otherwise now, and of their planned jobs only those this completion does not have yet are made.
 */
function rerouteOne(db: Db, log: Logger, c: PendingReroute): number {
  const rules = currentRules(db);
  const chained = rules?.rules.filter(ruleUsesFindings) ?? [];
  const facts = chained.length > 0 ? buildStudyFacts(db, c.studyUid, new Date(c.completedAt)) : undefined;
  const decision = facts ? evaluateRules({ rules: chained }, facts) : undefined;
  const jobIds = transaction(db, () => {
    if (!rerouteDone(db, c)) return []; // served by another node's router
    return insertPlannedJobs(db, c, rules?.version ?? 0, decision?.planned ?? [], true);
  });
  log.info('route.study.rerouted',
    { studyUid: c.studyUid, revision: c.revision, rulesVersion: rules?.version ?? null, jobs: jobIds.length });
  return jobIds.length;
}

/** One job per planned action and series; `onlyNew`: skip those the completion already has (a re-route). */
function insertPlannedJobs(db: Db, c: Completion, rulesVersion: number, planned: Decision['planned'],
  onlyNew: boolean): number[] {
  const ids: number[] = [];
  const add = (job: NewJob) => {
    if (onlyNew && jobOfCompletionExists(db, job)) return;
    ids.push(insertJob(db, job));
  };
  for (const p of planned) {
    const base = { completionId: c.id, studyUid: c.studyUid, revision: c.revision, ruleId: p.ruleId, rulesVersion };
    const a = p.action;
    if (a.type === 'runModel') {
      for (const seriesUid of p.seriesInstanceUids) add({
        ...base, action: 'runModel', modelId: a.model, seriesUid, outputs: a.outputs, destinations: a.destinations,
        policy: { review: a.review ?? 'none', onQcFail: a.onQcFail ?? 'review' },
      });
    } else if (a.type === 'measure') {
      // One job per SEG or RTSTRUCT series; its feature configuration is read back from this rules version.
      for (const seriesUid of p.seriesInstanceUids) add(
        { ...base, action: 'measure', seriesUid, outputs: ['SR'], destinations: a.destinations });
    } else if (a.type === 'external') {
      // destinations: where the re-identified results go; the service and profile are read back from this rules version
      for (const seriesUid of p.seriesInstanceUids) add(
        { ...base, action: 'external', seriesUid, destinations: a.destinations });
    } else if (a.type === 'forward') {
      add({ ...base, action: 'forward', destinations: a.destinations });
    } else {
      add({ ...base, action: 'discard', state: 'done', reason: 'discarded by rule' });
    }
  }
  return ids;
}
