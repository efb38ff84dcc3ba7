// Which audit entries carry data that must not travel in an excerpt (secrets, tokens, credentials, personal data): one table of rules, each with a machine-readable name.
import type { Decoded } from './parse-event.ts';

/**
 * The rules, in the order they are reported. `rule` is the machine-readable reason written into an
 * excerpt's manifest for a withheld item; `what` is what the rule looks for, in words (docs and help).
 * The rules read the entry's raw bytes: a JSON entry (audit event, JSON access line, or a wrapper that
 * holds an event as a JSON string, like AKS `properties.log` or OTLP `body.stringValue`) is parsed and
 * walked; any entry's text is also scanned for bearer credentials and e-mail addresses.
 */
export const SENSITIVE_RULES = [
  { rule: 'secret-object', what: 'a Secret (kind Secret or SecretList, or any body of a request on the secrets resource) in requestObject or responseObject' },
  { rule: 'secret-in-last-applied', what: 'a Secret inside a kubectl.kubernetes.io/last-applied-configuration annotation of a request or response body' },
  { rule: 'token-review', what: 'the body of a TokenReview (authentication.k8s.io tokenreviews), which holds the token under review' },
  { rule: 'token-request', what: 'the body of a TokenRequest (serviceaccounts/token), whose response holds a service-account token' },
  { rule: 'bearer-token', what: 'a JSON Web Token (service-account or OIDC token, "eyJ….eyJ….sig") anywhere in the entry' },
  { rule: 'credential-in-uri', what: 'a credential in a request URI or query string: user:password@ userinfo, or a parameter named token, access_token, id_token, password, secret, api_key, apikey, sig or signature with a value' },
  { rule: 'auth-header', what: 'an Authorization, Proxy-Authorization, Cookie or Set-Cookie header value in an access-log field, or "Bearer …"/"Basic …" credentials in a text line' },
  { rule: 'credential-in-object', what: 'credential material in a request or response body: AWS secret keys (aws_secret_access_key, AKIA… key IDs), PEM private keys, password fields' },
  { rule: 'personal-email', what: 'an e-mail address (personal data) in a user name, an impersonated user name, or a request or response body' },
] as const;

export type SensitiveRule = (typeof SENSITIVE_RULES)[number]['rule'];

export interface SensitiveFinding {
  rule: SensitiveRule;
  /** Where the rule matched, in words ("responseObject is a v1 Secret"); never the sensitive value itself. */
  detail: string;
}

