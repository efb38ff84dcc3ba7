// Runs a Node script in this process and writes its peak RSS and CPU time to a file: bench.mjs's fallback when GNU time is unusable.
// Usage: node scripts/bench/maxrss.mjs OUT.json SCRIPT.mjs [ARGS...]
// Worker threads share the process, so process.resourceUsage() at exit covers them too; a
// child process spawned by SCRIPT would not be counted (sealcheck spawns none).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [out, script, ...args] = process.argv.slice(2);
if (!out || !script) {
  process.stderr.write('usage: node scripts/bench/maxrss.mjs OUT.json SCRIPT.mjs [ARGS...]\n');
  process.exit(2);
}
// The script reads its arguments from process.argv.slice(2), as if it had been started directly.
process.argv = [process.argv[0], resolve(script), ...args];
process.on('exit', () => {
  const u = process.resourceUsage();
  // maxRSS is in KiB on Linux (getrusage ru_maxrss); CPU times are in µs.
  writeFileSync(out, JSON.stringify({ maxRssKiB: u.maxRSS, userS: u.userCPUTime / 1e6, sysS: u.systemCPUTime / 1e6 }));
});
await import(pathToFileURL(resolve(script)).href);
