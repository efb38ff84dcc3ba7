// The record splitter cuts JSON documents into records byte for byte, however the bytes arrive, and refuses what is not JSON.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RecordSplitter, RecordSplitError, splitRecords, type SplitRecord } from '../../../../shared/core/formats/record-split.ts';

const FIXTURES = new URL('../../../fixtures/formats/', import.meta.url);
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function chunked(doc: Uint8Array, size: number): SplitRecord[] {
  const s = new RecordSplitter();
  const out: SplitRecord[] = [];
  for (let i = 0; i < doc.length; i += size) out.push(...s.push(doc.subarray(i, i + size)));
  out.push(...s.end());
  return out;
}

function errorOf(doc: string): { message: string; offset: number } {
  try {
    splitRecords(bytes(doc));
  } catch (e) {
    assert.ok(e instanceof RecordSplitError);
    return { message: e.message, offset: e.offset };
  }
  assert.fail(`no error for ${doc}`);
}

describe('real documents', () => {
  test('AKS Event Hubs export: 22 records, each the exact bytes of one records[] element', () => {
    const doc = fixture('sysdig-aks_eventhub-records_kube-audit.json');
    const { records, splitter } = splitRecords(doc);
    const parsed = (JSON.parse(text(doc)) as { records: unknown[] }).records;
    assert.equal(records.length, 22);
    assert.deepEqual([...splitter.containers], [['records[]', 22]]);
    for (const [i, r] of records.entries()) {
      assert.deepEqual(r.bytes, doc.subarray(r.start, r.end), `record ${i} is a slice`);
      assert.equal(r.lineBreaksRemoved, false);
      assert.deepEqual(JSON.parse(text(r.bytes)), parsed[i]);
    }
    assert.deepEqual([records[0]!.start, records[0]!.end, records[21]!.end], [13, 1624, 33337]);
    assert.equal(splitter.bom, false);
    assert.equal(splitter.finalNewline, false);
    // `{"records": [` (13 bytes), `]}` (2) and the 21 commas between the records are outside every record.
    assert.equal(splitter.outsideBytes, 36);
    assert.equal(splitter.outsideBytes, doc.length - records.reduce((n, r) => n + (r.end - r.start), 0));
  });

  test('OTLP forwarder output: the three logRecords, pretty-printing taken out between tokens only', () => {
    const doc = fixture('openshift-clo_otlp-forwarder_audit-kube.json');
    const { records, splitter } = splitRecords(doc);
    assert.deepEqual([...splitter.containers], [['resourceLogs[].scopeLogs[].logRecords[]', 3]]);
    assert.equal(splitter.lineBreaks, 3);
    const parsed = JSON.parse(text(doc)).resourceLogs[0].scopeLogs[0].logRecords as unknown[];
    for (const [i, r] of records.entries()) {
      assert.equal(r.bytes.indexOf(0x0a), -1);
      assert.equal(r.lineBreaksRemoved, true);
      assert.deepEqual(JSON.parse(text(r.bytes)), parsed[i]);
      // Exactly the whitespace runs holding an LF are gone: the 19-digit timeUnixNano strings stay as written.
      const original = text(doc.subarray(r.start, r.end));
      assert.equal(text(r.bytes), original.replace(/[ \t\r]*\n[ \t\r\n]*/g, ''));
    }
    assert.ok(text(records[0]!.bytes).includes('"timeUnixNano": "1734635994839162050"'));
  });

  test('a BOM before a pretty-printed event: reported, outside the record', () => {
    const doc = fixture('sysdig-aks_kube-audit-event_bom-pretty.json');
    const { records, splitter } = splitRecords(doc);
    assert.equal(splitter.bom, true);
    assert.equal(records.length, 1);
    assert.equal(records[0]!.start, 3);
    // The file ends in `}` and one space.
    assert.equal(records[0]!.end, doc.length - 1);
    assert.deepEqual(JSON.parse(text(records[0]!.bytes)), JSON.parse(text(doc.subarray(3))));
    assert.equal(splitter.outsideBytes, 4);
    assert.deepEqual([...splitter.containers], [['', 1]]);
  });

  test('JSON lines: each top-level object is a record, byte for byte', () => {
    const doc = fixture('falco_k8s-audit_configmap-sensitive-values.jsonl');
    const { records } = splitRecords(doc);
    const lines = text(doc).split('\n').filter(Boolean);
    assert.deepEqual(records.map((r) => text(r.bytes)), lines);
  });

  test('every chunking gives the same records (1 to 17 bytes, and whole)', () => {
    for (const name of ['sysdig-aks_eventhub-records_kube-audit.json', 'openshift-clo_otlp-forwarder_audit-kube.json', 'sysdig-aks_kube-audit-event_bom-pretty.json']) {
      const doc = fixture(name);
      const whole = splitRecords(doc).records;
      for (let size = 1; size <= 17; size++) assert.deepEqual(chunked(doc, size), whole, `${name} in ${size}-byte chunks`);
    }
  });
});

