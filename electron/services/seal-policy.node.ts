// Audit policy files: for `seal --policy`, read, checked and turned into the one JSON line sealed before the events it governs; for `verify`/`attest --policy` and the app, read as the examiner's supplied policy.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { AuditPolicyError, parseAuditPolicy, policyToJson, POLICY_FILE_ANNOTATION, POLICY_SHA256_ANNOTATION, type AuditPolicy } from '../../shared/core/audit-policy.ts';
import { decodeUtf8Strict } from '../../shared/core/bytes.ts';
import { InputFileError, readBoundedFile } from './bounded-read.node.ts';
import { UsageError } from './keys.node.ts';

// Real policies are a few KiB (GCE's default is 4 KiB); 1 MiB leaves room for generated ones.
export const POLICY_FILE_LIMIT = 1 << 20;

/** The policy file cannot be sealed (unreadable, not UTF-8, not a valid policy); the sealer refuses with this message. */
export class PolicyFileError extends Error {
  override name = 'PolicyFileError';
}

export interface PolicyEntry {
  line: Uint8Array;
  sha256: string;
  rules: number;
}

/**
 * The policy as an audit.k8s.io/v1 Policy object on one line. Its content is the parsed policy (the
 * v1beta1 shape is the same, so it is written as v1), and the SHA-256 of the file's exact bytes goes
 * in metadata.annotations, so the entry stays a Policy any Kubernetes tool reads, and the original
 * file can be shown to be the one sealed.
 */
export async function policyEntry(path: string): Promise<PolicyEntry> {
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedFile(path, POLICY_FILE_LIMIT, '--policy');
  } catch (e) {
    if (e instanceof InputFileError) throw new PolicyFileError(`${e.message}; nothing was written`);
    throw e;
  }
  const text = decodeUtf8Strict(bytes);
  if (text === null) throw new PolicyFileError(`--policy ${path}: is not UTF-8 text; nothing was written`);
  let parsed;
  try {
    parsed = parseAuditPolicy(text, `--policy ${path}`);
  } catch (e) {
    if (e instanceof AuditPolicyError) throw new PolicyFileError(`${e.message}; nothing was written`);
    throw e;
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const { apiVersion: _version, kind: _kind, ...content } = policyToJson(parsed);
  const entry = {
    kind: 'Policy',
    apiVersion: 'audit.k8s.io/v1',
    metadata: { annotations: { [POLICY_SHA256_ANNOTATION]: sha256, [POLICY_FILE_ANNOTATION]: basename(path) } },
    ...content,
  };
  return { line: new TextEncoder().encode(JSON.stringify(entry)), sha256, rules: parsed.rules.length };
}

/** A policy the examiner supplies (the archive has none sealed): the parsed rules, the SHA-256 of the file's bytes and its name. */
export interface SuppliedPolicy {
  policy: AuditPolicy;
  sha256: string;
  file: string;
}

/**
 * Reads a supplied policy; refused (UsageError, exit 2) with one sentence naming the file when it cannot be used.
 * Messages start `COMMAND: --policy PATH:` on the command line, `COMMAND PATH:` with `flag` empty (the app).
 */
export async function loadSuppliedPolicy(path: string, command: string, flag = '--policy'): Promise<SuppliedPolicy & { text: string }> {
  const what = flag ? `${command}: ${flag}` : command;
  let bytes: Uint8Array;
  try {
    bytes = await readBoundedFile(path, POLICY_FILE_LIMIT, what);
  } catch (e) {
    if (e instanceof InputFileError) throw new UsageError(e.message);
    throw e;
  }
  const text = decodeUtf8Strict(bytes);
  if (text === null) throw new UsageError(`${what} ${path}: is not UTF-8 text`);
  try {
    return { policy: parseAuditPolicy(text, `${what} ${path}`), sha256: createHash('sha256').update(bytes).digest('hex'), file: basename(path), text };
  } catch (e) {
    if (e instanceof AuditPolicyError) throw new UsageError(e.message);
    throw e;
  }
}
