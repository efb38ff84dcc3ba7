// One indexing session: starts the writer thread, hands out message ports to the parsers, finishes the run.
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { VerifyReport } from '../../../shared/core/report.ts';
import { startWorker } from '../runtime.node.ts';
import type { WriterControl, WriterReply } from '../worker-messages.node.ts';
import type { ArchiveMeta, RunMeta } from './writer.node.ts';
import { writerFailure } from './case-errors.node.ts';

export class IndexSession {
  private constructor(
    private readonly worker: Worker,
    readonly dbPath: string,
    readonly archiveId: number,
    readonly runId: number,
    private readonly run: RunMeta,
  ) {}

  static async start(dbPath: string, meta: ArchiveMeta, run: RunMeta): Promise<IndexSession> {
    const worker = startWorker('index-writer', { workerData: { dbPath } });
    let begun: WriterReply;
    try {
      begun = await request(worker, dbPath, { type: 'begin', meta, run });
    } catch (e) {
      await worker.terminate();
      throw e;
    }
    if (begun.type !== 'begun') throw new Error('index writer did not start');
    return new IndexSession(worker, dbPath, begun.archiveId, begun.runId, run);
  }

  /** A port whose other end is attached to the writer: give it to a RowSender (in this thread or a worker). */
  port(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.worker.postMessage({ type: 'port', port: port1 } satisfies WriterControl, [port1]);
    return port2;
  }

  async finish(report: VerifyReport): Promise<void> {
    await request(this.worker, this.dbPath, { type: 'finish', archiveId: this.archiveId, runId: this.runId, report, run: this.run });
  }

  async close(): Promise<void> {
    try {
      await request(this.worker, this.dbPath, { type: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }
}

function request(worker: Worker, dbPath: string, message: WriterControl): Promise<WriterReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (r: WriterReply) => {
      cleanup();
      if (r.type === 'error') reject(writerFailure(dbPath, r.message, r.code));
      else resolve(r);
    };
    // The thread itself stopped (a bug or resource exhaustion); what it threw may arrive as a plain object.
    const onError = (e: unknown) => {
      cleanup();
      reject(e instanceof Error ? e : new Error(`index writer stopped: ${JSON.stringify(e)}`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.postMessage(message);
  });
}
