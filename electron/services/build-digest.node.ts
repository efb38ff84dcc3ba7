// The digest of the running build (every bundle and renderer file in dist/), named in attestations and validation records.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BuildFile {
  /** Path relative to dist/, with forward slashes. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface BuildDigest {
  algorithm: 'sha256';
  value: string;
  of: string;
}

/**
 * dist/ of the running build: the esbuild bundles all sit at its top, so from a bundle it is the
 * bundle's own folder (inside app.asar in the packaged app); from the TypeScript sources (tests) it
 * is the checkout's dist/.
 */
export function distDir(): string {
  return import.meta.url.endsWith('.ts') ? fileURLToPath(new URL('../../dist/', import.meta.url)) : dirname(fileURLToPath(import.meta.url));
}

/** Every file of the build except source maps, sorted by path (bytewise, like `LC_ALL=C sort`). */
export function buildFiles(dir: string = distDir()): BuildFile[] {
  const out: BuildFile[] = [];
  const walk = (abs: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch (e) {
      throw new Error(`the build digest cannot be computed: ${abs} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); run \`npm run build\``);
    }
    for (const name of names) {
      const a = join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(a).isDirectory()) walk(a, r);
      else if (!name.endsWith('.map')) {
        const bytes = readFileSync(a);
        if (bytes.length === 0) throw new Error(`the build digest cannot be computed: ${a} is empty`);
        out.push({ path: r, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
      }
    }
  };
  walk(dir, '');
  out.sort((x, y) => Buffer.compare(Buffer.from(x.path), Buffer.from(y.path)));
  if (!out.some((f) => f.path.endsWith('.mjs') && !f.path.includes('/'))) {
    throw new Error(`the build digest cannot be computed: ${dir} holds no bundle (*.mjs); run \`npm run build\``);
  }
  return out;
}

/**
 * SHA-256 over the sha256sum lines ("HEX  PATH\n") of every build file, so anyone can recompute it:
 * `cd dist && find . -type f ! -name '*.map' | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum`.
 */
export function buildDigest(dir: string = distDir()): BuildDigest {
  const files = buildFiles(dir);
  const listing = files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
  const top = files.filter((f) => !f.path.includes('/')).map((f) => f.path);
  const sub = new Map<string, number>();
  for (const f of files) if (f.path.includes('/')) sub.set(f.path.split('/')[0]!, (sub.get(f.path.split('/')[0]!) ?? 0) + 1);
  const parts = [...top, ...[...sub].map(([d, k]) => `${d}/ (${k} file${k === 1 ? '' : 's'})`)];
  return {
    algorithm: 'sha256',
    value: createHash('sha256').update(listing).digest('hex'),
    of: `sha256sum lines of the ${files.length} files of dist/: ${parts.join(', ')}`,
  };
}
