// The `sealcheck` command line: keygen, seal, verify, prove and verify-proof (spec §7), on the same services as the app.
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import type { Finding } from '../../shared/core/findings.ts';
import { COSIGNER_KEY, LOG_KEY, formatSignerKey, formatVerifierKey, isValidKeyName, keyFingerprint, keyIdHex, makeKey } from '../../shared/core/keys.ts';
import { SOURCE_KINDS, type SourceKind } from '../../shared/core/manifest.ts';
import { toVerifyJson, type VerifyReport } from '../../shared/core/report.ts';
import { toHex } from '../../shared/core/bytes.ts';
import { NotAnArchiveError } from '../services/archive.node.ts';
import { nodeEd25519 } from '../services/crypto.node.ts';
import { UsageError, loadAnchor, loadSignerKey, loadVerifierKey } from '../services/keys.node.ts';
import { seal, SealError } from '../services/seal.node.ts';
import { TOOL_VERSION } from '../services/runtime.node.ts';
import { verifyArchive, type VerifyProgress } from '../services/verify.node.ts';
import { CannotProveError, MAX_PROOF_BYTES, digestEntryFile, proveEntry, verifyProof } from '../services/proof.node.ts';
import { describeFsError, InputFileError, isFsError, KEY_FILE_LIMIT, readBoundedFile, readBoundedText } from '../services/bounded-read.node.ts';
import { describeUnixSeconds, stringifyJson } from '../../shared/core/json-text.ts';
import { checkIndexTarget, refuseInsideEvidence, requireCaseDatabase, requireOutputFolder } from './paths.ts';
import { checkProfileText, type ExaminerIdentity, formatExaminerName, generateExaminerKey, importPkcs8ExaminerKey, loadExaminerKey, opensshFingerprint, parseExaminerName, resolvePassphrase, sha256Fingerprint, writeExaminerKeyFiles, DEFAULT_SCRYPT } from '../services/attest/examiner-key.node.ts';
import { parseArgs, one, required, positiveInteger, type Parsed } from './args.ts';
import { ScopeAnalyzer } from '../../shared/core/scope.ts';
import { humanScope, loadSuppliedPolicy, saveIndexedScope, scopeLine } from './scope-output.ts';
import { countEvents, listEvents, PRESETS, type EntryStatus, type EventFilter, type EventRow, type PresetName } from '../services/index/query.node.ts';
import { openCaseDatabase } from '../services/index/writer.node.ts';
import { CaseDatabaseError } from '../services/index/case-errors.node.ts';
import { attest, checkExaminerName, examinerPublicKey, verifyAttestation } from '../services/attest/attest.node.ts';
import type { DeclarationTemplate } from '../../shared/core/attestation.ts';
import { attestSelfTest, selfTestRecordPath, SELF_TEST_SKIPPED } from '../services/attest/self-test-run.node.ts';
import { loadTsaCertificates, timestampCommand, TIMESTAMP_EXIT_CODES, TIMESTAMP_USAGE } from './timestamp-command.ts';
import { SELF_TEST_HELP, selfTestCommand } from './self-test.ts';
import { EXCERPT_EXIT_CODES, EXCERPT_USAGE, excerptCommand, verifyExcerptCommand } from './excerpt-command.ts';

