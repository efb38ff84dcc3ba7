// Writer-only micro-benchmark: CPU seconds of each indexing phase on the first N events of the bench archive, in one thread.
// Usage: node --import tsx scripts/bench/writer.ts ARCHIVE_DIR [EVENTS] (the machine may be shared: CPU time, not wall time, is the figure)
import { readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { RowSender, type SenderBound, type WriterBound } from '../../electron/services/index/rows.node.ts';
import { CaseWriter, openCaseDatabase, type SenderStrings } from '../../electron/services/index/writer.node.ts';
import { nodeHashing } from '../../electron/services/crypto.node.ts';

const [archive, n = '200000'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const want = Number(n);
const manifest = JSON.parse(readFileSync(join(archive!, 'manifest.json'), 'utf8')) as { segments: { path: string; first: number; count: number }[] };
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const phase = async (name: string, f: () => unknown) => {
  const t = cpu();
  const w = performance.now();
  await f();
  process.stdout.write(`  ${name.padEnd(28)} ${(cpu() - t).toFixed(2)} CPU s  ${((performance.now() - w) / 1000).toFixed(2)} s wall\n`);
};
const entries: { seq: number; offset: number; bytes: Uint8Array; leaf: Uint8Array; index: number }[] = [];
for (const [seq, s] of manifest.segments.entries()) {
  const data = readFileSync(join(archive!, s.path));
  let off = 0;
  for (let i = 0; i < s.count && entries.length < want; i++) {
    const end = data.indexOf(10, off);
    const bytes = data.subarray(off, end);
    entries.push({ seq, offset: off, bytes, leaf: nodeHashing.leaf(bytes), index: s.first + i });
    off = end + 1;
  }
  if (entries.length >= want) break;
}
const db = join(tmpdir(), `sealcheck-writer-bench-${process.pid}.sqlite`);
process.stdout.write(`writer bench: ${entries.length} events\n`);
// --existing: write into an existing (empty, WAL) database instead of building a new one.
if (process.argv.includes('--existing')) openCaseDatabase(db).close();
const w = new CaseWriter(db);
const run = { tool: 'bench', toolVersion: '0', startedAt: new Date().toISOString(), keys: [], quorum: 0, expectedOrigin: null, anchors: [] };
const { archiveId, runId } = w.beginArchive({ path: archive!, container: 'directory', size: 0 }, run);
// The sender and the writer share this thread: batches queue on the channel while parsing and are written on flush.
const { port1, port2 } = new MessageChannel();
const strings: SenderStrings = { ids: [0] };
port1.on('message', (m: WriterBound) => {
  if (m.type === 'rows') w.insert(m.batch, strings);
  port1.postMessage({ type: 'ack', seq: m.seq } satisfies SenderBound);
});
const sender = new RowSender(port2, archiveId, 'kubernetes-audit');
await phase('parse into row batches', () => {
  for (const e of entries) {
    sender.segmentSeq = e.seq;
    sender.entry(e.index, e.bytes, e.offset, e.leaf);
  }
});
await phase('insert rows', () => sender.flush());
const report = { archive: { path: archive!, sha256: '' }, origin: null, manifest: null, segmentChecks: [], findings: [], verdict: 'verified', entries: entries.length, coveredEntries: entries.length, checkpoints: { total: 0, trusted: 0 }, checkpointChecks: [] };
await phase('finish (indexes, FTS, run)', () => w.finish(archiveId, runId, report as never, run));
sender.close();
port1.close();
w.close();
process.stdout.write(`  database ${(statSync(db).size / entries.length).toFixed(0)} bytes/event\n`);
rmSync(db, { force: true });
rmSync(`${db}-wal`, { force: true });
rmSync(`${db}-shm`, { force: true });
