// Bundles the CLI and its worker threads with esbuild into dist/ (run by `npm ci` through prepare, and by `npm test`).
import { build } from 'esbuild';

await build({
  entryPoints: {
    cli: 'electron/cli/entry.ts',
    'segment.worker': 'electron/workers/segment.worker.ts',
    'index-writer.worker': 'electron/workers/index-writer.worker.ts',
    'job.worker': 'electron/workers/job.worker.ts',
  },
  // A native module: loaded from node_modules at run time, never bundled.
  external: ['better-sqlite3', 'pdfkit'],
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Some dependencies still call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});

// The Electron main process (ESM) and its sandboxed preload (CommonJS: a sandboxed preload cannot load ES modules).
await build({
  entryPoints: { main: 'electron/main/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['electron', 'better-sqlite3', 'pdfkit'],
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
});
await build({
  entryPoints: { preload: 'electron/preload/preload.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  external: ['electron'],
});
