// Every command of the built CLI against hostile inputs: exact exit code, a message naming the file, never "internal error", never a hang.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SAMPLE = join(ROOT, 'resources/samples/audit2rbac_demo.jsonl');
const ORIGIN = 'prod.example/audit';
let dir = '';

function run(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  // A hostile input must never make a command wait: 60 s is far beyond any case here.
  const r = spawnSync(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], {
    cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, SEALCHECK_PASSPHRASE: '', ...env },
  });
  return { code: r.status, signal: r.signal, out: r.stdout, err: r.stderr };
}

/** The same, without blocking: the cases run a few at a time (each is a separate process). */
function runAsync(args: readonly string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'electron/cli/sealcheck.mjs'), ...args], {
      cwd: dir, timeout: 60_000, env: { ...process.env, SEALCHECK_PASSPHRASE: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('close', (code, signal) => resolve({ code, signal, out, err }));
  });
}

function ok(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const r = run(args, env);
  assert.equal(r.code, 0, `${args.join(' ')}\n${r.err}${r.out}`);
  return r;
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealcheck-hostile-'));
  ok(['keygen', '--name', ORIGIN, '--out', 'log']);
  ok(['keygen', '--name', 'witness.example/w1', '--out', 'w1', '--cosigner']);
  ok(['seal', '--key', 'log.key', '--origin', ORIGIN, '--out', 'arch', SAMPLE]);
  ok(['seal', '--key', 'log.key', '--origin', ORIGIN, '--out', 'arch.tar', SAMPLE]);
  ok(['verify', 'arch', '--trust', 'log.pub', '--index', 'case.sqlite']);
  ok(['prove', 'arch', '--index', '3', '--out', 'p.tlog-proof', '--trust', 'log.pub']);
  await writeFile(join(dir, 'pass.txt'), 'correct horse battery staple\n');
  ok(['keygen', '--examiner', '--name', 'Ex Aminer <ex@example.org>', '--out', 'ex', '--passphrase-file', 'pass.txt']);
  await mkdir(join(dir, 'adir'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  await writeFile(join(dir, 'empty'), '');
  await writeFile(join(dir, 'text.txt'), 'hello, not what you expected\n');
  await writeFile(join(dir, 'fake.pdf'), 'this is a text file named like a PDF\n');
  await writeFile(join(dir, 'other.pdf'), '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  await writeFile(join(dir, 'big.pub'), 'a'.repeat(100_000));
  const db = new Database(join(dir, 'notcase.sqlite'));
  db.exec('CREATE TABLE recipes (name TEXT)');
  db.close();
  await writeFile(join(dir, 'zero.sqlite'), '');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Case {
  args: string[];
  code: number;
  /** Matched against stderr (exit 2) or stdout (exit 0, 1): it must name the file. */
  says: RegExp;
}

const SEAL = ['seal', '--key', 'log.key', '--origin', ORIGIN];
const ATTEST = ['attest', 'arch', '--trust', 'log.pub', '--case', 'C-1', '--examiner', 'Ex Aminer', '--passphrase-file', 'pass.txt'];

const CASES: Case[] = [
  // keygen
  { args: ['keygen', '--name', 'x', '--out', 'nodir/k'], code: 2, says: /keygen: cannot open nodir\/k\.key: no such file or directory/ },
  { args: ['keygen', '--name', 'x', '--out', 'log'], code: 2, says: /log\.key already exists/ },
  { args: ['keygen', '--name', 'x', '--out', 'k1', '--cosigner', '--examiner'], code: 2, says: /--examiner and --cosigner exclude each other/ },
  { args: ['keygen', '--examiner', '--name', 'A <a@example.org>', '--out', 'k2', '--passphrase-file', '/dev/zero'], code: 2, says: /passphrase file \/dev\/zero is a device, not a regular file/ },
  { args: ['keygen', '--examiner', '--name', 'A <a@example.org>', '--out', 'k2', '--passphrase-file', 'fifo'], code: 2, says: /passphrase file fifo is a FIFO, not a regular file/ },
  { args: ['keygen', '--examiner', '--name', 'A <a@example.org>', '--out', 'k2', '--passphrase-file', 'adir'], code: 2, says: /passphrase file adir is a directory/ },
  { args: ['keygen', '--examiner', '--name', 'A <a@example.org>', '--out', 'k2', '--passphrase-file', 'empty'], code: 2, says: /passphrase file empty has an empty first line/ },
  { args: ['keygen', '--examiner', '--name', 'A <a@example.org>', '--out', 'k2', '--passphrase-file', 'missing'], code: 2, says: /cannot read passphrase file missing: no such file or directory/ },
  { args: ['keygen', '--examiner', '--name', 'A <a@example.org>', '--out', 'k2', '--passphrase-file', 'pass.txt', '--import-pkcs8', '/dev/zero'], code: 2, says: /--import-pkcs8 key file \/dev\/zero is a device/ },
  { args: ['keygen', '--examiner', '--name', 'A <a@example.org>', '--out', 'k2', '--passphrase-file', 'pass.txt', '--import-pkcs8', 'big.pub'], code: 2, says: /--import-pkcs8 key file big\.pub is larger than 64 KiB/ },
  { args: ['keygen', '--examiner', '--name', 'A <a@example.org>', '--out', 'nodir/k2', '--passphrase-file', 'pass.txt'], code: 2, says: /nodir\/k2/ },
  // seal
  { args: [...SEAL, '--out', 'o1', 'adir'], code: 2, says: /input adir is a directory, not a regular file/ },
  { args: [...SEAL, '--out', 'o1', '/dev/zero'], code: 2, says: /input \/dev\/zero is a device, not a regular file/ },
  { args: [...SEAL, '--out', 'o1', 'fifo'], code: 2, says: /input fifo is a FIFO, not a regular file \(give - to seal from standard input\)/ },
  { args: [...SEAL, '--out', 'o1', 'empty'], code: 2, says: /empty: no entries/ },
  { args: [...SEAL, '--out', 'o1', 'missing.log'], code: 2, says: /cannot read input missing\.log: no such file or directory/ },
  { args: [...SEAL, '--out', 'o1', 'fake.pdf', 'missing.log'], code: 2, says: /cannot read input missing\.log/ },
  { args: [...SEAL, '--out', 'nodir/x.tar', SAMPLE], code: 2, says: /--out nodir\/x\.tar: the folder nodir does not exist/ },
  { args: [...SEAL, '--out', 'text.txt/x', SAMPLE], code: 2, says: /--out text\.txt\/x: the folder text\.txt is not a folder/ },
  { args: [...SEAL, '--out', 'arch', SAMPLE], code: 2, says: /arch already exists/ },
  { args: [...SEAL, '--out', 'nothing-here', '--append', SAMPLE], code: 2, says: /--append: nothing-here does not exist/ },
  { args: ['seal', '--key', '/dev/zero', '--origin', ORIGIN, '--out', 'o1', SAMPLE], code: 2, says: /key file \/dev\/zero is a device/ },
  { args: ['seal', '--key', 'adir', '--origin', ORIGIN, '--out', 'o1', SAMPLE], code: 2, says: /key file adir is a directory/ },
  { args: ['seal', '--key', 'text.txt', '--origin', ORIGIN, '--out', 'o1', SAMPLE], code: 2, says: /--key text\.txt: / },
  { args: ['seal', '--key', 'big.pub', '--origin', ORIGIN, '--out', 'o1', SAMPLE], code: 2, says: /key file big\.pub is larger than 64 KiB/ },
  { args: [...SEAL, '--cosign', 'fifo', '--out', 'o1', SAMPLE], code: 2, says: /key file fifo is a FIFO/ },
  // verify
  { args: ['verify', 'arch', '--trust', '/dev/zero'], code: 2, says: /key file \/dev\/zero is a device, not a regular file/ },
  // The writer thread cannot create it (/proc takes no files, even from root): the machine's problem, said so, not a crash.
  { args: ['verify', 'arch', '--trust', 'log.pub', '--index', '/proc/case.sqlite'], code: 2, says: /sealcheck: verify: case database \/proc\/case\.sqlite: it cannot be created or opened there \(unable to open database file\)\n/ },
  { args: ['verify', 'arch', '--trust', 'fifo'], code: 2, says: /key file fifo is a FIFO/ },
  { args: ['verify', 'arch', '--trust', 'adir'], code: 2, says: /key file adir is a directory/ },
  { args: ['verify', 'arch', '--trust', 'empty'], code: 2, says: /--trust empty: / },
  { args: ['verify', 'arch', '--trust', 'big.pub'], code: 2, says: /key file big\.pub is larger than 64 KiB, more than any valid one; refused/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--witness', '/dev/zero'], code: 2, says: /key file \/dev\/zero is a device/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--anchor', '/dev/zero'], code: 2, says: /anchor \/dev\/zero is a device, not a regular file/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--anchor', 'fifo'], code: 2, says: /anchor fifo is a FIFO/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--anchor', 'adir'], code: 2, says: /anchor adir is a directory/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--anchor', 'empty'], code: 2, says: /anchor empty is not a valid checkpoint/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--anchor', 'text.txt'], code: 2, says: /anchor text\.txt is not a valid checkpoint/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--index', 'arch/case.sqlite'], code: 2, says: /--index arch\/case\.sqlite is inside the evidence arch/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--index', 'arch/manifest.json'], code: 2, says: /--index arch\/manifest\.json is inside the evidence arch/ },
  { args: ['verify', 'arch.tar', '--trust', 'log.pub', '--index', 'arch.tar'], code: 2, says: /--index arch\.tar is inside the evidence arch\.tar/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--index', 'nodir/case.sqlite'], code: 2, says: /--index nodir\/case\.sqlite: the folder nodir does not exist/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--index', 'text.txt'], code: 2, says: /--index text\.txt is not an SQLite database/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--index', 'notcase.sqlite'], code: 2, says: /--index notcase\.sqlite is an SQLite database but not a Sealcheck case database/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--index', 'adir'], code: 2, says: /--index adir is a directory/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--index', '/dev/zero'], code: 2, says: /--index \/dev\/zero is not a regular file/ },
  { args: ['verify', '/dev/zero', '--trust', 'log.pub'], code: 2, says: /\/dev\/zero: not a directory, tar or gzip file/ },
  { args: ['verify', 'fifo', '--trust', 'log.pub'], code: 2, says: /fifo: not a directory, tar or gzip file/ },
  { args: ['verify', 'empty', '--trust', 'log.pub'], code: 2, says: /empty: not a directory, tar or gzip file/ },
  { args: ['verify', 'text.txt', '--trust', 'log.pub'], code: 2, says: /text\.txt: not a directory, tar or gzip file/ },
  { args: ['verify', 'missing', '--trust', 'log.pub'], code: 2, says: /missing: no such file or directory/ },
  { args: ['verify', 'arch', '--trust', 'log.pub', '--quorum', '1'], code: 2, says: /--quorum needs --witness keys/ },
  { args: ['verify', 'arch', 'arch.tar', '--trust', 'log.pub'], code: 2, says: /expected exactly one ARCHIVE, got 2/ },
  // query
  { args: ['query', 'zero.sqlite'], code: 2, says: /query: zero\.sqlite is an empty database, not a case database/ },
  { args: ['query', 'empty'], code: 2, says: /query: empty is an empty database/ },
  { args: ['query', 'notcase.sqlite'], code: 2, says: /query: notcase\.sqlite is an SQLite database but not a Sealcheck case database/ },
  { args: ['query', 'text.txt'], code: 2, says: /query: text\.txt is not an SQLite database/ },
  { args: ['query', 'adir'], code: 2, says: /query: adir is a directory/ },
  { args: ['query', '/dev/zero'], code: 2, says: /query: \/dev\/zero is not a regular file/ },
  { args: ['query', 'fifo'], code: 2, says: /query: fifo is not a regular file/ },
  { args: ['query', 'missing.sqlite'], code: 2, says: /query: missing\.sqlite: no such file/ },
  { args: ['query', 'case.sqlite', '--json', '--csv'], code: 2, says: /--json and --csv exclude each other/ },
  // prove
  { args: ['prove', 'arch', '--index', '0', '--out', 'arch/p.tlog-proof', '--trust', 'log.pub'], code: 2, says: /--out arch\/p\.tlog-proof is inside the evidence arch/ },
  { args: ['prove', 'arch', '--index', '0', '--out', 'nodir/p.tlog-proof', '--trust', 'log.pub'], code: 2, says: /--out nodir\/p\.tlog-proof: the folder nodir does not exist/ },
  { args: ['prove', 'arch', '--index', '0', '--out', 'q.tlog-proof', '--trust', '/dev/zero'], code: 2, says: /key file \/dev\/zero is a device/ },
  { args: ['prove', '/dev/zero', '--index', '0', '--out', 'q.tlog-proof', '--trust', 'log.pub'], code: 2, says: /\/dev\/zero: not a directory, tar or gzip file/ },
  { args: ['prove', 'arch', '--index', '999', '--out', 'q.tlog-proof', '--trust', 'log.pub'], code: 2, says: /there is no entry 999: the archive has 37 entries/ },
  // verify-proof
  { args: ['verify-proof', '/dev/zero', '--entry', 'p.entry', '--trust', 'log.pub'], code: 2, says: /proof \/dev\/zero is a device, not a regular file/ },
  { args: ['verify-proof', 'fifo', '--entry', 'p.entry', '--trust', 'log.pub'], code: 2, says: /proof fifo is a FIFO/ },
  { args: ['verify-proof', 'adir', '--entry', 'p.entry', '--trust', 'log.pub'], code: 2, says: /proof adir is a directory/ },
  { args: ['verify-proof', 'p.tlog-proof', '--entry', '/dev/zero', '--trust', 'log.pub'], code: 2, says: /entry file \/dev\/zero is a device, not a regular file/ },
  { args: ['verify-proof', 'p.tlog-proof', '--entry', 'fifo', '--trust', 'log.pub'], code: 2, says: /entry file fifo is a FIFO/ },
  { args: ['verify-proof', 'p.tlog-proof', '--entry', 'adir', '--trust', 'log.pub'], code: 2, says: /entry file adir is a directory/ },
  { args: ['verify-proof', 'p.tlog-proof', '--entry', 'missing', '--trust', 'log.pub'], code: 2, says: /cannot read entry file missing: no such file or directory/ },
  { args: ['verify-proof', 'empty', '--entry', 'p.entry', '--trust', 'log.pub'], code: 1, says: /^NOT PROVEN: malformed proof/ },
  { args: ['verify-proof', 'p.tlog-proof', '--entry', 'empty', '--trust', 'log.pub'], code: 1, says: /^NOT PROVEN: the entry is empty/ },
  { args: ['verify-proof', 'p.tlog-proof', '--entry', 'text.txt', '--trust', 'log.pub'], code: 1, says: /^NOT PROVEN: root mismatch/ },
  { args: ['verify-proof', 'p.tlog-proof', '--entry', 'p.entry', '--trust', 'log.pub'], code: 0, says: /^PROVEN: entry 3 is in prod\.example\/audit/ },
  // attest
  { args: [...ATTEST, '--examiner-key', 'ex.key', '--out', 'arch/r.pdf'], code: 2, says: /--out arch\/r\.pdf is inside the evidence arch/ },
  { args: [...ATTEST, '--examiner-key', 'ex.key', '--out', 'nodir/r.pdf'], code: 2, says: /--out nodir\/r\.pdf: the folder nodir does not exist/ },
  { args: [...ATTEST, '--examiner-key', 'ex.key', '--out', 'r.pdf', '--index', 'arch/x.sqlite'], code: 2, says: /--index arch\/x\.sqlite is inside the evidence arch/ },
  { args: [...ATTEST, '--examiner-key', 'ex.key', '--out', 'r.pdf', '--index', 'notcase.sqlite'], code: 2, says: /--index notcase\.sqlite is an SQLite database but not a Sealcheck case database/ },
  { args: [...ATTEST, '--examiner-key', '/dev/zero', '--out', 'r.pdf'], code: 2, says: /examiner key \/dev\/zero is a device/ },
  { args: [...ATTEST, '--examiner-key', 'adir', '--out', 'r.pdf'], code: 2, says: /examiner key adir is a directory/ },
  { args: [...ATTEST, '--examiner-key', 'fifo', '--out', 'r.pdf'], code: 2, says: /examiner key fifo is a FIFO/ },
  { args: [...ATTEST, '--examiner-key', 'text.txt', '--out', 'r.pdf'], code: 2, says: /text\.txt/ },
  { args: ['attest', 'arch', '--trust', 'log.pub', '--case', 'C-1', '--passphrase-file', '/dev/zero', '--examiner-key', 'ex.key', '--out', 'r.pdf'], code: 2, says: /passphrase file \/dev\/zero is a device/ },
  { args: ['attest', '/dev/zero', '--trust', 'log.pub', '--case', 'C-1', '--passphrase-file', 'pass.txt', '--examiner-key', 'ex.key', '--out', 'r.pdf'], code: 2, says: /\/dev\/zero: not a directory, tar or gzip file/ },
  // verify-attestation
  { args: ['verify-attestation', 'adir', '--examiner', 'ex.pub'], code: 2, says: /attestation adir is a directory/ },
  { args: ['verify-attestation', '/dev/zero', '--examiner', 'ex.pub'], code: 2, says: /attestation \/dev\/zero is a device/ },
  { args: ['verify-attestation', 'fifo', '--examiner', 'ex.pub'], code: 2, says: /attestation fifo is a FIFO/ },
  { args: ['verify-attestation', 'missing.pdf', '--examiner', 'ex.pub'], code: 2, says: /missing\.pdf: no such file/ },
  { args: ['verify-attestation', 'fake.pdf', '--examiner', '/dev/zero'], code: 2, says: /--examiner key file \/dev\/zero is a device/ },
  { args: ['verify-attestation', 'fake.pdf', '--examiner', 'log.pub'], code: 2, says: /--examiner log\.pub: not an examiner public key/ },
  { args: ['verify-attestation', 'fake.pdf', '--examiner', 'ex.pub'], code: 1, says: /^INVALID: fake\.pdf failed \d+ check/ },
  { args: ['verify-attestation', 'other.pdf', '--examiner', 'ex.pub'], code: 1, says: /^INVALID: other\.pdf failed \d+ check/ },
  { args: ['verify-attestation', 'empty', '--examiner', 'ex.pub'], code: 1, says: /^INVALID: empty failed \d+ check/ },
  // timestamp, excerpt, verify-excerpt, self-test
  { args: ['timestamp', '/dev/zero', '--tsa', 'http://127.0.0.1:9/'], code: 2, says: /report \/dev\/zero is a device, not a regular file/ },
  { args: ['timestamp', 'adir', '--tsa', 'http://127.0.0.1:9/'], code: 2, says: /report adir is a directory/ },
  { args: ['timestamp', 'fifo', '--tsa', 'http://127.0.0.1:9/'], code: 2, says: /report fifo is a FIFO/ },
  { args: ['excerpt', 'arch', '--trust', 'log.pub', '--index', '1', '--out', 'arch/x.tar.gz'], code: 2, says: /--out arch\/x\.tar\.gz is inside the evidence arch/ },
  { args: ['excerpt', 'arch', '--trust', 'log.pub', '--db', 'notcase.sqlite', '--verb', 'get', '--out', 'x.tar.gz'], code: 2, says: /--db notcase\.sqlite is an SQLite database but not a Sealcheck case database/ },
  { args: ['verify-excerpt', '/dev/zero', '--trust', 'log.pub'], code: 2, says: /excerpt \/dev\/zero is a device/ },
  { args: ['verify-excerpt', 'fifo', '--trust', 'log.pub'], code: 2, says: /excerpt fifo is a FIFO/ },
  { args: ['self-test', '--out', 'nodir/x.json'], code: 2, says: /nodir\/x\.json: the folder .*nodir does not exist/ },
  // no command at all, or an unknown one
  { args: ['frobnicate'], code: 2, says: /unknown command "frobnicate"/ },
];

