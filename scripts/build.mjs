// Bundles the CLI, its worker threads and the Electron main/preload with esbuild into dist/ (run by `npm ci` through prepare, and by `npm test`).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

// Every path below is relative to the checkout, whatever the caller's working directory (the demo runs this from anywhere).
const root = fileURLToPath(new URL('..', import.meta.url));

const node = {
  absWorkingDir: root,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  // Native or file-reading modules are loaded from node_modules at run time, never bundled.
  external: ['electron', 'better-sqlite3', 'pdfkit'],
};
// Some dependencies still call require(); give the ESM bundles one.
const esm = {
  ...node,
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  sourcemap: true,
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
};

await build({
  ...esm,
  entryPoints: {
    cli: 'electron/cli/entry.ts',
    main: 'electron/main/main.ts',
    'segment.worker': 'electron/workers/segment.worker.ts',
    'index-writer.worker': 'electron/workers/index-writer.worker.ts',
    'job.worker': 'electron/workers/job.worker.ts',
  },
});
// The sandboxed preload must be CommonJS: a sandboxed preload cannot load ES modules.
await build({ ...node, format: 'cjs', outExtension: { '.js': '.cjs' }, entryPoints: { preload: 'electron/preload/preload.ts' } });
