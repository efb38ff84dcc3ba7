// Ingress access-log lines beyond ingress-nginx upstreaminfo: nginx combined, Traefik CLF, Envoy's default format, HAProxy httplog, ingress-nginx JSON.
import type { EventFields, EventKind } from '../event-row.ts';

/** The columns an access line fills; every other column stays null. */
export type AccessColumns = Partial<EventFields> & { kind: EventKind };

type JsonObject = { readonly [key: string]: unknown };

const MONTHS: { readonly [name: string]: number } = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };

function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

function validDate(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [0, 31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo] ?? 0;
  return d >= 1 && d <= days && h <= 23 && mi <= 59 && s <= 59;
}

const CLF_TIME = /^(\d\d)\/([A-Z][a-z]{2})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/;

/** nginx/Apache $time_local "10/Oct/2000:13:55:36 -0700" to integer microseconds since 1970 UTC. */
export function clfTimeToMicros(s: string): number | null {
  const m = CLF_TIME.exec(s);
  if (m === null || !Object.hasOwn(MONTHS, m[2]!)) return null;
  const [y, mo, d, h, mi, sec] = [+m[3]!, MONTHS[m[2]!]!, +m[1]!, +m[4]!, +m[5]!, +m[6]!];
  const oh = +m[8]!;
  const om = +m[9]!;
  if (!validDate(y, mo, d, h, mi, sec) || oh > 23 || om > 59) return null;
  const offset = (oh * 3600 + om * 60) * (m[7] === '-' ? -1 : 1);
  return (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset) * 1_000_000;
}

const ISO_TIME = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** RFC 3339 (Envoy START_TIME, nginx $time_iso8601) to integer microseconds, fraction truncated. */
export function isoTimeToMicros(s: string): number | null {
  const m = ISO_TIME.exec(s);
  if (m === null) return null;
  const [y, mo, d, h, mi, sec] = [+m[1]!, +m[2]!, +m[3]!, +m[4]!, +m[5]!, +m[6]!];
  if (!validDate(y, mo, d, h, mi, sec)) return null;
  const frac = m[7] === undefined ? 0 : +(m[7] + '000000').slice(0, 6);
  let offset = 0;
  if (m[8] !== 'Z') {
    const oh = +m[8]!.slice(1, 3);
    const om = +m[8]!.slice(4, 6);
    if (oh > 23 || om > 59) return null;
    offset = (oh * 3600 + om * 60) * (m[8]![0] === '-' ? -1 : 1);
  }
  const us = (daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset) * 1_000_000 + frac;
  return Number.isSafeInteger(us) ? us : null;
}

function num(s: string | undefined): number | null {
  if (s === undefined || !/^\d{1,15}$/.test(s)) return null;
  return Number(s);
}

function dash(s: string | undefined): string | null {
  return s === undefined || s === '-' || s === '' ? null : s;
}

/** "METHOD path PROTOCOL" of a request line; a request that is not one (scanner garbage) keeps no method or path. */
function requestParts(request: string): { method: string | null; path: string | null; protocol: string | null } {
  const first = request.indexOf(' ');
  if (first <= 0 || !/^[A-Z][A-Z_-]*$/.test(request.slice(0, first))) return { method: null, path: null, protocol: null };
  const last = request.lastIndexOf(' ');
  if (last > first && /^HTTP\/[0-9.]+$/.test(request.slice(last + 1))) {
    return { method: request.slice(0, first), path: request.slice(first + 1, last), protocol: request.slice(last + 1) };
  }
  return { method: request.slice(0, first), path: request.slice(first + 1), protocol: null };
}

/** The host of host:port, [v6]:port, or a bare address (more than one colon is a bare IPv6 address). */
export function hostOf(address: string): string {
  if (address.startsWith('[')) {
    const close = address.indexOf(']');
    return close > 0 ? address.slice(1, close) : address;
  }
  const colon = address.indexOf(':');
  return colon >= 0 && address.indexOf(':', colon + 1) < 0 ? address.slice(0, colon) : address;
}

