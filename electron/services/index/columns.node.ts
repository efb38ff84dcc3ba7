// One entry row of the case database: column order shared by the parsing workers and the single writer.
import type { EventFields } from '../../../shared/core/event-row.ts';

/** Entry id: archive id in the high bits, entry index in the low 36, so rows of one archive are one rowid range. */
export const INDEX_BITS = 2 ** 36;
export const eidOf = (archiveId: number, index: number): number => archiveId * INDEX_BITS + index;

export const FIELD_COLUMNS: readonly [keyof EventFields, string][] = [
  ['kind', 'kind'], ['auditId', 'audit_id'], ['stage', 'stage'], ['level', 'level'], ['verb', 'verb'], ['requestUri', 'request_uri'],
  ['username', 'username'], ['uid', 'uid'], ['groups', 'groups'], ['impersonatedUser', 'impersonated_user'],
  ['sourceIps', 'source_ips'], ['sourceIp', 'source_ip'], ['userAgent', 'user_agent'],
  ['apiGroup', 'api_group'], ['apiVersion', 'api_version'], ['resource', 'resource'], ['subresource', 'subresource'], ['namespace', 'namespace'], ['name', 'name'],
  ['responseCode', 'response_code'], ['responseReason', 'response_reason'],
  ['time', 'time'], ['timeUs', 'time_us'], ['stageTime', 'stage_time'], ['stageTimeUs', 'stage_time_us'],
  ['decision', 'decision'], ['decisionReason', 'decision_reason'],
  ['hasRequestBody', 'has_request_body'], ['hasResponseBody', 'has_response_body'],
  ['clientAddress', 'client_address'], ['method', 'method'], ['path', 'path'], ['host', 'host'], ['protocol', 'protocol'], ['status', 'status'],
  ['requestBytes', 'request_bytes'], ['responseBytes', 'response_bytes'], ['durationUs', 'duration_us'],
  ['upstream', 'upstream'], ['service', 'service'], ['router', 'router'],
];

export const ROW_COLUMNS = ['eid', 'archive_id', 'idx', 'segment_seq', 'offset', 'length', 'leaf', ...FIELD_COLUMNS.map(([, c]) => c)];

export type Row = unknown[];

export function toRow(archiveId: number, index: number, segmentSeq: number, offset: number, length: number, leaf: Uint8Array, f: EventFields): Row {
  const row: Row = [eidOf(archiveId, index), archiveId, index, segmentSeq, offset, length, leaf];
  for (const [k] of FIELD_COLUMNS) {
    const v = f[k];
    row.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
  }
  return row;
}
