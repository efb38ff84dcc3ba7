// DSSE v1 envelopes signed with the examiner's Ed25519 key, carrying an in-toto Statement v1 about verified archives.
import crypto from 'node:crypto';
import { createReadStream } from 'node:fs';
import { concatBytes, decodeUtf8Strict, fromBase64Strict, toBase64, utf8 } from '../../../shared/core/bytes.ts';
import { nodeEd25519 } from '../crypto.node.ts';

/** The payload type DSSE binds into every signature (in-toto attestation framework, envelope layer). */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';

/**
 * predicateType of sealcheck's own predicate: "a sealcheck verification attestation, version 1" — which
 * archive was verified, with which keys and policy, and the verdict. A URI that names the schema and its
 * version (in-toto asks for a TypeURI); it need not resolve. A later incompatible schema gets /v2.
 */
export const SEALCHECK_VERIFICATION_PREDICATE_V1 = 'https://sealcheck.dev/attestation/verification/v1';

export interface DsseSignature {
  /** Unauthenticated hint (DSSE §protocol); never used to decide anything, only echoed back. */
  keyid?: string;
  sig: string;
}

export interface DsseEnvelope {
  payload: string;
  payloadType: string;
  signatures: DsseSignature[];
}

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths in ASCII decimal bytes. */
export function pae(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = utf8(payloadType);
  return concatBytes(utf8(`DSSEv1 ${type.length} `), type, utf8(` ${payload.length} `), payload);
}

/** One-signature envelope; the signature is Ed25519 (RFC 8032) over PAE. */
export function signEnvelope(payload: Uint8Array, payloadType: string, seed: Uint8Array, keyid: string): DsseEnvelope {
  const sig = nodeEd25519.sign(seed, pae(payloadType, payload));
  return { payload: toBase64(payload), payloadType, signatures: [{ keyid, sig: toBase64(sig) }] };
}

/** The envelope with one more signature over the same PAE (a reviewer as second signer). */
export function addEnvelopeSignature(envelope: DsseEnvelope, seed: Uint8Array, keyid: string): DsseEnvelope {
  const payload = decodeDsseBase64(envelope.payload);
  if (!payload) throw new RangeError('payload is not valid base64');
  const sig = nodeEd25519.sign(seed, pae(envelope.payloadType, payload));
  return { ...envelope, signatures: [...envelope.signatures, { keyid, sig: toBase64(sig) }] };
}

/** The envelope as written to REPORT.pdf.dsse.json (or .intoto.jsonl): JSON with a final newline. */
export function serializeEnvelope(envelope: DsseEnvelope): string {
  return `${JSON.stringify(envelope)}\n`;
}

/**
 * DSSE lets signers use standard or URL-safe base64 and verifiers must take both. Padding is optional
 * (URL-safe is usually unpadded); the trailing bits must still be zero, so each value has one spelling
 * per alphabet. Mixing the two alphabets in one value is refused.
 */
export function decodeDsseBase64(text: string): Uint8Array | null {
  if (/[-_]/.test(text) && /[+/]/.test(text)) return null;
  let t = text.replace(/-/g, '+').replace(/_/g, '/');
  if (!t.endsWith('=')) t += '='.repeat((4 - (t.length % 4)) % 4);
  return fromBase64Strict(t);
}

export interface EnvelopeVerification {
  ok: boolean;
  /** Why, in one phrase: 'verified', or what is wrong. */
  reason: string;
  /** The payload bytes, only when ok: unverified bytes are never handed out. */
  payload: Uint8Array | null;
  /** keyid of the signature that verified, as written (unauthenticated). */
  keyid?: string;
}

/**
 * Accepts an envelope (object or JSON text) when at least one signature verifies over PAE with
 * `publicKey` and the payload type is the expected one. keyid is ignored for the decision, per DSSE.
 * Ed25519 verification is the project's strict one (canonical A and R, S < ℓ), as for checkpoints.
 */
export function verifyEnvelope(envelope: unknown, publicKey: Uint8Array, opts: { payloadType?: string } = {}): EnvelopeVerification {
  const no = (reason: string): EnvelopeVerification => ({ ok: false, reason, payload: null });
  let e = envelope;
  if (typeof e === 'string') {
    try {
      e = JSON.parse(e);
    } catch {
      return no('not a DSSE envelope: not JSON');
    }
  }
  if (typeof e !== 'object' || e === null || Array.isArray(e)) return no('not a DSSE envelope: not a JSON object');
  const o = e as Record<string, unknown>;
  if (typeof o.payloadType !== 'string') return no('not a DSSE envelope: payloadType is missing or not a string');
  if (typeof o.payload !== 'string') return no('not a DSSE envelope: payload is missing or not a string');
  if (!Array.isArray(o.signatures)) return no('not a DSSE envelope: signatures is missing or not an array');
  const payload = decodeDsseBase64(o.payload);
  if (!payload) return no('payload is not valid base64');
  const want = opts.payloadType ?? IN_TOTO_PAYLOAD_TYPE;
  if (o.signatures.length === 0) return no('the envelope has no signatures');
  const message = pae(o.payloadType, payload);
  let malformed = 0;
  for (const s of o.signatures as unknown[]) {
    if (typeof s !== 'object' || s === null || typeof (s as DsseSignature).sig !== 'string') {
      malformed++;
      continue;
    }
    const { sig: sigText, keyid } = s as DsseSignature;
    const sig = decodeDsseBase64(sigText);
    if (!sig || sig.length !== 64) {
      malformed++;
      continue;
    }
    if (nodeEd25519.verify(publicKey, message, sig)) {
      // Checked after the signature, as DSSE orders it, but before the payload is handed out.
      if (o.payloadType !== want) return no(`payloadType ${JSON.stringify(o.payloadType)} is not ${JSON.stringify(want)}`);
      return { ok: true, reason: 'verified', payload, ...(typeof keyid === 'string' ? { keyid } : {}) };
    }
  }
  const n = o.signatures.length;
  return no(`no signature verifies with the key (${n} signature${n === 1 ? '' : 's'}${malformed ? `, ${malformed} malformed` : ''})`);
}

