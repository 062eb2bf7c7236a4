// Builds a series' volume ahead of its job when the live rules (run on the study as it stands) would run a model on
// it: while its instances arrive, each is decoded once (one series at a time, infer/volume/arrival.ts), and when the
// series is complete the volume is finished (or loaded) while the study waits out its quiet period; the job then
// takes it instead of reading the files again. One volume is held at a time, dropped after a while if no job takes
// it; nothing is durable (after a restart the job loads from the files). Also starts the model's worker.
import path from 'node:path';
import { buildStudyFacts } from '../assemble/study-facts.js';
import type { Db } from '../db/database.js';
import { instancesOfSeries } from '../db/instances.js';
import { currentRules } from '../db/rule-versions.js';
import { warmModel, type ModelRegistry } from '../infer/index.js';
import { loadArrivedSeries, loadSeriesVolume, type ArrivedFile, type LoadedSeries } from '../infer/volume/index.js';
import type { Logger } from '../log/logger.js';
import { evaluateRules } from '../route/index.js';
import { startSeriesAssembler, type Assembly } from './series-assembly.js';

interface Preload { seriesUid: string; signature: string; volume: Promise<LoadedSeries>; timer: NodeJS.Timeout }

export interface SeriesPreloader {
  /** An instance of the series is stored: decode it now if a rule would run a model on the series. Never throws. */
  instanceStored(studyUid: string, seriesUid: string): void;
  /** A series has completed: preload it if a rule would run a model on it now. Never throws. */
  seriesComplete(studyUid: string, seriesUid: string): void;
  /** The preloaded volume of exactly these stored instances (taken once), or undefined. */
  take(seriesUid: string): Promise<LoadedSeries> | undefined;
  stop(): void;
}

/** `plan` names the model a job would run on the series now (by default: the live rules on the study as it stands). */
export function startSeriesPreloader(
  db: Db, dataDir: string, models: ModelRegistry, log: Logger, holdMs: number,
  plan: (studyUid: string, seriesUid: string) => string | undefined = (study, series) => plannedModel(
    db, study, series),
): SeriesPreloader {
  let held: Preload | undefined;
  const assembler = startSeriesAssembler(models, log, holdMs, plan,
    (seriesUid) => seriesFiles(db, dataDir, seriesUid).arrived);
  const drop = (reason: string) => {
    if (!held) return;
    clearTimeout(held.timer);
    log.info('series.preload.dropped', { seriesUid: held.seriesUid, reason });
    held = undefined;
  };
  return {
    instanceStored: assembler.stored,
    seriesComplete(studyUid, seriesUid) {
      const assembled = assembler.take(seriesUid);
      try {
        const modelId = plan(studyUid, seriesUid);
        const manifest = modelId ? models.get(modelId)?.manifest : undefined;
        if (!modelId || !manifest) return void assembled?.series.stop();
        drop('a newer preload replaced it');
        warmModel(models, modelId);
        const files = seriesFiles(db, dataDir, seriesUid);
        const options = { minSlices: manifest.applicability.minSlices };
        const decoded = assembled?.series.decoded ?? 0;
        const volume = assembled ? finishAssembly(assembled, files.arrived, options) : loadSeriesVolume(
          files.paths, options);
        volume.catch(() => {}); // a refusal waits for the job that takes it (its code fails that job), never unhandled
        const timer = setTimeout(() => drop('no job took it'), holdMs);
        timer.unref();
        held = { seriesUid, signature: files.signature, volume, timer };
        log.info('series.preload.started',
          { seriesUid, modelId, instances: files.paths.length, decodedOnArrival: decoded });
      } catch (err) {
        assembled?.series.stop();
        log.warn('series.preload.failed', { seriesUid, reason: (err as Error).message });
      }
    },
    take(seriesUid) {
      if (held?.seriesUid !== seriesUid) return undefined;
      const same = held.signature === seriesFiles(db, dataDir, seriesUid).signature;
      if (!same) return void drop('the series changed after it completed');
      const { volume } = held;
      clearTimeout(held.timer);
      held = undefined;
      log.info('series.preload.used', { seriesUid });
      return volume;
    },
    stop: () => {
      assembler.stop();
      drop('node stopping');
    },
  };

  async function finishAssembly(a: Assembly, files: ArrivedFile[],
    options: { minSlices?: number }): Promise<LoadedSeries> {
    const volume = await loadArrivedSeries(a.series, files, options);
    if (a.series.failure) log.warn('series.assembly.abandoned', { seriesUid: a.seriesUid, reason: a.series.failure });
    return volume;
  }
}

/** The model the live rules would run on this series if the study completed now. */
function plannedModel(db: Db, studyUid: string, seriesUid: string): string | undefined {
  const rules = currentRules(db);
  const facts = rules && buildStudyFacts(db, studyUid);
  if (!rules || !facts) return undefined;
  const planned = evaluateRules({ rules: rules.rules }, facts).planned;
  for (const p of planned)
    if (p.action.type === 'runModel' && p.seriesInstanceUids.includes(seriesUid)) return p.action.model;
  return undefined;
}

/** The job's input files (path order, as instanceFilesOfSeries gives them) and what identifies their content. */
function seriesFiles(db: Db, dataDir: string,
  seriesUid: string): { paths: string[]; signature: string; arrived: ArrivedFile[] } {
  const rows = instancesOfSeries(db, seriesUid).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const arrived = rows.map(
    (r) => ({ path: path.resolve(dataDir, r.path), key: `${r.path}:${r.size}:${r.receivedAt}` }));
  return { paths: arrived.map((f) => f.path), signature: arrived.map((f) => f.key).join('\n'), arrived };
}
