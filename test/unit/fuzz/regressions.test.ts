// Every input a fuzz target ever failed on (test/fixtures/fuzz/TARGET/*.bin) runs through that target again, plus exact checks of the fixes they led to.
import '../../fuzz/coverage-start.ts';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { TARGETS } from '../../fuzz/targets.ts';
import { embeddedFiles } from '../../../electron/services/attest/attest.node.ts';

const dir = new URL('../../fixtures/fuzz/', import.meta.url);

describe('fuzz crash fixtures', () => {
  const targets = readdirSync(dir).sort();
  test('every fixture folder names a target', () => {
    assert.deepEqual(targets.filter((t) => !TARGETS.some((x) => x.name === t)), []);
  });
  for (const name of targets) {
    const target = TARGETS.find((t) => t.name === name)!;
    for (const file of readdirSync(new URL(`${name}/`, dir)).sort()) {
      test(`${name}/${file} no longer fails`, async () => {
        await target.run(new Uint8Array(readFileSync(new URL(`${name}/${file}`, dir))));
      });
    }
  }
});

describe('embeddedFiles (found by the attestation target)', () => {
  const pdf = (body: Uint8Array) =>
    Buffer.concat([
      Buffer.from(`%PDF-1.7\n4 0 obj\n<< /Type /EmbeddedFile /Filter /FlateDecode /Length ${body.length} >>\nstream\n`, 'latin1'),
      body,
      Buffer.from('\nendstream\nendobj\n5 0 obj\n<< /Type /Filespec /F (statement.dsse.json) /EF << /F 4 0 R >> >>\nendobj\n%%EOF\n', 'latin1'),
    ]);

  test('a FlateDecode stream that does not inflate is left out instead of throwing zlib Z_DATA_ERROR', () => {
    const good = deflateSync(Buffer.from('{"payload":"x"}'));
    const damaged = Uint8Array.from(good);
    damaged[2]! ^= 0xff;
    assert.deepEqual([...embeddedFiles(pdf(damaged)).keys()], []);
    assert.deepEqual([...embeddedFiles(pdf(good.subarray(0, 5))).keys()], []);
    assert.equal(Buffer.from(embeddedFiles(pdf(good)).get('statement.dsse.json')!).toString(), '{"payload":"x"}');
  });

  test('many object headers without endobj take linear time (the lazy regex took 0.4 s for 40 kB, minutes for 1 MB)', () => {
    const crafted = Buffer.from('1 0 obj <<'.repeat(100_000), 'latin1');
    const t0 = performance.now();
    assert.deepEqual([...embeddedFiles(crafted).keys()], []);
    const ms = performance.now() - t0;
    assert.ok(ms < 2000, `${ms.toFixed(0)} ms for 1 MB`);
  });

  test('an object without a stream does not swallow the next object\'s stream, whatever the headers around it', () => {
    const text = '1 0 obj << endobj 2 0 obj << /Type /EmbeddedFile /Length 1 >> stream\nx 12 0 obj << /Type /EmbeddedFile /Length 3 >>\nstream\nabc endobj /Type /Filespec /F (b) /EF << /F 2 0 R >> /Type /Filespec /F (c) /EF << /F 12 0 R >>';
    const files = embeddedFiles(Buffer.from(text, 'latin1'));
    assert.deepEqual([...files].map(([k, v]) => [k, Buffer.from(v).toString('latin1')]), [['b', 'x'], ['c', 'abc']]);
  });
});
