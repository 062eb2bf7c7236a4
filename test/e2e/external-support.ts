// Shared steps of the external AI end-to-end tests: what identifies the sent CT (as pydicom reads it), and the
// small external AI service process (test/support/external-ai.ts) started against an Orthanc inbox.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../support/node-process.js';

export interface Identity { name: string; id: string; birthDate: string; uids: string[]; sops: string[] }

/** Patient and study identity of the sent CT, and every UID in it, as pydicom reads the files. */
export function identityOf(files: string[]): Identity {
  const py = `import pydicom,sys,json
uids=set(); sops=[]
def walk(ds):
  for e in ds:
    if e.VR=='UI' and e.value and not str(e.value).startswith('1.2.840.10008'): uids.add(str(e.value))
    if e.VR=='SQ':
      for it in e.value: walk(it)
for f in sys.argv[1:]:
  d=pydicom.dcmread(f); walk(d); sops.append(str(d.SOPInstanceUID))
print(json.dumps({'name':str(d.PatientName),'id':str(d.PatientID),'birthDate':str(d.get('PatientBirthDate','')),
  'uids':sorted(uids),'sops':sops}))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', py, ...files], { encoding: 'utf8' }));
}

/** The service watching `inboxUrl` (an Orthanc REST root); `args` say how it answers (see external-ai.ts). */
export function startExternalService(inboxUrl: string, work: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', `${repoRoot}/test/support/external-ai.ts`, '--orthanc', inboxUrl,
    '--work', work, ...args], { stdio: 'ignore', cwd: repoRoot });
}

export const putJson = (body: unknown) =>
  ({ method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
