// Process-wide metrics the runner feeds as it works (the database-backed ones are computed at scrape time).
import { Histogram, Registry } from 'prom-client';

export const liveRegistry = new Registry();

/** Seconds per pipeline stage (route, load, infer, encode, export), observed when the runner records a stage. */
export const stageDurations = new Histogram({
  name: 'dain_stage_duration_seconds',
  help: 'Duration of each pipeline stage of a job, in seconds',
  labelNames: ['stage'] as const,
  buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
  registers: [liveRegistry],
});

export function observeStage(stage: string, ms: number): void {
  stageDurations.observe({ stage }, ms / 1000);
}
