// `npm run bench`: times `sealcheck verify` on a cached 1M-event sealed audit archive against openssl and sha256sum on the same bytes.
//
// Usage: node scripts/bench.mjs [--runs N] [--events N] [--regenerate] [--no-build]
//   --runs N       timed runs of each command (default 3); the table shows the median
//   --events N     archive size in events (default 1000000); each size is cached separately
//   --regenerate   rebuild the cached archive even if it is current
//   --no-build     use dist/ as it is instead of rebuilding it first
//   --no-index     skip the index part (verify --index, sqlite3 .import baseline, query latency)
//   --prepare      only generate and seal the cached archive (if needed), measure nothing
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SEED, GENERATOR_VERSION, writeAuditLog } from './bench/audit-events.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'electron/cli/sealcheck.mjs');
const MAXRSS_WRAPPER = join(ROOT, 'scripts/bench/maxrss.mjs');
const GNU_TIME = '/usr/bin/time';
const ORIGIN = 'bench.sealcheck.example/k8s-audit';
const SEAL_ARGS = ['--segment-entries', '50000', '--checkpoint-every', '10000'];
const TARGET_OPENSSL_RATIO = 0.5; // verify may take at most 2x the single-core openssl time
const TARGET_RSS_BYTES = 400e6;
const MB = 1e6; // MB = 10^6 bytes throughout (so the 400 MB target is the stricter reading)

// ---------- arguments ----------

function parseArgs(argv) {
  const o = { runs: 3, events: 1_000_000, regenerate: false, build: true, noIndex: false, prepare: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const int = () => {
      const v = Number(argv[++i]);
      if (!Number.isSafeInteger(v) || v < 1) die(`${a} needs a positive integer`);
      return v;
    };
    if (a === '--runs') o.runs = int();
    else if (a === '--events') o.events = int();
    else if (a === '--regenerate') o.regenerate = true;
    else if (a === '--no-build') o.build = false;
    else if (a === '--no-index') o.noIndex = true;
    else if (a === '--prepare') o.prepare = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split("\n").slice(2, 9).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
      process.exit(0);
    } else die(`unknown argument ${a} (try --help)`);
  }
  return o;
}

class BenchError extends Error {}

// Thrown rather than process.exit(), so `finally` blocks still delete the temporary ~1 GB input.
function die(message) {
  throw new BenchError(message);
}

// On Ctrl-C: stop the measured command (its own process group, so GNU time's child goes too)
// and delete temporary directories, which exit() would skip.
const temporary = new Set();
const running = new Set();
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of running) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    for (const d of temporary) rmSync(d, { recursive: true, force: true });
    process.exit(130);
  });
}

// ---------- formatting ----------

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtS = (s) => s.toFixed(3);
const fmtMB = (bytes) => `${(bytes / MB).toFixed(0)} MB`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function progress(text) {
  if (process.stderr.isTTY) process.stderr.write(`\r${text}\x1b[K`);
}
const progressDone = () => progress('');

// ---------- running commands ----------

/**
 * How peak RSS and CPU time are measured. GNU time's %M is ru_maxrss of the waited-for child,
 * but some builds (GNU time 1.7) report 4x the real value, so it is checked once against a Node
 * child that reports its own process.resourceUsage().maxRSS; if it disagrees or is absent,
 * Node commands run under scripts/bench/maxrss.mjs instead (same process, so worker threads count).
 */
