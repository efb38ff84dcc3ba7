// Finds the audit.k8s.io Event inside one record of the exports that carry it: AKS, EKS CloudWatch, OpenShift ViaQ/OTLP, webhook EventList, GKE.
import { gkeToAuditEvent, isGkeAuditEntry } from './gke.ts';

type JsonObject = { readonly [key: string]: unknown };

/** What was found in a record: the event (as an audit.k8s.io object), and which wrapper held it. */
export interface Unwrapped {
  event: JsonObject;
  via: WrapperName;
  /** The wrapper itself says the event came from OpenShift (ViaQ's openshift_audit_level). */
  openshift: boolean;
  /** The inner event as text, exactly as the wrapper held it (a JSON string value), for display; null when the event is the record itself. */
  innerText: string | null;
}

export type WrapperName = 'audit-event-legacy' | 'event-list' | 'viaq' | 'aks' | 'cloudwatch' | 'otlp' | 'gke' | 'log-field';

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function obj(v: unknown): JsonObject | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : null;
}

function isAuditApiVersion(v: unknown): boolean {
  return typeof v === 'string' && v.startsWith('audit.k8s.io/');
}

/**
 * An audit Event without apiVersion: webhook captures re-serialised by Falco, and some forwarders,
 * drop it. auditID, verb and requestURI are all required members of every Event version, and no
 * other common log record has the three, so they identify one without guessing from looser hints.
 */
export function isBareAuditEvent(o: JsonObject): boolean {
  if (o['apiVersion'] !== undefined) return false;
  const kind = o['kind'];
  if (kind !== undefined && kind !== 'Event') return false;
  return typeof o['auditID'] === 'string' && typeof o['verb'] === 'string' && typeof o['requestURI'] === 'string';
}

function isAuditEvent(o: JsonObject): boolean {
  return (isAuditApiVersion(o['apiVersion']) && o['kind'] !== 'EventList') || isBareAuditEvent(o);
}

/**
 * A JSON string that holds one audit event (AKS properties.log, CloudWatch message, OTLP body). The
 * text keeps its exact characters for display; parsing it here only reads columns, so a large number
 * inside it rounding in JSON.parse changes nothing shown as evidence.
 */
function innerEvent(text: string | null): JsonObject | null {
  if (text === null) return null;
  let i = 0;
  while (i < text.length && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i++;
  if (text.charCodeAt(i) !== 0x7b) return null;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  const o = obj(v);
  return o !== null && isAuditEvent(o) ? o : null;
}

/**
 * The audit event inside `o`, or null when `o` is a plain audit.k8s.io event (parsed as it is) or
 * not a wrapper of one. Cheap for the common case: a raw event costs two property reads.
 */
export function unwrapAuditRecord(o: JsonObject): Unwrapped | null {
  if (isAuditApiVersion(o['apiVersion'])) {
    // ViaQ (OpenShift's forwarder data model) overwrites `level` with its own log level ("default")
    // and moves the audit level to openshift_audit_level; the column must show the audit level.
    const viaqLevel = str(o['openshift_audit_level']);
    if (viaqLevel !== null) return { event: { ...o, level: viaqLevel }, via: 'viaq', openshift: true, innerText: null };
    if (o['kind'] === 'EventList') {
      // One stored webhook POST: its events are separate records when sealed by `seal`, but an
      // archive made elsewhere may hold the list whole. A list of one is that event; a longer
      // list has no single set of columns, so it is left to the caller as a list.
      const items = o['items'];
      if (Array.isArray(items) && items.length === 1) {
        const item = obj(items[0]);
        if (item !== null) return { event: item, via: 'event-list', openshift: false, innerText: null };
      }
    }
    return null;
  }
  if (isBareAuditEvent(o)) return { event: o, via: 'audit-event-legacy', openshift: false, innerText: null };

  // AKS diagnostic settings (Event Hubs messages, storage PT1H.json): category kube-audit or kube-audit-admin.
  const properties = obj(o['properties']);
  if (properties !== null) {
    const text = str(properties['log']);
    const event = innerEvent(text);
    if (event !== null) return { event, via: 'aks', openshift: false, innerText: text };
  }
  // EKS through CloudWatch Logs: filter-log-events / get-log-events events and subscription (Firehose,
  // Lambda) logEvents all hold the apiserver's line in `message`.
  const message = str(o['message']);
  if (message !== null) {
    const event = innerEvent(message);
    if (event !== null) return { event, via: 'cloudwatch', openshift: false, innerText: message };
  }
  // OTLP/JSON logRecord (OpenShift's forwarder with the otlp output, any OpenTelemetry collector).
  const body = obj(o['body']);
  if (body !== null) {
    const text = str(body['stringValue']);
    const event = innerEvent(text);
    if (event !== null) return { event, via: 'otlp', openshift: false, innerText: text };
  }
  // Docker json-file / CRI-to-JSON collectors (fluentd, fluent-bit) keep the line in `log`.
  const log = str(o['log']);
  if (log !== null) {
    const event = innerEvent(log);
    if (event !== null) return { event, via: 'log-field', openshift: false, innerText: log };
  }
  if (isGkeAuditEntry(o)) {
    const event = gkeToAuditEvent(o);
    if (event !== null) return { event, via: 'gke', openshift: false, innerText: null };
  }
  return null;
}
