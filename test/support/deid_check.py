# Independent check of a de-identified file (pydicom, not the node's code): reads PS3.15 Table E.1-1 from
# scripts/annex-e/table-e1-1.txt, works out each row's action under the profile, and reports every attribute the
# profile removes or replaces that is still there, PHI strings or original UIDs anywhere in the output bytes,
# elements the profile does not name whose values changed, and whether Pixel Data is byte-identical.
# Usage: python3 deid_check.py TABLE ORIGINAL DEIDENTIFIED PROFILE_JSON  ->  JSON on stdout
import json, sys
import pydicom

table_path, orig_path, out_path, profile = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
OPTS = {'retainUids': 'rtnUIDsOpt', 'retainDeviceIdentity': 'rtnDevIdOpt', 'retainInstitutionIdentity': 'rtnInstIdOpt',
        'retainPatientCharacteristics': 'rtnPatCharsOpt', 'cleanDescriptors': 'cleanDescOpt',
        'cleanStructuredContent': 'cleanStructContOpt'}
enabled = [col for key, col in OPTS.items() if profile.get(key)]
if profile.get('longitudinal') == 'full': enabled.append('rtnLongFullDatesOpt')
if profile.get('longitudinal') == 'modified': enabled.append('rtnLongModifDatesOpt')

rows = {}
for line in open(table_path, encoding='utf8'):
    if line.startswith('#') or not line.strip(): continue
    tag, name, _, basic, opts = line.rstrip('\n').split('|')
    opts = dict(kv.split('=') for kv in opts.split())
    codes = [opts[c] for c in enabled if c in opts]
    action = 'K' if 'K' in codes else 'C' if 'C' in codes else codes[0] if codes else basic
    rows[tag[1:10].replace(',', '').lower() if tag.startswith('(') and len(tag) == 11 else 'private'] = (name, action)

def row(tag):
    h = '%08x' % tag
    return rows.get(h) or rows.get(h[:2] + 'xx' + h[4:]) or rows.get(h[:2] + 'xxxxxx')

def walk(ds, path=''):
    for el in ds:
        yield path, el, ds
        if el.VR == 'SQ':
            for i, item in enumerate(el.value):
                yield from walk(item, f'{path}{el.tag}[{i}].')

def creator(el, ds):
    if el.tag.is_private_creator: return str(el.value).strip()
    c = ds.get(pydicom.tag.Tag(el.tag.group, el.tag.element >> 8))
    return str(c.value).strip() if c is not None else ''

orig = pydicom.dcmread(orig_path, force=True)
out = pydicom.dcmread(out_path, force=True)
raw = open(out_path, 'rb').read()
keep_creators = profile.get('keepPrivateCreators', [])
def values_of(el):
    return [str(v) for v in (el.value if isinstance(el.value, pydicom.multival.MultiValue) else [el.value])]

originals, uids = {}, set()
for _, el, _ in walk(orig):
    if el.VR != 'SQ' and el.value not in (None, '', b''):
        originals.setdefault(el.tag, set()).update(values_of(el))
        r = row(el.tag)
        if r and r[1] == 'U' and el.VR == 'UI': uids.update(originals[el.tag])

problems = []
for path, el, ds in walk(out):
    where = f'{path}{el.tag}'
    if el.tag.is_private:
        if creator(el, ds) not in keep_creators:
            problems.append(f'{where}: private element of creator "{creator(el, ds)}" remains')
        continue
    r = row(el.tag)
    if not r: continue
    name, action = r
    values = values_of(el)
    empty = el.value in (None, '', b'') or (el.VR == 'SQ' and len(el.value) == 0)
    before = originals.get(el.tag, set())
    if el.tag in (0x00100010, 0x00100020) and path == '':
        if str(el.value) in before or not str(el.value).startswith('ANON'):
            problems.append(f'{where} {name}: not a pseudonym')
    elif action in ('X', 'Z', 'X/Z') and not empty:
        problems.append(f'{where} {name}: {action} but has a value')
    elif action in ('D', 'X/D', 'Z/D', 'X/Z/D') and el.VR != 'SQ' and not empty and set(values) & before:
        problems.append(f'{where} {name}: {action} but keeps the original value')
    elif action == 'U' and not empty and any(v in before or not v.startswith('2.25.') for v in values):
        problems.append(f'{where} {name}: UID not replaced ({values})')
    elif (action == 'C' and el.VR == 'DA' and profile.get('longitudinal') == 'modified' and not empty
          and set(values) & before):
        problems.append(f'{where} {name}: date not shifted')

# PHI and original UIDs anywhere in the bytes (values the profile replaces must not survive in any element)
phi = [str(orig.get(t).value) for t in (0x00100010, 0x00100020, 0x00100030)
       if orig.get(t) is not None and len(str(orig.get(t).value)) >= 4]
for s in phi + sorted(u for u in uids if len(u) >= 8):
    if s.encode('latin1', 'replace') in raw: problems.append(f'original value {s!r} is still in the file')

# elements the profile does not name keep their values (top level, public, not added by de-identification)
added = {0x00120062, 0x00120063, 0x00120064, 0x00280303}
changed = []
for el in orig:
    t = el.tag
    kept_by_option = row(t) is not None and row(t)[1] == 'K'
    named = row(t) and not kept_by_option
    if t.is_private or t.element == 0 or 0x6000 <= t.group <= 0x60FF or named or t in added or el.VR == 'SQ':
        continue
    o = out.get(t)
    if o is None or o.value != el.value: changed.append(str(t))

pixel_identical = None
if 0x7FE00010 in orig:
    pixel_identical = 0x7FE00010 in out and out[0x7FE00010].value == orig[0x7FE00010].value
code_seq = out.get(0x00120064)
print(json.dumps({
    'problems': problems, 'unnamedChanged': changed, 'pixelIdentical': pixel_identical,
    'patientIdentityRemoved': str(out.get(0x00120062).value) if 0x00120062 in out else None,
    'methodCodes': ([str(i.CodeValue) + ':' + str(i.CodingSchemeDesignator) for i in code_seq.value]
                    if code_seq is not None else []),
    'studyUid': str(out.get(0x0020000D).value) if 0x0020000D in out else None,
    'referencedSeriesUids': sorted({str(i.SeriesInstanceUID) for i in out.get('ReferencedSeriesSequence', [])
                                    if 'SeriesInstanceUID' in i}),
    'seriesUid': str(out.get(0x0020000E).value) if 0x0020000E in out else None,
}))
