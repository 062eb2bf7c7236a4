// Dry run of the rules (never saves): a stored study, uploaded headers (DICOM JSON or a Part-10
// file), live or proposed rules, and "what would have matched" over the last N days.
import express, { type Response } from 'express';
import { buildStudyFacts, factsFromHeaders, headersFromDicomJson, readHeader } from '../../assemble/study-facts.js';
import type { Db } from '../../db/database.js';
import { studiesReceivedSince } from '../../db/studies.js';
import { destinationIds } from '../../db/destinations.js';
import { currentRules } from '../../db/rule-versions.js';
import type { ModelRegistry } from '../../infer/index.js';
import { diffDecisions, evaluateRules, validateRuleSet } from '../../route/index.js';
import type { Rule, StudyFacts } from '../../route/types.js';
import { problem } from '../../http/problem.js';

interface TestBody { studyInstanceUid?: string; headers?: unknown; rules?: Rule[]; sinceDays?: number }

export function rulesTestRouter(db: Db, models: ModelRegistry): express.Router {
  const r = express.Router();
  const liveRules = () => currentRules(db)?.rules ?? [];
  const proposed = (res: Response, rules: Rule[] | undefined): Rule[] | undefined => {
    if (rules === undefined) return liveRules();
    const check = validateRuleSet({ rules }, { models: models.list().map((m) => m.id), ...destinationIds(db) });
    if (!check.ok) return void problem(res, 422, 'RULES_INVALID', 'the proposed rules are invalid', check.problems);
    return rules;
  };
  const answer = (res: Response, rules: Rule[], facts: StudyFacts) =>
    res.json({ studyInstanceUid: facts.studyInstanceUid, rulesVersion: currentRules(db)?.version ?? 0,
      ...evaluateRules({ rules }, facts) });

  // A dropped file: the raw Part-10 bytes, live rules.
  r.post('/', express.raw({ type: 'application/dicom', limit: '512mb' }), (req, res, next) => {
    if (!Buffer.isBuffer(req.body)) return next();
    let header: Record<string, unknown>;
    try {
      header = readHeader(req.body);
    } catch (err) {
      return problem(res, 400, 'RULES_TEST_BAD_DICOM', `the file is not readable DICOM: ${(err as Error).message}`);
    }
    answer(res, liveRules(), factsFromHeaders([header], { callingAe: null, calledAe: null, source: 'stow' }));
  });
  r.post('/', express.json({ limit: '20mb' }), (req, res) => {
    const body = (req.body ?? {}) as TestBody;
    const rules = proposed(res, body.rules);
    if (!rules) return;
    if (typeof body.sinceDays === 'number') return res.json(
      whatWouldHaveMatched(db, liveRules(), rules, body.sinceDays));
    if (body.headers !== undefined) {
      let headers: Array<Record<string, unknown>>;
      try {
        headers = headersFromDicomJson(body.headers);
      } catch (err) {
        return problem(res, 400, 'RULES_TEST_BAD_DICOM', `headers are not DICOM JSON: ${(err as Error).message}`);
      }
      return answer(res, rules, factsFromHeaders(headers, { callingAe: null, calledAe: null, source: 'stow' }));
    }
    if (!body.studyInstanceUid) return problem(res, 400, 'RULES_TEST_NO_INPUT',
      'give studyInstanceUid, headers, or sinceDays');
    const facts = buildStudyFacts(db, body.studyInstanceUid);
    if (!facts) return problem(res, 404, 'API_STUDY_NOT_FOUND', `no study ${body.studyInstanceUid}`);
    answer(res, rules, facts);
  });
  return r;
}

function whatWouldHaveMatched(db: Db, live: Rule[], proposed: Rule[], sinceDays: number) {
  const since = Date.now() - sinceDays * 86_400_000;
  const studies = studiesReceivedSince(db, since);
  const differences = [];
  for (const uid of studies) {
    const facts = buildStudyFacts(db, uid);
    if (!facts) continue;
    const diff = diffDecisions(evaluateRules({ rules: live }, facts), evaluateRules({ rules: proposed }, facts));
    if (diff) differences.push({ studyInstanceUid: uid, ...diff });
  }
  return { studies: studies.length, differences };
}
