// Turns one archive entry's bytes into the forensic index columns: audit.k8s.io events, ingress-nginx and Traefik access logs.
import type { EventFields, EventKind } from './event-row.ts';
import { auditKind, recogniseLine, recogniseObject, type Recognised } from './formats/detect.ts';
import { hostOf } from './formats/access-lines.ts';

// JSON text must be UTF-8 (RFC 8259), so a JSON entry is decoded strictly: with replacement characters
// a value would say something the bytes do not. ignoreBOM keeps a BOM in the string, where JSON.parse
// rejects it, which keeps `json` equal to isUtf8JsonObject(bytes).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
// Only for text lines that are not valid UTF-8 (ingress-nginx with escape=none can log raw header
// bytes): the address, status and times of such a line are still worth indexing.
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

type JsonObject = { readonly [key: string]: unknown };

/** Parses one entry (its exact bytes, no LF) of an archive whose manifest source.kind is `kind`. Never throws. */
export function parseEvent(bytes: Uint8Array, kind: EventKind, decoded?: Decoded): EventFields {
  try {
    return parse(bytes, kind, decoded);
  } catch {
    // Only reachable on resource exhaustion (a string too long to build, a JSON nesting too deep
    // for the stack); the entry is still indexed, just without columns.
    return blank('other', false);
  }
}

/**
 * What parsing an entry already computed, for a second reader of the same bytes (the sensitive-data
 * rules) to reuse instead of decoding and parsing again: `text` the entry decoded (strictly, or with
 * replacement characters when it is not UTF-8), `json` the result of JSON.parse on exactly that text
 * (null: it was tried and failed; absent: not tried).
 */
export interface Decoded {
  text?: string;
  json?: { value: unknown } | null;
}

function parse(bytes: Uint8Array, kind: EventKind, decoded: Decoded | undefined): EventFields {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    const lenient = lenientUtf8.decode(bytes);
    if (decoded) decoded.text = lenient;
    return fromAccessLine(lenient) ?? fromRecognised(recogniseLine(lenient), kind, false);
  }
  if (decoded) decoded.text = text;
  if (startsWithBrace(bytes)) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      if (decoded) decoded.json = null;
      return blank('other', false);
    }
    if (decoded) decoded.json = { value };
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return blank('other', false);
    return fromObject(value as JsonObject, kind);
  }
  // Nothing else (a JSON array or scalar, a text line) can be a JSON object, so JSON.parse is not tried.
  return fromAccessLine(text) ?? fromRecognised(recogniseLine(text), kind, false);
}

function startsWithBrace(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x7b) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return false;
}

// Every result is built by this one literal so all share one hidden class; the parsers then only
// overwrite existing properties.
function blank(kind: EventKind, json: boolean): EventFields {
  return {
    kind,
    json,
    auditId: null,
    stage: null,
    level: null,
    verb: null,
    requestUri: null,
    username: null,
    uid: null,
    groups: null,
    impersonatedUser: null,
    sourceIps: null,
    sourceIp: null,
    userAgent: null,
    apiGroup: null,
    apiVersion: null,
    resource: null,
    subresource: null,
    namespace: null,
    name: null,
    responseCode: null,
    responseReason: null,
    time: null,
    timeUs: null,
    stageTime: null,
    stageTimeUs: null,
    decision: null,
    decisionReason: null,
    hasRequestBody: false,
    hasResponseBody: false,
    clientAddress: null,
    method: null,
    path: null,
    host: null,
    protocol: null,
    status: null,
    requestBytes: null,
    responseBytes: null,
    durationUs: null,
    upstream: null,
    service: null,
    router: null,
  };
}

// A value of the wrong JSON type is reported as absent rather than converted: nothing is invented.
function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

function int(v: unknown): number | null {
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : null;
}

function obj(v: unknown): JsonObject | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as JsonObject) : null;
}

// Exports and other formats (shared/core/formats/): the columns come from the event inside the record.
function fromRecognised(r: Recognised | null, kind: EventKind, json: boolean): EventFields {
  if (r === null) return blank('other', json);
  if (r.type === 'access') return Object.assign(blank(r.columns.kind, json), r.columns);
  const f = fromAudit(r.event, auditKind(r.openshift, kind));
  f.json = json;
  return f;
}

