// The evidence scope in sentences for a reader (the attestation's Limitations page and the app's Scope panel): nothing stronger than what was checked.
import type { Scope, ScopePolicy } from './scope.ts';

/** How many contradicting events and out-of-order runs a page lists by index; the rest are counted. */
export const SCOPE_LISTED = 5;

export const NO_POLICY_KNOWN =
  'No audit policy was sealed in this log and none was supplied by the examiner. What the API server was configured not to record therefore cannot be stated: the absence of a kind of event from this log does not show that no such request was made.';

export const NOT_WORKED_OUT = 'The evidence scope (audit policy, blind spots, time gaps) was not worked out for this report.';

export const NO_AUDIT_EVENTS = 'The log holds no Kubernetes audit event (kind Event, apiVersion audit.k8s.io/*): the consistency and time-gap checks apply to audit events only and had nothing to examine.';

export const CONTRADICTION_MEANING =
  'An event that contradicts the policy is not an integrity error: it means the policy in force when the event was written was not the one sealed or supplied, which is a finding for the examiner to weigh.';

export interface ScopeReport {
  /** One line, without a final full stop, for a first page or a summary: the policy's source, blind spots, contradictions, gaps. */
  summary: string;
  /** Where each policy comes from, with its SHA-256; or that none is known. */
  policies: string[];
  /** Plain-language blind spots of each policy, then what no audit log records. */
  blindSpots: { policy: string; items: string[] }[];
  outsideApiServer: string | null;
  /** Counts of the consistency check, and the first contradicting events by entry index. */
  consistency: string[];
  contradictions: { index: number; text: string }[];
  /** For a report listing `contradictions`: how many of how many, and where the rest are. */
  listedNote: string | null;
  /** The time-gap rule as applied, each gap with its entry indexes, out-of-order runs, and the hash-chain sentence. */
  time: string[];
  gaps: { entries: string; text: string }[];
  outOfOrder: { entries: string; text: string }[];
  chainNote: string | null;
}

const n = (x: number): string => x.toLocaleString('en-US');
const plural = (x: number, one: string, many = `${one}s`): string => `${n(x)} ${x === 1 ? one : many}`;

export function utcMs(ms: number): string {
  return new Date(Math.floor(ms)).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC');
}

