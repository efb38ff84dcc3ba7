// `npm run fuzz -- [TARGET...] [--minutes N] [--seed N] [--list]`: runs the fuzz targets in turn (all by default, 3 minutes each) and prints executions, coverage and failures.
import './coverage-start.ts';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzz } from './engine.ts';
import { TARGETS } from './targets.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
let minutes = 3;
let seed: number | undefined;
const names: string[] = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i]!;
  if (a === '--minutes') minutes = Number(args[++i]);
  else if (a === '--seed') seed = Number(args[++i]);
  else if (a === '--list') {
    for (const t of TARGETS) console.log(`${t.name}: ${t.asserts}`);
    process.exit(0);
  } else names.push(a);
}
if (!(minutes > 0)) {
  console.error('fuzz: --minutes needs a positive number');
  process.exit(2);
}
const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n));
if (unknown.length) {
  console.error(`fuzz: no target named ${unknown.join(', ')} (targets: ${TARGETS.map((t) => t.name).join(', ')})`);
  process.exit(2);
}
const chosen = names.length ? TARGETS.filter((t) => names.includes(t.name)) : TARGETS;
let failed = 0;
for (const t of chosen) {
  console.log(`${t.name}: fuzzing for ${minutes} min`);
  const r = await fuzz(t, {
    milliseconds: minutes * 60_000,
    seed,
    corpusDir: join(here, 'corpus', t.name),
    crashDir: join(here, 'crashes'),
    log: (l) => console.log(l),
  });
  const pct = r.chars.total ? ((100 * r.chars.covered) / r.chars.total).toFixed(1) : '0';
  console.log(
    `${t.name}: ${r.executions} executions in ${r.seconds.toFixed(0)} s (${Math.round(r.executions / r.seconds)}/s), seed ${r.seed}, corpus ${r.corpus}, ` +
      `${r.blocks} of ${r.knownBlocks} V8 block ranges reached, ${pct}% of source characters in executed blocks, ${r.failures.length} distinct failure(s)`,
  );
  failed += r.failures.length;
}
process.exit(failed ? 1 : 0);
