// `seal` by input shape: line logs line by line, JSON documents (exports, forwarder outputs, pretty-printed events) one entry per record.
import { isUtf8JsonObject } from '../../shared/core/json-object.ts';
import type { SourceKind } from '../../shared/core/manifest.ts';
import { parseEvent } from '../../shared/core/parse-event.ts';
import { RecordSplitError, RecordSplitter } from '../../shared/core/formats/record-split.ts';

/** One entry as the chunks it was read in (the sealer's InputLine). */
export interface EntryBytes {
  parts: Uint8Array[];
  length: number;
}

export interface ShapeIo {
  /** The input's bytes, gunzipped when it is gzip. Called once per pass. */
  open(input: string): Promise<AsyncIterable<Uint8Array>>;
  /** The input's non-empty lines, as the sealer reads them. */
  lines(input: string): AsyncIterable<EntryBytes>;
}

/** What seal found in each input: `notes` are facts, `warnings` are what the examiner should look at. */
export interface ShapeReport {
  notes: string[];
  warnings: string[];
}

const HEAD_BYTES = 1 << 20;
const PEEK_LINES = 20;
const PEEK_BYTES = 16 << 20;
const PARSE_LINE_BYTES = 4 << 20;

// Top-level members whose array holds the records (see record-split.ts for where each comes from).
const WRAPPER_KEYS = ['records', 'items', 'events', 'logEvents', 'entries', 'resourceLogs'];

const CONTAINER_NAMES: { readonly [container: string]: string } = {
  'records[]': 'records[] (Azure diagnostic settings export: AKS kube-audit)',
  'items[]': 'items[] (audit webhook EventList)',
  'events[]': 'events[] (CloudWatch Logs filter-log-events / get-log-events: EKS)',
  'logEvents[]': 'logEvents[] (CloudWatch Logs subscription DATA_MESSAGE: EKS via Firehose or Lambda)',
  'entries[]': 'entries[] (Cloud Logging entries.list: GKE)',
  'resourceLogs[].scopeLogs[].logRecords[]': 'OTLP/JSON logRecords (OpenTelemetry / OpenShift log forwarder)',
  'resourceLogs[].instrumentationLibraryLogs[].logRecords[]': 'OTLP/JSON logRecords (OpenTelemetry, pre-1.0)',
  '[]': 'a JSON array (e.g. gcloud logging read --format=json)',
  '': 'top-level JSON objects',
};

async function head(io: ShapeIo, input: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let n = 0;
  for await (const chunk of await io.open(input)) {
    parts.push(chunk);
    n += chunk.length;
    if (n >= HEAD_BYTES) break;
  }
  const b = Buffer.concat(parts, n);
  return b.subarray(0, Math.min(n, HEAD_BYTES));
}

/**
 * Whether an input is a JSON document to split into records rather than a log of lines: it starts
 * with a BOM or '[', or its first line is not one whole JSON object (a pretty-printed document),
 * or that object is a wrapper (an EventList, an export) whose records are in an array.
 */
export function isDocument(b: Uint8Array): boolean {
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return true;
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0d || b[i] === 0x0a)) i++;
  if (b[i] === 0x5b) {
    // An array of records starts `[{`, `[[` or `[]`; Envoy's access lines start `[2016-…` and are lines.
    let j = i + 1;
    while (j < b.length && (b[j] === 0x20 || b[j] === 0x09 || b[j] === 0x0d || b[j] === 0x0a)) j++;
    return b[j] === 0x7b || b[j] === 0x5b || b[j] === 0x5d;
  }
  if (b[i] !== 0x7b) return false;
  const lf = b.indexOf(0x0a, i);
  if (lf < 0 && b.length >= HEAD_BYTES) return true;
  const line = b.subarray(i, lf < 0 ? b.length : lf);
  if (!isUtf8JsonObject(line)) return true;
  const o = JSON.parse(Buffer.from(line).toString('utf8')) as Record<string, unknown>;
  return WRAPPER_KEYS.some((k) => Array.isArray(o[k]));
}

