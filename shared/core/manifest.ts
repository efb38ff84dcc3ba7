// manifest.json (spec §5): a strict JSON reader that keeps number lexemes, and the manifest's shape rules.
import { decodeUtf8Strict, pad12 } from './bytes.ts';
import { isValidKeyName } from './keys.ts';

export const FORMAT = 'sealed-audit-archive/v1';
export const SOURCE_KINDS = ['kubernetes-audit', 'openshift-audit', 'ingress-nginx', 'traefik-access', 'other'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];
/** Kinds whose entries must each be a JSON object (else `entry-not-json`). */
export const JSON_KINDS: ReadonlySet<string> = new Set(['kubernetes-audit', 'openshift-audit', 'traefik-access']);

export interface ManifestSegment {
  path: string;
  chain: string;
  first: number;
  count: number;
  sha256: string;
  chainSha256: string;
  gzip: boolean;
}

export interface Manifest {
  format: string;
  origin: string;
  source: { kind: SourceKind; description?: string } | null;
  created: string | null;
  producer: { name?: string; version?: string } | null;
  entries: number;
  segments: ManifestSegment[];
  checkpoints: string[];
}

export class ManifestError extends Error {
  override name = 'ManifestError';
}

// ---- a minimal RFC 8259 parser: JSON.parse loses whether 1000 was written 1e3 or 1000.0 ----

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | { [k: string]: JsonValue };
export class JsonNumber {
  constructor(readonly text: string) {}
}

