// Embedded PAdES signature (ETSI.CAdES.detached) with Ed25519 per ISO 32002: placeholder, examiner certificate, CMS signing and verification.
import crypto from 'node:crypto';
import { nodeEd25519 } from '../crypto.node.ts';

// ─── DER encoding ────────────────────────────────────────────────────────────────────────────
// A few dozen lines of DER instead of a general ASN.1 library: the signer emits a fixed shape, and
// owning the encoder keeps SET OF sorting and DEFAULT omission (what makes DER canonical) visible.

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  emailAddress: '1.2.840.113549.1.9.1',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha512: '2.16.840.1.101.3.4.2.3',
  ed25519: '1.3.101.112',
  commonName: '2.5.4.3',
  title: '2.5.4.12',
  organisation: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([Uint8Array.of(tag), derLength(body.length), body]);
}

const seq = (...c: Uint8Array[]): Uint8Array => tlv(0x30, ...c);

/** X.690 §11.6: SET OF elements in ascending order of their encodings, the shorter padded with zeros. */
function derSetOrder(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function sortedSetContent(elements: readonly Uint8Array[]): Uint8Array[] {
  return [...elements].sort(derSetOrder);
}

const setOf = (...c: Uint8Array[]): Uint8Array => tlv(0x31, ...sortedSetContent(c));

function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((s) => BigInt(s));
  const first = arcs[0]! * 40n + arcs[1]!;
  const out: number[] = [];
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk: number[] = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) chunk.unshift(Number(v & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** A non-negative INTEGER from big-endian magnitude bytes, minimally encoded. */
function uint(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return tlv(0x02, m[0]! & 0x80 ? concat([Uint8Array.of(0), m]) : m);
}

const smallInt = (n: number): Uint8Array => uint(Uint8Array.of(n));
const octets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
const bitString = (b: Uint8Array, unusedBits = 0): Uint8Array => tlv(0x03, Uint8Array.of(unusedBits), b);
const utf8String = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));
const bool = (v: boolean): Uint8Array => tlv(0x01, Uint8Array.of(v ? 0xff : 0));
/** AlgorithmIdentifier with absent parameters, as RFC 8410 (Ed25519) and RFC 5754 (SHA-2) want. */
const algorithm = (id: string): Uint8Array => seq(oid(id));

