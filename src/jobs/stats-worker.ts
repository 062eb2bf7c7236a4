// Worker-thread entry: per-segment HU statistics from the label volume, on its own core while the encode worker
// builds the SEG. Labels and intensities arrive as views on SharedArrayBuffers, so nothing large is copied.
import { performance } from 'node:perf_hooks';
import { segmentStatistics, type SegmentStatistics } from '../encode/intensity-stats.js';
import type { LabelVolume, SegmentDescription } from '../encode/types.js';
import { answerRequests } from '../worker-start.js';
import { encodeFailure, type EncodeFailure } from './encode-failure.js';

export interface StatisticsRequest { labels: LabelVolume; segments: SegmentDescription[]; intensities: Float32Array }
export type StatisticsReply = { ok: true; statistics: SegmentStatistics; ms: number } | EncodeFailure;

answerRequests(measureSegments, { once: true });

function measureSegments(r: StatisticsRequest): StatisticsReply {
  const t0 = performance.now();
  try {
    const statistics = segmentStatistics({ labels: r.labels }, r.segments, r.intensities);
    return { ok: true, statistics, ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return encodeFailure(err);
  }
}