function chooseMeter() {
  if (!existsSync(GNU_TIME)) return { kind: 'wrapper', why: `${GNU_TIME} not found` };
  const dir = mkdtempSync(join(tmpdir(), 'sealcheck-bench-probe-'));
  try {
    const out = join(dir, 'time');
    const probe = 'const b = Buffer.alloc(256e6, 1); process.stdout.write(String(process.resourceUsage().maxRSS + b[0] - 1))';
    const r = spawnSync(GNU_TIME, ['-f', '%M', '-o', out, process.execPath, '-e', probe], { encoding: 'utf8' });
    if (r.status !== 0) return { kind: 'wrapper', why: `${GNU_TIME} -f %M failed (${(r.stderr || '').trim() || `exit ${r.status}`})` };
    const byTime = Number(readFileSync(out, 'utf8').trim().split('\n').pop());
    const bySelf = Number(r.stdout);
    const ratio = byTime / bySelf;
    if (!(ratio > 0.95 && ratio < 1.1)) return { kind: 'wrapper', why: `${GNU_TIME} %M says ${byTime} KiB where the child measured ${bySelf} KiB` };
    return { kind: 'gnu-time', why: `${GNU_TIME} -f '%e %U %S %M' (ru_maxrss of the child; checked: ${byTime} KiB vs the child's own ${bySelf} KiB on a 256 MB probe)` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Runs one command, stdout to /dev/null (or captured), and measures it: wall time from spawn to
 * exit (hrtime here, finer than time's %e), CPU time and peak RSS from the meter.
 */
function runMeasured(meter, cmd, args, { captureStdout = false, node = false } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'sealcheck-bench-run-'));
  temporary.add(dir);
  const out = join(dir, 'usage');
  let argv;
  if (meter.kind === 'gnu-time') argv = [GNU_TIME, '-f', '%e %U %S %M', '-o', out, cmd, ...args];
  else if (node) argv = [process.execPath, MAXRSS_WRAPPER, out, ...args]; // cmd is node, args[0] the script
  else argv = [cmd, ...args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { cwd: ROOT, detached: true, stdio: ['ignore', captureStdout ? 'pipe' : 'ignore', 'pipe'] });
    running.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      running.delete(child);
      let usage = { userS: null, sysS: null, maxRssBytes: null };
      try {
        if (meter.kind === 'gnu-time') {
          // time writes "Command exited with non-zero status N" before the format line on failure.
          const [, u, s, m] = readFileSync(out, 'utf8').trim().split('\n').pop().split(' ').map(Number);
          if ([u, s, m].every(Number.isFinite)) usage = { userS: u, sysS: s, maxRssBytes: m * 1024 };
        } else if (node && existsSync(out)) {
          const j = JSON.parse(readFileSync(out, 'utf8'));
          usage = { userS: j.userS, sysS: j.sysS, maxRssBytes: j.maxRssKiB * 1024 };
        }
      } catch {
        // no usage figures (the meter's file is missing or garbled); the wall time still stands
      } finally {
        rmSync(dir, { recursive: true, force: true });
        temporary.delete(dir);
      }
      resolve({ code: signal ? 128 : code, signal, wallS, ...usage, stdout, stderr });
    });
  });
}

/** Reads every file once so all timed commands start from the same, fully warm page cache. */
function warmUp(files) {
  const buf = Buffer.allocUnsafe(8 << 20);
  for (const f of files) {
    const fd = openSync(f, 'r');
    try {
      while (readSync(fd, buf, 0, buf.length, null) > 0);
    } finally {
      closeSync(fd);
    }
  }
}

/** CPU seconds all cores have spent busy since boot (os.cpus() already converts clock ticks to ms). */
function machineBusyS() {
  return cpus().reduce((n, c) => n + c.times.user + c.times.nice + c.times.sys + c.times.irq, 0) / 1000;
}

function toolVersion(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0].trim() : '(unknown)';
}

// ---------- the cached archive ----------

function cacheKey(events) {
  return { generatorVersion: GENERATOR_VERSION, seed: DEFAULT_SEED, events, origin: ORIGIN, sealArgs: SEAL_ARGS };
}

