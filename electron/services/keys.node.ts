// Loads keys and anchors named on the command line or in the app, refusing anything unusable with one exact reason.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { publicKeyProblem } from '../../shared/core/ed25519.ts';
import type { Anchor } from '../../shared/core/evaluate.ts';
import { COSIGNER_KEY, KeyError, LOG_KEY, parseSignerKey, parseVerifierKey, verifierKeyFromPem, keyIdHex, type KeyType, type SignerKey, type VerifierKey } from '../../shared/core/keys.ts';
import { NoteError, parseCheckpointText, parseNote } from '../../shared/core/note.ts';
import { nodeEd25519 } from './crypto.node.ts';

/** A key, anchor or argument that cannot be used: bad usage (exit 2), never a verdict. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface LoadedKey extends VerifierKey {
  /** Where it came from, as given: a file path, or "NAME=FILE.pem". */
  source: string;
}

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
}

const ROLE: Record<KeyType, string> = { 1: 'log key (type 0x01)', 4: 'cosigner key (type 0x04)' };

/**
 * `--trust FILE`, `--trust NAME=FILE.pem` or `--witness FILE`: one key per file, its type checked
 * against the flag, its point checked (canonical, not of small order).
 */
export async function loadVerifierKey(arg: string, want: KeyType, flag: string): Promise<LoadedKey> {
  let key: VerifierKey;
  const eq = arg.indexOf('=');
  const named = !existsSync(arg) && eq > 0 ? { name: arg.slice(0, eq), file: arg.slice(eq + 1) } : null;
  const file = named ? named.file : arg;
  const text = (await readText(file, 'key file')).trim();
  try {
    if (text.startsWith('-----BEGIN')) {
      if (!named) throw new KeyError(`a PEM key needs a name: ${flag} NAME=${file}`);
      if (want !== LOG_KEY) throw new KeyError(`a PEM key can only be a log key (${flag} takes a type 0x04 key string)`);
      key = verifierKeyFromPem(named.name, text);
    } else {
      if (named) throw new KeyError('NAME=FILE is only for PEM keys; this file holds a key string');
      if (text.startsWith('PRIVATE+KEY+')) throw new KeyError('this is a private signer key; give the verifier key (.pub)');
      if (text.split('\n').length > 1) throw new KeyError('the file holds more than one line; one key per file');
      key = parseVerifierKey(text);
    }
  } catch (e) {
    if (e instanceof KeyError) throw new UsageError(`${flag} ${arg}: ${e.message}`);
    throw e;
  }
  if (key.type !== want) throw new UsageError(`${flag} ${arg}: ${key.name} is a ${ROLE[key.type]}, ${flag} needs a ${ROLE[want]}`);
  const problem = publicKeyProblem(key.publicKey);
  if (problem) {
    const why = { length: 'has the wrong length', 'not-a-point': 'is not a point on Ed25519', 'non-canonical': 'is not a canonical encoding', 'small-order': 'has small order' }[problem];
    throw new UsageError(`${flag} ${arg}: public key ${why}; refused`);
  }
  return { ...key, source: arg };
}

export async function loadSignerKey(path: string, flag: string): Promise<SignerKey> {
  const text = await readText(path, 'key file');
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
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new UsageError(`cannot read anchor ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return anchorFromBytes(bytes, path, trusted);
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
