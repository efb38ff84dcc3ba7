// Benchmark input: a reproducible stream of realistic kube-apiserver audit.k8s.io/v1 events (seeded PRNG, ~1 KB each).
import { createHash } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';

// Bump whenever the output changes for the same seed and count: bench.mjs regenerates its cached archive on a mismatch.
export const GENERATOR_VERSION = 1;
export const DEFAULT_SEED = 0x5ea1c4ec;

// ---------- PRNG ----------

// sfc32: small, fast, and the same sequence on every platform and Node version (Math.random is neither seeded nor stable).
function sfc32(seed) {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 16; i++) next(); // the first outputs of a fresh state are poorly mixed
  return next;
}

class Random {
  constructor(seed) {
    this.u32 = sfc32(seed);
  }
  float() {
    return this.u32() / 4294967296;
  }
  int(n) {
    return Math.floor(this.float() * n);
  }
  range(lo, hi) {
    return lo + this.int(hi - lo + 1);
  }
  chance(p) {
    return this.float() < p;
  }
  pick(list) {
    return list[this.int(list.length)];
  }
  /** list of [weight, value]; weights need not add up to anything. */
  weighted(list) {
    let total = 0;
    for (const [w] of list) total += w;
    let x = this.float() * total;
    for (const [w, v] of list) {
      x -= w;
      if (x < 0) return v;
    }
    return list[list.length - 1][1];
  }
  alnum(n) {
    // Kubernetes generateName suffixes avoid vowels and look-alikes: bcdfghjklmnpqrstvwxz2456789.
    const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
  hex(n) {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[this.int(16)];
    return s;
  }
  uuid() {
    // RFC 4122 version 4 layout, the form kube-apiserver uses for auditID and object UIDs.
    const h = this.hex(32).split('');
    h[12] = '4';
    h[16] = '89ab'[this.int(4)];
    const s = h.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

// ---------- the cluster being audited ----------

const RESOURCES = {
  pods: { group: '', version: 'v1', namespaced: true },
  secrets: { group: '', version: 'v1', namespaced: true },
  configmaps: { group: '', version: 'v1', namespaced: true },
  services: { group: '', version: 'v1', namespaced: true },
  endpoints: { group: '', version: 'v1', namespaced: true },
  events: { group: '', version: 'v1', namespaced: true },
  serviceaccounts: { group: '', version: 'v1', namespaced: true },
  persistentvolumeclaims: { group: '', version: 'v1', namespaced: true },
  nodes: { group: '', version: 'v1', namespaced: false },
  namespaces: { group: '', version: 'v1', namespaced: false },
  deployments: { group: 'apps', version: 'v1', namespaced: true },
  replicasets: { group: 'apps', version: 'v1', namespaced: true },
  statefulsets: { group: 'apps', version: 'v1', namespaced: true },
  jobs: { group: 'batch', version: 'v1', namespaced: true },
  cronjobs: { group: 'batch', version: 'v1', namespaced: true },
  leases: { group: 'coordination.k8s.io', version: 'v1', namespaced: true },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', namespaced: true },
  ingresses: { group: 'networking.k8s.io', version: 'v1', namespaced: true },
  roles: { group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true },
  rolebindings: { group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: true },
  clusterroles: { group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false },
  clusterrolebindings: { group: 'rbac.authorization.k8s.io', version: 'v1', namespaced: false },
  certificates: { group: 'cert-manager.io', version: 'v1', namespaced: true },
  applications: { group: 'argoproj.io', version: 'v1alpha1', namespaced: true },
};

const APP_NAMESPACES = ['default', 'payments', 'checkout', 'catalog', 'search', 'auth', 'orders', 'data-pipeline', 'ml-serving', 'web'];
const SYSTEM_NAMESPACES = ['kube-system', 'monitoring', 'argocd', 'cert-manager', 'ingress-nginx', 'flux-system', 'ci'];
const ALL_NAMESPACES = [...APP_NAMESPACES, ...SYSTEM_NAMESPACES];
const APP_WORDS = ['api', 'gateway', 'worker', 'frontend', 'backend', 'redis', 'postgres', 'kafka-consumer', 'scheduler', 'indexer', 'auth-proxy', 'ledger', 'notifier', 'cart', 'inventory', 'pricing', 'recommender', 'exporter'];
const CONTAINERS = ['app', 'sidecar', 'istio-proxy', 'init-migrate', 'main'];

function buildCluster(r) {
  const nodes = [];
  for (let i = 0; i < 24; i++) nodes.push({ name: `ip-10-0-${r.range(1, 63)}-${r.range(2, 254)}.eu-west-1.compute.internal`, ip: `10.0.${r.range(1, 63)}.${r.range(2, 254)}` });
  const apps = {};
  for (const ns of ALL_NAMESPACES) {
    const list = [];
    const n = r.range(3, 7);
    for (let i = 0; i < n; i++) {
      const name = `${r.pick(APP_WORDS)}${r.chance(0.4) ? `-${r.pick(['v2', 'eu', 'canary', 'main', 'internal'])}` : ''}`;
      const rs = `${name}-${r.hex(r.range(9, 10))}`;
      const pods = [];
      for (let k = 0; k < r.range(2, 6); k++) pods.push(`${rs}-${r.alnum(5)}`);
      list.push({ name, rs, pods });
    }
    apps[ns] = list;
  }
  return { nodes, apps };
}

// ---------- who talks to the apiserver ----------

const K8S_VERSION = 'v1.29.4';
const K8S_COMMIT = '55019c83b0fd51ef4ced8c29eec2c4847f896e74'.slice(0, 7);

function sa(ns, name) {
  return {
    username: `system:serviceaccount:${ns}:${name}`,
    uid: null, // filled per actor from the PRNG
    groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
  };
}

function rbacReason(kind, binding, role, subject) {
  return `RBAC: allowed by ${kind} "${binding}" of ClusterRole "${role}" to ${subject}`;
}

/**
 * Each actor: who, from where, with which client, and what it typically does. Op tuple:
 * [weight, verb, resource, subresource|null, namespace ('app'|'system'|'any'|fixed|null), level].
 */
function buildActors(r, cluster) {
  const controller = (name, ops, weight) => ({
    weight,
    user: { username: `system:serviceaccount:kube-system:${name}`, groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] },
    userAgent: `kube-controller-manager/${K8S_VERSION} (linux/amd64) kubernetes/${K8S_COMMIT}/system:serviceaccount:kube-system:${name}`,
    ips: () => ['10.0.0.10'],
    reason: rbacReason('ClusterRoleBinding', `system:controller:${name}`, `system:controller:${name}`, `ServiceAccount "${name}/kube-system"`),
    forbid: 0.0005,
    ops,
  });
  const podIp = () => `10.244.${r.range(0, 23)}.${r.range(2, 254)}`;
  const humanIp = () => r.pick(['203.0.113.24', '203.0.113.77', '198.51.100.14', '198.51.100.203', '2001:db8:4f2a::17']);
  const actors = [
    {
      weight: 14,
      kind: 'kubelet',
      user: null, // per node
      userAgent: `kubelet/${K8S_VERSION} (linux/amd64) kubernetes/${K8S_COMMIT}`,
      ips: null,
      reason: '',
      forbid: 0.0002,
      ops: [
        [40, 'update', 'leases', null, 'kube-node-lease', 'Request'],
        [14, 'get', 'leases', null, 'kube-node-lease', 'Metadata'],
        [12, 'patch', 'pods', 'status', 'app', 'Metadata'],
        [8, 'get', 'pods', null, 'app', 'Metadata'],
        [8, 'watch', 'secrets', null, 'app', 'Metadata'],
        [8, 'watch', 'configmaps', null, 'app', 'Metadata'],
        [6, 'patch', 'nodes', 'status', null, 'Metadata'],
        [4, 'create', 'serviceaccounts', 'token', 'app', 'Metadata'],
      ],
    },
    {
      weight: 7,
      user: { username: 'system:kube-controller-manager', groups: ['system:authenticated'] },
      userAgent: `kube-controller-manager/${K8S_VERSION} (linux/amd64) kubernetes/${K8S_COMMIT}/leader-election`,
      ips: () => ['10.0.0.10'],
      reason: rbacReason('ClusterRoleBinding', 'system:kube-controller-manager', 'system:kube-controller-manager', 'User "system:kube-controller-manager"'),
      forbid: 0.0002,
      ops: [
        [60, 'update', 'leases', null, 'kube-system', 'Request'],
        [40, 'get', 'leases', null, 'kube-system', 'Metadata'],
      ],
    },
    {
      weight: 6,
      user: { username: 'system:kube-scheduler', groups: ['system:authenticated'] },
      userAgent: `kube-scheduler/${K8S_VERSION} (linux/amd64) kubernetes/${K8S_COMMIT}/scheduler`,
      ips: () => ['10.0.0.10'],
      reason: rbacReason('ClusterRoleBinding', 'system:kube-scheduler', 'system:kube-scheduler', 'User "system:kube-scheduler"'),
      forbid: 0.0002,
      ops: [
        [40, 'update', 'leases', null, 'kube-system', 'Request'],
        [30, 'get', 'leases', null, 'kube-system', 'Metadata'],
        [20, 'create', 'pods', 'binding', 'app', 'Metadata'],
        [10, 'create', 'events', null, 'app', 'Metadata'],
      ],
    },
    controller('replicaset-controller', [[50, 'update', 'replicasets', 'status', 'app', 'Metadata'], [30, 'create', 'pods', null, 'app', 'Metadata'], [20, 'delete', 'pods', null, 'app', 'Metadata']], 6),
    controller('deployment-controller', [[60, 'update', 'deployments', 'status', 'app', 'Metadata'], [25, 'update', 'replicasets', null, 'app', 'Metadata'], [15, 'create', 'events', null, 'app', 'Metadata']], 5),
    controller('endpointslice-controller', [[70, 'update', 'endpointslices', null, 'any', 'Metadata'], [30, 'create', 'endpointslices', null, 'any', 'Metadata']], 5),
    controller('generic-garbage-collector', [[50, 'list', 'replicasets', null, 'any', 'Metadata'], [30, 'delete', 'pods', null, 'app', 'Metadata'], [20, 'get', 'deployments', null, 'app', 'Metadata']], 3),
    controller('namespace-controller', [[60, 'deletecollection', 'configmaps', null, 'app', 'Metadata'], [40, 'list', 'secrets', null, 'app', 'Metadata']], 1),
    controller('cronjob-controller', [[50, 'create', 'jobs', null, 'app', 'Metadata'], [50, 'update', 'cronjobs', 'status', 'app', 'Metadata']], 2),
    {
      weight: 6,
      user: sa('monitoring', 'prometheus-k8s'),
      userAgent: 'prometheus/2.51.2',
      ips: () => ['10.244.7.31'],
      reason: rbacReason('ClusterRoleBinding', 'prometheus-k8s', 'prometheus-k8s', 'ServiceAccount "prometheus-k8s/monitoring"'),
      forbid: 0.01,
      ops: [
        [30, 'list', 'pods', null, 'any', 'Metadata'],
        [30, 'watch', 'endpoints', null, 'any', 'Metadata'],
        [20, 'list', 'services', null, 'any', 'Metadata'],
        [20, 'watch', 'nodes', null, null, 'Metadata'],
      ],
    },
    {
      weight: 7,
      user: sa('argocd', 'argocd-application-controller'),
      userAgent: 'argocd-application-controller/v2.10.7 (linux/amd64) kubernetes/$Format',
      fieldManager: 'argocd-controller',
      ips: () => ['10.244.3.18'],
      reason: rbacReason('ClusterRoleBinding', 'argocd-application-controller', 'argocd-application-controller', 'ServiceAccount "argocd-application-controller/argocd"'),
      forbid: 0.002,
      ops: [
        [25, 'watch', 'deployments', null, 'app', 'Metadata'],
        [20, 'list', 'configmaps', null, 'app', 'Metadata'],
        [20, 'patch', 'deployments', null, 'app', 'RequestResponse'],
        [15, 'patch', 'applications', null, 'argocd', 'Request'],
        [10, 'get', 'secrets', null, 'argocd', 'Metadata'],
        [10, 'update', 'configmaps', null, 'app', 'RequestResponse'],
      ],
    },
    {
      weight: 3,
      user: sa('flux-system', 'kustomize-controller'),
      userAgent: 'kustomize-controller/v1.2.2 (linux/amd64) kubernetes/$Format',
      fieldManager: 'kustomize-controller',
      ips: () => ['10.244.5.9'],
      reason: rbacReason('ClusterRoleBinding', 'cluster-reconciler-flux-system', 'cluster-admin', 'ServiceAccount "kustomize-controller/flux-system"'),
      forbid: 0.001,
      ops: [
        [40, 'patch', 'deployments', null, 'app', 'RequestResponse'],
        [30, 'patch', 'configmaps', null, 'app', 'RequestResponse'],
        [30, 'get', 'roles', null, 'app', 'Metadata'],
      ],
    },
    {
      weight: 3,
      user: sa('cert-manager', 'cert-manager'),
      userAgent: 'cert-manager-controller/v1.14.4 (linux/amd64) cert-manager/a1b2c3d4',
      ips: () => ['10.244.2.40'],
      reason: rbacReason('ClusterRoleBinding', 'cert-manager-controller-certificates', 'cert-manager-controller-certificates', 'ServiceAccount "cert-manager/cert-manager"'),
      forbid: 0.002,
      ops: [
        [40, 'update', 'leases', null, 'kube-system', 'Request'],
        [30, 'get', 'secrets', null, 'app', 'Metadata'],
        [20, 'update', 'certificates', 'status', 'app', 'RequestResponse'],
        [10, 'create', 'secrets', null, 'app', 'Metadata'],
      ],
    },
    {
      weight: 2,
      user: sa('ingress-nginx', 'ingress-nginx'),
      userAgent: 'nginx-ingress-controller/v1.10.1 (linux/amd64) ingress-nginx/4fb5aac',
      ips: () => ['10.244.9.4'],
      reason: rbacReason('ClusterRoleBinding', 'ingress-nginx', 'ingress-nginx', 'ServiceAccount "ingress-nginx/ingress-nginx"'),
      forbid: 0.001,
      ops: [
        [40, 'watch', 'ingresses', null, 'any', 'Metadata'],
        [30, 'list', 'endpointslices', null, 'any', 'Metadata'],
        [30, 'update', 'leases', null, 'ingress-nginx', 'Request'],
      ],
    },
    {
      weight: 3,
      user: sa('ci', 'deployer'),
      userAgent: 'helm/v3.14.4 (linux/amd64) kubernetes/$Format',
      fieldManager: 'helm',
      ips: () => [podIp(), '10.0.0.5'],
      reason: 'RBAC: allowed by RoleBinding "deployer" of ClusterRole "edit" to ServiceAccount "deployer/ci"',
      forbid: 0.03,
      ops: [
        [25, 'create', 'secrets', null, 'app', 'Metadata'],
        [20, 'patch', 'deployments', null, 'app', 'RequestResponse'],
        [20, 'create', 'configmaps', null, 'app', 'RequestResponse'],
        [15, 'list', 'secrets', null, 'app', 'Metadata'],
        [10, 'delete', 'secrets', null, 'app', 'Metadata'],
        [10, 'create', 'rolebindings', null, 'app', 'RequestResponse'],
      ],
    },
    {
      weight: 3,
      kind: 'human',
      user: { username: 'oidc:alice@example.com', groups: ['oidc:platform-admins', 'system:authenticated'], extra: { 'authentication.kubernetes.io/credential-id': ['JTI=7c0e5f2a-3f1b-4b8e-9a6d-2f4e1c8b9d10'] } },
      userAgent: 'kubectl/v1.29.3 (darwin/arm64) kubernetes/6813625',
      fieldManager: 'kubectl-client-side-apply',
      ips: () => [humanIp()],
      reason: rbacReason('ClusterRoleBinding', 'oidc-platform-admins', 'cluster-admin', 'Group "oidc:platform-admins"'),
      forbid: 0.005,
      ops: [
        [25, 'get', 'pods', null, 'app', 'Metadata'],
        [15, 'list', 'pods', null, 'app', 'Metadata'],
        [12, 'get', 'pods', 'log', 'app', 'Metadata'],
        [8, 'create', 'pods', 'exec', 'app', 'Metadata'],
        [8, 'get', 'secrets', null, 'any', 'Metadata'],
        [8, 'patch', 'deployments', 'scale', 'app', 'RequestResponse'],
        [6, 'delete', 'pods', null, 'app', 'Metadata'],
        [6, 'create', 'rolebindings', null, 'app', 'RequestResponse'],
        [4, 'update', 'roles', null, 'app', 'RequestResponse'],
        [4, 'get', 'clusterrolebindings', null, null, 'Metadata'],
        [4, 'delete', 'namespaces', null, null, 'Metadata'],
      ],
    },
    {
      weight: 2,
      kind: 'human',
      user: { username: 'oidc:bob@example.com', groups: ['oidc:developers', 'system:authenticated'] },
      userAgent: 'kubectl/v1.28.9 (linux/amd64) kubernetes/587f5fe',
      fieldManager: 'kubectl-patch',
      ips: () => [humanIp(), '10.0.0.5'],
      reason: 'RBAC: allowed by RoleBinding "developers-edit" of ClusterRole "edit" to Group "oidc:developers"',
      forbid: 0.12,
      ops: [
        [30, 'get', 'pods', null, 'app', 'Metadata'],
        [20, 'get', 'pods', 'log', 'app', 'Metadata'],
        [15, 'create', 'pods', 'exec', 'app', 'Metadata'],
        [15, 'get', 'secrets', null, 'app', 'Metadata'],
        [10, 'list', 'configmaps', null, 'app', 'Metadata'],
        [5, 'create', 'roles', null, 'app', 'RequestResponse'],
        [5, 'delete', 'deployments', null, 'app', 'Metadata'],
      ],
    },
    {
      // OIDC usernames are arbitrary UTF-8: keeps the multi-byte paths of a verifier's JSON check in the mix.
      weight: 0.5,
      kind: 'human',
      user: { username: 'oidc:józef.wiśniewski@example.pl', groups: ['oidc:sre-łódź', 'system:authenticated'] },
      userAgent: 'k9s/v0.32.4 (linux/amd64) kubernetes/$Format',
      fieldManager: 'k9s',
      ips: () => ['198.51.100.77'],
      reason: 'RBAC: allowed by ClusterRoleBinding "sre-view" of ClusterRole "view" to Group "oidc:sre-łódź"',
      forbid: 0.05,
      ops: [
        [40, 'watch', 'pods', null, 'any', 'Metadata'],
        [30, 'get', 'pods', 'log', 'app', 'Metadata'],
        [20, 'list', 'events', null, 'app', 'Metadata'],
        [10, 'patch', 'deployments', 'scale', 'app', 'RequestResponse'],
      ],
    },
    {
      weight: 0.6,
      kind: 'anonymous',
      user: { username: 'system:anonymous', groups: ['system:unauthenticated'] },
      userAgent: null,
      ips: () => [`${r.range(1, 223)}.${r.range(0, 255)}.${r.range(0, 255)}.${r.range(1, 254)}`],
      reason: '',
      forbid: 1,
      ops: [
        [40, 'list', 'secrets', null, 'kube-system', 'Metadata'],
        [30, 'get', 'pods', null, 'any', 'Metadata'],
        [30, 'list', 'clusterroles', null, null, 'Metadata'],
      ],
    },
  ];
  // Service-account tokens carry the account's UID; certificate and OIDC users have none. Key order as in UserInfo.
  for (const a of actors) {
    if (!a.user) continue;
    const { username, groups, extra } = a.user;
    a.user = username.startsWith('system:serviceaccount:') ? { username, uid: r.uuid(), groups } : { username, groups };
    if (extra) a.user.extra = extra;
  }
  const nodeUsers = cluster.nodes.map((n) => ({ username: `system:node:${n.name}`, groups: ['system:nodes', 'system:authenticated'] }));
  return { actors, nodeUsers, weighted: actors.map((a) => [a.weight, a]) };
}

const SCANNER_AGENTS = ['curl/7.81.0', 'python-requests/2.31.0', 'Go-http-client/1.1', 'Mozilla/5.0 zgrab/0.x', 'kube-hunter/0.6.8'];

// ---------- one request: URI, objectRef, status, bodies ----------

function timestamp(us) {
  // Microsecond precision, as kube-apiserver writes it (RFC 3339 with six fractional digits).
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString(); // yyyy-mm-ddThh:mm:ss.mmmZ
  return `${iso.slice(0, 19)}.${String(us % 1_000_000).padStart(6, '0')}Z`;
}

function statusFor(r, verb, resource, sub, forbidden) {
  if (forbidden) return 403;
  const x = r.float();
  if (x < 0.002) return 500;
  if ((verb === 'get' || verb === 'delete' || verb === 'patch') && x < 0.045) return 404;
  if (verb === 'create' && sub === null && x < 0.04) return 409;
  if (verb === 'update' && x < 0.03) return 409; // optimistic-concurrency conflict
  if (verb === 'create' && sub !== 'exec') return 201;
  return 200;
}

function failure(code, verb, resource, group, name, ns, username) {
  const gr = group ? `${resource}.${group}` : resource;
  switch (code) {
    case 403: {
      const where = ns ? ` in the namespace "${ns}"` : ' at the cluster scope';
      const what = name ? `${gr} "${name}"` : gr;
      return { metadata: {}, status: 'Failure', message: `${what} is forbidden: User "${username}" cannot ${verb} resource "${resource}" in API group "${group}"${where}`, reason: 'Forbidden', details: { ...(name ? { name } : {}), group: group || undefined, kind: resource }, code };
    }
    case 404:
      return { metadata: {}, status: 'Failure', message: `${gr} "${name}" not found`, reason: 'NotFound', details: { name, group: group || undefined, kind: resource }, code };
    case 409:
      return verb === 'create'
        ? { metadata: {}, status: 'Failure', message: `${gr} "${name}" already exists`, reason: 'AlreadyExists', details: { name, group: group || undefined, kind: resource }, code }
        : { metadata: {}, status: 'Failure', message: `Operation cannot be fulfilled on ${gr} "${name}": the object has been modified; please apply your changes to the latest version and try again`, reason: 'Conflict', details: { name, group: group || undefined, kind: resource }, code };
    default:
      return { metadata: {}, status: 'Failure', message: 'Internal error occurred: etcdserver: request timed out', reason: 'InternalError', details: { causes: [{ message: 'etcdserver: request timed out' }] }, code };
  }
}

/**
 * Builds requests and turns them into the two events kube-apiserver writes for each one
 * (RequestReceived, then ResponseComplete with the same auditID), interleaved as in a real log.
 */
class AuditLog {
  constructor(seed) {
    this.r = new Random(seed);
    this.cluster = buildCluster(this.r);
    const { weighted, nodeUsers } = buildActors(this.r, this.cluster);
    this.actors = weighted;
    this.nodeUsers = nodeUsers;
    this.clock = Date.UTC(2026, 10, 20, 0, 0, 0) * 1000; // µs
    this.rv = 48_211_937; // etcd resourceVersion, grows with writes
  }

  namespaceFor(spec) {
    const r = this.r;
    if (spec === null) return null;
    if (spec === 'app') return r.pick(APP_NAMESPACES);
    if (spec === 'system') return r.pick(SYSTEM_NAMESPACES);
    if (spec === 'any') return r.chance(0.3) ? null : r.pick(ALL_NAMESPACES); // null: all namespaces (list/watch)
    return spec;
  }

  objectName(resource, ns, actorNode) {
    const r = this.r;
    const apps = this.cluster.apps[ns ?? 'default'] ?? this.cluster.apps.default;
    const app = r.pick(apps);
    switch (resource) {
      case 'pods':
        return r.pick(app.pods);
      case 'replicasets':
        return app.rs;
      case 'deployments':
      case 'services':
      case 'endpoints':
      case 'ingresses':
      case 'statefulsets':
      case 'applications':
        return app.name;
      case 'endpointslices':
        return `${app.name}-${r.alnum(5)}`;
      case 'secrets':
        return r.weighted([[4, `${app.name}-tls`], [3, `${app.name}-db-credentials`], [2, `sh.helm.release.v1.${app.name}.v${r.range(1, 40)}`], [1, 'registry-pull-secret']]);
      case 'configmaps':
        return r.weighted([[5, `${app.name}-config`], [2, 'kube-root-ca.crt'], [1, `${app.name}-feature-flags`]]);
      case 'leases':
        if (ns === 'kube-node-lease') return actorNode.name;
        return r.pick(['kube-controller-manager', 'kube-scheduler', 'cert-manager-controller', 'ingress-nginx-leader', 'external-attacher-leader-ebs-csi-aws-com']);
      case 'nodes':
        return actorNode ? actorNode.name : r.pick(this.cluster.nodes).name;
      case 'namespaces':
        return r.pick(APP_NAMESPACES);
      case 'serviceaccounts':
        return r.pick([app.name, 'default']);
      case 'events':
        return `${r.pick(app.pods)}.${r.hex(16)}`;
      case 'roles':
      case 'rolebindings':
        return r.pick([`${app.name}-reader`, `${app.name}-deployer`, 'developers-edit', 'oncall-debug']);
      case 'clusterroles':
      case 'clusterrolebindings':
        return r.pick(['cluster-admin', 'system:controller:replicaset-controller', 'oidc-platform-admins', 'view', 'edit']);
      case 'jobs':
        return `${app.name}-backup-${r.range(29_000_000, 29_999_999)}`;
      case 'cronjobs':
        return `${app.name}-backup`;
      case 'certificates':
        return `${app.name}-tls`;
      default:
        return `${app.name}-data`;
    }
  }

  /** A new request: everything both of its events need. */
  request() {
    const r = this.r;
    const actor = r.weighted(this.actors);
    const [, verb, resource, sub, nsSpec, levelSpec] = r.weighted(actor.ops.map((op) => [op[0], op]));
    const info = RESOURCES[resource];
    let node = null;
    let user = actor.user;
    let ips = actor.ips?.();
    if (actor.kind === 'kubelet') {
      const i = r.int(this.cluster.nodes.length);
      node = this.cluster.nodes[i];
      user = this.nodeUsers[i];
      ips = [node.ip];
    }
    const ns = info.namespaced ? this.namespaceFor(nsSpec) : null;
    const collection = verb === 'list' || verb === 'watch' || verb === 'deletecollection';
    const name = collection || (verb === 'create' && sub === null && resource !== 'events' && r.chance(0.02)) ? null : this.objectName(resource, ns, node);
    const forbidden = r.chance(actor.forbid);
    const code = statusFor(r, verb, resource, sub, forbidden);

    const base = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
    let path = `${base}${ns ? `/namespaces/${ns}` : ''}/${resource}`;
    if (name !== null && !(verb === 'create' && sub === null)) path += `/${name}`;
    if (sub) path += `/${sub}`;
    let query = '';
    if (verb === 'list') query = r.chance(0.5) ? '?limit=500&resourceVersion=0' : r.chance(0.5) ? `?labelSelector=app.kubernetes.io%2Fname%3D${this.objectName('deployments', ns ?? 'default', null)}` : '';
    else if (verb === 'watch') {
      const t = r.range(300, 600);
      query = `?allowWatchBookmarks=true&resourceVersion=${this.rv - r.range(0, 5000)}&timeout=${Math.floor(t / 60)}m${t % 60}s&timeoutSeconds=${t}&watch=true`;
    } else if (sub === 'exec') query = `?command=%2Fbin%2Fsh&command=-c&command=${r.pick(['env', 'cat+%2Fetc%2Fresolv.conf', 'ps+aux', 'curl+-s+localhost%3A8080%2Fhealthz'])}&container=${r.pick(CONTAINERS)}&stderr=true&stdin=true&stdout=true&tty=true`;
    else if (sub === 'log') query = `?container=${r.pick(CONTAINERS)}&follow=${r.chance(0.5)}&tailLines=${r.pick([10, 100, 500])}&timestamps=true`;
    else if (verb === 'deletecollection') query = '?labelSelector=app.kubernetes.io%2Finstance%3Dstale';
    else if (verb === 'patch' && actor.fieldManager) query = `?fieldManager=${actor.fieldManager}${actor.kind === 'human' ? '' : '&force=true'}`;
    else if (verb === 'create' && resource !== 'events') query = r.chance(0.3) ? '?fieldManager=kubectl-create&fieldValidation=Strict' : '';

    const objectRef = { resource };
    if (ns) objectRef.namespace = ns;
    if (name !== null) objectRef.name = name;
    if (info.group) objectRef.apiGroup = info.group;
    objectRef.apiVersion = info.version;
    if (sub) objectRef.subresource = sub;

    const writes = verb !== 'get' && verb !== 'list' && verb !== 'watch';
    if (writes && code < 300) this.rv += r.range(1, 40);
    const level = resource === 'secrets' || sub === 'exec' || sub === 'log' || sub === 'token' ? 'Metadata' : levelSpec;
    const extraAnnotations = {};
    if (resource === 'pods' && verb === 'create' && sub === null && code < 300) extraAnnotations['pod-security.kubernetes.io/enforce-policy'] = r.pick(['restricted:latest', 'baseline:latest', 'privileged:latest']);
    if (sub === 'exec' && code < 300) extraAnnotations['pod-security.kubernetes.io/exec-container'] = r.pick(CONTAINERS);
    return {
      auditID: r.uuid(),
      user,
      ips: ips ?? ['10.0.0.1'],
      userAgent: actor.kind === 'anonymous' ? r.pick(SCANNER_AGENTS) : actor.userAgent,
      verb,
      resource,
      sub,
      ns,
      name,
      group: info.group,
      version: info.version,
      uri: path + query,
      objectRef,
      code,
      level,
      reason: forbidden ? '' : actor.reason,
      extraAnnotations,
      received: 0,
      // how long it takes; watches and exec/log streams are long-running but audited when they end
      latency: verb === 'watch' || sub === 'exec' || sub === 'log' ? r.range(20_000, 900_000) : r.range(400, 60_000),
    };
  }

  leaseObject(q, now) {
    const r = this.r;
    return {
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: { name: q.name, namespace: q.ns, uid: r.uuid(), resourceVersion: String(this.rv), creationTimestamp: timestamp(now - 86_400_000_000 * r.range(1, 90)).replace(/\.\d+Z$/, 'Z') },
      spec: { holderIdentity: q.ns === 'kube-node-lease' ? q.name : `${q.name}-${r.hex(8)}_${r.uuid()}`, leaseDurationSeconds: q.ns === 'kube-node-lease' ? 40 : 15, acquireTime: timestamp(now - 3_600_000_000), renewTime: timestamp(now), leaseTransitions: r.range(0, 12) },
    };
  }

  bodies(q, now) {
    // Request/RequestResponse levels carry the bodies; only the kinds of bodies a real policy lets through.
    const r = this.r;
    if (q.level === 'Metadata' || q.code >= 400) return {};
    if (q.resource === 'leases') return { requestObject: this.leaseObject(q, now) };
    if (q.sub === 'scale') return { requestObject: { spec: { replicas: r.range(0, 12) } }, responseObject: { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: q.name, namespace: q.ns, resourceVersion: String(this.rv) }, spec: { replicas: r.range(0, 12) }, status: { replicas: r.range(0, 12), selector: `app.kubernetes.io/name=${q.name}` } } };
    if (q.resource === 'deployments' && q.verb === 'patch') {
      const request = { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': timestamp(now).replace(/\.\d+Z$/, 'Z') } } } } };
      if (q.level === 'Request') return { requestObject: request };
      return {
        requestObject: request,
        responseObject: { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: q.name, namespace: q.ns, uid: r.uuid(), resourceVersion: String(this.rv), generation: r.range(2, 300), labels: { 'app.kubernetes.io/name': q.name, 'app.kubernetes.io/part-of': q.ns } }, spec: { replicas: r.range(1, 6), selector: { matchLabels: { 'app.kubernetes.io/name': q.name } }, template: { spec: { containers: [{ name: 'app', image: `registry.example.com/${q.ns}/${q.name}:1.${r.range(0, 40)}.${r.range(0, 9)}`, resources: { limits: { cpu: '500m', memory: '512Mi' } } }] } } }, status: { observedGeneration: r.range(2, 300), replicas: r.range(1, 6), updatedReplicas: r.range(0, 6) } },
      };
    }
    if (q.resource === 'configmaps') {
      const data = { 'LOG_LEVEL': r.pick(['info', 'debug', 'warn']), 'FEATURE_NEW_CHECKOUT': String(r.chance(0.5)), 'CACHE_TTL_SECONDS': String(r.range(30, 3600)) };
      return { requestObject: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: q.name ?? `${q.ns}-generated`, namespace: q.ns }, data }, ...(q.level === 'RequestResponse' ? { responseObject: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: q.name ?? `${q.ns}-generated`, namespace: q.ns, uid: r.uuid(), resourceVersion: String(this.rv) }, data } } : {}) };
    }
    if (q.resource === 'rolebindings' || q.resource === 'roles') {
      const obj = q.resource === 'roles'
        ? { kind: 'Role', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: q.name, namespace: q.ns }, rules: [{ apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] }] }
        : { kind: 'RoleBinding', apiVersion: 'rbac.authorization.k8s.io/v1', metadata: { name: q.name, namespace: q.ns }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: r.pick(['oidc:developers', 'oidc:oncall']) }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: r.pick(['view', 'edit']) } };
      return { requestObject: obj, ...(q.level === 'RequestResponse' ? { responseObject: { ...obj, metadata: { ...obj.metadata, uid: r.uuid(), resourceVersion: String(this.rv) } } } : {}) };
    }
    if (q.resource === 'applications') return { requestObject: { metadata: { annotations: { 'argocd.argoproj.io/refresh': 'normal' } }, status: { sync: { status: r.pick(['Synced', 'OutOfSync']), revision: r.hex(40) }, health: { status: r.pick(['Healthy', 'Progressing', 'Degraded']) } } } };
    if (q.resource === 'certificates') return { requestObject: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', lastTransitionTime: timestamp(now).replace(/\.\d+Z$/, 'Z') }], notAfter: '2027-02-18T00:00:00Z', revision: r.range(1, 30) } } };
    return {};
  }

  /** The JSON line of one stage of a request, field order as kube-apiserver writes it. */
  event(q, stage, now) {
    const e = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level: q.level,
      auditID: q.auditID,
      stage,
      requestURI: q.uri,
      verb: q.verb,
      user: q.user,
      sourceIPs: q.ips,
    };
    if (q.userAgent) e.userAgent = q.userAgent;
    e.objectRef = q.objectRef;
    if (stage === 'ResponseComplete') {
      e.responseStatus = q.code < 300 ? (q.verb === 'delete' ? { metadata: {}, status: 'Success', code: q.code } : { metadata: {}, code: q.code }) : failure(q.code, q.verb, q.resource, q.group, q.name, q.ns, q.user.username);
      Object.assign(e, this.bodies(q, now));
    }
    e.requestReceivedTimestamp = timestamp(q.received);
    e.stageTimestamp = timestamp(now);
    if (stage === 'ResponseComplete') {
      e.annotations = { 'authorization.k8s.io/decision': q.code === 403 ? 'forbid' : 'allow', 'authorization.k8s.io/reason': q.reason, ...q.extraAnnotations };
    }
    return JSON.stringify(e);
  }

  /** Yields `count` event lines (count even: every request has both stages). */
  *lines(count) {
    const r = this.r;
    const requests = Math.ceil(count / 2);
    let started = 0;
    let emitted = 0;
    const inflight = []; // sorted by due time (µs)
    while (emitted < count) {
      // Advance the clock a little for every event, so stage timestamps strictly increase.
      this.clock += r.range(1, 3600);
      const due = inflight.length > 0 && inflight[0].due <= this.clock;
      if (!due && started < requests && (inflight.length < 4 || r.chance(0.5))) {
        const q = this.request();
        q.received = this.clock;
        q.due = this.clock + q.latency;
        let i = inflight.length;
        while (i > 0 && inflight[i - 1].due > q.due) i--;
        inflight.splice(i, 0, q);
        started++;
        emitted++;
        yield this.event(q, 'RequestReceived', this.clock);
      } else if (inflight.length > 0) {
        const q = inflight.shift();
        emitted++;
        yield this.event(q, 'ResponseComplete', Math.max(this.clock, q.received + 1));
      }
    }
  }
}

/**
 * Writes `count` events, one JSON object per LF-terminated line, to `path`. Returns the byte count
 * and the SHA-256 of the file, so a reproducibility check needs no second read.
 */
export function writeAuditLog(path, { count, seed = DEFAULT_SEED, onProgress } = {}) {
  const log = new AuditLog(seed);
  const hash = createHash('sha256');
  const fd = openSync(path, 'w');
  let bytes = 0;
  let n = 0;
  let pending = [];
  let pendingLength = 0;
  // Several MB per write: one syscall and one string-to-UTF-8 conversion per batch, not per event.
  const flush = () => {
    const buf = Buffer.from(pending.join(''), 'utf8');
    writeSync(fd, buf);
    hash.update(buf);
    bytes += buf.length;
    pending = [];
    pendingLength = 0;
  };
  try {
    for (const line of log.lines(count)) {
      pending.push(line, '\n');
      pendingLength += line.length + 1;
      n++;
      if (pendingLength >= 8 << 20) {
        flush();
        onProgress?.(n, count);
      }
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { events: n, bytes, sha256: hash.digest('hex') };
}