function readCachedMeta(dir, events) {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8'));
    if (JSON.stringify(meta.key) !== JSON.stringify(cacheKey(events))) return { meta: null, why: `generator or parameters changed (cached: ${JSON.stringify(meta.key)})` };
    const manifest = JSON.parse(readFileSync(join(dir, 'archive', 'manifest.json'), 'utf8'));
    if (manifest.entries !== events) return { meta: null, why: `cached manifest has ${manifest.entries} entries` };
    return { meta, why: null };
  } catch (e) {
    return { meta: null, why: e.code === 'ENOENT' ? 'no cached archive yet' : `cache unreadable (${e.message})` };
  }
}

async function generateArchive(dir, events, meter) {
  // meta.json is written last: a run interrupted part-way leaves no meta and is redone next time.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'log');
  const kg = spawnSync(process.execPath, [CLI, 'keygen', '--name', ORIGIN, '--out', key], { cwd: ROOT, encoding: 'utf8' });
  if (kg.status !== 0) die(`keygen failed (exit ${kg.status}): ${kg.stderr}`);

  // The plain .jsonl is only seal's input: keep it out of the repository and delete it afterwards.
  const tmp = mkdtempSync(join(tmpdir(), 'sealcheck-bench-'));
  temporary.add(tmp);
  try {
    const jsonl = join(tmp, 'kube-apiserver-audit.jsonl');
    process.stdout.write(`generating ${fmtInt(events)} audit events (generator v${GENERATOR_VERSION}, seed 0x${DEFAULT_SEED.toString(16)}) -> ${jsonl}\n`);
    const t0 = process.hrtime.bigint();
    const gen = writeAuditLog(jsonl, { count: events, onProgress: (n, total) => progress(`  ${fmtInt(n)} / ${fmtInt(total)} events`) });
    const generateS = Number(process.hrtime.bigint() - t0) / 1e9;
    progressDone();
    process.stdout.write(`  ${fmtInt(gen.events)} events, ${fmtInt(gen.bytes)} bytes (${(gen.bytes / gen.events).toFixed(0)} B/event) in ${fmtS(generateS)} s; sha256 ${gen.sha256}\n`);

    const archive = join(dir, 'archive');
    const sealArgv = [CLI, 'seal', '--key', `${key}.key`, '--origin', ORIGIN, '--out', archive, ...SEAL_ARGS, jsonl];
    process.stdout.write(`sealing: sealcheck seal ${SEAL_ARGS.join(' ')} -> ${archive}\n`);
    const seal = await runMeasured(meter, process.execPath, sealArgv, { captureStdout: true, node: true });
    if (seal.code !== 0) die(`seal failed (exit ${seal.code}): ${seal.stderr}${seal.stdout}`);
    process.stdout.write(`${seal.stdout.trimEnd().replace(/^/gm, '  ')}\n`);
    const meta = {
      key: cacheKey(events),
      created: new Date().toISOString(),
      node: process.version,
      jsonl: { events: gen.events, bytes: gen.bytes, sha256: gen.sha256 },
      generateS,
      seal: { wallS: seal.wallS, userS: seal.userS, sysS: seal.sysS, maxRssBytes: seal.maxRssBytes },
    };
    writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
    return meta;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    temporary.delete(tmp);
  }
}

function printGeneration(meta, cached) {
  const s = meta.seal;
  const when = cached ? `cached, measured ${meta.created} on Node ${meta.node}` : 'this run';
  process.stdout.write(`\ninput and seal (${when})\n`);
  process.stdout.write(`  generate  ${fmtS(meta.generateS)} s  ${fmtInt(meta.jsonl.events / meta.generateS)} events/s  (${fmtInt(meta.jsonl.bytes)} bytes, sha256 ${meta.jsonl.sha256})\n`);
  const cpu = s.userS !== null ? `, CPU ${fmtS(s.userS + s.sysS)} s` : '';
  const rss = s.maxRssBytes !== null ? `, peak RSS ${fmtMB(s.maxRssBytes)}` : '';
  process.stdout.write(`  seal      ${fmtS(s.wallS)} s  ${fmtInt(meta.jsonl.events / s.wallS)} events/s  ${(meta.jsonl.bytes / MB / s.wallS).toFixed(1)} MB/s${cpu}${rss}\n`);
}

