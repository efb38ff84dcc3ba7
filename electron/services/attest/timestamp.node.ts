// `sealcheck timestamp`: an RFC 3161 document time-stamp (PAdES /DocTimeStamp, ETSI.RFC3161) appended to a signed report as one incremental update, and reading it back.
import crypto from 'node:crypto';
import { BYTE_RANGE_PLACEHOLDER, der } from './pades.node.ts';
import { postTimestampQuery, timestampRequest, tokenFromReply, verifyTimestampToken, TsaError, type TimestampHash, type TimestampTokenInfo } from './tsa-client.node.ts';

/** Room for the token in /Contents: a reply with a three-certificate chain stays well under it. */
export const TIMESTAMP_CONTENTS_BYTES = 16384;

const latin1 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
const fromLatin1 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));

export class NotTimestampableError extends Error {
  override name = 'NotTimestampableError';
}

interface Revision {
  /** startxref of this revision: where its cross-reference table is. */
  xref: number;
  trailer: string;
  /** Just past %%EOF and its end-of-line. */
  end: number;
}

/** The last revision of a file whose classic xref table and trailer end the file (what pdfkit and this module write). */
function lastRevision(text: string): Revision | null {
  const m = /startxref\r?\n(\d{1,10})\r?\n%%EOF\r?\n?$/.exec(text.slice(-64));
  if (!m) return null;
  return revisionAt(text, Number(m[1]));
}

function revisionAt(text: string, xref: number): Revision | null {
  if (text.slice(xref, xref + 4) !== 'xref') return null;
  const t = text.indexOf('trailer', xref);
  const m = t < 0 ? null : /^trailer\s*<<([\s\S]*?)>>\s*startxref\r?\n(\d{1,10})\r?\n%%EOF(\r?\n)?/.exec(text.slice(t, t + 4096));
  if (!m || Number(m[2]) !== xref) return null;
  return { xref, trailer: m[1]!, end: t + m[0].length };
}

function trailerNumber(trailer: string, key: string): number | null {
  const m = new RegExp(`/${key}\\s+(\\d+)(?:\\s+0\\s+R)?`).exec(trailer);
  return m ? Number(m[1]) : null;
}

/** Offsets of the objects in a classic xref table. */
function xrefOffsets(text: string, xref: number): Map<number, number> {
  const out = new Map<number, number>();
  const re = /(\d+) (\d+)\r?\n|(\d{10}) (\d{5}) ([nf])\s?\r?\n/y;
  re.lastIndex = xref + 'xref'.length + (text[xref + 4] === '\r' ? 2 : 1);
  let num = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[1] !== undefined) num = Number(m[1]);
    else {
      if (m[5] === 'n') out.set(num, Number(m[3]));
      num++;
    }
  }
  return out;
}

function objectText(text: string, offsets: Map<number, number>, num: number): string {
  const at = offsets.get(num);
  const end = at === undefined ? -1 : text.indexOf('endobj', at);
  if (at === undefined || end < 0 || !text.startsWith(`${num} 0 obj`, at)) throw new NotTimestampableError(`object ${num} is not where the cross-reference table says`);
  return text.slice(at, end + 'endobj'.length);
}

/** Appends ` ref` inside the one `/Key [ … ]` array of an object's text. */
function appendToArray(objText: string, key: string, ref: string): string {
  const re = new RegExp(`/${key}\\s*\\[([^\\]]*)\\]`, 'g');
  const hits = [...objText.matchAll(re)];
  if (hits.length !== 1) throw new NotTimestampableError(`expected one /${key} array in ${objText.slice(0, objText.indexOf(' obj'))}, found ${hits.length}`);
  const h = hits[0]!;
  const inner = h[1]!.trimEnd();
  return objText.slice(0, h.index) + `/${key} [${inner}${inner ? ' ' : ''}${ref}]` + objText.slice(h.index + h[0].length);
}

export interface TimestampIncrement {
  bytes: Uint8Array;
  /** Offsets inside `bytes`: the ByteRange array, and the /Contents hex string from '<' to just past '>'. */
  byteRangeAt: number;
  contentsStart: number;
  contentsEnd: number;
}