function ia5String(s: string): Uint8Array {
  if (!/^[\x20-\x7e]*$/.test(s)) throw new RangeError(`not printable ASCII: ${JSON.stringify(s)}`);
  return tlv(0x16, new TextEncoder().encode(s));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050; whole seconds, Z. */
function derTime(d: Date): Uint8Array {
  if (Number.isNaN(d.getTime())) throw new RangeError('invalid date');
  const iso = d.toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
  const year = d.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(0x17, new TextEncoder().encode(digits.slice(2)));
  return tlv(0x18, new TextEncoder().encode(digits));
}

// ─── DER decoding ────────────────────────────────────────────────────────────────────────────

export class DerError extends Error {
  override name = 'DerError';
}

interface Node {
  tag: number;
  /** The whole TLV. */
  der: Uint8Array;
  content: Uint8Array;
}

function readNode(buf: Uint8Array, at: number): Node {
  if (at + 2 > buf.length) throw new DerError('truncated DER');
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not used here');
  let n = buf[at + 1]!;
  let header = 2;
  if (n & 0x80) {
    const count = n & 0x7f;
    if (count === 0) throw new DerError('indefinite length is not DER');
    if (count > 4) throw new DerError('DER length too large');
    if (at + 2 + count > buf.length) throw new DerError('truncated DER length');
    n = 0;
    for (let i = 0; i < count; i++) n = n * 256 + buf[at + 2 + i]!;
    if (n < 0x80 || buf[at + 2] === 0) throw new DerError('non-minimal DER length');
    header += count;
  }
  const end = at + header + n;
  if (end > buf.length) throw new DerError('DER value runs past its container');
  return { tag, der: buf.subarray(at, end), content: buf.subarray(at + header, end) };
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (let at = 0; at < node.content.length; ) {
    const child = readNode(node.content, at);
    out.push(child);
    at += child.der.length;
  }
  return out;
}

function expect(node: Node | undefined, tag: number, what: string): Node {
  if (!node) throw new DerError(`${what} is missing`);
  if (node.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${node.tag.toString(16)}`);
  return node;
}

function decodeOid(node: Node): string {
  const c = expect(node, 0x06, 'OBJECT IDENTIFIER').content;
  const arcs: bigint[] = [];
  let v = 0n;
  for (const byte of c) {
    v = (v << 7n) | BigInt(byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(v);
      v = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const head = first < 80n ? [first / 40n, first % 40n] : [2n, first - 80n];
  return [...head, ...arcs].join('.');
}

function decodeTime(node: Node): Date {
  const s = new TextDecoder().decode(node.content);
  let m: RegExpExecArray | null;
  if (node.tag === 0x17 && (m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) {
    const yy = Number(m[1]);
    return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  if (node.tag === 0x18 && (m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(s))) {
    return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
  }
  throw new DerError(`unsupported time ${JSON.stringify(s)}`);
}

const sha = (alg: 'sha256' | 'sha512', data: Uint8Array): Uint8Array => new Uint8Array(crypto.hash(alg, data, 'buffer'));
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** The same DER primitives for the RFC 3161 time-stamp client and checker (timestamp.node.ts): one DER codec in the project. */
export const der = { concat, tlv, seq, oid, uint, octets, bool, algorithm, readNode, children, expect, decodeOid, bytesEqual } as const;
export type DerNode = Node;

// ─── Examiner certificate ────────────────────────────────────────────────────────────────────

export interface ExaminerCertificateOptions {
  /** The examiner's 32-byte Ed25519 seed: the certificate is self-signed with it. */
  seed: Uint8Array;
  commonName: string;
  email?: string;
  organisation?: string;
  /** The examiner's role, as X.520 title. */
  title?: string;
  notBefore: Date;
  notAfter: Date;
  /** Defaults to 16 bytes derived from the key and notBefore, so the same inputs give the same certificate. */
  serialNumber?: Uint8Array;
}

function examinerName(o: ExaminerCertificateOptions): Uint8Array {
  const rdn = (type: string, value: Uint8Array): Uint8Array => setOf(seq(oid(type), value));
  const rdns = [rdn(OID.commonName, utf8String(o.commonName))];
  if (o.title) rdns.push(rdn(OID.title, utf8String(o.title)));
  if (o.organisation) rdns.push(rdn(OID.organisation, utf8String(o.organisation)));
  // RFC 5280 prefers the address in subjectAltName (also written below); emailAddress in the DN is
  // what PDF viewers show next to the name.
  if (o.email) rdns.push(rdn(OID.emailAddress, ia5String(o.email)));
  return seq(...rdns);
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

/**
 * A self-signed X.509 v3 certificate (RFC 5280, RFC 8410) for the examiner's Ed25519 key. It binds
 * a name to the key inside the CMS; trust in it comes from the fingerprint published out of band,
 * not from any CA.
 */
export function makeExaminerCertificate(o: ExaminerCertificateOptions): Uint8Array {
  if (o.notAfter.getTime() <= o.notBefore.getTime()) throw new RangeError('notAfter must be after notBefore');
  const publicKey = nodeEd25519.publicKeyFromSeed(o.seed);
  // RFC 7093 §2 method 1: the leftmost 160 bits of SHA-256 of the subjectPublicKey bits.
  const keyId = sha('sha256', publicKey).subarray(0, 20);
  let serial = o.serialNumber ?? sha('sha256', concat([publicKey, new TextEncoder().encode(o.notBefore.toISOString())])).slice(0, 16);
  if (serial.length === 0 || serial.length > 20) throw new RangeError('serial number must be 1..20 bytes');
  serial = Uint8Array.from(serial);
  serial[0] = serial[0]! & 0x7f; // positive, and at most 20 octets once encoded
  if (serial.every((b) => b === 0)) serial[serial.length - 1] = 1;
  const name = examinerName(o);
  const extensions = [
    extension(OID.basicConstraints, true, seq()),
    // digitalSignature (bit 0) and nonRepudiation/contentCommitment (bit 1): 0b11 then 6 unused bits.
    extension(OID.keyUsage, true, bitString(Uint8Array.of(0xc0), 6)),
    extension(OID.subjectKeyIdentifier, false, octets(keyId)),
    extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, keyId))),
  ];
  if (o.email) extensions.push(extension(OID.subjectAltName, false, seq(tlv(0x81, new TextEncoder().encode(o.email)))));
  const tbs = seq(
    tlv(0xa0, smallInt(2)),
    uint(serial),
    algorithm(OID.ed25519),
    name,
    seq(derTime(o.notBefore), derTime(o.notAfter)),
    name,
    seq(algorithm(OID.ed25519), bitString(publicKey)),
    tlv(0xa3, seq(...extensions)),
  );
  const signature = nodeEd25519.sign(o.seed, tbs);
  return seq(tbs, algorithm(OID.ed25519), bitString(signature));
}

export interface ParsedCertificate {
  der: Uint8Array;
  tbs: Uint8Array;
  serial: Node;
  issuer: Node;
  subject: { commonName: string | null; email: string | null };
  notBefore: Date;
  notAfter: Date;
  publicKeyAlgorithm: string;
  publicKey: Uint8Array;
  signatureAlgorithm: string;
  signature: Uint8Array;
}

function nameAttributes(name: Node): Map<string, string> {
  const out = new Map<string, string>();
  for (const rdn of children(expect(name, 0x30, 'Name'))) {
    for (const atv of children(expect(rdn, 0x31, 'RelativeDistinguishedName'))) {
      const [type, value] = children(expect(atv, 0x30, 'AttributeTypeAndValue'));
      if (type && value) out.set(decodeOid(type), new TextDecoder().decode(value.content));
    }
  }
  return out;
}

function bitStringBytes(node: Node, what: string): Uint8Array {
  const c = expect(node, 0x03, what).content;
  if (c[0] !== 0) throw new DerError(`${what} has unused bits`);
  return c.subarray(1);
}

export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const cert = readNode(der, 0);
  if (cert.der.length !== der.length) throw new DerError('trailing bytes after the certificate');
  const [tbsNode, sigAlg, sigValue] = children(expect(cert, 0x30, 'Certificate'));
  const tbs = expect(tbsNode, 0x30, 'TBSCertificate');
  const fields = children(tbs);
  if (fields[0]?.tag === 0xa0) fields.shift();
  const [serial, , issuer, validity, subject, spki] = fields;
  const [notBefore, notAfter] = children(expect(validity, 0x30, 'Validity'));
  const [spkiAlg, spkiKey] = children(expect(spki, 0x30, 'SubjectPublicKeyInfo'));
  const attrs = nameAttributes(expect(subject, 0x30, 'subject'));
  return {
    der: cert.der,
    tbs: tbs.der,
    serial: expect(serial, 0x02, 'serialNumber'),
    issuer: expect(issuer, 0x30, 'issuer'),
    subject: { commonName: attrs.get(OID.commonName) ?? null, email: attrs.get(OID.emailAddress) ?? null },
    notBefore: decodeTime(expect(notBefore, notBefore?.tag === 0x18 ? 0x18 : 0x17, 'notBefore')),
    notAfter: decodeTime(expect(notAfter, notAfter?.tag === 0x18 ? 0x18 : 0x17, 'notAfter')),
    publicKeyAlgorithm: decodeOid(children(expect(spkiAlg, 0x30, 'algorithm'))[0]!),
    publicKey: bitStringBytes(expect(spkiKey, 0x03, 'subjectPublicKey'), 'subjectPublicKey'),
    signatureAlgorithm: decodeOid(children(expect(sigAlg, 0x30, 'signatureAlgorithm'))[0]!),
    signature: bitStringBytes(expect(sigValue, 0x03, 'signatureValue'), 'signatureValue'),
  };
}

// ─── The placeholder written into the unsigned PDF ───────────────────────────────────────────

/** Bytes reserved for the CMS; room for an RFC 3161 timestamp token added later as an unsigned attribute. */
export const DEFAULT_CONTENTS_BYTES = 8192;

/** A syntactically valid ByteRange whose numbers the signer overwrites in place, same width. */
export const BYTE_RANGE_PLACEHOLDER = '[0 9999999999 9999999999 9999999999]';

/** ISO 32002 declared in the catalog (pyHanko writes the same): EdDSA in PDF 2.0 signatures. */
export const ISO_32002_EXTENSION = {
  Type: 'DeveloperExtensions',
  BaseVersion: '2.0',
  ExtensionLevel: 32002,
  ExtensionRevision: new String(':2022'),
  URL: new String('https://www.iso.org/standard/45875.html'),
};

/** A value pdfkit writes verbatim: its serializer falls back to String(x) for tagged non-plain objects. */
class RawPdf {
  constructor(private readonly text: string) {}
  get [Symbol.toStringTag](): string {
    return 'RawPdf';
  }
  toString(): string {
    return this.text;
  }
}

interface PdfKitRef {
  data: Record<string, unknown>;
  end(chunk?: Uint8Array): void;
}

/** The parts of a pdfkit document the placeholder needs, beyond its public typings. */
interface PdfKitInternals {
  ref(data: object): PdfKitRef;
  page: { dictionary: PdfKitRef; annotations: PdfKitRef[] };
  _root: PdfKitRef;
  endAcroForm: () => unknown;
}

export interface SignatureFieldOptions {
  /** Stated in /M and, by default, in the CMS signingTime attribute. */
  signingTime: Date;
  signerName: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  fieldName?: string;
  contentsBytes?: number;
  /** Prop_Build App name and version, so a validator can name the software that signed. */
  app?: { name: string; version: string };
}

/**
 * Adds an invisible signature field on the current page with a /Sig dictionary whose /ByteRange
 * and /Contents are placeholders of fixed width, and declares ISO 32002 in the catalog. Call it
 * on a pdfkit document before end(); `signPdf` fills the placeholders in the finished bytes.
 */
export function addSignaturePlaceholder(document: object, o: SignatureFieldOptions): void {
  const doc = document as PdfKitInternals;
  const sigData: Record<string, unknown> = {
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: 'ETSI.CAdES.detached',
    ByteRange: new RawPdf(BYTE_RANGE_PLACEHOLDER),
    Contents: new Uint8Array(o.contentsBytes ?? DEFAULT_CONTENTS_BYTES),
    M: o.signingTime,
    Name: new String(o.signerName),
  };
  if (o.reason) sigData.Reason = new String(o.reason);
  if (o.location) sigData.Location = new String(o.location);
  if (o.contactInfo) sigData.ContactInfo = new String(o.contactInfo);
  if (o.app) sigData.Prop_Build = { App: { Name: o.app.name.replace(/[^A-Za-z0-9._-]/g, '_'), REx: new String(o.app.version) } };
  const sig = doc.ref(sigData);
  sig.end();
  const page = doc.page;
  // A zero-size widget is invisible and needs no appearance stream (ISO 32000-2 §12.5.5); 132 =
  // Print (4) + Locked (128), so viewers neither hide nor move it.
  const field = doc.ref({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: new String(o.fieldName ?? 'ExaminerSignature'),
    V: sig,
    F: 132,
    Rect: [0, 0, 0, 0],
    P: page.dictionary,
  });
  field.end();
  page.annotations.push(field);
  // SigFlags 3: the document has signatures and must only be appended to. pdfkit's own form code
  // would add appearance defaults (NeedAppearances invites viewers to rewrite the signed file), so
  // this document ends the form itself; pdfkit calls endAcroForm once, after writing the catalog.
  const form = doc.ref({ Fields: [field], SigFlags: 3 });
  doc._root.data.AcroForm = form;
  doc.endAcroForm = () => {
    form.end();
    return doc;
  };
  doc._root.data.Extensions = { ISO_: [ISO_32002_EXTENSION] };
}

// ─── Signing ─────────────────────────────────────────────────────────────────────────────────

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');

interface Placeholder {
  byteRangeAt: number;
  byteRangeWidth: number;
  contentsStart: number;
  /** Just past the closing '>'. */
  contentsEnd: number;
  objStart: number;
  objEnd: number;
}

function findAll(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) out.push(i);
  return out;
}

// The indirect object around `at`: the last "N G obj" before it and the first "endobj" after. The
// signature dictionary's strings (Name, Reason) come after /Contents, so they cannot fake either.
function enclosingObject(text: string, at: number): { start: number; end: number } {
  const windowStart = Math.max(0, at - 65536);
  let start = -1;
  for (const m of text.slice(windowStart, at).matchAll(/\d+\s+\d+\s+obj\b/g)) start = windowStart + m.index;
  const end = text.indexOf('endobj', at);
  if (start < 0 || end < 0) throw new Error('signature dictionary is not inside an indirect object');
  return { start, end };
}

function findPlaceholder(text: string): Placeholder {
  const hits = findAll(text, `/ByteRange ${BYTE_RANGE_PLACEHOLDER}`);
  if (hits.length !== 1) throw new Error(`expected one signature placeholder, found ${hits.length}`);
  const byteRangeAt = hits[0]! + '/ByteRange '.length;
  const obj = enclosingObject(text, byteRangeAt);
  const m = /\/Contents\s*<([0-9A-Fa-f]*)>/.exec(text.slice(obj.start, obj.end));
  if (!m) throw new Error('no /Contents placeholder in the signature dictionary');
  const contentsStart = obj.start + m.index + m[0].indexOf('<');
  return {
    byteRangeAt,
    byteRangeWidth: BYTE_RANGE_PLACEHOLDER.length,
    contentsStart,
    contentsEnd: contentsStart + m[1]!.length + 2,
    objStart: obj.start,
    objEnd: obj.end,
  };
}

/** D:YYYYMMDDHHmmSS followed by Z or an offset (ISO 32000-2 §7.9.4); null if absent or not a date. */
function pdfDate(text: string | undefined): Date | null {
  if (!text) return null;
  const m = /^D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(Z|([+-])(\d\d)'?(\d\d)'?)?/.exec(text);
  if (!m) return null;
  let t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  if (m[8]) t -= (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10])) * 60_000;
  return new Date(t);
}

function signatureDictDate(text: string, objStart: number, objEnd: number): Date | null {
  const m = /\/M\s*\((D:[^)]*)\)/.exec(text.slice(objStart, objEnd));
  return pdfDate(m?.[1]);
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return seq(oid(type), setOf(value));
}

export interface SignOptions {
  /**
   * Include the CMS signingTime attribute (default false). PAdES BASELINE (ETSI EN 319 142-1)
   * forbids it and wants the time in /M only, so reports are B-B signatures; true is for tests of older readers.
   */
  signingTimeAttribute?: boolean;
}

/**
 * Fills the placeholder of `addSignaturePlaceholder`: ByteRange over the whole file but the
 * Contents hex string, and a detached CMS SignedData (RFC 5652, RFC 8419) signed with Ed25519 over
 * DER-sorted signed attributes. The time signed is the dictionary's /M, so the two agree.
 */
export function signPdf(pdf: Uint8Array, seed: Uint8Array, certificateDer: Uint8Array, options: SignOptions = {}): Uint8Array {
  const cert = parseCertificate(certificateDer);
  if (cert.publicKeyAlgorithm !== OID.ed25519) throw new Error('the certificate is not for an Ed25519 key');
  if (!bytesEqual(cert.publicKey, nodeEd25519.publicKeyFromSeed(seed))) throw new Error('the certificate is for another key than the seed');
  const out = Uint8Array.from(pdf);
  const text = latin1(out);
  const p = findPlaceholder(text);
  const byteRange = [0, p.contentsStart, p.contentsEnd, out.length - p.contentsEnd];
  const written = `[${byteRange.join(' ')}]`;
  if (written.length > p.byteRangeWidth) throw new Error('file too large for the ByteRange placeholder');
  out.set(new TextEncoder().encode(written.slice(0, -1).padEnd(p.byteRangeWidth - 1, ' ') + ']'), p.byteRangeAt);

  const digest = crypto.createHash('sha512').update(out.subarray(0, p.contentsStart)).update(out.subarray(p.contentsEnd)).digest();
  const signingTime = signatureDictDate(text, p.objStart, p.objEnd) ?? new Date();
  signingTime.setUTCMilliseconds(0);
  // Validators reject a signature made outside its certificate's validity; better not to make one.
  if (signingTime < cert.notBefore || signingTime > cert.notAfter) {
    throw new Error(`signing time ${signingTime.toISOString()} is outside the certificate's validity (${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`);
  }

  const essCertId = seq(
    // ESSCertIDv2.hashAlgorithm is DEFAULT id-sha256, so DER must state SHA-512 and must omit SHA-256.
    algorithm(OID.sha512),
    octets(sha('sha512', cert.der)),
    seq(seq(tlv(0xa4, cert.issuer.der)), cert.serial.der),
  );
  const attributes = [
    attribute(OID.contentType, oid(OID.data)),
    attribute(OID.messageDigest, octets(new Uint8Array(digest))),
    attribute(OID.signingCertificateV2, seq(seq(essCertId))),
  ];
  if (options.signingTimeAttribute === true) attributes.push(attribute(OID.signingTime, derTime(signingTime)));
  const sorted = sortedSetContent(attributes);
  // RFC 5652 §5.4: the signature covers the attributes as an explicit SET OF, not the [0] IMPLICIT form.
  const signature = nodeEd25519.sign(seed, tlv(0x31, ...sorted));

  const signerInfo = seq(
    smallInt(1),
    seq(cert.issuer.der, cert.serial.der),
    algorithm(OID.sha512),
    tlv(0xa0, ...sorted),
    algorithm(OID.ed25519),
    octets(signature),
  );
  const signedData = seq(smallInt(1), setOf(algorithm(OID.sha512)), seq(oid(OID.data)), tlv(0xa0, cert.der), setOf(signerInfo));
  const cms = seq(oid(OID.signedData), tlv(0xa0, signedData));

  const room = (p.contentsEnd - p.contentsStart - 2) / 2;
  if (cms.length > room) throw new Error(`CMS is ${cms.length} bytes, the placeholder holds ${room}`);
  out.set(new TextEncoder().encode(toHex(cms).padEnd(room * 2, '0')), p.contentsStart + 1);
  return out;
}

// ─── Verification ────────────────────────────────────────────────────────────────────────────

export interface PdfSignatureInfo {
  byteRange: [number, number, number, number];
  /** The CMS DER, without the zero padding of the Contents string. */
  cms: Uint8Array;
  /** The bytes the signature covers: both ranges, concatenated. */
  signedContent: Uint8Array;
  /** /M of the signature dictionary. */
  claimedTime: Date | null;
}

export interface PdfSignatureVerification {
  ok: boolean;
  /** Why it failed, or what was checked when it passed. */
  reason: string;
  signer: { commonName: string | null; email: string | null; publicKey: string; certificateSha256: string } | null;
  signingTime: Date | null;
  byteRangeCoversWholeFile: boolean;
}

/**
 * Finds the one signature dictionary and reads its ByteRange and Contents. The gap between the
 * ranges must be exactly that dictionary's /Contents hex string, so a ByteRange cannot point the
 * verifier at other bytes than the signature's own.
 */
export function extractPdfSignature(pdf: Uint8Array): PdfSignatureInfo {
  const text = latin1(pdf);
  const hits = findAll(text, '/ByteRange');
  if (hits.length !== 1) throw new Error(hits.length === 0 ? 'the PDF has no signature (no /ByteRange)' : `expected one signature, found ${hits.length} /ByteRange entries`);
  const at = hits[0]!;
  const m = /^\/ByteRange\s*\[\s*(\d{1,10})\s+(\d{1,10})\s+(\d{1,10})\s+(\d{1,10})\s*\]/.exec(text.slice(at, at + 80));
  if (!m) throw new Error('malformed /ByteRange');
  const byteRange = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])] as [number, number, number, number];
  const [a, b, c, d] = byteRange;
  if (a !== 0 || b <= 0 || c <= b || c + d > pdf.length) throw new Error(`ByteRange [${byteRange.join(' ')}] is not two ranges inside the file`);
  const obj = enclosingObject(text, at);
  if (b < obj.start || c > obj.end) throw new Error('the ByteRange gap is not inside the signature dictionary');
  if (!/\/Contents\s*$/.test(text.slice(obj.start, b))) throw new Error('the ByteRange gap does not start at the signature dictionary\u2019s /Contents');
  const hex = text.slice(b, c);
  if (!/^<[0-9A-Fa-f]*>$/.test(hex) || hex.length % 2 !== 0) throw new Error('the ByteRange gap is not exactly the /Contents hex string');
  const raw = new Uint8Array(Buffer.from(hex.slice(1, -1), 'hex'));
  const cms = readNode(raw, 0).der;
  if (!raw.subarray(cms.length).every((x) => x === 0)) throw new Error('non-zero bytes after the CMS in /Contents');
  const signedContent = concat([pdf.subarray(0, b), pdf.subarray(c, c + d)]);
  return { byteRange, cms, signedContent, claimedTime: signatureDictDate(text, obj.start, obj.end) };
}

