// Case folders: case.json (details, trust policy) beside case.sqlite (the index), and the list of recent cases.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CaseDetails, CaseSummary, KeyRole } from '../../../shared/api.ts';

export const CASE_FILE = 'case.json';
export const CASE_DB = 'case.sqlite';
const FORMAT = 'sealcheck-case/v1';

export interface StoredKey {
  keyString: string;
  role: KeyRole;
  source: string;
}

export interface StoredAnchor {
  id: string;
  note: string;
  source: string;
}

/** The audit policy the examiner supplies for the case (the archive has none sealed): its text as read, so a later run uses the same bytes. */
export interface StoredAuditPolicy {
  text: string;
  sha256: string;
  file: string;
  source: string;
}

export interface CaseFile {
  format: typeof FORMAT;
  details: CaseDetails;
  createdAt: string;
  keys: StoredKey[];
  quorum: number;
  origin: string | null;
  anchors: StoredAnchor[];
  /** Absent in case files written before issue 11. */
  auditPolicy?: StoredAuditPolicy | null;
}

export class CaseError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** Writes through a temporary file and a rename, so a crash never leaves half a case file. */
async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, text);
  await rename(tmp, path);
}

export async function readCase(folder: string): Promise<CaseFile> {
  const path = join(folder, CASE_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new CaseError('not-found', `${folder} is not a case folder (no ${CASE_FILE})`);
  }
  const c = JSON.parse(text) as CaseFile;
  if (c.format !== FORMAT) throw new CaseError('bad-request', `${path} is not a Sealcheck case file`);
  return c;
}

export async function saveCase(folder: string, c: CaseFile): Promise<void> {
  await writeAtomic(join(folder, CASE_FILE), `${JSON.stringify(c, null, 2)}\n`);
}

/** A folder name from the case number: letters, digits, dot, dash and underscore only. */
export function folderName(caseNumber: string): string {
  return caseNumber.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'case';
}

export async function createCaseFolder(casesRoot: string, details: CaseDetails): Promise<{ folder: string; file: CaseFile }> {
  await mkdir(casesRoot, { recursive: true });
  const base = join(casesRoot, folderName(details.caseNumber));
  let folder = base;
  for (let i = 2; existsSync(folder); i++) folder = `${base}-${i}`;
  await mkdir(folder);
  const file: CaseFile = { format: FORMAT, details, createdAt: new Date().toISOString(), keys: [], quorum: 0, origin: null, anchors: [] };
  await saveCase(folder, file);
  return { folder: resolve(folder), file };
}

export class RecentCases {
  constructor(private readonly path: string) {}

  async list(): Promise<CaseSummary[]> {
    try {
      const all = JSON.parse(await readFile(this.path, 'utf8')) as CaseSummary[];
      return all.filter((c) => existsSync(join(c.folder, CASE_FILE)));
    } catch {
      return [];
    }
  }

  async touch(summary: CaseSummary): Promise<void> {
    const rest = (await this.list()).filter((c) => c.folder !== summary.folder);
    await mkdir(resolve(this.path, '..'), { recursive: true });
    await writeAtomic(this.path, `${JSON.stringify([summary, ...rest].slice(0, 20), null, 2)}\n`);
  }
}
