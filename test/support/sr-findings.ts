// Independent reader of the findings in a TID 1500 SR: pydicom walks the content tree and returns each measurement
// group's tracking identifier, finding, score, qualitative evaluation, image references and spatial coordinates, and
// the report's top-level Qualitative Evaluations (absent findings) as one more group without tracking.
import { execFileSync } from 'node:child_process';

export interface SrGroup {
  template: string | null;
  tracking: string | null;
  finding: string | null;
  /** NUM values by concept code value (e.g. 111012 Certainty of Finding) */
  nums: Record<string, number>;
  /** TEXT values by concept code value (e.g. 111002 Algorithm Parameters) */
  texts: Record<string, string[]>;
  /** qualitative evaluations: concept code value → value code value (52101004 Present, 2667000 Absent) */
  evaluations: Record<string, string>;
  /** every IMAGE reference anywhere in the group: [SOP Instance UID, frame number or null] */
  images: Array<[string, number | null]>;
  /** every SCOORD in the group: graphic type, data (column, row pairs) and the image it lies on */
  scoords: Array<{ type: string; data: number[]; image: string | null }>;
}

const SCRIPT = `
import sys, json, pydicom
ds = pydicom.dcmread(sys.argv[1])
def cv(seq):
    return str(seq[0].CodeValue) if seq else None
def walk(items, g):
    for it in items:
        vt = it.ValueType
        concept = cv(it.get('ConceptNameCodeSequence'))
        if vt == 'TEXT' and concept == '112039': g['tracking'] = str(it.TextValue)
        elif vt == 'TEXT': g['texts'].setdefault(concept, []).append(str(it.TextValue))
        elif vt == 'NUM': g['nums'][concept] = float(it.MeasuredValueSequence[0].NumericValue)
        elif vt == 'CODE' and concept == '121071': g['finding'] = cv(it.ConceptCodeSequence)
        elif vt == 'CODE': g['evaluations'][concept] = cv(it.ConceptCodeSequence)
        elif vt == 'IMAGE':
            r = it.ReferencedSOPSequence[0]
            g['images'].append([str(r.ReferencedSOPInstanceUID), int(r.ReferencedFrameNumber) if 'ReferencedFrameNumber' in r else None])
        elif vt == 'SCOORD':
            refs = [c for c in it.get('ContentSequence', []) if c.ValueType == 'IMAGE']
            img = str(refs[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID) if refs else None
            g['scoords'].append({'type': str(it.GraphicType), 'data': [float(x) for x in it.GraphicData], 'image': img})
            continue
        if 'ContentSequence' in it: walk(it.ContentSequence, g)
groups = []
for top in ds.ContentSequence:
    if top.ValueType == 'CONTAINER' and cv(top.ConceptNameCodeSequence) == '126010':
        for grp in top.ContentSequence:
            t = grp.get('ContentTemplateSequence')
            g = {'template': str(t[0].TemplateIdentifier) if t else None, 'tracking': None, 'finding': None, 'nums': {},
                 'texts': {}, 'evaluations': {}, 'images': [], 'scoords': []}
            walk(grp.ContentSequence, g)
            groups.append(g)
    if top.ValueType == 'CONTAINER' and cv(top.ConceptNameCodeSequence) == 'C0034375':
        g = {'template': None, 'tracking': None, 'finding': None, 'nums': {}, 'texts': {}, 'evaluations': {}, 'images': [], 'scoords': []}
        walk(top.ContentSequence, g)
        groups.append(g)
print(json.dumps(groups))
`;

export function readSrGroups(file: string): SrGroup[] {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', SCRIPT, file],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }));
}