function fromObject(o: JsonObject, kind: EventKind): EventFields {
  const recognised = recogniseObject(o);
  if (recognised !== null) return fromRecognised(recognised, kind, true);
  const apiVersion = o['apiVersion'];
  if (typeof apiVersion === 'string' && apiVersion.startsWith('audit.k8s.io/')) {
    // OpenShift cannot be told from vanilla kube-apiserver by the bytes alone, so the manifest decides that.
    return fromAudit(o, kind === 'openshift-audit' ? 'openshift-audit' : 'kubernetes-audit');
  }
  if (isTraefik(o)) return fromTraefik(o);
  return blank('other', true);
}

// JSON.stringify of the small groups and sourceIPs arrays is ~10% of an audit event's cost, and
// consecutive events mostly repeat the previous event's arrays (same client, same user), so the
// last text is reused when every element is the same string.
class ArrayText {
  private last: readonly unknown[] = [];
  private text = '[]';
  of(a: readonly unknown[]): string {
    const last = this.last;
    if (a.length === last.length) {
      let i = 0;
      while (i < a.length && typeof a[i] === 'string' && a[i] === last[i]) i++;
      if (i === a.length) return this.text;
    }
    this.last = a;
    return (this.text = JSON.stringify(a));
  }
}
const groupsText = new ArrayText();
const sourceIpsText = new ArrayText();

function fromAudit(o: JsonObject, kind: EventKind): EventFields {
  const f = blank(kind, true);
  f.auditId = str(o['auditID']);
  f.stage = str(o['stage']);
  f.level = str(o['level']);
  f.verb = str(o['verb']);
  f.requestUri = str(o['requestURI']);
  const user = obj(o['user']);
  if (user !== null) {
    f.username = str(user['username']);
    f.uid = str(user['uid']);
    const groups = user['groups'];
    if (Array.isArray(groups)) f.groups = groupsText.of(groups);
  }
  const impersonated = obj(o['impersonatedUser']);
  if (impersonated !== null) f.impersonatedUser = str(impersonated['username']);
  const ips = o['sourceIPs'];
  if (Array.isArray(ips)) {
    f.sourceIps = sourceIpsText.of(ips);
    // The apiserver appends the peer address last; everything before it came from X-Forwarded-For.
    if (ips.length > 0) f.sourceIp = str(ips[ips.length - 1]);
  }
  f.userAgent = str(o['userAgent']);
  const ref = obj(o['objectRef']);
  if (ref !== null) {
    f.apiGroup = str(ref['apiGroup']);
    f.apiVersion = str(ref['apiVersion']);
    f.resource = str(ref['resource']);
    f.subresource = str(ref['subresource']);
    f.namespace = str(ref['namespace']);
    f.name = str(ref['name']);
  }
  const status = obj(o['responseStatus']);
  if (status !== null) {
    f.responseCode = int(status['code']);
    f.responseReason = str(status['reason']);
  }
  // 2017-era events (before requestReceivedTimestamp existed) carry `timestamp` and metadata.creationTimestamp.
  let time = str(o['requestReceivedTimestamp']) ?? str(o['timestamp']);
  if (time === null) {
    const meta = obj(o['metadata']);
    if (meta !== null) time = str(meta['creationTimestamp']);
  }
  if (time !== null) {
    f.time = time;
    f.timeUs = rfc3339ToMicros(time);
  }
  const stageTime = str(o['stageTimestamp']);
  if (stageTime !== null) {
    f.stageTime = stageTime;
    f.stageTimeUs = rfc3339ToMicros(stageTime);
  }
  const annotations = obj(o['annotations']);
  if (annotations !== null) {
    f.decision = str(annotations['authorization.k8s.io/decision']);
    f.decisionReason = str(annotations['authorization.k8s.io/reason']);
  }
  f.hasRequestBody = o['requestObject'] !== undefined && o['requestObject'] !== null;
  f.hasResponseBody = o['responseObject'] !== undefined && o['responseObject'] !== null;
  return f;
}

