// Every operator, passing and failing, with case rules, multi-valued attributes, DS strings and missing values.
import { describe, expect, it } from 'vitest';
import { checkOn } from './facts-builders.js';

const ct = {
  Modality: 'CT', StudyDescription: 'CT Chest WO Contrast', SliceThickness: '1.25', SeriesNumber: 3,
  ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'], Manufacturer: 'SIEMENS ', PatientName: [{ Alphabetic: 'Doe^Jane' }],
  BodyPartExamined: '', ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
};

describe('equals / notEquals', () => {
  it('equals ignores case by default and says what it saw', () => {
    const t = checkOn({ attribute: 'Modality', op: 'equals', value: 'ct' }, ct);
    expect(t.passed).toBe(true);
    expect(t.actual).toBe('CT');
    expect(t.why).toBe("Modality is 'CT', equal to 'ct'");
  });
  it('equals fails on another value, naming it', () => {
    const t = checkOn({ attribute: 'Modality', op: 'equals', value: 'CT' }, { Modality: 'MR' });
    expect(t.passed).toBe(false);
    expect(t.why).toBe("Modality is 'MR', not equal to 'CT'");
  });
  it('caseSensitive equals fails on a case difference', () => {
    expect(checkOn({ attribute: 'Modality', op: 'equals', value: 'ct', caseSensitive: true }, ct).passed).toBe(false);
    expect(checkOn({ attribute: 'Modality', op: 'equals', value: 'CT', caseSensitive: true }, ct).passed).toBe(true);
  });
  it('trailing DICOM padding does not spoil equality', () => {
    expect(checkOn({ attribute: 'Manufacturer', op: 'equals', value: 'Siemens' }, ct).passed).toBe(true);
  });
  it('a number compares numerically with a DS string', () => {
    expect(checkOn({ attribute: 'SliceThickness', op: 'equals', value: 1.25 }, ct).passed).toBe(true);
    expect(checkOn({ attribute: 'SliceThickness', op: 'equals', value: 1.2 }, ct).passed).toBe(false);
    expect(checkOn({ attribute: 'SliceThickness', op: 'equals', value: 1.25 },
      { SliceThickness: '1.250' }).passed).toBe(true);
  });
  it('multi-valued equals passes when any value equals', () => {
    const t = checkOn({ attribute: 'ImageType', op: 'equals', value: 'axial' }, ct);
    expect(t.passed).toBe(true);
    expect(t.actual).toEqual(['ORIGINAL', 'PRIMARY', 'AXIAL']);
    expect(t.why).toContain("'AXIAL' is equal to 'axial'");
  });
  it('notEquals passes only when no value equals', () => {
    expect(checkOn({ attribute: 'ImageType', op: 'notEquals', value: 'LOCALIZER' }, ct).passed).toBe(true);
    const t = checkOn({ attribute: 'ImageType', op: 'notEquals', value: 'primary' }, ct);
    expect(t.passed).toBe(false);
    expect(t.why).toContain("'PRIMARY' is equal to 'primary'");
  });
  it('notEquals passes on a missing attribute and says so', () => {
    const t = checkOn({ attribute: 'BodyPartExamined', op: 'notEquals', value: 'HEAD' }, ct);
    expect(t.passed).toBe(true);
    expect(t.why).toBe("BodyPartExamined is missing, so not equal to 'HEAD'");
  });
  it('PersonName compares by its Alphabetic string', () => {
    expect(checkOn({ attribute: 'PatientName', op: 'equals', value: 'doe^jane' }, ct).passed).toBe(true);
  });
});

describe('in', () => {
  it('passes when the value is one of the list, ignoring case', () => {
    expect(checkOn({ attribute: 'Modality', op: 'in', value: ['mr', 'ct'] }, ct).passed).toBe(true);
  });
  it('fails otherwise, showing the list', () => {
    const t = checkOn({ attribute: 'Modality', op: 'in', value: ['MR', 'PT'] }, ct);
    expect(t.passed).toBe(false);
    expect(t.why).toBe("Modality is 'CT', not in ['MR', 'PT']");
  });
  it('mixes numbers and DS strings', () => {
    expect(checkOn({ attribute: 'SliceThickness', op: 'in', value: [1, 1.25, 2.5] }, ct).passed).toBe(true);
    expect(checkOn({ attribute: 'SeriesNumber', op: 'in', value: ['3'] }, ct).passed).toBe(true);
  });
  it('passes on a multi-valued attribute when any value is in the list', () => {
    expect(checkOn({ attribute: 'ImageType', op: 'in', value: ['LOCALIZER', 'AXIAL'] }, ct).passed).toBe(true);
    expect(checkOn({ attribute: 'ImageType', op: 'in', value: ['LOCALIZER', 'DERIVED'] }, ct).passed).toBe(false);
  });
});

