// Evidence scope of an archive in one pass over its entries: the audit policies in force (sealed or supplied), their blind spots, events that contradict them, and time gaps.
// The pass can also be split: segment workers parse their entries into compact SegmentScope facts (scope-segment.ts), merged here in log order.
import { AuditPolicyError, OUTSIDE_THE_API_SERVER, POLICY_FILE_ANNOTATION, POLICY_SHA256_ANNOTATION, blindSpots, contradiction, parseAuditPolicy, type AuditPolicy, type BlindSpot, type PolicyContradiction } from './audit-policy.ts';
import { auditObject, NO_REQUEST, type SegmentScope } from './scope-segment.ts';
import { eventTime, TimeGapDetector, type TimeGapReport } from './time-gaps.ts';

export { NO_REQUEST, SegmentScopeCollector, type SegmentScope } from './scope-segment.ts';

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
    // Only audit Policy and Event objects are examined; access lines, text and other JSON are not.
    const found = auditObject(bytes);
    if (!found) return;
    const o = found.object;
    if (found.kind === 'policy') {
      this.sealedPolicy(index, o, bytes);
      return;
    }
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
