// The series preloader on a real database and real files: a job gets the preloaded volume only while the series'
// stored instances are exactly those that were loaded; a changed series is dropped (the job then reads the files).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/db/database.js';
import { upsertInstance } from '../../../src/db/instances.js';
import { SOP, TS } from '../../../src/dicom/uids.js';
import type { ModelRegistry } from '../../../src/infer/index.js';
import { startSeriesPreloader } from '../../../src/jobs/preload.js';
import type { Logger } from '../../../src/log/logger.js';
import { writeSyntheticCtSeries, type SyntheticSeries } from '../../../src/synthetic/index.js';

describe('series preloader', () => {
  let dir: string;
  let db: Db;
  let series: SyntheticSeries;
  const events: Array<{ event: string; fields?: Record<string, unknown> }> = [];
  const log = { info: (event: string, fields?: Record<string, unknown>) => events.push({ event, fields }), warn() {},
    error() {}, debug() {} } as unknown as Logger;
  const warmed: string[] = [];
  const registry = {
    get: (id: string) =>
      ({ id, state: 'ready', manifest: { applicability: { minSlices: 1 } }, backend: { warm: () => warmed.push(id) } }),
  } as unknown as ModelRegistry;
  const store = (file: string, n: number, receivedAt: number) => upsertInstance(db, {
    sopInstanceUid: `2.25.${n}`, sopClassUid: SOP.ctImageStorage, studyUid: series.studyInstanceUid,
    seriesUid: series.seriesInstanceUid, patientId: null, transferSyntaxUid: TS.explicitLittle,
    size: fs.statSync(file).size, path: file, callingAe: null, calledAe: null, source: 'dimse', receivedAt,
  });

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preloader-'));
    db = openDatabase(dir);
    series = await writeSyntheticCtSeries(path.join(dir, 'series'), { slices: 5, columns: 32, rows: 32 });
    series.files.slice(0, 4).forEach((f, n) => store(f, n, 1000 + n));
  });
  afterAll(() => { db.close(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('hands the job the volume of the instances stored when the series completed, once', async () => {
    const preloader = startSeriesPreloader(db, dir, registry, log, 60_000, () => 'model-a');
    preloader.seriesComplete(series.studyInstanceUid, series.seriesInstanceUid);
    expect(warmed).toEqual(['model-a']);
    const loaded = await preloader.take(series.seriesInstanceUid);
    expect(loaded?.volume.dims).toEqual([32, 32, 4]);
    expect(preloader.take(series.seriesInstanceUid)).toBeUndefined(); // taken once
    preloader.stop();
  });

  it('drops the preload when an instance arrived after the load: the job reads the files itself', async () => {
    const preloader = startSeriesPreloader(db, dir, registry, log, 60_000, () => 'model-a');
    preloader.seriesComplete(series.studyInstanceUid, series.seriesInstanceUid);
    store(series.files[4]!, 4, 2000);
    expect(preloader.take(series.seriesInstanceUid)).toBeUndefined();
    expect(events.filter((e) => e.event === 'series.preload.dropped').at(-1)?.fields).toMatchObject(
      { reason: 'the series changed after it completed' });
    preloader.stop();
  });

  it('drops the preload when an instance was received again (same path, new arrival)', async () => {
    const preloader = startSeriesPreloader(db, dir, registry, log, 60_000, () => 'model-a');
    preloader.seriesComplete(series.studyInstanceUid, series.seriesInstanceUid);
    store(series.files[0]!, 0, 3000);
    expect(preloader.take(series.seriesInstanceUid)).toBeUndefined();
    preloader.stop();
  });

  it('loads nothing for a series no rule would run a model on, and never for another series', () => {
    const preloader = startSeriesPreloader(db, dir, registry, log, 60_000, () => undefined);
    const before = events.filter((e) => e.event === 'series.preload.started').length;
    preloader.seriesComplete(series.studyInstanceUid, series.seriesInstanceUid);
    expect(events.filter((e) => e.event === 'series.preload.started').length).toBe(before);
    expect(preloader.take(series.seriesInstanceUid)).toBeUndefined();
    expect(preloader.take('2.25.999')).toBeUndefined();
    preloader.stop();
  });
});