const HELP = `sealcheck ${TOOL_VERSION} — seal and verify Kubernetes audit log archives (format v1)

Usage:
  sealcheck keygen --name NAME --out PREFIX [--cosigner]
  sealcheck keygen --examiner --name "NAME <EMAIL>" --out PREFIX [--passphrase-file F]
                  [--import-pkcs8 KEY.pem] [--organisation O] [--qualifications TEXT]
                  (passphrase: first line of F, else $SEALCHECK_PASSPHRASE)
  sealcheck seal --key LOG.key --origin ORIGIN --out ARCHIVE [--cosign W.key ...]
                 [--checkpoint-every N] [--segment-entries N] [--gzip] [--append]
                 [--kind auto|KIND] [--description TEXT] [--policy AUDIT-POLICY.yaml] INPUT...
  sealcheck verify ARCHIVE --trust KEY [--trust NAME=KEY.pem ...] [--witness KEY ... --quorum K]
                   [--anchor CHECKPOINT ...] [--origin ORIGIN] [--index CASE.sqlite] [--json]
                   [--scope] [--policy AUDIT-POLICY.yaml]
  sealcheck prove ARCHIVE --index N --out FILE.tlog-proof --trust KEY [--trust NAME=KEY.pem ...]
                  [--witness KEY ... --quorum K]
  sealcheck verify-proof FILE.tlog-proof --entry RAW_EVENT_FILE --trust KEY [--trust NAME=KEY.pem ...]
                         [--witness KEY ... --quorum K]
  sealcheck attest ARCHIVE|EXCERPT --trust KEY [...] [--witness KEY ... --quorum K] [--anchor CHECKPOINT ...]
                  --examiner-key PREFIX.key [--passphrase-file F] --case ID [--examiner NAME]
                  [--title T] [--requesting-party P] [--role R] [--organisation O]
                  [--received-from W] [--received-at TIME] [--received-how H] [--stored-where S]
                  [--authority A] [--evidence-number N] [--request TEXT] [--digest-at-receipt SHA256]
                  [--declaration us-fre-902|uk-crimpr-19|none] [--reviewer-key R.key --reviewer-passphrase-file F]
                  [--report-version N --supersedes REPORT-ID] [--no-self-test] [--index CASE.sqlite]
                  [--policy AUDIT-POLICY.yaml] --out REPORT.pdf
                  (--examiner must be the name stored with the key; absent custody fields print "not provided")
  sealcheck verify-attestation REPORT.pdf --examiner PUB [--archive ARCHIVE] [--tsa-cert CERT.pem ...] [--json]
${TIMESTAMP_USAGE}${SELF_TEST_HELP}${EXCERPT_USAGE}
  sealcheck query CASE.sqlite [--verb V] [--user U] [--resource R] [--namespace N] [--code C]
                  [--from TIME] [--to TIME] [--text Q] [--preset NAME [--account NAME]]
                  [--stage S] [--status covered|unsigned|failed] [--count] [--limit N] [--json|--csv]

Exit codes of verify: 0 verified, 1 failed, 3 incomplete, 2 bad usage (arguments, keys, anchors,
or a path that is not a directory, tar or gzip file).
prove writes FILE.tlog-proof (C2SP tlog-proof v1, against the smallest trusted checkpoint covering
entry N) and FILE.entry (the entry's bytes): exit 0 written, 1 entry not covered, 2 bad usage or no
such entry. verify-proof: exit 0 proven, 1 not proven, 2 bad usage (RAW_EVENT_FILE may end with one LF).
self-test: exit 0 every bundled case gave its expected verdict and findings, 1 one did not, 2 bad usage;
the JSON record (default: sealcheck-self-test-<UTC time>.json here) is signed (FILE.dsse.json) with --examiner-key.
${TIMESTAMP_EXIT_CODES}${EXCERPT_EXIT_CODES}`;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  stderrIsTty: boolean;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'keygen':
        return await keygen(rest, io);
      case 'seal':
        return await sealCommand(rest, io);
      case 'verify':
        return await verify(rest, io);
      case 'query':
        return await query(rest, io);
      case 'prove':
        return await prove(rest, io);
      case 'verify-proof':
        return await verifyProofCommand(rest, io);
      case 'attest':
        return await attestCommand(rest, io);
      case 'verify-attestation':
        return await verifyAttestationCommand(rest, io);
      case 'timestamp':
        return await timestampCommand(rest, io);
      case 'excerpt':
        return await excerptCommand(rest, io);
      case 'verify-excerpt':
        return await verifyExcerptCommand(rest, io);
      case 'self-test':
        return await selfTestCommand(rest, io);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        io.stdout(HELP);
        return command === undefined ? 2 : 0;
      case '--version':
        io.stdout(`sealcheck ${TOOL_VERSION}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)} (commands: keygen, seal, verify, query, prove, verify-proof)`);
    }
  } catch (e) {
    const message = usageMessage(e, command ?? '');
    if (message === null) throw e;
    io.stderr(`sealcheck: ${message}\n`);
    return 2;
  }
}

/**
 * The one place that tells bad usage from a bug. Refusals of the services, files that cannot be read
 * or written as given (missing, a directory, not allowed, a full disk...) are the user's to fix: one
 * sentence, exit 2. Everything else propagates, and exit 70 "internal error" then means a bug only.
 */
export function usageMessage(e: unknown, command: string): string | null {
  if (e instanceof UsageError || e instanceof SealError || e instanceof NotAnArchiveError || e instanceof InputFileError) return e.message;
  if (isFsError(e)) return `${command ? `${command}: ` : ''}${describeFsError(e)}`;
  if (e instanceof CaseDatabaseError) return `${command ? `${command}: ` : ''}${e.message}`;
  return null;
}

async function keygen(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, {
    name: { kind: 'one' }, out: { kind: 'one' }, cosigner: { kind: 'bool' },
    examiner: { kind: 'bool' }, 'passphrase-file': { kind: 'one' }, 'import-pkcs8': { kind: 'one' },
    organisation: { kind: 'one' }, qualifications: { kind: 'one' },
  }, 'keygen');
  if (p.positional.length) throw new UsageError(`keygen: unexpected argument ${JSON.stringify(p.positional[0])}`);
  if (p.flags.has('examiner')) return examinerKeygen(p, io);
  for (const f of ['passphrase-file', 'import-pkcs8', 'organisation', 'qualifications']) if (p.flags.has(f)) throw new UsageError(`keygen: --${f} is only for --examiner keys`);
  const name = required(p, 'name', 'keygen');
  const out = required(p, 'out', 'keygen');
  if (!isValidKeyName(name)) throw new UsageError(`keygen: invalid key name ${JSON.stringify(name)} (non-empty, no spaces, no '+')`);
  for (const f of [`${out}.key`, `${out}.pub`]) if (existsSync(f)) throw new UsageError(`keygen: ${f} already exists; not overwriting a key`);
  const type = p.flags.has('cosigner') ? COSIGNER_KEY : LOG_KEY;
  const seed = randomBytes(32);
  const pub = makeKey(name, type, nodeEd25519.publicKeyFromSeed(seed));
  await writeFile(`${out}.key`, `${formatSignerKey({ ...pub, seed })}\n`, { mode: 0o600, flag: 'wx' });
  await writeFile(`${out}.pub`, `${formatVerifierKey(pub)}\n`, { flag: 'wx' });
  io.stdout(`${type === LOG_KEY ? 'log' : 'cosigner'} key ${name}+${keyIdHex(pub.keyId)}\n`);
  io.stdout(`  private: ${out}.key (keep it secret)\n  public:  ${out}.pub\n  public key SHA-256: ${toHex(keyFingerprint(pub.publicKey))}\n`);
  return 0;
}