// Field names of Traefik's access log (v2 and v3). Users can drop any of them in the static
// configuration, so no single one is required; two make an accidental match with another
// application's JSON unlikely.
const TRAEFIK_KEYS = [
  'ClientAddr',
  'ClientHost',
  'RequestMethod',
  'RequestPath',
  'RequestProtocol',
  'RequestHost',
  'RequestAddr',
  'DownstreamStatus',
  'DownstreamContentSize',
  'OriginStatus',
  'Duration',
  'Overhead',
  'RouterName',
  'ServiceName',
  'StartUTC',
  'StartLocal',
  'entryPointName',
  'RetryAttempts',
];

function isTraefik(o: JsonObject): boolean {
  let seen = 0;
  for (const key of TRAEFIK_KEYS) {
    if (Object.hasOwn(o, key) && ++seen === 2) return true;
  }
  return false;
}

function fromTraefik(o: JsonObject): EventFields {
  const f = blank('traefik-access', true);
  f.clientAddress = str(o['ClientAddr']);
  f.sourceIp = str(o['ClientHost']) ?? (f.clientAddress === null ? null : hostOf(f.clientAddress));
  const user = str(o['ClientUsername']);
  f.username = user === '-' ? null : user;
  f.method = str(o['RequestMethod']);
  f.path = str(o['RequestPath']);
  f.host = str(o['RequestHost']);
  f.protocol = str(o['RequestProtocol']);
  // What the client got; OriginStatus is what the backend said, absent when Traefik answered itself.
  f.status = int(o['DownstreamStatus']);
  f.requestBytes = int(o['RequestContentSize']);
  f.responseBytes = int(o['DownstreamContentSize']);
  const ns = int(o['Duration']);
  // Integer arithmetic: ns / 1000 in floating point can round up to the next microsecond.
  if (ns !== null) f.durationUs = (ns - (ns % 1000)) / 1000;
  const serviceUrl = obj(o['ServiceURL']);
  f.upstream = str(o['ServiceAddr']) ?? (serviceUrl === null ? null : str(serviceUrl['Host']));
  f.service = str(o['ServiceName']);
  f.router = str(o['RouterName']);
  f.userAgent = str(o['request_User-Agent']);
  // StartUTC and StartLocal are the same instant; `time` is when the line was written (end of the
  // request, whole seconds) and is used only when both Start fields were dropped from the log.
  const time = str(o['StartUTC']) ?? str(o['StartLocal']) ?? str(o['time']);
  if (time !== null) {
    f.time = time;
    f.timeUs = rfc3339ToMicros(time);
  }
  return f;
}

