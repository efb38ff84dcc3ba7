// `sealcheck timestamp`: asks an RFC 3161 TSA for a document time-stamp on a signed report and writes the time-stamped copy; and --tsa-cert for verify-attestation.
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../services/keys.node.ts';
import { InputFileError, KEY_FILE_LIMIT, readBoundedFile } from '../services/bounded-read.node.ts';
import { verifyPdfSignature } from '../services/attest/pades.node.ts';
import { NotTimestampableError, readDocumentTimestamp, timestampPdf } from '../services/attest/timestamp.node.ts';
import { TsaError } from '../services/attest/tsa-client.node.ts';
import { parseArgs, one, required, positiveInteger } from './args.ts';

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const TIMESTAMP_USAGE = '  sealcheck timestamp REPORT.pdf --tsa URL [--out OUT.pdf] [--hash sha256|sha512] [--timeout SECONDS]\n';
export const TIMESTAMP_EXIT_CODES = `timestamp writes a copy under the same file name (default timestamped/REPORT.pdf beside REPORT.pdf,
which is left as it is): exit 0 written, 1 the TSA refused (PKIStatus not granted) or its token did not
check out, 2 bad usage or not a signed report, 4 no time-stamp reply (TSA not reachable, timeout, HTTP
error, not RFC 3161); nothing is written unless 0.
`;

/** Reports are well under this; a larger file is not one. */
const MAX_REPORT_BYTES = 256 * 1024 * 1024;

export async function timestampCommand(argv: string[], io: Io): Promise<number> {
  const p = parseArgs(argv, { tsa: { kind: 'one' }, out: { kind: 'one' }, hash: { kind: 'one' }, timeout: { kind: 'one' } }, 'timestamp');
  if (p.positional.length !== 1) throw new UsageError(`timestamp: expected exactly one REPORT.pdf, got ${p.positional.length}`);
  const input = p.positional[0]!;
  const tsaUrl = required(p, 'tsa', 'timestamp');
  const hash = one(p, 'hash') ?? 'sha256';
  if (hash !== 'sha256' && hash !== 'sha512') throw new UsageError(`timestamp: --hash must be sha256 or sha512, got ${JSON.stringify(hash)}`);
  const timeout = positiveInteger(p, 'timeout', 'timestamp') ?? 30;
  // The names of the statements embedded in the report derive from its file name, so the copy keeps it.
  const out = one(p, 'out') ?? join(dirname(input), 'timestamped', basename(input));
  if (basename(out) !== basename(input)) throw new UsageError(`timestamp: --out ${out}: the time-stamped copy must keep the report's file name ${basename(input)} (its embedded statements are named after it); give another folder`);
  if (!existsSync(input)) throw new UsageError(`timestamp: ${input}: no such file`);
  if (existsSync(out)) throw new UsageError(`timestamp: ${out} already exists; a report is never overwritten (give another --out)`);
  if ((await stat(input)).size > MAX_REPORT_BYTES) throw new UsageError(`timestamp: ${input} is larger than any report (256 MiB)`);
  const pdf = await readBoundedFile(input, MAX_REPORT_BYTES, 'report');
  const signature = verifyPdfSignature(pdf);
  if (!signature.ok) {
    if (readDocumentTimestamp(pdf).timestamp) throw new UsageError(`timestamp: ${input} already has a document time-stamp; time-stamp the report as signed instead`);
    throw new UsageError(`timestamp: ${input} is not a signed report whose signature verifies (${signature.reason})`);
  }
  let r;
  try {
    r = await timestampPdf(pdf, { tsaUrl, hash, timeoutMs: timeout * 1000 });
  } catch (e) {
    if (e instanceof NotTimestampableError) throw new UsageError(`timestamp: ${input} cannot be time-stamped: ${e.message}`);
    if (!(e instanceof TsaError)) throw e;
    io.stderr(`sealcheck: timestamp: ${e.message}; nothing was written.\n`);
    return e.kind === 'network' ? 4 : 1;
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, r.pdf, { flag: 'wx' });
  const t = r.token;
  io.stdout(`time-stamped ${input} at ${t.genTime} by ${t.tsa}\n`);
  io.stdout(`  written:   ${out} (${r.pdf.length} bytes; its first ${r.signedLength} bytes are ${input}, unchanged)\n`);
  io.stdout(`  token:     serial 0x${t.serialNumber}, policy ${t.policy}, ${t.hashAlgorithm} imprint ${t.hashedMessage}\n`);
  io.stdout(`  TSA certificate SHA-256: ${t.tsaCertificateSha256} (whether to trust this TSA is the examiner's call)\n`);
  io.stdout(`check it with:\n  sealcheck verify-attestation ${out} --examiner EXAMINER.pub --tsa-cert TSA-OR-ITS-CA.pem\n`);
  return 0;
}

/** --tsa-cert files: PEM (one or more certificates) or DER, as DER. */
export async function loadTsaCertificates(paths: readonly string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const path of paths) {
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await readBoundedFile(path, KEY_FILE_LIMIT, '--tsa-cert file'));
    } catch (e) {
      if (e instanceof InputFileError) throw new UsageError(`verify-attestation: ${e.message}`);
      throw e;
    }
    const pems = bytes.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g);
    try {
      for (const c of pems ?? [bytes]) out.push(new Uint8Array(new X509Certificate(c).raw));
    } catch (e) {
      throw new UsageError(`verify-attestation: --tsa-cert ${path} is not an X.509 certificate (${(e as Error).message})`);
    }
  }
  return out;
}
