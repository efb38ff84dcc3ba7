// verify --policy / --scope: the examiner's policy file read and checked, and the evidence scope written for people.
import type { Scope } from '../../shared/core/scope.ts';
import { duration } from '../../shared/core/scope-report.ts';
export { saveIndexedScope } from '../services/index/scope-store.node.ts';
export { loadSuppliedPolicy } from '../services/seal-policy.node.ts';

function when(ms: number): string {
  return new Date(Math.floor(ms)).toISOString();
}

const minutes = duration;

export function humanScope(s: Scope): string {
  const out: string[] = ['', 'Evidence scope (what this log could not have recorded)'];
  if (s.policies.length === 0) out.push('  audit policy  none sealed and none supplied: what the API server was told not to record cannot be stated (give --policy FILE)');
  for (const p of s.policies) {
    const where = p.source === 'sealed' ? `sealed as entry ${p.entryIndex}` : 'supplied by the examiner, not sealed with the log (a claim, not evidence)';
    out.push(`  audit policy  ${p.file ?? '(no file name)'}, ${p.rules} rule${p.rules === 1 ? '' : 's'}, ${where}; SHA-256 ${p.sha256 ?? '(not recorded)'}`);
    for (const b of p.blindSpots) out.push(`    - ${b.text}`);
  }
  for (const u of s.unreadablePolicies) out.push(`  entry ${u.index} looks like an audit policy but does not parse: ${u.message}`);
  out.push(`    - ${s.outsideApiServer}`);
  const c = s.contradictions;
  if (s.policies.length) {
    out.push(`  consistency   ${s.events} audit events; ${c.events} contradict the policy in force (${c.levelMismatches} at another level than it gives, ${c.omittedStages} at a stage it omits)${s.eventsWithoutPolicy ? `; ${s.eventsWithoutPolicy} come before any policy and were not checked` : ''}`);
    if (c.events) out.push('                a policy in force other than the one sealed or supplied is a finding for the examiner, not an integrity error');
    for (const x of c.listed.slice(0, 10)) {
      out.push(`                entry ${x.index}: ${[x.levelMismatch ? `level ${x.levelMismatch.recorded}, policy gives ${x.levelMismatch.expected}` : '', x.omittedStage ? `stage ${x.omittedStage} is omitted by the policy` : ''].filter(Boolean).join('; ')}`);
    }
    if (c.events > 10) out.push(`                … ${c.events - 10} more (all listed, up to 100, in --json)`);
  }
  const g = s.timeGaps;
  out.push(`  time gaps     ${g.gaps.length ? `${g.gaps.length} interval${g.gaps.length === 1 ? '' : 's'} with no event longer than ${minutes(g.thresholdMs)}` : `none longer than ${minutes(g.thresholdMs)}`} (the rule: max(10 min, 50 × the median interval${g.medianIntervalMs === null ? '' : `, here ${minutes(g.medianIntervalMs)}`}))`);
  for (const x of g.gaps) out.push(`                entries ${x.fromIndex} → ${x.toIndex}: nothing for ${minutes(x.durationMs)}, ${when(x.fromTime)} to ${when(x.toTime)}`);
  if (g.gapsNotListed) out.push(`                ${g.gapsNotListed} more silences longer than 10 min were not examined`);
  if (g.outOfOrderEvents) out.push(`  time order    ${g.outOfOrderEvents} events more than ${minutes(g.toleranceMs)} before an earlier entry's time, in ${g.outOfOrder.length + g.outOfOrderNotListed} run${g.outOfOrder.length + g.outOfOrderNotListed === 1 ? '' : 's'}`);
  for (const r of g.outOfOrder.slice(0, 10)) out.push(`                entries ${r.fromIndex}..${r.toIndex}: up to ${minutes(r.maxBehindMs)} before entry ${r.latestIndex}`);
  if (g.untimed) out.push(`                ${g.untimed} events have no usable time`);
  out.push(`  ${g.note}`);
  return `${out.join('\n')}\n`;
}

/** One line for attest's summary: where the policy comes from and what was found. */
export function scopeLine(s: Scope): string {
  const p = s.policies[s.policies.length - 1];
  const g = s.timeGaps.gaps.length;
  const gaps = `${g} time gap${g === 1 ? '' : 's'}`;
  if (!p) return `no audit policy sealed or supplied, so what was not recorded cannot be stated; ${gaps}`;
  const policy = p.source === 'sealed' ? `audit policy sealed as entry ${p.entryIndex}` : 'audit policy supplied by the examiner (not sealed)';
  const spots = s.policies.reduce((k, x) => k + x.blindSpots.length, 0);
  return `${policy}; ${spots} blind spot${spots === 1 ? '' : 's'}; ${s.contradictions.events} event${s.contradictions.events === 1 ? '' : 's'} contradicting it; ${gaps}`;
}

