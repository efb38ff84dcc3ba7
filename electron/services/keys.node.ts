// Loads keys and anchors named on the command line or in the app, refusing anything unusable with one exact reason.
import { existsSync } from 'node:fs';
import { publicKeyProblem } from '../../shared/core/ed25519.ts';
import type { Anchor } from '../../shared/core/evaluate.ts';
import { KeyError, LOG_KEY, parseSignerKey, parseVerifierKey, verifierKeyFromPem, keyIdHex, type KeyType, type SignerKey, type VerifierKey } from '../../shared/core/keys.ts';
import { MAX_NOTE_BYTES, NoteError, parseCheckpointText, parseNote } from '../../shared/core/note.ts';
import { KEY_FILE_LIMIT, readBoundedFile, readBoundedText } from './bounded-read.node.ts';
import { nodeEd25519 } from './crypto.node.ts';

/** A key, anchor or argument that cannot be used: bad usage (exit 2), never a verdict. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface LoadedKey extends VerifierKey {
  /** Where it came from, as given: a file path, or "NAME=FILE.pem". */
  source: string;
}

const ROLE: Record<KeyType, string> = { 1: 'log key (type 0x01)', 4: 'cosigner key (type 0x04)' };
const PROBLEM: Record<NonNullable<ReturnType<typeof publicKeyProblem>>, string> = {
  length: 'has the wrong length', 'not-a-point': 'is not a point on Ed25519', 'non-canonical': 'is not a canonical encoding', 'small-order': 'has small order',
};

/**
 * One verifier key as a user gives it, in a file or pasted: a key string (`name+keyid+base64`), or a
 * PEM SPKI Ed25519 key named by `pemName` (the origin it signs as; PEM keys are log keys only). Its
 * type is checked against `want` and its point checked (canonical, not of small order). The command
 * line and the app both use it, so a key is refused with the same words wherever it is given.
 */
export function parseVerifierKeyText(raw: string, want: KeyType, pemName?: string): VerifierKey {
  const text = raw.trim();
  let key: VerifierKey;
  if (text.startsWith('-----BEGIN')) {
    if (!pemName) throw new KeyError('a PEM key needs a name, the log origin it signs as (NAME=FILE.pem)');
    if (want !== LOG_KEY) throw new KeyError('a PEM key can only be a log key; a witness key is a type 0x04 key string');
    key = verifierKeyFromPem(pemName, text);
  } else {
    if (text.startsWith('PRIVATE+KEY+')) throw new KeyError('this is a private signer key; give the verifier key (.pub)');
    if (text.includes('\n')) throw new KeyError('more than one line; one key per file');
    key = parseVerifierKey(text);
  }
  if (key.type !== want) throw new KeyError(`${key.name} is a ${ROLE[key.type]}, not a ${ROLE[want]}`);
  const problem = publicKeyProblem(key.publicKey);
  if (problem) throw new KeyError(`public key ${PROBLEM[problem]}; refused`);
  return key;
}

/**
 * `--trust FILE`, `--trust NAME=FILE.pem` or `--witness FILE`: one key per file (see parseVerifierKeyText).
 * An argument that names an existing file is a file even when it holds '='.
 */
export async function loadVerifierKey(arg: string, want: KeyType, flag: string): Promise<LoadedKey> {
  const eq = arg.indexOf('=');
  const named = !existsSync(arg) && eq > 0 ? { name: arg.slice(0, eq), file: arg.slice(eq + 1) } : null;
  const file = named ? named.file : arg;
  const text = await readBoundedText(file, KEY_FILE_LIMIT, 'key file');
  try {
    if (named && !text.trim().startsWith('-----BEGIN')) throw new KeyError('NAME=FILE is only for PEM keys; this file holds a key string');
    return { ...parseVerifierKeyText(text, want, named?.name), source: arg };
  } catch (e) {
    if (e instanceof KeyError) throw new UsageError(`${flag} ${arg}: ${e.message}`);
    throw e;
  }
}

export async function loadSignerKey(path: string, flag: string): Promise<SignerKey> {
  const text = await readBoundedText(path, KEY_FILE_LIMIT, 'key file');
  try {
    const key = parseSignerKey(text, nodeEd25519.publicKeyFromSeed);
    if (key.seed.length !== 32) throw new KeyError('seed is not 32 bytes');
    return key;
  } catch (e) {
    if (e instanceof KeyError) throw new UsageError(`${flag} ${path}: ${e.message}`);
    throw e;
  }
}

/** `--anchor FILE`: a checkpoint from outside the archive, which must carry a valid signature from a --trust key. */
export async function loadAnchor(path: string, trusted: readonly VerifierKey[]): Promise<Anchor> {
  return anchorFromBytes(await readBoundedFile(path, MAX_NOTE_BYTES, 'anchor'), path, trusted);
}

/** An anchor's note, parsed and checked: it must carry a valid signature from one of the trusted log keys. */
export function anchorFromBytes(bytes: Uint8Array, path: string, trusted: readonly VerifierKey[]): Anchor {
  try {
    const note = parseNote(bytes);
    const checkpoint = parseCheckpointText(note.text);
    const signed = note.signatures.some((s) => {
      const k = trusted.find((t) => t.name === s.name && t.keyId === s.keyId);
      return k !== undefined && s.signature.length === 64 && nodeEd25519.verify(k.publicKey, note.textBytes, s.signature);
    });
    if (!signed) {
      const names = note.signatures.map((s) => `${s.name}+${keyIdHex(s.keyId)}`).join(', ');
      throw new UsageError(`anchor ${path} has no valid signature from a --trust key (signed by: ${names || 'nobody'})`);
    }
    return { path, note, checkpoint };
  } catch (e) {
    if (e instanceof NoteError) throw new UsageError(`anchor ${path} is not a valid checkpoint: ${e.message}`);
    throw e;
  }
}