type Json = { readonly [key: string]: unknown };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const JWT = /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/;
/** After an @: the domain of an e-mail address (sticky, tried at each @ only). */
const EMAIL_DOMAIN = /[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/y;
const LOCAL_PART_CHAR = /[A-Za-z0-9._%+-]/;

/**
 * Whether `s` holds an e-mail address: a local-part character, @, a domain with a dotted top level.
 * The address is found from its @, not by trying the pattern at every character: that was quadratic
 * in a long run of letters (36 µs on a 1 kB event, minutes on a hostile megabyte).
 */
export function hasEmail(s: string): boolean {
  for (let at = s.indexOf('@'); at >= 0; at = s.indexOf('@', at + 1)) {
    if (at === 0 || !LOCAL_PART_CHAR.test(s[at - 1]!)) continue;
    EMAIL_DOMAIN.lastIndex = at + 1;
    if (EMAIL_DOMAIN.test(s)) return true;
  }
  return false;
}
const URI_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i;
const URI_PARAM = /[?&;](token|access_token|id_token|refresh_token|password|passwd|pwd|secret|client_secret|api_key|apikey|sig|signature|x-amz-signature|x-amz-security-token)=([^&;#\s]+)/i;
const AUTH_FIELD = /(^|[_.\-\s])(proxy-)?(authorization|cookie|set-cookie)$/i;
const AUTH_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/;
const CREDENTIAL_TEXT: readonly [RegExp, string][] = [
  [/aws_secret_access_key|secret_access_key/i, 'an AWS secret access key setting'],
  [/\bA(KIA|SIA)[0-9A-Z]{16}\b/, 'an AWS access key ID'],
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/"(password|passwd|client_secret)"\s*:\s*"[^"]+"/i, 'a password field'],
];
/** Wrapped events and JSON-in-a-string annotations are re-parsed to this depth and size only. */
const MAX_NESTED_DEPTH = 4;
const MAX_NESTED_TEXT = 16 << 20;

/**
 * The sensitive-data rules an entry matches (one finding per rule, in table order), from its exact
 * bytes. Never throws; an entry that is neither JSON nor UTF-8 is scanned as text. `decoded`, when
 * parseEvent filled it for the same bytes, saves decoding and parsing them a second time.
 */
export function detectSensitive(entry: Uint8Array, decoded?: Decoded): SensitiveFinding[] {
  const found = new Map<SensitiveRule, string>();
  const add = (rule: SensitiveRule, detail: string) => {
    if (!found.has(rule)) found.set(rule, detail);
  };
  let text: string;
  if (decoded?.text !== undefined) text = decoded.text;
  else {
    try {
      text = strictUtf8.decode(entry);
    } catch {
      text = lenientUtf8.decode(entry);
    }
  }
  try {
    // When parseEvent already ran JSON.parse on this very text, its result is what parseObject would get.
    const reuse = decoded?.json !== undefined && decoded.text !== undefined && text.startsWith('{') && text.length <= MAX_NESTED_TEXT;
    const value = reuse ? (decoded.json && isObject(decoded.json.value) ? decoded.json.value : null) : parseObject(text);
    if (value) walk(value, add, 0);
    else {
      scanTextLine(text, add);
      // A line that carries an event after a prefix (a CloudWatch export line: "<time> {event}") is looked into like the event.
      const brace = text.indexOf('{');
      const embedded = brace > 0 ? parseObject(text.slice(brace).trimEnd()) : null;
      if (embedded) walk(embedded, add, 0);
    }
  } catch {
    // Only on resource exhaustion (nesting deeper than the stack): the text scans below still run.
  }
  if (JWT.test(text)) add('bearer-token', 'the entry holds a JSON Web Token');
  return SENSITIVE_RULES.filter((r) => found.has(r.rule)).map((r) => ({ rule: r.rule, detail: found.get(r.rule)! }));
}

function parseObject(text: string): Json | null {
  const t = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (!t.startsWith('{') || t.length > MAX_NESTED_TEXT) return null;
  try {
    const v: unknown = JSON.parse(t);
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

type Add = (rule: SensitiveRule, detail: string) => void;

/** Visits an entry's JSON: an audit event is checked field by field; a wrapper's JSON strings are parsed and visited in turn. */
function walk(value: unknown, add: Add, depth: number): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, add, depth);
    return;
  }
  if (!isObject(value)) {
    if (typeof value === 'string' && depth < MAX_NESTED_DEPTH) {
      const nested = parseObject(value.trimEnd());
      if (nested) walk(nested, add, depth + 1);
    }
    return;
  }
  if (isAuditEvent(value)) {
    auditEvent(value, add, depth);
    return;
  }
  accessFields(value, add);
  for (const v of Object.values(value)) walk(v, add, depth);
}

function isAuditEvent(o: Json): boolean {
  return typeof o.auditID === 'string' || (typeof o.requestURI === 'string' && typeof o.verb === 'string');
}

function auditEvent(e: Json, add: Add, depth: number): void {
  const ref = isObject(e.objectRef) ? e.objectRef : {};
  const resource = str(ref.resource);
  const subresource = str(ref.subresource);
  const bodies = (['requestObject', 'responseObject'] as const).filter((k) => e[k] !== undefined && e[k] !== null);
  for (const k of bodies) {
    const body = e[k];
    if (resource === 'secrets' && !subresource) add('secret-object', `${k} of a ${String(e.verb ?? 'request')} on secrets`);
    const kind = secretKind(body);
    if (kind) add('secret-object', `${k} is a ${kind}`);
    if (resource === 'tokenreviews') add('token-review', `${k} of a TokenReview`);
    if (resource === 'serviceaccounts' && subresource === 'token') add('token-request', `${k} of a TokenRequest for a service-account token`);
    const lastApplied = lastAppliedSecrets(body, depth);
    if (lastApplied) add('secret-in-last-applied', `${k} carries a ${LAST_APPLIED} annotation holding a ${lastApplied}`);
    const bodyText = JSON.stringify(body);
    for (const [re, what] of CREDENTIAL_TEXT) {
      if (re.test(bodyText)) {
        add('credential-in-object', `${k} holds ${what}`);
        break;
      }
    }
    if (hasEmail(bodyText)) add('personal-email', `${k} holds an e-mail address`);
  }
  const uri = str(e.requestURI);
  if (uri) uriCredential(uri, 'requestURI', add);
  for (const k of ['user', 'impersonatedUser'] as const) {
    const u = e[k];
    if (isObject(u) && typeof u.username === 'string' && hasEmail(u.username)) add('personal-email', `${k}.username is an e-mail address`);
  }
}

/** "v1 Secret" when the body is a Secret or a list of them (an apply body, a get or list response). */
function secretKind(body: unknown): string | null {
  if (!isObject(body)) return null;
  if (body.kind === 'Secret' || body.kind === 'SecretList') return `${typeof body.apiVersion === 'string' ? `${body.apiVersion} ` : ''}${body.kind}`;
  if (Array.isArray(body.items) && body.items.some((i) => isObject(i) && i.kind === 'Secret')) return 'list holding Secrets';
  return null;
}

function lastAppliedSecrets(body: unknown, depth: number): string | null {
  const objects = isObject(body) && Array.isArray(body.items) ? body.items : [body];
  for (const o of objects) {
    if (!isObject(o) || !isObject(o.metadata) || !isObject(o.metadata.annotations)) continue;
    const text = str(o.metadata.annotations[LAST_APPLIED]);
    if (text === null || depth >= MAX_NESTED_DEPTH) continue;
    const applied = parseObject(text.trimEnd());
    const kind = applied && secretKind(applied);
    if (kind) return kind;
  }
  return null;
}

function uriCredential(uri: string, where: string, add: Add): void {
  if (URI_USERINFO.test(uri)) add('credential-in-uri', `${where} carries user:password credentials`);
  const m = URI_PARAM.exec(uri);
  if (m) add('credential-in-uri', `${where} carries a credential parameter (${m[1]!.toLowerCase()})`);
}

/** JSON access lines (Traefik, Envoy, ingress-nginx JSON): header fields and the request path. */
function accessFields(o: Json, add: Add): void {
  for (const [k, v] of Object.entries(o)) {
    if (typeof v !== 'string' || v === '' || v === '-') continue;
    if (AUTH_FIELD.test(k)) add('auth-header', `field ${JSON.stringify(k)} holds a credential header`);
    else if (/^(request_?uri|requestpath|request_path|path|uri|url|request|upstream_url)$/i.test(k.replace(/[-.]/g, '_'))) uriCredential(v, `field ${JSON.stringify(k)}`, add);
  }
}

/** A text access line (nginx combined, Traefik CLF...): the request and any logged header. */
function scanTextLine(text: string, add: Add): void {
  if (AUTH_TEXT.test(text)) add('auth-header', 'the line holds Bearer or Basic credentials');
  const request = /"(?:[A-Z]+) ([^" ]+)/.exec(text);
  if (request) uriCredential(request[1]!, 'the request', add);
  if (hasEmail(text)) add('personal-email', 'the line holds an e-mail address');
}

