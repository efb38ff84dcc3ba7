// One entry point for parse-event: which known shape an entry is, beyond raw audit events, upstreaminfo and Traefik JSON.
import type { EventKind } from '../event-row.ts';
import { accessLineColumns, cloudwatchExportEvent, ingressJsonColumns, type AccessColumns } from './access-lines.ts';
import { isBareAuditEvent, unwrapAuditRecord, type WrapperName } from './kubernetes-wrapped.ts';

type JsonObject = { readonly [key: string]: unknown };

export type Recognised =
  | { type: 'audit'; event: JsonObject; openshift: boolean; via: WrapperName | 'cloudwatch-export' }
  | { type: 'access'; columns: AccessColumns };

/** A JSON object entry: a wrapped or bare audit event, or an ingress-nginx JSON access record. */
export function recogniseObject(o: JsonObject): Recognised | null {
  const u = unwrapAuditRecord(o);
  if (u !== null) return { type: 'audit', event: u.event, openshift: u.openshift, via: u.via };
  if (typeof o['apiVersion'] === 'string' && o['apiVersion'].startsWith('audit.k8s.io/')) return null;
  const columns = ingressJsonColumns(o);
  return columns === null ? null : { type: 'access', columns };
}

/** A text entry: a CloudWatch export line holding an audit event, or an access line. */
export function recogniseLine(line: string): Recognised | null {
  const eventText = cloudwatchExportEvent(line);
  if (eventText !== null) {
    let v: unknown;
    try {
      v = JSON.parse(eventText);
    } catch {
      return null;
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
    const o = v as JsonObject;
    const isAudit = (typeof o['apiVersion'] === 'string' && o['apiVersion'].startsWith('audit.k8s.io/')) || isBareAuditEvent(o);
    return isAudit ? { type: 'audit', event: o, openshift: false, via: 'cloudwatch-export' } : null;
  }
  const columns = accessLineColumns(line);
  return columns === null ? null : { type: 'access', columns };
}

/** The row kind of an audit event found inside a wrapper. */
export function auditKind(openshift: boolean, declared: EventKind): EventKind {
  return openshift || declared === 'openshift-audit' ? 'openshift-audit' : 'kubernetes-audit';
}

/**
 * The audit event text a wrapper holds as a string (AKS properties.log, CloudWatch message, OTLP
 * body, a docker `log`, the event after a CloudWatch export line's time), exactly as decoded from
 * the entry, for the detail pane to show next to the record as sealed. Null when the entry is the
 * event itself or is mapped rather than wrapped (GKE).
 */
export function wrappedEventText(entryText: string): { via: string; text: string } | null {
  const exported = cloudwatchExportEvent(entryText);
  if (exported !== null) return recogniseLine(entryText)?.type === 'audit' ? { via: 'cloudwatch-export', text: exported } : null;
  if (!entryText.trimStart().startsWith('{')) return null;
  let v: unknown;
  try {
    v = JSON.parse(entryText);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const u = unwrapAuditRecord(v as JsonObject);
  return u === null || u.innerText === null ? null : { via: u.via, text: u.innerText };
}
