// The main thread's side of the file maker (file-maker-thread.ts): requests are pipelined, answered in
// order, and one thread serves every store of the process. A crash fails what was asked; the next
// request starts a new thread (the materialiser retries, the bytes being safe in the journal).
import type { Worker } from 'node:worker_threads';
import { startSiblingWorker } from '../worker-start.js';

export interface MakeFile {
  id: number;
  /** The ring file and the size of its data area. */
  ring: string;
  dataSize: number;
  /** Where the instance's bytes lie in the ring, in order. */
  fragments: Array<{ at: number; length: number }>;
  tempPath: string;
  finalPath: string;
}
export interface MadeFile { id: number; error?: { message: string; code?: string } }

type Waiter = { resolve: () => void; reject: (err: Error) => void };

class FileMaker {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, Waiter>();

  make(req: Omit<MakeFile, 'id'>): Promise<void> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.ref(); // an answer being awaited keeps the process alive
      worker.postMessage({ ...req, id } satisfies MakeFile);
    });
  }

  private start(): Worker {
    const worker = startSiblingWorker(import.meta.url, 'file-maker-thread', undefined);
    worker.unref();
    worker.on('message', (reply: MadeFile) => {
      const w = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if (!reply.error) w?.resolve();
      else w?.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    const gone = (reason: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const failed = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of failed) w.reject(new Error(`file maker thread ${reason}`));
    };
    worker.on('error', (err) => gone(`crashed: ${err.message}`));
    worker.on('exit', (code) => gone(`exited with code ${code}`));
    this.worker = worker;
    return worker;
  }
}

/** One per process: it holds no state of a store, only a thread. */
export const fileMaker = new FileMaker();