// nginx `combined` (also the start of Traefik's CLF): with nginx's default escaping no field holds a
// raw '"', so a quoted field ends at the first quote. The request may be any bytes a scanner sent.
// Groups: addr, user, time, request, status, bytes, referer, agent, rest.
const COMBINED = /^(\S+) - (.*?) \[(\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "((?:[^"\\]|\\.)*)" (\d{3}|-) (\d+|-) "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"(.*)$/;
// What Traefik appends to combined: request count, "router", "backend URL", duration in ms.
const TRAEFIK_TAIL = /^ (\d+) "([^"]*)" "([^"]*)" (\d+)ms$/;

function fromCombined(line: string): AccessColumns | null {
  const m = COMBINED.exec(line);
  if (m === null) return null;
  const time = m[3]!;
  const timeUs = clfTimeToMicros(time);
  if (timeUs === null) return null;
  const tail = m[9]!;
  let kind: EventKind;
  let router: string | null = null;
  let upstream: string | null = null;
  let durationUs: number | null = null;
  if (tail === '' || tail === '\r') kind = 'ingress-nginx';
  else {
    const t = TRAEFIK_TAIL.exec(tail.endsWith('\r') ? tail.slice(0, -1) : tail);
    if (t === null) return null;
    kind = 'traefik-access';
    router = dash(t[2]);
    upstream = dash(t[3]);
    durationUs = Number(t[4]) * 1000;
  }
  const req = requestParts(m[4]!);
  return {
    kind,
    clientAddress: m[1]!,
    sourceIp: m[1]!,
    username: dash(m[2]),
    time,
    timeUs,
    method: req.method,
    path: req.path,
    protocol: req.protocol,
    status: num(m[5]),
    responseBytes: num(m[6]),
    userAgent: dash(m[8]),
    router,
    upstream,
    durationUs,
  };
}

// Envoy's default access-log format (Contour uses it as is):
// [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%
// %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%"
// "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
// Istio's default inserts %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%"
// after the flags and appends cluster and addresses; both are read.
const ENVOY = /^\[(\d{4}-\d\d-\d\dT[0-9:.]+Z)\] "(\S+) (\S+) (\S+)" (\d{1,3}) (\S+)(?: (\S+) (\S+) "([^"]*)")? (\d+) (\d+) (\d+) (\S+) "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)"(?: (\S+) (\S+) (\S+) (\S+)(?: (\S+) (\S+))?)?\r?$/;

function fromEnvoy(line: string): AccessColumns | null {
  const m = ENVOY.exec(line);
  if (m === null) return null;
  const timeUs = isoTimeToMicros(m[1]!);
  if (timeUs === null) return null;
  // Only Istio's extended format has the peer address (DOWNSTREAM_REMOTE_ADDRESS); X-Forwarded-For is
  // set by the client, so without it there is no source address worth a column.
  const remote = dash(m[22]);
  return {
    kind: 'other',
    time: m[1]!,
    timeUs,
    method: dash(m[2]),
    path: dash(m[3]),
    protocol: dash(m[4]),
    status: m[5] === '0' ? null : num(m[5]),
    requestBytes: num(m[10]),
    responseBytes: num(m[11]),
    durationUs: num(m[12]) === null ? null : num(m[12])! * 1000,
    userAgent: dash(m[15]),
    host: dash(m[17]),
    upstream: dash(m[18]),
    service: dash(m[19]),
    clientAddress: remote,
    sourceIp: remote === null ? null : hostOf(remote),
  };
}

// HAProxy `option httplog` (1.x and 2.x), with or without the syslog header before it:
// %ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq {%hrl} {%hsl} %{+Q}r
const HAPROXY = /^(?:.*?haproxy\[\d+\]: )?(\S+):(\d+) \[(\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d\.\d{3})\] (\S+) (\S+)\/(\S+) (-?\d+)\/(-?\d+)\/(-?\d+)\/(-?\d+)\/\+?(-?\d+) (\d{3}|-1) \+?(\d+) (\S+) (\S+) (\S{4}) (\d+)\/(\d+)\/(\d+)\/(\d+)\/\+?(\d+) (\d+)\/(\d+)(?: \{[^}]*\})*(?: \{[^}]*\})? "([^"]*)"?\r?$/;

