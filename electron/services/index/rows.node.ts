// Parses entries into rows and sends them to the writer in batches, waiting when the writer falls behind.
import type { MessagePort } from 'node:worker_threads';
import type { EventKind } from '../../../shared/core/event-row.ts';
import { parseEvent } from '../../../shared/core/parse-event.ts';
import { toRow, type Row } from './columns.node.ts';

export type WriterBound =
  | { type: 'rows'; seq: number; rows: Row[] }
  | { type: 'drop'; seq: number; archiveId: number; first: number; count: number };
export type SenderBound = { type: 'ack'; seq: number } | { type: 'error'; message: string };

const BATCH = 2000;
const IN_FLIGHT = 4;

export class RowSender {
  private rows: Row[] = [];
  private seq = 0;
  private acked = 0;
  private waiters: (() => void)[] = [];
  private failure: Error | null = null;
  segmentSeq = 0;

  constructor(private readonly port: MessagePort, private readonly archiveId: number, private readonly kind: EventKind) {
    port.on('message', (m: SenderBound) => {
      if (m.type === 'ack') this.acked = Math.max(this.acked, m.seq);
      else this.failure = new Error(`index writer: ${m.message}`);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  entry(index: number, bytes: Uint8Array, offset: number, leaf: Uint8Array): void {
    this.rows.push(toRow(this.archiveId, index, this.segmentSeq, offset, bytes.length, leaf, parseEvent(bytes, this.kind)));
    if (this.rows.length >= BATCH) this.send();
  }

  private send(): void {
    if (this.rows.length === 0) return;
    this.port.postMessage({ type: 'rows', seq: ++this.seq, rows: this.rows } satisfies WriterBound);
    this.rows = [];
  }

  private async waitUntil(inFlight: number): Promise<void> {
    while (!this.failure && this.seq - this.acked > inFlight) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
  }

  /** Back-pressure: called between chunks so parsed rows never pile up in memory. */
  drain(): Promise<void> {
    return this.waitUntil(IN_FLIGHT);
  }

  /** Everything sent so far is in the database (inside the writer's open transaction). */
  async flush(): Promise<void> {
    this.send();
    await this.waitUntil(0);
  }

  async drop(first: number, count: number): Promise<void> {
    await this.flush();
    this.port.postMessage({ type: 'drop', seq: ++this.seq, archiveId: this.archiveId, first, count } satisfies WriterBound);
    await this.waitUntil(0);
  }

  close(): void {
    this.port.close();
  }
}
