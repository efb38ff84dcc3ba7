// One entry row of the case database: column order shared by the parsing workers and the single writer.
import type { EventFields } from '../../../shared/core/event-row.ts';

/** Entry id: archive id in the high bits, entry index in the low 36, so rows of one archive are one rowid range. */
export const INDEX_BITS = 2 ** 36;
export const eidOf = (archiveId: number, index: number): number => archiveId * INDEX_BITS + index;

/** Every field and its column in the `entries` view, in the view's column order. */
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

/**
 * Text fields whose values repeat (users, verbs, resources, URIs, agents, addresses...): stored once
 * in `strings`, the row holds the id (column `<name>_id` of `entry_rows`).
 */
export const DICT_FIELDS = FIELD_COLUMNS.filter(([k]) => !['auditId', 'time', 'stageTime', 'responseCode', 'timeUs', 'stageTimeUs', 'hasRequestBody', 'hasResponseBody', 'status', 'requestBytes', 'responseBytes', 'durationUs'].includes(k));
/** Text fields unique to nearly every entry, kept in the row. */
export const TEXT_FIELDS = FIELD_COLUMNS.filter(([k]) => ['auditId', 'time', 'stageTime'].includes(k));
/** Integer fields (booleans as 0/1). */
export const NUM_FIELDS = FIELD_COLUMNS.filter(([k]) => ['responseCode', 'timeUs', 'stageTimeUs', 'hasRequestBody', 'hasResponseBody', 'status', 'requestBytes', 'responseBytes', 'durationUs'].includes(k));

/** Columns of `entry_rows`, in the order the writer binds them. */
export const ROW_COLUMNS = ['eid', 'archive_id', 'idx', 'segment_seq', 'offset', 'length', 'leaf',
  ...DICT_FIELDS.map(([, c]) => `${c}_id`), ...TEXT_FIELDS.map(([, c]) => c), ...NUM_FIELDS.map(([, c]) => c)];

/** The columns the full-text search covers (each through its dictionary id). */
export const FTS_COLUMNS = ['username', 'request_uri', 'name', 'namespace', 'user_agent'] as const;
