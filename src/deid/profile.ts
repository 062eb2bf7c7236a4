// The de-identification profile as data (PS3.15 E.2/E.3): the Basic Application Level Confidentiality Profile plus
// the options a site picks, and the one function that turns a Table E.1-1 row into the action to apply.
import { ANNEX_E_ROWS } from './annex-e-table.js';
import type { ActionCode, AnnexEOption, AnnexERow } from './annex-e-types.js';
import { DeidError } from './errors.js';

export interface DeidProfile {
  /** Retain Longitudinal Temporal Information: off, Full Dates, or Modified Dates (shifted per patient) */
  longitudinal: 'off' | 'full' | 'modified';
  retainPatientCharacteristics: boolean;
  retainDeviceIdentity: boolean;
  retainInstitutionIdentity: boolean;
  cleanDescriptors: boolean;
  cleanStructuredContent: boolean;
  /** off by default: UIDs are replaced, which the re-identification on the way back relies on */
  retainUids: boolean;
  /** private creators (PrivateCreator values) whose blocks are kept; every other private element is removed */
  keepPrivateCreators: string[];
  /** accept images with Burned In Annotation YES (the text in the pixels is NOT removed) */
  allowBurnedInAnnotation: boolean;
  /** accept Secondary Capture and Ultrasound images that do not say whether text is burned in */
  allowScUsWithoutBurnedInFlag: boolean;
}

export const DEFAULT_PROFILE: DeidProfile = {
  longitudinal: 'off', retainPatientCharacteristics: false, retainDeviceIdentity: false,
  retainInstitutionIdentity: false, cleanDescriptors: false, cleanStructuredContent: false, retainUids: false,
  keepPrivateCreators: [], allowBurnedInAnnotation: false, allowScUsWithoutBurnedInFlag: false,
};

/** A partial profile from config or a rule, completed with the defaults; every bad key is named. */
export function resolveProfile(partial: Partial<DeidProfile> = {}): DeidProfile {
  const problems: string[] = [];
  const out = { ...DEFAULT_PROFILE, ...partial };
  for (const key of Object.keys(partial)) if (!(key in DEFAULT_PROFILE)) problems.push(`${key}: unknown option`);
  if (!['off', 'full', 'modified'].includes(out.longitudinal)) {
    problems.push('longitudinal: must be off, full or modified');
  }
  for (const [k, v] of Object.entries(out)) {
    const flag = k !== 'longitudinal' && k !== 'keepPrivateCreators';
    if (flag && typeof v !== 'boolean') problems.push(`${k}: must be a boolean`);
  }
  const creators = out.keepPrivateCreators;
  if (!Array.isArray(creators) || creators.some((c) => typeof c !== 'string' || !c.trim())) {
    problems.push('keepPrivateCreators: must be a list of non-empty strings');
  }
  if (problems.length) throw new DeidError('DEID_PROFILE_INVALID', problems.join('; '));
  return out;
}

/** What the rewriter does with one element: an Annex E action, `keep-recurse` for X/Z/U* sequences. */
export type Action = ActionCode | 'keep-recurse';

const BY_TAG = new Map<string, AnnexERow>(ANNEX_E_ROWS.map((r) => [r.tag, r]));

/** The row naming a tag (8 lower-case hex digits), repeating groups (50xx, 60xx) included. */
export function rowFor(tag: string): AnnexERow | undefined {
  return BY_TAG.get(tag) ?? BY_TAG.get(`${tag.slice(0, 2)}xx${tag.slice(4)}`) ?? BY_TAG.get(`${tag.slice(0, 2)}xxxxxx`);
}

function enabledOptions(p: DeidProfile): AnnexEOption[] {
  const on: AnnexEOption[] = [];
  if (p.retainUids) on.push('retainUids');
  if (p.retainDeviceIdentity) on.push('retainDeviceIdentity');
  if (p.retainInstitutionIdentity) on.push('retainInstitutionIdentity');
  if (p.retainPatientCharacteristics) on.push('retainPatientCharacteristics');
  if (p.longitudinal === 'full') on.push('retainLongitudinalFullDates');
  if (p.longitudinal === 'modified') on.push('retainLongitudinalModifiedDates');
  if (p.cleanDescriptors) on.push('cleanDescriptors');
  if (p.cleanStructuredContent) on.push('cleanStructuredContent');
  return on;
}

/**
 * The action for a row under a profile. A selected option's code overrides the Basic Profile (PS3.15 E.3); when two
 * selected options name the row, K wins over C (both retain), C over the rest. Compound Basic Profile codes take the
 * form that keeps the data set valid without knowing the IOD's attribute types: X/Z → Z, X/D, Z/D, X/Z/D → D, and
 * X/Z/U* (Referenced Image, Source Image Sequence) keeps the sequence and replaces the UIDs in it.
 */
export function actionFor(row: AnnexERow, profile: DeidProfile): Action {
  const codes = enabledOptions(profile).map((o) => row.options[o]).filter((c): c is ActionCode => !!c);
  if (codes.includes('K')) return 'K';
  if (codes.includes('C')) return 'C';
  if (codes.length) return codes[0];
  switch (row.basic) {
    case 'X/Z': return 'Z';
    case 'X/D': case 'Z/D': case 'X/Z/D': return 'D';
    case 'X/Z/U*': return 'keep-recurse';
    default: return row.basic;
  }
}
