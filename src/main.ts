// Wiring only: load config → open db → start store, listeners, completion sweep and cron; stop cleanly.
import http from 'node:http';
import path from 'node:path';
import cron from 'node-cron';
import { sweepQuietPeriods, type CompletionEvent } from './assemble/completion.js';
import { createApp } from './api/app.js';
import { ConfigError, loadConfig, nodeIdOf } from './config/load.js';
import type { NodeConfig } from './config/schema.js';
import { openDatabase, transaction } from './db/database.js';
import { isPostgres } from './db/postgres.js';
import { listenForWork } from './db/listen.js';
import { createLogger, type Logger } from './log/logger.js';
import { exitOnUncaught } from './log/crash-handlers.js';
import { startDimseListener } from './receive/dimse-listener.js';
import { InstanceStore } from './store/instance-store.js';
import { applyRetention } from './store/retention.js';
import { loadModelRegistry, shutdown as stopModels } from './infer/index.js';
import { nodeOwnDir, projectRoot } from './paths.js';
import { resolveAdminTokens } from './api/admin-auth.js';
import { createRouter } from './jobs/routing.js';
import { startJobRunner } from './jobs/runner.js';
import { startSeriesPreloader, type SeriesPreloader } from './jobs/preload.js';
import { removeOrphanTempFiles } from './durable-file.js';
import { startOutbox } from './export/outbox.js';
import { metricsHandler } from './metrics/index.js';
import { seedRules } from './config/rules-file.js';

export async function runNode(config: NodeConfig, log: Logger): Promise<() => Promise<void>> {
  const dataDir = path.resolve(config.storage.dataDir);
  const db = openDatabase(dataDir, config.database.url);
  const node = nodeIdOf(config);
  // Several nodes share the data dir on PostgreSQL: each keeps its receive journal and temp files in its own folder.
  const shared = isPostgres(db);
  const ownDir = nodeOwnDir(dataDir, node, shared);
  let routeSoon = () => {};
  let preloads: SeriesPreloader | undefined;
  const onCompletion = (events: CompletionEvent[]) => {
    logCompletions(log, events);
    for (const e of events) if (e.kind === 'series-complete' && e.seriesUid)
      preloads?.seriesComplete(e.studyUid, e.seriesUid);
    if (events.some((e) => e.kind === 'study-complete')) routeSoon();
  };
  const store = new InstanceStore(db, dataDir, config.storage.minFreeMb * 1048576, log, onCompletion, ownDir);
  if (config.completion.assembleOnArrival)
    store.onInstanceStored((s) => preloads?.instanceStored(s.studyUid, s.seriesUid));
  await store.freeSpace();
  const models = await loadModelRegistry(path.resolve(projectRoot, config.models.dir), { log });
  seedRules(db, path.resolve(projectRoot, config.routing.rulesFile), models.list().map((m) => m.id), log);
  const tokens = resolveAdminTokens(config.admin, dataDir, log);
  const route = createRouter(db, log);
  // A preloaded volume waits at most the study's quiet period and a minute more for its job.
  preloads = startSeriesPreloader(db, dataDir, models, log, (config.completion.studyQuietSeconds + 60) * 1000);
  const outbox = startOutbox(db, config, log);
  // Shared: another pid may be a live node writing; a temp file an hour old is a dead one's.
  for (const file of await removeOrphanTempFiles(path.join(dataDir, 'results'), shared ? 3_600_000 : 0))
    log.warn('job.temp.removed', { file });
  const runner = startJobRunner({ db, config, log, models, outbox, dataDir, preloads });
  // Another node's commit wakes this node's idle stages at once; the polls below stay the fallback.
  const listener = shared ? listenForWork(config.database.url, log, {
    jobs: () => runner.kick(), deliveries: () => outbox.kick(), completions: () => routeSoon(),
  }) : undefined;
  const dimse = await startDimseListener(config, store, log);
  let dimseUp = true;

  const app = createApp({ config, db, store, log, dimseUp: () => dimseUp, models, tokens,
    metrics: metricsHandler(db, node), outbox, dataDir });
  routeSoon = () => setImmediate(() => { if (route() > 0) runner.kick(); });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(config.http.port, config.http.host, resolve));
  log.info('http.listening', { port: config.http.port, host: config.http.host });

  const quiet =
    { seriesMs: config.completion.seriesQuietSeconds * 1000, studyMs: config.completion.studyQuietSeconds * 1000 };
  const sweep = setInterval(() => {
    try {
      onCompletion(transaction(db, () => sweepQuietPeriods(db, quiet, Date.now())));
      if (route() > 0) runner.kick(); // also picks up completions left unrouted by a restart
    } catch (err) {
      // A busy or full database: the next tick tries again.
      log.error('completion.sweep.failed', { reason: (err as Error).message });
    }
  }, config.completion.sweepIntervalMs);
  const retention = cron.schedule(config.retention.schedule, () => {
    const dirs = { studiesDir: path.join(dataDir, 'studies'), resultsDir: path.join(dataDir, 'results') };
    applyRetention(db, dirs, config.retention.maxAgeDays, log).catch((err) =>
      log.error('retention.failed', { reason: (err as Error).message }));
  });
  log.info('node.started',
    { node, database: shared ? 'postgres' : 'sqlite', aeTitle: config.dicom.aeTitle, dimsePort: config.dicom.port,
      httpPort: config.http.port, dataDir });

  return async () => {
    log.info('node.stopping', { openAssociations: dimse.active });
    clearInterval(sweep);
    await retention.stop();
    await listener?.close();
    dimseUp = false;
    await Promise.all([dimse.close(10_000), new Promise((r) => server.close(r)).then(() => undefined)]);
    await runner.stop();
    preloads?.stop();
    await outbox.stop();
    server.closeAllConnections();
    await stopModels(models);
    await store.close();
    db.close();
    log.info('node.stopped');
  };
}

function logCompletions(log: Logger, events: CompletionEvent[]): void {
  for (const e of events) {
    if (e.kind === 'series-complete') log.info('study.series.complete',
      { studyUid: e.studyUid, seriesUid: e.seriesUid, reason: e.reason, instances: e.instances });
    if (e.kind === 'study-complete') log.info('study.complete',
      { studyUid: e.studyUid, reason: e.reason, revision: e.revision, instances: e.instances });
    if (e.kind === 'study-reopened') log.info('study.reopened', { studyUid: e.studyUid, revision: e.revision });
  }
}

export async function main(): Promise<void> {
  let config: NodeConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.log.level);
  exitOnUncaught(log);
  let stop: () => Promise<void>;
  try {
    stop = await runNode(config, log);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  let stopping = false;
  const onSignal = () => {
    if (stopping) return;
    stopping = true;
    stop().then(() => log.close()).then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err) => {
    process.stderr.write(`fatal: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
