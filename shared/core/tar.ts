// Streaming tar reader (header list, safety rules, archive root) and deterministic ustar writer, per archive spec §1.

import { utf8 } from './bytes.ts';

// Reading rules this parser commits to (the spec leaves them to the implementation):
// - End of archive: the first all-zero 512-byte block ends the archive. After it, every byte up to EOF
//   must be zero (any number of them: the second zero block and record padding are optional); a
//   non-zero byte there is a TarFormatError. EOF before any zero block (right after a member, inside a
//   header, member content or its padding, or on empty input) is "truncated". A lone zero block then
//   EOF is accepted, as GNU tar only warns about it.
// - Header checksum: the stored octal value must equal the unsigned or the signed byte sum, with the
//   checksum field counted as eight spaces (both are accepted by GNU tar).
// - Numeric fields (size, checksum): optional leading spaces, octal digits, then only spaces/NULs up to
//   the end of the field; a field of nothing but NULs reads as 0 (an unset field, as GNU tar reads
//   it); anything else, a blank field included, is a TarFormatError.
//   A first byte with the high bit set is GNU/star base-256 (bit 6 = negative, rejected). Fields the
//   reader does not use (mode, uid, gid, mtime, device numbers, names of owners) are not interpreted.
// - Names: the ustar `name` field, prefixed with `prefix` + '/' when the magic is POSIX "ustar\0" and
//   the prefix is not empty (the GNU "ustar  " header has no prefix field: those bytes are times).
//   A field ends at its last non-NUL byte, so a NUL followed by more bytes stays in the name and makes
//   it unsafe instead of silently hiding the tail. Names are decoded as UTF-8 (invalid bytes -> U+FFFD).
// - Extension headers are not members: PAX `x` applies to the next member only, PAX `g` to every
//   later member; GNU `L` gives the next member's name (trailing NULs removed), GNU `K` its link name
//   (read and discarded: link targets are never used). Precedence for the name: x `path` > g `path` >
//   L > ustar fields; for the size: x `size` > g `size` > the header field. An empty value in `x`
//   cancels the global value for that member, an empty value in `g` deletes the global value. Any
//   record key `GNU.sparse.*` makes the member 'other' (its content is a sparse map, not the file).
//   PAX records must be exactly `<decimal length> <key>=<value>\n` back to back; an extension
//   header larger than 1 MiB, or one followed by the end of the archive, is a TarFormatError.
// - Kinds follow the spec's table literally: a '0' entry whose name ends in '/' is a file (GNU tar
//   would extract it as a directory); its path loses the '/' like any other.
// - A directory ('5', or '\0' with a trailing '/') with a non-zero size is a TarFormatError (readers
//   disagree on whether content follows it). Every other member is followed by `size` bytes of
//   content and zero padding to 512; padding bytes are skipped unchecked, as GNU tar does.

export type TarMemberKind = 'file' | 'directory' | 'other';

export interface TarMember {
  /** The effective name as stored (after PAX/GNU long name), before normalisation. */
  rawName: string;
  /** Normalised: one leading './' and one trailing '/' removed. */
  path: string;
  /** '0', '\0', '7' are regular files; '5' (or a V7 '\0' entry whose name ends with '/') directory; anything else 'other'. */
  kind: TarMemberKind;
  typeflag: string;
  /** Content size (PAX size= overrides; base-256 sizes supported). */
  size: number;
  /** Byte offset of this member's first header in the tar stream (its `x`/`L`/`K` header when it has one; `g` headers belong to no single member). */
  headerOffset: number;
  /** Byte offset of its content in the tar stream. */
  dataOffset: number;
}

export class TarFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarFormatError';
  }
}

export interface TarUnsafe {
  rawName: string;
  reason: string;
}

export interface TarHandlers {
  member(m: TarMember): void;
  /** `chunk` is a view into the buffer given to push(): copy it to keep it past the call. */
  data?(m: TarMember, chunk: Uint8Array): void;
  memberEnd?(m: TarMember): void;
}

