// Re-identifies the files of an external service's answer, run in the deid worker (in-worker.ts): files are read,
// scanned and rewritten off the event loop. The worker has no database, so a first pass collects every UID the
// objects ask the mapping about; the caller looks those up (one question, one answer) and a second pass rewrites.
// Each file ends ready (re-identified copy written) or quarantined (original copy written, with the code and why).
import fs from 'node:fs';
import path from 'node:path';
import { scanPart10Bytes, type ScannedHeader } from '../dicom/header-scan.js';
import { SC_AND_US_STORAGE_CLASSES, SOP, TS } from '../dicom/uids.js';
import { DeidError, type DeidErrorCode } from './errors.js';
import { reidentifyPart10 } from './reidentify.js';

export interface ReidWorkerRequest {
  kind: 'reidentify';
  /** the returned study's stored files */
  files: string[];
  /** the original patient and study attributes (reidentify.ts RESTORED) */
  study: Record<string, string>;
  readyDir: string;
  quarantineDir: string;
}

export type ReidFileOutcome =
  | { outcome: 'ready'; path: string; sopClassUid: string; sopInstanceUid: string; seriesUid: string;
    transferSyntaxUid: string; size: number }
  | { outcome: 'quarantined'; path: string; sopInstanceUid: string; code: DeidErrorCode; reason: string };

/** pseudonymous UIDs → their originals, for those the mapping knows */
export type LookUpOriginals = (pseudonyms: string[]) => Promise<Record<string, string>>;

const SR_ROOT = SOP.enhancedSrStorage.slice(0, SOP.enhancedSrStorage.lastIndexOf('.') + 1); // the 88.x SR classes

/** The 88.x classes: the SR documents, the Key Object Selection among them. */
export const isStructuredDocument = (sopClassUid: string) => sopClassUid.startsWith(SR_ROOT);

/** SEG, the SR classes (KOS among them) and Secondary Capture: what a service may return. */
export function isReturnableClass(sopClassUid: string): boolean {
  return sopClassUid === SOP.segmentationStorage || isStructuredDocument(sopClassUid)
    || SC_AND_US_STORAGE_CLASSES.has(sopClassUid);
}

export async function reidentifyFiles(req: ReidWorkerRequest, lookUp: LookUpOriginals): Promise<ReidFileOutcome[]> {
  const files = req.files.map((file) => fs.readFileSync(file)).map((bytes) => ({ bytes, header: headerOf(bytes) }));
  // UIDs the service created in this answer (its objects and their series) may be referenced between them
  const created = new Set(files
    .flatMap(({ header: h }) => (h ? [h.values.SOPInstanceUID, h.values.SeriesInstanceUID] : []))
    .filter((u): u is string => !!u));
  const asked = new Set<string>();
  const returnable = files.map(({ bytes, header }) => {
    if (!header || !isReturnableClass(header.values.SOPClassUID ?? '')) return false;
    attempt(() => reidentifyPart10(bytes, (p) => { asked.add(p); return undefined; }, created, req.study));
    return true;
  });
  const originals = asked.size ? await lookUp([...asked]) : {};
  return files.map(({ bytes, header }, i): ReidFileOutcome => {
    const sop = header?.values.SOPInstanceUID ?? '';
    const quarantine = (code: DeidErrorCode, reason: string): ReidFileOutcome => {
      const to = path.join(req.quarantineDir, `${i}.dcm`);
      fs.mkdirSync(req.quarantineDir, { recursive: true });
      fs.writeFileSync(to, bytes);
      return { outcome: 'quarantined', path: to, sopInstanceUid: sop, code, reason };
    };
    if (!header) return quarantine('REID_UNPARSEABLE', 'not a readable DICOM Part 10 file');
    const sopClass = header.values.SOPClassUID ?? '';
    if (!returnable[i]) {
      return quarantine('REID_UNKNOWN_UID', `SOP class ${sopClass} is not a result (SEG, SR, KOS, SC)`);
    }
    const r = attempt(() => reidentifyPart10(bytes, (p) => originals[p], created, req.study));
    if (r instanceof DeidError) return quarantine(r.code, r.message);
    if (r.unknown.length) {
      return quarantine('REID_UNKNOWN_UID', `references ${r.unknown.length} UID(s) the mapping does not know`);
    }
    const to = path.join(req.readyDir, `${i}.dcm`);
    fs.mkdirSync(req.readyDir, { recursive: true });
    fs.writeFileSync(to, r.bytes);
    return { outcome: 'ready', path: to, sopClassUid: r.sopClassUid, sopInstanceUid: r.sopInstanceUid,
      seriesUid: r.seriesUid, transferSyntaxUid: header.transferSyntaxUid || TS.explicitLittle, size: r.bytes.length };
  });
}

function headerOf(bytes: Buffer): ScannedHeader | undefined {
  try { return scanPart10Bytes(bytes); } catch { return undefined; }
}

/** The value, or the DeidError it threw (any other error is a bug and propagates). */
function attempt<T>(fn: () => T): T | DeidError {
  try { return fn(); } catch (err) {
    if (err instanceof DeidError) return err;
    throw err;
  }
}
