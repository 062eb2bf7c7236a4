// A 17.7 MB object sent by C-STORE to DCMTK storescp: through the DIMSE transport (the sender worker) the node's
// event loop stays free, while the same SCU run on the main thread blocks it while dcmjs-dimse builds the PDUs.
// Both deliver the data set byte for byte. Figures are printed; this shared machine makes them noisy.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { part10Prefix } from '../../../src/dicom/part10-meta.js';
import { SOP, TS } from '../../../src/dicom/uids.js';
import type { DimseDestination } from '../../../src/export/destination.js';
import { storeBatch } from '../../../src/export/dimse-sender.js';
import { dimseTransport } from '../../../src/export/dimse-transport.js';
import type { Outcome } from '../../../src/export/policy.js';
import type { OutgoingObject } from '../../../src/export/transport.js';
import { startReferenceScp } from '../../support/dcmtk.js';

const PIXEL_BYTES = 17_700_000;

/** Explicit VR little endian: SOP class, SOP instance and a 17.7 MB OB pixel data, the size of the e2e SEG. */
function bigObject(dir: string): OutgoingObject {
  const uid = `2.25.${BigInt(`0x${crypto.randomBytes(15).toString('hex')}`)}`;
  const ui = (element: number, value: string) => {
    const v = Buffer.from(value.length % 2 ? `${value}\0` : value, 'latin1');
    const h = Buffer.alloc(8);
    h.writeUInt16LE(0x0008, 0); h.writeUInt16LE(element, 2); h.write('UI', 4, 'latin1'); h.writeUInt16LE(v.length, 6);
    return Buffer.concat([h, v]);
  };
  const pixels = Buffer.alloc(12);
  pixels.writeUInt16LE(0x7fe0, 0); pixels.writeUInt16LE(0x0010, 2); pixels.write('OB', 4, 'latin1');
  pixels.writeUInt32LE(PIXEL_BYTES, 8);
  const file = path.join(dir, 'big.dcm');
  fs.writeFileSync(file, Buffer.concat([part10Prefix(SOP.segmentationStorage, uid, TS.explicitLittle, ''),
    ui(0x0016, SOP.segmentationStorage), ui(0x0018, uid), pixels, crypto.randomBytes(PIXEL_BYTES)]));
  return { path: file, sopClassUid: SOP.segmentationStorage, sopInstanceUid: uid,
    transferSyntaxUid: TS.explicitLittle };
}

async function timedSend(send: () => Promise<Outcome[]>) {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const started = performance.now();
  const outcomes = await send();
  const ms = performance.now() - started;
  histogram.disable();
  return { outcomes, ms, maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 };
}

describe('C-STORE of a big object and the event loop', () => {
  let scp: Awaited<ReturnType<typeof startReferenceScp>>;
  let dir: string;
  beforeAll(async () => {
    scp = await startReferenceScp();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'big-send-'));
  });
  afterAll(() => { scp?.stop(); fs.rmSync(dir, { recursive: true, force: true }); });

  it('keeps the event loop free while the sender worker builds and sends the PDUs', { timeout: 120_000 }, async () => {
    const object = bigObject(dir);
    const d: DimseDestination = { id: 'ref', name: 'storescp', type: 'dimse', aeTitle: 'REFSCP', host: '127.0.0.1',
      port: scp.port } as DimseDestination;
    await dimseTransport.send(d, [object], 'AI_NODE_TEST'); // starts the sender worker and warms both paths
    await storeBatch(d, [object], 'AI_NODE_TEST');
    const rounds: Array<{
      main: Awaited<ReturnType<typeof timedSend>>; worker: Awaited<ReturnType<typeof timedSend>> }> = [];
    for (let round = 0; round < 3; round++) {
      const main = await timedSend(() => storeBatch(d, [object], 'AI_NODE_TEST'));
      const worker = await timedSend(() => dimseTransport.send(d, [object], 'AI_NODE_TEST'));
      rounds.push({ main, worker });
      console.log(
        `round ${round}: on the main thread ${main.ms.toFixed(0)} ms, event-loop delay max ${main.maxMs.toFixed(0)} ms`
        + ` p99 ${main.p99Ms.toFixed(0)} ms | sender worker ${worker.ms.toFixed(0)} ms, max ${worker.maxMs.toFixed(0)} ms p99 ${worker.p99Ms.toFixed(0)} ms`
        + ` (load ${os.loadavg()[0].toFixed(1)})`);
      for (const r of [main, worker]) expect(r.outcomes).toEqual([{ kind: 'delivered' }]);
    }
    const received = fs.readdirSync(scp.dir).map((f) => fs.readFileSync(path.join(scp.dir, f)));
    const sent = fs.readFileSync(object.path);
    expect(received.length).toBeGreaterThan(0);
    for (const r of received)
      expect(r.subarray(r.length - PIXEL_BYTES).equals(sent.subarray(sent.length - PIXEL_BYTES))).toBe(true);
    const best = (side: 'main' | 'worker') => Math.min(...rounds.map((r) => r[side].maxMs));
    // The least-disturbed round of each: the main thread's block is the PDU work itself, the worker's only the machine.
    // The delays are printed, not asserted: a timing comparison on this shared machine is a flake
    // (speed belongs in benchmarks).
    console.log(`event-loop delay max: worker ${best("worker")} ms, main ${best("main")} ms`);
  });
});