const BLOCK = 512;
const RECORD = 10240;
const EXT_LIMIT = 1 << 20;
/** Largest value of an 11-digit octal field, the most a ustar writer can store without PAX. */
const OCTAL11_MAX = 0o77777777777;

const latin = (b: number): string => String.fromCharCode(b);
const nameDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

function isZeroBlock(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/** Bytes of a NUL-padded field, ending at its last non-NUL byte. */
function fieldBytes(b: Uint8Array, off: number, len: number): Uint8Array {
  let end = off + len;
  while (end > off && b[end - 1] === 0) end--;
  return b.subarray(off, end);
}

function readNumber(b: Uint8Array, off: number, len: number, what: string, at: number): number {
  const first = b[off]!;
  if (first & 0x80) {
    if (first & 0x40) throw new TarFormatError(`negative base-256 ${what} in header at offset ${at}`);
    let v = first & 0x3f;
    for (let j = off + 1; j < off + len; j++) v = v * 256 + b[j]!;
    if (!Number.isSafeInteger(v)) throw new TarFormatError(`${what} too large in header at offset ${at}`);
    return v;
  }
  const end = off + len;
  let j = off;
  let allNul = true;
  for (let k = off; k < end; k++) if (b[k] !== 0) allNul = false;
  if (allNul) return 0;
  while (j < end && b[j] === 0x20) j++;
  let v = 0;
  let digits = 0;
  while (j < end && b[j]! >= 0x30 && b[j]! <= 0x37) {
    v = v * 8 + (b[j]! - 0x30);
    digits++;
    j++;
  }
  for (; j < end; j++) if (b[j] !== 0 && b[j] !== 0x20) digits = -1;
  if (digits <= 0) {
    const raw = Array.from(b.subarray(off, end), (c) => (c >= 0x20 && c < 0x7f ? latin(c) : `\\x${c.toString(16).padStart(2, '0')}`)).join('');
    throw new TarFormatError(`bad octal ${what} "${raw}" in header at offset ${at}`);
  }
  return v;
}

function checksumOk(b: Uint8Array, stored: number): boolean {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const c = i >= 148 && i < 156 ? 0x20 : b[i]!;
    unsigned += c;
    signed += c >= 128 ? c - 256 : c;
  }
  return stored === unsigned || stored === signed;
}

/** `x` and `g` values the reader acts on; null means "explicitly removed". */
interface PaxValues {
  path?: string | null;
  size?: number | null;
  sparse?: boolean;
}

function parsePax(buf: Uint8Array, at: number): PaxValues {
  const out: PaxValues = {};
  let p = 0;
  while (p < buf.length) {
    let q = p;
    let len = 0;
    while (q < buf.length && buf[q]! >= 0x30 && buf[q]! <= 0x39 && q - p < 16) len = len * 10 + (buf[q++]! - 0x30);
    if (q === p || buf[q] !== 0x20) throw new TarFormatError(`malformed PAX record at byte ${p} of the extended header at offset ${at}: no length`);
    const recEnd = p + len;
    if (recEnd > buf.length || recEnd <= q + 1) throw new TarFormatError(`malformed PAX record at byte ${p} of the extended header at offset ${at}: length ${len} out of range`);
    if (buf[recEnd - 1] !== 0x0a) throw new TarFormatError(`malformed PAX record at byte ${p} of the extended header at offset ${at}: no newline at its end`);
    const body = buf.subarray(q + 1, recEnd - 1);
    const eq = body.indexOf(0x3d);
    if (eq <= 0) throw new TarFormatError(`malformed PAX record at byte ${p} of the extended header at offset ${at}: no key=value`);
    const key = nameDecoder.decode(body.subarray(0, eq));
    const valueBytes = body.subarray(eq + 1);
    if (key === 'path') {
      out.path = valueBytes.length === 0 ? null : nameDecoder.decode(valueBytes);
    } else if (key === 'size') {
      if (valueBytes.length === 0) out.size = null;
      else {
        let v = 0;
        for (const c of valueBytes) {
          if (c < 0x30 || c > 0x39) throw new TarFormatError(`bad PAX size "${nameDecoder.decode(valueBytes)}" in the extended header at offset ${at}`);
          v = v * 10 + (c - 0x30);
        }
        if (!Number.isSafeInteger(v)) throw new TarFormatError(`PAX size too large in the extended header at offset ${at}`);
        out.size = v;
      }
    } else if (key.startsWith('GNU.sparse.')) {
      out.sparse = true;
    }
    p = recEnd;
  }
  return out;
}