// ingress-nginx's default log format (log-format-upstream):
//   $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer"
//   "$http_user_agent" $request_length $request_time [$proxy_upstream_name]
//   [$proxy_alternative_upstream_name] $upstream_addr $upstream_response_length
//   $upstream_response_time $upstream_status $req_id
// nginx writes "-" for an empty variable, so "-" is reported as null. With the default escaping,
// values carry no raw '"' (it is logged as \x22), and values are kept with such escapes as written.
function fromAccessLine(s: string): EventFields | null {
  const dash = s.indexOf(' - ');
  if (dash <= 0 || s.lastIndexOf(' ', dash - 1) >= 0) return null;
  const remoteAddr = s.slice(0, dash);

  // $remote_user is client-supplied and may hold spaces or brackets, so the time is found by its shape.
  // An empty (but present) user is logged as nothing, leaving two spaces before the time.
  const userStart = dash + 3;
  let open = userStart;
  let timeUs: number | null = null;
  for (;;) {
    open = s.indexOf(' [', open);
    if (open < 0) return null;
    if (s.charCodeAt(open + 28) === 0x5d && s.startsWith(' "', open + 29)) {
      timeUs = nginxTimeToMicros(s, open + 2);
      if (timeUs !== null) break;
    }
    open++;
  }
  const remoteUser = s.slice(userStart, open);
  const timeLocal = s.slice(open + 2, open + 28);

  // "$request" ends at the quote that is followed by the numeric status.
  const requestStart = open + 31;
  let requestEnd = requestStart - 1;
  for (;;) {
    requestEnd = s.indexOf('" ', requestEnd + 1);
    if (requestEnd < 0) return null;
    if (isDigit(s.charCodeAt(requestEnd + 2))) break;
  }
  const request = s.slice(requestStart, requestEnd);

  let at = requestEnd + 2;
  const statusEnd = s.indexOf(' ', at);
  if (statusEnd < 0) return null;
  const status = digits(s.slice(at, statusEnd));
  if (status === null) return null;
  at = statusEnd + 1;
  const bytesEnd = s.indexOf(' ', at);
  if (bytesEnd < 0) return null;
  const bodyBytes = s.slice(at, bytesEnd);
  at = bytesEnd + 1;

  if (s.charCodeAt(at) !== 0x22) return null;
  const refererEnd = s.indexOf('" "', at + 1);
  if (refererEnd < 0) return null;
  at = refererEnd + 3;
  const agentEnd = s.indexOf('" ', at);
  if (agentEnd < 0) return null;
  const userAgent = s.slice(at, agentEnd);

  // The rest has no quoted values; upstream lists are "a, b" (retries) or "a : b" (internal redirect).
  const t = s.slice(agentEnd + 2).split(' ');
  if (t.length < 9) return null;
  const requestLength = t[0]!;
  const requestTime = t[1]!;
  const upstreamName = bracketed(t[2]!);
  if (upstreamName === null || bracketed(t[3]!) === null) return null;
  let i = 4;
  const lists: string[] = [];
  for (let n = 0; n < 4; n++) {
    const from = i;
    for (;;) {
      if (i >= t.length) return null;
      const token = t[i++]!;
      if (token.endsWith(',')) continue;
      if (t[i] === ':') {
        i++;
        continue;
      }
      break;
    }
    lists.push(t.slice(from, i).join(' '));
  }
  // Exactly one token, $req_id, is left.
  if (i !== t.length - 1 || t[i] === '') return null;

  const f = blank('ingress-nginx', false);
  f.clientAddress = remoteAddr;
  f.sourceIp = remoteAddr;
  f.username = remoteUser === '-' || remoteUser === '' ? null : remoteUser;
  f.time = timeLocal;
  f.timeUs = timeUs;
  if (request !== '-' && request !== '') {
    const firstSpace = request.indexOf(' ');
    if (firstSpace > 0) {
      const lastSpace = request.lastIndexOf(' ');
      f.method = request.slice(0, firstSpace);
      // nginx accepts unencoded spaces in the URI, so the path is everything between method and protocol.
      if (lastSpace > firstSpace) {
        f.path = request.slice(firstSpace + 1, lastSpace);
        f.protocol = request.slice(lastSpace + 1);
      } else {
        // HTTP/0.9 "GET /path" has no protocol.
        f.path = request.slice(firstSpace + 1);
      }
    }
  }
  f.status = status;
  f.responseBytes = digits(bodyBytes);
  f.userAgent = userAgent === '-' ? null : userAgent;
  f.requestBytes = digits(requestLength);
  f.durationUs = secondsToMicros(requestTime);
  f.service = upstreamName === '' ? null : upstreamName;
  f.upstream = lists[0] === '-' ? null : lists[0]!;
  return f;
}

