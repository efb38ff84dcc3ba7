// The messages between the services and their worker threads (the app's job worker, the case-database writer): one module both sides import, so no service imports a worker's entry file.
import type { MessagePort } from 'node:worker_threads';
import type { Anchor, TrustPolicy } from '../../shared/core/evaluate.ts';
import type { VerifyReport } from '../../shared/core/report.ts';
import type { AttestOptions } from './attest/attest.node.ts';
import type { ArchiveMeta, RunMeta } from './index/writer.node.ts';
import type { SuppliedPolicy } from './seal-policy.node.ts';

/** A long job of the app, run by workers/job.worker.ts. */
export type JobRequest =
  | { type: 'digest'; path: string }
  /** selfTest: run the installation self-test first (its record beside the report), as CLI attest does. */
  | { type: 'attest'; options: AttestOptions; selfTest?: boolean }
  | { type: 'verify-attestation'; pdfPath: string; examinerKey: Uint8Array; archivePath: string | null }
  | { type: 'verify'; path: string; policy: TrustPolicy; anchors: Anchor[]; dbPath: string; run: RunMeta; auditPolicy?: SuppliedPolicy };
export type JobReply =
  | { type: 'progress'; phase: string; bytesDone: number; bytesTotal: number }
  | { type: 'result'; value: unknown }
  | { type: 'error'; code: string; message: string };

/** What index/session.node.ts asks of the case-database writer thread (workers/index-writer.worker.ts). */
export type WriterControl =
  | { type: 'begin'; meta: ArchiveMeta; run: RunMeta }
  | { type: 'port'; port: MessagePort }
  | { type: 'finish'; archiveId: number; runId: number; report: VerifyReport; run: RunMeta }
  | { type: 'close' };
export type WriterReply = { type: 'begun'; archiveId: number; runId: number } | { type: 'done' } | { type: 'error'; message: string; code?: string };