/**
 * The examiner's rendering of a withheld JSON entry, for readability only (docs/excerpt-format.md §5):
 * the entry re-serialised with every body, credential-bearing URI and e-mail user name a rule matched
 * replaced by "[withheld: RULE]". It is not the entry and hashes to nothing in the log. Null when the
 * entry is not a JSON object, or when a rule matched text the rendering cannot mask (a token anywhere).
 */
export function redactedView(entry: Uint8Array, findings: readonly SensitiveFinding[]): string | null {
  let text: string;
  try {
    text = strictUtf8.decode(entry);
  } catch {
    return null;
  }
  const value = parseObject(text);
  if (!value || !isAuditEvent(value)) return null;
  const rules = new Set(findings.map((f) => f.rule));
  const masked: Record<string, unknown> = { ...value };
  const mark = (rule: string) => `[withheld: ${rule}]`;
  const bodyRule = findings.find((f) => f.rule !== 'credential-in-uri' && f.rule !== 'personal-email' && f.rule !== 'auth-header')?.rule;
  for (const k of ['requestObject', 'responseObject'] as const) {
    if (masked[k] === undefined || masked[k] === null) continue;
    if (bodyRule || (rules.has('personal-email') && hasEmail(JSON.stringify(masked[k])))) masked[k] = mark(bodyRule ?? 'personal-email');
  }
  if (rules.has('credential-in-uri') && typeof masked.requestURI === 'string') {
    const q = masked.requestURI.indexOf('?');
    masked.requestURI = `${q < 0 ? '' : masked.requestURI.slice(0, q + 1)}${mark('credential-in-uri')}`;
  }
  for (const k of ['user', 'impersonatedUser'] as const) {
    const u = masked[k];
    if (isObject(u) && typeof u.username === 'string' && hasEmail(u.username)) masked[k] = { ...u, username: mark('personal-email') };
  }
  const out = JSON.stringify(masked);
  // A rule this rendering cannot mask field by field (a token in an annotation, say) leaves it unmasked: then show nothing.
  const recheck = detectSensitive(new TextEncoder().encode(out));
  return recheck.length === 0 ? `${out}\n` : null;
}

/** The rules an entry matched as one integer (bit i: SENSITIVE_RULES[i]), as the case database stores them; 0 for none. */
export function sensitiveMask(findings: readonly SensitiveFinding[]): number {
  let mask = 0;
  for (const f of findings) mask |= 1 << SENSITIVE_RULES.findIndex((r) => r.rule === f.rule);
  return mask;
}

/** The rule names of a stored mask, in table order. */
export function sensitiveRules(mask: number): SensitiveRule[] {
  return SENSITIVE_RULES.filter((_r, i) => (mask & (1 << i)) !== 0).map((r) => r.rule);
}
