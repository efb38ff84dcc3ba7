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