/** The examiner's attestation key: encrypted PREFIX.key, PEM PREFIX.pub, OpenSSH PREFIX.ssh.pub. */
async function examinerKeygen(p: Parsed, io: Io): Promise<number> {
  if (p.flags.has('cosigner')) throw new UsageError('keygen: --examiner and --cosigner exclude each other');
  const identity: ExaminerIdentity = parseExaminerName(required(p, 'name', 'keygen'));
  for (const f of ['organisation', 'qualifications'] as const) {
    const v = one(p, f);
    if (v !== undefined && v.trim() !== '') identity[f] = checkProfileText(v, f);
  }
  const out = required(p, 'out', 'keygen');
  const pemPath = one(p, 'import-pkcs8');
  const pem = pemPath === undefined ? undefined : await readBoundedText(pemPath, KEY_FILE_LIMIT, '--import-pkcs8 key file');
  // The passphrase is checked before the key is made, so a missing one costs nothing.
  const passphrase = await resolvePassphrase({ passphraseFile: one(p, 'passphrase-file') });
  const key = pem === undefined ? generateExaminerKey(identity) : importPkcs8ExaminerKey(pem, identity, pemPath);
  try {
    const paths = await writeExaminerKeyFiles(out, key, passphrase);
    io.stdout(`examiner key ${formatExaminerName(identity)}${pem === undefined ? '' : ` (imported from ${pemPath})`}\n`);
    io.stdout(`  private: ${paths.key} (encrypted: scrypt N=2^${Math.log2(DEFAULT_SCRYPT.N)} r=${DEFAULT_SCRYPT.r} p=${DEFAULT_SCRYPT.p}, AES-256-GCM)\n`);
    io.stdout(`  public:  ${paths.pub} (PEM), ${paths.sshPub} (OpenSSH)\n`);
    io.stdout(`  public key SHA-256: ${sha256Fingerprint(key.publicKey)}\n  OpenSSH fingerprint: ${opensshFingerprint(key.publicKey)}\n`);
  } finally {
    key.seed.fill(0);
  }
  return 0;
}

async function sealCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, {
    key: { kind: 'one' }, origin: { kind: 'one' }, out: { kind: 'one' }, cosign: { kind: 'many' },
    'checkpoint-every': { kind: 'one' }, 'segment-entries': { kind: 'one' }, gzip: { kind: 'bool' }, append: { kind: 'bool' },
    kind: { kind: 'one' }, description: { kind: 'one' }, policy: { kind: 'one' },
  }, 'seal');
  const key = await loadSignerKey(required(p, 'key', 'seal'), '--key');
  const cosigners = await Promise.all((p.flags.get('cosign') ?? []).map((f) => loadSignerKey(f, '--cosign')));
  // `auto` (the default): the kind is detected from the entries, and the shape of each input from its content.
  const kind = one(p, 'kind') === 'auto' ? undefined : one(p, 'kind');
  if (kind !== undefined && !(SOURCE_KINDS as readonly string[]).includes(kind)) throw new UsageError(`seal: --kind must be auto or one of ${SOURCE_KINDS.join(', ')}`);
  if (p.positional.length === 0) throw new UsageError('seal: no INPUT given (audit log files, or - for standard input)');
  const description = one(p, 'description');
  const checkpointEvery = positiveInteger(p, 'checkpoint-every', 'seal');
  const segmentEntries = positiveInteger(p, 'segment-entries', 'seal');
  const r = await seal({
    key, cosigners, origin: required(p, 'origin', 'seal'), out: required(p, 'out', 'seal'), inputs: p.positional,
    gzip: p.flags.has('gzip'), append: p.flags.has('append'),
    ...(checkpointEvery ? { checkpointEvery } : {}), ...(segmentEntries ? { segmentEntries } : {}),
    ...(kind ? { kind: kind as SourceKind } : {}), ...(description !== undefined ? { description } : {}),
    ...(one(p, 'policy') !== undefined ? { policy: one(p, 'policy')! } : {}),
  });
  if (r.entriesAdded === 0) {
    io.stdout(`no new entries: ${r.out} left unchanged (${r.entriesBefore} entries)\n`);
    return 0;
  }
  io.stdout(`sealed ${r.entriesAdded} entries (${r.kind}) into ${r.out} (${r.container}), now ${r.entriesBefore + r.entriesAdded} entries\n`);
  io.stdout(`  ${r.segmentsWritten.length} segment${r.segmentsWritten.length === 1 ? '' : 's'}, ${r.checkpointsWritten.length} checkpoint${r.checkpointsWritten.length === 1 ? '' : 's'} (last: ${r.checkpointsWritten[r.checkpointsWritten.length - 1]})\n`);
  if (r.emptyLinesSkipped) io.stdout(`  ${r.emptyLinesSkipped} empty input line${r.emptyLinesSkipped === 1 ? '' : 's'} skipped (an empty line is not an entry)\n`);
  if (r.finalNewlinesAdded) io.stdout(`  ${r.finalNewlinesAdded} input${r.finalNewlinesAdded === 1 ? '' : 's'} ended without a newline; the last line was sealed as it is, with LF added\n`);
  for (const note of r.notes) io.stdout(`  ${note}\n`);
  for (const warning of r.warnings) io.stderr(`warning: ${warning}\n`);
  return 0;
}

