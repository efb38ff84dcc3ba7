// The evidence digest taken first (per file, with its time), the per-file inventory and build facts the reproducibility appendix prints.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote, type Reproducibility } from '../../../shared/core/attestation.ts';
import type { VerifyReport } from '../../../shared/core/report.ts';
import { openArchive } from '../archive.node.ts';
import { evidenceDigests } from '../digest.node.ts';
import { buildFiles } from '../build-digest.node.ts';

export interface EvidenceFile {
  /** For a file, its name; for a directory, the path inside it (the in-toto subject name). */
  name: string;
  sha256: string;
  sha512: string;
}

export interface EvidenceDigest {
  sha256: string;
  sha512: string;
  digestOf: 'file' | 'tree';
  bytes: number;
  /** When the digest was complete (UTC ISO), before the verification read anything. */
  at: string;
  files: EvidenceFile[];
}

/**
 * SHA-256 and SHA-512 of the evidence as received, and of each of its files: of the file, or for a
 * directory the spec §1 tree digest built from the per-file digests (regular files only, links not followed).
 */
export async function takeEvidenceDigest(path: string): Promise<EvidenceDigest> {
  const d = await evidenceDigests(path, ['sha256', 'sha512']);
  return { ...d.digests, digestOf: d.digestOf, bytes: d.bytes, at: new Date().toISOString(), files: d.files };
}

/** The command that recomputes the evidence SHA-256 from the folder holding it. */
export function digestCommand(name: string, digestOf: 'file' | 'tree'): string {
  return digestOf === 'file'
    ? `sha256sum ${shellQuote(name)}`
    : `(cd ${shellQuote(name)} && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum | sha256sum)`;
}

/** The repository or install root: the nearest folder above this module with a package.json. */
function installRoot(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = resolve(dir, '..');
    if (parent === dir) return null;
    dir = parent;
  }
}

const sha256File = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** SHA-256 of every shipped build file (dist/), of package-lock.json and the source commit, when they can be found. */
export function buildFacts(): Pick<Reproducibility, 'bundles' | 'packageLock' | 'sourceCommit'> {
  const root = installRoot();
  if (!root) return { bundles: [], packageLock: null, sourceCommit: null };
  // The same listing the build digest is computed from (every file of dist/ but source maps), so appendix A and the digest agree.
  const bundles = buildFiles().map((f) => ({ file: `dist/${f.path}`, sha256: f.sha256 }));
  const lock = join(root, 'package-lock.json');
  const git = existsSync(join(root, '.git')) ? spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }) : null;
  const commit = git && git.status === 0 && /^[0-9a-f]{40}\s*$/.test(git.stdout) ? git.stdout.trim() : null;
  return { bundles, packageLock: existsSync(lock) ? sha256File(lock) : null, sourceCommit: commit };
}

/**
 * Per-file SHA-256 of the archive (manifest, segments, chains, checkpoints) and the checkpoint texts.
 * A directory's files come from the digest taken first; a tar's members from its headers pass
 * (manifest, checkpoints) and from the verification (segments and chains, hashed as they were read).
 */
export async function archiveInventory(path: string, report: VerifyReport, digest: EvidenceDigest): Promise<Pick<Reproducibility, 'files' | 'checkpoints' | 'digestCommand'>> {
  const opened = await openArchive(path);
  const checkpoints = [...opened.small.entries()]
    .filter(([p]) => p.startsWith('checkpoints/'))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([p, bytes]) => ({ path: p, text: new TextDecoder('utf-8', { fatal: false }).decode(bytes) }));
  let files: { path: string; sha256: string }[];
  if (digest.digestOf === 'tree') files = digest.files.map((f) => ({ path: f.name, sha256: f.sha256 }));
  else {
    const hash = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
    const manifest = opened.small.get('manifest.json');
    files = [
      ...(manifest ? [{ path: 'manifest.json', sha256: hash(manifest) }] : []),
      ...report.segmentChecks.flatMap((s) => [
        ...(s.sha256 ? [{ path: s.path, sha256: s.sha256 }] : []),
        ...(s.chainSha256 ? [{ path: s.chain, sha256: s.chainSha256 }] : []),
      ]),
      ...[...opened.small.entries()].filter(([p]) => p.startsWith('checkpoints/')).map(([p, b]) => ({ path: p, sha256: hash(b) })),
    ].sort((a, b) => (a.path < b.path ? -1 : 1));
  }
  return { files, checkpoints, digestCommand: digestCommand(basename(path), digest.digestOf) };
}
