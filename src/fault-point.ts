// Crash-test hook: DICOM_AI_NODE_CRASH_AT=<point>[:<n>] makes the node SIGKILL itself the n-th time
// (default 1st) it reaches that point of the store path, or of a job (inferred, before its results are committed).
// Compiled in so tests exercise the shipped code; does nothing when the variable is unset.
export type FaultPoint = 'journal-written' | 'acknowledged' | 'materialising' | 'job-running';

const [armedPoint, armedCount] = (process.env.DICOM_AI_NODE_CRASH_AT ?? '').split(':');
let remaining = Number(armedCount || 1);

export function faultPoint(point: FaultPoint): void {
  if (point !== armedPoint) return;
  if (--remaining === 0) process.kill(process.pid, 'SIGKILL');
}