async function verify(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, {
    trust: { kind: 'many' }, witness: { kind: 'many' }, quorum: { kind: 'one' }, anchor: { kind: 'many' },
    origin: { kind: 'one' }, json: { kind: 'bool' }, index: { kind: 'one' }, policy: { kind: 'one' }, scope: { kind: 'bool' },
  }, 'verify');
  if (p.positional.length !== 1) throw new UsageError(`verify: expected exactly one ARCHIVE, got ${p.positional.length}`);
  const archive = p.positional[0]!;
  const policy = await loadPolicy(p);
  const indexArg = one(p, 'index');
  if (indexArg !== undefined) checkIndexTarget(indexArg, archive, 'verify: --index');
  const anchors = [];
  for (const a of p.flags.get('anchor') ?? []) anchors.push(await loadAnchor(a, policy.logKeys));
  const progress = io.stderrIsTty && !p.flags.has('json') ? progressPrinter(io) : undefined;
  const indexPath = one(p, 'index');
  const index = indexPath === undefined ? undefined : {
    dbPath: indexPath,
    run: {
      tool: 'sealcheck', toolVersion: TOOL_VERSION, startedAt: new Date().toISOString(),
      keys: [...policy.logKeys.map((k) => ({ ...k, role: 'log' as const })), ...policy.witnessKeys.map((k) => ({ ...k, role: 'witness' as const }))],
      quorum: policy.quorum, expectedOrigin: policy.origin, anchors: anchors.map((a) => ({ path: a.path, note: a.note.text })),
    },
  };
  // The evidence scope (issue 11) costs a JSON parse per entry (in the segment workers), so it is worked out only when asked for.
  const auditPolicyFile = one(p, 'policy');
  const scope = auditPolicyFile !== undefined || p.flags.has('scope') ? new ScopeAnalyzer(auditPolicyFile === undefined ? undefined : await loadSuppliedPolicy(auditPolicyFile, 'verify')) : undefined;
  const report = await verifyArchive(archive, { policy, anchors, ...(progress ? { onProgress: progress.update } : {}), ...(index ? { index } : {}), ...(scope ? { scope } : {}) });
  progress?.done();
  const scoped = scope?.finish();
  // The app's Results read the scope from the run's stored report; an index written here shows it too.
  if (scoped && indexPath !== undefined) saveIndexedScope(indexPath, archive, scoped);
  if (p.flags.has('json')) io.stdout(`${stringifyJson(scoped ? { ...toVerifyJson(report), scope: scoped } : toVerifyJson(report))}\n`);
  else {
    io.stdout(humanReport(report));
    if (scoped) io.stdout(humanScope(scoped));
    if (indexPath !== undefined) io.stdout(`indexed ${report.entriesPresent} entries into ${indexPath}\n`);
  }
  return report.verdict === 'verified' ? 0 : report.verdict === 'failed' ? 1 : 3;
}

/** Event times on the command line: RFC 3339 (a date alone is midnight UTC), as microseconds. */
function timeArg(p: Parsed, name: string): number | undefined {
  const v = one(p, name);
  if (v === undefined) return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(ms)) throw new UsageError(`query: --${name} ${JSON.stringify(v)} is not a time (use RFC 3339, e.g. 2023-03-10T22:38:26Z)`);
  return ms * 1000;
}

async function query(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, {
    verb: { kind: 'one' }, user: { kind: 'one' }, resource: { kind: 'one' }, namespace: { kind: 'one' }, code: { kind: 'one' },
    from: { kind: 'one' }, to: { kind: 'one' }, text: { kind: 'one' }, preset: { kind: 'one' }, account: { kind: 'one' },
    stage: { kind: 'one' }, status: { kind: 'one' }, decision: { kind: 'one' }, archive: { kind: 'one' },
    count: { kind: 'bool' }, limit: { kind: 'one' }, json: { kind: 'bool' }, csv: { kind: 'bool' },
  }, 'query');
  if (p.positional.length !== 1) throw new UsageError(`query: expected exactly one CASE.sqlite, got ${p.positional.length}`);
  if (p.flags.has('json') && p.flags.has('csv')) throw new UsageError('query: --json and --csv exclude each other');
  const dbPath = p.positional[0]!;
  requireCaseDatabase(dbPath, 'query:');
  const preset = one(p, 'preset');
  if (preset !== undefined && !(PRESETS as readonly string[]).includes(preset)) throw new UsageError(`query: --preset must be one of ${PRESETS.join(', ')}`);
  const status = one(p, 'status');
  if (status !== undefined && !['covered', 'unsigned', 'failed'].includes(status)) throw new UsageError('query: --status must be covered, unsigned or failed');
  const code = one(p, 'code');
  if (code !== undefined && !/^[1-9][0-9]{2}$/.test(code)) throw new UsageError(`query: --code must be an HTTP status code, got ${JSON.stringify(code)}`);
  const filter: EventFilter = {};
  const set = <K extends keyof EventFilter>(k: K, v: EventFilter[K] | undefined) => {
    if (v !== undefined) filter[k] = v;
  };
  set('verb', one(p, 'verb'));
  set('user', one(p, 'user'));
  set('resource', one(p, 'resource'));
  set('namespace', one(p, 'namespace'));
  set('stage', one(p, 'stage'));
  set('decision', one(p, 'decision'));
  set('text', one(p, 'text'));
  set('code', code === undefined ? undefined : Number(code));
  set('fromUs', timeArg(p, 'from'));
  set('toUs', timeArg(p, 'to'));
  set('preset', preset as PresetName | undefined);
  set('presetArg', one(p, 'account'));
  set('status', status as EntryStatus | undefined);
  set('archiveId', positiveInteger(p, 'archive', 'query'));
  let db;
  try {
    db = openCaseDatabase(dbPath, { readonly: true });
  } catch (e) {
    throw new UsageError(`query: ${dbPath} is not a case database: ${(e as Error).message}`);
  }
  try {
    if (p.flags.has('count')) {
      const n = countEvents(db, filter);
      io.stdout(p.flags.has('json') ? `${JSON.stringify({ count: n })}\n` : `${n}\n`);
      return 0;
    }
    const limit = positiveInteger(p, 'limit', 'query') ?? 100;
    const { events } = listEvents(db, filter, { limit, sort: 'time' });
    if (p.flags.has('json')) io.stdout(`${JSON.stringify({ events: events.map(flatEvent) }, null, 2)}\n`);
    else if (p.flags.has('csv')) io.stdout(toCsv(events.map(flatEvent)));
    else {
      for (const e of events) {
        const f = e.fields;
        const what = f.verb ? `${f.verb} ${f.requestUri ?? ''}` : f.method ? `${f.method} ${f.path ?? ''}` : '';
        io.stdout(`${e.index}\t${f.time ?? '-'}\t${f.username ?? '-'}\t${what}\t${f.responseCode ?? f.status ?? '-'}\t${e.status}\t${sensitiveText(e.sensitive)}\n`);
      }
    }
    return 0;
  } finally {
    db.close();
  }
}

