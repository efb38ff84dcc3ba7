// OpenSSH SSHSIG detached signatures (PROTOCOL.sshsig) with the examiner key, checkable with `ssh-keygen -Y verify`.
import crypto from 'node:crypto';
import { bytesEqual, concatBytes, fromBase64Strict, toBase64, utf8 } from '../../../shared/core/bytes.ts';
import { nodeEd25519 } from '../crypto.node.ts';
import { SSH_ED25519, SshReader, SshWireError, parseSshPublicKeyLine, publicKeyFromSshBlob, sshPublicKeyBlob, sshString, sshPublicKeyLine, sshUint32 } from './examiner-key.node.ts';

/** The namespace of sealcheck attestations: a signature made for git or for files in general never verifies here. */
export const SSHSIG_NAMESPACE = 'sealcheck-attestation';

const MAGIC = utf8('SSHSIG');
const VERSION = 1;
const BEGIN = '-----BEGIN SSH SIGNATURE-----';
const END = '-----END SSH SIGNATURE-----';
// ssh-keygen wraps at 70 columns (PROTOCOL.sshsig says "SHOULD ... 76", its own example and sshsig.c use 70).
const COLUMNS = 70;

type HashName = 'sha256' | 'sha512';

/** What is signed: MAGIC, string namespace, string reserved, string hash_algorithm, string H(message). */
function signedData(namespace: string, reserved: Uint8Array, hash: HashName, message: Uint8Array): Uint8Array {
  return concatBytes(MAGIC, sshString(namespace), sshString(reserved), sshString(hash), sshString(crypto.hash(hash, message, 'buffer')));
}

function armor(blob: Uint8Array): string {
  const b64 = toBase64(blob);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += COLUMNS) lines.push(b64.slice(i, i + COLUMNS));
  return `${BEGIN}\n${lines.join('\n')}\n${END}\n`;
}

/** An armored signature of `message` as `ssh-keygen -Y sign -n NAMESPACE` makes it (SHA-512, empty reserved). */
export function signSshsig(message: Uint8Array, seed: Uint8Array, namespace: string = SSHSIG_NAMESPACE): string {
  if (namespace === '') throw new RangeError('the SSHSIG namespace must not be empty');
  const publicKey = nodeEd25519.publicKeyFromSeed(seed);
  const reserved = new Uint8Array(0);
  const sig = nodeEd25519.sign(seed, signedData(namespace, reserved, 'sha512', message));
  // The signature field is itself an SSH signature: string "ssh-ed25519", string 64-byte signature.
  const sshSignature = concatBytes(sshString(SSH_ED25519), sshString(sig));
  const blob = concatBytes(MAGIC, sshUint32(VERSION), sshString(sshPublicKeyBlob(publicKey)), sshString(namespace), sshString(reserved), sshString('sha512'), sshString(sshSignature));
  return armor(blob);
}

export interface SshsigVerification {
  ok: boolean;
  /** 'verified', or the first thing found wrong. */
  reason: string;
}

export interface ParsedSshsig {
  publicKey: Uint8Array;
  namespace: string;
  reserved: Uint8Array;
  hash: HashName;
  signature: Uint8Array;
}

