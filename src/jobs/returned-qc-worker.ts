// Worker-thread entry of a reidentify job whose external action has `qc`: the returned SEG read, placed on the source
// series' grid and checked (returned-qc.ts), off the event loop; a one-shot thread per answer.
import fs from 'node:fs';
import { answerRequests } from '../worker-start.js';
import type { ExternalQc } from '../route/index.js';
import { checkReturnedSeg, type ReturnedQc } from './returned-qc.js';

export interface ReturnedQcRequest { segPath: string | null; sourceFiles: string[]; qc: ExternalQc }
export type ReturnedQcReply = ({ ok: true } & ReturnedQc) | { ok: false; message: string };

answerRequests((r: ReturnedQcRequest): ReturnedQcReply => {
  try {
    const segBytes = r.segPath === null ? null : new Uint8Array(fs.readFileSync(r.segPath));
    return { ok: true, ...checkReturnedSeg({ segBytes, sourceFiles: r.sourceFiles, qc: r.qc }) };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}, { once: true });