function flatEvent(e: EventRow): Record<string, unknown> {
  // `status` is an access log's HTTP status (a parsed column); the entry's verification status is `verification`.
  return { archiveId: e.archiveId, index: e.index, ...e.fields, verification: e.status, coveredBy: e.coveredBy, failedBy: e.failedBy, sensitive: e.sensitive, segment: e.segment, offset: e.offset, length: e.length, leaf: e.leaf };
}

/** The sensitive-data rules an entry matched, for a text column: '-' for none, not-checked for an archive indexed before the rules. */
const sensitiveText = (rules: readonly string[] | null) => (rules === null ? 'not-checked' : rules.join(',') || '-');

function toCsv(rows: Record<string, unknown>[]): string {
  if (rows.length === 0) return '';
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : Array.isArray(v) ? v.join(' ') : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `${cols.join(',')}\n${rows.map((r) => cols.map((c) => cell(r[c])).join(',')).join('\n')}\n`;
}

const POLICY_FLAGS = { trust: { kind: 'many' }, witness: { kind: 'many' }, quorum: { kind: 'one' }, anchor: { kind: 'many' }, origin: { kind: 'one' } } as const;

/** Chain-of-custody flags of attest and the Custody field each fills. */
const CUSTODY_FIELDS = {
  'received-from': 'receivedFrom', 'received-at': 'receivedAt', 'received-how': 'receivedHow', 'stored-where': 'storedWhere',
  authority: 'authority', 'evidence-number': 'evidenceNumber', request: 'request', 'digest-at-receipt': 'digestAtReceipt',
} as const;
const CUSTODY_FLAGS = Object.fromEntries(Object.keys(CUSTODY_FIELDS).map((f) => [f, { kind: 'one' as const }]));
const DECLARATIONS: readonly DeclarationTemplate[] = ['us-fre-902', 'uk-crimpr-19', 'none'];

