// C2SP signed notes (parsed like Go's note.Open), tlog-checkpoint bodies and tlog-cosignature v1 messages.
import { fromBase64Strict, toBase64, utf8, concatBytes, decodeUtf8Strict } from './bytes.ts';
import { isValidKeyName, keyIdHex, type SignerKey } from './keys.ts';

export const MAX_NOTE_BYTES = 1 << 20;
export const MAX_SIGNATURES = 100;

export interface NoteSignature {
  name: string;
  keyId: number;
  /** The signature bytes after the 4-byte key ID. */
  signature: Uint8Array;
  /** 1-based line number of this signature line in the note file. */
  line: number;
}

export interface Note {
  /** The signed text: everything up to and including the LF before the blank line. */
  text: string;
  textBytes: Uint8Array;
  signatures: NoteSignature[];
}

export class NoteError extends Error {
  override name = 'NoteError';
}

const SIG_PREFIX = '\u2014 ';

export function parseNote(bytes: Uint8Array): Note {
  if (bytes.length > MAX_NOTE_BYTES) throw new NoteError(`note is ${bytes.length} bytes, more than 1 MiB`);
  const all = decodeUtf8Strict(bytes);
  if (all === null) throw new NoteError('note is not valid UTF-8');
  for (let i = 0; i < all.length; i++) {
    const c = all.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) throw new NoteError(`note contains control character U+${c.toString(16).padStart(4, '0')}`);
  }
  // The text ends at the last blank line; what follows is the signature block.
  const split = all.lastIndexOf('\n\n');
  if (split < 0) throw new NoteError('note has no blank line before its signatures');
  const text = all.slice(0, split + 1);
  const sigBlock = all.slice(split + 2);
  if (sigBlock.length === 0 || !sigBlock.endsWith('\n')) throw new NoteError('note signature block is empty or does not end with a newline');
  const lines = sigBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new NoteError(`note has ${lines.length} signature lines, more than ${MAX_SIGNATURES}`);
  const firstSigLine = text.split('\n').length + 1;
  const signatures = lines.map((line, i): NoteSignature => {
    const where = `signature line ${i + 1}`;
    if (!line.startsWith(SIG_PREFIX)) throw new NoteError(`${where} does not start with "\u2014 "`);
    const rest = line.slice(SIG_PREFIX.length);
    const sp = rest.indexOf(' ');
    if (sp < 0) throw new NoteError(`${where} has no space between key name and signature`);
    const name = rest.slice(0, sp);
    const b64 = rest.slice(sp + 1);
    if (!isValidKeyName(name)) throw new NoteError(`${where} has an invalid key name`);
    const raw = fromBase64Strict(b64);
    if (!raw) throw new NoteError(`${where} signature is not canonical base64`);
    if (raw.length < 5) throw new NoteError(`${where} signature decodes to ${raw.length} bytes, fewer than 5`);
    const keyId = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    return { name, keyId, signature: raw.slice(4), line: firstSigLine + i };
  });
  return { text, textBytes: utf8(text), signatures };
}

export function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const id = Uint8Array.of(keyId >>> 24, (keyId >>> 16) & 255, (keyId >>> 8) & 255, keyId & 255);
  return `${SIG_PREFIX}${name} ${toBase64(concatBytes(id, signature))}\n`;
}

export function formatNote(text: string, signatureLines: string[]): string {
  return `${text}\n${signatureLines.join('')}`;
}

// ---- tlog-checkpoint ----

export interface Checkpoint {
  origin: string;
  /** Decimal text of the tree size, as signed. */
  sizeText: string;
  /** Tree size; above 2^53-1 it is not exact, and is then larger than any log this tool reads. */
  size: number;
  root: Uint8Array;
}

export function parseCheckpointText(text: string): Checkpoint {
  const lines = text.split('\n');
  // text ends with LF, so split gives a trailing empty string.
  if (lines.length !== 4 || lines[3] !== '') throw new NoteError(`checkpoint body has ${lines.length - 1} lines, expected exactly 3 (origin, size, root)`);
  const [origin, sizeText, rootB64] = lines as [string, string, string];
  if (!isValidKeyName(origin)) throw new NoteError(`checkpoint origin ${JSON.stringify(origin)} is not a valid name`);
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new NoteError(`checkpoint tree size ${JSON.stringify(sizeText)} is not a decimal number without sign or leading zero`);
  const root = fromBase64Strict(rootB64);
  if (!root || root.length !== 32) throw new NoteError('checkpoint root is not canonical base64 of 32 bytes');
  return { origin, sizeText, size: Number(sizeText), root };
}

export function formatCheckpointText(origin: string, size: number, root: Uint8Array): string {
  return `${origin}\n${size}\n${toBase64(root)}\n`;
}

/** File name of a checkpoint: its tree size zero-padded to 12 digits. */
export function checkpointFileName(sizeText: string): string {
  return `checkpoints/${sizeText.padStart(12, '0')}.ckpt`;
}

// ---- tlog-cosignature v1 (type 0x04) ----

export const COSIGNATURE_LENGTH = 72;
const MAX_TIMESTAMP = (1n << 63n) - 1n;

export function cosignatureMessage(time: bigint, checkpointText: string): Uint8Array {
  return utf8(`cosignature/v1\ntime ${time}\n${checkpointText}`);
}

/** Splits a type 0x04 signature into its timestamp and Ed25519 signature; null if malformed or the time exceeds 2^63-1. */
export function splitCosignature(sig: Uint8Array): { time: bigint; signature: Uint8Array } | null {
  if (sig.length !== COSIGNATURE_LENGTH) return null;
  let time = 0n;
  for (let i = 0; i < 8; i++) time = (time << 8n) | BigInt(sig[i]!);
  if (time > MAX_TIMESTAMP) return null;
  return { time, signature: sig.subarray(8) };
}

export function encodeCosignature(time: bigint, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(COSIGNATURE_LENGTH);
  let t = time;
  for (let i = 7; i >= 0; i--) {
    out[i] = Number(t & 255n);
    t >>= 8n;
  }
  out.set(signature, 8);
  return out;
}

export interface NoteSigner {
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
}

/** The log's signature line over a note text (type 0x01). */
export function logSignatureLine(key: SignerKey, text: string, ed: NoteSigner): string {
  return signatureLine(key.name, key.keyId, ed.sign(key.seed, utf8(text)));
}

/** A witness's timestamped cosignature line (type 0x04). */
export function cosignatureLine(key: SignerKey, text: string, time: bigint, ed: NoteSigner): string {
  const sig = ed.sign(key.seed, cosignatureMessage(time, text));
  return signatureLine(key.name, key.keyId, encodeCosignature(time, sig));
}

export function describeKey(name: string, keyId: number): string {
  return `${name}+${keyIdHex(keyId)}`;
}