/**
 * The incremental update (ISO 32000-2 §7.5.6) that adds a document time-stamp to a report: a
 * /DocTimeStamp signature dictionary, an invisible widget for it on the page that holds the
 * examiner's signature, that page with the widget added to /Annots, the AcroForm with the field
 * added, and a cross-reference section with /Prev. Deterministic from the signed file, so a
 * verifier can rebuild it and accept exactly this and nothing else.
 */
export function buildTimestampIncrement(signed: Uint8Array, contentsBytes = TIMESTAMP_CONTENTS_BYTES): TimestampIncrement {
  const text = latin1(signed);
  const rev = lastRevision(text);
  if (!rev || rev.end !== text.length) throw new NotTimestampableError('it does not end with a classic cross-reference table and trailer');
  if (trailerNumber(rev.trailer, 'Prev') !== null) throw new NotTimestampableError('it already has a revision appended after the examiner\u2019s signature');
  const size = trailerNumber(rev.trailer, 'Size');
  const root = trailerNumber(rev.trailer, 'Root');
  const info = trailerNumber(rev.trailer, 'Info');
  const id = /\/ID\s*\[\s*<([0-9A-Fa-f]+)>/.exec(rev.trailer)?.[1];
  if (size === null || root === null || !id) throw new NotTimestampableError('its trailer lacks /Size, /Root or /ID');
  const offsets = xrefOffsets(text, rev.xref);
  const acroForm = /\/AcroForm\s+(\d+)\s+0\s+R/.exec(objectText(text, offsets, root))?.[1];
  if (!acroForm) throw new NotTimestampableError('it has no signature form (no /AcroForm)');
  const acroText = objectText(text, offsets, Number(acroForm));
  const firstField = /\/Fields\s*\[\s*(\d+)\s+0\s+R/.exec(acroText)?.[1];
  const page = firstField && /\/P\s+(\d+)\s+0\s+R/.exec(objectText(text, offsets, Number(firstField)))?.[1];
  if (!page) throw new NotTimestampableError('its signature field is not on a page');
  const stampNum = size;
  const widgetNum = size + 1;
  const objects = new Map<number, string>([
    [stampNum, `${stampNum} 0 obj\n<<\n/Type /DocTimeStamp\n/Filter /Adobe.PPKLite\n/SubFilter /ETSI.RFC3161\n/ByteRange ${BYTE_RANGE_PLACEHOLDER}\n/Contents <${'0'.repeat(contentsBytes * 2)}>\n>>\nendobj`],
    // Same invisible, locked widget as the examiner's signature (pades.node.ts): Print + Locked.
    [widgetNum, `${widgetNum} 0 obj\n<<\n/Type /Annot\n/Subtype /Widget\n/FT /Sig\n/T (DocumentTimestamp)\n/V ${stampNum} 0 R\n/F 132\n/Rect [0 0 0 0]\n/P ${page} 0 R\n>>\nendobj`],
    [Number(page), appendToArray(objectText(text, offsets, Number(page)), 'Annots', `${widgetNum} 0 R`)],
    [Number(acroForm), appendToArray(acroText, 'Fields', `${widgetNum} 0 R`)],
  ]);
  let body = '';
  const at = new Map<number, number>();
  for (const [num, obj] of objects) {
    at.set(num, signed.length + body.length);
    body += `${obj}\n`;
  }
  const xref = signed.length + body.length;
  const nums = [...at.keys()].sort((a, b) => a - b);
  let table = 'xref\n';
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j]! + 1) j++;
    table += `${nums[i]} ${j - i + 1}\n`;
    for (let k = i; k <= j; k++) table += `${String(at.get(nums[k]!)).padStart(10, '0')} 00000 n \n`;
    i = j + 1;
  }
  // ISO 32000-2 §14.4: the first identifier stays, the second changes with the revision. Derived
  // from the first alone, so a changed byte elsewhere in the signed report is reported by the
  // signatures' digests rather than as a different update.
  const newId = crypto.hash('sha256', `${id}/DocTimeStamp`, 'hex').slice(0, 32);
  table += `trailer\n<<\n/Size ${size + 2}\n/Root ${root} 0 R\n${info === null ? '' : `/Info ${info} 0 R\n`}/ID [<${id}> <${newId}>]\n/Prev ${rev.xref}\n>>\nstartxref\n${xref}\n%%EOF\n`;
  const out = body + table;
  const stampAt = out.indexOf(`${stampNum} 0 obj`);
  const byteRangeAt = out.indexOf('/ByteRange ', stampAt) + '/ByteRange '.length;
  const contentsStart = out.indexOf('/Contents <', stampAt) + '/Contents '.length;
  return { bytes: fromLatin1(out), byteRangeAt, contentsStart, contentsEnd: contentsStart + contentsBytes * 2 + 2 };
}