function normalisePath(raw: string): string {
  let p = raw.startsWith('./') ? raw.slice(2) : raw;
  if (p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

type State = 'header' | 'content' | 'padding' | 'trailer';

/** Incremental parser: feed chunks; emits members and content. */
export class TarParser {
  private readonly handlers: TarHandlers;
  private state: State = 'header';
  /** Stream offset of the next byte to consume. */
  private pos = 0;
  private readonly block = new Uint8Array(BLOCK);
  private blockFill = 0;
  private remaining = 0;
  private padLeft = 0;
  private contentSize = 0;
  private current: TarMember | null = null;
  private ext: { type: string; at: number; buf: Uint8Array; fill: number } | null = null;
  private pendingOffset: number | null = null;
  private pendingPax: PaxValues = {};
  private pendingLongName: string | null = null;
  private readonly globalPax: { path?: string; size?: number; sparse?: boolean } = {};
  private failure: unknown = null;
  private ended = false;

  constructor(handlers: TarHandlers) {
    this.handlers = handlers;
  }

  push(chunk: Uint8Array): void {
    if (this.failure !== null) throw this.failure;
    if (this.ended) throw new TarFormatError('push() after end()');
    try {
      this.consume(chunk);
    } catch (e) {
      // A half-consumed chunk leaves the state meaningless: every later call repeats the first error.
      this.failure = e;
      throw e;
    }
  }

  end(): void {
    if (this.failure !== null) throw this.failure;
    if (this.ended) return;
    this.ended = true;
    let problem: string | null = null;
    if (this.state === 'header') {
      if (this.blockFill > 0) problem = `truncated tar: EOF inside the header at offset ${this.pos}`;
      else if (this.pos === 0) problem = 'truncated tar: empty input';
      else problem = `truncated tar: EOF at offset ${this.pos} without an end-of-archive block`;
    } else if (this.state === 'content') {
      problem = this.ext
        ? `truncated tar: EOF inside the extended header at offset ${this.ext.at}`
        : `truncated tar: EOF inside the content of '${this.current?.rawName ?? ''}' (${this.remaining} bytes missing)`;
    } else if (this.state === 'padding') {
      problem = `truncated tar: EOF inside the padding at offset ${this.pos}`;
    }
    if (problem !== null) {
      this.failure = new TarFormatError(problem);
      throw this.failure;
    }
  }

  private consume(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case 'header': {
          const take = Math.min(BLOCK - this.blockFill, n - i);
          this.block.set(chunk.subarray(i, i + take), this.blockFill);
          this.blockFill += take;
          i += take;
          if (this.blockFill === BLOCK) {
            this.blockFill = 0;
            const at = this.pos;
            this.pos += BLOCK;
            this.onHeader(at);
          }
          break;
        }
        case 'content': {
          const take = Math.min(this.remaining, n - i);
          const piece = chunk.subarray(i, i + take);
          i += take;
          this.pos += take;
          this.remaining -= take;
          if (this.ext) {
            this.ext.buf.set(piece, this.ext.fill);
            this.ext.fill += take;
          } else if (this.handlers.data) {
            this.handlers.data(this.current!, piece);
          }
          if (this.remaining === 0) this.endContent();
          break;
        }
        case 'padding': {
          const take = Math.min(this.padLeft, n - i);
          i += take;
          this.pos += take;
          this.padLeft -= take;
          if (this.padLeft === 0) this.state = 'header';
          break;
        }
        case 'trailer': {
          for (; i < n; i++, this.pos++) {
            if (chunk[i] !== 0) throw new TarFormatError(`non-zero byte after the end-of-archive block, at offset ${this.pos}`);
          }
          break;
        }
      }
    }
  }

  private onHeader(at: number): void {
    const b = this.block;
    if (isZeroBlock(b)) {
      if (this.pendingOffset !== null) throw new TarFormatError(`extended header at offset ${this.pendingOffset} is followed by the end of the archive, not a member`);
      this.state = 'trailer';
      return;
    }
    const stored = readNumber(b, 148, 8, 'checksum', at);
    if (!checksumOk(b, stored)) throw new TarFormatError(`bad header checksum at offset ${at}`);
    const typeflag = latin(b[156]!);
    const headerSize = readNumber(b, 124, 12, 'size', at);

    if (typeflag === 'x' || typeflag === 'g' || typeflag === 'L' || typeflag === 'K') {
      if (headerSize > EXT_LIMIT) throw new TarFormatError(`extended header at offset ${at} is too large (${headerSize} bytes)`);
      if (typeflag !== 'g' && this.pendingOffset === null) this.pendingOffset = at;
      this.ext = { type: typeflag, at, buf: new Uint8Array(headerSize), fill: 0 };
      this.startContent(headerSize);
      return;
    }

    const isPosixUstar = b[257] === 0x75 && b[258] === 0x73 && b[259] === 0x74 && b[260] === 0x61 && b[261] === 0x72 && b[262] === 0;
    let rawName: string;
    const pax = this.pendingPax;
    if (typeof pax.path === 'string') rawName = pax.path;
    else if (pax.path === undefined && this.globalPax.path !== undefined) rawName = this.globalPax.path;
    else if (this.pendingLongName !== null) rawName = this.pendingLongName;
    else {
      const name = fieldBytes(b, 0, 100);
      const prefix = isPosixUstar ? fieldBytes(b, 345, 155) : new Uint8Array(0);
      rawName = prefix.length > 0 ? `${nameDecoder.decode(prefix)}/${nameDecoder.decode(name)}` : nameDecoder.decode(name);
    }
    let size = headerSize;
    if (typeof pax.size === 'number') size = pax.size;
    else if (pax.size === undefined && this.globalPax.size !== undefined) size = this.globalPax.size;

    let kind: TarMemberKind;
    if (typeflag === '5' || (typeflag === '\0' && rawName.endsWith('/'))) kind = 'directory';
    else if (typeflag === '0' || typeflag === '\0' || typeflag === '7') kind = 'file';
    else kind = 'other';
    if (pax.sparse || this.globalPax.sparse) kind = 'other';
    if (kind === 'directory' && size !== 0) throw new TarFormatError(`directory '${rawName}' at offset ${at} has a non-zero size (${size})`);

    const member: TarMember = {
      rawName,
      path: normalisePath(rawName),
      kind,
      typeflag,
      size,
      headerOffset: this.pendingOffset ?? at,
      dataOffset: this.pos,
    };
    this.pendingOffset = null;
    this.pendingPax = {};
    this.pendingLongName = null;
    this.current = member;
    this.handlers.member(member);
    this.startContent(size);
  }

  private startContent(size: number): void {
    this.contentSize = size;
    this.remaining = size;
    if (size === 0) this.endContent();
    else this.state = 'content';
  }

  private endContent(): void {
    const ext = this.ext;
    if (ext) {
      this.ext = null;
      this.applyExtension(ext.type, ext.buf, ext.at);
    } else if (this.current) {
      const m = this.current;
      this.current = null;
      this.handlers.memberEnd?.(m);
    }
    this.padLeft = (BLOCK - (this.contentSize % BLOCK)) % BLOCK;
    this.state = this.padLeft > 0 ? 'padding' : 'header';
  }

  private applyExtension(type: string, buf: Uint8Array, at: number): void {
    if (type === 'L') {
      this.pendingLongName = nameDecoder.decode(fieldBytes(buf, 0, buf.length));
    } else if (type === 'x') {
      const v = parsePax(buf, at);
      // Several 'x' headers in a row merge, the later value winning, like GNU tar.
      if (v.path !== undefined) this.pendingPax.path = v.path;
      if (v.size !== undefined) this.pendingPax.size = v.size;
      if (v.sparse) this.pendingPax.sparse = true;
    } else if (type === 'g') {
      const v = parsePax(buf, at);
      if (v.path === null) delete this.globalPax.path;
      else if (v.path !== undefined) this.globalPax.path = v.path;
      if (v.size === null) delete this.globalPax.size;
      else if (v.size !== undefined) this.globalPax.size = v.size;
      if (v.sparse) this.globalPax.sparse = true;
    }
    // 'K' (GNU long link name): nothing here uses link targets.
  }
}

