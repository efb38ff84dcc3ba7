// Evidence scope of an archive in one pass over its entries: the audit policies in force (sealed or supplied), their blind spots, events that contradict them, and time gaps.
// The pass can also be split: segment workers parse their entries into compact SegmentScope facts, merged here in log order.
import { AuditPolicyError, OUTSIDE_THE_API_SERVER, POLICY_FILE_ANNOTATION, POLICY_SHA256_ANNOTATION, blindSpots, contradiction, parseAuditPolicy, type AuditPolicy, type BlindSpot, type PolicyContradiction } from './audit-policy.ts';
import { eventTime, TimeGapDetector, type TimeGapReport } from './time-gaps.ts';

const MAX_LISTED = 100;

export interface ScopePolicy {
  /** sealed: an entry of the log (evidence); supplied: given by the examiner (a claim, stated as such). */
  source: 'sealed' | 'supplied';
  /** The entry holding it (sealed), from which it governs the events after it. */
  entryIndex: number | null;
  /** SHA-256 of the policy file's bytes: as recorded in the sealed entry, or of the supplied file. */
  sha256: string | null;
  file: string | null;
  rules: number;
  blindSpots: BlindSpot[];
}

export interface ScopeContradiction extends PolicyContradiction {
  index: number;
}

export interface Scope {
  policies: ScopePolicy[];
  /** Sealed entries that look like a Policy but do not parse as one: index and reason. */
  unreadablePolicies: { index: number; message: string }[];
  events: number;
  /** Events before any policy (none sealed yet and none supplied): their level cannot be checked. */
  eventsWithoutPolicy: number;
  contradictions: { events: number; levelMismatches: number; omittedStages: number; listed: ScopeContradiction[] };
  timeGaps: TimeGapReport;
  outsideApiServer: string;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export class ScopeAnalyzer {
  private readonly policies: ScopePolicy[] = [];
  private readonly unreadable: { index: number; message: string }[] = [];
  private current: AuditPolicy | null;
  private readonly gaps = new TimeGapDetector();
  private events = 0;
  private withoutPolicy = 0;
  private contradicting = 0;
  private levelMismatches = 0;
  private omittedStages = 0;
  private readonly listed: ScopeContradiction[] = [];

  constructor(supplied?: { policy: AuditPolicy; sha256: string; file: string }) {
    this.current = supplied?.policy ?? null;
    if (supplied) this.policies.push({ source: 'supplied', entryIndex: null, sha256: supplied.sha256, file: supplied.file, rules: supplied.policy.rules.length, blindSpots: blindSpots(supplied.policy) });
  }

  /** Entries in log order. */
  entry(index: number, bytes: Uint8Array): void {
    // Only JSON objects can be events or policies; other lines (access logs, text) are not examined here.
    if (bytes.length === 0 || bytes[0] !== 0x7b) return;
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(bytes));
    } catch {
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const o = value as Record<string, unknown>;
    if (o.kind === 'Policy' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('audit.k8s.io/')) {
      this.sealedPolicy(index, o, bytes);
      return;
    }
    if (o.kind !== 'Event' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('audit.k8s.io/')) return;
    this.events++;
    this.gaps.add(index, eventTime(o));
    if (!this.current) {
      this.withoutPolicy++;
      return;
    }
    const c = contradiction(this.current, o);
    if (!c) return;
    this.contradicting++;
    if (c.levelMismatch) this.levelMismatches++;
    if (c.omittedStage) this.omittedStages++;
    if (this.listed.length < MAX_LISTED) this.listed.push({ index, ...c });
  }

  /**
   * The facts a SegmentScopeCollector gathered from one segment, merged in log order (segments in
   * manifest order, as the serial pass reads them): the same result as entry() on each of its entries.
   * The policy in force is only known here, so contradictions are decided here, once per distinct request.
   */
  segment(s: SegmentScope): void {
    let nextPolicy = 0;
    // Decisions of the policy in force for each distinct request of this segment; reset when the policy changes.
    let decided: (PolicyContradiction | null | undefined)[] = new Array(s.requests.length);
    for (let k = 0; k <= s.events; k++) {
      while (nextPolicy < s.policies.length && s.policies[nextPolicy]!.beforeEvent === k) {
        const p = s.policies[nextPolicy++]!;
        const text = decoder.decode(p.bytes);
        const before = this.current;
        this.sealedPolicy(p.index, JSON.parse(text) as Record<string, unknown>, p.bytes);
        if (this.current !== before) decided = new Array(s.requests.length);
      }
      if (k === s.events) break;
      const index = s.indexes[k]!;
      this.events++;
      this.gaps.add(index, s.times[k]!);
      if (!this.current) {
        this.withoutPolicy++;
        continue;
      }
      const r = s.kinds[k]!;
      if (r === NO_REQUEST) continue;
      let c = decided[r];
      if (c === undefined) c = decided[r] = contradiction(this.current, s.requests[r]) ?? null;
      if (!c) continue;
      this.contradicting++;
      if (c.levelMismatch) this.levelMismatches++;
      if (c.omittedStage) this.omittedStages++;
      if (this.listed.length < MAX_LISTED) this.listed.push({ index, ...c });
    }
  }

  finish(): Scope {
    return {
      policies: this.policies,
      unreadablePolicies: this.unreadable,
      events: this.events,
      eventsWithoutPolicy: this.withoutPolicy,
      contradictions: { events: this.contradicting, levelMismatches: this.levelMismatches, omittedStages: this.omittedStages, listed: this.listed },
      timeGaps: this.gaps.finish(),
      outsideApiServer: OUTSIDE_THE_API_SERVER,
    };
  }

  private sealedPolicy(index: number, o: Record<string, unknown>, bytes: Uint8Array): void {
    let policy: AuditPolicy;
    try {
      policy = parseAuditPolicy(decoder.decode(bytes), `entry ${index}`);
    } catch (e) {
      if (!(e instanceof AuditPolicyError)) throw e;
      if (this.unreadable.length < MAX_LISTED) this.unreadable.push({ index, message: e.message });
      return;
    }
    const meta = o.metadata as { annotations?: Record<string, unknown> } | undefined;
    const sha = meta?.annotations?.[POLICY_SHA256_ANNOTATION];
    const file = meta?.annotations?.[POLICY_FILE_ANNOTATION];
    this.current = policy;
    this.policies.push({ source: 'sealed', entryIndex: index, sha256: typeof sha === 'string' ? sha : null, file: typeof file === 'string' ? file : null, rules: policy.rules.length, blindSpots: blindSpots(policy) });
  }
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
  entry(index: number, bytes: Uint8Array): void {
    if (bytes.length === 0 || bytes[0] !== 0x7b) return;
    let value: unknown;
    try {
      value = JSON.parse(decoder.decode(bytes));
    } catch {
      return;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const o = value as Record<string, unknown>;
    if (o.kind === 'Policy' && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('audit.k8s.io/')) {
      // Copied (new Uint8Array, not slice: on a Buffer that is a view): the entry's bytes are a view of a reused read buffer.
      this.policies.push({ index, beforeEvent: this.n, bytes: new Uint8Array(bytes) });
      return;
    }
    if (o.kind !== 'Event' || typeof o.apiVersion !== 'string' || !o.apiVersion.startsWith('audit.k8s.io/')) return;
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
