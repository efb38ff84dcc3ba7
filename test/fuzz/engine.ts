// A small coverage-guided fuzzing loop: V8 block coverage (inspector Profiler) decides which inputs are kept, libFuzzer-style mutations and fast-check arbitraries make new ones.
//
// Why not Jazzer.js: see the README's Fuzzing section (its native addon does not load on this
// machine's glibc). This loop keeps the part that matters: an input is kept in the corpus only when
// it makes some block of the target's own source files run that no earlier input ran (or run a
// different number of times, bucketed as libFuzzer does), and new inputs are mutations of kept ones.
import { Session } from 'node:inspector';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { concatBytes } from '../../shared/core/bytes.ts';

export interface FuzzTarget {
  name: string;
  /** What the target asserts beyond "does not throw" (shown by `npm run fuzz -- --list` and in the README). */
  asserts: string;
  /** Source files whose blocks count as coverage (repository-relative). */
  files: string[];
  /** Seed inputs: test fixtures, real logs, values made by the project's own writers. */
  seeds(): Uint8Array[];
  /** Tokens mutations insert: magic numbers, keywords, separators of the format. */
  dict: (string | Uint8Array)[];
  /** Structure-aware generator: inputs that already pass the outer layers of the format. */
  arbitrary: fc.Arbitrary<Uint8Array>;
  /** Runs the real parser; throws FuzzFailure (or anything else) when a property does not hold. */
  run(input: Uint8Array): void | Promise<void>;
  /** Largest input worth generating. */
  maxLength: number;
}

/** A broken property, as opposed to an error the parser is allowed to throw. */
export class FuzzFailure extends Error {
  override name = 'FuzzFailure';
}

const ROOT = new URL('../../', import.meta.url);
const utf8 = new TextEncoder();

export function bytesOf(x: string | Uint8Array): Uint8Array {
  return typeof x === 'string' ? utf8.encode(x) : x;
}

/** Fails unless `e` is one of `allowed` with a non-empty one-line message. */
export function expectOwnError(e: unknown, allowed: readonly (abstract new (...a: never[]) => Error)[], what: string): void {
  if (e instanceof FuzzFailure) throw e;
  if (!allowed.some((c) => e instanceof c)) {
    const name = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new FuzzFailure(`${what} threw ${name.slice(0, 300)}, not one of ${allowed.map((c) => c.name).join('/')}`);
  }
  const m = (e as Error).message;
  if (typeof m !== 'string' || m.length === 0 || m.includes('\n')) throw new FuzzFailure(`${what} threw ${(e as Error).name} with an empty or multi-line message: ${JSON.stringify(m)}`);
}

// ---------- coverage ----------

interface Range { startOffset: number; endOffset: number; count: number }
interface ScriptCoverage { scriptId: string; url: string; functions: { functionName: string; ranges: Range[] }[] }

function bucket(n: number): number {
  if (n <= 3) return n;
  if (n <= 7) return 4;
  if (n <= 15) return 5;
  if (n <= 31) return 6;
  if (n <= 127) return 7;
  return 8;
}

// One inspector session for the whole process, started before the parsers load (see
// coverage-start.ts): V8 instruments blocks only in functions compiled after precise coverage
// started, and stopping it throws the counters away.
let session: Session | null = null;

function post(method: string, params?: object): unknown {
  let result: unknown;
  let error: unknown = null;
  session!.post(method, params ?? {}, (err, r) => {
    error = err;
    result = r;
  });
  if (error) throw error;
  return result;
}

/** Starts block coverage for the rest of the process; import coverage-start.ts before any parser. */
export function startCoverage(): void {
  if (session) return;
  session = new Session();
  session.connect();
  post('Profiler.enable');
  post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
}

export class Coverage {
  private readonly urls: Set<string>;
  /** Block ranges ever executed: `url start end`. */
  readonly blocks = new Set<string>();
  /** Block ranges V8 reported at all (executed or not), for the denominator. */
  readonly known = new Set<string>();
  /** Per script: every block range ever reported. */
  private readonly ranges = new Map<string, Map<string, [number, number]>>();
  /** Features: block plus hit-count bucket. */
  private readonly features = new Set<string>();
  /** Per script: which source characters lay inside an executed innermost range (the c8 measure). */
  private readonly chars = new Map<string, Uint8Array>();

  constructor(files: string[]) {
    this.urls = new Set(files.map((f) => pathToFileURL(join(ROOT.pathname, f)).href));
    startCoverage();
    // Counts so far belong to whatever ran before this target.
    post('Profiler.takePreciseCoverage');
  }

