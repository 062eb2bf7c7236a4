// The shape of one row of PS3.15 Table E.1-1 (the generated src/deid/annex-e-table.ts holds the rows).

/** Annex E action codes (PS3.15 E.1.1 Table E.1-1a) and the Basic Profile's compound ones. */
export type ActionCode = 'D' | 'Z' | 'X' | 'K' | 'C' | 'U';
export type BasicAction = ActionCode | 'X/Z' | 'X/D' | 'Z/D' | 'X/Z/D' | 'X/Z/U*';

/** The option columns of Table E.1-1, named as the profile options are. */
export type AnnexEOption =
  | 'retainSafePrivate' | 'retainUids' | 'retainDeviceIdentity' | 'retainInstitutionIdentity'
  | 'retainPatientCharacteristics' | 'retainLongitudinalFullDates' | 'retainLongitudinalModifiedDates'
  | 'cleanDescriptors' | 'cleanStructuredContent' | 'cleanGraphics';

export interface AnnexERow {
  /** 8 lower-case hex digits, `x` for a repeating-group digit (`60xx3000`), or `private` (odd groups) */
  tag: string;
  name: string;
  /** "in Std. Comp. IOD" column */
  inStdIod: boolean;
  basic: BasicAction;
  options: Partial<Record<AnnexEOption, ActionCode>>;
}
