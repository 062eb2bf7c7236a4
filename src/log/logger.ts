// The node's logger: winston JSON lines, one named event per line with fields, never PHI at info.
import winston from 'winston';

/** Every event the node logs, so operators can grep and alert on stable names. */
export type LogEvent =
  | 'node.started' | 'node.stopping' | 'node.stopped' | 'config.invalid'
  | 'dimse.listening' | 'dimse.association.accepted' | 'dimse.association.rejected'
  | 'dimse.association.released' | 'dimse.association.aborted' | 'dimse.protocol.violation'
  | 'dimse.echo' | 'store.instance.stored' | 'store.instance.replaced' | 'store.instance.failed'
  | 'store.journal.replayed' | 'store.journal.released' | 'store.journal.release_failed' | 'store.materialise.failed'
  | 'stow.request' | 'stow.request.aborted' | 'stow.instance.failed' | 'stow.host.rejected'
  | 'study.series.complete' | 'study.complete' | 'study.reopened'
  | 'retention.removed' | 'retention.failed' | 'http.listening' | 'http.error'
  | 'route.study.routed' | 'route.external.returned' | 'route.failed' | 'rules.loaded' | 'admin.token.generated'
  | 'admin.write' | 'route.study.rerouted' | 'route.reroute.failed'
  | 'model.ready' | 'model.refused' | 'model.provider.fallback' | 'model.run.timeout' | 'model.worker.error'
  | 'model.worker.failed' | 'model.worker.retired' | 'model.worker.stuck'
  | 'series.preload.started' | 'series.preload.used' | 'series.preload.dropped' | 'series.preload.failed'
  | 'series.assembly.started' | 'series.assembly.failed' | 'series.assembly.abandoned' | 'series.assembly.dropped'
  | 'model.remote.ready' | 'model.remote.not-ready' | 'model.remote.retry' | 'model.remote.circuit.open'
  | 'model.remote.circuit.closed'
  | 'job.started' | 'job.done' | 'job.failed' | 'job.abandoned' | 'job.lease.expired' | 'job.poll.failed'
  | 'export.delivered' | 'export.retry' | 'export.failed' | 'export.circuit.open' | 'export.circuit.closed'
  | 'node.crashed' | 'completion.sweep.failed' | 'job.lease.released' | 'job.temp.removed'
  | 'disk.reserve.released' | 'disk.reserve.restored'
  | 'review.decision' | 'review.preview.failed';

export type Fields = Record<string, unknown>;

export interface Logger {
  info(event: LogEvent, fields?: Fields): void;
  warn(event: LogEvent, fields?: Fields): void;
  error(event: LogEvent, fields?: Fields): void;
  debug(event: LogEvent, fields?: Fields): void;
  close(): Promise<void>;
}

export function createLogger(level: string): Logger {
  const w = winston.createLogger({
    level,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console({ stderrLevels: [] })],
  });
  // Checked first: winston formats (timestamp, JSON) every entry before its transport drops a filtered one.
  const at = (lvl: string) => (event: LogEvent, fields: Fields = {}) => {
    if (w.isLevelEnabled(lvl)) w.log(lvl, event, { event, ...fields });
  };
  return {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    close: () => new Promise((resolve) => { w.on('finish', () => resolve()); w.end(); setTimeout(resolve, 200); }),
  };
}
