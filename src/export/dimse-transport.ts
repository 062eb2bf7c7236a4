// The DIMSE transport: C-STORE batches go to one shared sender worker (dimse-send-worker.ts, started on the first
// send, kept for the next), so building PDUs never blocks the event loop; C-ECHO stays here (a few bytes).
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../worker-start.js';
import type { DimseDestination } from './destination.js';
import { echo } from './dimse-echo.js';
import { transient, type Outcome } from './policy.js';
import type { OutgoingObject, Transport } from './transport.js';
import type { SendReply, SendRequest } from './dimse-send-worker.js';

export const dimseTransport: Transport<DimseDestination> = { send: sendInWorker, verify: echo };

let sender: { worker: Worker; pending: Map<number, { size: number; resolve: (o: Outcome[]) => void }> } | undefined;
let nextId = 1;

function sendInWorker(destination: DimseDestination, objects: OutgoingObject[], callingAe: string): Promise<Outcome[]> {
  const { worker, pending } = sender ??= startSender();
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, { size: objects.length, resolve });
    worker.postMessage({ id, destination, objects, callingAe } satisfies SendRequest);
  });
}

function startSender(): NonNullable<typeof sender> {
  const worker = startSiblingWorker(import.meta.url, 'dimse-send-worker', undefined);
  const pending = new Map<number, { size: number; resolve: (o: Outcome[]) => void }>();
  const own = { worker, pending };
  worker.unref(); // an idle sender never keeps the process alive
  worker.on('message', (reply: SendReply) => {
    pending.get(reply.id)?.resolve(reply.outcomes);
    pending.delete(reply.id);
  });
  // A crashed sender fails its batches as transient (the outbox retries them) and is started again on the next send.
  const lost = (reason: string) => {
    if (sender === own) sender = undefined;
    for (const p of pending.values()) p.resolve(Array.from({ length: p.size },
      () => transient(`the C-STORE worker ${reason}`)));
    pending.clear();
  };
  worker.on('error', (err) => lost(`crashed: ${err.message}`));
  worker.on('exit', (code) => lost(`exited with code ${code}`));
  return own;
}
