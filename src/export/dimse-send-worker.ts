// Worker thread that runs the C-STORE SCU (dimse-sender.ts): dcmjs-dimse builds every P-DATA PDU of a data set
// on the thread that sends it, 60–160 ms for a 17.7 MB SEG, so that work stays off the node's event loop.
// Several batches can be in flight at once; each request carries an id and gets one reply.
import { parentPort } from 'node:worker_threads';
import type { DimseDestination } from './destination.js';
import { storeBatch } from './dimse-sender.js';
import type { Outcome } from './policy.js';
import type { OutgoingObject } from './transport.js';

export interface SendRequest { id: number; destination: DimseDestination; objects: OutgoingObject[]; callingAe: string }
export interface SendReply { id: number; outcomes: Outcome[] }

parentPort!.on('message', (request: SendRequest) => {
  void storeBatch(request.destination, request.objects, request.callingAe)
    .then((outcomes) => parentPort!.postMessage({ id: request.id, outcomes } satisfies SendReply));
});
