// Formatting and parsing of the numbers, sizes, rates and UTC times the screens show (one place, so every screen agrees).

// A fixed locale: counts and sizes read the same on every examiner's machine and in every screenshot of a report.
const int = new Intl.NumberFormat('en-US');
const dec1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });

export function count(n: number): string {
  return int.format(n);
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

const UNITS = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];

/** Binary units, the way file managers and `ls -h` show them. */
export function bytes(n: number): string {
  if (n < 1024) return `${count(n)} ${n === 1 ? 'byte' : 'bytes'}`;
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${dec1.format(v)} ${UNITS[u]}`;
}

/** "4.2 MiB (4,404,019 bytes)": the exact number is what goes into a report. */
export function bytesExact(n: number): string {
  return n < 1024 ? bytes(n) : `${bytes(n)} (${count(n)} bytes)`;
}

export function rate(bytesPerSecond: number): string {
  if (!Number.isFinite(bytesPerSecond) || bytesPerSecond <= 0) return '—';
  return `${bytes(bytesPerSecond).replace(' bytes', ' B')}/s`;
}

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s < 1) return 'under a second';
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function percent(done: number, total: number): number {
  if (total <= 0) return 0;
  return Math.max(0, Math.min(100, (done / total) * 100));
}

/** UTC, to the millisecond, as ISO 8601 with a space: the same on every machine whatever its time zone. */
export function utc(d: Date): string {
  if (Number.isNaN(d.getTime())) return '—';
  return d.toISOString().replace('T', ' ').replace('Z', ' UTC');
}

export function utcFromIso(iso: string | null | undefined): string {
  return iso ? utc(new Date(iso)) : '—';
}

/**
 * Cosignature times: Unix seconds as the exact decimal string the API carries (a witness may sign any
 * value up to 2^63-1). Shown without ".000", which would claim a precision they lack; past year 9999,
 * where no four-digit date exists, as "beyond year 9999" with the integer itself.
 */
export function utcFromSeconds(s: string | undefined | null): string {
  if (s === undefined || s === null || !/^[0-9]{1,19}$/.test(s)) return '—';
  const n = BigInt(s);
  if (n > 253402300799n) return `beyond year 9999 (${s})`;
  return utc(new Date(Number(n) * 1000)).replace('.000 UTC', ' UTC');
}

/** Microseconds since 1970 as UTC; keeps the microseconds that a Date would drop. */
export function utcFromUs(us: number | null | undefined): string {
  if (us === null || us === undefined) return '—';
  const ms = Math.floor(us / 1000);
  const micro = us - ms * 1000;
  const base = new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  return `${base}${micro ? String(micro).padStart(3, '0') : ''} UTC`;
}

/** Short UTC for axes: date and minutes. */
export function utcShort(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(0, 16).replace('T', ' ');
}

/** A form value for a time field: ISO 8601 UTC, seconds precision unless the time has more. */
export function isoInput(us: number): string {
  const ms = Math.floor(us / 1000);
  const s = new Date(ms).toISOString();
  return ms % 1000 === 0 && us % 1000 === 0 ? s.replace('.000Z', 'Z') : s;
}

const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|UTC)?$/i;

/**
 * Parses a UTC time the examiner typed ("2023-03-10", "2023-03-10 14:05", "2023-03-10T14:05:09.123456Z") into
 * microseconds. Always UTC, never the machine's time zone: audit events are in UTC and so are the reports.
 */
export function parseUtc(text: string): number | null {
  const m = TIME_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = ''] = m;
  const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return null;
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return null;
  return ms * 1000 + Number(frac.padEnd(6, '0') || '0');
}

/** Hex in groups of four, for reading a hash or fingerprint aloud over the phone. */
export function hexGroups(hex: string, size = 4): string[] {
  const out: string[] = [];
  for (let i = 0; i < hex.length; i += size) out.push(hex.slice(i, i + size));
  return out;
}

/** The last path component, for narrow places; the full path is always shown next to it or on hover. */
export function basename(path: string): string {
  const parts = path.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? path;
}
