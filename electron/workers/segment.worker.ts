// Worker thread: checks segments (leaf hashes, chain links, subtree hashes) so both cores hash at once, and parses entries for the index and the evidence scope.
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { nodeHashing } from '../services/crypto.node.ts';
import { RowSender } from '../services/index/rows.node.ts';
import { CaseDatabaseError } from '../services/index/case-errors.node.ts';
import { runSegmentJob, type SegmentJob, type SegmentJobResult } from '../services/segment-job.node.ts';
import { SegmentScopeCollector } from '../../shared/core/scope-segment.ts';
import type { EntryListener } from '../../shared/core/segment-check.ts';
import type { WorkerReply, WorkerRequest } from '../services/worker-pool.node.ts';

const port = parentPort!;
const indexPort = (workerData as { indexPort?: MessagePort } | undefined)?.indexPort;
let sender: RowSender | null = null;

port.on('message', async ({ id, job }: WorkerRequest<SegmentJob>) => {
  const reply = (r: WorkerReply<SegmentJobResult>) => port.postMessage(r);
  try {
    if (job.index && indexPort && !sender) sender = new RowSender(indexPort, job.index.archiveId, job.index.kind, job.index.dbPath);
    const rows = job.index ? sender : null;
    if (rows) rows.segmentSeq = job.seq;
    const scope = job.scope ? new SegmentScopeCollector() : null;
    let onEntry: EntryListener | undefined;
    if (rows && scope) {
      onEntry = (i, b, o, l) => {
        scope.entry(i, b, rows.entry(i, b, o, l));
      };
    } else if (rows) onEntry = (i, b, o, l) => rows.entry(i, b, o, l);
    else if (scope) onEntry = (i, b) => scope.entry(i, b);
    const value = await runSegmentJob(
      job,
      nodeHashing,
      onEntry,
      (bytes, entries) => reply({ id, kind: 'progress', bytes, entries }),
      rows ? () => rows.drain() : undefined,
    );
    if (rows) {
      if (value.result.entriesRead === null) await rows.drop(job.input.segment.first, job.input.segment.count);
      else await rows.flush();
    }
    if (scope) value.scope = scope.finish();
    reply({ id, kind: 'result', value });
  } catch (e) {
    reply({ id, kind: 'error', message: e instanceof Error ? e.message : String(e), ...(e instanceof CaseDatabaseError ? { caseDatabase: true } : {}) });
  }
});
