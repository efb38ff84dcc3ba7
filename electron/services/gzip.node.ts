// Strict streaming gunzip (members framed and checked here, not by node's lenient Gunzip) and deterministic gzip members.

// node's Gunzip accepts things the archive spec rejects (it silently drops anything after a member
// that starts with 0x00, for one), so only the raw deflate data goes to zlib: the header and the
// 8-byte trailer are parsed here, and InflateRaw's `bytesWritten` (input it actually consumed) tells
// where the deflate stream ended inside a chunk, so the unconsumed rest can be handed back.
import zlib from 'node:zlib';

export class GzipFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GzipFormatError';
  }
}

export function isGzip(firstBytes: Uint8Array): boolean {
  return firstBytes.length >= 2 && firstBytes[0] === 0x1f && firstBytes[1] === 0x8b;
}

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
const FRESERVED = 0xe0;
/** Inflate output buffer size: large enough that per-chunk overhead stays small next to inflating. */
const OUT_CHUNK = 64 * 1024;
const EMPTY = new Uint8Array(0);

/** Pull side of the input with one chunk of look-back, so bytes the inflater did not consume can be read again. */
class Source {
  private readonly it: AsyncIterator<Uint8Array>;
  private buf: Uint8Array = EMPTY;
  private pos = 0;
  private eof = false;
  private pulling = false;
  closed = false;
  /** Stream offset of the next unread byte. */
  offset = 0;

  constructor(input: AsyncIterable<Uint8Array>) {
    this.it = input[Symbol.asyncIterator]();
  }

  /** True when at least one unread byte is buffered, false at EOF. */
  async fill(): Promise<boolean> {
    while (this.pos >= this.buf.length) {
      if (this.eof || this.closed) return false;
      this.pulling = true;
      let r: IteratorResult<Uint8Array>;
      try {
        r = await this.it.next();
      } finally {
        this.pulling = false;
      }
      if (this.closed) {
        // close() came while this pull was pending; it left the iterator's return() to us.
        await this.it.return?.();
        return false;
      }
      if (r.done) {
        this.eof = true;
        return false;
      }
      if (!(r.value instanceof Uint8Array)) throw new TypeError('gunzipStrict: input chunks must be Uint8Array');
      this.buf = r.value;
      this.pos = 0;
    }
    return true;
  }

  /** The buffered unread bytes (call fill() first). */
  available(): Uint8Array {
    return this.buf.subarray(this.pos);
  }

  take(max: number): Uint8Array {
    const end = Math.min(this.buf.length, this.pos + max);
    const out = this.buf.subarray(this.pos, end);
    this.offset += out.length;
    this.pos = end;
    return out;
  }

  /** Gives back the last `n` bytes of the latest take(). */
  unread(n: number): void {
    this.pos -= n;
    this.offset -= n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.pulling && !this.eof) await this.it.return?.();
  }
}

async function readExact(src: Source, n: number, truncated: () => string): Promise<Uint8Array> {
  if (!(await src.fill())) throw new GzipFormatError(truncated());
  const first = src.take(n);
  if (first.length === n) return first;
  const out = new Uint8Array(n);
  out.set(first, 0);
  let got = first.length;
  while (got < n) {
    if (!(await src.fill())) throw new GzipFormatError(truncated());
    const piece = src.take(n - got);
    out.set(piece, got);
    got += piece.length;
  }
  return out;
}

const u16le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
const u32le = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const hex32 = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;

/** Parses and checks one member header; the source is left at the first byte of deflate data. */
async function readHeader(src: Source, member: number, start: number): Promise<void> {
  const where = `gzip member ${member} at offset ${start}`;
  const truncated = (): string => `truncated gzip header of member ${member} at offset ${start}`;
  const h = await readExact(src, 10, truncated);
  if (h[0] !== 0x1f || h[1] !== 0x8b) {
    throw new GzipFormatError(member === 1 ? 'not gzip data: bad magic at offset 0' : `${where}: bad magic`);
  }
  if (h[2] !== 8) throw new GzipFormatError(`${where}: unsupported compression method ${h[2]}`);
  const flg = h[3]!;
  if (flg & FRESERVED) throw new GzipFormatError(`${where}: reserved header flag bits set (FLG 0x${flg.toString(16).padStart(2, '0')})`);
  let hcrc = zlib.crc32(h);
  if (flg & FEXTRA) {
    const xlen = await readExact(src, 2, truncated);
    hcrc = zlib.crc32(xlen, hcrc);
    const extra = await readExact(src, u16le(xlen, 0), truncated);
    hcrc = zlib.crc32(extra, hcrc);
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (!(flg & flag)) continue;
    // Zero-terminated and of any length: scanned through, never buffered.
    for (;;) {
      if (!(await src.fill())) throw new GzipFormatError(truncated());
      const z = src.available().indexOf(0);
      const piece = src.take(z < 0 ? Infinity : z + 1);
      hcrc = zlib.crc32(piece, hcrc);
      if (z >= 0) break;
    }
  }
  if (flg & FHCRC) {
    const stored = u16le(await readExact(src, 2, truncated), 0);
    if (stored !== (hcrc & 0xffff)) {
      throw new GzipFormatError(`${where}: header CRC16 mismatch (stored 0x${stored.toString(16).padStart(4, '0')}, computed 0x${(hcrc & 0xffff).toString(16).padStart(4, '0')})`);
    }
  }
}

