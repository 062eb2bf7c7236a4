// The routing stage: consumes study_completions rows, evaluates the live rules, and writes one job
// per planned action and selected series, marking the completion consumed in the same transaction.
import { buildStudyFacts } from '../assemble/study-facts.js';
import { markCompletionConsumed, unconsumedCompletions, type PendingCompletion as Completion } from '../db/completions.js';
import { transaction, type Db } from '../db/database.js';
import { insertJob, setJobStages } from '../db/jobs.js';
import { externalRequestByPseudoStudy, setReturnJob } from '../db/external-requests.js';
import { currentRules } from '../db/rule-versions.js';
import type { Logger } from '../log/logger.js';
import { evaluateRules } from '../route/index.js';

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
    const id = transaction(db, () => {
      const jobId = insertJob(db, { completionId: c.id, studyUid: request.studyUid, revision: c.revision, ruleId: 'external-return',
        rulesVersion: 0, action: 'reidentify', seriesUid: request.seriesUid ?? undefined, destinations: request.destinations,
        policy: { review: request.review, onQcFail: 'review' } });
      setReturnJob(db, request.id, jobId);
      markCompletionConsumed(db, c.id);
      return jobId;
    });
    log.info('route.external.returned', { requestId: request.id, jobId: id, revision: c.revision });
    return;
  }
  const rules = currentRules(db);
  const facts = buildStudyFacts(db, c.studyUid, new Date(c.completedAt));
  const decision = rules && facts ? evaluateRules({ rules: rules.rules }, facts) : undefined;
  const ended = Date.now();
  const stages = JSON.stringify([{ stage: 'route', startedAt: new Date(started).toISOString(), endedAt: new Date(ended).toISOString(), ms: ended - started }]);
  const jobIds = transaction(db, () => {
    const ids: number[] = [];
    for (const p of decision?.planned ?? []) {
      const base = { completionId: c.id, studyUid: c.studyUid, revision: c.revision, ruleId: p.ruleId, rulesVersion: rules!.version };
      const a = p.action;
      if (a.type === 'runModel') {
        for (const seriesUid of p.seriesInstanceUids) ids.push(insertJob(db, {
          ...base, action: 'runModel', modelId: a.model, seriesUid, outputs: a.outputs, destinations: a.destinations,
          policy: { review: a.review ?? 'none', onQcFail: a.onQcFail ?? 'review' },
        }));
      } else if (a.type === 'measure') {
        // One job per SEG or RTSTRUCT series; its feature configuration is read back from this rules version.
        for (const seriesUid of p.seriesInstanceUids) ids.push(insertJob(db, { ...base, action: 'measure', seriesUid, outputs: ['SR'], destinations: a.destinations }));
      } else if (a.type === 'external') {
        // destinations: where the re-identified results go; the service and profile are read back from this rules version
        for (const seriesUid of p.seriesInstanceUids) ids.push(insertJob(db, { ...base, action: 'external', seriesUid, destinations: a.destinations }));
      } else if (a.type === 'forward') {
        ids.push(insertJob(db, { ...base, action: 'forward', destinations: a.destinations }));
      } else {
        ids.push(insertJob(db, { ...base, action: 'discard', state: 'done', reason: 'discarded by rule' }));
      }
    }
    for (const id of ids) setJobStages(db, id, stages);
    markCompletionConsumed(db, c.id);
    return ids;
  });
  log.info('route.study.routed', {
    studyUid: c.studyUid, revision: c.revision, rulesVersion: rules?.version ?? null, jobs: jobIds.length,
    matchedRules: decision?.outcomes.filter((o) => o.matched).map((o) => o.ruleId) ?? [], ms: ended - started,
  });
}