function byteRangeText(range: readonly number[]): string {
  const written = `[${range.join(' ')}]`;
  if (written.length > BYTE_RANGE_PLACEHOLDER.length) throw new NotTimestampableError('the file is too large for the ByteRange');
  return written.slice(0, -1).padEnd(BYTE_RANGE_PLACEHOLDER.length - 1, ' ') + ']';
}

export interface TimestampOptions {
  tsaUrl: string;
  hash?: TimestampHash;
  timeoutMs?: number;
}

export interface TimestampResult {
  pdf: Uint8Array;
  /** The report as signed: the first `signedLength` bytes of `pdf`, unchanged. */
  signedLength: number;
  token: TimestampTokenInfo;
}

/**
 * Time-stamps a signed report: builds the update, hashes its ByteRange, asks the TSA, checks the
 * token (imprint, nonce, TSA signature) before writing it into /Contents. Throws TsaError for the
 * TSA's part, NotTimestampableError for the file's.
 */
export async function timestampPdf(signed: Uint8Array, o: TimestampOptions): Promise<TimestampResult> {
  const inc = buildTimestampIncrement(signed);
  const out = der.concat([signed, inc.bytes]);
  const b = signed.length + inc.contentsStart;
  const c = signed.length + inc.contentsEnd;
  out.set(fromLatin1(byteRangeText([0, b, c, out.length - c])), signed.length + inc.byteRangeAt);
  const covered = der.concat([out.subarray(0, b), out.subarray(c)]);
  const hash = o.hash ?? 'sha256';
  const request = timestampRequest(hash, new Uint8Array(crypto.hash(hash, covered, 'buffer')));
  const token = tokenFromReply(await postTimestampQuery(o.tsaUrl, request.der, o.timeoutMs), o.tsaUrl);
  const info = verifyTimestampToken(token, { data: covered, nonce: request.nonce });
  if (token.length > (c - b - 2) / 2) throw new TsaError('invalid', `the TSA's token is ${token.length} bytes, more than the ${(c - b - 2) / 2} reserved for it`);
  out.set(fromLatin1(Buffer.from(token).toString('hex')), b + 1);
  return { pdf: out, signedLength: signed.length, token: info };
}

export interface DocumentTimestamp {
  token: Uint8Array;
  byteRange: [number, number, number, number];
  /** The bytes the token's imprint is over: the whole file but the /Contents string. */
  covered: Uint8Array;
}

export interface DocumentTimestampRead {
  /** The report as the examiner signed it: the whole file, or the revision before the time-stamp. */
  signedRevision: Uint8Array;
  timestamp: DocumentTimestamp | null;
  /** Set when a revision was appended that is not exactly the time-stamp update this tool writes. */
  problem: string | null;
}

/**
 * Splits a report into the signed revision and an appended document time-stamp. The appended
 * revision is accepted only when it is byte for byte the update `buildTimestampIncrement` makes
 * from the signed revision, but for the ByteRange numbers and the token: so it can add the
 * time-stamp and nothing else (no page content, no other object).
 */