  /**
   * Takes (and resets) the counters; returns how many new features the runs since the last take
   * reached. With record false (a batch of runs) nothing is remembered and only never-executed
   * blocks count, since summed hit counts say nothing about any one input.
   */
  take(paint = false, record = true): number {
    const { result } = post('Profiler.takePreciseCoverage') as { result: ScriptCoverage[] };
    let fresh = 0;
    for (const s of result) {
      if (!this.urls.has(s.url)) continue;
      const all: Range[] = [];
      for (const f of s.functions) for (const r of f.ranges) all.push(r);
      if (all.length === 0) continue;
      // V8 reports a block only where its count differs from the enclosing range's (a block run as
      // often as its function is merged away), so a block's count in this run is that of the
      // innermost reported range around it. Blocks are known from any run that reported them.
      let blocks = this.ranges.get(s.url);
      if (!blocks) this.ranges.set(s.url, (blocks = new Map()));
      for (const r of all) {
        const key = `${s.url} ${r.startOffset} ${r.endOffset}`;
        if (!blocks.has(key)) {
          blocks.set(key, [r.startOffset, r.endOffset]);
          this.known.add(key);
        }
      }
      for (const [key, [from, to]] of blocks) {
        let count = 0;
        let width = Infinity;
        for (const r of all) {
          if (r.startOffset <= from && to <= r.endOffset && r.endOffset - r.startOffset < width) {
            width = r.endOffset - r.startOffset;
            count = r.count;
          }
        }
        if (count === 0) continue;
        if (!record) {
          if (!this.blocks.has(key)) fresh++;
          continue;
        }
        this.blocks.add(key);
        const feature = `${key} ${bucket(count)}`;
        if (!this.features.has(feature)) {
          this.features.add(feature);
          fresh++;
        }
      }
      if (paint) this.paint(s.url, all);
    }
    return fresh;
  }

  private paint(url: string, ranges: Range[]): void {
    const length = Math.max(...ranges.map((r) => r.endOffset));
    let seen = this.chars.get(url);
    if (!seen || seen.length < length) {
      const grown = new Uint8Array(length);
      if (seen) grown.set(seen);
      this.chars.set(url, (seen = grown));
    }
    // Outer ranges first, so the innermost range decides each character, as V8 means it.
    ranges.sort((a, b) => a.startOffset - b.startOffset || b.endOffset - a.endOffset);
    const now = new Uint8Array(length);
    for (const r of ranges) now.fill(r.count > 0 ? 1 : 0, r.startOffset, r.endOffset);
    for (let i = 0; i < length; i++) seen[i]! |= now[i]!;
  }

  /** Share of the target files' (transpiled) source characters inside executed blocks; null until painted. */
  charShare(): { covered: number; total: number } {
    let covered = 0;
    let total = 0;
    for (const seen of this.chars.values()) {
      total += seen.length;
      for (const c of seen) covered += c;
    }
    return { covered, total };
  }

}

// ---------- mutations ----------

class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    // xorshift32: fast, reproducible from the printed seed.
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
}

const INTERESTING = ['0', '1', '-1', '00', '4294967295', '4294967296', '9007199254740991', '9007199254740993', '1e400', '-0', '0777777777777', '\u0000', '\uffff', '\ud800', '\r\n', '\n\n', ' ', '"', '\\', '{}', '[]'].map((s) => utf8.encode(s));

