// A model served by a KServe v2 server: the shared worker pool runs pre/post-processing and the client (in its
// workers); this side checks readiness periodically and keeps a circuit breaker, so a dead server fails fast.
import { CircuitBreakers } from '../../circuit-breaker.js';
import type { BackendStatus, ModelBackend } from '../model-backend.js';
import { InferenceError } from '../errors.js';
import type { ModelManifest, RemoteBackend } from '../manifest.js';
import type { StageTimings } from '../pipeline.js';
import type { Volume } from '../volume/types.js';
import type { ModelWorkerPool } from '../worker-pool.js';
import type { InferLogger } from '../worker-slot.js';
import type { Image2dSource, ImageOutput } from '../image2d/run.js';
import { openKserveClient } from './client.js';
import type { KserveClient } from './protocol.js';
import { checkReadiness, type Readiness } from './readiness.js';

/** Codes that say the server (not the request) failed: they count against the circuit. */
const SERVER_FAILURES = new Set(['KSERVE_UNAVAILABLE', 'KSERVE_TIMEOUT', 'MODEL_TIMEOUT']);

export class KserveBackend implements ModelBackend {
  readonly provider = 'kserve-v2';
  private readonly settings: RemoteBackend;
  private readonly client: KserveClient;
  private readonly circuit: CircuitBreakers;
  private readiness: Readiness = { state: 'not-ready', reason: 'not checked yet' };
  private checkedAt?: Date;
  private timer?: NodeJS.Timeout;

  constructor(private readonly pool: ModelWorkerPool, private readonly manifest: ModelManifest,
    private readonly log: InferLogger) {
    this.settings = manifest.backend!;
    this.client = openKserveClient(this.settings); // readiness and metadata only: small messages on this thread
    this.circuit = new CircuitBreakers(this.settings.circuitFailures ?? 3,
      (this.settings.circuitCoolDownSeconds ?? 30) * 1000);
  }

  /** The pool's workers start with the first run; nothing opens locally, so only the server is checked. */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), (this.settings.readinessIntervalSeconds ?? 30) * 1000);
    this.timer.unref();
  }

  run(volume: Volume, labels: Uint8Array, timeoutMs?: number): Promise<StageTimings> {
    return this.guarded(() => this.pool.run(volume, labels, timeoutMs));
  }

  run2d(source: Image2dSource, timeoutMs?: number): Promise<{ images: ImageOutput[]; timings: StageTimings }> {
    return this.guarded(() => this.pool.run2d(source, timeoutMs));
  }

  /** Readiness and the circuit around one run, whatever its kind. */
  private async guarded<T>(work: () => Promise<T>): Promise<T> {
    if (this.readiness.state !== 'ready') await this.check(); // the last check may be stale: ask once more
    const readiness = this.readiness;
    if (readiness.state !== 'ready') {
      throw new InferenceError(readiness.state === 'mismatch' ? 'MODEL_IO_MISMATCH' : 'MODEL_NOT_READY',
        readiness.reason);
    }
    const key = this.settings.url;
    const gate = this.circuit.admit(key, Date.now());
    if (gate === 'blocked') {
      throw new InferenceError('KSERVE_CIRCUIT_OPEN',
        `the last runs on ${this.settings.url} failed; it rests until the cool-down ends`);
    }
    try {
      const result = await work();
      this.record(true, '');
      return result;
    } catch (error) {
      const code = (error as InferenceError).code;
      this.record(!SERVER_FAILURES.has(code), (error as Error).message);
      // A model unloaded since the last check fails its request; say so with the code an admin can act on.
      await this.check();
      if (this.readiness.state === 'not-ready') {
        throw new InferenceError('MODEL_NOT_READY',
          `${this.readiness.reason} (the run failed: ${(error as Error).message})`);
      }
      throw error;
    }
  }

  warm(): void { this.pool.warm(); }

  status(): BackendStatus {
    const s = this.settings;
    return {
      type: 'kserve-v2', state: this.readiness.state,
      ...('reason' in this.readiness ? { reason: this.readiness.reason } : {}),
      protocol: s.protocol, url: s.url, model: s.model, ...(s.version ? { version: s.version } : {}),
      ...(this.checkedAt ? { checkedAt: this.checkedAt.toISOString() } : {}),
      circuit: this.circuit.isOpen(s.url) ? 'open' : 'closed',
    };
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.client.close();
    await this.pool.close();
  }

  /** Logs only changes of state, so a server down for hours logs once, not every interval. */
  private async check(): Promise<void> {
    const next = await checkReadiness(this.client, this.manifest);
    const changed = next.state !== this.readiness.state;
    this.readiness = next;
    this.checkedAt = new Date();
    if (!changed) return;
    const fields = { modelId: this.manifest.id, url: this.settings.url, remoteModel: this.settings.model };
    if (next.state === 'ready') this.log.info('model.remote.ready', fields);
    else this.log.warn('model.remote.not-ready', { ...fields, state: next.state, reason: next.reason });
  }

  private record(serverAnswered: boolean, reason: string): void {
    const change = this.circuit.record(this.settings.url, serverAnswered, Date.now());
    const fields = { modelId: this.manifest.id, url: this.settings.url };
    if (change === 'opened') this.log.warn('model.remote.circuit.open', { ...fields, reason });
    if (change === 'closed') this.log.info('model.remote.circuit.closed', fields);
  }
}
