// Benchmark: 200 rules (a realistic mix: equals/in/contains/matches/numeric, nested any/all/not, series
// selectors) against a 20-series CT study. Prints the median microseconds per study evaluation and per rule
// over 2000 runs after warm-up (and with rule objects read afresh each time), and the time to validate the
// rule set. No target: the figures are reported.
import { evaluateRules, validateRuleSet, type Action, type ConditionNode, type Rule, type SeriesFacts,
  type StudyFacts } from '../src/route/index.js';

const RULES = 200, SERIES = 20, WARMUP = 300, RUNS = 2000;

/** Deterministic pseudo-random numbers (mulberry32), so every run benchmarks the same rule set. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rnd = random(42);
const choose = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;

const modalities = ['CT', 'MR', 'PT', 'CR', 'DX', 'US'];
const bodyParts = ['CHEST', 'ABDOMEN', 'HEAD', 'PELVIS', 'LUNG', 'NECK', 'KNEE'];
const words = ['chest', 'thorax', 'abdomen', 'brain', 'angio', 'contrast', 'low dose', 'pelvis'];

function studyCondition(): ConditionNode {
  switch (Math.floor(rnd() * 8)) {
    case 0: return { attribute: 'Modality', op: 'equals', value: choose(modalities) };
    case 1: return { attribute: 'BodyPartExamined', op: 'in', value: [choose(bodyParts), choose(bodyParts)] };
    case 2: return { attribute: 'StudyDescription', op: 'contains', value: choose(words) };
    case 3: return { attribute: 'StudyDescription', op: 'matches',
      value: `^(ct|mr)\\s.*(${choose(words)}|${choose(words)})` };
    case 4: return { attribute: 'CallingAE', op: 'startsWith', value: choose(['CT', 'MR', 'PACS']) };
    case 5: return {
      any: [{ attribute: 'TimeOfDay', op: '>=', value: 2200 }, { attribute: 'TimeOfDay', op: '<', value: 600 }] };
    case 6: return {
      not: { attribute: 'Manufacturer', op: 'equals', value: choose(['SIEMENS', 'GE MEDICAL SYSTEMS', 'Philips']) } };
    default: return { attribute: 'NumberOfInstances', op: '>=', value: Math.floor(rnd() * 500) };
  }
}

function action(i: number): Action {
  if (i % 3 === 0) return { type: 'forward', destinations: ['pacs-main'] };
  const where: ConditionNode = {
    all: [
      { attribute: 'Modality', op: 'equals', value: 'CT' }, { attribute: 'Orientation', op: 'equals', value: 'axial' },
      { not: { attribute: 'ImageType', op: 'contains', value: 'LOCALIZER' } },
      { any: [{ attribute: 'SeriesDescription', op: 'matches', value: 'body|lung|chest' },
        { attribute: 'SliceThickness', op: '<=', value: 2.5 }] },
    ],
  };
  return { type: 'runModel', model: 'ct-body-lung', series: { where, pick: choose(['thinnest', 'mostInstances',
    'first'] as const) }, outputs: ['SEG', 'SR'], destinations: ['reply-to-sender'] };
}

function rules(): Rule[] {
  return Array.from({ length: RULES }, (_, i) => {
    const conditions = Array.from({ length: 2 + Math.floor(rnd() * 3) }, studyCondition);
    // One rule in four matches (its first condition is true of the study) so selectors run too.
    if (i % 4 === 0) conditions.unshift({ attribute: 'Modality', op: 'equals', value: 'CT' });
    const when: ConditionNode = i % 5 === 0 ? { any: [{ all: conditions }, { not: { attribute: 'Modality', op: 'in',
      value: ['CT', 'MR'] } }] } : { all: i % 4 === 0 ? [conditions[0]!] : conditions };
    return { id: `rule-${i}`, name: `Rule ${i}`, enabled: i % 17 !== 0, priority: i, when,
      actions: [action(i)], then: 'continue' };
  });
}

function study(): StudyFacts {
  const series: SeriesFacts[] = Array.from({ length: SERIES }, (_, s) => ({
    seriesInstanceUid: `2.25.77.${s + 1}`,
    numberOfInstances: s === 0 ? 3 : 40 + 17 * s,
    header: {
      Modality: s < 18 ? 'CT' : 'SR', SeriesNumber: s + 1,
      SeriesDescription: s === 0 ? 'Topogram' : `Body ${(s % 5) + 1}.0 mm`,
      ImageType: s === 0 ? ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] : ['ORIGINAL', 'PRIMARY', 'AXIAL'],
      SliceThickness: String((s % 5) + 1),
      ImageOrientationPatient: s % 6 === 5 ? [1, 0, 0, 0, 0, -1] : [1, 0, 0, 0, 1, 0],
    },
  }));
  return {
    studyInstanceUid: '2.25.77', callingAe: 'CT_SCANNER_2', calledAe: 'AI_NODE', source: 'dimse',
    completedAt: new Date(2024, 2, 3, 14, 25), series,
    header: { ...series[1]!.header, StudyDescription: 'CT THORAX LOW DOSE', BodyPartExamined: 'CHEST',
      Manufacturer: 'SIEMENS', PatientName: [{ Alphabetic: 'Bench^Patient' }] },
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ruleSet = { rules: rules() };
const facts = study();
const validateStart = process.hrtime.bigint();
const check = validateRuleSet(ruleSet, { models: ['ct-body-lung'], destinations: ['pacs-main'] });
const validateMs = Number(process.hrtime.bigint() - validateStart) / 1e6;
if (!check.ok) throw new Error(`benchmark rule set invalid: ${JSON.stringify(check.problems.slice(0, 3))}`);
const warmStart = process.hrtime.bigint();
validateRuleSet(ruleSet, { models: ['ct-body-lung'], destinations: ['pacs-main'] });
const validateMsWarm = Number(process.hrtime.bigint() - warmStart) / 1e6;

for (let i = 0; i < WARMUP; i++) evaluateRules(ruleSet, facts);
const micros: number[] = [];
let planned = 0, conditions = 0;
for (let i = 0; i < RUNS; i++) {
  const start = process.hrtime.bigint();
  const decision = evaluateRules(ruleSet, facts);
  micros.push(Number(process.hrtime.bigint() - start) / 1e3);
  planned = decision.planned.length;
  conditions = decision.outcomes.reduce((n, o) => n + o.trace.length, 0);
}
// As when the rules are read afresh for each study (JSON from the database): nothing compiled is reused.
const fresh: number[] = [];
for (let i = 0; i < RUNS / 2; i++) {
  const copy = structuredClone(ruleSet);
  const start = process.hrtime.bigint();
  evaluateRules(copy, facts);
  fresh.push(Number(process.hrtime.bigint() - start) / 1e3);
}
const perStudy = median(micros);
const p95 = [...micros].sort((a, b) => a - b)[Math.floor(RUNS * 0.95)]!;
console.log(JSON.stringify({
  event: 'bench.rules', rules: RULES, series: SERIES, runs: RUNS, plannedActions: planned, conditionsTraced: conditions,
  medianMicrosPerStudy: Math.round(perStudy), p95MicrosPerStudy: Math.round(p95),
  medianMicrosPerRule: Number((perStudy / RULES).toFixed(2)),
  medianMicrosPerStudyFreshRules: Math.round(median(fresh)),
  validateMsCold: Number(validateMs.toFixed(1)), validateMsWarm: Number(validateMsWarm.toFixed(1)),
}));