/** Spec §1 safety rules over the full header list (duplicates included): one entry per unsafe member. */
export function unsafeMembers(members: TarMember[]): TarUnsafe[] {
  const count = new Map<string, number>();
  for (const m of members) count.set(m.path, (count.get(m.path) ?? 0) + 1);
  const out: TarUnsafe[] = [];
  for (const m of members) {
    const reasons: string[] = [];
    if (m.kind === 'other') reasons.push(`not a regular file or directory (typeflag ${JSON.stringify(m.typeflag)})`);
    if (m.path.startsWith('/')) reasons.push('absolute path');
    if (m.path.includes('\\')) reasons.push('backslash in path');
    if (m.path.includes('\0')) reasons.push('NUL in path');
    if (m.path.split('/').includes('..')) reasons.push("'..' component");
    if (count.get(m.path)! > 1) reasons.push(`duplicate path (${count.get(m.path)} members)`);
    if (reasons.length > 0) out.push({ rawName: m.rawName, reason: reasons.join('; ') });
  }
  return out;
}

/**
 * Archive root per spec: '' if 'manifest.json' is a member; 'P' if every member lies under one first
 * component P and 'P/manifest.json' is a member; null otherwise. A directory member whose path is ''
 * (the "./" entry of `tar -C dir .`) is the top of the archive itself and lies under any root.
 */
