// DICOMweb STOW-RS (PS3.18 10.5): multipart/related application/dicom parts streamed into the
// store; answers 200 / 202 / 409 with a dicom+json Store Instances Response, 415 and 400 otherwise.
import type { Request, Response } from 'express';
import type { Logger } from '../log/logger.js';
import type { InstanceStore, StoredInstance } from '../store/instance-store.js';
import type { InstanceWriter } from '../store/instance-writer.js';
import { StoreError } from '../store/status.js';
import { problem } from '../http/problem.js';
import { MalformedMultipart, MultipartRelatedParser, parseMultipartRelated } from './multipart-related.js';

interface PartOutcome { stored?: StoredInstance; error?: StoreError }

export function stowHandler(store: InstanceStore, log: Logger) {
  return async (req: Request, res: Response): Promise<void> => {
    const started = Date.now();
    const studyUid = typeof req.params.study === 'string' ? req.params.study : undefined;
    const ct = parseMultipartRelated(req.headers['content-type']);
    if (!ct || (ct.type && ct.type.toLowerCase() !== 'application/dicom')) {
      return problem(res, 415, 'STOW_UNSUPPORTED_MEDIA_TYPE', 'send multipart/related; type="application/dicom"');
    }
    if (!ct.boundary) return problem(res, 400, 'STOW_MALFORMED_MULTIPART', 'Content-Type has no boundary parameter');

    const commits: Promise<PartOutcome>[] = [];
    const dropped: Promise<void>[] = [];
    let writersUnderPressure = 0;
    const parser = new MultipartRelatedParser(ct.boundary, (headers) => {
      const partType = (headers['content-type'] ?? 'application/dicom').split(';')[0].trim().toLowerCase();
      const writer = store.begin(null, (paused) => {
        writersUnderPressure += paused ? 1 : -1;
        if (writersUnderPressure > 0) req.pause();
        else req.resume();
      });
      if (partType !== 'application/dicom') writer.discard(
        new StoreError('STORE_UNPARSEABLE', `part has Content-Type ${partType}, expected application/dicom`));
      return {
        write: (c) => writer.write(c),
        end: () => commits.push(commitPart(store, writer, studyUid)),
        abort: () => { dropped.push(writer.abandon()); },
      };
    });

    try {
      for await (const chunk of req) parser.push(chunk as Buffer);
      parser.finish();
    } catch (err) {
      // The part in progress is dropped with its temporary file (a client that went away would
      // otherwise leave a .part file behind). Parts that were complete before the malformed tail
      // stay stored: each is whole, and a client that retries replaces them (same SOP Instance UIDs).
      parser.abort();
      await Promise.all([...commits, ...dropped]);
      const reason = err instanceof MalformedMultipart ? err.message
        : `request body could not be read: ${(err as Error).message}`;
      log.warn('stow.request.aborted', { parts: commits.length, reason });
      if (!res.headersSent) return problem(res, 400, 'STOW_MALFORMED_MULTIPART', reason);
      return;
    }
    const outcomes = await Promise.all(commits);
    const stored = outcomes.filter((o) => o.stored).length;
    const status = outcomes.length === 0 ? 400 : stored === outcomes.length ? 200 : stored === 0 ? 409 : 202;
    log.info('stow.request', { studyUid: studyUid ?? null, parts: outcomes.length, stored,
      failed: outcomes.length - stored, status, ms: Date.now() - started });
    if (outcomes.length === 0) return problem(res, 400, 'STOW_NO_PARTS', 'the multipart body holds no parts');
    res.status(status).type('application/dicom+json')
      .send(JSON.stringify(storeInstancesResponse(outcomes, baseUrl(req))));
  };
}

async function commitPart(store: InstanceStore, writer: InstanceWriter,
  studyUid: string | undefined): Promise<PartOutcome> {
  try {
    const stored = await store.commit(writer,
      { source: 'stow', callingAe: null, calledAe: null, expectedStudyUid: studyUid });
    await stored.visible; // the response names RetrieveURLs: they must answer
    return { stored };
  } catch (err) {
    return { error: err as StoreError };
  }
}

function storeInstancesResponse(outcomes: PartOutcome[], base: string): Record<string, unknown> {
  const ok = outcomes.filter((o) => o.stored).map((o) => o.stored!);
  const failed = outcomes.filter((o) => o.error).map((o) => o.error!);
  const body: Record<string, unknown> = {};
  if (ok.length) {
    body['00081190'] = { vr: 'UR', Value: [`${base}/studies/${ok[0].studyUid}`] };
    body['00081199'] = {
      vr: 'SQ',
      Value: ok.map((s) => ({
        '00081150': { vr: 'UI', Value: [s.sopClassUid] },
        '00081155': { vr: 'UI', Value: [s.sopInstanceUid] },
        '00081190': { vr: 'UR',
          Value: [`${base}/studies/${s.studyUid}/series/${s.seriesUid}/instances/${s.sopInstanceUid}`] },
      })),
    };
  }
  if (failed.length) {
    body['00081198'] = {
      vr: 'SQ',
      Value: failed.map((e) => ({
        '00081197': { vr: 'US', Value: [e.status] },
        '00000902': { vr: 'LO', Value: [`${e.code}: ${e.message}`.slice(0, 64)] },
      })),
    };
  }
  return body;
}

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}/dicomweb`;
}