function bracketed(token: string): string | null {
  return token.length >= 2 && token.charCodeAt(0) === 0x5b && token.charCodeAt(token.length - 1) === 0x5d
    ? token.slice(1, -1)
    : null;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** A non-negative decimal integer, else null. */
function digits(s: string): number | null {
  if (s.length === 0 || s.length > 15) return null;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isDigit(c)) return null;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

/** nginx seconds with millisecond resolution ("0.033") to whole microseconds, without floating point. */
function secondsToMicros(s: string): number | null {
  const dot = s.indexOf('.');
  const whole = digits(dot < 0 ? s : s.slice(0, dot));
  if (whole === null) return null;
  let frac = 0;
  if (dot >= 0) {
    const f = s.slice(dot + 1, dot + 7);
    const n = digits(f);
    if (n === null) return null;
    if (s.length > dot + 7 && digits(s.slice(dot + 7)) === null) return null;
    frac = n * 10 ** (6 - f.length);
  }
  const us = whole * 1_000_000 + frac;
  return Number.isSafeInteger(us) ? us : null;
}

// ---- timestamps -------------------------------------------------------------------------------

/** Two ASCII digits at s[i], else -1. */
function two(s: string, i: number): number {
  const a = s.charCodeAt(i) - 0x30;
  const b = s.charCodeAt(i + 1) - 0x30;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

const MONTH_DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeap(y: number): boolean {
  return y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
}

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil): integer-exact,
// where Date would round through milliseconds.
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Validated civil time to microseconds since the epoch; null when invalid or beyond exact integers (years ~1685–2255). */
function civilToMicros(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  micros: number,
  offsetSeconds: number,
): number | null {
  if (month < 1 || month > 12 || day < 1) return null;
  if (day > (month === 2 && isLeap(year) ? 29 : MONTH_DAYS[month]!)) return null;
  // Go, which writes every timestamp here, rejects leap second 60 too.
  if (hour > 23 || minute > 59 || second > 59) return null;
  const seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offsetSeconds;
  const us = seconds * 1_000_000 + micros;
  return Number.isSafeInteger(us) ? us : null;
}

/**
 * An RFC 3339 date-time (as Go's time.RFC3339Nano writes it) to integer microseconds since 1970 UTC:
 * YYYY-MM-DDTHH:MM:SS, optionally '.' and 1–9 fraction digits (truncated to microseconds), then Z or
 * ±hh:mm. T and Z may be lower case (RFC 3339 §5.6). Null for anything else.
 */
export function rfc3339ToMicros(s: string): number | null {
  const n = s.length;
  if (n < 20 || n > 35) return null;
  const y1 = two(s, 0);
  const y2 = two(s, 2);
  const month = two(s, 5);
  const day = two(s, 8);
  const hour = two(s, 11);
  const minute = two(s, 14);
  const second = two(s, 17);
  if ((y1 | y2 | month | day | hour | minute | second) < 0) return null;
  const sep = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 0x2d || s.charCodeAt(7) !== 0x2d || (sep !== 0x54 && sep !== 0x74)) return null;
  if (s.charCodeAt(13) !== 0x3a || s.charCodeAt(16) !== 0x3a) return null;
  let i = 19;
  let micros = 0;
  if (s.charCodeAt(i) === 0x2e) {
    i++;
    const start = i;
    while (i < n && isDigit(s.charCodeAt(i))) {
      if (i - start < 6) micros = micros * 10 + (s.charCodeAt(i) - 0x30);
      i++;
    }
    const count = i - start;
    if (count < 1 || count > 9) return null;
    if (count < 6) micros *= 10 ** (6 - count);
  }
  let offset = 0;
  const z = s.charCodeAt(i);
  if (z === 0x5a || z === 0x7a) {
    if (i + 1 !== n) return null;
  } else if (z === 0x2b || z === 0x2d) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 0x3a) return null;
    const oh = two(s, i + 1);
    const om = two(s, i + 4);
    if (oh < 0 || om < 0 || oh > 23 || om > 59) return null;
    offset = (oh * 3600 + om * 60) * (z === 0x2d ? -1 : 1);
  } else {
    return null;
  }
  return civilToMicros(y1 * 100 + y2, month, day, hour, minute, second, micros, offset);
}

const MONTHS: { readonly [name: string]: number } = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};

/** nginx $time_local, exactly 26 characters at s[at]: "07/Feb/2020:11:48:51 +0000". */
function nginxTimeToMicros(s: string, at: number): number | null {
  if (s.length < at + 26) return null;
  const day = two(s, at);
  const month = Object.hasOwn(MONTHS, s.slice(at + 3, at + 6)) ? MONTHS[s.slice(at + 3, at + 6)]! : -1;
  const y1 = two(s, at + 7);
  const y2 = two(s, at + 9);
  const hour = two(s, at + 12);
  const minute = two(s, at + 15);
  const second = two(s, at + 18);
  const oh = two(s, at + 22);
  const om = two(s, at + 24);
  if ((day | month | y1 | y2 | hour | minute | second | oh | om) < 0 || oh > 23 || om > 59) return null;
  if (s.charCodeAt(at + 2) !== 0x2f || s.charCodeAt(at + 6) !== 0x2f || s.charCodeAt(at + 11) !== 0x3a) return null;
  if (s.charCodeAt(at + 14) !== 0x3a || s.charCodeAt(at + 17) !== 0x3a || s.charCodeAt(at + 20) !== 0x20) return null;
  const sign = s.charCodeAt(at + 21);
  if (sign !== 0x2b && sign !== 0x2d) return null;
  const offset = (oh * 3600 + om * 60) * (sign === 0x2d ? -1 : 1);
  return civilToMicros(y1 * 100 + y2, month, day, hour, minute, second, 0, offset);
}
