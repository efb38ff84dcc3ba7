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

/** Columns of `entry_rows` as migration 4 created them. */
export const ROW_COLUMNS_V4 = ['eid', 'archive_id', 'idx', 'segment_seq', 'offset', 'length', 'leaf',
  ...DICT_FIELDS.map(([, c]) => `${c}_id`), ...TEXT_FIELDS.map(([, c]) => c), ...NUM_FIELDS.map(([, c]) => c)];
/** Columns of `entry_rows`, in the order the writer binds them (migration 6 added `sensitive`). */
export const ROW_COLUMNS = [...ROW_COLUMNS_V4, 'sensitive'];

/**
 * Compact forms of the row's text columns (docs/index-schema.md): an empty blob in `time` or
 * `stage_time` stands for the RFC 3339 text with six fraction digits that the `_us` column gives, and a
 * 16-byte blob in `audit_id` for the lower-case UUID text it spells. Blobs, because the columns' TEXT
 * affinity would turn a number into text. The `entries` view turns both back into the exact text, so
 * no reader sees a difference; only texts that read back identical are stored this way. DERIVED_TEXT
 * marks them in a row batch.
 */
export const DERIVED_TEXT = 1;
export const EMPTY_BLOB = Buffer.alloc(0);

const DAY_MICROS_LIMIT = 253_402_300_800_000_000; // 10000-01-01T00:00:00Z: four-digit years only

let lastSecond = NaN;
let lastSecondText = '';

/** The text `time_us` gives in the `entries` view, or null when the view would not give one (out of its range). */
export function microsText(us: number): string | null {
  if (!Number.isSafeInteger(us) || us < 0 || us >= DAY_MICROS_LIMIT) return null;
  const fraction = us % 1_000_000;
  const second = us - fraction;
  // A log's consecutive events mostly share their second: its text is made once (Date formatting is most of the cost).
  if (second !== lastSecond) {
    lastSecond = second;
    lastSecondText = new Date(second / 1000).toISOString().slice(0, 19);
  }
  return `${lastSecondText}.${String(fraction).padStart(6, '0')}Z`;
}

/** The same in SQL, over an integer column known to be in microsText's range. */
export const microsTextSql = (col: string) => `strftime('%Y-%m-%dT%H:%M:%S', ${col} / 1000000, 'unixepoch') || printf('.%06dZ', ${col} % 1000000)`;

/** Value of a lower-case hex digit's char code, -1 for any other (upper case too: it would not read back the same). */
const HEX = new Int8Array(128).fill(-1);
for (let c = 0; c < 16; c++) HEX['0123456789abcdef'.charCodeAt(c)] = c;
const hex = (code: number) => (code < 128 ? HEX[code]! : -1);

/** Writes a lower-case UUID text's 16 bytes (8-4-4-4-12 hex digits) at `at`; false for any other text (bytes written then are not used). */
export function packUuid(text: string, out: Uint8Array, at: number): boolean {
  if (text.length !== 36) return false;
  for (let i = 0, o = at; i < 36; o++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (text.charCodeAt(i) !== 45) return false; // '-'
      i++;
    }
    const hi = hex(text.charCodeAt(i));
    const lo = hex(text.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return false;
    out[o] = (hi << 4) | lo;
    i += 2;
  }
  return true;
}

/** The same UUID text back from its blob, in SQL. */
export const uuidTextSql = (col: string) => `lower(substr(hex(${col}), 1, 8) || '-' || substr(hex(${col}), 9, 4) || '-' || substr(hex(${col}), 13, 4) || '-' || substr(hex(${col}), 17, 4) || '-' || substr(hex(${col}), 21))`;

/** The columns the full-text search covers (each through its dictionary id). */
export const FTS_COLUMNS = ['username', 'request_uri', 'name', 'namespace', 'user_agent'] as const;
