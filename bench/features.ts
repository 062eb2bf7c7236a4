// Benchmark: IBSI features (every family) for a 300 × 512² CT (0.7 × 0.7 × 1 mm) with a 500 ml and a 20 ml segment,
// through the feature workers as the pipeline runs them (one per core, segments shared out, kept warm). Prints wall
// time per configuration (CT defaults, 2 mm: cold, warm, one cold worker for comparison; the native grid), time per
// segment inside the workers, peak RSS and the main thread's event-loop delay while they run.
// Target: ≤ 2 s in total for the CT defaults.
import { loadavg } from 'node:os';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { CT_FEATURE_DEFAULTS, type FeatureConfig } from '../src/features/index.js';
import type { FeatureRequest } from '../src/features/feature-worker.js';
import { featureWorkersFor, measureSegmentsInWorker,
  stopIdleFeatureWorkers } from '../src/features/measure-in-worker.js';

const X = 512, Y = 512, Z = 300, SPACING = [1, 0.7, 0.7] as const;

/** Soft tissue with texture, two spheres (500 ml, 20 ml) of denser, noisier tissue; deterministic. */
function series(): { image: Float32Array; labels: Uint8Array } {
  const image = new Float32Array(new SharedArrayBuffer(X * Y * Z * 4));
  const labels = new Uint8Array(new SharedArrayBuffer(X * Y * Z));
  const r500 = Math.cbrt((3 * 500_000) / (4 * Math.PI)), r20 = Math.cbrt((3 * 20_000) / (4 * Math.PI)); // mm
  let seed = 12345;
  const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5);
  const waveX = Float32Array.from({ length: X }, (_, x) => Math.sin((x * SPACING[2]) / 7));
  const waveY = Float32Array.from({ length: Y }, (_, y) => Math.cos((y * SPACING[1]) / 5));
  const inBall = (dx: number, dy: number, dz: number, r: number) => dx * dx + dy * dy + dz * dz <= r * r;
  for (let z = 0, v = 0; z < Z; z++) {
    for (let y = 0; y < Y; y++) {
      for (let x = 0; x < X; x++, v++) {
        const mmX = x * SPACING[2], mmY = y * SPACING[1], mmZ = z * SPACING[0];
        const big = inBall(mmX - 180, mmY - 180, mmZ - 150, r500);
        const small = !big && inBall(mmX - 260, mmY - 100, mmZ - 100, r20);
        labels[v] = big ? 1 : small ? 2 : 0;
        image[v] = Math.round((big ? 60 : small ? 120 : 20) + 40 * noise() + 15 * waveX[x]! * waveY[y]!);
      }
    }
  }
  return { image, labels };
}

async function run(name: string, config: FeatureConfig, base: Omit<FeatureRequest, 'config'>,
  workers?: number): Promise<void> {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const used = workers ?? featureWorkersFor(base.segments.length), load = loadavg()[0]!.toFixed(1);
  const t0 = performance.now(), cpu0 = process.cpuUsage();
  const reply = await measureSegmentsInWorker({ ...base, config }, workers);
  const ms = performance.now() - t0, cpu = process.cpuUsage(cpu0);
  delay.disable();
  if (!reply.ok) throw new Error(`${reply.code}: ${reply.message}`);
  const perSegment = reply.segments.map((s) => `${s.label} ${s.ms} ms (${s.features.length} features)`).join(', ');
  console.log(`${name}: ${used} worker(s) at load ${load}: ${ms.toFixed(0)} ms wall, `
    + `${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU (all threads); `
    + `in the workers: ${perSegment}; `
    + `event-loop delay max ${(delay.max / 1e6).toFixed(1)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`);
}

const t0 = performance.now();
const { image, labels } = series();
console.log(`series built in ${(performance.now() - t0).toFixed(0)} ms: ${Z} × ${Y} × ${X}, 500 ml and 20 ml spheres`);
const base = { image, labels, dims: [Z, Y, X] as const, spacing: SPACING,
  segments: [{ label: '500 ml', labelValues: [1] }, { label: '20 ml', labelValues: [2] }] };
await run('CT defaults (2 mm, FBS 25 HU), cold workers (thread start, module load, JIT warm-up included)',
  CT_FEATURE_DEFAULTS, base);
await run('CT defaults, the same workers again (warm, as for the next series within 30 s)', CT_FEATURE_DEFAULTS, base);
stopIdleFeatureWorkers();
await run('CT defaults, two cold workers whatever the load', CT_FEATURE_DEFAULTS, base, 2);
stopIdleFeatureWorkers();
await run('CT defaults, one cold worker for both segments', CT_FEATURE_DEFAULTS, base, 1);
stopIdleFeatureWorkers();
await run('native grid (no resampling, FBS 25 HU), cold workers', { ...CT_FEATURE_DEFAULTS, resampling: null }, base);
stopIdleFeatureWorkers();
const inputMb = (X * Y * Z * 5) / 2 ** 20;
console.log(
  `peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (the series alone is ${inputMb.toFixed(0)} MB)`);
