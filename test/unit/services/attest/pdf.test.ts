// Attestation PDF: layout text, embedded fonts and DSSE file, and the Ed25519 PAdES signature checked by qpdf, poppler, OpenSSL and our verifier.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderAttestationPdf, renderSignedAttestationPdf } from '../../../../electron/services/attest/pdf.node.ts';
import { extractPdfSignature, makeExaminerCertificate, signPdf, verifyPdfSignature } from '../../../../electron/services/attest/pades.node.ts';
import { nodeEd25519 } from '../../../../electron/services/crypto.node.ts';
import { ARCHIVE_SPEC, ATTESTATION_CONTENT_VERSION, METHOD_CHECKS, METHOD_REFERENCES, companionFiles, howToVerify, makeDeclaration, type AttestationAttachment, type AttestationContent } from '../../../../shared/core/attestation.ts';
import { formatVerifierKey, makeKey, LOG_KEY, COSIGNER_KEY } from '../../../../shared/core/keys.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SAMPLE_DIR = join(ROOT, 'test-results', 'attest');

// ─── Tools ───────────────────────────────────────────────────────────────────────────────────

const TOOLS = ['qpdf', 'pdftotext', 'pdffonts', 'pdfdetach', 'pdfsig', 'pdftoppm', 'pdfinfo', 'openssl', 'certtool', 'xxd'];

function run(cmd: string, args: string[], input?: Uint8Array): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20, ...(input ? { input } : {}) });
}