async function attestCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, {
    ...POLICY_FLAGS, 'examiner-key': { kind: 'one' }, 'passphrase-file': { kind: 'one' }, case: { kind: 'one' }, examiner: { kind: 'one' },
    title: { kind: 'one' }, 'requesting-party': { kind: 'one' }, role: { kind: 'one' }, organisation: { kind: 'one' }, index: { kind: 'one' }, out: { kind: 'one' },
    ...CUSTODY_FLAGS, declaration: { kind: 'one' }, 'reviewer-key': { kind: 'one' }, 'reviewer-passphrase-file': { kind: 'one' },
    'report-version': { kind: 'one' }, supersedes: { kind: 'one' }, 'no-self-test': { kind: 'bool' }, policy: { kind: 'one' },
  }, 'attest');
  if (p.positional.length !== 1) throw new UsageError(`attest: expected exactly one ARCHIVE, got ${p.positional.length}`);
  const archive = p.positional[0]!;
  const policy = await loadPolicy(p, 'attest');
  const anchors = [];
  for (const a of p.flags.get('anchor') ?? []) anchors.push(await loadAnchor(a, policy.logKeys));
  const keyPath = required(p, 'examiner-key', 'attest');
  const caseId = required(p, 'case', 'attest');
  const out = required(p, 'out', 'attest');
  refuseInsideEvidence(out, archive, 'attest: --out');
  requireOutputFolder(out, 'attest: --out');
  const attestIndex = one(p, 'index');
  if (attestIndex !== undefined) checkIndexTarget(attestIndex, archive, 'attest: --index');
  const passphrase = await resolvePassphrase({ passphraseFile: one(p, 'passphrase-file') });
  const declaration = one(p, 'declaration') ?? 'none';
  if (!DECLARATIONS.includes(declaration as DeclarationTemplate)) throw new UsageError(`attest: --declaration must be one of ${DECLARATIONS.join(', ')}, got ${JSON.stringify(declaration)}`);
  const version = positiveInteger(p, 'report-version', 'attest') ?? 1;
  const auditPolicyFile = one(p, 'policy');
  const auditPolicy = auditPolicyFile === undefined ? undefined : await loadSuppliedPolicy(auditPolicyFile, 'attest');
  const examinerKey = await loadExaminerKey(keyPath, passphrase);
  const typedName = one(p, 'examiner');
  if (typedName !== undefined && typedName.trim() === '') throw new UsageError('attest: --examiner NAME is empty');
  try {
    checkExaminerName(typedName, examinerKey);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`attest: ${e.message}`);
    throw e;
  }
  let reviewerKey;
  const reviewerPath = one(p, 'reviewer-key');
  if (reviewerPath !== undefined) {
    const file = one(p, 'reviewer-passphrase-file');
    if (file === undefined) throw new UsageError('attest: --reviewer-key needs --reviewer-passphrase-file (the reviewer\'s own passphrase)');
    reviewerKey = await loadExaminerKey(reviewerPath, await resolvePassphrase({ passphraseFile: file }));
  } else if (one(p, 'reviewer-passphrase-file') !== undefined) throw new UsageError('attest: --reviewer-passphrase-file is only for --reviewer-key');
  let result;
  try {
    result = await attest({
      archivePath: archive, policy, anchors,
      keys: [...policy.logKeys.map((k) => ({ ...k, role: 'log' as const })), ...policy.witnessKeys.map((k) => ({ ...k, role: 'witness' as const }))],
      examinerKey, ...(typedName !== undefined ? { examinerName: typedName } : {}),
      examinerRole: one(p, 'role') ?? 'Examiner', ...(one(p, 'organisation') !== undefined ? { organisation: one(p, 'organisation')! } : {}),
      caseFacts: { number: caseId, title: one(p, 'title') ?? '', requestingParty: one(p, 'requesting-party') ?? '' },
      custody: Object.fromEntries(Object.entries(CUSTODY_FIELDS).map(([flag, field]) => [field, one(p, flag) ?? null])),
      declaration: declaration as DeclarationTemplate, version, supersedes: one(p, 'supersedes') ?? null,
      ...(reviewerKey ? { reviewerKey } : {}),
      selfTest: p.flags.has('no-self-test') ? async () => SELF_TEST_SKIPPED : attestSelfTest(out),
      out, argv: ['sealcheck', 'attest', ...argv], cwd: process.cwd(),
      ...(one(p, 'index') ? { dbPath: one(p, 'index')! } : {}),
      ...(auditPolicy ? { auditPolicy } : {}),
    });
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`attest: ${e.message}`);
    throw e;
  } finally {
    examinerKey.seed.fill(0);
    reviewerKey?.seed.fill(0);
  }
  const c = result.content;
  io.stdout(`${c.result.verdict.toUpperCase()}: ${c.result.reason}\n`);
  io.stdout(`attestation ${c.report.id} for case ${c.case.number}, signed by ${c.examiner.name} (${c.examiner.keyFingerprint})\n`);
  io.stdout(`  report:           ${result.pdf}\n  statement (DSSE): ${result.dsse}\n  summary (VSA):    ${result.vsa}\n  SSH signature:    ${result.sshsig}\n  allowed signers:  ${result.allowedSigners}\n  examiner key:     ${result.examinerPub}, ${result.examinerCrt}\n`);
  if (!p.flags.has('no-self-test')) io.stdout(`  self-test record: ${selfTestRecordPath(result.pdf)} (${c.method.selfTest.status})\n`);
  if (c.scope) io.stdout(`  evidence scope:   ${scopeLine(c.scope)} (section 7)\n`);
  io.stdout(`check it with:\n  sealcheck verify-attestation ${result.pdf} --examiner ${result.examinerPub} --archive ${archive}\n`);
  io.stdout(`  ssh-keygen -Y verify -f ${result.allowedSigners} -I ${c.examiner.principal} -n sealcheck-attestation -s ${result.sshsig} < ${result.pdf}\n`);
  return c.result.verdict === 'verified' ? 0 : c.result.verdict === 'failed' ? 1 : 3;
}

async function verifyAttestationCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, { examiner: { kind: 'one' }, archive: { kind: 'one' }, 'tsa-cert': { kind: 'many' }, json: { kind: 'bool' } }, 'verify-attestation');
  if (p.positional.length !== 1) throw new UsageError(`verify-attestation: expected exactly one REPORT.pdf, got ${p.positional.length}`);
  const pdf = p.positional[0]!;
  if (!existsSync(pdf)) throw new UsageError(`verify-attestation: ${pdf}: no such file`);
  const keyFile = required(p, 'examiner', 'verify-attestation');
  const keyText = await readBoundedText(keyFile, KEY_FILE_LIMIT, '--examiner key file');
  let key: Uint8Array;
  try {
    key = examinerPublicKey(keyText);
  } catch (e) {
    throw new UsageError(`verify-attestation: --examiner ${keyFile}: ${(e as Error).message}`);
  }
  const archive = one(p, 'archive');
  if (archive !== undefined && !existsSync(archive)) throw new UsageError(`verify-attestation: --archive ${archive}: no such file or directory`);
  const tsaCerts = p.flags.get('tsa-cert');
  const v = await verifyAttestation(pdf, key, archive, tsaCerts ? { tsaCertificates: await loadTsaCertificates(tsaCerts) } : {});
  if (p.flags.has('json')) io.stdout(`${stringifyJson(v)}\n`);
  else {
    io.stdout(v.valid ? `VALID: ${pdf} is signed by the examiner key and every check passed.\n` : `INVALID: ${pdf} failed ${v.checks.filter((c) => !c.ok).length} check(s).\n`);
    if (v.report) io.stdout(`  report ${v.report.id}, case ${v.report.case}, verdict ${v.report.verdict}, examiner ${v.report.examiner}\n`);
    for (const c of v.checks) io.stdout(`  ${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}\n`);
  }
  return v.valid ? 0 : 1;
}