test('hostile inputs to every command: the exact exit code, one sentence naming the file, never an internal error', async () => {
  const failures: string[] = [];
  const results = new Array<Awaited<ReturnType<typeof runAsync>>>(CASES.length);
  let next = 0;
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (next < CASES.length) {
      const i = next++;
      results[i] = await runAsync(CASES[i]!.args);
    }
  }));
  for (const [i, c] of CASES.entries()) {
    const r = results[i]!;
    const text = c.code === 2 ? r.err : r.out;
    const problems: string[] = [];
    if (r.signal) problems.push(`killed by ${r.signal} (a hang?)`);
    if (r.code !== c.code) problems.push(`exit ${r.code}, expected ${c.code}`);
    if (!c.says.test(text)) problems.push(`output does not match ${c.says}`);
    if (/internal error/.test(r.err + r.out)) problems.push('says "internal error"');
    if (c.code === 2 && !/^sealcheck: [^\n]+\n$/.test(r.err)) problems.push('stderr is not one line starting with "sealcheck: "');
    if (/\n\s+at /.test(r.err)) problems.push('prints a stack trace');
    if (problems.length) failures.push(`${c.args.join(' ')}: ${problems.join('; ')}\n  stderr: ${r.err.trim()}\n  stdout: ${r.out.trim().slice(0, 300)}`);
  }
  assert.deepEqual(failures, []);
  // Nothing was written by a refused command: no output, no staging folder, no key.
  const left = (await readdir(dir)).filter((f) => /^(o1|k1|k2|q|r)\b|sealing|nothing-here|^nodir/.test(f));
  assert.deepEqual(left, []);
  assert.deepEqual((await readdir(join(dir, 'arch'))).sort(), ['checkpoints', 'manifest.json', 'segments']);
});
