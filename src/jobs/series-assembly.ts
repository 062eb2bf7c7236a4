// Decodes a series while it arrives when the live rules would run a model on it (one series at a time; the preloader
// finishes the volume when the series completes). Arrivals re-plan a series at most every PLAN_EVERY_MS, the last
// of a burst included; stored files go to the decoder in batches; an assembly that sees no arrival for a while, or
// whose series never completes, is dropped, so a volume-sized buffer is never held for nothing.
import { warmModel, type ModelRegistry } from '../infer/index.js';
import { ArrivingSeries, type ArrivedFile } from '../infer/volume/index.js';
import type { Logger } from '../log/logger.js';

const PLAN_EVERY_MS = 500;
const BATCH_MS = 100;

export interface Assembly { seriesUid: string; series: ArrivingSeries }

export interface SeriesAssembler {
  /** An instance of the series is stored. Never throws. */
  stored(studyUid: string, seriesUid: string): void;
  /** The series' assembly, ended (its caller finishes or stops it), if one is running. */
  take(seriesUid: string): Assembly | undefined;
  stop(): void;
}

export function startSeriesAssembler(
  models: ModelRegistry, log: Logger, idleMs: number,
  plan: (studyUid: string, seriesUid: string) => string | undefined,
  filesOf: (seriesUid: string) => ArrivedFile[],
): SeriesAssembler {
  let current: (Assembly & { batch?: NodeJS.Timeout; idle: NodeJS.Timeout }) | undefined;
  let last = { seriesUid: '', at: 0 };
  let replan: NodeJS.Timeout | undefined;
  const end = () => {
    const a = current;
    if (a) { clearTimeout(a.batch); clearTimeout(a.idle); }
    current = undefined;
    return a;
  };
  const arrived = (a: NonNullable<typeof current>) => {
    a.idle.refresh();
    a.batch ??= unref(setTimeout(() => {
      a.batch = undefined;
      try {
        a.series.add(filesOf(a.seriesUid));
      } catch (err) {
        log.warn('series.assembly.failed', { seriesUid: a.seriesUid, reason: (err as Error).message });
      }
    }, BATCH_MS));
  };
  const stored = (studyUid: string, seriesUid: string): void => {
    try {
      if (current) { // one series assembles at a time; any other loads when it completes
        if (current.seriesUid === seriesUid) arrived(current);
        return;
      }
      const wait = last.seriesUid === seriesUid ? last.at + PLAN_EVERY_MS - Date.now() : 0;
      if (wait > 0) {
        replan ??= unref(setTimeout(() => { replan = undefined; stored(studyUid, seriesUid); }, wait));
        return;
      }
      last = { seriesUid, at: Date.now() };
      const modelId = plan(studyUid, seriesUid);
      if (!modelId || !models.get(modelId)?.manifest) return;
      warmModel(models, modelId);
      const idle = unref(setTimeout(() => {
        end()?.series.stop();
        log.info('series.assembly.dropped', { seriesUid, reason: 'no arrival or completion for a while' });
      }, idleMs));
      current = { seriesUid, series: new ArrivingSeries(), idle };
      arrived(current);
      log.info('series.assembly.started', { seriesUid, modelId });
    } catch (err) {
      log.warn('series.assembly.failed', { seriesUid, reason: (err as Error).message });
    }
  };
  return {
    stored,
    take(seriesUid) {
      if (last.seriesUid === seriesUid) { clearTimeout(replan); replan = undefined; }
      return current?.seriesUid === seriesUid ? end() : undefined;
    },
    stop() {
      clearTimeout(replan);
      end()?.series.stop();
    },
  };
}

function unref(timer: NodeJS.Timeout): NodeJS.Timeout {
  timer.unref();
  return timer;
}