function fromHaproxy(line: string): AccessColumns | null {
  const m = HAPROXY.exec(line);
  if (m === null) return null;
  const req = requestParts(m[24]!);
  const total = Number(m[11]);
  return {
    kind: 'other',
    clientAddress: `${m[1]}:${m[2]}`,
    sourceIp: m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!,
    // HAProxy's accept date has no zone (the host's local time), so no instant can be computed from it.
    time: m[3]!,
    timeUs: null,
    router: m[4]!,
    service: m[5]!,
    upstream: m[6] === '<NOSRV>' ? null : m[6]!,
    durationUs: total >= 0 ? total * 1000 : null,
    status: m[12] === '-1' ? null : num(m[12]),
    responseBytes: num(m[13]),
    method: req.method,
    path: req.path,
    protocol: req.protocol,
  };
}

// Kubernetes-only shape: the "YYYY-MM-DDTHH:MM:SS.sssZ <event>" lines of a CloudWatch Logs export to S3.
const CLOUDWATCH_EXPORT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z \{/;

/** The event text of a CloudWatch export line, else null. */
export function cloudwatchExportEvent(line: string): string | null {
  return CLOUDWATCH_EXPORT.test(line) ? line.slice(line.indexOf(' ') + 1) : null;
}

/** Columns of an access line in one of the formats above, else null. */
export function accessLineColumns(line: string): AccessColumns | null {
  const c = line.charCodeAt(0);
  if (c === 0x5b) return fromEnvoy(line);
  return fromCombined(line) ?? fromHaproxy(line);
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

function intOf(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : null;
  return typeof v === 'string' ? num(v) : null;
}

function first(o: JsonObject, keys: readonly string[]): unknown {
  for (const k of keys) if (o[k] !== undefined) return o[k];
  return undefined;
}

/** nginx seconds ("0.033", or a JSON number) to whole microseconds, without floating point. */
function secondsToMicros(v: unknown): number | null {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : null;
  if (s === null) return null;
  const m = /^(\d{1,9})(?:\.(\d{1,6})\d*)?$/.exec(s);
  if (m === null) return null;
  return Number(m[1]) * 1_000_000 + (m[2] === undefined ? 0 : Number((m[2] + '00000').slice(0, 6)));
}

/**
 * ingress-nginx with log-format-escape-json and a JSON log-format-upstream. The keys are the
 * operator's, usually named after the nginx variables (the ingress-nginx documentation's example);
 * a record needs a status and a client address or method to count as one.
 */
export function ingressJsonColumns(o: JsonObject): AccessColumns | null {
  const status = first(o, ['status']);
  const addr = text(first(o, ['remote_addr', 'proxy_protocol_addr', 'client_ip']));
  const methodValue = text(first(o, ['request_method', 'method']));
  if (status === undefined || (addr === null && methodValue === null)) return null;
  if (first(o, ['request_uri', 'uri', 'path', 'request']) === undefined) return null;
  let method = methodValue;
  let path = text(first(o, ['request_uri', 'uri', 'path']));
  let protocol = text(first(o, ['request_proto', 'server_protocol', 'protocol']));
  const request = text(o['request']);
  if (request !== null && (method === null || path === null)) {
    const r = requestParts(request);
    method ??= r.method;
    path ??= r.path;
    protocol ??= r.protocol;
  }
  const time = text(first(o, ['time_iso8601', 'time', 'timestamp', 'time_local']));
  const upstream = text(first(o, ['upstream_addr']));
  const service = text(first(o, ['proxy_upstream_name', 'upstream_name']));
  return {
    kind: 'ingress-nginx',
    clientAddress: addr,
    sourceIp: addr,
    username: dash(text(o['remote_user']) ?? undefined),
    method: dash(method ?? undefined),
    path: dash(path ?? undefined),
    protocol: dash(protocol ?? undefined),
    host: dash(text(first(o, ['vhost', 'host', 'http_host'])) ?? undefined),
    status: intOf(status),
    requestBytes: intOf(o['request_length']),
    responseBytes: intOf(first(o, ['body_bytes_sent', 'bytes_sent'])),
    durationUs: secondsToMicros(first(o, ['request_time', 'duration'])),
    upstream: dash(upstream ?? undefined),
    service: dash(service ?? undefined),
    userAgent: dash(text(first(o, ['http_user_agent', 'user_agent'])) ?? undefined),
    time,
    timeUs: time === null ? null : (isoTimeToMicros(time) ?? clfTimeToMicros(time)),
  };
}
