// The parsed columns of one indexed entry (forensic index): what an examiner filters, sorts and reads.

export type EventKind = 'kubernetes-audit' | 'openshift-audit' | 'ingress-nginx' | 'traefik-access' | 'other';

/** Every field is null when the entry does not carry it; nothing is invented. */
export interface EventFields {
  kind: EventKind;
  /** True when the entry is a JSON object (parsed as such), false for text lines. */
  json: boolean;
  // audit.k8s.io/v1 and OpenShift events
  auditId: string | null;
  stage: string | null;
  level: string | null;
  verb: string | null;
  requestUri: string | null;
  username: string | null;
  uid: string | null;
  /** JSON array text of user.groups. */
  groups: string | null;
  impersonatedUser: string | null;
  /** JSON array text of sourceIPs; the last address is the only one not set by the client. */
  sourceIps: string | null;
  sourceIp: string | null;
  userAgent: string | null;
  apiGroup: string | null;
  apiVersion: string | null;
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  responseCode: number | null;
  responseReason: string | null;
  /** Event time as given (requestReceivedTimestamp; legacy: timestamp or metadata.creationTimestamp; access logs: their time). */
  time: string | null;
  /** The same instant in integer microseconds since 1970 UTC. */
  timeUs: number | null;
  stageTime: string | null;
  stageTimeUs: number | null;
  decision: string | null;
  decisionReason: string | null;
  hasRequestBody: boolean;
  hasResponseBody: boolean;
  // access logs (ingress-nginx upstreaminfo, Traefik JSON)
  clientAddress: string | null;
  method: string | null;
  path: string | null;
  host: string | null;
  protocol: string | null;
  status: number | null;
  requestBytes: number | null;
  responseBytes: number | null;
  /** Request duration in microseconds. */
  durationUs: number | null;
  upstream: string | null;
  service: string | null;
  router: string | null;
}
