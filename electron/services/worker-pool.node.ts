// A small pool of worker threads running one kind of job; results come back in the order of the calls.
import type { Transferable, Worker } from 'node:worker_threads';
import { startWorker } from './runtime.node.ts';
import { CaseDatabaseError } from './index/case-errors.node.ts';

export interface WorkerRequest<J> {
  id: number;
  job: J;
}

export type WorkerReply<R> =
  | { id: number; kind: 'result'; value: R }
  /** `caseDatabase`: the error was a CaseDatabaseError (the machine's, not a bug), rebuilt as one here. */
  | { id: number; kind: 'error'; message: string; caseDatabase?: boolean }
  | { id: number; kind: 'progress'; bytes: number; entries: number };

interface Pending<R> {
  resolve(value: R): void;
  reject(error: Error): void;
  onProgress?: (bytes: number, entries: number) => void;
}

export class WorkerPool<J, R> {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: { request: WorkerRequest<J>; pending: Pending<R> }[] = [];
  private readonly pending = new Map<number, Pending<R>>();
  private nextId = 1;

  /** `setup(i)` gives worker i its workerData and what to transfer with it (message ports). */
  constructor(name: string, size: number, setup?: (i: number) => { workerData: unknown; transferList: Transferable[] }) {
    for (let i = 0; i < size; i++) {
      const w = startWorker(name, setup ? setup(i) : {});
      w.on('message', (reply: WorkerReply<R>) => this.onReply(w, reply));
      w.on('error', (e) => this.failAll(e));
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  run(job: J, onProgress?: (bytes: number, entries: number) => void): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const request = { id: this.nextId++, job };
      this.queue.push({ request, pending: { resolve, reject, ...(onProgress ? { onProgress } : {}) } });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const w = this.idle.pop()!;
      const { request, pending } = this.queue.shift()!;
      this.pending.set(request.id, pending);
      w.postMessage(request);
    }
  }

  private onReply(w: Worker, reply: WorkerReply<R>): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if (reply.kind === 'progress') {
      p.onProgress?.(reply.bytes, reply.entries);
      return;
    }
    this.pending.delete(reply.id);
    this.idle.push(w);
    if (reply.kind === 'result') p.resolve(reply.value);
    else p.reject(reply.caseDatabase ? new CaseDatabaseError(reply.message) : new Error(reply.message));
    this.dispatch();
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const q of this.queue.splice(0)) q.pending.reject(e);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