function mutate(rng: Rng, input: Uint8Array, dict: Uint8Array[], corpus: Uint8Array[], maxLength: number): Uint8Array {
  let b: Uint8Array = input.slice();
  const rounds = 1 + rng.int(4);
  for (let k = 0; k < rounds; k++) {
    const pos = rng.int(b.length + 1);
    switch (rng.int(11)) {
      case 0: // flip a bit
        if (b.length) b[rng.int(b.length)]! ^= 1 << rng.int(8);
        break;
      case 1: // random byte
        if (b.length) b[rng.int(b.length)] = rng.int(256);
        break;
      case 2: { // delete a range
        const n = 1 + rng.int(Math.min(64, b.length - pos + 1));
        b = concatBytes(b.subarray(0, pos), b.subarray(Math.min(b.length, pos + n)));
        break;
      }
      case 3: { // insert random bytes
        const n = 1 + rng.int(16);
        const r = new Uint8Array(n).map(() => rng.int(256));
        b = concatBytes(b.subarray(0, pos), r, b.subarray(pos));
        break;
      }
      case 4: // insert a dictionary token
      case 5:
        if (dict.length) b = concatBytes(b.subarray(0, pos), dict[rng.int(dict.length)]!, b.subarray(pos));
        break;
      case 6: { // overwrite with a dictionary token
        if (!dict.length) break;
        const t = dict[rng.int(dict.length)]!;
        b = concatBytes(b.subarray(0, pos), t, b.subarray(Math.min(b.length, pos + t.length)));
        break;
      }
      case 7: { // overwrite with an interesting value
        const t = INTERESTING[rng.int(INTERESTING.length)]!;
        b = concatBytes(b.subarray(0, pos), t, b.subarray(Math.min(b.length, pos + rng.int(t.length + 2))));
        break;
      }
      case 8: { // splice with another corpus input
        const o = corpus[rng.int(corpus.length)]!;
        const at = rng.int(o.length + 1);
        b = concatBytes(b.subarray(0, pos), o.subarray(at, at + rng.int(o.length - at + 1)));
        break;
      }
      case 9: { // duplicate a range (repetition finds counters and bounds)
        const n = 1 + rng.int(Math.min(256, b.length - pos + 1));
        const piece = b.slice(pos, pos + n);
        const times = 1 + rng.int(8);
        const parts = [b.subarray(0, pos)];
        for (let t = 0; t < times; t++) parts.push(piece);
        parts.push(b.subarray(pos));
        b = concatBytes(...parts);
        break;
      }
      default: // truncate
        b = b.subarray(0, pos);
    }
  }
  return b.length > maxLength ? b.subarray(0, maxLength) : b;
}

// ---------- the loop ----------

export interface FuzzResult {
  target: string;
  executions: number;
  /** Of which the seeds (and saved corpus) replayed first. */
  seedRuns: number;
  seconds: number;
  corpus: number;
  blocks: number;
  knownBlocks: number;
  /** Covered / total characters of the target files, measured by re-running the kept corpus. */
  chars: { covered: number; total: number };
  failures: { message: string; input: Uint8Array; file: string | null }[];
  seed: number;
}

export interface FuzzOptions {
  milliseconds: number;
  seed?: number;
  /** Directory where kept inputs are saved (and read back as extra seeds); none in smoke runs. */
  corpusDir?: string;
  /** A saved corpus read as extra seeds and never written (smoke runs). */
  seedDir?: string;
  /** Directory where failing inputs are written. */
  crashDir?: string;
  /** Re-run the kept corpus at the end to measure the share of source characters covered (default true). */
  measure?: boolean;
  /** Stop at the first failure (smoke runs) or keep going, collecting distinct ones. */
  stopOnFailure?: boolean;
  log?: (line: string) => void;
}

const RSS_LIMIT = 1536 << 20;

