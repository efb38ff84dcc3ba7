// GKE's Kubernetes audit events as Cloud Logging LogEntry records (protoPayload AuditLog), mapped onto audit.k8s.io Event fields.

type JsonObject = { readonly [key: string]: unknown };

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function obj(v: unknown): JsonObject | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : null;
}

// google.rpc.Code to the HTTP status the apiserver would have answered, per the mapping written in
// google/rpc/code.proto (each code's "HTTP Mapping" comment). It is many-to-one the other way round:
// a 201 Created is logged by GKE as code 0, so a mapped code says "success", not which 2xx.
const RPC_TO_HTTP: readonly number[] = [200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401];

/** The HTTP status for a google.rpc.Code, null for a code outside 0..16. */
export function rpcCodeToHttp(code: number): number | null {
  return Number.isInteger(code) && code >= 0 && code < RPC_TO_HTTP.length ? RPC_TO_HTTP[code]! : null;
}

const VERSION = /^v[0-9]+((alpha|beta)[0-9]+)?$/;

/**
 * methodName `io.k8s.<reversed group>.<version>.<resource>[.<subresource>].<verb>`, e.g.
 * io.k8s.core.v1.pods.exec.create, io.k8s.authorization.rbac.v1.roles.create. The version token
 * is the anchor because group names have a variable number of dots.
 */
export function splitMethodName(method: string): { version: string; resource: string; subresource: string | null; verb: string } | null {
  const parts = method.split('.');
  let v = -1;
  for (let i = parts.length - 3; i >= 0; i--) {
    if (VERSION.test(parts[i]!)) {
      v = i;
      break;
    }
  }
  if (v < 0) return null;
  const rest = parts.slice(v + 1);
  if (rest.length < 2 || rest.length > 3) return null;
  return { version: parts[v]!, resource: rest[0]!, subresource: rest.length === 3 ? rest[1]! : null, verb: rest[rest.length - 1]! };
}

/**
 * resourceName `<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]`, e.g.
 * core/v1/namespaces/default/secrets/db, rbac.authorization.k8s.io/v1/clusterroles/admin.
 * `core` is the legacy group, which an apiserver event leaves out of objectRef: so it becomes null
 * here too, and the same request reads the same whether it came from GKE or from a raw audit log.
 */
export function splitResourceName(name: string): { apiGroup: string | null; apiVersion: string; namespace: string | null; resource: string | null; name: string | null; subresource: string | null } | null {
  const s = name.split('/');
  if (s.length < 3 || !VERSION.test(s[1]!)) return null;
  let rest = s.slice(2);
  let namespace: string | null = null;
  // namespaces/<ns>/<resource>…: a namespaced object. namespaces/<ns> alone is the namespace object itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  return {
    apiGroup: s[0] === 'core' ? null : s[0]!,
    apiVersion: s[1]!,
    namespace,
    resource: rest[0] ?? null,
    name: rest[1] ?? null,
    subresource: rest[2] ?? null,
  };
}

/** True for a LogEntry whose protoPayload is an AuditLog written by the Kubernetes API server (serviceName k8s.io). */
export function isGkeAuditEntry(o: JsonObject): boolean {
  const p = obj(o['protoPayload']);
  if (p === null) return false;
  const method = str(p['methodName']);
  return method !== null && method.startsWith('io.k8s.') && (str(p['serviceName']) ?? 'k8s.io') === 'k8s.io';
}

/**
 * An audit.k8s.io-shaped object with what the LogEntry says, for the same column extraction as a raw
 * event. Only fields GKE really carries are set: GKE has no stage, no audit level, no request URI and
 * no groups, so those stay absent rather than guessed.
 */
export function gkeToAuditEvent(o: JsonObject): JsonObject | null {
  const p = obj(o['protoPayload']);
  if (p === null) return null;
  const method = str(p['methodName']);
  if (method === null) return null;
  const m = splitMethodName(method);
  const resourceName = str(p['resourceName']);
  const r = resourceName === null ? null : splitResourceName(resourceName);
  const event: Record<string, unknown> = {};
  const operation = obj(o['operation']);
  // GKE puts the apiserver's auditID in operation.id (every stage of one request shares it, as in a raw log).
  if (operation !== null && str(operation['id']) !== null) event['auditID'] = operation['id'];
  if (m !== null) event['verb'] = m.verb;
  const auth = obj(p['authenticationInfo']);
  const principal = auth === null ? null : str(auth['principalEmail']);
  if (principal !== null) event['user'] = { username: principal };
  const meta = obj(p['requestMetadata']);
  if (meta !== null) {
    const ip = str(meta['callerIp']);
    if (ip !== null) event['sourceIPs'] = [ip];
    const agent = str(meta['callerSuppliedUserAgent']);
    if (agent !== null) event['userAgent'] = agent;
  }
  const ref: Record<string, unknown> = {};
  if (r !== null) {
    if (r.apiGroup !== null) ref['apiGroup'] = r.apiGroup;
    ref['apiVersion'] = r.apiVersion;
    if (r.namespace !== null) ref['namespace'] = r.namespace;
    if (r.name !== null) ref['name'] = r.name;
  } else if (m !== null) ref['apiVersion'] = m.version;
  // The method name is authoritative for resource and subresource: resourceName of a collection call has no name slot.
  const resource = m?.resource ?? r?.resource ?? null;
  if (resource !== null) ref['resource'] = resource;
  const subresource = m?.subresource ?? r?.subresource ?? null;
  if (subresource !== null) ref['subresource'] = subresource;
  if (Object.keys(ref).length > 0) event['objectRef'] = ref;
  const status = obj(p['status']);
  if (status !== null) {
    const code = status['code'] === undefined ? 0 : status['code'];
    const http = typeof code === 'number' ? rpcCodeToHttp(code) : null;
    const response = obj(p['response']);
    // A denied or failed call carries the apiserver's Status object as the response; its reason is the word an apiserver would log.
    const reason = response === null ? null : str(response['reason']);
    if (http !== null) event['responseStatus'] = reason === null ? { code: http } : { code: http, reason };
  }
  const time = str(o['timestamp']);
  if (time !== null) event['requestReceivedTimestamp'] = time;
  const authz = p['authorizationInfo'];
  if (Array.isArray(authz) && authz.length > 0) {
    const first = obj(authz[0]);
    // proto3 JSON leaves a false bool out, so an entry without `granted` was a denial.
    if (first !== null && str(first['permission']) !== null) {
      event['annotations'] = { 'authorization.k8s.io/decision': first['granted'] === true ? 'allow' : 'forbid' };
    }
  }
  if (p['request'] !== undefined) event['requestObject'] = p['request'];
  if (p['response'] !== undefined) event['responseObject'] = p['response'];
  return event;
}