export async function loadPolicy(p: Parsed, command = 'verify') {
  const trust = p.flags.get('trust') ?? [];
  if (trust.length === 0) throw new UsageError(`${command}: at least one --trust KEY is required (the log key the examiner trusts)`);
  const logKeys = await Promise.all(trust.map((t) => loadVerifierKey(t, LOG_KEY, '--trust')));
  const witnessKeys = await Promise.all((p.flags.get('witness') ?? []).map((w) => loadVerifierKey(w, COSIGNER_KEY, '--witness')));
  const quorumText = one(p, 'quorum');
  let quorum = 0;
  if (quorumText !== undefined) {
    if (witnessKeys.length === 0) throw new UsageError(`${command}: --quorum needs --witness keys`);
    quorum = positiveInteger(p, 'quorum', command)!;
    const distinct = new Set(witnessKeys.map((k) => toHex(k.publicKey))).size;
    if (quorum > distinct) throw new UsageError(`${command}: --quorum ${quorum} can never be met by ${distinct} distinct witness key${distinct === 1 ? '' : 's'}`);
  } else if (witnessKeys.length) quorum = 1;
  const origin = one(p, 'origin') ?? null;
  if (origin !== null && !isValidKeyName(origin)) throw new UsageError(`${command}: --origin ${JSON.stringify(origin)} is not a valid origin`);
  return { logKeys, witnessKeys, quorum, origin };
}

