// Worker thread: the one SQLite writer of a case database, fed rows by the parsing threads over message ports.
import { parentPort, workerData } from 'node:worker_threads';
import { CaseWriter, type SenderStrings } from '../services/index/writer.node.ts';
import type { WriterControl, WriterReply } from '../services/worker-messages.node.ts';
import type { SenderBound, WriterBound } from '../services/index/rows.node.ts';
import { errorCode } from '../services/index/case-errors.node.ts';


const port = parentPort!;
const dbPath = (workerData as { dbPath: string }).dbPath;
// Opened on the first request, so a database that cannot be opened is an answer to it, with its code, not a crashed thread.
let opened: CaseWriter | null = null;
const writer = (): CaseWriter => (opened ??= new CaseWriter(dbPath));
const reply = (r: WriterReply) => port.postMessage(r);
const failure = (e: unknown) => ({ type: 'error' as const, message: e instanceof Error ? e.message : String(e), ...(errorCode(e) ? { code: errorCode(e) } : {}) });

port.on('message', (m: WriterControl) => {
  try {
    if (m.type === 'begin') reply({ type: 'begun', ...writer().beginArchive(m.meta, m.run) });
    else if (m.type === 'port') {
      const strings: SenderStrings = { ids: [0] };
      m.port.on('message', (w: WriterBound) => {
        try {
          if (w.type === 'rows') writer().insert(w.batch, strings);
          else writer().dropRange(w.archiveId, w.first, w.count);
          m.port.postMessage({ type: 'ack', seq: w.seq } satisfies SenderBound);
        } catch (e) {
          m.port.postMessage(failure(e) satisfies SenderBound);
        }
      });
    } else if (m.type === 'finish') {
      writer().finish(m.archiveId, m.runId, m.report, m.run);
      reply({ type: 'done' });
    } else {
      opened?.close();
      reply({ type: 'done' });
    }
  } catch (e) {
    reply(failure(e));
  }
});