interface ParsedSignerInfo {
  certificate: ParsedCertificate;
  signedAttrs: Uint8Array;
  attributes: Map<string, Node[]>;
  signature: Uint8Array;
}

function parseCms(cms: Uint8Array): ParsedSignerInfo {
  const [type, wrapped] = children(expect(readNode(cms, 0), 0x30, 'ContentInfo'));
  if (decodeOid(expect(type, 0x06, 'contentType')) !== OID.signedData) throw new DerError('not a CMS SignedData');
  const [sd] = children(expect(wrapped, 0xa0, 'content'));
  const fields = children(expect(sd, 0x30, 'SignedData'));
  const [, digestAlgorithms, encap] = fields;
  const digestOids = children(expect(digestAlgorithms, 0x31, 'digestAlgorithms')).map((n) => decodeOid(children(n)[0]!));
  if (!digestOids.includes(OID.sha512)) throw new DerError('SHA-512 is not among the digest algorithms');
  const encapFields = children(expect(encap, 0x30, 'encapContentInfo'));
  if (decodeOid(encapFields[0]!) !== OID.data) throw new DerError('encapsulated content type is not id-data');
  if (encapFields.length > 1) throw new DerError('the CMS is not detached (it carries content)');
  const certs = fields.filter((f) => f.tag === 0xa0).flatMap((f) => children(f));
  const signerInfos = children(expect(fields[fields.length - 1], 0x31, 'signerInfos'));
  if (signerInfos.length !== 1) throw new DerError(`expected one SignerInfo, found ${signerInfos.length}`);
  const si = children(expect(signerInfos[0], 0x30, 'SignerInfo'));
  const [, sid, digestAlg, signedAttrsNode, sigAlg, sigValue] = si;
  if (decodeOid(children(expect(digestAlg, 0x30, 'digestAlgorithm'))[0]!) !== OID.sha512) throw new DerError('the signer\u2019s digest algorithm is not SHA-512 (RFC 8419 requires it with Ed25519)');
  if (decodeOid(children(expect(sigAlg, 0x30, 'signatureAlgorithm'))[0]!) !== OID.ed25519) throw new DerError('the signature algorithm is not id-Ed25519');
  const attrsNode = expect(signedAttrsNode, 0xa0, 'signedAttrs');
  const [sidIssuer, sidSerial] = children(expect(sid, 0x30, 'IssuerAndSerialNumber'));
  const certificate = certs
    .map((n) => parseCertificate(n.der))
    .find((c) => bytesEqual(c.issuer.der, sidIssuer!.der) && bytesEqual(c.serial.der, sidSerial!.der));
  if (!certificate) throw new DerError('the signer\u2019s certificate is not in the CMS');
  const attributes = new Map<string, Node[]>();
  const elements = children(attrsNode);
  for (let i = 0; i < elements.length; i++) {
    if (i > 0 && derSetOrder(elements[i - 1]!.der, elements[i]!.der) > 0) throw new DerError('signed attributes are not in DER (SET OF) order');
    const [t, values] = children(expect(elements[i], 0x30, 'Attribute'));
    const key = decodeOid(t!);
    if (attributes.has(key)) throw new DerError(`signed attribute ${key} appears twice`);
    attributes.set(key, children(expect(values, 0x31, 'attrValues')));
  }
  // Re-tag [0] IMPLICIT as SET OF: the bytes signed (RFC 5652 §5.4).
  const signedAttrs = Uint8Array.from(attrsNode.der);
  signedAttrs[0] = 0x31;
  return { certificate, signedAttrs, attributes, signature: expect(sigValue, 0x04, 'signature').content };
}