export function parseJsonKeepingNumbers(text: string): JsonValue {
  let i = 0;
  const fail = (what: string): never => {
    throw new ManifestError(`not valid JSON: ${what} at character ${i}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const value = (depth: number): JsonValue => {
    if (depth > 64) fail('nesting too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj: { [k: string]: JsonValue } = Object.create(null);
      ws();
      if (text[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a member name');
        const key = str();
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`duplicate member ${JSON.stringify(key)}`);
        ws();
        if (text[i] !== ':') fail("expected ':'");
        i++;
        obj[key] = value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const arr: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (m && m[0].length > 0) {
      i += m[0].length;
      return new JsonNumber(m[0]);
    }
    for (const [lit, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(lit, i)) {
        i += lit.length;
        return v;
      }
    }
    return fail('unexpected character');
  };
  const str = (): string => {
    const start = i;
    i++;
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      const ch = text.charCodeAt(i);
      if (ch === 0x22) break;
      if (ch < 0x20) fail('control character in string');
      if (ch === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape');
          i += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) fail('bad escape');
        i += 2;
        continue;
      }
      i++;
    }
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('trailing characters');
  return v;
}

// ---- shape rules ----

const HEX64 = /^[0-9a-f]{64}$/;
const SEGMENT_PATH = /^segments\/([0-9]{12,})\.(jsonl|jsonl\.gz)$/;
const CHAIN_PATH = /^segments\/([0-9]{12,})\.chain$/;
const CHECKPOINT_PATH = /^checkpoints\/([0-9]{12,})\.ckpt$/;
/**
 * The longest path the shapes above allow: `first` and tree sizes are below 2^53, 16 digits at most, so
 * "segments/" + 16 digits + ".jsonl.gz" is 34 characters. A longer string is refused before any pattern
 * sees it: V8's backtracking on a counted repetition grows its stack with the input, and a path of
 * millions of digits would otherwise end in a stack overflow instead of manifest-invalid.
 */
export const MAX_MANIFEST_PATH = 64;

/** A manifest string as shown in a message: whole when short, else its start and its length. */
function shown(v: string): string {
  return v.length <= 80 ? JSON.stringify(v) : `${JSON.stringify(v.slice(0, 60))}… (${v.length} characters)`;
}

function pathMatch(re: RegExp, path: string): RegExpExecArray | null {
  return path.length <= MAX_MANIFEST_PATH ? re.exec(path) : null;
}

function isObject(v: JsonValue | undefined): v is { [k: string]: JsonValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

function integer(v: JsonValue | undefined, what: string, min = 0): number {
  if (!(v instanceof JsonNumber) || !/^(0|[1-9][0-9]*)$/.test(v.text)) {
    throw new ManifestError(`${what} must be an integer without fraction or exponent`);
  }
  const n = Number(v.text);
  if (!Number.isSafeInteger(n) || n < min) throw new ManifestError(`${what} must be between ${min} and 2^53-1`);
  return n;
}

function string(v: JsonValue | undefined, what: string): string {
  if (typeof v !== 'string') throw new ManifestError(`${what} must be a string`);
  return v;
}

function optionalString(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Index in a segment or chain file name equals `first`, written with at least 12 digits and no extra leading zero. */
function nameMatchesFirst(digits: string, first: number): boolean {
  return digits === pad12(first);
}

export function parseManifest(bytes: Uint8Array): Manifest {
  const text = decodeUtf8Strict(bytes);
  if (text === null) throw new ManifestError('manifest.json is not valid UTF-8');
  const root = parseJsonKeepingNumbers(text);
  if (!isObject(root)) throw new ManifestError('manifest.json is not a JSON object');
  const format = string(root.format, 'format');
  if (format !== FORMAT) throw new ManifestError(`format is ${shown(format)}, expected ${JSON.stringify(FORMAT)}`);
  const origin = string(root.origin, 'origin');
  if (!isValidKeyName(origin)) throw new ManifestError(`origin ${shown(origin)} is not a valid key name`);
  const entries = integer(root.entries, 'entries');
  let source: Manifest['source'] = null;
  if (root.source !== undefined) {
    if (!isObject(root.source)) throw new ManifestError('source must be an object');
    const kind = string(root.source.kind, 'source.kind');
    if (!(SOURCE_KINDS as readonly string[]).includes(kind)) throw new ManifestError(`source.kind ${shown(kind)} is not one of ${SOURCE_KINDS.join(', ')}`);
    source = { kind: kind as SourceKind };
    const description = optionalString(root.source.description);
    if (description !== undefined) source.description = description;
  }
  const producer = isObject(root.producer) ? { name: optionalString(root.producer.name), version: optionalString(root.producer.version) } : null;
  const created = optionalString(root.created) ?? null;

  const seen = new Set<string>();
  const claim = (path: string) => {
    if (seen.has(path)) throw new ManifestError(`path ${shown(path)} is listed twice`);
    seen.add(path);
  };
  if (!Array.isArray(root.segments)) throw new ManifestError('segments must be an array');
  const segments = root.segments.map((s, i): ManifestSegment => {
    const at = `segments[${i}]`;
    if (!isObject(s)) throw new ManifestError(`${at} must be an object`);
    const path = string(s.path, `${at}.path`);
    const chain = string(s.chain, `${at}.chain`);
    const first = integer(s.first, `${at}.first`);
    const count = integer(s.count, `${at}.count`, 1);
    const sha256 = string(s.sha256, `${at}.sha256`);
    const chainSha256 = string(s.chainSha256, `${at}.chainSha256`);
    const pm = pathMatch(SEGMENT_PATH, path);
    if (!pm || !nameMatchesFirst(pm[1]!, first)) throw new ManifestError(`${at}.path ${shown(path)} is not segments/<12-digit first>.jsonl or .jsonl.gz`);
    const cm = pathMatch(CHAIN_PATH, chain);
    if (!cm || !nameMatchesFirst(cm[1]!, first)) throw new ManifestError(`${at}.chain ${shown(chain)} is not segments/<12-digit first>.chain`);
    if (!HEX64.test(sha256)) throw new ManifestError(`${at}.sha256 is not 64 lower-case hex digits`);
    if (!HEX64.test(chainSha256)) throw new ManifestError(`${at}.chainSha256 is not 64 lower-case hex digits`);
    claim(path);
    claim(chain);
    return { path, chain, first, count, sha256, chainSha256, gzip: pm[2] === 'jsonl.gz' };
  });
  if (!Array.isArray(root.checkpoints)) throw new ManifestError('checkpoints must be an array');
  const checkpoints = root.checkpoints.map((c, i) => {
    const path = string(c, `checkpoints[${i}]`);
    if (!pathMatch(CHECKPOINT_PATH, path)) throw new ManifestError(`checkpoints[${i}] ${shown(path)} is not checkpoints/<12 digits>.ckpt`);
    claim(path);
    return path;
  });
  return { format, origin, source, created, producer, entries, segments, checkpoints };
}

/** Spec §5 contiguity: null when fine, else what is wrong (`segment-range-invalid`). */
export function segmentRangeProblem(m: Manifest): string | null {
  let next = 0;
  for (const s of m.segments) {
    if (s.first !== next) return `${s.path} starts at entry ${s.first}, expected ${next} (${s.first > next ? 'gap' : 'overlap'})`;
    next = s.first + s.count;
  }
  if (next !== m.entries) return `segment counts add up to ${next} entries, the manifest says ${m.entries}`;
  return null;
}
