// One indexing session: starts the writer thread, hands out message ports to the parsers, finishes the run.
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { VerifyReport } from '../../../shared/core/report.ts';
import { startWorker } from '../runtime.node.ts';
import type { WriterControl, WriterReply } from '../../workers/index-writer.worker.ts';
import type { ArchiveMeta, RunMeta } from './writer.node.ts';

export class IndexSession {
  private constructor(
    private readonly worker: Worker,
    readonly archiveId: number,
    readonly runId: number,
    private readonly run: RunMeta,
  ) {}

  static async start(dbPath: string, meta: ArchiveMeta, run: RunMeta): Promise<IndexSession> {
    const worker = startWorker('index-writer', { workerData: { dbPath } });
    const begun = await request(worker, { type: 'begin', meta, run });
    if (begun.type !== 'begun') throw new Error('index writer did not start');
    return new IndexSession(worker, begun.archiveId, begun.runId, run);
  }

  /** A port whose other end is attached to the writer: give it to a RowSender (in this thread or a worker). */
  port(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.worker.postMessage({ type: 'port', port: port1 } satisfies WriterControl, [port1]);
    return port2;
  }

  async finish(report: VerifyReport): Promise<void> {
    await request(this.worker, { type: 'finish', archiveId: this.archiveId, runId: this.runId, report, run: this.run });
  }

  async close(): Promise<void> {
    try {
      await request(this.worker, { type: 'close' });
    } finally {
      await this.worker.terminate();
    }
  }
}

function request(worker: Worker, message: WriterControl): Promise<WriterReply> {
  return new Promise((resolve, reject) => {
    const onMessage = (r: WriterReply) => {
      cleanup();
      if (r.type === 'error') reject(new Error(`index writer: ${r.message}`));
      else resolve(r);
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
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
