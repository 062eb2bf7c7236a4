// The routing rule model (rules are data, never code) and what evaluating them produces.
import type { SegmentChecks } from '../infer/manifest.js';

/** Comparison operators; `<` `<=` `>` `>=` compare numbers (DS/IS/US values, counts, times of day as HHMM). */
export type Operator =
  | 'equals' | 'notEquals' | 'in' | 'contains' | 'startsWith' | 'matches'
  | '<' | '<=' | '>' | '>='
  | 'exists' | 'missing';

/**
 * One test on one fact. `attribute` is a DICOM keyword (`Modality`, `SliceThickness`), a tag
 * (`00080060` or `(0008,0060)`), or a node fact: `CallingAE`, `CalledAE`, `Source` (dimse|stow),
 * `TimeOfDay` (HHMM, 24 h, node local time), `NumberOfInstances`, `NumberOfSeries` (study level),
 * `Orientation` (series level: axial|coronal|sagittal|oblique, from ImageOrientationPatient).
 * Multi-valued attributes (ImageType) pass when any value passes (`contains` on ImageType tests values).
 */
export interface Condition {
  attribute: string;
  op: Operator;
  value?: string | number | Array<string | number>;
  /** String comparisons ignore case unless this is true. */
  caseSensitive?: boolean;
}

/**
 * A condition on the results of earlier model runs on the same study: true when one of them has a finding of
 * `model` with this code, present (default) or absent, with a score of at least `minScore`. In a rule's `when` any
 * result of the study counts; in a series selector's `where` only results on that series.
 */
export interface FindingCondition { Finding: FindingTest }
export interface FindingTest {
  model: string;
  /** matched on scheme and value; meaning is for the reader */
  code: { scheme: string; value: string; meaning?: string };
  present?: boolean;
  minScore?: number;
}

export type ConditionNode =
  | Condition | FindingCondition | { all: ConditionNode[] } | { any: ConditionNode[] } | { not: ConditionNode };

/** Which series of the study an action applies to: filter, then pick. */
export interface SeriesSelector {
  where?: ConditionNode;
  pick: 'all' | 'thinnest' | 'mostInstances' | 'first';
}

export type Action =
  | {
    type: 'runModel'; model: string; series: SeriesSelector; outputs: Array<'SEG' | 'SR'>; destinations: string[];
    /** "required": every result waits for a reviewer's accept before anything is sent (default "none") */
    review?: 'none' | 'required';
    /** a result that fails its model's quality checks is held for review, or never sent (default "review") */
    onQcFail?: 'review' | 'discard';
  }
  | { type: 'forward'; destinations: string[] }
  | MeasureAction
  | ExternalAction
  | { type: 'discard' };

/**
 * An external AI step (issue 14): the selected series, de-identified by `profile` (src/deid, over the config's
 * `deid.profile`), go to the destination `service` (one marked external: TLS required); what the service sends back
 * under the pseudonymous study is re-identified and delivered to `destinations`. No answer within `timeoutSeconds`
 * (default `deid.resultTimeoutSeconds`) fails the job with EXTERNAL_TIMEOUT.
 */
export interface ExternalAction {
  type: 'external'; service: string; series: SeriesSelector; destinations: string[];
  profile?: Record<string, unknown>; timeoutSeconds?: number;
  /** "required": the re-identified result waits for a reviewer's accept, as runModel results can (default "none") */
  review?: 'none' | 'required';
  /** plausibility checks of the returned SEG's segments; without it the result's QC is "none" */
  qc?: ExternalQc;
  /** a result that fails `qc` is held for review, or never sent (default "review"), as runModel's onQcFail */
  onQcFail?: 'review' | 'discard';
}

/** What a plausible answer of the service looks like: checks per returned segment, as a manifest segment has. */
export interface ExternalQc { segments: ReturnedSegmentChecks[] }

