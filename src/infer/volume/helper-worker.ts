// Worker-thread entry of a loader helper: takes shares of the header pass and of the pixel pass, one
// request at a time, so a big series is parsed and decoded on every core (see assemble.ts).
import { answerRequests } from '../../worker-start.js';
import { fillSlices, type FileWork } from './fill.js';
import { readHeaders, type HeaderShare } from './headers.js';
import { permuteSlices } from './permute.js';
import { VolumeError } from './types.js';

export type HelperRequest =
  | { type: 'headers'; files: string[] }
  | { type: 'fill'; data: Float32Array; sliceSize: number; work: FileWork[] }
  | { type: 'permute'; data: Float32Array; sliceSize: number; source: number[] };
export type HelperReply =
  | { ok: true; headers?: HeaderShare }
  | { ok: false; code: VolumeError['code']; reason: string };

answerRequests(async (request: HelperRequest): Promise<HelperReply> => {
  try {
    return await answer(request);
  } catch (err) {
    return err instanceof VolumeError
      ? { ok: false, code: err.code, reason: err.reason }
      : { ok: false, code: 'WORKER_FAILED',
        reason: `unexpected error in a loader helper: ${(err as Error)?.message ?? String(err)}` };
  }
});

async function answer(request: HelperRequest): Promise<HelperReply> {
  if (request.type === 'headers') return { ok: true, headers: readHeaders(request.files) };
  if (request.type === 'permute') {
    permuteSlices(request.data, request.sliceSize, request.source);
    return { ok: true };
  }
  await fillSlices(request.data, request.sliceSize, request.work);
  return { ok: true };
}
