// Parses entries into compact row batches (typed arrays, repeating strings sent once) for the writer, waiting when it falls behind.
import type { MessagePort } from 'node:worker_threads';
import type { EventFields, EventKind } from '../../../shared/core/event-row.ts';
import { parseEvent, type Decoded } from '../../../shared/core/parse-event.ts';
import { detectSensitive, sensitiveMask } from '../../../shared/core/sensitive.ts';
import { writerFailure } from './case-errors.node.ts';
import { DERIVED_TEXT, DICT_FIELDS, NUM_FIELDS, TEXT_FIELDS, eidOf, microsText, packUuid } from './columns.node.ts';

/**
 * `count` rows, column-major within each array. Dictionary fields hold this sender's own string
 * ids (0: null); `fresh` lists the strings first used in this batch, numbered on from the last
 * batch's, or from 1 again when `reset` says the sender started its dictionary over.
 */
export interface RowBatch {
  count: number;
  reset: boolean;
  fresh: string[];
  /** eid, segment_seq, offset, length of each row. */
  meta: Float64Array;
  /** 32 bytes per row. */
  leaves: Uint8Array;
  dict: Int32Array;
  /** audit_id, time, stage_time; DERIVED_TEXT where the compact form stands for the text (columns.node.ts). */
  texts: (string | number | null)[];
  /** 16 bytes per row: the audit ID's, where its text is DERIVED_TEXT. */
  uuids: Uint8Array;
  /** NaN: null. */
  nums: Float64Array;
  /** The sensitive-data rules each row's entry matched (a mask, 0: none). */
  sensitive: Int32Array;
}

export type WriterBound =
  | { type: 'rows'; seq: number; batch: RowBatch }
  | { type: 'drop'; seq: number; archiveId: number; first: number; count: number };
export type SenderBound = { type: 'ack'; seq: number } | { type: 'error'; message: string; code?: string };

export const META = 4;
const BATCH = 2000;
const IN_FLIGHT = 4;
/** The sender's dictionary starts over past this many strings, so memory stays bounded at any archive size. */
const DICT_LIMIT = 200_000;

const DICT_KEYS = DICT_FIELDS.map(([k]) => k);
const TEXT_KEYS = TEXT_FIELDS.map(([k]) => k);
const NUM_KEYS = NUM_FIELDS.map(([k]) => k);
const ND = DICT_KEYS.length;
const NT = TEXT_KEYS.length;
const NN = NUM_KEYS.length;
if (TEXT_KEYS.join() !== 'auditId,time,stageTime') throw new Error(`row texts: ${TEXT_KEYS.join()}`);

export class RowSender {
  private ids = new Map<string, number>();
  private reset = false;
  private fresh: string[] = [];
  private n = 0;
  private meta = new Float64Array(BATCH * META);
  private leaves = new Uint8Array(BATCH * 32);
  private dict = new Int32Array(BATCH * ND);
  private texts: (string | number | null)[] = [];
  private uuids = new Uint8Array(BATCH * 16);
  private nums = new Float64Array(BATCH * NN);
  private sensitive = new Int32Array(BATCH);
  private seq = 0;
  private acked = 0;
  private waiters: (() => void)[] = [];
  private failure: Error | null = null;
  segmentSeq = 0;

  constructor(
    private readonly port: MessagePort,
    private readonly archiveId: number,
    private readonly kind: EventKind,
    /** Named in the message when the writer fails. */
    private readonly dbPath = 'being indexed',
  ) {
    port.on('message', (m: SenderBound) => {
      if (m.type === 'ack') this.acked = Math.max(this.acked, m.seq);
      else this.failure = writerFailure(this.dbPath, m.message, m.code);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  private id(v: string | null): number {
    if (v === null) return 0;
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(v, id);
      this.fresh.push(v);
    }
    return id;
  }

  /** Parses and queues one entry; returns what parseEvent decoded and parsed, for another reader of the same bytes. */
  entry(index: number, bytes: Uint8Array, offset: number, leaf: Uint8Array): Decoded {
    const decoded: Decoded = {};
    const f: EventFields = parseEvent(bytes, this.kind, decoded);
    const r = this.n++;
    const m = r * META;
    this.meta[m] = eidOf(this.archiveId, index);
    this.meta[m + 1] = this.segmentSeq;
    this.meta[m + 2] = offset;
    this.meta[m + 3] = bytes.length;
    this.leaves.set(leaf, r * 32);
    const d = r * ND;
    for (let i = 0; i < ND; i++) this.dict[d + i] = this.id(f[DICT_KEYS[i]!] as string | null);
    const { auditId, time, timeUs, stageTime, stageTimeUs } = f;
    this.texts.push(
      auditId !== null && packUuid(auditId, this.uuids, r * 16) ? DERIVED_TEXT : auditId,
      time !== null && timeUs !== null && microsText(timeUs) === time ? DERIVED_TEXT : time,
      stageTime !== null && stageTimeUs !== null && microsText(stageTimeUs) === stageTime ? DERIVED_TEXT : stageTime,
    );
    this.sensitive[r] = sensitiveMask(detectSensitive(bytes, decoded));
    const u = r * NN;
    for (let i = 0; i < NN; i++) {
      const v = f[NUM_KEYS[i]!];
      this.nums[u + i] = v === null ? NaN : typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
    }
    if (this.n >= BATCH) this.send();
    return decoded;
  }

  private send(): void {
    if (this.n === 0) return;
    const n = this.n;
    const batch: RowBatch = {
      count: n,
      reset: this.reset,
      fresh: this.fresh,
      meta: this.meta.subarray(0, n * META),
      leaves: this.leaves.subarray(0, n * 32),
      dict: this.dict.subarray(0, n * ND),
      texts: this.texts,
      uuids: this.uuids.subarray(0, n * 16),
      nums: this.nums.subarray(0, n * NN),
      sensitive: this.sensitive.subarray(0, n),
    };
    // The arrays are handed over, not copied; this side starts fresh ones.
    this.port.postMessage({ type: 'rows', seq: ++this.seq, batch } satisfies WriterBound, [this.meta.buffer, this.leaves.buffer, this.dict.buffer, this.uuids.buffer, this.nums.buffer, this.sensitive.buffer]);
    this.n = 0;
    this.meta = new Float64Array(BATCH * META);
    this.leaves = new Uint8Array(BATCH * 32);
    this.dict = new Int32Array(BATCH * ND);
    this.nums = new Float64Array(BATCH * NN);
    this.uuids = new Uint8Array(BATCH * 16);
    this.sensitive = new Int32Array(BATCH);
    this.texts = [];
    this.fresh = [];
    this.reset = false;
    if (this.ids.size > DICT_LIMIT) {
      this.ids.clear();
      this.reset = true;
    }
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