function writeChunk(s: zlib.InflateRaw, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    // A destroyed stream may never call back a write in flight: 'close' settles it instead.
    const onClose = (): void => reject(new Error('inflater closed'));
    s.once('close', onClose);
    s.write(chunk, (err) => {
      s.off('close', onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}

/** Inflates one member's deflate data, leaving the source right after its last byte. */
async function* inflateBody(src: Source, member: number, start: number): AsyncGenerator<Uint8Array> {
  const inflate = zlib.createInflateRaw({ chunkSize: OUT_CHUNK });
  let inputError: unknown = null;
  // The writer runs beside the reader below so that zlib's backpressure (it stops inflating while
  // its output is unread) bounds memory however much a chunk expands.
  const pump = (async (): Promise<void> => {
    let written = 0;
    try {
      for (;;) {
        if (!(await src.fill())) {
          if (!inflate.destroyed) inflate.end();
          return;
        }
        if (inflate.destroyed || src.closed) return;
        const chunk = src.take(Infinity);
        await writeChunk(inflate, chunk);
        written += chunk.length;
        if (inflate.bytesWritten < written) {
          src.unread(written - inflate.bytesWritten);
          return;
        }
      }
    } catch (e) {
      // Errors of the inflater itself surface through the reader; only input errors are kept.
      if (!inflate.destroyed && !inflate.errored) {
        inputError = e;
        inflate.destroy(e as Error);
      }
    }
  })();
  try {
    try {
      for await (const out of inflate) yield out as Uint8Array;
    } catch (e) {
      if (inputError !== null) throw inputError;
      const code = (e as { code?: unknown }).code;
      if (code === 'Z_BUF_ERROR') throw new GzipFormatError(`truncated gzip member ${member} at offset ${start}: the deflate data ends early`);
      throw new GzipFormatError(`gzip member ${member} at offset ${start}: corrupt deflate data (${(e as Error).message})`);
    }
    await pump;
    if (inputError !== null) throw inputError;
  } finally {
    inflate.destroy();
  }
}

/** Reads what follows the last member: nothing at all ('none'), or only zero bytes ('zeros'). */
async function checkTrailing(src: Source, trailing: 'none' | 'zeros', members: number): Promise<void> {
  if (trailing === 'none') {
    throw new GzipFormatError(`bytes after the last gzip member (member ${members}) at offset ${src.offset}`);
  }
  while (await src.fill()) {
    const at = src.offset;
    const piece = src.take(Infinity);
    for (let i = 0; i < piece.length; i++) {
      if (piece[i] !== 0) throw new GzipFormatError(`non-zero byte after the last gzip member (member ${members}) at offset ${at + i}`);
    }
  }
}

/**
 * Decodes one or more complete gzip members. trailing: 'none' (segments: any byte after the last
 * member is an error) or 'zeros' (compressed tar: only zero bytes may follow). A byte 0x1f after a
 * member starts another member, which must then be complete and valid; anything else ends the
 * members. Checks CM=8, reserved flag bits, FEXTRA/FNAME/FCOMMENT/FHCRC, CRC32 and ISIZE of each
 * member. Memory stays bounded: nothing is buffered beyond one input chunk and zlib's output buffers.
 */
export async function* gunzipStrict(input: AsyncIterable<Uint8Array>, trailing: 'none' | 'zeros'): AsyncGenerator<Uint8Array> {
  const src = new Source(input);
  try {
    let member = 0;
    for (;;) {
      if (!(await src.fill())) {
        if (member === 0) throw new GzipFormatError('empty input: no gzip member');
        return;
      }
      if (member > 0 && src.available()[0] !== 0x1f) {
        await checkTrailing(src, trailing, member);
        return;
      }
      member++;
      const start = src.offset;
      await readHeader(src, member, start);
      let crc = 0;
      let size = 0;
      for await (const out of inflateBody(src, member, start)) {
        crc = zlib.crc32(out, crc);
        size += out.length;
        yield out;
      }
      const t = await readExact(src, 8, () => `truncated gzip member ${member} at offset ${start}: the 8-byte trailer is missing or short`);
      const storedCrc = u32le(t, 0);
      if (storedCrc !== crc) throw new GzipFormatError(`gzip member ${member} at offset ${start}: bad CRC32 (stored ${hex32(storedCrc)}, computed ${hex32(crc)})`);
      const storedSize = u32le(t, 4);
      if (storedSize !== size % 2 ** 32) throw new GzipFormatError(`gzip member ${member} at offset ${start}: bad ISIZE (stored ${storedSize}, actual ${size % 2 ** 32})`);
    }
  } finally {
    await src.close();
  }
}

/**
 * One gzip member, MTIME 0, no file name, OS 255 ("unknown", so the bytes do not depend on the
 * host), XFL as zlib sets it. Deterministic for the same input and zlib build. Default level 6.
 */
export function gzipMember(data: Uint8Array, level = 6): Uint8Array {
  if (!Number.isInteger(level) || level < 0 || level > 9) throw new RangeError(`gzipMember: bad level ${level}`);
  const body = zlib.deflateRawSync(data, { level });
  const out = new Uint8Array(10 + body.length + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, level === 9 ? 2 : level < 2 ? 4 : 0, 255], 0);
  out.set(body, 10);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(10 + body.length, zlib.crc32(data), true);
  view.setUint32(14 + body.length, data.length % 2 ** 32, true);
  return out;
}