// ---------- main ----------

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build) {
    // Measure the sources as they are now, not whatever dist/ was last built from.
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
    if (b.status !== 0) die('build failed (node scripts/build.mjs); nothing measured');
  }
  if (!existsSync(join(ROOT, 'dist/cli.mjs'))) die('dist/cli.mjs is missing: run `npm run build` or drop --no-build');

  const meter = chooseMeter();
  const dir = join(ROOT, 'bench-output', `k8s-audit-${opts.events}`);
  let { meta, why } = opts.regenerate ? { meta: null, why: '--regenerate' } : readCachedMeta(dir, opts.events);
  const cached = meta !== null;
  if (!cached) {
    process.stdout.write(`archive ${dir}: (re)generating: ${why}\n`);
    meta = await generateArchive(dir, opts.events, meter);
  }
  printGeneration(meta, cached);
  if (opts.prepare) return;

  const archive = join(dir, 'archive');
  const segDir = join(archive, 'segments');
  const files = readdirSync(segDir).sort().map((f) => join(segDir, f));
  const bytes = files.reduce((n, f) => n + statSync(f).size, 0);
  const jsonlFiles = files.filter((f) => f.endsWith('.jsonl')).length;
  const events = opts.events;

  const verifyArgs = [CLI, 'verify', archive, '--trust', join(dir, 'log.pub'), '--json'];
  const commands = [
    { name: 'openssl dgst -sha256', cmd: 'openssl', args: ['dgst', '-sha256', ...files], node: false },
    { name: 'sha256sum', cmd: 'sha256sum', args: files, node: false },
    { name: 'sealcheck verify', cmd: process.execPath, args: verifyArgs, node: true },
  ];

  process.stdout.write(`\nmachine   ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} logical cores, Node ${process.version}\n`);
  process.stdout.write(`tools     ${toolVersion('openssl', ['version'])}; ${toolVersion('sha256sum', ['--version'])}\n`);
  process.stdout.write(`data      ${archive}/segments: ${files.length} files (${jsonlFiles} .jsonl + ${files.length - jsonlFiles} .chain), ${fmtInt(bytes)} bytes, ${fmtInt(events)} events\n`);
  process.stdout.write(`verify    node electron/cli/sealcheck.mjs verify ${archive} --trust ${join(dir, 'log.pub')} --json >/dev/null (exit code must be 0)\n`);
  process.stdout.write(`RSS, CPU  ${meter.kind === 'gnu-time' ? meter.why : `scripts/bench/maxrss.mjs (process.resourceUsage() at exit; ${meter.why}); no RSS/CPU for openssl and sha256sum`}\n`);
  process.stdout.write(`method    ${opts.runs} run(s) of each command, interleaved; each preceded by one full read of the files (equal, warm page cache); median shown\n\n`);

  // Other work on the machine skews every figure (verify wants every core): measure it rather than hide it.
  const busyBefore = machineBusyS();
  const selfBefore = process.cpuUsage();
  const startedAt = process.hrtime.bigint();
  const results = new Map(commands.map((c) => [c.name, []]));
  for (let run = 1; run <= opts.runs; run++) {
    for (const c of commands) {
      progress(`run ${run}/${opts.runs}: warm-up read, then ${c.name}`);
      warmUp(files);
      const r = await runMeasured(meter, c.cmd, c.args, { node: c.node });
      if (r.code !== 0) {
        progressDone();
        die(`${c.name} exited ${r.signal ?? r.code} on run ${run}; the measurement is void.\n${r.stderr.slice(-2000)}` +
          (c.node ? '\n(a verify failure usually means a stale or damaged cache, or a broken build: try --regenerate)' : ''));
      }
      results.get(c.name).push(r);
    }
  }
  progressDone();

  const summary = commands.map((c) => {
    const rs = results.get(c.name);
    const walls = rs.map((r) => r.wallS);
    const cpu = rs.every((r) => r.userS !== null) ? median(rs.map((r) => r.userS + r.sysS)) : null;
    const rss = rs.every((r) => r.maxRssBytes !== null) ? Math.max(...rs.map((r) => r.maxRssBytes)) : null;
    return { name: c.name, wall: median(walls), min: Math.min(...walls), max: Math.max(...walls), cpu, rss };
  });
  const [openssl, sha256sum, verify] = summary;
  const ratio = (s) => (s.wall / verify.wall).toFixed(2);
  const rows = summary.map((s) => [
    s.name,
    fmtS(s.wall),
    `${fmtS(s.min)}-${fmtS(s.max)}`,
    s.cpu === null ? '-' : fmtS(s.cpu),
    (bytes / MB / s.wall).toFixed(1),
    s === verify ? fmtInt(events / s.wall) : '-',
    ratio(s),
    s.rss === null ? '-' : fmtMB(s.rss),
  ]);
  process.stdout.write(`${table(['command', 'wall s', 'range s', 'CPU s', 'MB/s', 'events/s', 'time/verify', 'peak RSS'], rows)}\n`);
  process.stdout.write(`(CPU s = user + system; above wall s means more than one core was busy. time/verify = that command's wall time / verify's.)\n`);
  const elapsedS = Number(process.hrtime.bigint() - startedAt) / 1e9;
  const ours = [...results.values()].flat();
  if (ours.every((r) => r.userS !== null)) {
    const self = process.cpuUsage(selfBefore);
    const otherS = Math.max(0, machineBusyS() - busyBefore - (self.user + self.system) / 1e6 - ours.reduce((n, r) => n + r.userS + r.sysS, 0));
    const share = otherS / (elapsedS * cpus().length);
    const warn = share > 0.05 ? ' -- WARNING: the machine was not idle, figures are pessimistic; rerun when it is' : '';
    process.stdout.write(`(other processes used ${fmtS(otherS)} CPU s during the ${fmtS(elapsedS)} s of runs, ${(100 * share).toFixed(0)}% of ${cpus().length} cores${warn})\n\n`);
  } else process.stdout.write('\n');

  const opensslRatio = openssl.wall / verify.wall;
  const verdict = (ok) => (ok ? 'met' : 'MISSED');
  const lines = [
    ['verify <= 2x openssl time (openssl/verify >= 0.50)', `${opensslRatio.toFixed(2)} (verify ${fmtS(verify.wall)} s, 2x openssl ${fmtS(2 * openssl.wall)} s)`, verdict(opensslRatio >= TARGET_OPENSSL_RATIO)],
    ['verify peak RSS < 400 MB', verify.rss === null ? 'not measured' : fmtMB(verify.rss), verify.rss === null ? 'UNKNOWN' : verdict(verify.rss < TARGET_RSS_BYTES)],
  ];
  process.stdout.write(`${table(['target', 'measured', 'status'], lines)}\n`);
  process.stdout.write(`(for reference: sha256sum/verify = ${(sha256sum.wall / verify.wall).toFixed(2)})\n`);
  const missed = lines.filter((l) => l[2] !== 'met').length;
  process.stdout.write(missed ? `\n${missed} target(s) MISSED (exit status stays 0: this is a benchmark, not a test)\n` : '\nall targets met\n');
  if (!opts.noIndex) spawnSync(process.execPath, [join(ROOT, 'scripts/bench/index.mjs'), archive, join(dir, 'log.pub'), String(verify.wall), String(events)], { cwd: ROOT, stdio: 'inherit' });
}

try {
  await main();
} catch (e) {
  if (!(e instanceof BenchError)) throw e;
  process.stderr.write(`bench: ${e.message}\n`);
  process.exitCode = 1;
}