describe('shapes', () => {
  test('EventList documents, one per line as a webhook receiver stores them', () => {
    const doc = '{"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{},"items":[{"a":1},{"b":[2]}]}\n{"kind":"EventList","items":[{"c":"]"}]}\n';
    const { records, splitter } = splitRecords(bytes(doc));
    assert.deepEqual(records.map((r) => text(r.bytes)), ['{"a":1}', '{"b":[2]}', '{"c":"]"}']);
    assert.deepEqual([...splitter.containers], [['items[]', 3]]);
  });

  test('CloudWatch filter-log-events and a subscription DATA_MESSAGE; other arrays of the wrapper are not records', () => {
    const doc = '{"events":[{"message":"x"}],"searchedLogStreams":[{"logStreamName":"s"}]}{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":"y"}],"subscriptionFilters":["f"]}';
    const { records, splitter } = splitRecords(bytes(doc));
    assert.deepEqual(records.map((r) => text(r.bytes)), ['{"message":"x"}', '{"id":"1","message":"y"}']);
    assert.deepEqual([...splitter.containers], [['events[]', 1], ['logEvents[]', 1]]);
  });

  test('a top-level array: each element; nested wrapper names inside a record do not split it', () => {
    const doc = '[ {"protoPayload":{"items":[1,2]},"records":[3]} ,\n {"x":-1.5e+3} ]';
    const { records } = splitRecords(bytes(doc));
    assert.deepEqual(records.map((r) => text(r.bytes)), ['{"protoPayload":{"items":[1,2]},"records":[3]}', '{"x":-1.5e+3}']);
  });

  test('strings keep escapes, brackets, large integers and non-ASCII bytes as written', () => {
    const doc = '{"items":[{"s":"a\\n{\\"[\\u00e9","n":12345678901234567890123,"u":"µ🔑"}\n]}';
    const { records } = splitRecords(bytes(doc));
    assert.equal(records.length, 1);
    assert.deepEqual(records[0]!.bytes, bytes('{"s":"a\\n{\\"[\\u00e9","n":12345678901234567890123,"u":"µ🔑"}'));
    assert.equal(records[0]!.lineBreaksRemoved, false);
  });

  test('whitespace without a line break inside a record is kept; a CRLF run is taken out whole', () => {
    const { records } = splitRecords(bytes('{"records":[{"a": 1,\r\n    "b" : [ 2 ]}]}'));
    assert.equal(text(records[0]!.bytes), '{"a": 1,"b" : [ 2 ]}');
    assert.equal(records[0]!.lineBreaksRemoved, true);
  });

  test('an empty record array gives no record', () => {
    const { records, splitter } = splitRecords(bytes('{"records":[]}'));
    assert.deepEqual(records, []);
    assert.equal(splitter.outsideBytes, 14);
  });
});

describe('what is not JSON is refused, at the byte', () => {
  test('each error names what and where', () => {
    assert.deepEqual(errorOf('{"a":1} x'), { message: 'a top-level value that is not an object or array', offset: 8 });
    assert.deepEqual(errorOf('{"a":1'), { message: 'the input ends inside a JSON value', offset: 6 });
    assert.deepEqual(errorOf('{"a":tru}'), { message: 'an invalid JSON literal', offset: 8 });
    assert.deepEqual(errorOf('{"records":[1,]}'), { message: 'expected a JSON value', offset: 14 });
    assert.deepEqual(errorOf('{"a":01}'), { message: "expected ',' or '}'", offset: 6 });
    assert.deepEqual(errorOf('{"a":"\\x"}'), { message: 'an invalid escape in a JSON string', offset: 7 });
    assert.deepEqual(errorOf('{"a":"\u0001"}'), { message: 'a control character inside a JSON string', offset: 6 });
    assert.deepEqual(errorOf('{a:1}'), { message: 'expected an object key', offset: 1 });
    assert.deepEqual(errorOf('{"a" 1}'), { message: "expected ':' after an object key", offset: 5 });
    assert.deepEqual(errorOf('\u00ef'), { message: 'a top-level value that is not an object or array', offset: 0 });
    assert.deepEqual(errorOf('   '), { message: 'the input holds no JSON value', offset: 3 });
    assert.deepEqual(errorOf('42'), { message: 'a top-level value that is not an object or array', offset: 0 });
    assert.deepEqual(errorOf('{"a":1}]'), { message: 'a top-level value that is not an object or array', offset: 7 });
  });

  test('a broken BOM is refused', () => {
    const s = new RecordSplitter();
    assert.throws(() => s.push(Uint8Array.of(0xef, 0xbb, 0x7b)), { name: 'RecordSplitError', message: 'an incomplete UTF-8 byte order mark' });
  });

  test('a record over the limit is refused while it streams', () => {
    const s = new RecordSplitter(10);
    assert.throws(() => s.push(bytes('{"records":[{"a":"0123456789"}]}')), { name: 'RecordSplitError', message: 'a record longer than 10 bytes' });
  });
});
