// Kubernetes audit policies (audit.k8s.io/v1 and v1beta1 Policy): parsing, the API server's rule matching, and blind spots in plain words.

// The matcher follows k8s.io/apiserver/pkg/audit/policy (checker.go): rules are tried in order, the first
// rule whose every present selector matches decides the level, and a request no rule matches is not
// audited (level None). Global omitStages are unioned into every rule's and also apply to unmatched requests.

import { parseDocument } from 'yaml';

export const AUDIT_LEVELS = ['None', 'Metadata', 'Request', 'RequestResponse'] as const;
export type AuditLevel = (typeof AUDIT_LEVELS)[number];
export const AUDIT_STAGES = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'] as const;
export type AuditStage = (typeof AUDIT_STAGES)[number];
export const POLICY_API_VERSIONS = ['audit.k8s.io/v1', 'audit.k8s.io/v1beta1'] as const;

/** Annotations of a Policy sealed by `seal --policy`: the SHA-256 of the file's bytes, and the file's name. */
export const POLICY_SHA256_ANNOTATION = 'sealcheck.dev/policy-sha256';
export const POLICY_FILE_ANNOTATION = 'sealcheck.dev/policy-file';

export class AuditPolicyError extends Error {
  override name = 'AuditPolicyError';
}

export interface GroupResources {
  /** "" is the core API group. */
  group: string;
  /** Empty: every resource of the group. Entries may be "pods", "pods/exec", "*", "pods/*", "*\/scale". */
  resources: string[];
  resourceNames: string[];
}

export interface PolicyRule {
  level: AuditLevel;
  users: string[];
  userGroups: string[];
  verbs: string[];
  resources: GroupResources[];
  namespaces: string[];
  nonResourceURLs: string[];
  /** As written on the rule (without the global stages). */
  omitStages: AuditStage[];
  /** undefined: the policy-wide setting applies. */
  omitManagedFields: boolean | undefined;
}

export interface AuditPolicy {
  apiVersion: (typeof POLICY_API_VERSIONS)[number];
  kind: 'Policy';
  omitStages: AuditStage[];
  omitManagedFields: boolean;
  rules: PolicyRule[];
}

/** What the API server knows of a request when it picks the audit level. */
export interface RequestAttributes {
  user: string;
  groups: string[];
  verb: string;
  /** Present for resource requests (/api/v1/…, /apis/GROUP/VERSION/…), absent for non-resource URLs. */
  resource?: { group: string; resource: string; subresource: string; namespace: string; name: string };
  /** The URL path without query (used for non-resource requests). */
  path: string;
}

export interface PolicyDecision {
  level: AuditLevel;
  /** Index into policy.rules, or -1 when no rule matched. */
  ruleIndex: number;
  /** Union of the global and the rule's omitStages, in AUDIT_STAGES order. */
  omitStages: AuditStage[];
  omitManagedFields: boolean;
}

// ---- parsing ----

const POLICY_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'rules', 'omitStages', 'omitManagedFields']);
const RULE_KEYS = new Set(['level', 'users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs', 'omitStages', 'omitManagedFields']);
const GROUP_KEYS = new Set(['group', 'resources', 'resourceNames']);

/**
 * Parse a policy file's text (YAML or JSON). `file` names it in error messages. Unknown fields are
 * refused: a misspelt selector (`resource:` for `resources:`) would otherwise silently widen a rule and
 * make every statement about what was recorded wrong.
 */