describe('contains / startsWith / matches', () => {
  it('contains is a case-insensitive substring test', () => {
    expect(checkOn({ attribute: 'StudyDescription', op: 'contains', value: 'chest' }, ct).passed).toBe(true);
    expect(checkOn({ attribute: 'StudyDescription', op: 'contains', value: 'chest', caseSensitive: true },
      ct).passed).toBe(false);
    expect(checkOn({ attribute: 'StudyDescription', op: 'contains', value: 'abdomen' }, ct).why).toBe(
      "StudyDescription is 'CT Chest WO Contrast', not containing 'abdomen'");
  });
  it('contains on ImageType tests each value', () => {
    expect(checkOn({ attribute: 'ImageType', op: 'contains', value: 'LOCALIZER' },
      { ImageType: ['ORIGINAL', 'PRIMARY', 'LOCALIZER'] }).passed).toBe(true);
    const t = checkOn({ attribute: 'ImageType', op: 'contains', value: 'LOCALIZER' }, ct);
    expect(t.passed).toBe(false);
    expect(t.why).toBe("ImageType is ['ORIGINAL', 'PRIMARY', 'AXIAL'], none containing 'LOCALIZER'");
  });
  it('startsWith', () => {
    expect(checkOn({ attribute: 'StudyDescription', op: 'startsWith', value: 'ct ch' }, ct).passed).toBe(true);
    expect(checkOn({ attribute: 'StudyDescription', op: 'startsWith', value: 'Chest' }, ct).passed).toBe(false);
    expect(checkOn({ attribute: 'StudyDescription', op: 'startsWith', value: 'ct', caseSensitive: true },
      ct).passed).toBe(false);
  });
  it('matches is a case-insensitive regex unless asked', () => {
    expect(checkOn({ attribute: 'StudyDescription', op: 'matches', value: '^ct\\s+chest' }, ct).passed).toBe(true);
    expect(checkOn({ attribute: 'StudyDescription', op: 'matches', value: '^ct\\s+chest', caseSensitive: true },
      ct).passed).toBe(false);
    const t = checkOn({ attribute: 'StudyDescription', op: 'matches', value: 'abd(omen)?' }, ct);
    expect(t.passed).toBe(false);
    expect(t.why).toContain("'CT Chest WO Contrast', not matching /abd(omen)?/i");
  });
  it('an invalid pattern that skipped validation fails the condition instead of throwing', () => {
    const t = checkOn({ attribute: 'StudyDescription', op: 'matches', value: '(chest' }, ct);
    expect([t.passed, t.why]).toEqual(
      [false, "StudyDescription is 'CT Chest WO Contrast', not matching /(chest/i (an invalid pattern)"]);
  });
  it('matches tests only the first 1024 characters of a value', () => {
    const long = `${'x'.repeat(1024)}TAIL`;
    expect(checkOn({ attribute: 'StudyDescription', op: 'matches', value: 'TAIL' },
      { StudyDescription: long }).passed).toBe(false);
    expect(checkOn({ attribute: 'StudyDescription', op: 'matches', value: 'x{1024}' },
      { StudyDescription: long }).passed).toBe(true);
  });
});