export function readDocumentTimestamp(file: Uint8Array): DocumentTimestampRead {
  const none = { signedRevision: file, timestamp: null, problem: null };
  const text = latin1(file);
  const last = lastRevision(text);
  const fail = (problem: string, signedRevision = file): DocumentTimestampRead => ({ signedRevision, timestamp: null, problem });
  if (!last) return text.includes('/DocTimeStamp') ? fail('the file does not end with a cross-reference table and %%EOF: bytes were appended after its last revision') : none;
  const prev = trailerNumber(last.trailer, 'Prev');
  if (prev === null) return none;
  const before = revisionAt(text, prev);
  if (!before) return fail(`a revision was appended after the signed report, but its /Prev ${prev} is not a cross-reference table`);
  const signed = file.subarray(0, before.end);
  const appended = text.slice(before.end);
  const contents = /\/Contents <([0-9A-Fa-f]*)>/.exec(appended);
  let expected: TimestampIncrement;
  try {
    expected = buildTimestampIncrement(signed, contents ? contents[1]!.length / 2 : TIMESTAMP_CONTENTS_BYTES);
  } catch (e) {
    return fail(`a revision was appended to a file that is not a time-stampable report (${(e as Error).message})`, signed);
  }
  const actual = fromLatin1(appended);
  const b = before.end + expected.contentsStart;
  const c = before.end + expected.contentsEnd;
  const range: [number, number, number, number] = [0, b, c, file.length - c];
  const normalised = Uint8Array.from(actual);
  if (actual.length === expected.bytes.length) {
    normalised.set(expected.bytes.subarray(expected.byteRangeAt, expected.byteRangeAt + BYTE_RANGE_PLACEHOLDER.length), expected.byteRangeAt);
    normalised.set(expected.bytes.subarray(expected.contentsStart + 1, expected.contentsEnd - 1), expected.contentsStart + 1);
  }
  if (actual.length !== expected.bytes.length || !der.bytesEqual(normalised, expected.bytes)) {
    let at = 0;
    while (at < Math.min(normalised.length, expected.bytes.length) && normalised[at] === expected.bytes[at]) at++;
    return fail(`the revision appended after the examiner's signature (from byte ${before.end}) is not only a document time-stamp: it differs from the update sealcheck timestamp writes at byte ${before.end + at}`, signed);
  }
  if (appended.slice(expected.byteRangeAt, expected.byteRangeAt + BYTE_RANGE_PLACEHOLDER.length) !== byteRangeText(range)) {
    return fail(`the time-stamp's /ByteRange is not [${range.join(' ')}], the whole file but its /Contents`, signed);
  }
  const raw = new Uint8Array(Buffer.from(contents![1]!, 'hex'));
  let token: Uint8Array;
  try {
    token = der.readNode(raw, 0).der;
  } catch (e) {
    return fail(`the time-stamp's /Contents is not a DER token (${(e as Error).message})`, signed);
  }
  if (!raw.subarray(token.length).every((x) => x === 0)) return fail('non-zero bytes follow the token in the time-stamp\u2019s /Contents', signed);
  return { signedRevision: signed, timestamp: { token, byteRange: range, covered: der.concat([file.subarray(0, b), file.subarray(c)]) }, problem: null };
}

export interface DocumentTimestampCheck {
  ok: boolean;
  detail: string;
  token: TimestampTokenInfo | null;
}

/** The verify-attestation check of a read time-stamp; `trusted` = the --tsa-cert certificates (DER). */
export function checkDocumentTimestamp(read: DocumentTimestampRead, fileLength: number, trusted?: Uint8Array[]): DocumentTimestampCheck {
  if (read.problem) return { ok: false, detail: read.problem, token: null };
  if (!read.timestamp) return { ok: false, detail: 'the report has no document time-stamp', token: null };
  try {
    const t = verifyTimestampToken(read.timestamp.token, { data: read.timestamp.covered, ...(trusted ? { trusted } : {}) });
    return {
      ok: true,
      token: t,
      detail: `time-stamped at ${t.genTime} by ${t.tsa} (token serial 0x${t.serialNumber}, policy ${t.policy}); the ${t.hashAlgorithm} imprint covers all ${fileLength} bytes but the token, `
        + `and the examiner-signed report is the first ${read.signedRevision.length} bytes, unchanged; TSA certificate SHA-256 ${t.tsaCertificateSha256}; `
        + (t.pinned ?? 'the TSA was not compared with a trusted certificate (give --tsa-cert to require one)'),
    };
  } catch (e) {
    return { ok: false, detail: (e as Error).message, token: null };
  }
}