export async function fuzz(t: FuzzTarget, o: FuzzOptions): Promise<FuzzResult> {
  const seed = o.seed ?? (Date.now() & 0x7fffffff);
  const rng = new Rng(seed);
  const dict = t.dict.map(bytesOf);
  const cov = new Coverage(t.files);
  const corpus: Uint8Array[] = [];
  const failures: FuzzResult['failures'] = [];
  const failureKinds = new Set<string>();
  const log = o.log ?? (() => {});
  let executions = 0;
  const started = Date.now();

  const runOne = async (input: Uint8Array, batched = false): Promise<boolean> => {
    executions++;
    try {
      await t.run(input);
      if ((executions & 255) === 0 && process.memoryUsage.rss() > RSS_LIMIT) {
        throw new FuzzFailure(`resident memory ${Math.round(process.memoryUsage.rss() / 2 ** 20)} MiB after this input, over ${RSS_LIMIT >> 20} MiB`);
      }
    } catch (e) {
      if (!batched) cov.take();
      const message = e instanceof FuzzFailure ? e.message : `harness error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
      const kind = message.replace(/[0-9]+/g, 'N').slice(0, 120);
      if (!failureKinds.has(kind)) {
        failureKinds.add(kind);
        let file: string | null = null;
        if (o.crashDir) {
          mkdirSync(o.crashDir, { recursive: true });
          file = join(o.crashDir, `${t.name}-${createHash('sha256').update(input).digest('hex').slice(0, 16)}.bin`);
          writeFileSync(file, input);
        }
        failures.push({ message, input, file });
        log(`  FAILURE ${message}${file ? ` (input saved to ${file})` : ''}`);
      }
      return false;
    }
    return batched ? false : cov.take() > 0;
  };

  const keep = (input: Uint8Array) => {
    corpus.push(input);
    if (o.corpusDir && input.length <= 4096) {
      mkdirSync(o.corpusDir, { recursive: true });
      writeFileSync(join(o.corpusDir, createHash('sha256').update(input).digest('hex').slice(0, 16)), input);
    }
  };

  const seeds = t.seeds();
  for (const dir of [o.corpusDir, o.seedDir]) {
    if (!dir) continue;
    try {
      for (const f of readdirSync(dir).sort()) seeds.push(new Uint8Array(readFileSync(join(dir, f))));
    } catch {
      // No saved corpus yet.
    }
  }
  for (const s of seeds) {
    const input = s.length > t.maxLength ? s.subarray(0, t.maxLength) : s;
    if (await runOne(input)) corpus.push(input);
    if (o.stopOnFailure && failures.length) break;
  }
  if (corpus.length === 0) corpus.push(new Uint8Array(0));

  let generated: Uint8Array[] = [];
  let lastLog = Date.now();
  const next = (): Uint8Array => {
    if (rng.int(5) === 0) {
      // Structure-aware: a fresh input from the target's arbitrary, sometimes mutated once more.
      if (generated.length === 0) generated = fc.sample(t.arbitrary, { numRuns: 50, seed: rng.next() & 0x7fffffff });
      const input = generated.pop()!;
      return rng.int(2) === 0 ? mutate(rng, input, dict, corpus, t.maxLength) : input;
    }
    return mutate(rng, corpus[rng.int(corpus.length)]!, dict, corpus, t.maxLength);
  };
  // Taking coverage costs more than most runs, so inputs run in batches with one take; a batch that
  // reached a block never reached before is run again one input at a time to find which to keep.
  // Every sixteenth batch runs one at a time anyway, so hit-count novelty is not lost altogether.
  let round = 0;
  const seedRuns = executions;
  // At least one batch of new inputs, however long the seeds took.
  while ((round === 0 || Date.now() - started < o.milliseconds) && !(o.stopOnFailure && failures.length)) {
    const single = round++ % 16 === 0;
    const batch: Uint8Array[] = [];
    for (let k = 0; k < 16; k++) batch.push(next());
    if (single) {
      for (const input of batch) if (await runOne(input)) keep(input);
    } else {
      for (const input of batch) await runOne(input, true);
      if (cov.take(false, false) > 0) for (const input of batch) if (await runOne(input)) keep(input);
    }
    if (Date.now() - lastLog > 30_000) {
      lastLog = Date.now();
      log(`  ${t.name}: ${executions} executions, ${Math.round((Date.now() - started) / 1000)} s, corpus ${corpus.length}, ${cov.blocks.size} blocks`);
    }
  }
  const seconds = (Date.now() - started) / 1000;
  if (o.corpusDir) {
    // Distil: the saved corpus becomes exactly the inputs that added coverage in this run (small ones),
    // so it does not grow run after run with inputs later ones made redundant.
    mkdirSync(o.corpusDir, { recursive: true });
    const wanted = new Map(corpus.filter((c) => c.length <= 4096).map((c) => [createHash('sha256').update(c).digest('hex').slice(0, 16), c] as const));
    for (const f of readdirSync(o.corpusDir)) if (!wanted.has(f)) rmSync(join(o.corpusDir, f));
    for (const [name, c] of wanted) writeFileSync(join(o.corpusDir, name), c);
  }
  // Re-run the kept corpus once with per-character painting, for a coverage share comparable to c8's.
  for (const input of o.measure === false ? [] : corpus) {
    try {
      await t.run(input);
    } catch {
      // Already reported.
    }
    cov.take(true);
  }
  const result: FuzzResult = { target: t.name, executions, seedRuns, seconds, corpus: corpus.length, blocks: cov.blocks.size, knownBlocks: cov.known.size, chars: cov.charShare(), failures, seed };
  return result;
}

/** Reads a fixture file, clipped: seeds only need the start of big logs. */
export function readSeed(path: string, limit = 16384): Uint8Array {
  const b = new Uint8Array(readFileSync(new URL(path, ROOT)));
  return b.length > limit ? b.subarray(0, limit) : b;
}

/** Every file under a repository directory (recursively), clipped. */
export function readSeedDir(dir: string, filter: (name: string) => boolean = () => true, limit = 16384): Uint8Array[] {
  const out: Uint8Array[] = [];
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(new URL(rel, ROOT)).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = `${rel}/${n}`;
      if (statSync(new URL(p, ROOT)).isDirectory()) walk(p);
      else if (filter(n)) out.push(readSeed(p, limit));
    }
  };
  walk(dir);
  return out;
}