function label(input: string): string {
  return input === '-' ? 'standard input' : input;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The entries of every input in order. Line logs are passed through as the sealer reads them.
 * A JSON document is first scanned whole (strict JSON; nothing is written yet), then read again
 * and cut into one entry per record; a document that does not scan is sealed line by line, with a
 * warning. Standard input cannot be read twice, so it is always taken as lines.
 */
export async function* shapedEntries(inputs: string[], io: ShapeIo, report: ShapeReport): AsyncGenerator<EntryBytes> {
  for (const input of inputs) {
    if (input !== '-' && isDocument(await head(io, input))) {
      const scanned = await scan(io, input);
      if (scanned instanceof RecordSplitError) {
        report.warnings.push(`${label(input)}: looks like a JSON document but is not valid JSON (${scanned.message}, at byte ${scanned.offset}); sealed line by line as it is`);
      } else {
        describeDocument(input, scanned, report);
        const splitter = new RecordSplitter();
        for await (const chunk of await io.open(input)) {
          for (const r of splitter.push(chunk)) yield { parts: [r.bytes], length: r.bytes.length };
        }
        for (const r of splitter.end()) yield { parts: [r.bytes], length: r.bytes.length };
        continue;
      }
    }
    yield* linesWithNote(input, io, report);
  }
}

async function scan(io: ShapeIo, input: string): Promise<RecordSplitter | RecordSplitError> {
  const splitter = new RecordSplitter();
  try {
    // Records are dropped as they come: this pass only proves the whole document splits.
    for await (const chunk of await io.open(input)) splitter.push(chunk);
    splitter.end();
    return splitter;
  } catch (e) {
    if (e instanceof RecordSplitError) return e;
    throw e;
  }
}

function describeDocument(input: string, s: RecordSplitter, report: ShapeReport): void {
  const where = [...s.containers].map(([c, n]) => `${plural(n, 'record')} in ${CONTAINER_NAMES[c] ?? c}`).join(', ');
  report.notes.push(`${label(input)}: a JSON document, ${where}: one entry per record, its bytes as in the file`);
  if (s.bom) report.notes.push(`${label(input)}: starts with a UTF-8 byte order mark, which is outside every record and not sealed`);
  if (s.lineBreaks > 0) {
    report.warnings.push(
      `${label(input)}: ${plural(s.lineBreaks, 'record')} spanned several lines (pretty-printed); an entry holds no LF (spec §2), so the line breaks and indentation between JSON tokens were left out of those entries, every token's bytes are as in the file`,
    );
  }
  if (s.outsideBytes > 0 && [...s.containers.keys()].some((c) => c !== '')) {
    report.notes.push(`${label(input)}: ${plural(s.outsideBytes, 'byte')} outside the records (the wrapper's other members, brackets, whitespace) are not in any entry: keep the original file`);
  }
  if (!s.finalNewline) report.notes.push(`${label(input)}: ends without a newline (no entry is affected: entries are records)`);
}

/** Lines of one input, with a note on what they look like, or a warning when nothing is recognised. */
async function* linesWithNote(input: string, io: ShapeIo, report: ShapeReport): AsyncGenerator<EntryBytes> {
  const it = io.lines(input)[Symbol.asyncIterator]();
  const peek: EntryBytes[] = [];
  let bytes = 0;
  while (peek.length < PEEK_LINES && bytes < PEEK_BYTES) {
    const n = await it.next();
    if (n.done) break;
    peek.push(n.value);
    bytes += n.value.length;
  }
  const kinds = new Map<string, number>();
  for (const e of peek) {
    if (e.length > PARSE_LINE_BYTES) continue;
    const k = parseEvent(e.parts.length === 1 ? e.parts[0]! : Buffer.concat(e.parts, e.length), 'other').kind;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
  }
  const known = [...kinds].filter(([k]) => k !== 'other');
  if (peek.length > 0 && known.length === 0) {
    report.warnings.push(`${label(input)}: not a recognised log format (none of its first ${plural(peek.length, 'line')} is an audit event or access line); sealed line by line as other`);
  } else if (peek.length > 0) {
    report.notes.push(`${label(input)}: lines; the first ${plural(peek.length, 'line')}: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`);
  }
  yield* peek;
  for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
}

/**
 * The manifest's source.kind from the first entries when the sealer's own test (raw audit events,
 * Traefik JSON, upstreaminfo lines) found none: every entry an audit event inside a JSON object (an
 * export record, an event without apiVersion) is an audit kind. Anything mixed, or any text line
 * under a kind whose entries must be JSON (spec §6 entry-not-json), stays `other`.
 */
export function refineKind(detected: SourceKind, sample: Uint8Array[]): SourceKind {
  if ((detected !== 'other' && detected !== 'kubernetes-audit') || sample.length === 0) return detected;
  const rows = sample.map((b) => parseEvent(b, 'other'));
  // The forwarder's own fields (ViaQ's openshift_audit_level) say OpenShift where the event alone cannot.
  if (detected === 'kubernetes-audit') return rows.some((r) => r.kind === 'openshift-audit') ? 'openshift-audit' : detected;
  if (rows.every((r) => r.json && (r.kind === 'kubernetes-audit' || r.kind === 'openshift-audit'))) {
    return rows.some((r) => r.kind === 'openshift-audit') ? 'openshift-audit' : 'kubernetes-audit';
  }
  if (rows.every((r) => r.kind === 'ingress-nginx')) return 'ingress-nginx';
  return 'other';
}
