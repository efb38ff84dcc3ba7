// Display indentation moves whitespace only: numbers past 2^53, escapes and non-ASCII text are shown as sealed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { indentJson } from '../../../../shared/core/formats/json-indent.ts';

test('same layout as JSON.stringify(…, null, 2) for ordinary JSON', () => {
  const lines = readFileSync(new URL('../../../fixtures/formats/falco_k8s-audit_configmap-sensitive-values.jsonl', import.meta.url), 'utf8').split('\n').filter(Boolean);
  for (const l of lines) assert.equal(indentJson(l), JSON.stringify(JSON.parse(l), null, 2));
  assert.equal(indentJson('{"a":[],"b":{ },"c":[1,{"d":null}]}'), JSON.stringify({ a: [], b: {}, c: [1, { d: null }] }, null, 2));
});

test('large integers, escapes and non-ASCII stay as written', () => {
  assert.equal(indentJson('{"seq":1734635994839162050,"s":"\\u0026µ","f":1.50e+3}'), '{\n  "seq": 1734635994839162050,\n  "s": "\\u0026µ",\n  "f": 1.50e+3\n}');
});

test('not one JSON value: null', () => {
  for (const s of ['', '{', '{"a":1}}', '{"a" 1}', '[1,]', '{"a":01}', '{"a":tru}', '{} {}', '"x', '{"a":1,}', '[:1]']) assert.equal(indentJson(s), null, s);
});

test('the event inside a wrapped entry, as its string held it', async () => {
  const { wrappedEventText } = await import('../../../../shared/core/formats/detect.ts');
  const ev = '{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"a","verb":"get","requestURI":"/x","n":12345678901234567890}';
  assert.deepEqual(wrappedEventText(JSON.stringify({ properties: { log: ev + '\n' } })), { via: 'aks', text: ev + '\n' });
  assert.deepEqual(wrappedEventText(JSON.stringify({ body: { stringValue: ev } })), { via: 'otlp', text: ev });
  assert.deepEqual(wrappedEventText(`2024-01-01T00:00:00.000Z ${ev}`), { via: 'cloudwatch-export', text: ev });
  assert.equal(wrappedEventText(ev), null);
  assert.equal(wrappedEventText('{"message":"plain"}'), null);
  assert.equal(indentJson(wrappedEventText(JSON.stringify({ message: ev }))!.text)!.includes('"n": 12345678901234567890'), true);
});