function fail(reason: string, partial: Partial<PdfSignatureVerification> = {}): PdfSignatureVerification {
  return { ok: false, reason, signer: null, signingTime: null, byteRangeCoversWholeFile: false, ...partial };
}

/**
 * Checks the embedded signature: ByteRange covers the whole file but /Contents, messageDigest is
 * SHA-512 of those bytes, the Ed25519 signature over the signed attributes verifies with the
 * certificate's key, the certificate is intact, and (when given) that key is the expected one.
 * Trust in the certificate itself comes only from `expectedPublicKey`.
 */
export function verifyPdfSignature(pdf: Uint8Array, expectedPublicKey?: Uint8Array): PdfSignatureVerification {
  let info: PdfSignatureInfo;
  try {
    info = extractPdfSignature(pdf);
  } catch (e) {
    return fail(`signature not found or malformed: ${(e as Error).message}`);
  }
  const [, , c, d] = info.byteRange;
  const byteRangeCoversWholeFile = c + d === pdf.length;
  let parsed: ParsedSignerInfo;
  try {
    parsed = parseCms(info.cms);
  } catch (e) {
    return fail(`CMS signature is malformed: ${(e as Error).message}`, { byteRangeCoversWholeFile });
  }
  const cert = parsed.certificate;
  const signer = {
    commonName: cert.subject.commonName,
    email: cert.subject.email,
    publicKey: toHex(cert.publicKey),
    certificateSha256: toHex(sha('sha256', cert.der)),
  };
  let signingTime = info.claimedTime;
  const timeAttr = parsed.attributes.get(OID.signingTime)?.[0];
  try {
    if (timeAttr) signingTime = decodeTime(timeAttr);
  } catch (e) {
    return fail(`signingTime attribute is malformed: ${(e as Error).message}`, { signer, byteRangeCoversWholeFile });
  }
  const base = { signer, signingTime, byteRangeCoversWholeFile };
  if (!byteRangeCoversWholeFile) {
    return fail(`the signature covers ${c + d} of ${pdf.length} bytes: the file was changed or appended to after signing`, base);
  }
  const contentType = parsed.attributes.get(OID.contentType)?.[0];
  if (!contentType || decodeOid(contentType) !== OID.data) return fail('the contentType signed attribute is missing or not id-data', base);
  const digestAttr = parsed.attributes.get(OID.messageDigest)?.[0];
  if (!digestAttr || digestAttr.tag !== 0x04) return fail('the messageDigest signed attribute is missing', base);
  const digest = sha('sha512', info.signedContent);
  if (!bytesEqual(digestAttr.content, digest)) {
    return fail('the document bytes do not match the signed messageDigest (SHA-512): the PDF was modified after signing', base);
  }
  const essAttr = parsed.attributes.get(OID.signingCertificateV2)?.[0];
  if (essAttr) {
    try {
      const [certs] = children(expect(essAttr, 0x30, 'SigningCertificateV2'));
      const [first] = children(expect(certs, 0x30, 'certs'));
      const parts = children(expect(first, 0x30, 'ESSCertIDv2'));
      const alg = parts[0]?.tag === 0x30 ? decodeOid(children(parts.shift()!)[0]!) : OID.sha256;
      if (alg !== OID.sha256 && alg !== OID.sha512) return fail(`signing-certificate-v2 uses an unsupported hash ${alg}`, base);
      const want = sha(alg === OID.sha512 ? 'sha512' : 'sha256', cert.der);
      if (!bytesEqual(expect(parts[0], 0x04, 'certHash').content, want)) return fail('signing-certificate-v2 names another certificate than the one that signed', base);
    } catch (e) {
      return fail(`signing-certificate-v2 is malformed: ${(e as Error).message}`, base);
    }
  }
  if (cert.publicKeyAlgorithm !== OID.ed25519 || cert.publicKey.length !== 32) return fail('the signer certificate does not hold an Ed25519 key', base);
  if (!nodeEd25519.verify(cert.publicKey, parsed.signedAttrs, parsed.signature)) {
    return fail('the Ed25519 signature over the signed attributes does not verify', base);
  }
  if (cert.signatureAlgorithm !== OID.ed25519 || !nodeEd25519.verify(cert.publicKey, cert.tbs, cert.signature)) {
    return fail('the examiner certificate is not validly self-signed (it was altered)', base);
  }
  if (signingTime && (signingTime < cert.notBefore || signingTime > cert.notAfter)) {
    return fail(`the signing time ${signingTime.toISOString()} is outside the certificate's validity`, base);
  }
  if (expectedPublicKey && !bytesEqual(cert.publicKey, expectedPublicKey)) {
    return fail(`signed by key ${toHex(cert.publicKey)}, not by the expected examiner key ${toHex(expectedPublicKey)}`, base);
  }
  return {
    ok: true,
    reason: expectedPublicKey
      ? 'the signature covers the whole file, the digest matches and the Ed25519 signature verifies with the expected examiner key'
      : 'the signature covers the whole file, the digest matches and the Ed25519 signature verifies; the signer key was not compared with an expected key',
    ...base,
  };
}