// ---------------------------------------------------------------------------------------------
// in-toto Statement v1 (https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md).

export interface StatementSubject {
  name: string;
  digest: { sha256: string; sha512: string };
  /** in-toto ResourceDescriptor annotations: string values under documented keys. */
  annotations?: Record<string, string>;
}

export interface Statement<P = Record<string, unknown>> {
  _type: typeof IN_TOTO_STATEMENT_V1;
  subject: StatementSubject[];
  predicateType: string;
  predicate: P;
}

/** A subject for bytes in memory: both digests, lower-case hex as in-toto's DigestSet wants. */
export function subjectFromBytes(name: string, bytes: Uint8Array): StatementSubject {
  return { name, digest: { sha256: crypto.hash('sha256', bytes, 'hex'), sha512: crypto.hash('sha512', bytes, 'hex') } };
}

/** A subject for a file, streamed: archives are large. */
export async function subjectFromFile(name: string, path: string): Promise<StatementSubject> {
  const a = crypto.createHash('sha256');
  const b = crypto.createHash('sha512');
  for await (const chunk of createReadStream(path)) {
    a.update(chunk as Buffer);
    b.update(chunk as Buffer);
  }
  return { name, digest: { sha256: a.digest('hex'), sha512: b.digest('hex') } };
}

function subjectProblem(s: unknown, i: number): string | null {
  if (typeof s !== 'object' || s === null) return `subject[${i}] is not an object`;
  const { name, digest } = s as Partial<StatementSubject>;
  if (typeof name !== 'string' || name === '') return `subject[${i}].name is missing or empty`;
  if (typeof digest !== 'object' || digest === null) return `subject[${i}].digest is missing`;
  if (typeof digest.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(digest.sha256)) return `subject[${i}].digest.sha256 is not 64 lower-case hex digits`;
  if (typeof digest.sha512 !== 'string' || !/^[0-9a-f]{128}$/.test(digest.sha512)) return `subject[${i}].digest.sha512 is not 128 lower-case hex digits`;
  return null;
}

export function buildStatement<P extends Record<string, unknown>>(subject: StatementSubject[], predicate: P, predicateType: string = SEALCHECK_VERIFICATION_PREDICATE_V1): Statement<P> {
  if (subject.length === 0) throw new RangeError('an in-toto statement needs at least one subject');
  subject.forEach((s, i) => {
    const p = subjectProblem(s, i);
    if (p) throw new RangeError(p);
  });
  if (predicateType === '') throw new RangeError('predicateType must not be empty');
  // Field order as in the in-toto spec, so the payload reads the way the spec shows it.
  return { _type: IN_TOTO_STATEMENT_V1, subject: subject.map((s) => ({ name: s.name, digest: { sha256: s.digest.sha256, sha512: s.digest.sha512 }, ...(s.annotations ? { annotations: s.annotations } : {}) })), predicateType, predicate };
}

/** The serialized statement: the exact bytes that go into the envelope's payload. */
export function statementPayload(statement: Statement<unknown>): Uint8Array {
  return utf8(JSON.stringify(statement));
}

/** Parses a verified payload back into a statement, refusing anything not shaped as Statement v1. */
export function parseStatement(payload: Uint8Array): Statement<unknown> {
  const text = decodeUtf8Strict(payload);
  if (text === null) throw new Error('statement is not valid UTF-8');
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    throw new Error('statement is not JSON');
  }
  if (typeof j !== 'object' || j === null || Array.isArray(j)) throw new Error('statement is not a JSON object');
  const o = j as Record<string, unknown>;
  if (o._type !== IN_TOTO_STATEMENT_V1) throw new Error(`statement _type is not ${IN_TOTO_STATEMENT_V1}`);
  if (!Array.isArray(o.subject) || o.subject.length === 0) throw new Error('statement has no subject');
  o.subject.forEach((s, i) => {
    const p = subjectProblem(s, i);
    if (p) throw new Error(p);
  });
  if (typeof o.predicateType !== 'string' || o.predicateType === '') throw new Error('statement predicateType is missing');
  return o as unknown as Statement<unknown>;
}