/** A duration as people read it: 38.0 min, 2.5 h, 12.3 s, 480 ms. */
export function duration(ms: number): string {
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 60_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)} s`;
  // The median of a busy log is often 0: events written within the same millisecond.
  return ms < 1 ? 'under 1 ms' : `${Math.round(ms)} ms`;
}

function policySource(p: ScopePolicy, coveredEntries: number | null): string {
  const file = p.file ? `${p.file}, ` : '';
  const rules = plural(p.rules, 'rule');
  if (p.source === 'supplied') {
    return `Audit policy ${file}${rules}, supplied by the examiner and not sealed with the log: it is the examiner\u2019s statement of the policy in force, not evidence of it. SHA-256 of the file: ${p.sha256 ?? 'not recorded'}.`;
  }
  const at = p.entryIndex ?? 0;
  const covered = coveredEntries === null ? '' : at < coveredEntries ? ' It is covered by the trusted checkpoint of the result, like the events after it.' : ' It is NOT covered by a trusted checkpoint: like any uncovered entry, it is not vouched for.';
  return `Audit policy ${file}${rules}, sealed in the log as entry ${n(at)}: it is hashed and chained like every entry and governs the entries after it.${covered} SHA-256 of the policy file, as the sealer recorded it: ${p.sha256 ?? 'not recorded'}.`;
}

/**
 * The scope as sentences. `coveredEntries` (entries covered by a trusted checkpoint) lets a sealed
 * policy be said to be covered or not; null when unknown. Texts state counts and indexes as checked.
 */
export function scopeReport(s: Scope | null, coveredEntries: number | null = null, listed = SCOPE_LISTED): ScopeReport {
  const empty: ScopeReport = { summary: NOT_WORKED_OUT, policies: [], blindSpots: [], outsideApiServer: null, consistency: [], contradictions: [], listedNote: null, time: [], gaps: [], outOfOrder: [], chainNote: null };
  if (s === null) return { ...empty, policies: [NOT_WORKED_OUT] };
  const policies = s.policies.length === 0 ? [NO_POLICY_KNOWN] : s.policies.map((p) => policySource(p, coveredEntries));
  for (const u of s.unreadablePolicies) policies.push(`Entry ${n(u.index)} looks like an audit policy but does not parse, so it was not used: ${u.message}.`);
  const blindSpots = s.policies.map((p) => ({
    policy: p.source === 'sealed' ? `Policy sealed as entry ${n(p.entryIndex ?? 0)}` : 'Policy supplied by the examiner',
    items: p.blindSpots.map((b) => b.text),
  }));
  const last = s.policies[s.policies.length - 1];
  const spots = s.policies.reduce((k, p) => k + p.blindSpots.length, 0);
  const policyPart = !last
    ? 'No audit policy sealed or supplied: what the API server was told not to record cannot be stated'
    : `Audit policy ${last.source === 'sealed' ? `sealed as entry ${n(last.entryIndex ?? 0)}` : 'supplied by the examiner, not sealed'}${s.policies.length > 1 ? ` (the last of ${n(s.policies.length)})` : ''}: ${plural(spots, 'blind spot')}`;
  if (s.events === 0) return { ...empty, summary: `${policyPart}; no audit event in the log`, policies, blindSpots, outsideApiServer: s.outsideApiServer, consistency: [NO_AUDIT_EVENTS] };

  const c = s.contradictions;
  const consistency: string[] = [];
  const checked = s.events - s.eventsWithoutPolicy;
  if (s.policies.length === 0) {
    consistency.push(`The ${plural(s.events, 'audit event')} could not be checked against a policy: none is known.`);
  } else {
    consistency.push(
      c.events === 0
        ? `Each of the ${plural(checked, 'audit event')} checked has the level and stage the policy in force gives it.`
        : `${n(c.events)} of the ${plural(checked, 'audit event')} checked contradict the policy in force: ${plural(c.levelMismatches, 'event')} at another level than it gives, ${plural(c.omittedStages, 'event')} at a stage it omits (an event can do both).`,
    );
    if (s.eventsWithoutPolicy > 0) consistency.push(`${plural(s.eventsWithoutPolicy, 'audit event')} came before any policy in the log and were not checked.`);
    if (c.events > 0) consistency.push(CONTRADICTION_MEANING);
  }
  const contradictions = c.listed.slice(0, listed).map((x) => ({
    index: x.index,
    text: [x.levelMismatch ? `recorded at level ${x.levelMismatch.recorded}; the policy gives ${x.levelMismatch.expected}` : '', x.omittedStage ? `stage ${x.omittedStage}, which the policy omits` : ''].filter(Boolean).join('; '),
  }));
  const listedNote = c.events > contradictions.length ? `The first ${n(contradictions.length)} are listed below by entry index; the signed statement lists up to ${n(c.listed.length)}.` : null;

  const g = s.timeGaps;
  const timed = g.events - g.untimed;
  const time: string[] = [];
  if (timed < 2) {
    time.push(`Fewer than two audit events carry a time (${plural(timed, 'event')}): no interval between events could be measured.`);
  } else {
    const median = g.medianIntervalMs === null ? '' : `; the median interval between consecutive events is ${duration(g.medianIntervalMs)}`;
    time.push(`${plural(timed, 'audit event')} with a time (stageTimestamp, when each was written), from ${utcMs(g.firstTime!)} to ${utcMs(g.lastTime!)}${median}. An interval with no event counts as a gap when it is longer than max(10 min, 50 \u00d7 the median interval), here ${duration(g.thresholdMs)}.`);
    time.push(g.gaps.length === 0 ? `No interval without an event is longer than ${duration(g.thresholdMs)}.` : `${plural(g.gaps.length, 'gap')} found: no event was recorded in ${g.gaps.length === 1 ? 'this interval' : 'these intervals'}.`);
    if (g.gapsNotListed > 0) time.push(`${plural(g.gapsNotListed, 'further silence')} longer than 10 min ${g.gapsNotListed === 1 ? 'was' : 'were'} not examined (more than 1,000).`);
  }
  if (g.untimed > 0) time.push(`${plural(g.untimed, 'audit event')} carry no usable time and are left out of the time checks.`);
  const gaps = g.gaps.map((x) => ({ entries: `${n(x.fromIndex)} \u2192 ${n(x.toIndex)}`, text: `no event for ${duration(x.durationMs)}, ${utcMs(x.fromTime)} to ${utcMs(x.toTime)}` }));
  const runs = g.outOfOrder.length + g.outOfOrderNotListed;
  if (g.outOfOrderEvents > 0) {
    time.push(`${plural(g.outOfOrderEvents, 'audit event')}, in ${plural(runs, 'run')}, lie more than ${duration(g.toleranceMs)} before an earlier entry\u2019s time (out of time order).${runs > listed ? ` The first ${n(Math.min(listed, g.outOfOrder.length))} are listed.` : ''}`);
  }
  const outOfOrder = g.outOfOrder.slice(0, listed).map((r) => ({
    entries: r.fromIndex === r.toIndex ? n(r.fromIndex) : `${n(r.fromIndex)}\u2013${n(r.toIndex)}`,
    text: `up to ${duration(r.maxBehindMs)} before entry ${n(r.latestIndex)} (${plural(r.events, 'event')})`,
  }));
  const contradictPart = s.policies.length === 0 ? '' : `; ${n(c.events)} of ${plural(checked, 'checked event')} contradict${c.events === 1 ? 's' : ''} it`;
  const gapPart = timed < 2 ? 'too few timed events to look for gaps' : g.gaps.length === 0 ? `no gap in time longer than ${duration(g.thresholdMs)}` : `${plural(g.gaps.length, 'gap')} in time longer than ${duration(g.thresholdMs)}`;
  const summary = `${policyPart}${contradictPart}; ${gapPart}`;
  return { summary, policies, blindSpots, outsideApiServer: s.outsideApiServer, consistency, contradictions, listedNote, time, gaps, outOfOrder, chainNote: g.note };
}