export function parseAuditPolicy(text: string, file = 'policy'): AuditPolicy {
  const fail = (what: string): never => {
    throw new AuditPolicyError(`${file}: ${what}`);
  };
  let raw: unknown;
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) {
    try {
      raw = JSON.parse(trimmed);
    } catch (e) {
      fail(`is not valid JSON (${(e as Error).message})`);
    }
  } else {
    // YAML 1.1 as the API server reads it (sigs.k8s.io/yaml over go-yaml), so `omitManagedFields: yes` means true.
    const doc = parseDocument(trimmed, { version: '1.1', uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) fail(`is not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
    raw = doc.toJS({ maxAliasCount: 100 });
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('is not an audit policy (expected a mapping with kind: Policy)');
  const o = raw as Record<string, unknown>;
  if (o.kind !== 'Policy') fail(`is not an audit policy: kind is ${JSON.stringify(o.kind ?? null)}, expected "Policy"`);
  if (!(POLICY_API_VERSIONS as readonly unknown[]).includes(o.apiVersion)) {
    fail(`has apiVersion ${JSON.stringify(o.apiVersion ?? null)}; expected one of ${POLICY_API_VERSIONS.join(', ')}`);
  }
  unknownKeys(o, POLICY_KEYS, 'the policy', fail);
  const omitStages = stages(o.omitStages, 'omitStages', fail);
  const omitManagedFields = bool(o.omitManagedFields, 'omitManagedFields', fail) ?? false;
  if (o.rules !== undefined && o.rules !== null && !Array.isArray(o.rules)) fail('rules must be a list');
  const rules = ((o.rules as unknown[] | null | undefined) ?? []).map((r, i) => parseRule(r, `rules[${i}]`, fail));
  return { apiVersion: o.apiVersion as AuditPolicy['apiVersion'], kind: 'Policy', omitStages, omitManagedFields, rules };
}

function parseRule(r: unknown, where: string, fail: (m: string) => never): PolicyRule {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) fail(`${where} is not a mapping`);
  const o = r as Record<string, unknown>;
  unknownKeys(o, RULE_KEYS, where, fail);
  if (!(AUDIT_LEVELS as readonly unknown[]).includes(o.level)) {
    fail(`${where}.level is ${JSON.stringify(o.level ?? null)}; expected one of ${AUDIT_LEVELS.join(', ')}`);
  }
  const resources = o.resources === undefined || o.resources === null ? [] : Array.isArray(o.resources) ? o.resources : fail(`${where}.resources must be a list`);
  const rule: PolicyRule = {
    level: o.level as AuditLevel,
    users: strings(o.users, `${where}.users`, fail),
    userGroups: strings(o.userGroups, `${where}.userGroups`, fail),
    verbs: strings(o.verbs, `${where}.verbs`, fail),
    resources: resources.map((g, j) => {
      const gw = `${where}.resources[${j}]`;
      if (g === null || typeof g !== 'object' || Array.isArray(g)) fail(`${gw} is not a mapping`);
      const go = g as Record<string, unknown>;
      unknownKeys(go, GROUP_KEYS, gw, fail);
      if (go.group !== undefined && go.group !== null && typeof go.group !== 'string') fail(`${gw}.group must be a string`);
      return { group: (go.group as string | undefined) ?? '', resources: strings(go.resources, `${gw}.resources`, fail), resourceNames: strings(go.resourceNames, `${gw}.resourceNames`, fail) };
    }),
    namespaces: strings(o.namespaces, `${where}.namespaces`, fail),
    nonResourceURLs: strings(o.nonResourceURLs, `${where}.nonResourceURLs`, fail),
    omitStages: stages(o.omitStages, `${where}.omitStages`, fail),
    omitManagedFields: bool(o.omitManagedFields, `${where}.omitManagedFields`, fail),
  };
  // The API server refuses these at start-up (apis/audit/validation), so a file that has them was never in force.
  if (rule.nonResourceURLs.length > 0 && (rule.resources.length > 0 || rule.namespaces.length > 0)) {
    fail(`${where} has both nonResourceURLs and resources/namespaces; a rule applies to one kind of request only`);
  }
  for (const u of rule.nonResourceURLs) {
    if (!u.startsWith('/') && u !== '*') fail(`${where}.nonResourceURLs entry ${JSON.stringify(u)} must start with "/" or be "*"`);
    if (u.slice(0, -1).includes('*')) fail(`${where}.nonResourceURLs entry ${JSON.stringify(u)} may have "*" only at its end`);
  }
  return rule;
}

function unknownKeys(o: Record<string, unknown>, known: Set<string>, where: string, fail: (m: string) => never): void {
  for (const k of Object.keys(o)) if (!known.has(k)) fail(`${where} has an unknown field ${JSON.stringify(k)}`);
}

function strings(v: unknown, where: string, fail: (m: string) => never): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) fail(`${where} must be a list of strings`);
  return v as string[];
}

function stages(v: unknown, where: string, fail: (m: string) => never): AuditStage[] {
  const list = strings(v, where, fail);
  for (const s of list) if (!(AUDIT_STAGES as readonly string[]).includes(s)) fail(`${where} has an unknown stage ${JSON.stringify(s)}; expected ${AUDIT_STAGES.join(', ')}`);
  return list as AuditStage[];
}

function bool(v: unknown, where: string, fail: (m: string) => never): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') fail(`${where} must be true or false`);
  return v as boolean;
}

/** The policy as plain JSON in the API's own field names (what `seal --policy` records). */
export function policyToJson(p: AuditPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = { apiVersion: p.apiVersion, kind: 'Policy' };
  if (p.omitStages.length) out.omitStages = p.omitStages;
  if (p.omitManagedFields) out.omitManagedFields = true;
  out.rules = p.rules.map((r) => {
    const o: Record<string, unknown> = { level: r.level };
    for (const k of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs', 'omitStages'] as const) if (r[k].length) o[k] = r[k];
    if (r.resources.length) {
      o.resources = r.resources.map((g) => {
        const go: Record<string, unknown> = { group: g.group };
        if (g.resources.length) go.resources = g.resources;
        if (g.resourceNames.length) go.resourceNames = g.resourceNames;
        return go;
      });
    }
    if (r.omitManagedFields !== undefined) o.omitManagedFields = r.omitManagedFields;
    return o;
  });
  return out;
}

// ---- matching ----

export function decide(policy: AuditPolicy, a: RequestAttributes): PolicyDecision {
  for (let i = 0; i < policy.rules.length; i++) {
    const r = policy.rules[i]!;
    if (ruleMatches(r, a)) {
      return { level: r.level, ruleIndex: i, omitStages: unionStages(policy.omitStages, r.omitStages), omitManagedFields: r.omitManagedFields ?? policy.omitManagedFields };
    }
  }
  return { level: 'None', ruleIndex: -1, omitStages: unionStages(policy.omitStages, []), omitManagedFields: policy.omitManagedFields };
}

function unionStages(a: AuditStage[], b: AuditStage[]): AuditStage[] {
  return AUDIT_STAGES.filter((s) => a.includes(s) || b.includes(s));
}

export function ruleMatches(r: PolicyRule, a: RequestAttributes): boolean {
  if (r.users.length > 0 && !r.users.includes(a.user)) return false;
  if (r.userGroups.length > 0 && !a.groups.some((g) => r.userGroups.includes(g))) return false;
  if (r.verbs.length > 0 && !r.verbs.includes(a.verb)) return false;
  // Resource selectors take precedence: a rule with namespaces or resources never matches a non-resource URL.
  if (r.namespaces.length > 0 || r.resources.length > 0) return resourceMatches(r, a);
  if (r.nonResourceURLs.length > 0) return a.resource === undefined && r.nonResourceURLs.some((spec) => pathMatches(a.path, spec));
  return true;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function resourceMatches(r: PolicyRule, a: RequestAttributes): boolean {
  const res = a.resource;
  if (res === undefined) return false;
  // Cluster-scoped resources have namespace "", which a policy selects by listing "".
  if (r.namespaces.length > 0 && !r.namespaces.includes(res.namespace)) return false;
  if (r.resources.length === 0) return true;
  const combined = res.subresource ? `${res.resource}/${res.subresource}` : res.resource;
  for (const g of r.resources) {
    if (g.group !== res.group) continue;
    if (g.resources.length === 0) return true;
    if (g.resourceNames.length > 0 && !g.resourceNames.includes(res.name)) continue;
    for (const spec of g.resources) {
      if (spec === '*' || spec === combined) return true;
      // "*/scale": that subresource of any resource; "pods/*": the resource and every subresource of it.
      if (res.subresource && spec.startsWith('*/') && spec.slice(2) === res.subresource) return true;
      if (spec.endsWith('/*') && spec.slice(0, -2) === res.resource) return true;
    }
  }
  return false;
}

/**
 * The request attributes recorded in an audit event. The policy is evaluated on the authenticated user
 * (the audit filter runs before impersonation), which is the event's `user`, not `impersonatedUser`.
 * Returns undefined for a value that is not an audit event.
 */
export function attributesOfEvent(event: unknown): RequestAttributes | undefined {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return undefined;
  const e = event as Record<string, unknown>;
  if (typeof e.verb !== 'string' || typeof e.requestURI !== 'string') return undefined;
  const user = (e.user && typeof e.user === 'object' ? e.user : {}) as Record<string, unknown>;
  const groups = Array.isArray(user.groups) ? user.groups.filter((g): g is string => typeof g === 'string') : [];
  const uri = e.requestURI;
  const q = uri.indexOf('?');
  let path = q < 0 ? uri : uri.slice(0, q);
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape stays as written; the API server would have refused such a request anyway.
  }
  const out: RequestAttributes = { user: typeof user.username === 'string' ? user.username : '', groups, verb: e.verb, path };
  const ref = e.objectRef;
  if (ref && typeof ref === 'object' && !Array.isArray(ref)) {
    const r = ref as Record<string, unknown>;
    const s = (v: unknown): string => (typeof v === 'string' ? v : '');
    out.resource = { group: s(r.apiGroup), resource: s(r.resource), subresource: s(r.subresource), namespace: s(r.namespace), name: s(r.name) };
  }
  return out;
}

export interface PolicyContradiction {
  /** The event claims a level other than the policy's (or was recorded although the policy says None). */
  levelMismatch?: { recorded: string; expected: AuditLevel };
  /** The event's stage is one the policy omits. */
  omittedStage?: string;
}

/** How one recorded event stands against the policy: undefined when it is consistent. */
export function contradiction(policy: AuditPolicy, event: unknown): PolicyContradiction | undefined {
  const a = attributesOfEvent(event);
  if (!a) return undefined;
  const e = event as Record<string, unknown>;
  const d = decide(policy, a);
  const out: PolicyContradiction = {};
  if (typeof e.level === 'string' && e.level !== d.level) out.levelMismatch = { recorded: e.level, expected: d.level };
  if (typeof e.stage === 'string' && (d.omitStages as string[]).includes(e.stage)) out.omittedStage = e.stage;
  return out.levelMismatch || out.omittedStage ? out : undefined;
}

// ---- blind spots ----

export type BlindSpotKind = 'not-recorded' | 'metadata-only' | 'request-only' | 'stage-omitted' | 'managed-fields-omitted' | 'unmatched' | 'unreachable-rule';

export interface BlindSpot {
  kind: BlindSpotKind;
  /** The rule it comes from, or -1 for the policy as a whole. */
  ruleIndex: number;
  text: string;
}

/** Always true of any Kubernetes audit log, whatever the policy. */
export const OUTSIDE_THE_API_SERVER =
  'The audit log records requests to the Kubernetes API server only: commands run inside containers after a session is opened, direct access to a kubelet, to etcd or to a node, and anything the API server never received are not in it.';

/**
 * What the policy leaves out, rule by rule, in plain words for a report. Rules are read in order: a
 * rule speaks only for requests that no earlier rule matched, and the text says so when it matters.
 */
export function blindSpots(policy: AuditPolicy): BlindSpot[] {
  const out: BlindSpot[] = [];
  let catchAll = -1;
  // Once a rule has decided the level of every Secret request, later rules no longer speak for Secrets.
  let secretsDecided = false;
  const secretsNote = (r: PolicyRule): string => {
    if (secretsDecided || !coversSecrets(r)) return '';
    return r.level === 'Metadata'
      ? ' Secrets are recorded at Metadata: who read which Secret is in the log, what it contained is not.'
      : ' Secrets are recorded at Request: what was written into a Secret is in the log, what a reader was given is not.';
  };
  policy.rules.forEach((r, i) => {
    if (catchAll >= 0) {
      out.push({ kind: 'unreachable-rule', ruleIndex: i, text: `Rule ${i + 1} (level ${r.level}) never applies: rule ${catchAll + 1} before it matches every request.` });
      return;
    }
    const scope = describeScope(r);
    const earlier = i > 0 ? ', where no earlier rule matched' : '';
    if (r.level === 'None') {
      out.push({ kind: 'not-recorded', ruleIndex: i, text: `Not recorded at all (rule ${i + 1}${earlier}): ${scope}. Such requests leave no trace in this log.` });
    } else if (r.level === 'Metadata') {
      out.push({ kind: 'metadata-only', ruleIndex: i, text: `Recorded at Metadata, without request or response bodies (rule ${i + 1}${earlier}): ${scope}. Who did what to which object, when and with what result is in the log; what was sent or returned is not.${secretsNote(r)}` });
    } else if (r.level === 'Request') {
      out.push({ kind: 'request-only', ruleIndex: i, text: `Recorded with the request body but without the response body (rule ${i + 1}${earlier}): ${scope}. What was written is in the log; what the server returned (for example the object read by a get or list) is not.${secretsNote(r)}` });
    }
    const own = r.omitStages.filter((s) => !policy.omitStages.includes(s));
    if (own.length) out.push({ kind: 'stage-omitted', ruleIndex: i, text: `For ${scope} (rule ${i + 1}), stage${own.length > 1 ? 's' : ''} ${own.join(', ')} ${own.length > 1 ? 'are' : 'is'} not recorded. ${own.map(stageMeaning).join(' ')}` });
    if (r.level === 'Request' || r.level === 'RequestResponse') {
      if (r.omitManagedFields === true && !policy.omitManagedFields) out.push({ kind: 'managed-fields-omitted', ruleIndex: i, text: `For ${scope} (rule ${i + 1}), managedFields are left out of the recorded bodies: which field manager last wrote each field is not in the log.` });
    }
    if (isCatchAll(r)) catchAll = i;
    if (coversSecrets(r) && r.users.length === 0 && r.userGroups.length === 0 && r.verbs.length === 0 && r.namespaces.length === 0 && r.resources.every((g) => g.resourceNames.length === 0)) secretsDecided = true;
  });
  if (catchAll < 0) out.push({ kind: 'unmatched', ruleIndex: -1, text: policy.rules.length ? 'Requests that no rule matches are not recorded at all (the API server\'s default level is None).' : 'The policy has no rules: nothing is recorded.' });
  if (policy.omitStages.length) {
    out.push({ kind: 'stage-omitted', ruleIndex: -1, text: `For every request, stage${policy.omitStages.length > 1 ? 's' : ''} ${policy.omitStages.join(', ')} ${policy.omitStages.length > 1 ? 'are' : 'is'} not recorded. ${policy.omitStages.map(stageMeaning).join(' ')}` });
  }
  if (policy.omitManagedFields) out.push({ kind: 'managed-fields-omitted', ruleIndex: -1, text: 'managedFields are left out of every recorded body: which field manager last wrote each field is not in the log.' });
  return out;
}

function isCatchAll(r: PolicyRule): boolean {
  return r.users.length === 0 && r.userGroups.length === 0 && r.verbs.length === 0 && r.resources.length === 0 && r.namespaces.length === 0 && r.nonResourceURLs.length === 0;
}

function coversSecrets(r: PolicyRule): boolean {
  if (r.resources.length === 0) return r.nonResourceURLs.length === 0;
  return r.resources.some((g) => g.group === '' && (g.resources.length === 0 || g.resources.some((x) => x === 'secrets' || x === '*' || x === 'secrets/*')));
}

function stageMeaning(s: AuditStage): string {
  switch (s) {
    case 'RequestReceived':
      return 'RequestReceived: a request is logged only once it is answered (or starts streaming), so a request that never completed, for example one in flight when the server stopped, leaves no trace.';
    case 'ResponseStarted':
      return 'ResponseStarted: for long-running requests (watch, exec, attach, port-forward, logs) the moment streaming began is not recorded, only the end.';
    case 'ResponseComplete':
      return 'ResponseComplete: the outcome of requests (status code, and response bodies) is not recorded.';
    case 'Panic':
      return 'Panic: requests whose handling crashed are not recorded.';
  }
}

function list(words: string[], quote = true): string {
  const w = quote ? words.map((x) => (x === '' ? '""' : x)) : words;
  return w.length <= 1 ? (w[0] ?? '') : `${w.slice(0, -1).join(', ')} and ${w[w.length - 1]}`;
}

/** The requests a rule selects, in words ("watch requests by user system:kube-proxy on core endpoints and services"). */
export function describeScope(r: PolicyRule): string {
  const parts: string[] = [];
  parts.push(r.verbs.length ? `${list(r.verbs)} requests` : 'all requests');
  if (r.users.length) parts.push(`by user${r.users.length > 1 ? 's' : ''} ${list(r.users)}`);
  if (r.userGroups.length) parts.push(`by members of group${r.userGroups.length > 1 ? 's' : ''} ${list(r.userGroups)}`);
  if (r.resources.length) {
    const gs = r.resources.map((g) => {
      const group = g.group === '' ? 'core' : g.group;
      const what = g.resources.length === 0 ? `all resources of group ${group}` : `${group} ${list(g.resources.map((x) => (x === '*' ? 'any resource' : x)))}`;
      return g.resourceNames.length ? `${what} named ${list(g.resourceNames)}` : what;
    });
    parts.push(`on ${list(gs, false)}`);
  } else if (r.namespaces.length) {
    parts.push('on any resource');
  }
  if (r.namespaces.length) {
    const ns = r.namespaces.map((n) => (n === '' ? 'cluster-scoped (no namespace)' : n));
    parts.push(`in namespace${ns.length > 1 ? 's' : ''} ${list(ns, false)}`);
  }
  if (r.nonResourceURLs.length) parts.push(`to non-resource URL${r.nonResourceURLs.length > 1 ? 's' : ''} ${list(r.nonResourceURLs)}`);
  return parts.join(' ');
}
