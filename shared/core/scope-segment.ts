// One segment's share of the evidence scope, gathered in a segment worker without knowing the policy in force; ScopeAnalyzer.segment merges it.
// Kept apart from scope.ts so the segment workers do not load the policy parser (and its YAML library).
import { eventTime } from './time-gaps.ts';
import type { Decoded } from './parse-event.ts';

const decoder = new TextDecoder('utf-8', { fatal: false });

/**
 * What the scope looks at in an entry: an audit.k8s.io Policy or Event JSON object, else null (access
 * lines, text, other JSON). `decoded`, when parseEvent ran on the same bytes, saves a second JSON.parse:
 * it parsed exactly this text when the bytes are UTF-8 (its lenient decode, like ours, is not parsed).
 */
export function auditObject(bytes: Uint8Array, decoded?: Decoded): { kind: 'policy' | 'event'; object: Record<string, unknown> } | null {
  if (bytes.length === 0 || bytes[0] !== 0x7b) return null;
  let value: unknown;
  if (decoded?.json !== undefined) {
    if (decoded.json === null) return null;
    value = decoded.json.value;
  } else {
    try {
      value = JSON.parse(decoder.decode(bytes));
    } catch {
      return null;
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  if (typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('audit.k8s.io/')) return null;
  return o.kind === 'Policy' ? { kind: 'policy', object: o } : o.kind === 'Event' ? { kind: 'event', object: o } : null;
}

/** What one segment contributes to the scope, without a policy: one number per event in typed arrays, plus each distinct request once. */
export interface SegmentScope {
  events: number;
  /** Entry index of each event. */
  indexes: Float64Array;
  /** Its time (eventTime), NaN when it has none. */
  times: Float64Array;
  /** Which of `requests` it is, or NO_REQUEST when the policy cannot judge it (no verb or requestURI). */
  kinds: Uint32Array;
  /**
   * Distinct requests, each reduced to what contradiction() reads (user, verb, requestURI without its
   * query, objectRef, level, stage): a log repeats the same few thousand, so a policy decides each once.
   */
  requests: Record<string, unknown>[];
  /** Sealed-policy entries (rare), before the event numbered beforeEvent in this segment. */
  policies: { index: number; beforeEvent: number; bytes: Uint8Array }[];
}

export const NO_REQUEST = 0xffffffff;

/** Gathers a SegmentScope from one segment's entries, in a segment worker: the JSON parsing, which is the cost, happens here. */
export class SegmentScopeCollector {
  private n = 0;
  private indexes = new Float64Array(4096);
  private times = new Float64Array(4096);
  private kinds = new Uint32Array(4096);
  private readonly requests: Record<string, unknown>[] = [];
  private readonly ids = new Map<string, number>();
  private readonly policies: SegmentScope['policies'] = [];

  /** The entries of one segment, in order; decides exactly as ScopeAnalyzer.entry which are events and policies. */
  /** `decoded`: what parseEvent made of the same bytes (the index's parse), reused instead of a second JSON.parse. */
  entry(index: number, bytes: Uint8Array, decoded?: Decoded): void {
    const found = auditObject(bytes, decoded);
    if (!found) return;
    const o = found.object;
    if (found.kind === 'policy') {
      // Copied (new Uint8Array, not slice: on a Buffer that is a view): the entry's bytes are a view of a reused read buffer.
      this.policies.push({ index, beforeEvent: this.n, bytes: new Uint8Array(bytes) });
      return;
    }
    if (this.n === this.indexes.length) this.grow();
    const k = this.n++;
    this.indexes[k] = index;
    this.times[k] = eventTime(o) ?? NaN;
    this.kinds[k] = this.request(o);
  }

  finish(): SegmentScope {
    const n = this.n;
    return { events: n, indexes: this.indexes.slice(0, n), times: this.times.slice(0, n), kinds: this.kinds.slice(0, n), requests: this.requests, policies: this.policies };
  }

  private request(e: Record<string, unknown>): number {
    // attributesOfEvent's condition for an event the policy can judge, without building its attributes.
    if (typeof e.verb !== 'string' || typeof e.requestURI !== 'string') return NO_REQUEST;
    const uri = e.requestURI;
    const q = uri.indexOf('?');
    // The query never reaches the policy (attributesOfEvent cuts it) and is what makes most requests unique.
    const path = q < 0 ? uri : uri.slice(0, q);
    const user = (e.user && typeof e.user === 'object' ? e.user : {}) as Record<string, unknown>;
    const username = typeof user.username === 'string' ? user.username : undefined;
    const groups = Array.isArray(user.groups) ? (user.groups.filter((g) => typeof g === 'string') as string[]) : [];
    const ref = e.objectRef && typeof e.objectRef === 'object' && !Array.isArray(e.objectRef) ? (e.objectRef as Record<string, unknown>) : undefined;
    const s = (v: unknown): string => (typeof v === 'string' ? v : '');
    const objectRef = ref && { apiGroup: s(ref.apiGroup), resource: s(ref.resource), subresource: s(ref.subresource), namespace: s(ref.namespace), name: s(ref.name) };
    const level = typeof e.level === 'string' ? e.level : undefined;
    const stage = typeof e.stage === 'string' ? e.stage : undefined;
    // Every field length-prefixed (absent: -1), so two different requests never share a key; cheaper than JSON.stringify per event.
    const f = (v: string | undefined): string => (v === undefined ? '-1:' : `${v.length}:${v}`);
    let key = f(e.verb) + f(path) + f(username) + f(level) + f(stage) + groups.length + '|';
    for (const g of groups) key += f(g);
    key += objectRef ? `r${f(objectRef.apiGroup)}${f(objectRef.resource)}${f(objectRef.subresource)}${f(objectRef.namespace)}${f(objectRef.name)}` : 'n';
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.requests.length;
      this.ids.set(key, id);
      const r: Record<string, unknown> = { verb: e.verb, requestURI: path, user: { ...(username !== undefined ? { username } : {}), groups } };
      if (objectRef) r.objectRef = objectRef;
      if (level !== undefined) r.level = level;
      if (stage !== undefined) r.stage = stage;
      this.requests.push(r);
    }
    return id;
  }

  private grow(): void {
    const size = this.indexes.length * 2;
    const grown = <T extends Float64Array | Uint32Array>(a: T, b: T): T => (b.set(a), b);
    this.indexes = grown(this.indexes, new Float64Array(size));
    this.times = grown(this.times, new Float64Array(size));
    this.kinds = grown(this.kinds, new Uint32Array(size));
  }
}