function have(tool: string): boolean {
  return run('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** The checks need poppler-utils, qpdf and GnuTLS's certtool; install them rather than skip (CI and developers are root). */
function ensureTools(): void {
  if (TOOLS.every(have)) return;
  const update = run('apt-get', ['update']);
  assert.equal(update.status, 0, `apt-get update failed: ${update.stderr}`);
  const install = spawnSync('apt-get', ['install', '-y', 'poppler-utils', 'qpdf', 'openssl', 'gnutls-bin', 'xxd'], { encoding: 'utf8', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  assert.equal(install.status, 0, `apt-get install failed: ${install.stderr}`);
  for (const tool of TOOLS) assert.ok(have(tool), `${tool} is still missing after apt-get install`);
}

// ─── Fixture: long values everywhere, 2 evidence items, 3 keys, several findings ─────────────

const SEED = crypto.hash('sha256', 'sealcheck test examiner seed', 'buffer').subarray(0, 32);
const EXAMINER_PUBLIC = nodeEd25519.publicKeyFromSeed(SEED);
const OTHER_SEED = crypto.hash('sha256', 'someone else', 'buffer').subarray(0, 32);

const hex = (label: string, alg: 'sha256' | 'sha512'): string => crypto.hash(alg, label);
/** Note keys: SHA-256 of the raw key, as shared/core/keys.ts computes it. */
const rawFingerprint = (publicKey: Uint8Array): string => 'SHA256:' + crypto.hash('sha256', publicKey, 'base64').replace(/=+$/, '');

/** The examiner key as ssh-keygen -l prints it: SHA-256 of the SSH wire-format key blob, unpadded base64. */
function fingerprint(publicKey: Uint8Array): string {
  const field = (b: Uint8Array): Buffer => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]);
  const blob = Buffer.concat([field(Buffer.from('ssh-ed25519')), field(publicKey)]);
  return 'SHA256:' + crypto.hash('sha256', blob, 'base64').replace(/=+$/, '');
}
const seededKey = (label: string): Uint8Array => nodeEd25519.publicKeyFromSeed(crypto.hash('sha256', label, 'buffer').subarray(0, 32));

const logKey = makeKey('audit.acme.example/k8s/prod-eu-west-1', LOG_KEY, seededKey('log'));
const witnessA = makeKey('witness.northbridge-forensics.example/w1', COSIGNER_KEY, seededKey('wa'));
const witnessB = makeKey('armored-witness.transparency.example/eu-central-7', COSIGNER_KEY, seededKey('wb'));
const idHex = (n: number): string => n.toString(16).padStart(8, '0');

function fixture(verdict: AttestationContent['result']['verdict'] = 'failed'): AttestationContent {
  return {
    contentVersion: ATTESTATION_CONTENT_VERSION,
    report: { id: 'SC-2025-0417-ATT-01', version: 2, supersedes: 'SC-2025-0417-ATT-00', issuedAt: '2025-03-14T16:20:05Z', fileName: 'SC-2025-0417-ATT-01.pdf' },
    case: {
      number: 'CASE-2025-0417/ACME-PROD-EU-WEST-1',
      title: 'Unauthorised reads of Kubernetes secrets in production cluster prod-eu-west-1, 3 to 9 March 2025',
      requestingParty: 'Legal department, ACME Corp. (ref. LGL-7781), attn. J. Whitfield-Ramanathan',
    },
    custody: {
      receivedFrom: 'ACME SRE on-call (K. Brandt) on encrypted USB drive NB-USB-0193, seal 44871, handover record HR-2025-031',
      receivedAt: '2025-03-10T09:12:44Z',
      receivedHow: null,
      storedWhere: 'Evidence safe NB-S2, shelf 3',
      authority: 'Preservation request PR-2025-031 of 2025-03-10 and engagement letter NB-ENG-2025-112',
      evidenceNumber: 'NB-EV-2025-0417-01',
      request: 'Were the production audit logs of 3 to 9 March 2025 altered after they were written?',
      digestAtReceipt: hex('E1', 'sha256'),
    },
    examiner: {
      name: 'Dr. Marta Kowalczyk-Oyelaran',
      role: 'Senior forensic examiner',
      organisation: 'Northbridge Digital Forensics Ltd.',
      email: 'm.kowalczyk@northbridge-forensics.example',
      qualifications: 'MSc Digital Forensics; GCFA; 11 years of incident response on Kubernetes platforms',
      principal: 'm.kowalczyk@northbridge-forensics.example',
      keyFingerprint: crypto.hash('sha256', EXAMINER_PUBLIC),
      fingerprints: { sha256Hex: crypto.hash('sha256', EXAMINER_PUBLIC), openssh: fingerprint(EXAMINER_PUBLIC), dsseKeyid: crypto.hash('sha256', EXAMINER_PUBLIC) },
    },
    reviewer: null,
    declaration: makeDeclaration('uk-crimpr-19', {
      examiner: 'Dr. Marta Kowalczyk-Oyelaran', role: 'Senior forensic examiner', organisation: 'Northbridge Digital Forensics Ltd.', qualifications: null,
      evidence: 'E1 and E2', digestsMatched: true, verdict, claim: 'See section 5.', issuedAt: '2025-03-14T16:20:05Z',
    }),
    method: { checks: [...METHOD_CHECKS], references: [...METHOD_REFERENCES], spec: { ...ARCHIVE_SPEC }, selfTest: { status: 'passed', summary: '12 of 12 bundled cases gave their expected verdicts.', recordSha256: hex('self-test', 'sha256'), at: '2025-03-14T15:58:01Z' } },
    evidence: [
      {
        label: 'E1',
        name: 'prod-eu-west-1-audit_2025-03-03T00-00-00Z_2025-03-09T23-59-59Z.sealed.tar.gz',
        container: 'tar.gz',
        sizeBytes: 734_003_217,
        sha256: hex('E1', 'sha256'),
        sha512: hex('E1', 'sha512'),
        digestOf: 'file',
        digestTakenAt: '2025-03-14T15:58:30Z',
        digestWhileVerifying: hex('E1', 'sha256'),
        origin: 'audit.acme.example/k8s/prod-eu-west-1',
        entries: 2_418_733,
        eventsFrom: '2025-03-03T00:00:00.118Z',
        eventsTo: '2025-03-09T23:59:59.874Z',
        claims: { sealedAt: '2025-03-10T00:00:05Z', producer: 'sealcheck 0.1.0', kind: 'kubernetes-audit', description: 'prod-eu-west-1 kube-apiserver audit', gapDays: 0 },
      },
      {
        label: 'E2',
        name: 'staging-eu-west-1-audit-archive-exported-by-log-pipeline-v3',
        container: 'directory',
        sizeBytes: 18_204_113,
        sha256: hex('E2', 'sha256'),
        sha512: hex('E2', 'sha512'),
        digestOf: 'tree',
        digestTakenAt: '2025-03-14T15:58:31Z',
        digestWhileVerifying: hex('E2', 'sha256'),
        origin: 'audit.acme.example/k8s/staging-eu-west-1',
        entries: 61_002,
        eventsFrom: '2025-03-05T08:00:00Z',
        eventsTo: '2025-03-06T17:45:10Z',
        claims: { sealedAt: '2028-11-02T10:00:00Z', producer: null, kind: null, description: null, gapDays: 1337 },
      },
    ],
    tool: {
      name: 'Sealcheck',
      version: '0.1.0',
      buildDigest: { algorithm: 'sha256', value: hex('build', 'sha256'), of: 'dist/cli.mjs (sealcheck 0.1.0, commit e816a9c)' },
      argv: ['sealcheck', 'attest', '/evidence/2025-0417/received/prod-eu-west-1-audit_2025-03-03T00-00-00Z_2025-03-09T23-59-59Z.sealed.tar.gz', '--trust', 'keys/log.pub', '--received-from', "K. Brandt's USB drive"],
      cwd: '/evidence/2025-0417',
      clock: 'system clock, as reported; NTP status unknown',
      host: { hostname: 'forensic-ws-07.northbridge.internal', os: 'Linux 6.1.0-18-amd64 (Debian 12)', arch: 'x64', runtime: 'Node.js 20.20.2, OpenSSL 3.0.19' },
      startedAt: '2025-03-14T15:58:31Z',
      finishedAt: '2025-03-14T16:19:48Z',
    },
    trustPolicy: {
      keys: [
        {
          name: logKey.name,
          role: 'log',
          type: 'Ed25519 note key (0x01)',
          keyId: idHex(logKey.keyId),
          fingerprint: rawFingerprint(logKey.publicKey),
          keyString: formatVerifierKey(logKey),
          source: 'https://keys.acme.example/transparency/k8s-audit/prod-eu-west-1/log.vkey?rev=2025-01-07&format=note (retrieved 2025-03-10T09:12:44Z; matches handover record HR-2025-031)',
        },
        {
          name: witnessA.name,
          role: 'witness',
          type: 'Ed25519 cosignature key (0x04)',
          keyId: idHex(witnessA.keyId),
          fingerprint: rawFingerprint(witnessA.publicKey),
          keyString: formatVerifierKey(witnessA),
          source: 'Northbridge key ceremony record KC-2024-007',
        },
        {
          name: witnessB.name,
          role: 'witness',
          type: 'Ed25519 cosignature key (0x04)',
          keyId: idHex(witnessB.keyId),
          fingerprint: rawFingerprint(witnessB.publicKey),
          keyString: formatVerifierKey(witnessB),
          source: 'https://transparency.example/witnesses/eu-central-7/witness-key.txt',
        },
      ],
      witnessQuorum: { required: 2, witnesses: [witnessA.name, witnessB.name] },
      anchors: [
        {
          label: 'A1',
          origin: 'audit.acme.example/k8s/prod-eu-west-1',
          treeSize: 1_900_000,
          rootHash: crypto.hash('sha256', 'anchor', 'base64'),
          source: 'Checkpoint printed in ACME change ticket CHG-55120, 2025-03-07',
          matched: true,
        },
      ],
    },
    result: {
      verdict,
      reason:
        verdict === 'failed'
          ? 'Entry 1,204,377 in segment 0042 does not match its leaf hash, so the archive was altered after it was sealed.'
          : verdict === 'incomplete'
            ? 'No check failed, but the last 3,112 entries are not covered by any trusted checkpoint.'
            : 'All 2,479,735 entries verified and are covered by a checkpoint signed by the log key and 2 of 2 witnesses.',
      entries: { total: 2_479_735, covered: 2_476_623, withErrors: verdict === 'failed' ? 214 : 0 },
      segments: { total: 97, withoutError: 96 },
      checkpoints: { total: 168, signedByTrustedKey: 167, matchingEntries: 120 },
      perKey: [
        { name: logKey.name, keyId: idHex(logKey.keyId), role: 'log', valid: 167, invalid: 1, notChecked: 0 },
        { name: witnessA.name, keyId: idHex(witnessA.keyId), role: 'witness', valid: 165, invalid: 0, notChecked: 3 },
        { name: witnessB.name, keyId: idHex(witnessB.keyId), role: 'witness', valid: 160, invalid: 0, notChecked: 8 },
      ],
      cosignatures: [
        { witness: witnessA.name, keyId: idHex(witnessA.keyId), checkpoint: 'checkpoints/0000000000167.checkpoint', treeSize: 2_476_623, unixSeconds: '1741564804', time: '2025-03-10T00:00:04Z' },
        { witness: witnessB.name, keyId: idHex(witnessB.keyId), checkpoint: 'checkpoints/0000000000167.checkpoint', treeSize: 2_476_623, unixSeconds: '1741564809', time: '2025-03-10T00:00:09Z' },
      ],
      coverage: {
        coveredEntries: 2_476_623,
        totalEntries: 2_479_735,
        coveringCheckpoint: { path: 'checkpoints/0000000000167.checkpoint', treeSize: 2_476_623, rootHash: crypto.hash('sha256', 'root', 'base64') },
        unsignedTail: 3_112,
      },
      cutBack: 'Limitation: only what the archive itself holds was checked; compare tree size 2,476,623 with a checkpoint obtained independently.',
      interpretation: ['The evidence was altered after it was sealed.', 'The evidence was damaged in storage or transfer.'],
      findings: [
        { code: 'leaf-hash-mismatch', severity: 'error', location: 'segments/0042.jsonl.gz:18833 (entry 1204377)', message: 'The entry hashes to 9f2c… but the chain records 41ab… for this index: the line was changed after sealing.' },
        { code: 'chain-link-mismatch', severity: 'error', location: 'segments/0042.jsonl.gz:18833', message: 'Chain value after entry 1204377 does not follow from the previous chain value and the entry.' },
        { code: 'checkpoint-signature-invalid', severity: 'error', location: 'checkpoints/0000000000131.checkpoint:4', message: `Signature by ${logKey.name} (key id ${idHex(logKey.keyId)}) does not verify over the checkpoint body.` },
        { code: 'cosignature-time-regression', severity: 'warning', location: 'checkpoints/0000000000150.checkpoint', message: `${witnessB.name} cosigned at 2025-03-08T11:02:00Z, earlier than its cosignature on the previous checkpoint.` },
        { code: 'unexpected-file', severity: 'warning', location: 'prod-eu-west-1-audit/segments/.nfs000000000a3f12c400000017', message: 'A file the manifest does not list; it was not read.' },
        { code: 'unsigned-tail', severity: 'warning', location: '', message: 'Entries 2476623 to 2479734 are present and chained but after the last trusted checkpoint.', omitted: 0 },
        { code: 'line-malformed', severity: 'error', location: 'segments/0077.jsonl.gz:1', message: 'Line is not valid JSON.', omitted: 212 },
      ],
      limitations: [
        'The last 3,112 entries (after 2025-03-09T23:41:17Z) are not covered by a trusted checkpoint; they are reported but not vouched for.',
        'Evidence item E2 was received without a chain-of-custody record; only its digests on receipt can be attested.',
      ],
    },
    activity: {
      from: '2025-03-03T00:00:00.118Z',
      to: '2025-03-09T23:59:59.874Z',
      totalEvents: 2_479_735,
      topUsers: [
        { name: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler', count: 811_204 },
        { name: 'system:serviceaccount:argocd:argocd-application-controller', count: 402_117 },
        { name: 'jane.doe@acme.example', count: 1_318 },
      ],
      verbs: [
        { name: 'get', count: 1_402_998 },
        { name: 'list', count: 611_003 },
        { name: 'watch', count: 398_812 },
      ],
      denied: {
        total: 57,
        top: [{ user: 'system:serviceaccount:ci:build-runner-7f9c', verb: 'get', resource: 'secrets/prod-db-credentials (namespace payments)', count: 41 }],
      },
      presetHits: [{ preset: 'secret-reads-by-humans', description: 'get/list/watch on secrets by users that are not service accounts', count: 23 }],
      caseDatabase: { sha256: hex('case.sqlite', 'sha256'), presetsVersion: 'sha256:0123456789abcdef' },
    },
    reproducibility: {
      files: [{ path: 'manifest.json', sha256: hex('m', 'sha256') }, { path: 'segments/000000000000.jsonl.gz', sha256: hex('s', 'sha256') }],
      digestCommand: 'sha256sum prod-eu-west-1-audit_2025-03-03T00-00-00Z_2025-03-09T23-59-59Z.sealed.tar.gz',
      checkpoints: [{ path: 'checkpoints/000002476623.ckpt', text: 'audit.acme.example/k8s/prod-eu-west-1\n2476623\nq6mD4Y2qGmC9Q1YgBz0QJcJb6m5tV3sZ2P0D7yHf3lQ=\n\n\u2014 audit.acme.example/k8s/prod-eu-west-1 AbCdEf0123456789\n' }],
      bundles: [{ file: 'dist/cli.mjs', sha256: hex('cli', 'sha256') }],
      packageLock: hex('lock', 'sha256'),
      sourceCommit: null,
    },
  };
}

/** A DSSE envelope like the one `sealcheck attest` embeds: the content as an in-toto style payload. */
function dsseAttachment(content: AttestationContent): AttestationAttachment {
  const payloadType = 'application/vnd.sealcheck.attestation+json';
  const payload = Buffer.from(JSON.stringify(content));
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${payload.length} `), payload]);
  const envelope = {
    payloadType,
    payload: payload.toString('base64'),
    signatures: [{ keyid: content.examiner.keyFingerprint, sig: Buffer.from(nodeEd25519.sign(SEED, pae)).toString('base64') }],
  };
  return {
    name: content.report.fileName.replace(/\.pdf$/, '.dsse.json'),
    mime: 'application/json',
    description: 'DSSE envelope of this report\u2019s content, signed by the examiner',
    bytes: new TextEncoder().encode(JSON.stringify(envelope, null, 2) + '\n'),
  };
}

// ─── Shared state: one signed report for all checks ──────────────────────────────────────────

let dir = '';
let pdfPath = '';
let pdf: Uint8Array;
let unsigned: Uint8Array;
let certificateDer: Uint8Array;
const content = fixture('failed');
const attachment = dsseAttachment(content);

before(async () => {
  ensureTools();
  dir = mkdtempSync(join(tmpdir(), 'sealcheck-attest-'));
  unsigned = await renderAttestationPdf(content, [attachment]);
  const signed = await renderSignedAttestationPdf(content, [attachment], { seed: SEED });
  pdf = signed.pdf;
  certificateDer = signed.certificateDer;
  pdfPath = join(dir, content.report.fileName);
  writeFileSync(pdfPath, pdf);
});

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Text with line breaks and runs of spaces as single spaces: wrapped sentences compare equal. */
const words = (text: string): string => text.replace(/\s+/g, ' ');

function pageCount(path: string): number {
  const info = run('pdfinfo', [path]);
  assert.equal(info.status, 0, info.stderr);
  const m = /^Pages:\s+(\d+)$/m.exec(info.stdout);
  assert.ok(m, info.stdout);
  return Number(m[1]);
}

describe('attestation PDF', () => {
  test('qpdf --check finds no error or warning', () => {
    const r = run('qpdf', ['--check', pdfPath]);
    console.log(`qpdf --check:\n${r.stdout.trim()}`);
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^PDF Version: 2\.0$/m);
    assert.match(r.stdout, /No syntax or stream encoding errors found/);
    assert.doesNotMatch(r.stdout, /WARNING/);
    assert.equal(r.stderr, '');
  });

  test('the text holds the verdict, case number, every evidence SHA-256 and every finding code', () => {
    const r = run('pdftotext', [pdfPath, '-']);
    assert.equal(r.status, 0, r.stderr);
    const first = run('pdftotext', ['-l', '1', pdfPath, '-']).stdout;
    assert.match(first, /FAILED/);
    assert.ok(words(first).includes(words(content.result.reason)), 'the first page states the reason');
    assert.match(run('pdftotext', ['-f', '2', '-l', '2', pdfPath, '-']).stdout, /^Contents$/m, 'the contents list heads page 2');
    assert.ok(r.stdout.includes(content.case.number));
    for (const e of content.evidence) assert.ok(r.stdout.includes(e.sha256), `SHA-256 of ${e.label} on one line`);
    for (const f of content.result.findings) assert.ok(r.stdout.includes(f.code), `finding ${f.code}`);
    assert.ok(r.stdout.includes('OUTSIDE THE INTEGRITY CLAIM'));
    assert.ok(r.stdout.includes(`ssh-keygen -Y verify -f ${content.report.fileName}.allowed_signers`));
    assert.ok(r.stdout.includes(`sealcheck verify-attestation ${content.report.fileName} --examiner ${companionFiles(content.report.fileName).examinerPub}`));
    assert.ok(r.stdout.includes('pdfdetach'));
    for (const s of ['not provided', 'Expert\u2019s declaration (Criminal Procedure Rules, Part 19)', '1,337 days between the last event and the sealing: FLAGGED', 'supersedes SC-2025-0417-ATT-00', 'Appendix: glossary']) {
      assert.ok(words(r.stdout).includes(s), s);
    }
    const n = pageCount(pdfPath);
    assert.ok(r.stdout.includes(`Page 1 of ${n}`) && r.stdout.includes(`Page ${n} of ${n}`), 'page numbers');
  });

  test('every verdict has its headline on page 1', async () => {
    for (const [verdict, word] of [['verified', 'VERIFIED'], ['incomplete', 'INCOMPLETE']] as const) {
      const c = fixture(verdict);
      const path = join(dir, `${verdict}.pdf`);
      writeFileSync(path, await renderAttestationPdf(c, []));
      const text = run('pdftotext', ['-l', '1', path, '-']).stdout;
      assert.match(text, new RegExp(word));
      assert.ok(words(text).includes(words(c.result.reason)));
    }
  });

  test('pdffonts: regular, bold and monospace, all embedded', () => {
    const r = run('pdffonts', [pdfPath]);
    console.log(`pdffonts:\n${r.stdout.trim()}`);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.trim().split('\n').slice(2);
    assert.ok(rows.length >= 3, r.stdout);
    for (const name of ['DejaVuSans', 'DejaVuSans-Bold', 'DejaVuSansMono']) {
      assert.ok(rows.some((row) => new RegExp(`^[A-Z]{6}\\+${name}\\s`).test(row)), `${name} is listed`);
    }
    // Columns: name type encoding emb sub uni object ID; emb is the 4th from the right.
    for (const row of rows) assert.equal(row.trim().split(/\s+/).at(-5), 'yes', `not embedded: ${row}`);
  });

  test('document metadata: title, author = examiner, creation date, PDF 2.0', () => {
    const r = run('pdfinfo', ['-isodates', pdfPath]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Title:\\s+Attestation ${content.report.id}: `, 'm'));
    assert.match(r.stdout, new RegExp(`^Author:\\s+${content.examiner.name.replace('.', '\\.')}$`, 'm'));
    assert.match(r.stdout, /^CreationDate:\s+2025-03-14T16:20:05Z?/m);
    assert.match(r.stdout, /^PDF version:\s+2\.0$/m);
    assert.ok(Buffer.from(pdf).toString('latin1').includes('<dc:creator><rdf:Seq><rdf:li>Dr. Marta Kowalczyk-Oyelaran</rdf:li>'), 'XMP metadata');
  });

  test('the DSSE envelope is an associated file and pdfdetach returns its exact bytes', () => {
    const list = run('pdfdetach', ['-list', pdfPath]);
    console.log(`pdfdetach -list:\n${list.stdout.trim()}`);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^1 embedded files$/m);
    assert.match(list.stdout, new RegExp(`^1: ${attachment.name.replace(/\./g, '\\.')}$`, 'm'));
    const out = join(dir, 'extracted.dsse.json');
    const save = run('pdfdetach', ['-save', '1', '-o', out, pdfPath]);
    assert.equal(save.status, 0, save.stderr);
    assert.deepEqual(new Uint8Array(readFileSync(out)), attachment.bytes);

    // The objects PDF/A-3 asks for: catalog /AF, Filespec /AFRelationship /Source, EmbeddedFile /Subtype and /Params.
    const dump = run('qpdf', ['--json=2', '--json-key=qpdf', pdfPath]);
    assert.equal(dump.status, 0, dump.stderr);
    const objects = (JSON.parse(dump.stdout) as { qpdf: [unknown, Record<string, { value?: Record<string, unknown>; stream?: { dict: Record<string, unknown> } }>] }).qpdf[1];
    const deref = (ref: unknown): Record<string, unknown> => {
      const o = objects[`obj:${String(ref)}`];
      assert.ok(o, `object ${String(ref)}`);
      return (o.value ?? o.stream?.dict)!;
    };
    const catalog = deref(objects.trailer!.value!['/Root']);
    const af = catalog['/AF'] as string[];
    assert.equal(af.length, 1);
    const spec = deref(af[0]);
    assert.equal(spec['/Type'], '/Filespec');
    assert.equal(spec['/AFRelationship'], '/Source');
    assert.equal(spec['/UF'], `u:${attachment.name}`);
    const ef = deref((spec['/EF'] as Record<string, unknown>)['/F']);
    assert.equal(ef['/Type'], '/EmbeddedFile');
    assert.equal(ef['/Subtype'], '/application/json', 'qpdf shows the #2F-escaped name decoded');
    const params = ef['/Params'] as Record<string, unknown>;
    assert.equal(params['/Size'], attachment.bytes.length);
    assert.equal(params['/CheckSum'], `b:${crypto.hash('md5', attachment.bytes)}`, 'MD5 as a 16-byte string');
    assert.equal(params['/ModDate'], 'u:D:20250314162005Z');
    const names = deref(catalog['/Names']);
    assert.ok(names['/EmbeddedFiles'], 'listed in /Names /EmbeddedFiles');
    const sigField = deref((deref(catalog['/AcroForm'])['/Fields'] as string[])[0]);
    assert.equal(sigField['/FT'], '/Sig');
    const sig = deref(sigField['/V']);
    assert.equal(sig['/Filter'], '/Adobe.PPKLite');
    assert.equal(sig['/SubFilter'], '/ETSI.CAdES.detached');
    assert.equal(deref(catalog['/AcroForm'])['/SigFlags'], 3);

    // ISO 32002 declared in the catalog for the EdDSA signature.
    const ext = (catalog['/Extensions'] as Record<string, unknown>)['/ISO_'] as Record<string, unknown>[];
    assert.equal(ext[0]!['/ExtensionLevel'], 32002);
    assert.equal(ext[0]!['/BaseVersion'], '/2.0');
  });

  test('pdfsig lists the signature (Debian 12 cannot validate EdDSA)', () => {
    const r = run('pdfsig', [pdfPath]);
    const out = `${r.stdout}${r.stderr}`;
    console.log(`pdfsig (exit ${r.status}):\n${out.trim()}`);
    assert.match(out, /Digital Signature Info of:/);
    assert.match(out, /Signature #1:/);
    assert.match(out, new RegExp(`Signer Certificate Common Name: ${content.examiner.name.replace('.', '\\.')}`));
    assert.match(out, /Signing Time:\s+Mar 14 2025/);
    assert.match(out, /Signature Type: ETSI\.CAdES\.detached/);
    assert.match(out, /Signing Hash Algorithm: SHA-512/);
    assert.match(out, /Total document signed/);
    // Debian 12's poppler 22.12 with NSS 3.87 cannot decode an EdDSA SignerInfo and prints the same
    // line for an intact and a tampered file; a poppler that knows ISO 32002 would say it is valid.
    assert.match(out, /Signature Validation: (Document isn't signed or corrupted data\.|Signature is Valid\.)/);
  });

  test('openssl cms -verify: Ed25519 CMS is accepted, or refused as unsupported by this OpenSSL', () => {
    const sig = extractPdfSignature(pdf);
    const data = join(dir, 'byterange.bin');
    const cms = join(dir, 'signature.der');
    writeFileSync(data, sig.signedContent);
    writeFileSync(cms, sig.cms);
    const r = run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-noverify', '-content', data, '-in', cms, '-out', '/dev/null']);
    console.log(`${run('openssl', ['version']).stdout.trim()}: openssl cms -verify (exit ${r.status}): ${r.stderr.trim()}`);
    if (r.status === 0) assert.match(r.stderr, /Verification successful/);
    // OpenSSL 3.0 hands the CMS digest to the EdDSA provider, which refuses any digest: a known gap, not our CMS.
    else assert.match(r.stderr, /eddsa_digest_signverify_init:invalid digest/);
  });

  test('OpenSSL checks the parts: SHA-512 of the ByteRange bytes and Ed25519 over the signed attributes', () => {
    // Everything from the file by offsets OpenSSL's asn1parse reports, not by our parser.
    const text = Buffer.from(pdf).toString('latin1');
    const [a, b, c, d] = /\/ByteRange \[(\d+) (\d+) (\d+) (\d+) *\]/.exec(text)!.slice(1).map(Number) as [number, number, number, number];
    assert.equal(a, 0);
    assert.equal(c + d, pdf.length);
    const data = join(dir, 'parts-byterange.bin');
    writeFileSync(data, Buffer.concat([pdf.subarray(0, b), pdf.subarray(c, c + d)]));
    const padded = join(dir, 'parts-contents.bin');
    writeFileSync(padded, Buffer.from(text.slice(b + 1, c - 1), 'hex'));
    const parse = run('openssl', ['asn1parse', '-inform', 'DER', '-in', padded, '-i']);
    assert.equal(parse.status, 0, parse.stderr);
    const lines = parse.stdout.split('\n');
    const node = (re: RegExp): { at: number; hl: number; l: number } => {
      const line = lines.find((x) => re.test(x));
      assert.ok(line, `asn1parse shows ${re}`);
      const m = /^\s*(\d+):d=\d+\s+hl=(\d+)\s+l=\s*(\d+)/.exec(line)!;
      return { at: Number(m[1]), hl: Number(m[2]), l: Number(m[3]) };
    };
    const raw = readFileSync(padded);
    // signedAttrs is the [0] at depth 5 (inside SignerInfo); the signature the 64-byte OCTET STRING after it.
    const attrs = node(/d=5 .*cont \[ 0 \]/);
    const signedAttrs = Buffer.from(raw.subarray(attrs.at, attrs.at + attrs.hl + attrs.l));
    signedAttrs[0] = 0x31;
    const sigNode = node(/d=5 .*l=  64 prim:\s+OCTET STRING/);
    const digestLine = lines.find((x) => /d=8 .*l=  64 prim:\s+OCTET STRING/.test(x))!;
    const digest = /\[HEX DUMP\]:([0-9A-F]+)/.exec(digestLine)![1]!.toLowerCase();
    assert.equal(run('openssl', ['dgst', '-sha512', '-r', data]).stdout.split(' ')[0], digest, 'messageDigest = SHA-512 of the ByteRange bytes');
    writeFileSync(join(dir, 'parts-attrs.der'), signedAttrs);
    writeFileSync(join(dir, 'parts-sig.bin'), raw.subarray(sigNode.at + sigNode.hl, sigNode.at + sigNode.hl + 64));
    writeFileSync(join(dir, 'parts-cert.der'), certificateDer);
    const pub = run('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'parts-cert.der'), '-pubkey', '-noout']);
    writeFileSync(join(dir, 'parts-pub.pem'), pub.stdout);
    const v = run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'parts-pub.pem'), '-rawin', '-in', join(dir, 'parts-attrs.der'), '-sigfile', join(dir, 'parts-sig.bin')]);
    console.log(`openssl pkeyutl -verify -rawin (Ed25519 over signed attributes): ${v.stdout.trim()}`);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /Signature Verified Successfully/);
  });

  test('GnuTLS certtool --p7-verify, run as section 10 documents it, accepts the signature and refuses a changed file', () => {
    const work = join(dir, 'documented');
    mkdirSync(work);
    writeFileSync(join(work, content.report.fileName), pdf);
    writeFileSync(join(work, companionFiles(content.report.fileName).examinerCrt), `-----BEGIN CERTIFICATE-----\n${Buffer.from(certificateDer).toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`);
    const step = howToVerify(content).find((s) => s.title === 'Check the embedded PDF signature with GnuTLS')!;
    const recipe = step.commands.find((cmd) => cmd.includes('certtool'))!;
    const ok = spawnSync('bash', ['-c', `set -e\n${recipe}`], { cwd: work, encoding: 'utf8' });
    console.log(`documented GnuTLS recipe (exit ${ok.status}):\n${(ok.stdout + ok.stderr).trim()}`);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /covers the whole file/);
    assert.match(ok.stdout + ok.stderr, /Signature status: ok/);

    const changed = Uint8Array.from(pdf);
    changed[1000] = changed[1000]! ^ 0x20;
    writeFileSync(join(work, content.report.fileName), changed);
    const bad = spawnSync('bash', ['-c', recipe], { cwd: work, encoding: 'utf8' });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stdout + bad.stderr, /Signature status: verification failed/);
  });

  test('pdfdetach and sha256sum reproduce the attachment digest printed in section 10', () => {
    const work = join(dir, 'detach');
    mkdirSync(work);
    writeFileSync(join(work, content.report.fileName), pdf);
    const r = spawnSync('bash', ['-c', `set -e\npdfdetach -save 1 -o OUT.json ${content.report.fileName}\nsha256sum OUT.json`], { cwd: work, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const sha = crypto.hash('sha256', attachment.bytes);
    assert.equal(r.stdout, `${sha}  OUT.json\n`);
    assert.ok(run('pdftotext', [pdfPath, '-']).stdout.includes(sha), 'the same digest is printed in the report');
  });

  test('the CMS: SHA-512, id-Ed25519, sorted signed attributes with signing-certificate-v2', () => {
    const cms = join(dir, 'signature.der');
    writeFileSync(cms, extractPdfSignature(pdf).cms);
    const r = run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cms]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /digestAlgorithm:\s+algorithm: sha512/);
    assert.match(r.stdout, /signatureAlgorithm:\s+algorithm: ED25519/);
    for (const attr of ['contentType', 'messageDigest', 'id-smime-aa-signingCertificateV2']) assert.ok(r.stdout.includes(`object: ${attr}`), attr);
    // PAdES baseline forbids the CMS signingTime attribute: the time is in the signature dictionary's /M only.
    assert.doesNotMatch(r.stdout, /object: signingTime/);
    const order = ['contentType', 'messageDigest', 'id-smime-aa-signingCertificateV2'].map((a) => r.stdout.indexOf(`object: ${a}`));
    assert.deepEqual([...order].sort((a, b) => a - b), order, 'DER order: by encoding, i.e. by OID bytes here');
  });

  test('the examiner certificate: self-signed Ed25519 X.509 v3 with the required extensions', () => {
    const path = join(dir, 'examiner.der');
    writeFileSync(path, certificateDer);
    const r = run('openssl', ['x509', '-inform', 'DER', '-in', path, '-noout', '-text']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Version: 3 \(0x2\)/);
    assert.match(r.stdout, /Signature Algorithm: ED25519/);
    assert.match(r.stdout, /Subject: CN = Dr\. Marta Kowalczyk-Oyelaran, title = Senior forensic examiner, O = Northbridge Digital Forensics Ltd\., emailAddress = m\.kowalczyk@northbridge-forensics\.example/);
    assert.match(r.stdout, /X509v3 Key Usage: critical\s+Digital Signature, Non Repudiation/);
    assert.match(r.stdout, /X509v3 Subject Key Identifier:/);
    assert.match(r.stdout, /email:m\.kowalczyk@northbridge-forensics\.example/);
    const self = run('openssl', ['verify', '-CAfile', path, '-check_ss_sig', '-partial_chain', path]);
    // The leaf is not a CA, so OpenSSL's chain logic may object; the self-signature itself must check out.
    assert.doesNotMatch(self.stdout + self.stderr, /signature failure/i);
  });

  test('our verifier accepts the signature with the examiner key and names the signer', () => {
    const v = verifyPdfSignature(pdf, EXAMINER_PUBLIC);
    assert.equal(v.ok, true, v.reason);
    assert.equal(v.byteRangeCoversWholeFile, true);
    assert.equal(v.signer?.commonName, content.examiner.name);
    assert.equal(v.signer?.email, content.examiner.email);
    assert.equal(v.signingTime?.toISOString(), '2025-03-14T16:20:05.000Z');
    const noKey = verifyPdfSignature(pdf);
    assert.equal(noKey.ok, true, noKey.reason);
    assert.match(noKey.reason, /not compared with an expected key/);
  });

  test('a different expected key is refused', () => {
    const v = verifyPdfSignature(pdf, nodeEd25519.publicKeyFromSeed(OTHER_SEED));
    assert.equal(v.ok, false);
    assert.match(v.reason, /not by the expected examiner key/);
  });

  test('changing any single signed byte fails verification with a clear reason', () => {
    const { byteRange } = extractPdfSignature(pdf);
    const [, b, c] = byteRange;
    const text = Buffer.from(pdf).toString('latin1');
    const positions = new Map<string, number>([
      ['first byte', 0],
      ['middle of the content', Math.floor(b / 2)],
      ['byte just before /Contents', b - 1],
      ['byte just after /Contents', c],
      ['inside /ByteRange', text.indexOf('/ByteRange') + 13],
      ['inside /M', text.indexOf('/M (D:') + 8],
      ['last byte', pdf.length - 1],
    ]);
    for (const [where, at] of positions) {
      const changed = Uint8Array.from(pdf);
      changed[at] = changed[at]! ^ 0x01;
      const v = verifyPdfSignature(changed, EXAMINER_PUBLIC);
      assert.equal(v.ok, false, `${where} (offset ${at}) changed but still verifies`);
      assert.match(v.reason, /modified after signing|malformed|does not/, `${where}: ${v.reason}`);
    }
    const middle = Uint8Array.from(pdf);
    middle[Math.floor(b / 2)] = middle[Math.floor(b / 2)]! ^ 0x01;
    assert.match(verifyPdfSignature(middle).reason, /do not match the signed messageDigest \(SHA-512\): the PDF was modified after signing/);
  });

  test('inside /Contents: a changed signature or padding is caught too', () => {
    const { byteRange, cms } = extractPdfSignature(pdf);
    const start = byteRange[1] + 1;
    // The last hex digit pair of the CMS is the end of the Ed25519 signature.
    const sigAt = start + cms.length * 2 - 2;
    const changed = Uint8Array.from(pdf);
    changed[sigAt] = changed[sigAt] === 0x30 ? 0x31 : 0x30;
    assert.match(verifyPdfSignature(changed).reason, /Ed25519 signature over the signed attributes does not verify/);
    const padding = Uint8Array.from(pdf);
    padding[start + cms.length * 2 + 10] = 0x31;
    assert.match(verifyPdfSignature(padding).reason, /non-zero bytes after the CMS/);
  });

  test('bytes appended after signing are reported as not covered', () => {
    const appended = new Uint8Array(pdf.length + 20);
    appended.set(pdf);
    appended.set(new TextEncoder().encode('\n% appended later\n'), pdf.length);
    const v = verifyPdfSignature(appended, EXAMINER_PUBLIC);
    assert.equal(v.ok, false);
    assert.equal(v.byteRangeCoversWholeFile, false);
    assert.match(v.reason, /covers \d+ of \d+ bytes/);
  });

  test('signing refuses a certificate for another key or out of its validity, and an unsigned PDF does not verify', () => {
    const cert = makeExaminerCertificate({ seed: OTHER_SEED, commonName: 'X', notBefore: new Date('2025-01-01T00:00:00Z'), notAfter: new Date('2026-01-01T00:00:00Z') });
    assert.throws(() => signPdf(unsigned, SEED, cert), /another key/);
    const expired = makeExaminerCertificate({ seed: SEED, commonName: 'X', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
    assert.throws(() => signPdf(unsigned, SEED, expired), /outside the certificate's validity/);
    assert.equal(verifyPdfSignature(unsigned).ok, false);
  });

  test('a signingTime attribute is only added on request (older readers), and then verifies too', () => {
    const signed = signPdf(unsigned, SEED, certificateDer, { signingTimeAttribute: true });
    const v = verifyPdfSignature(signed, EXAMINER_PUBLIC);
    assert.equal(v.ok, true, v.reason);
    assert.equal(v.signingTime?.toISOString(), '2025-03-14T16:20:05.000Z');
    const cms = join(dir, 'with-time.der');
    writeFileSync(cms, extractPdfSignature(signed).cms);
    assert.match(run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', cms]).stdout, /object: signingTime[\s\S]*UTCTIME:Mar 14 16:20:05 2025 GMT/);
    assert.equal(verifyPdfSignature(pdf, EXAMINER_PUBLIC).signingTime?.toISOString(), '2025-03-14T16:20:05.000Z', 'without the attribute, from /M');
  });

  test('the same content renders and signs to the same bytes', async () => {
    const again = await renderSignedAttestationPdf(content, [attachment], { seed: SEED });
    assert.ok(Buffer.from(again.pdf).equals(Buffer.from(pdf)));
  });

  test('content unfit to sign is refused', async () => {
    const bad = fixture();
    bad.evidence[0]!.sha256 = 'abc';
    await assert.rejects(renderAttestationPdf(bad, []), /evidence\[0\]\.sha256/);
  });

  test('every page renders; the first two are kept in test-results/attest for a look', () => {
    const n = pageCount(pdfPath);
    const out = join(dir, 'png');
    mkdirSync(out);
    const r = run('pdftoppm', ['-r', '60', '-png', pdfPath, join(out, 'page')]);
    assert.equal(r.status, 0, r.stderr);
    const pngs = readdirSync(out).filter((f) => f.endsWith('.png')).sort();
    assert.equal(pngs.length, n);
    assert.ok(n >= 8 && n <= 20, `${n} pages`);
    mkdirSync(SAMPLE_DIR, { recursive: true });
    writeFileSync(join(SAMPLE_DIR, 'sample.pdf'), pdf);
    const keep = run('pdftoppm', ['-r', '60', '-png', '-f', '1', '-l', '2', pdfPath, join(SAMPLE_DIR, 'page')]);
    assert.equal(keep.status, 0, keep.stderr);
  });
});