/**
 * One returned segment: found in the SEG by its Segment Label (case and surrounding blanks ignored), or, when `type`
 * is given, by its Segmented Property Type code (scheme and value), which survives a service renaming its labels.
 * `label` names it in QC reasons and in other segments' `inside`.
 */
export interface ReturnedSegmentChecks {
  label: string; type?: { scheme: string; value: string; meaning?: string }; checks: SegmentChecks;
}

/**
 * IBSI features of segmentations that arrived with the study (another AI's SEG, or one a person drew): each
 * Segmentation Storage series that `segmentation` keeps (default: every one) becomes a job that reads the SEG and
 * the series its frames reference, and sends a TID 1500 SR referencing both. `features`: a partial FeatureConfig
 * over the CT defaults (src/features).
 */
export interface MeasureAction {
  type: 'measure'; segmentation?: SeriesSelector; features?: Record<string, unknown>; destinations: string[];
}

/** `destinations` hold destination ids, or the word `reply-to-sender`. */
export interface Rule {
  id: string;
  name: string;
  description?: string;
  enabled: boolean;
  priority: number;
  /** Study-level conditions; absent or empty `all` = matches every study (an explicit catch-all). */
  when?: ConditionNode;
  actions: Action[];
  /** What happens after this rule matched: stop evaluating, or go on to the next rule. */
  then: 'stop' | 'continue';
}

export interface RuleSet { rules: Rule[] }

/** The facts of a completed study that rules are evaluated against. */
export interface SeriesFacts {
  seriesInstanceUid: string;
  /** Naturalized header of a representative instance (dcmjs keywords), without PixelData. */
  header: Record<string, unknown>;
  numberOfInstances: number;
}
/** A finding of a stored result (classification or detection), as results keep it and Finding conditions test it. */
export interface ResultFinding {
  model: string;
  code: { scheme: string; value: string; meaning: string };
  present: boolean;
  score: number | null;
  /** per-slice models: the source slice indexes where the finding is present */
  slices?: number[];
}

/** A finding as a study fact: which series the result was made on (null: a study-level result). */
export interface StudyFinding extends ResultFinding { seriesInstanceUid: string | null; resultId: number }

export interface StudyFacts {
  studyInstanceUid: string;
  header: Record<string, unknown>;
  callingAe: string | null;
  calledAe: string | null;
  source: 'dimse' | 'stow';
  /** When the study completed (TimeOfDay is taken from it). */
  completedAt: Date;
  series: SeriesFacts[];
  /** findings of the study's stored results (latest revision of each job, not rejected, withheld or retracted) */
  findings?: StudyFinding[];
}

/** Why one condition passed or failed: the value seen and a sentence an admin can read. */
export interface ConditionTrace {
  condition: Condition | FindingCondition;
  /** `study`, or the series UID the condition was evaluated on. */
  scope: string;
  actual: unknown;
  passed: boolean;
  why: string;
  /** Where the condition sits in its rule, as a JSON path: `/when/all/0`, `/actions/1/series/where`. */
  path?: string;
}

export interface PlannedAction {
  action: Action;
  /** Series the action applies to (runModel: the selected series; forward/discard: all). */
  seriesInstanceUids: string[];
  /** For a runModel action whose selector found no series: why. */
  note?: string;
}

export interface RuleOutcome {
  ruleId: string;
  ruleName: string;
  enabled: boolean;
  matched: boolean;
  /** Rules after a matching rule with then=stop are not evaluated. */
  evaluated: boolean;
  trace: ConditionTrace[];
  actions: PlannedAction[];
}

export interface Decision {
  outcomes: RuleOutcome[];
  /** The actions to carry out, in rule order (only from enabled, matched, evaluated rules). */
  planned: Array<PlannedAction & { ruleId: string }>;
}

/** A validation problem with the JSON path of the offending value, e.g. `/rules/2/when/all/0/value`. */
export interface RuleProblem { path: string; message: string }