function progressPrinter(io: Io) {
  const started = Date.now();
  let shown = false;
  let last = 0;
  return {
    update(p: VerifyProgress) {
      const now = Date.now();
      if (now - started < 1000 || now - last < 200) return;
      last = now;
      shown = true;
      const mb = (n: number) => (n / 1e6).toFixed(0);
      const rate = p.bytesDone / ((now - started) / 1000);
      const eta = p.bytesTotal && rate ? ` ETA ${Math.ceil((p.bytesTotal - p.bytesDone) / rate)} s` : '';
      const pct = p.bytesTotal ? ` ${Math.floor((100 * p.bytesDone) / p.bytesTotal)}%` : '';
      io.stderr(`\r${p.phase}:${pct} ${mb(p.bytesDone)}${p.bytesTotal ? `/${mb(p.bytesTotal)}` : ''} MB, ${mb(rate)} MB/s${eta}   `);
    },
    done() {
      if (shown) io.stderr('\r\x1b[K');
    },
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;


function where(f: Finding): string {
  const parts: string[] = [];
  if (f.file) parts.push(f.file);
  if (f.index !== undefined) parts.push(`entry ${f.index}`);
  if (f.line !== undefined) parts.push(`line ${f.line}`);
  return parts.join(' ');
}

/** One verdict line in plain words, the counts, cosignature times, then findings grouped by code. */
export function humanReport(r: VerifyReport): string {
  const out: string[] = [];
  const errors = r.findings.filter((f) => f.severity === 'error').reduce((n, f) => n + (f.count ?? 1), 0);
  const warnings = r.findings.filter((f) => f.severity === 'warning').reduce((n, f) => n + (f.count ?? 1), 0);
  const origin = r.origin ?? '(unknown origin)';
  if (r.verdict === 'verified') out.push(`VERIFIED: all ${r.entries} entries of ${origin} are covered by a trusted checkpoint and nothing was altered.`);
  else if (r.verdict === 'failed') out.push(`FAILED: ${origin} does not verify: ${plural(errors, 'error')}${warnings ? `, ${plural(warnings, 'warning')}` : ''}.`);
  else out.push(`INCOMPLETE: no errors, but only ${r.coveredEntries} of ${r.entries} entries of ${origin} are covered by a trusted checkpoint.`);
  out.push(`  archive      ${r.archive.path} (${r.container})`);
  out.push(`  sha256       ${r.archive.sha256 || '(not computed: the archive was not read)'}${r.container === 'directory' ? ' (tree digest)' : ''}`);
  if (r.manifest) {
    out.push(`  entries      ${r.entries} in ${plural(r.manifest.segments.length, 'segment')}`);
    out.push(`  checkpoints  ${r.checkpoints.total} (${r.checkpoints.trusted} trusted)`);
    out.push(`  covered      ${r.coveredEntries} of ${r.entries}${r.covering ? ` by ${r.covering.checkpoint} (size ${r.covering.size}, root ${r.covering.root})` : ''}`);
    for (const c of r.covering?.cosignatures ?? []) out.push(`  cosigned     by ${c.name} at ${describeUnixSeconds(c.time)}`);
    if (r.manifest.source || r.manifest.created || r.manifest.producer) {
      const claims = [r.manifest.source?.kind, r.manifest.created && `created ${r.manifest.created}`, r.manifest.producer?.name && `by ${r.manifest.producer.name} ${r.manifest.producer.version ?? ''}`.trim()].filter(Boolean);
      out.push(`  claims       ${claims.join(', ')} (manifest, unverified)`);
    }
  }
  if (r.findings.length) {
    out.push('findings:');
    const groups = new Map<string, Finding[]>();
    for (const f of r.findings) groups.set(f.code, [...(groups.get(f.code) ?? []), f]);
    for (const [code, list] of groups) {
      const total = list.reduce((n, f) => n + (f.count ?? 1), 0);
      out.push(`  ${code} (${list[0]!.severity}, ${total})`);
      const shown = list.filter((f) => f.count === undefined);
      for (const f of shown.slice(0, 5)) out.push(`    ${where(f) || '-'}: ${f.message}`);
      if (total > 5) out.push(`    … and ${total - Math.min(5, shown.length)} more`);
    }
  }
  return `${out.join('\n')}\n`;
}

// ---------- prove and verify-proof (C2SP tlog-proof v1) ----------

/** Where `prove --out FILE.tlog-proof` puts the entry: FILE.entry (OUT.entry when OUT lacks the .tlog-proof extension). */
export function entryPathFor(out: string): string {
  return out.endsWith('.tlog-proof') ? `${out.slice(0, -'.tlog-proof'.length)}.entry` : `${out}.entry`;
}

async function writeOutput(path: string, data: string | Uint8Array, command: string): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (e) {
    throw new UsageError(`${command}: cannot write ${path}: ${(e as Error).message}`);
  }
}

/**
 * A proof must rest on a checkpoint the examiner trusts, so --trust is required as for verify (the
 * spec's brackets notwithstanding): without a trusted key no checkpoint covers anything.
 */
async function prove(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, { index: { kind: 'one' }, out: { kind: 'one' }, trust: { kind: 'many' }, witness: { kind: 'many' }, quorum: { kind: 'one' } }, 'prove');
  if (p.positional.length !== 1) throw new UsageError(`prove: expected exactly one ARCHIVE, got ${p.positional.length}`);
  const indexText = required(p, 'index', 'prove');
  if (!/^(0|[1-9][0-9]*)$/.test(indexText) || !Number.isSafeInteger(Number(indexText))) throw new UsageError(`prove: --index must be an entry index (0, 1, 2, ...), got ${JSON.stringify(indexText)}`);
  const out = required(p, 'out', 'prove');
  const entryOut = entryPathFor(out);
  for (const [path, what] of [[out, 'prove: --out'], [entryOut, 'prove: the entry file']] as const) {
    refuseInsideEvidence(path, p.positional[0]!, what);
    requireOutputFolder(path, what);
  }
  const policy = await loadPolicy(p, 'prove');
  let r;
  try {
    r = await proveEntry(p.positional[0]!, Number(indexText), policy);
  } catch (e) {
    if (!(e instanceof CannotProveError)) throw e;
    io.stderr(`sealcheck: cannot prove entry ${indexText}: ${e.message}\n`);
    return 1;
  }
  await writeOutput(out, r.proof, 'prove');
  await writeOutput(entryOut, r.entry, 'prove');
  io.stdout(`proved entry ${r.index} of ${r.origin} against ${r.checkpoint} (tree size ${r.size}, ${r.hashes.length} hash${r.hashes.length === 1 ? '' : 'es'} in the path)\n`);
  for (const c of r.cosignatures) io.stdout(`  cosigned     by ${c.name} at ${describeUnixSeconds(c.time)}\n`);
  io.stdout(`  proof: ${out}\n  entry: ${entryOut} (${r.entry.length} bytes, exactly as sealed)\n`);
  if (r.verdict !== 'verified') io.stdout(`  note: the archive as a whole is ${r.verdict} (see sealcheck verify); this entry is covered\n`);
  return 0;
}

async function verifyProofCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, { entry: { kind: 'one' }, trust: { kind: 'many' }, witness: { kind: 'many' }, quorum: { kind: 'one' } }, 'verify-proof');
  if (p.positional.length !== 1) throw new UsageError(`verify-proof: expected exactly one FILE.tlog-proof, got ${p.positional.length}`);
  const proofPath = p.positional[0]!;
  const entryPath = required(p, 'entry', 'verify-proof');
  const policy = await loadPolicy(p, 'verify-proof');
  const notProven = (reason: string) => {
    io.stdout(`NOT PROVEN: ${reason}\n`);
    return 1;
  };
  // Oversized files are judged, not refused: no valid proof or entry is that large. A directory, device or FIFO is bad usage.
  let proof: Uint8Array;
  try {
    proof = await readBoundedFile(proofPath, MAX_PROOF_BYTES, 'proof');
  } catch (e) {
    if (e instanceof InputFileError && e.reason === 'too-large') return notProven(`${proofPath} is larger than any valid proof`);
    throw e;
  }
  const entry = await digestEntryFile(entryPath);
  if (entry === 'too-long') return notProven(`${entryPath} is longer than any well-formed entry (256 MiB)`);
  const v = verifyProof(proof, entry, policy);
  if (!v.proven) return notProven(v.reason);
  io.stdout(`PROVEN: ${v.reason}.\n`);
  io.stdout(`  origin       ${v.origin}\n  index        ${v.index}\n  tree size    ${v.size}\n  root         ${v.root}\n`);
  for (const c of v.cosignatures) io.stdout(`  cosigned     by ${c.name} at ${describeUnixSeconds(c.time)}\n`);
  return 0;
}
