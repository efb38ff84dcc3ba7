#!/usr/bin/env node
// Launcher for the `sealcheck` command: runs the bundle that `npm ci` (prepare) or `npm run build` writes to dist/.
import { existsSync } from 'node:fs';

const bundle = new URL('../../dist/cli.mjs', import.meta.url);
if (!existsSync(bundle)) {
  process.stderr.write('sealcheck: dist/cli.mjs is missing; run `npm run build` in the repository first\n');
  process.exit(2);
}
const { run } = await import(bundle.href);
await run();
