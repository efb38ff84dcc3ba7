// A few seconds of each fuzz target (fixed seed, saved corpus as seeds) in npm test, and proof that the loop finds a planted bug.
import '../../fuzz/coverage-start.ts';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { fuzz, FuzzFailure, type FuzzTarget } from '../../fuzz/engine.ts';
import { TARGETS } from '../../fuzz/targets.ts';
import { parsePlanted } from './planted-parser.ts';

const corpus = (name: string) => fileURLToPath(new URL(`../../fuzz/corpus/${name}`, import.meta.url));
const SECONDS = 2;

describe('fuzz smoke runs', () => {
  for (const t of TARGETS) {
    test(`${t.name}: ${SECONDS} s without a failure`, async () => {
      const r = await fuzz(t, { milliseconds: SECONDS * 1000, seed: 20261204, seedDir: corpus(t.name), stopOnFailure: true, measure: false });
      assert.deepEqual(r.failures.map((f) => f.message), []);
      assert.ok(r.executions >= r.seedRuns + 16, `${r.executions} executions, ${r.seedRuns} of them seeds`);
      assert.ok(r.blocks > 10, `${r.blocks} blocks reached`);
    });
  }
});

describe('the fuzzing loop', () => {
  // A parser with a bug three conditions deep: only coverage feedback (or the dictionary) gets there
  // quickly; the loop must report it as a failure, with the input that triggers it.
  const planted: FuzzTarget = {
    name: 'planted',
    asserts: 'a TypeError behind the bytes "FUZ!"',
    files: ['test/unit/fuzz/planted-parser.ts'],
    maxLength: 64,
    dict: ['FU', 'Z!'],
    seeds: () => [new TextEncoder().encode('hello')],
    arbitrary: fc.uint8Array({ maxLength: 8 }),
    run(input) {
      try {
        parsePlanted(input);
      } catch (e) {
        if (!(e instanceof RangeError && e.message === 'planted format error')) throw new FuzzFailure(`threw ${(e as Error).name}`);
      }
    },
  };

  test('finds a bug planted behind a four-byte prefix and keeps the input', async () => {
    const r = await fuzz(planted, { milliseconds: 4000, seed: 1, measure: false });
    assert.equal(r.failures.length, 1, 'one distinct failure, reported once');
    assert.equal(r.failures[0]!.message, 'threw TypeError');
    assert.deepEqual([...r.failures[0]!.input.subarray(0, 4)], [...new TextEncoder().encode('FUZ!')]);
    assert.ok(r.corpus >= 3, `coverage feedback kept inputs that reached new blocks (corpus ${r.corpus})`);
    assert.ok(r.blocks >= 5, `${r.blocks} blocks of the planted parser reached`);
  });
});
