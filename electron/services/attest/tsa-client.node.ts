// RFC 3161 time-stamp protocol: the request, its HTTP transport (§3.4), the reply's PKIStatus, and every check of the token.
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { der, OID, parseCertificate, type DerNode } from './pades.node.ts';

const { seq, oid, uint, octets, bool, algorithm, readNode, children, expect, decodeOid, bytesEqual } = der;

const TS = {
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  signingCertificate: '1.2.840.113549.1.9.16.2.12',
  extKeyUsage: '2.5.29.37',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  sha1: '1.3.14.3.2.26',
  sha384: '2.16.840.1.101.3.4.2.2',
} as const;

export type TimestampHash = 'sha256' | 'sha512';
type Hash = 'sha1' | 'sha256' | 'sha384' | 'sha512';
const HASH_BY_OID: Record<string, Hash> = { [TS.sha1]: 'sha1', [OID.sha256]: 'sha256', [TS.sha384]: 'sha384', [OID.sha512]: 'sha512' };
const HASH_LABEL: Record<Hash, string> = { sha1: 'SHA-1', sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/** Signature algorithms a TSA signs with, as node:crypto names them; null hash = the SignerInfo's digest algorithm. */
const SIGNATURE_BY_OID: Record<string, { kind: 'rsa' | 'ecdsa' | 'ed25519'; hash: Hash | null }> = {
  '1.2.840.113549.1.1.1': { kind: 'rsa', hash: null },
  '1.2.840.113549.1.1.11': { kind: 'rsa', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { kind: 'rsa', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { kind: 'rsa', hash: 'sha512' },
  '1.2.840.10045.4.3.2': { kind: 'ecdsa', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { kind: 'ecdsa', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { kind: 'ecdsa', hash: 'sha512' },
  [OID.ed25519]: { kind: 'ed25519', hash: null },
};

/**
 * `network`: no RFC 3161 reply came back (connection, timeout, HTTP status, size, not DER);
 * `refused`: the TSA replied with a PKIStatus other than granted; `invalid`: the token fails a check.
 */
export class TsaError extends Error {
  override name = 'TsaError';
  constructor(readonly kind: 'network' | 'refused' | 'invalid', message: string) {
    super(message);
  }
}

const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
const digest = (alg: Hash, data: Uint8Array): Uint8Array => new Uint8Array(crypto.hash(alg, data, 'buffer'));
/** An INTEGER's content as an unsigned big-endian number (negative values never match a nonce we sent). */
const integer = (n: DerNode): bigint => BigInt(`0x${hex(n.content) || '0'}`);

// ─── Request ─────────────────────────────────────────────────────────────────────────────────

export interface TimestampRequest {
  der: Uint8Array;
  nonce: bigint;
}

/** TimeStampReq v1 (RFC 3161 §2.4.1): the imprint, a 64-bit nonce against replayed replies, certReq TRUE so the token carries the TSA certificate. */
export function timestampRequest(hash: TimestampHash, imprint: Uint8Array, nonce: Uint8Array = crypto.randomBytes(8)): TimestampRequest {
  const body = seq(uint(Uint8Array.of(1)), seq(algorithm(OID[hash]), octets(imprint)), uint(nonce), bool(true));
  return { der: body, nonce: BigInt(`0x${hex(nonce)}`) };
}

// ─── Transport ───────────────────────────────────────────────────────────────────────────────

/** A reply is a few kilobytes even with a certificate chain; more is not a TSA talking. */
export const MAX_REPLY_BYTES = 64 * 1024;

/** RFC 3161 §3.4: POST application/timestamp-query, expect application/timestamp-reply. */
export function postTimestampQuery(url: string, query: Uint8Array, timeoutMs = 30_000): Promise<Uint8Array> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.reject(new TsaError('network', `--tsa ${JSON.stringify(url)} is not a URL`));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') return Promise.reject(new TsaError('network', `--tsa ${url}: only http and https time-stamp servers are supported`));
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const fail = (message: string) => reject(new TsaError('network', message));
    const req = client.request(target, {
      method: 'POST',
      headers: { 'Content-Type': 'application/timestamp-query', 'Content-Length': query.length, Accept: 'application/timestamp-reply' },
      timeout: timeoutMs,
    }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        fail(`the TSA at ${url} answered HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd() + ' instead of a time-stamp reply');
        return;
      }
      const declared = Number(res.headers['content-length'] ?? 0);
      if (declared > MAX_REPLY_BYTES) {
        res.destroy();
        fail(`the TSA at ${url} announced a ${declared}-byte reply, more than the ${MAX_REPLY_BYTES} bytes a time-stamp reply can need`);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REPLY_BYTES) {
          res.destroy();
          fail(`the TSA at ${url} sent more than the ${MAX_REPLY_BYTES} bytes a time-stamp reply can need`);
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
      res.on('error', (e) => fail(`the TSA at ${url} broke off its reply (${e.message})`));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (e) => fail(`cannot reach the TSA at ${url} (${(e as NodeJS.ErrnoException).code ?? e.message})`));
    req.end(query);
  });
}

// ─── Reply ───────────────────────────────────────────────────────────────────────────────────

const STATUS = ['granted', 'grantedWithMods', 'rejection', 'waiting', 'revocationWarning', 'revocationNotification'];
const FAIL_INFO: Record<number, string> = {
  0: 'badAlg', 2: 'badRequest', 5: 'badDataFormat', 14: 'timeNotAvailable', 15: 'unacceptedPolicy',
  16: 'unacceptedExtension', 17: 'addInfoNotAvailable', 25: 'systemFailure',
};

/** The TimeStampToken of a TimeStampResp (RFC 3161 §2.4.2); a clear TsaError for any status but granted (0) or grantedWithMods (1). */
export function tokenFromReply(reply: Uint8Array, url: string): Uint8Array {
  let statusInfo: DerNode[];
  let token: DerNode | undefined;
  try {
    const top = readNode(reply, 0);
    if (top.der.length !== reply.length) throw new Error('trailing bytes');
    [statusInfo, token] = ((parts) => [children(expect(parts[0], 0x30, 'PKIStatusInfo')), parts[1]] as const)(children(expect(top, 0x30, 'TimeStampResp')));
  } catch (e) {
    throw new TsaError('network', `the TSA at ${url} did not send an RFC 3161 time-stamp reply (${(e as Error).message})`);
  }
  const status = Number(integer(expect(statusInfo[0], 0x02, 'status')));
  if (status === 0 || status === 1) {
    if (!token) throw new TsaError('invalid', `the TSA at ${url} granted the request but sent no time-stamp token`);
    return token.der;
  }
  const text = statusInfo.find((n) => n.tag === 0x30);
  const words = text ? children(text).map((n) => new TextDecoder().decode(n.content)).join(' ') : '';
  const bits = statusInfo.find((n) => n.tag === 0x03);
  const fails: string[] = [];
  if (bits && bits.content.length > 1) {
    for (let i = 0; i < (bits.content.length - 1) * 8; i++) {
      if (bits.content[1 + (i >> 3)]! & (0x80 >> (i & 7))) fails.push(FAIL_INFO[i] ?? `bit ${i}`);
    }
  }
  throw new TsaError('refused', `the TSA at ${url} refused the time-stamp request with status ${status} (${STATUS[status] ?? 'unknown'})${fails.length ? `, failInfo ${fails.join(', ')}` : ''}${words ? `: ${JSON.stringify(words)}` : ''}`);
}

// ─── Token ───────────────────────────────────────────────────────────────────────────────────

export interface TimestampTokenInfo {
  /** genTime exactly as the TSA stated it, in ISO 8601 UTC (fractional seconds kept). */
  genTime: string;
  policy: string;
  /** The token's serial number, in hex. */
  serialNumber: string;
  hashAlgorithm: string;
  hashedMessage: string;
  nonce: string | null;
  /** The TSA certificate's subject, RFC 4514 order (most specific first). */
  tsa: string;
  tsaCertificateSha256: string;
  /** How the TSA certificate matched a --tsa-cert, or null when none was given. */
  pinned: string | null;
}

export interface VerifyTokenOptions {
  /** The bytes that were time-stamped: the messageImprint must be their hash. */
  data: Uint8Array;
  /** The nonce sent in the request, when checking a fresh reply. */
  nonce?: bigint;
  /** Certificates the examiner trusts for the TSA (the TSA's own or its issuer), DER. */
  trusted?: Uint8Array[];
}

function invalid(message: string): never {
  throw new TsaError('invalid', message);
}

/** GeneralizedTime YYYYMMDDhhmmss[.f+]Z (RFC 3161 §2.4.2) to ISO 8601 without rounding. */
function genTimeIso(node: DerNode): string {
  const s = new TextDecoder().decode(expect(node, 0x18, 'genTime').content);
  const m = /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\.\d*[1-9])?Z$/.exec(s);
  if (!m) invalid(`the token's genTime ${JSON.stringify(s)} is not a DER GeneralizedTime`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ''}Z`;
}

interface Extension {
  critical: boolean;
  value: Uint8Array;
}

function certificateExtensions(certDer: Uint8Array): Map<string, Extension> {
  const tbs = children(children(readNode(certDer, 0))[0]!);
  const out = new Map<string, Extension>();
  const wrapper = tbs.find((n) => n.tag === 0xa3);
  if (!wrapper) return out;
  for (const ext of children(expect(children(wrapper)[0], 0x30, 'Extensions'))) {
    const parts = children(ext);
    const critical = parts[1]?.tag === 0x01 && parts[1].content[0] !== 0;
    out.set(decodeOid(parts[0]!), { critical, value: expect(parts[parts.length - 1], 0x04, 'extnValue').content });
  }
  return out;
}

function subjectName(x509: crypto.X509Certificate): string {
  return x509.subject.split('\n').reverse().join(', ');
}

/**
 * Checks a TimeStampToken (RFC 3161 §2.4.2 on RFC 5652 SignedData): TSTInfo content, messageImprint
 * = hash of `data`, the nonce, signed attributes (contentType, messageDigest, ESS signing
 * certificate naming the TSA certificate), the TSA's signature with the certificate in the token,
 * that certificate's critical timeStamping key purpose and validity at genTime, and the pin. Throws
 * TsaError('invalid') with the first failed check.
 */
export function verifyTimestampToken(token: Uint8Array, o: VerifyTokenOptions): TimestampTokenInfo {
  let info: TimestampTokenInfo;
  try {
    info = checkToken(token, o);
  } catch (e) {
    if (e instanceof TsaError) throw e;
    invalid(`the time-stamp token is malformed: ${(e as Error).message}`);
  }
  return info;
}

function checkToken(token: Uint8Array, o: VerifyTokenOptions): TimestampTokenInfo {
  const top = readNode(token, 0);
  if (top.der.length !== token.length) invalid('the time-stamp token has trailing bytes');
  const [type, wrapped] = children(expect(top, 0x30, 'ContentInfo'));
  if (decodeOid(expect(type, 0x06, 'contentType')) !== OID.signedData) invalid('the time-stamp token is not a CMS SignedData');
  const fields = children(expect(children(expect(wrapped, 0xa0, 'content'))[0], 0x30, 'SignedData'));
  const [encapType, eContentWrapper] = children(expect(fields[2], 0x30, 'encapContentInfo'));
  if (decodeOid(encapType!) !== TS.tstInfo) invalid('the token does not encapsulate a TSTInfo (id-ct-TSTInfo)');
  const tstInfoDer = expect(children(expect(eContentWrapper, 0xa0, 'eContent'))[0], 0x04, 'eContent').content;

  // TSTInfo
  const tst = children(expect(readNode(tstInfoDer, 0), 0x30, 'TSTInfo'));
  if (integer(expect(tst[0], 0x02, 'version')) !== 1n) invalid('the TSTInfo version is not 1');
  const policy = decodeOid(expect(tst[1], 0x06, 'policy'));
  const [imprintAlg, hashed] = children(expect(tst[2], 0x30, 'messageImprint'));
  const imprintHash = HASH_BY_OID[decodeOid(children(expect(imprintAlg, 0x30, 'hashAlgorithm'))[0]!)];
  if (!imprintHash || imprintHash === 'sha1') invalid('the token\u2019s messageImprint uses a hash other than SHA-256, SHA-384 or SHA-512');
  const hashedMessage = expect(hashed, 0x04, 'hashedMessage').content;
  const serialNumber = hex(expect(tst[3], 0x02, 'serialNumber').content);
  const genTime = genTimeIso(tst[4]!);
  const nonceNode = tst.slice(5).find((n) => n.tag === 0x02);
  const nonce = nonceNode ? integer(nonceNode) : null;
  if (!bytesEqual(hashedMessage, digest(imprintHash, o.data))) {
    invalid(`the token's messageImprint is not the ${HASH_LABEL[imprintHash]} of the time-stamped bytes: it time-stamps other data`);
  }
  if (o.nonce !== undefined && nonce !== o.nonce) invalid(`the reply's nonce ${nonce === null ? 'is missing' : `0x${nonce.toString(16)}`} does not match the nonce sent (0x${o.nonce.toString(16)}): not the answer to this request`);

  // SignerInfo and the TSA certificate
  const certificates = fields.filter((f) => f.tag === 0xa0).flatMap((f) => children(f)).filter((n) => n.tag === 0x30);
  const signerInfos = children(expect(fields[fields.length - 1], 0x31, 'signerInfos'));
  if (signerInfos.length !== 1) invalid(`the token has ${signerInfos.length} SignerInfos, RFC 3161 wants exactly one`);
  const si = children(expect(signerInfos[0], 0x30, 'SignerInfo'));
  const [, sid, digestAlgNode, attrsNode, sigAlgNode, sigValue] = si;
  let certDer: Uint8Array | undefined;
  if (sid?.tag === 0x30) {
    const [issuer, serial] = children(sid);
    certDer = certificates.map((c) => c.der).find((c) => {
      const p = parseCertificate(c);
      return bytesEqual(p.issuer.der, issuer!.der) && bytesEqual(p.serial.der, serial!.der);
    });
  } else if (sid?.tag === 0x80) {
    certDer = certificates.map((c) => c.der).find((c) => {
      const ski = certificateExtensions(c).get('2.5.29.14');
      return ski !== undefined && bytesEqual(readNode(ski.value, 0).content, sid.content);
    });
  } else invalid('the SignerInfo has no signer identifier');
  if (!certDer) invalid('the TSA certificate is not in the token (the request asked for it with certReq)');
  const cert = parseCertificate(certDer);
  const x509 = new crypto.X509Certificate(certDer);
  const tsa = subjectName(x509);

  const signerHash = HASH_BY_OID[decodeOid(children(expect(digestAlgNode, 0x30, 'digestAlgorithm'))[0]!)];
  if (!signerHash || signerHash === 'sha1') invalid(`the TSA signed with a digest other than SHA-256, SHA-384 or SHA-512`);
  const attributes = new Map<string, DerNode>();
  for (const a of children(expect(attrsNode, 0xa0, 'signedAttrs'))) {
    const [t, values] = children(expect(a, 0x30, 'Attribute'));
    const key = decodeOid(t!);
    if (attributes.has(key)) invalid(`the signed attribute ${key} appears twice`);
    attributes.set(key, children(expect(values, 0x31, 'attrValues'))[0]!);
  }
  const contentType = attributes.get(OID.contentType);
  if (!contentType || decodeOid(contentType) !== TS.tstInfo) invalid('the signed contentType attribute is missing or not id-ct-TSTInfo');
  const messageDigest = attributes.get(OID.messageDigest);
  if (!messageDigest || !bytesEqual(expect(messageDigest, 0x04, 'messageDigest').content, digest(signerHash, tstInfoDer))) {
    invalid('the signed messageDigest is not the hash of the TSTInfo: the token was altered after the TSA signed it');
  }
  // RFC 3161 §2.4.1 / RFC 5035: the ESS signing certificate binds the signature to this certificate.
  const essV2 = attributes.get(OID.signingCertificateV2);
  const essV1 = attributes.get(TS.signingCertificate);
  if (!essV1 && !essV2) invalid('the token has no ESS signing-certificate attribute naming the TSA certificate');
  const essCerts = children(expect(children(expect(essV2 ?? essV1, 0x30, 'SigningCertificate'))[0], 0x30, 'certs'));
  const essId = children(expect(essCerts[0], 0x30, 'ESSCertID'));
  // ESSCertID (v1) hashes with SHA-1; ESSCertIDv2 states its hash, SHA-256 when omitted as DEFAULT.
  let essHash: Hash | undefined = essV2 ? 'sha256' : 'sha1';
  if (essV2 && essId[0]?.tag === 0x30) essHash = HASH_BY_OID[decodeOid(children(essId.shift()!)[0]!)];
  if (!essHash) invalid('the ESS signing-certificate attribute uses an unsupported hash');
  if (!bytesEqual(expect(essId[0], 0x04, 'certHash').content, digest(essHash, certDer))) invalid('the ESS signing-certificate attribute names another certificate than the TSA certificate in the token');

  const sigAlg = SIGNATURE_BY_OID[decodeOid(children(expect(sigAlgNode, 0x30, 'signatureAlgorithm'))[0]!)];
  if (!sigAlg) invalid('the TSA signature algorithm is not RSA PKCS#1 v1.5, ECDSA or Ed25519');
  const signedAttrs = Uint8Array.from(attrsNode!.der);
  signedAttrs[0] = 0x31; // RFC 5652 §5.4: the signature covers the attributes as an explicit SET OF
  const signature = expect(sigValue, 0x04, 'signature').content;
  const key = sigAlg.kind === 'ecdsa' ? { key: x509.publicKey, dsaEncoding: 'der' as const } : x509.publicKey;
  let verified = false;
  try {
    verified = crypto.verify(sigAlg.kind === 'ed25519' ? null : (sigAlg.hash ?? signerHash), signedAttrs, key, signature);
  } catch {
    verified = false;
  }
  if (!verified) invalid(`the TSA's signature does not verify with the certificate of ${tsa} in the token`);

  const eku = certificateExtensions(certDer).get(TS.extKeyUsage);
  const purposes = eku ? children(readNode(eku.value, 0)).map(decodeOid) : [];
  if (!eku || !eku.critical || purposes.length !== 1 || purposes[0] !== TS.timeStamping) {
    invalid(`the certificate of ${tsa} is not a TSA certificate (RFC 3161 §2.3 wants one critical extended key usage, id-kp-timeStamping)`);
  }
  const at = new Date(genTime.replace(/(\.\d{3})\d*Z$/, '$1Z'));
  if (at < cert.notBefore || at > cert.notAfter) invalid(`genTime ${genTime} is outside the validity of the TSA certificate (${cert.notBefore.toISOString()} to ${cert.notAfter.toISOString()})`);

  let pinned: string | null = null;
  if (o.trusted) {
    for (const t of o.trusted) {
      if (bytesEqual(t, certDer)) pinned = 'the TSA certificate is the one given with --tsa-cert';
      else {
        const issuer = new crypto.X509Certificate(t);
        if (x509.checkIssued(issuer) && x509.verify(issuer.publicKey)) pinned = `the TSA certificate is issued by ${subjectName(issuer)}, given with --tsa-cert`;
      }
      if (pinned) break;
    }
    if (!pinned) invalid(`the TSA ${tsa} is neither the certificate given with --tsa-cert nor issued by it`);
  }
  return {
    genTime, policy, serialNumber, hashAlgorithm: HASH_LABEL[imprintHash], hashedMessage: hex(hashedMessage),
    nonce: nonce === null ? null : `0x${nonce.toString(16)}`, tsa, tsaCertificateSha256: hex(digest('sha256', certDer)), pinned,
  };
}