export function tarRoot(members: TarMember[]): string | null {
  const paths = members.filter((m) => !(m.path === '' && m.kind === 'directory')).map((m) => m.path);
  if (paths.includes('manifest.json')) return '';
  const first = paths[0]?.split('/')[0];
  if (!first) return null;
  if (!paths.every((p) => p === first || p.startsWith(`${first}/`))) return null;
  return paths.includes(`${first}/manifest.json`) ? first : null;
}

// ---- writer ----

function putString(h: Uint8Array, off: number, text: string): void {
  for (let i = 0; i < text.length; i++) h[off + i] = text.charCodeAt(i);
}

function putOctal(h: Uint8Array, off: number, len: number, value: number): void {
  putString(h, off, value.toString(8).padStart(len - 1, '0'));
}

function ustarHeader(name: Uint8Array, prefix: Uint8Array, size: number, mtime: number, typeflag: string): Uint8Array {
  const h = new Uint8Array(BLOCK);
  h.set(name, 0);
  putOctal(h, 100, 8, 0o644);
  putOctal(h, 108, 8, 0);
  putOctal(h, 116, 8, 0);
  putOctal(h, 124, 12, size);
  putOctal(h, 136, 12, mtime);
  putString(h, 148, '        ');
  putString(h, 156, typeflag);
  putString(h, 257, 'ustar\0' + '00');
  putOctal(h, 329, 8, 0);
  putOctal(h, 337, 8, 0);
  h.set(prefix, 345);
  let sum = 0;
  for (const c of h) sum += c;
  putString(h, 148, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const bodyLen = utf8(body).length;
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return `${len}${body}`;
}

/** Longest prefix of `b` of at most `max` bytes that does not cut a UTF-8 sequence. */
function utf8Prefix(b: Uint8Array, max: number): Uint8Array {
  if (b.length <= max) return b;
  let end = max;
  while (end > 0 && (b[end]! & 0xc0) === 0x80) end--;
  return b.subarray(0, end);
}

/**
 * ustar header(s) for a regular file: a PAX 'x' header first when the path does not fit the ustar
 * name/prefix fields (or the size needs more than 11 octal digits). Deterministic: mode 0644, uid/gid
 * 0, empty owner names, the given mtime. Refuses paths the reader would call unsafe.
 */
export function tarFileHeader(path: string, size: number, mtime: number): Uint8Array {
  const parts = path.split('/');
  if (path === '' || parts.some((c) => c === '' || c === '.' || c === '..') || path.includes('\\') || path.includes('\0')) {
    throw new RangeError(`tarFileHeader: refusing unsafe or non-normalised path ${JSON.stringify(path)}`);
  }
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`tarFileHeader: bad size ${size}`);
  if (!Number.isSafeInteger(mtime) || mtime < 0 || mtime > OCTAL11_MAX) throw new RangeError(`tarFileHeader: bad mtime ${mtime}`);

  const bytes = utf8(path);
  let name: Uint8Array | null = null;
  let prefix: Uint8Array = new Uint8Array(0);
  if (bytes.length <= 100) name = bytes;
  else {
    // The last '/' within the prefix field's reach leaves the shortest possible name part.
    const limit = Math.min(155, bytes.length - 2);
    for (let i = limit; i > 0; i--) {
      if (bytes[i] === 0x2f) {
        if (bytes.length - i - 1 <= 100) {
          prefix = bytes.subarray(0, i);
          name = bytes.subarray(i + 1);
        }
        break;
      }
    }
  }
  const records: string[] = [];
  if (name === null) records.push(paxRecord('path', path));
  if (size > OCTAL11_MAX) records.push(paxRecord('size', String(size)));
  const main = ustarHeader(name ?? utf8Prefix(bytes, 100), prefix, size > OCTAL11_MAX ? 0 : size, mtime, '0');
  if (records.length === 0) return main;

  const paxData = utf8(records.join(''));
  const base = (parts[parts.length - 1] ?? '').replace(/[^\x21-\x7e]/g, '_');
  const paxName = utf8Prefix(utf8(`PaxHeaders/${base}`), 100);
  const out = new Uint8Array(BLOCK + paxData.length + tarPadding(paxData.length).length + BLOCK);
  out.set(ustarHeader(paxName, new Uint8Array(0), paxData.length, mtime, 'x'), 0);
  out.set(paxData, BLOCK);
  out.set(main, out.length - BLOCK);
  return out;
}

/** Zero bytes that complete a member's content of `size` bytes to a whole block. */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

/** Two zero blocks, then zeros up to the next 10240-byte record boundary (GNU tar's default blocking). */
export function tarEnd(totalBytesWrittenSoFar: number): Uint8Array {
  if (!Number.isSafeInteger(totalBytesWrittenSoFar) || totalBytesWrittenSoFar < 0 || totalBytesWrittenSoFar % BLOCK !== 0) {
    throw new RangeError(`tarEnd: ${totalBytesWrittenSoFar} is not a whole number of blocks`);
  }
  const withEnd = totalBytesWrittenSoFar + 2 * BLOCK;
  return new Uint8Array(2 * BLOCK + ((RECORD - (withEnd % RECORD)) % RECORD));
}