/** Parses the armor and blob strictly: one block, known version, Ed25519 only, no trailing bytes. */
export function parseSshsig(armored: string): ParsedSshsig {
  const lines = armored.replace(/\r\n/g, '\n').trim().split('\n');
  if (lines[0] !== BEGIN) throw new SshWireError(`does not start with ${BEGIN}`);
  const end = lines.indexOf(END);
  if (end < 0) throw new SshWireError(`no ${END} line`);
  if (end !== lines.length - 1) throw new SshWireError(`text after ${END}`);
  const b64 = lines.slice(1, end).map((l) => l.trim()).join('');
  const blob = fromBase64Strict(b64);
  if (!blob) throw new SshWireError('the signature body is not valid base64');
  const r = new SshReader(blob);
  if (!bytesEqual(r.bytesN(6, 'magic'), MAGIC)) throw new SshWireError('not an SSHSIG blob (magic is not "SSHSIG")');
  const version = r.uint32('version');
  if (version !== VERSION) throw new SshWireError(`SSHSIG version ${version} is not supported (only 1)`);
  const publicKey = publicKeyFromSshBlob(r.string('public key'));
  const namespace = r.text('namespace');
  const reserved = r.string('reserved').slice();
  const hash = r.text('hash algorithm');
  if (hash !== 'sha256' && hash !== 'sha512') throw new SshWireError(`hash algorithm ${JSON.stringify(hash)} is not sha256 or sha512`);
  const s = new SshReader(r.string('signature'));
  if (!r.done) throw new SshWireError('trailing bytes after the signature');
  const sigType = s.text('signature type');
  if (sigType !== SSH_ED25519) throw new SshWireError(`signature type ${JSON.stringify(sigType)} is not ${SSH_ED25519}`);
  const signature = s.string('Ed25519 signature').slice();
  if (signature.length !== 64) throw new SshWireError(`Ed25519 signature is ${signature.length} bytes, expected 64`);
  if (!s.done) throw new SshWireError('trailing bytes after the Ed25519 signature');
  return { publicKey, namespace, reserved, hash, signature };
}

/**
 * Whether `armored` is a valid SSHSIG over `message` by `publicKey` (raw 32 bytes) in `namespace`.
 * The key embedded in the signature must be that key: the embedded one is only a claim.
 */
export function verifySshsig(armored: string, message: Uint8Array, publicKey: Uint8Array, namespace: string = SSHSIG_NAMESPACE): SshsigVerification {
  let p: ParsedSshsig;
  try {
    p = parseSshsig(armored);
  } catch (e) {
    if (e instanceof SshWireError) return { ok: false, reason: `malformed SSH signature: ${e.message}` };
    throw e;
  }
  if (!bytesEqual(p.publicKey, publicKey)) return { ok: false, reason: 'signed by a different key' };
  if (p.namespace !== namespace) return { ok: false, reason: `namespace ${JSON.stringify(p.namespace)} is not ${JSON.stringify(namespace)}` };
  // PROTOCOL.sshsig: verifiers ignore a non-empty reserved field, but it is inside the signed data.
  if (!nodeEd25519.verify(publicKey, signedData(p.namespace, p.reserved, p.hash, message), p.signature)) return { ok: false, reason: 'the signature does not verify (the file or the signature was changed)' };
  return { ok: true, reason: 'verified' };
}

/**
 * One line of an OpenSSH allowed_signers file (ssh-keygen(1) ALLOWED SIGNERS) that trusts the key for
 * `principal` in the sealcheck namespace only. The principal field is a pattern list, so pattern
 * characters are refused rather than escaped: the line must name exactly one identity.
 */
export function allowedSignersLine(principal: string, sshPublicKeyLineText: string, opts: { namespaces?: string[] } = {}): string {
  if (principal === '' || /[\u0000-\u001f\u007f",*?!]/u.test(principal)) {
    throw new RangeError(`principal ${JSON.stringify(principal)} must be non-empty, one line, without '"', ',', '*', '?' or '!'`);
  }
  const { publicKey, comment } = parseSshPublicKeyLine(sshPublicKeyLineText);
  const namespaces = opts.namespaces ?? [SSHSIG_NAMESPACE];
  for (const n of namespaces) if (n === '' || /[\s",*?!]/u.test(n)) throw new RangeError(`namespace ${JSON.stringify(n)} is not usable in allowed_signers`);
  const who = /\s/u.test(principal) ? `"${principal}"` : principal;
  const options = namespaces.length ? ` namespaces="${namespaces.join(',')}"` : '';
  return `${who}${options} ${sshPublicKeyLine(publicKey, comment)}\n`;
}