describe('numeric comparisons', () => {
  it.each([
    ['<', 1.5, true], ['<', 1.25, false], ['<=', 1.25, true], ['<=', 1, false],
    ['>', 1, true], ['>', 1.25, false], ['>=', 1.25, true], ['>=', 2, false],
  ] as const)('SliceThickness "1.25" %s %d → %s', (op, value, expected) => {
    expect(checkOn({ attribute: 'SliceThickness', op, value }, ct).passed).toBe(expected);
  });
  it('explains with the actual number', () => {
    expect(checkOn({ attribute: 'SliceThickness', op: '<=', value: 1.5 },
      { SliceThickness: 5 }).why).toBe('SliceThickness 5 is not <= 1.5');
    expect(checkOn({ attribute: 'SliceThickness', op: '<=', value: 1.5 },
      { SliceThickness: '1.0' }).why).toBe('SliceThickness 1 is <= 1.5');
  });
  it('a value that is not a number fails, and says so', () => {
    const t = checkOn({ attribute: 'StudyDescription', op: '>', value: 1 }, ct);
    expect(t.passed).toBe(false);
    expect(t.why).toBe("StudyDescription 'CT Chest WO Contrast' is not a number");
  });
  it('a multi-valued number passes when any value passes', () => {
    expect(checkOn({ attribute: 'PixelSpacing', op: '<', value: 0.6 },
      { PixelSpacing: ['0.7', '0.5'] }).passed).toBe(true);
    expect(checkOn({ attribute: 'PixelSpacing', op: '<', value: 0.4 },
      { PixelSpacing: ['0.7', '0.5'] }).passed).toBe(false);
  });
  it('a missing attribute fails every comparison', () => {
    const t = checkOn({ attribute: 'BodyPartExamined', op: '>', value: 0 }, ct);
    expect([t.passed, t.actual, t.why]).toEqual([false, null, 'BodyPartExamined is missing']);
  });
});

describe('exists / missing', () => {
  it('an empty string counts as missing', () => {
    expect(checkOn({ attribute: 'BodyPartExamined', op: 'missing' }, ct).passed).toBe(true);
    expect(checkOn({ attribute: 'BodyPartExamined', op: 'exists' }, ct).why).toBe('BodyPartExamined is missing');
  });
  it('a present attribute exists, with its value in the sentence', () => {
    const t = checkOn({ attribute: 'Modality', op: 'exists' }, ct);
    expect([t.passed, t.why]).toEqual([true, "Modality is present ('CT')"]);
    expect(checkOn({ attribute: 'Modality', op: 'missing' }, ct).passed).toBe(false);
  });
  it('a sequence exists though it has no comparable value', () => {
    const t = checkOn({ attribute: 'ReferencedImageSequence', op: 'exists' },
      { ReferencedImageSequence: [{ ReferencedSOPInstanceUID: '1.2' }] });
    expect(t.passed).toBe(true);
  });
});

describe('attributes by tag and node facts', () => {
  it('a tag in either spelling reads the keyword it names', () => {
    expect(checkOn({ attribute: '00080060', op: 'equals', value: 'CT' }, ct).passed).toBe(true);
    expect(checkOn({ attribute: '(0008,0060)', op: 'equals', value: 'CT' }, ct).passed).toBe(true);
    expect(checkOn({ attribute: '(0018,0050)', op: '<', value: 2 }, ct).passed).toBe(true);
  });
  it('a private tag reads the element stored under its tag', () => {
    expect(checkOn({ attribute: '(0009,1001)', op: 'equals', value: 'GE_GENESIS_FF' },
      { '00091001': 'GE_GENESIS_FF' }).passed).toBe(true);
  });
  it('CallingAE, CalledAE and Source come from the association', () => {
    expect(checkOn({ attribute: 'CallingAE', op: 'equals', value: 'ct_scanner' }, ct).passed).toBe(true);
    expect(checkOn({ attribute: 'CalledAE', op: 'equals', value: 'AI_NODE' }, ct).passed).toBe(true);
    expect(checkOn({ attribute: 'Source', op: 'equals', value: 'stow' }, ct).passed).toBe(false);
    expect(checkOn({ attribute: 'Source', op: 'equals', value: 'stow' }, ct, { source: 'stow' }).passed).toBe(true);
    expect(checkOn({ attribute: 'CallingAE', op: 'missing' }, ct, { callingAe: null }).passed).toBe(true);
  });
  it('TimeOfDay is HHMM of the completion time in local time', () => {
    const t = checkOn({ attribute: 'TimeOfDay', op: '>=', value: 800 }, ct,
      { completedAt: new Date(2024, 0, 2, 7, 59) });
    expect([t.passed, t.actual]).toEqual([false, 759]);
  });
});
