// Worker thread: checks segments (leaf hashes, chain links, subtree hashes) so both cores hash at once.
import { parentPort } from 'node:worker_threads';
import { nodeHashing } from '../services/crypto.node.ts';
import { runSegmentJob, type SegmentJob, type SegmentJobResult } from '../services/segment-job.node.ts';
import type { WorkerReply, WorkerRequest } from '../services/worker-pool.node.ts';

const port = parentPort!;
port.on('message', async ({ id, job }: WorkerRequest<SegmentJob>) => {
  const reply = (r: WorkerReply<SegmentJobResult>) => port.postMessage(r);
  try {
    const value = await runSegmentJob(job, nodeHashing, undefined, (bytes, entries) => reply({ id, kind: 'progress', bytes, entries }));
    reply({ id, kind: 'result', value });
  } catch (e) {
    reply({ id, kind: 'error', message: e instanceof Error ? e.message : String(e) });
  }
});
