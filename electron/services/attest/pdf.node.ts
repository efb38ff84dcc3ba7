// Renders an AttestationContent as the attestation PDF (embedded fonts, wrapped tables, associated DSSE file, signature placeholder).
import crypto from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import PDFDocument from 'pdfkit';
import {
  GLOSSARY,
  NOT_PROVIDED,
  STANDARD_LIMITATIONS,
  TIME_STATEMENTS,
  VERDICT_HEADLINE,
  VERDICT_MEANING,
  VERIFY_PACKAGES,
  checkAttestationContent,
  companionFiles,
  howToVerify,
  type AttestationAttachment,
  type AttestationContent,
  type EvidenceItem,
} from '../../../shared/core/attestation.ts';
import type { Verdict } from '../../../shared/core/report.ts';
import { EXCERPT_VERDICT_MEANING, type ExcerptAttestation } from '../../../shared/core/excerpt-attestation.ts';
import { scopeReport } from '../../../shared/core/scope-report.ts';
import { addSignaturePlaceholder, makeExaminerCertificate, signPdf, type SignOptions } from './pades.node.ts';

export type { AttestationAttachment, AttestationContent } from '../../../shared/core/attestation.ts';

export interface RenderOptions {
  /** /M of the signature and the time signed; defaults to report.issuedAt, so output depends on the content only. */
  signingTime?: Date;
  /** Directory holding DejaVuSans.ttf, DejaVuSans-Bold.ttf and DejaVuSansMono.ttf; defaults to resources/fonts. */
  fontDir?: string;
  contentsBytes?: number;
}

const FONT_FILES = { body: 'DejaVuSans.ttf', bold: 'DejaVuSans-Bold.ttf', mono: 'DejaVuSansMono.ttf' } as const;
type FontName = keyof typeof FONT_FILES;

/**
 * The packaged app's fonts (extraResources `fonts`, beside app.asar) when process.resourcesPath says
 * where they are (Electron's main process); otherwise resources/fonts found by walking up from this
 * module, which works from the sources, from dist/, and from the app's worker threads.
 */
export function defaultFontDir(): string {
  const resourcesPath = (process as NodeJS.Process & { resourcesPath?: string }).resourcesPath;
  if (resourcesPath && existsSync(join(resourcesPath, 'fonts', FONT_FILES.body))) return join(resourcesPath, 'fonts');
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    // In a packaged app (also in its worker threads, which have no process.resourcesPath) fonts/ is app.asar's sibling.
    const candidate = dir.endsWith('.asar') ? join(dirname(dir), 'fonts') : join(dir, 'resources', 'fonts');
    if (existsSync(join(candidate, FONT_FILES.body))) return candidate;
    const parent = resolve(dir, '..');
    if (parent === dir) throw new Error(`the DejaVu fonts (${FONT_FILES.body}) were found neither in the app's resources nor in a resources/fonts folder above ${dirname(fileURLToPath(import.meta.url))}`);
    dir = parent;
  }
}

// ─── Page geometry and style ─────────────────────────────────────────────────────────────────

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { left: 50, right: 50, top: 62, bottom: 58 };
const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
const BOTTOM = A4.height - MARGIN.bottom;
const CELL_PAD = 4;

const COLOR = {
  text: '#1a1a1a',
  muted: '#5f6368',
  rule: '#c8ccd0',
  headerFill: '#eef1f4',
  noteFill: '#f6f4ee',
  commandFill: '#f2f3f5',
  warnFill: '#fbe9c6',
};

const VERDICT_COLOR: Record<Verdict, string> = { verified: '#1b6e3a', failed: '#b3261e', incomplete: '#9a5b00' };

const SIZE = { body: 9.5, table: 8.5, mono: 8, small: 7.5, command: 7.5 };

// Ligatures would make pdftotext, search and copy-paste yield other characters than were meant.
const TEXT_FEATURES = { liga: false, clig: false, dlig: false } as unknown as PDFKit.Mixins.OpenTypeFeatures[];

interface Cell {
  text: string;
  font?: FontName;
  size?: number;
  color?: string;
}

type CellInput = string | Cell;

interface Column {
  header: string;
  width: number;
  font?: FontName;
  size?: number;
}

const utcText = (iso: string | null | undefined): string => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC') : '—');
const count = (n: number): string => n.toLocaleString('en-US');
const bytesText = (n: number): string => {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u < 0 ? `${count(n)} bytes` : `${count(n)} bytes (${v.toFixed(1)} ${units[u]})`;
};
const plural = (n: number, one: string, many = `${one}s`): string => `${count(n)} ${n === 1 ? one : many}`;

// ─── Layout on top of pdfkit: a cursor, own line wrapping, tables that split across pages ────

/** Characters after which a long value (URI, path, key string) may break. */
const BREAK_AFTER: ReadonlySet<string> = new Set([' ', '/', '-', '_', ',', ';', ':', '=', '&', '?', '.', '+', '|', ')', ']', '}']);
/** Commands break between arguments only, so a wrapped argument is never split in two. */
const BREAK_COMMAND: ReadonlySet<string> = new Set([' ']);

class Layout {
  readonly doc: PDFKit.PDFDocument;
  y = MARGIN.top;

  constructor(doc: PDFKit.PDFDocument) {
    this.doc = doc;
  }

  private use(font: FontName, size: number): PDFKit.PDFDocument {
    return this.doc.font(font).fontSize(size);
  }

  lineHeight(size: number): number {
    return size * 1.32;
  }

  width(text: string, font: FontName, size: number): number {
    return this.use(font, size).widthOfString(text, { features: TEXT_FEATURES });
  }

  private readonly advance = new Map<string, number>();

  /** Advance width of one character at size 1, cached: measuring whole candidate lines made wrapping quadratic in shaping calls. */
  private charWidth(ch: string, font: FontName): number {
    const key = `${font}\u0000${ch}`;
    let w = this.advance.get(key);
    if (w === undefined) {
      w = this.width(ch, font, 1000) / 1000;
      this.advance.set(key, w);
    }
    return w;
  }

  /**
   * Greedy wrapping that never overflows: break at the last space or punctuation that fits, and
   * inside a run that has none (a 64-hex hash, base64) at the last character that fits. Widths
   * are sums of advances without kerning, which only ever makes a line a little narrower.
   */
  wrap(text: string, font: FontName, size: number, maxWidth: number, breakAfter: ReadonlySet<string> = BREAK_AFTER): string[] {
    const out: string[] = [];
    for (const paragraph of text.split('\n')) {
      let line: string[] = [];
      let widths: number[] = [];
      let total = 0;
      const restart = (chars: string[]): void => {
        line = chars;
        widths = chars.map((c) => this.charWidth(c, font) * size);
        total = widths.reduce((a, b) => a + b, 0);
      };
      for (const ch of paragraph) {
        const w = this.charWidth(ch, font) * size;
        if (total + w <= maxWidth) {
          line.push(ch);
          widths.push(w);
          total += w;
          continue;
        }
        if (ch === ' ') {
          out.push(line.join('').trimEnd());
          restart([]);
          continue;
        }
        let cut = -1;
        for (let i = line.length - 1; i > 0; i--) {
          // Never inside a number: 2,971 and 1.5 stay whole.
          const next = line[i + 1] ?? ch;
          if (breakAfter.has(line[i]!) && !((line[i] === ',' || line[i] === '.') && /[0-9]/.test(line[i - 1]!) && /[0-9]/.test(next))) {
            cut = i + 1;
            break;
          }
        }
        // A break point only in the first fifth of the line wastes the line: cut hard instead.
        const head = cut > 0 ? widths.slice(0, cut).reduce((a, b) => a + b, 0) : 0;
        if (cut > 0 && head > maxWidth * 0.2) {
          out.push(line.slice(0, cut).join('').trimEnd());
          const rest = line.slice(cut);
          while (rest[0] === ' ') rest.shift();
          restart([...rest, ch]);
        } else {
          out.push(line.join(''));
          restart([ch]);
        }
      }
      out.push(line.join('').trimEnd());
    }
    return out;
  }

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN.top;
  }

  ensure(height: number): void {
    if (this.y + height > BOTTOM) this.newPage();
  }

  draw(text: string, x: number, y: number, font: FontName, size: number, color = COLOR.text): void {
    this.use(font, size).fillColor(color).text(text, x, y, { lineBreak: false, features: TEXT_FEATURES });
  }

  space(points: number): void {
    this.y += points;
  }

  /** Wrapped text, page-breaking between lines. */
  paragraph(text: string, o: { font?: FontName; size?: number; color?: string; indent?: number; after?: number } = {}): void {
    const font = o.font ?? 'body';
    const size = o.size ?? SIZE.body;
    const indent = o.indent ?? 0;
    const lh = this.lineHeight(size);
    for (const line of this.wrap(text, font, size, CONTENT_WIDTH - indent)) {
      this.ensure(lh);
      this.draw(line, MARGIN.left + indent, this.y, font, size, o.color);
      this.y += lh;
    }
    this.y += o.after ?? 4;
  }

  bullets(items: readonly string[], size = SIZE.body): void {
    const lh = this.lineHeight(size);
    for (const item of items) {
      const lines = this.wrap(item, 'body', size, CONTENT_WIDTH - 14);
      this.ensure(lh * Math.min(lines.length, 2));
      lines.forEach((line, i) => {
        this.ensure(lh);
        if (i === 0) this.draw('•', MARGIN.left + 3, this.y, 'body', size);
        this.draw(line, MARGIN.left + 14, this.y, 'body', size);
        this.y += lh;
      });
      this.y += 2;
    }
    this.y += 3;
  }

  /** Section headings with the page they start on, for the contents list on page 1. */
  readonly sections: { number: string; title: string; page: number }[] = [];

  heading(number: string, title: string): void {
    // Keep a heading with at least a few lines of what follows.
    this.ensure(70);
    this.sections.push({ number, title, page: this.doc.bufferedPageRange().count });
    this.y += 8;
    this.draw(`${number}  ${title}`, MARGIN.left, this.y, 'bold', 13);
    this.y += 18;
    this.doc.moveTo(MARGIN.left, this.y - 3).lineTo(MARGIN.left + CONTENT_WIDTH, this.y - 3).lineWidth(0.8).strokeColor(COLOR.text).stroke();
    this.y += 5;
  }

  subheading(title: string): void {
    const lines = this.wrap(title, 'bold', 10.5, CONTENT_WIDTH);
    this.ensure(32 + lines.length * 15);
    this.y += 3;
    for (const line of lines) {
      this.draw(line, MARGIN.left, this.y, 'bold', 10.5);
      this.y += 15;
    }
    this.y += 1;
  }

  subheadingHeight(title: string): number {
    return 4 + this.wrap(title, 'bold', 10.5, CONTENT_WIDTH).length * 15;
  }

  paragraphHeight(text: string, size = SIZE.body, after = 4): number {
    return this.wrap(text, 'body', size, CONTENT_WIDTH).length * this.lineHeight(size) + after;
  }

  commandBoxHeight(text: string): number {
    return this.commandLines(text, SIZE.command).length * this.lineHeight(SIZE.command) + 15;
  }

  /** Starts a new page unless a block of this height fits; a block taller than a page just flows. */
  keepTogether(height: number): void {
    if (height <= BOTTOM - MARGIN.top) this.ensure(height);
  }

  /**
   * A command's lines, wrapped with a hanging indent so a reader sees where a wrapped line
   * continues rather than mistaking it for a new command.
   */
  private commandLines(text: string, size: number): string[] {
    const indent = '    ';
    const width = CONTENT_WIDTH - 2 * 8;
    return text.split('\n').flatMap((line) => {
      // wrap() returns prefixes of its input, so what follows the first line is the rest verbatim.
      const first = this.wrap(line, 'mono', size, width, BREAK_COMMAND)[0] ?? '';
      const rest = line.slice(first.length).replace(/^ +/, '');
      if (rest === '') return [first];
      return [first, ...this.wrap(rest, 'mono', size, width - this.charWidth(' ', 'mono') * size * indent.length, BREAK_COMMAND).map((l) => indent + l)];
    });
  }

  /** A shaded box of wrapped text, e.g. a notice or a command. */
  box(text: string, o: { font?: FontName; size?: number; fill: string; color?: string; command?: boolean }): void {
    const font = o.command ? 'mono' : o.font ?? 'body';
    const size = o.size ?? (o.command ? SIZE.command : SIZE.body);
    const lh = this.lineHeight(size);
    const lines = o.command ? this.commandLines(text, size) : this.wrap(text, font, size, CONTENT_WIDTH - 2 * 8);
    let i = 0;
    while (i < lines.length) {
      this.ensure(lh + 10);
      const fit = Math.max(1, Math.floor((BOTTOM - this.y - 10) / lh));
      const chunk = lines.slice(i, i + fit);
      const h = chunk.length * lh + 10;
      this.doc.rect(MARGIN.left, this.y, CONTENT_WIDTH, h).fill(o.fill);
      chunk.forEach((line, k) => this.draw(line, MARGIN.left + 8, this.y + 5 + k * lh, font, size, o.color));
      this.y += h;
      i += chunk.length;
    }
    this.y += 5;
  }

  /**
   * A table whose cells wrap; a row that does not fit moves to the next page with the header
   * repeated, and a row taller than a page is split line by line.
   */
  table(columns: readonly Column[], rows: readonly (readonly CellInput[])[], o: { header?: boolean; labelColumn?: boolean } = {}): void {
    const showHeader = o.header ?? true;
    const headerSize = SIZE.small + 0.5;
    const headerLines = columns.map((c) => this.wrap(c.header, 'bold', headerSize, c.width - 2 * CELL_PAD));
    const headerHeight = Math.max(...headerLines.map((l) => l.length)) * this.lineHeight(headerSize) + 2 * CELL_PAD;
    const drawHeader = (): void => {
      if (!showHeader) return;
      this.doc.rect(MARGIN.left, this.y, CONTENT_WIDTH, headerHeight).fill(COLOR.headerFill);
      let x = MARGIN.left;
      columns.forEach((c, i) => {
        headerLines[i]!.forEach((line, k) => this.draw(line, x + CELL_PAD, this.y + CELL_PAD + k * this.lineHeight(headerSize), 'bold', headerSize, COLOR.muted));
        x += c.width;
      });
      this.y += headerHeight;
      this.rule(0.6, COLOR.muted);
    };
    this.ensure(headerHeight + 30);
    drawHeader();
    for (const cells of rows) {
      const { laid, lh, total } = this.layRow(columns, cells, o.labelColumn ?? false);
      let offset = 0;
      while (offset < total) {
        const remaining = total - offset;
        const fit = Math.floor((BOTTOM - this.y - 2 * CELL_PAD) / lh);
        const wholeRowFitsOnAPage = remaining * lh + 2 * CELL_PAD <= BOTTOM - MARGIN.top - headerHeight;
        if (fit < 1 || (offset === 0 && remaining > fit && wholeRowFitsOnAPage)) {
          this.newPage();
          drawHeader();
          continue;
        }
        const n = Math.min(remaining, fit);
        let x = MARGIN.left;
        laid.forEach((l, i) => {
          l.lines.slice(offset, offset + n).forEach((line, k) => this.draw(line, x + CELL_PAD, this.y + CELL_PAD + k * lh, l.cell.font, l.cell.size, l.cell.color));
          x += columns[i]!.width;
        });
        this.y += n * lh + 2 * CELL_PAD;
        offset += n;
        this.rule(0.4, COLOR.rule);
        if (offset < total) {
          this.newPage();
          drawHeader();
        }
      }
    }
    this.y += 8;
  }

  private layRow(columns: readonly Column[], cells: readonly CellInput[], labelColumn: boolean): { laid: { lines: string[]; cell: Required<Cell> }[]; lh: number; total: number } {
    const laid = columns.map((c, i) => {
      const input = cells[i] ?? '';
      const raw: Cell = typeof input === 'string' ? { text: input } : input;
      const font = raw.font ?? (labelColumn && i === 0 ? 'bold' : c.font ?? 'body');
      const size = raw.size ?? c.size ?? (font === 'mono' ? SIZE.mono : SIZE.table);
      const color = raw.color ?? (labelColumn && i === 0 ? COLOR.muted : COLOR.text);
      return { lines: this.wrap(raw.text, font, size, c.width - 2 * CELL_PAD), cell: { text: raw.text, font, size, color } };
    });
    const lh = Math.max(...laid.map((l) => this.lineHeight(l.cell.size)));
    return { laid, lh, total: Math.max(1, ...laid.map((l) => l.lines.length)) };
  }

  private keyValueColumns(labelWidth: number): Column[] {
    return [
      { header: '', width: labelWidth },
      { header: '', width: CONTENT_WIDTH - labelWidth },
    ];
  }

  /** Two columns, label and value, no header. */
  keyValues(rows: readonly (readonly [string, CellInput])[], labelWidth = 138): void {
    this.table(this.keyValueColumns(labelWidth), rows, { header: false, labelColumn: true });
  }

  keyValuesHeight(rows: readonly (readonly [string, CellInput])[], labelWidth = 138): number {
    const columns = this.keyValueColumns(labelWidth);
    return rows.reduce((h, cells) => {
      const { lh, total } = this.layRow(columns, cells, true);
      return h + total * lh + 2 * CELL_PAD;
    }, 8);
  }

  rule(width: number, color: string): void {
    this.doc.moveTo(MARGIN.left, this.y).lineTo(MARGIN.left + CONTENT_WIDTH, this.y).lineWidth(width).strokeColor(color).stroke();
  }
}

const mono = (text: string): Cell => ({ text, font: 'mono' });
const cols = (...spec: [string, number, FontName?][]): Column[] => {
  const total = spec.reduce((n, [, w]) => n + w, 0);
  return spec.map(([header, w, font]) => ({ header, width: (w / total) * CONTENT_WIDTH, ...(font ? { font } : {}) }));
};

// ─── The report ──────────────────────────────────────────────────────────────────────────────

/** An examiner-given field: its value, or "not provided" in grey, never a silent blank. */
const given = (v: string | null | undefined): CellInput => (v && v.trim() !== '' ? v : { text: NOT_PROVIDED, color: COLOR.muted });

/** How many findings a list stands for: a listed finding is one, a counted line stands for its count. */
const findingTotal = (fs: readonly { omitted?: number }[]): number => fs.reduce((n, f) => n + (f.omitted ?? 1), 0);

function entriesLine(c: AttestationContent): string {
  const r = c.result;
  if (c.excerpt) {
    const x = c.excerpt.items;
    const items = `${plural(x.total, 'item')} (${count(x.disclosed)} disclosed, ${count(x.withheld)} withheld); ${count(x.proven)} proven against the excerpt\u2019s checkpoint`;
    return r.entries.withErrors > 0 ? `${items}; ${count(r.entries.withErrors)} failed (section 6)` : items;
  }
  const base = `${count(r.entries.total)} read; ${count(r.coverage.coveredEntries)} covered by a trusted checkpoint`;
  return r.entries.withErrors > 0 ? `${base}; ${count(r.entries.withErrors)} named by an error finding (section 6)` : base;
}

function checkpointsLine(c: AttestationContent): string {
  const k = c.result.checkpoints;
  return `${count(k.total)} in the ${c.excerpt ? 'excerpt' : 'archive'}; ${count(k.signedByTrustedKey)} carry a valid signature by a trusted key meeting the policy; ${count(k.matchingEntries)} of those match the entries`;
}

function digestLine(e: EvidenceItem, c: AttestationContent): string {
  const same = e.digestWhileVerifying === e.sha256;
  const receipt = c.custody.digestAtReceipt;
  return [
    `taken first, at ${utcText(e.digestTakenAt)}`,
    same ? 'equal to the digest computed while verifying' : `DIFFERS from the digest computed while verifying (${e.digestWhileVerifying})`,
    receipt === null ? 'no digest at receipt was given' : receipt === e.sha256 ? 'equal to the digest recorded at receipt' : `DIFFERS from the digest recorded at receipt (${receipt})`,
  ].join('; ');
}

/** Page 1; returns where the contents list goes once the sections' pages are known. */
function firstPage(l: Layout, c: AttestationContent, attachments: readonly AttestationAttachment[]): number {
  const r = c.result;
  l.draw(c.excerpt ? 'Attestation of an evidence excerpt' : 'Attestation of audit log integrity', MARGIN.left, l.y, 'bold', 20);
  l.y += 28;
  l.paragraph(
    `Report ${c.report.id} · version ${c.report.version}${c.report.supersedes ? ` · supersedes ${c.report.supersedes}` : ''} · issued ${utcText(c.report.issuedAt)}`,
    { color: COLOR.muted, after: 10 },
  );

  // The verdict: what a reader must not miss, in large type with its reason.
  const reasonLines = l.wrap(r.reason, 'bold', 11.5, CONTENT_WIDTH - 36);
  const meaningLines = l.wrap((c.excerpt ? EXCERPT_VERDICT_MEANING : VERDICT_MEANING)[r.verdict], 'body', 9, CONTENT_WIDTH - 36);
  const boxHeight = 18 + 44 + 8 + reasonLines.length * l.lineHeight(11.5) + 4 + meaningLines.length * l.lineHeight(9) + 16;
  l.doc.rect(MARGIN.left, l.y, CONTENT_WIDTH, boxHeight).fill(VERDICT_COLOR[r.verdict]);
  let y = l.y + 18;
  l.draw('RESULT', MARGIN.left + 18, y - 8, 'bold', 7.5, '#ffffff');
  l.draw(VERDICT_HEADLINE[r.verdict], MARGIN.left + 18, y + 2, 'bold', 38, '#ffffff');
  y += 52;
  for (const line of reasonLines) {
    l.draw(line, MARGIN.left + 18, y, 'bold', 11.5, '#ffffff');
    y += l.lineHeight(11.5);
  }
  y += 4;
  for (const line of meaningLines) {
    l.draw(line, MARGIN.left + 18, y, 'body', 9, '#ffffff');
    y += l.lineHeight(9);
  }
  l.y += boxHeight + 8;
  // On a FAILED report the failure is the news; the cut-back caveat stays in section 7 there.
  if (r.cutBack && r.verdict !== 'failed') l.box(r.cutBack, { fill: COLOR.warnFill, size: 8.5, font: 'bold' });
  l.space(4);

  const errors = findingTotal(r.findings.filter((f) => f.severity === 'error'));
  const warnings = findingTotal(r.findings.filter((f) => f.severity === 'warning'));
  const e = c.evidence[0]!;
  l.keyValues([
    ['Case', `${c.case.number}${c.case.title ? ` — ${c.case.title}` : ''}`],
    ['Requesting party', given(c.case.requestingParty)],
    ['Examiner', [c.examiner.name, c.examiner.role, c.examiner.organisation].filter(Boolean).join(', ')],
    ['Examiner key (SHA-256)', mono(c.examiner.keyFingerprint)],
    ['Evidence', c.evidence.map((x) => `${x.label}: ${x.name} (${x.container}, ${plural(x.entries, 'entry', 'entries')})`).join('\n')],
    [e.digestOf === 'tree' ? 'Evidence SHA-256 (tree)' : 'Evidence SHA-256', mono(e.sha256)],
    ['Evidence digest', digestLine(e, c)],
    ['Entries', entriesLine(c)],
    ['Checkpoints', checkpointsLine(c)],
    ['Findings', errors + warnings === 0 ? 'none' : `${plural(errors, 'error')}, ${plural(warnings, 'warning')} (section 6)`],
    ['Verification run', `${utcText(c.tool.startedAt)} to ${utcText(c.tool.finishedAt)}, ${c.tool.name} ${c.tool.version}`],
  ]);
  l.subheading('Other explanations to weigh (section 7)');
  l.bullets(r.interpretation, 8.5);
  l.box(
    `Signed by the examiner with an embedded PDF signature (PAdES, Ed25519) and a detached SSH signature${c.reviewer ? `; the statement is also signed by the reviewer, ${c.reviewer.name}` : ''}. ` +
      `${attachments.length > 0 ? `The machine-readable statements are embedded as ${attachments.map((a) => a.name).join(' and ')}. ` : ''}` +
      'Section 11 shows how to check all of it without trusting Sealcheck.',
    { fill: COLOR.noteFill, size: 8.5 },
  );
  return l.y + 6;
}

const CONTENTS_ROW = 13.5;
/** Sections 1 to 11 and appendices A and B: the room the contents list takes at the top of page 2. */
const CONTENTS_HEIGHT = 22 + 13 * CONTENTS_ROW + 12;

/** The contents list at the top of page 2, drawn last, once the sections' pages are known. */
function contents(l: Layout, y: number): void {
  const rowHeight = CONTENTS_ROW;
  l.doc.switchToPage(1);
  l.draw('Contents', MARGIN.left, y, 'bold', 10.5);
  y += 18;
  for (const s of l.sections) {
    l.draw(s.number, MARGIN.left, y, 'body', SIZE.body);
    l.draw(s.title, MARGIN.left + 22, y, 'body', SIZE.body);
    const page = String(s.page);
    l.draw(page, MARGIN.left + CONTENT_WIDTH - l.width(page, 'body', SIZE.body), y, 'body', SIZE.body);
    const from = MARGIN.left + 30 + l.width(s.title, 'body', SIZE.body);
    const to = MARGIN.left + CONTENT_WIDTH - 8 - l.width(page, 'body', SIZE.body);
    l.doc.moveTo(from, y + 8.5).lineTo(to, y + 8.5).lineWidth(0.5).dash(0.5, { space: 2.5 }).strokeColor(COLOR.muted).stroke().undash();
    y += rowHeight;
  }
}

function caseSection(l: Layout, c: AttestationContent): void {
  l.heading('1', 'Case, custody and examiner');
  l.keyValues([
    ['Case number', c.case.number],
    ['Case title', given(c.case.title)],
    ['Requesting party', given(c.case.requestingParty)],
    ['Request and questions', given(c.custody.request)],
    ['Legal authority', given(c.custody.authority)],
    ['Report id', mono(c.report.id)],
    ['Report version', c.report.supersedes ? `${c.report.version}, superseding report ${c.report.supersedes}` : `${c.report.version} (first issue)`],
    ['Issued', utcText(c.report.issuedAt)],
  ]);
  l.subheading('Chain of custody (as stated by the examiner)');
  l.keyValues([
    ['Evidence number', given(c.custody.evidenceNumber)],
    ['Received from', given(c.custody.receivedFrom)],
    ['Received at', given(c.custody.receivedAt && utcText(c.custody.receivedAt))],
    ['Received how', given(c.custody.receivedHow)],
    ['Stored where', given(c.custody.storedWhere)],
    ['SHA-256 at receipt', c.custody.digestAtReceipt ? mono(c.custody.digestAtReceipt) : given(null)],
  ]);
  l.subheading('Examiner (identity stored with the signing key)');
  l.keyValues([
    ['Name', c.examiner.name],
    ['Role', given(c.examiner.role)],
    ['Organisation', given(c.examiner.organisation)],
    ['E-mail', given(c.examiner.email)],
    ['Qualifications', given(c.examiner.qualifications)],
    ['Signing principal', mono(c.examiner.principal)],
    ['Key fingerprint (SHA-256)', mono(c.examiner.keyFingerprint)],
  ]);
  l.subheading('Reviewer');
  if (!c.reviewer) l.paragraph('No reviewer signed this report.');
  else
    l.keyValues([
      ['Name', c.reviewer.name],
      ['E-mail', given(c.reviewer.email)],
      ['Reviewed and signed', `${utcText(c.reviewer.reviewedAt)}, as the second signature of ${companionFiles(c.report.fileName).dsse}`],
      ['Key fingerprint (SHA-256)', mono(c.reviewer.fingerprints.sha256Hex)],
    ]);
}

function evidenceSection(l: Layout, c: AttestationContent): void {
  const intro = 'Each item is identified by the digests of the container exactly as received (for a directory, the tree digest over its files), taken before anything else read it, and compared with the digest the verification computed as it read the same bytes.';
  l.keepTogether(70 + l.paragraphHeight(intro) + 260);
  l.heading('2', 'Evidence');
  l.paragraph(
    'Each item is identified by the digests of the container exactly as received (for a directory, the tree digest over its files), taken before anything else read it, and compared with the digest the verification computed as it read the same bytes.',
    { after: 6 },
  );
  for (const e of c.evidence) {
    const title = `${e.label}  ${e.name}`;
    const rows: [string, CellInput][] = [
      [e.container === 'directory' ? 'Directory name' : 'File name', mono(e.name)],
      ['Container', e.container === 'directory' ? 'directory (digests are of the tree)' : e.container],
      ['Size', bytesText(e.sizeBytes)],
      [e.digestOf === 'tree' ? 'SHA-256 (tree)' : 'SHA-256', mono(e.sha256)],
      [e.digestOf === 'tree' ? 'SHA-512 (tree)' : 'SHA-512', mono(e.sha512)],
      ['Digest checks', digestLine(e, c)],
      ['Log origin', e.origin ? mono(e.origin) : '—'],
      ['Entries', count(e.entries)],
      ['First event time', utcText(e.eventsFrom)],
      ['Last event time', utcText(e.eventsTo)],
    ];
    l.keepTogether(l.subheadingHeight(title) + l.keyValuesHeight(rows));
    l.subheading(title);
    l.keyValues(rows);
    l.subheading(`What ${e.label} says about itself (its manifest: claims, not verified facts)`);
    const gap = e.claims.gapDays;
    l.keyValues([
      ['Sealed at', e.claims.sealedAt ? utcText(e.claims.sealedAt) : { text: 'not stated', color: COLOR.muted }],
      ['Gap after last event', gap === null ? '—' : gap > 1 ? { text: `${count(gap)} days between the last event and the sealing: FLAGGED, the seal does not cover that time`, color: VERDICT_COLOR.incomplete, font: 'bold' } : 'sealed within a day of the last event'],
      ['Producer', e.claims.producer ?? { text: 'not stated', color: COLOR.muted }],
      ['Kind', e.claims.kind ?? { text: 'not stated', color: COLOR.muted }],
      ['Description', e.claims.description ?? { text: 'not stated', color: COLOR.muted }],
    ]);
  }
}

function toolSection(l: Layout, c: AttestationContent): void {
  l.heading('3', 'Tool and environment');
  const t = c.tool;
  l.keyValues([
    ['Tool', `${t.name} ${t.version}`],
    [`Build digest (${t.buildDigest.algorithm.toUpperCase()})`, mono(`${t.buildDigest.value}\nof ${t.buildDigest.of}; every shipped file in appendix A`)],
    ['Command (argv, JSON)', t.argv ? mono(JSON.stringify(t.argv)) : 'run from the desktop app (no command line)'],
    ['Working directory', mono(t.cwd)],
    ['Host', `${t.host.hostname} (${t.host.os}, ${t.host.arch})`],
    ['Runtime', t.host.runtime],
    ['Clock', t.clock],
    ['Verification started', utcText(t.startedAt)],
    ['Verification ended', utcText(t.finishedAt)],
  ]);
}

function trustSection(l: Layout, c: AttestationContent): void {
  l.heading('4', 'Trust policy');
  l.paragraph(
    'The verdict holds relative to these keys and anchors only. They were supplied by the examiner, from the sources given; the report cannot show who held the private keys. ' +
      'Each key is named by its note key id and its primary fingerprint: SHA-256 of the raw 32-byte public key, hex.',
    { after: 6 },
  );
  l.subheading('Keys');
  l.table(
    cols(['Name', 18], ['Role and type', 16], ['Key id', 10, 'mono'], ['Fingerprint (SHA-256), key and source', 56]),
    c.trustPolicy.keys.map((k) => [mono(k.name), `${k.role}: ${k.type}`, k.keyId, mono([k.fingerprint, k.keyString ?? '', `source: ${k.source}`].filter(Boolean).join('\n'))]),
  );
  l.subheading('Witness quorum');
  const q = c.trustPolicy.witnessQuorum;
  l.paragraph(q ? `${q.required} of ${q.witnesses.length} witnesses must cosign the covering checkpoint: ${q.witnesses.join(', ')}.` : 'No witness quorum was required.');
  l.subheading('Anchors');
  if (c.trustPolicy.anchors.length === 0) l.paragraph('No anchor checkpoint was given.');
  else
    l.table(
      cols(['Label', 7], ['Origin', 22, 'mono'], ['Tree size', 11], ['Root hash', 26, 'mono'], ['Source', 22], ['Matched', 12]),
      c.trustPolicy.anchors.map((a) => [a.label, a.origin, count(a.treeSize), a.rootHash, a.source, a.matched ? 'yes' : 'NO']),
    );
}

function methodAndResultSection(l: Layout, c: AttestationContent): void {
  const r = c.result;
  const m = c.method;
  l.heading('5', 'Method and result');
  l.subheading('What was checked');
  l.bullets(m.checks, SIZE.table);
  l.subheading('References');
  l.table(cols(['Reference', 26], ['Title', 74]), [
    ...m.references.map((x) => [x.id, x.title] as CellInput[]),
    [m.spec.title, mono(`SHA-256 ${m.spec.sha256}`)],
  ]);
  l.subheading('Tool validation');
  const st = m.selfTest;
  l.keyValues([
    ['Installation self-test', { text: st.status === 'passed' ? 'PASSED' : st.status === 'failed' ? 'FAILED' : 'not run', font: 'bold', color: st.status === 'passed' ? VERDICT_COLOR.verified : st.status === 'failed' ? VERDICT_COLOR.failed : COLOR.muted }],
    ['Summary', st.summary],
    ['Run at', st.at ? utcText(st.at) : '—'],
    ['Record SHA-256', st.recordSha256 ? mono(st.recordSha256) : '—'],
  ]);
  l.subheading('Result');
  l.keyValues([
    ['Verdict', { text: VERDICT_HEADLINE[r.verdict], font: 'bold', color: VERDICT_COLOR[r.verdict] }],
    ['Stated result', r.reason],
    ['Entries', entriesLine(c)],
    ['Segments', c.excerpt ? 'none: an excerpt holds items, each with its own proof' : `${count(r.segments.withoutError)} of ${count(r.segments.total)} without an error finding`],
    ['Checkpoints', checkpointsLine(c)],
  ]);
  l.subheading('Checkpoint signatures per key');
  l.table(
    cols(['Key', 30, 'mono'], ['Key id', 13, 'mono'], ['Role', 12], ['Valid', 13], ['Invalid', 13], ['Not checked', 13]),
    r.perKey.map((k) => [k.name, k.keyId, k.role, count(k.valid), count(k.invalid), count(k.notChecked)]),
  );
  l.subheading('Cosignatures');
  if (r.cosignatures.length === 0) l.paragraph('No cosignature was found.');
  else
    l.table(
      cols(['Witness', 24, 'mono'], ['Key id', 11, 'mono'], ['Checkpoint', 27, 'mono'], ['Tree size', 11], ['Time (witness claim)', 27]),
      r.cosignatures.map((s) => [s.witness, s.keyId, s.checkpoint, count(s.treeSize), s.time ? `${utcText(s.time)} (${s.unixSeconds})` : `beyond year 9999 (${s.unixSeconds})`]),
    );
  l.subheading('Coverage');
  const cov = r.coverage;
  const rows: [string, CellInput][] = [
    ['Covered entries', `${count(cov.coveredEntries)} of ${count(cov.totalEntries)}`],
    ['Not covered', cov.unsignedTail === 0 ? 'none' : `${plural(cov.unsignedTail, 'entry', 'entries')} after the last trusted checkpoint whose root matches the entries`],
  ];
  if (cov.coveringCheckpoint) rows.push(['Covering checkpoint', mono(cov.coveringCheckpoint.path)], ['Tree size', count(cov.coveringCheckpoint.treeSize)], ['Root hash', mono(cov.coveringCheckpoint.rootHash)]);
  l.keyValues(rows);
}

function findingsSection(l: Layout, c: AttestationContent): void {
  l.heading('6', 'Findings');
  if (c.excerpt) {
    const p = c.excerpt.problems;
    if (p.length === 0) l.paragraph('No finding: every check of the excerpt passed.');
    else l.table(cols(['Item', 16], ['What failed', 84]), p.map((x) => [x.index === null ? 'the excerpt' : `index ${count(x.index)}`, x.message]));
    return;
  }
  if (c.result.findings.length === 0) {
    l.paragraph('No finding: every check passed.');
    return;
  }
  l.table(
    cols(['Code', 29, 'mono'], ['Severity', 10], ['Location', 21, 'mono'], ['Message', 40]),
    c.result.findings.map((f) => [f.code, { text: f.severity, color: f.severity === 'error' ? VERDICT_COLOR.failed : VERDICT_COLOR.incomplete }, f.location || '—', f.message]),
  );
}

function limitationsSection(l: Layout, c: AttestationContent): void {
  // The Limitations page: a reader looking for what the evidence cannot show finds it on a page of its own.
  l.newPage();
  l.heading('7', 'Interpretation and limitations');
  l.subheading('Other explanations for this result');
  l.bullets(c.result.interpretation);
  const specific = [...(c.result.cutBack ? [c.result.cutBack.replace(/^Limitation: (.)/, (_, ch: string) => ch.toUpperCase())] : []), ...c.result.limitations];
  l.subheading('Of this examination');
  if (specific.length > 0) l.bullets(specific);
  else l.paragraph('None beyond those below.');
  scopeLimitations(l, c);
  l.subheading('Of audit logs in general');
  l.bullets(STANDARD_LIMITATIONS);
  l.subheading('Time');
  l.bullets(TIME_STATEMENTS);
}

/** What the log could not have recorded (issue 11): the audit policy and its source, blind spots, events against it, time gaps. */
function scopeLimitations(l: Layout, c: AttestationContent): void {
  const s = scopeReport(c.scope ?? null, c.result.coverage.coveredEntries);
  l.subheading('What this log could not have recorded: the audit policy');
  for (const p of s.policies) l.paragraph(p);
  if (s.blindSpots.length > 0 || s.outsideApiServer) {
    l.subheading(s.blindSpots.length > 0 ? 'Blind spots: what the policy leaves out' : 'What no audit log records');
    for (const b of s.blindSpots) {
      if (s.blindSpots.length > 1) l.paragraph(b.policy, { font: 'bold', after: 2 });
      l.bullets(b.items);
    }
    if (s.outsideApiServer) l.bullets([s.outsideApiServer]);
  }
  if (s.consistency.length > 0) {
    l.subheading('Events against the policy');
    for (const p of s.consistency) l.paragraph(p);
    if (s.listedNote) l.paragraph(s.listedNote);
    if (s.contradictions.length > 0) l.table(cols(['Entry', 14], ['What contradicts the policy', 86]), s.contradictions.map((x) => [count(x.index), x.text]));
  }
  if (s.time.length > 0) {
    l.subheading('Gaps in time');
    for (const p of s.time) l.paragraph(p);
    if (s.gaps.length > 0) l.table(cols(['Entries', 22], ['Interval without an event', 78]), s.gaps.map((g) => [g.entries, g.text]));
    if (s.outOfOrder.length > 0) l.table(cols(['Entries', 22], ['Out of time order', 78]), s.outOfOrder.map((g) => [g.entries, g.text]));
  }
  if (s.chainNote) l.box(s.chainNote, { fill: COLOR.noteFill, size: 8.5 });
}

function activitySection(l: Layout, c: AttestationContent): void {
  if (c.excerpt) {
    excerptSection(l, c.excerpt);
    return;
  }
  l.heading('8', 'Activity summary (outside the integrity claim)');
  l.box(
    'OUTSIDE THE INTEGRITY CLAIM. These figures describe what the events say. They are counted from every entry read, including any not covered by a trusted checkpoint or named by a finding; the signatures vouch only that covered events are the ones logged.',
    { fill: COLOR.noteFill, size: 8.5 },
  );
  const a = c.activity;
  if (!a) {
    l.paragraph('No activity summary was produced for this report.');
    return;
  }
  l.paragraph(`${count(a.totalEvents)} events from ${utcText(a.from)} to ${utcText(a.to)}.`);
  const counted = (title: string, header: string, items: { name: string; count: number }[]): void => {
    l.subheading(title);
    if (items.length === 0) l.paragraph('None.');
    else l.table(cols([header, 75, 'mono'], ['Events', 25]), items.map((i) => [i.name, count(i.count)]));
  };
  counted('Top users', 'User', a.topUsers);
  counted('Verbs', 'Verb', a.verbs);
  l.subheading(`Denied requests (${count(a.denied.total)})`);
  if (a.denied.top.length === 0) l.paragraph('None.');
  else l.table(cols(['User', 32, 'mono'], ['Verb', 13, 'mono'], ['Resource', 40, 'mono'], ['Count', 15]), a.denied.top.map((d) => [d.user, d.verb, d.resource, count(d.count)]));
  l.subheading('Preset searches');
  if (a.presetHits.length === 0) l.paragraph('None.');
  else l.table(cols(['Preset', 25, 'mono'], ['What it looks for', 60], ['Hits', 15]), a.presetHits.map((p) => [p.preset, p.description, count(p.count)]));
}

/** Section 8 of an excerpt's report: what it holds, item by item (the listing is capped; the manifest lists every item). */
function excerptSection(l: Layout, x: ExcerptAttestation): void {
  const rows: [string, CellInput][] = [
    ['Format', x.format],
    ['Selection', x.selection],
    ['Proven against', mono(`${x.checkpoint.origin}\ntree size ${count(x.checkpoint.treeSize)}, root ${x.checkpoint.rootHash}`)],
    ['Items', `${count(x.items.total)}: ${count(x.items.disclosed)} disclosed, ${count(x.items.withheld)} withheld; ${count(x.items.proven)} proven`],
    ['Complete ranges', x.complete.length === 0
      ? 'none: the excerpt claims only its items, not that nothing between them was left out'
      : x.complete.map((r) => `indices ${count(r.first)} to ${count(r.last)} (${plural(r.last - r.first + 1, 'entry', 'entries')}): ${r.whole ? 'an item is present for every index' : 'NOT WHOLE, indices are missing (section 6)'}`).join('\n')],
    ['Withheld, by reason', x.withheldByRule.length === 0 ? 'none' : x.withheldByRule.map((r) => `${r.name}: ${count(r.count)}`).join('\n')],
    ['Source archive (claim)', mono(`${x.source.name}\nSHA-256 ${x.source.digestOf === 'tree' ? '(tree) ' : ''}${x.source.sha256 || 'not stated'}\n${plural(x.source.entries, 'entry', 'entries')}`)],
  ];
  // The heading stays with the summary it introduces.
  l.keepTogether(40 + l.keyValuesHeight(rows));
  l.heading('8', 'The excerpt: disclosed and withheld events');
  l.keyValues(rows);
  const proof = (ok: boolean): CellInput => ok ? { text: 'proven', color: VERDICT_COLOR.verified } : { text: 'FAILED', font: 'bold', color: VERDICT_COLOR.failed };
  l.subheading(`Disclosed events (${count(x.items.disclosed)})`);
  l.paragraph('Each row is an entry handed over byte for byte (items/INDEX.entry). Time, user, verb, resource, namespace and code are what the event itself says: the producer\u2019s claims, read from the proven bytes.', { size: SIZE.table, color: COLOR.muted, after: 4 });
  if (x.disclosed.length === 0) l.paragraph('None.');
  else {
    l.table(
      cols(['Index', 8], ['Time (UTC)', 13], ['User', 19, 'mono'], ['Verb', 9, 'mono'], ['Resource', 21, 'mono'], ['Namespace', 13, 'mono'], ['Code', 7], ['Proof', 10]),
      x.disclosed.map((e) => [count(e.index), e.time ? e.time.replace('T', '\n').replace('Z', '') : '\u2014', e.user ?? '\u2014', e.verb ?? '\u2014', e.resource ?? '\u2014', e.namespace ?? '\u2014', e.code === null ? '\u2014' : String(e.code), proof(e.proven)]),
    );
    if (x.unlisted.disclosed > 0) l.paragraph(`${plural(x.unlisted.disclosed, 'more disclosed item')}, not listed here: the excerpt\u2019s manifest.json lists each.`, { size: SIZE.table });
  }
  l.subheading(`Withheld events (${count(x.items.withheld)})`);
  l.paragraph('A withheld entry is not handed over: its leaf hash in the manifest is proven at its index, so it is shown to be in the log without its content. A redacted view, where present, is the examiner\u2019s rendering and not evidence.', { size: SIZE.table, color: COLOR.muted, after: 4 });
  if (x.withheld.length === 0) l.paragraph('None.');
  else {
    l.table(
      cols(['Index', 10], ['Reasons (rule: where it matched)', 60], ['Redacted view', 15], ['Proof', 15]),
      x.withheld.map((w) => [count(w.index), w.reasons.map((r) => `${r.rule}: ${r.detail}`).join('\n'), w.redacted ? 'yes (not evidence)' : 'no', proof(w.proven)]),
    );
    if (x.unlisted.withheld > 0) l.paragraph(`${plural(x.unlisted.withheld, 'more withheld item')}, not listed here: the excerpt\u2019s manifest.json lists each with its reasons.`, { size: SIZE.table });
  }
}

function declarationSection(l: Layout, c: AttestationContent): void {
  const d = c.declaration;
  l.heading('9', 'Declaration');
  if (d.template === 'none') {
    l.paragraph('The examiner chose to make no declaration in this report (template "none").');
    return;
  }
  l.subheading(d.title);
  for (const p of d.text.split('\n\n')) l.paragraph(p, { after: 6 });
  l.paragraph(`Template ${d.template}, version ${d.templateVersion}; its text is part of the signed statement.`, { color: COLOR.muted, size: SIZE.small });
}

function signaturesSection(l: Layout, c: AttestationContent, attachments: readonly AttestationAttachment[]): void {
  l.heading('10', 'Signatures and key fingerprints');
  l.paragraph(
    `I examined the evidence identified in section 2 with the tool and trust policy stated in sections 3 and 4; the results in sections 5 to 7 are those the tool produced. I sign this report with the key below.`,
    { after: 6 },
  );
  l.keyValues([
    ['Name', c.examiner.name],
    ['Role', given(c.examiner.role)],
    ['Organisation', given(c.examiner.organisation)],
    ['Signed', `${utcText(c.report.issuedAt)}, by the embedded digital signature`],
  ]);
  l.subheading('One key, three spellings');
  l.paragraph(
    'This report names every key by its primary fingerprint: SHA-256 of the raw 32-byte Ed25519 public key, in hex. Other tools print the same key differently; this table reconciles them.',
    { after: 4 },
  );
  const signers = [{ who: `Examiner (${c.examiner.name})`, f: c.examiner.fingerprints }, ...(c.reviewer ? [{ who: `Reviewer (${c.reviewer.name})`, f: c.reviewer.fingerprints }] : [])];
  l.table(
    cols(['Key and convention', 34], ['Value', 66, 'mono']),
    signers.flatMap((s) => [
      [`${s.who}: primary, SHA-256 of the raw key, hex (sealcheck keygen; section 11, step 1)`, s.f.sha256Hex],
      [`${s.who}: OpenSSH SHA256: (ssh-keygen -l, ssh-keygen -Y verify)`, s.f.openssh],
      [`${s.who}: DSSE keyid in the statements (an unauthenticated hint)`, s.f.dsseKeyid],
    ]),
  );
  l.subheading('Attachments');
  if (attachments.length === 0) l.paragraph('None.');
  else {
    l.paragraph(
      `Embedded in this PDF as associated files (relationship: Source), in this order, and delivered beside it with ${companionFiles(c.report.fileName).examinerPub}, ${companionFiles(c.report.fileName).examinerCrt}, the SSH signature and its allowed_signers file.`,
      { after: 6 },
    );
    l.table(cols(['File and size', 34], ['SHA-256', 66, 'mono']), attachments.map((a) => [{ text: `${a.name}\n${bytesText(a.bytes.length)}`, font: 'mono' }, crypto.hash('sha256', a.bytes)]));
  }
}

function verifySection(l: Layout, c: AttestationContent): void {
  l.heading('11', 'How to verify this document');
  l.paragraph(
    `Each step stands alone and runs exactly as printed with bash, in the folder holding ${c.report.fileName} and the files delivered with it, on Debian 12 with the packages ${VERIFY_PACKAGES}. ` +
      'The examiner key must be compared with a fingerprint obtained out of band (not from this document).',
    { after: 6 },
  );
  howToVerify(c).forEach((step, i) => {
    const title = `Step ${i + 1}. ${step.title}`;
    // Each command box with the line saying what it prints: never split from each other.
    l.keepTogether(l.subheadingHeight(title) + l.paragraphHeight(step.text) + step.commands.reduce((h, cmd, k) => h + l.commandBoxHeight(cmd) + l.paragraphHeight(`Prints: ${step.expect[k]}`, SIZE.small), 2));
    l.subheading(title);
    l.paragraph(step.text, { after: 4 });
    step.commands.forEach((command, k) => {
      l.box(command, { command: true, fill: COLOR.commandFill });
      l.paragraph(`Prints: ${step.expect[k]}`, { size: SIZE.small, color: COLOR.muted });
    });
    l.space(2);
  });
}

function reproducibilityAppendix(l: Layout, c: AttestationContent): void {
  const x = c.reproducibility;
  const t = c.tool;
  l.heading('A', 'Appendix: reproducibility');
  l.paragraph('Everything needed to repeat this examination and to name the exact inputs and build.', { after: 6 });
  l.keyValues([
    ['Command (argv, JSON)', t.argv ? mono(JSON.stringify(t.argv)) : 'run from the desktop app'],
    ['Working directory', mono(t.cwd)],
    ['Evidence digest command', mono(x.digestCommand)],
    ['Source commit', x.sourceCommit ? mono(x.sourceCommit) : { text: 'not available', color: COLOR.muted }],
    ['package-lock.json SHA-256', x.packageLock ? mono(x.packageLock) : { text: 'not available', color: COLOR.muted }],
    ['Case database SHA-256', c.activity?.caseDatabase?.sha256 ? mono(c.activity.caseDatabase.sha256) : { text: 'not kept (a temporary database was used)', color: COLOR.muted }],
    ['Preset definitions', c.activity?.caseDatabase ? mono(c.activity.caseDatabase.presetsVersion) : '—'],
  ]);
  l.subheading('Shipped files of the tool (SHA-256)');
  if (x.bundles.length === 0) l.paragraph('not available');
  else l.table(cols(['File', 34, 'mono'], ['SHA-256', 66, 'mono']), x.bundles.map((b) => [b.file, b.sha256]));
  l.subheading('Files of the evidence (SHA-256)');
  l.table(cols(['Path', 34, 'mono'], ['SHA-256', 66, 'mono']), x.files.map((f) => [f.path, f.sha256]));
  l.subheading('Checkpoint texts, as in the archive');
  for (const cp of x.checkpoints) {
    l.paragraph(cp.path, { font: 'mono', size: SIZE.mono, after: 2 });
    l.box(cp.text.replace(/\n$/, ''), { command: true, fill: COLOR.commandFill });
  }
}

function glossaryAppendix(l: Layout): void {
  l.heading('B', 'Appendix: glossary');
  l.table(cols(['Term', 18], ['Meaning in this report', 82]), GLOSSARY.map(([term, meaning]) => [{ text: term, font: 'bold' }, meaning]));
}

/** Header and "Page i of n" on every page, once the page count is known. */
function decoratePages(doc: PDFKit.PDFDocument, c: AttestationContent): void {
  const range = doc.bufferedPageRange();
  const l = new Layout(doc);
  for (let i = 0; i < range.count; i++) {
    doc.switchToPage(range.start + i);
    l.draw(`${c.tool.name} attestation · ${c.report.id} v${c.report.version}`, MARGIN.left, 30, 'body', SIZE.small, COLOR.muted);
    const caseText = `Case ${c.case.number}`;
    l.draw(caseText, A4.width - MARGIN.right - l.width(caseText, 'body', SIZE.small), 30, 'body', SIZE.small, COLOR.muted);
    doc.moveTo(MARGIN.left, 42).lineTo(A4.width - MARGIN.right, 42).lineWidth(0.4).strokeColor(COLOR.rule).stroke();
    const footerY = A4.height - 38;
    doc.moveTo(MARGIN.left, footerY - 6).lineTo(A4.width - MARGIN.right, footerY - 6).lineWidth(0.4).strokeColor(COLOR.rule).stroke();
    l.draw(`Verdict: ${VERDICT_HEADLINE[c.result.verdict]} · digitally signed by ${c.examiner.name}`, MARGIN.left, footerY, 'body', SIZE.small, COLOR.muted);
    const pageText = `Page ${i + 1} of ${range.count}`;
    l.draw(pageText, A4.width - MARGIN.right - l.width(pageText, 'body', SIZE.small), footerY, 'body', SIZE.small, COLOR.muted);
  }
}

// ─── Associated files and metadata ───────────────────────────────────────────────────────────

interface PdfKitInternals {
  ref(data: object): { data: Record<string, unknown>; end(chunk?: Uint8Array): void };
  _root: { data: Record<string, unknown> };
  addNamedEmbeddedFile(name: string, ref: object): void;
  appendXML(xml: string, newline?: boolean): void;
  _addInfo: () => void;
}

/** A PDF name for a MIME type: '/' and other delimiters as #xx (ISO 32000-2 §7.3.5). */
function pdfName(s: string): string {
  return s.replace(/[^A-Za-z0-9.+_-]/g, (ch) => `#${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Embeds each attachment as a PDF/A-3 style associated file: an EmbeddedFile stream with Subtype
 * and Params (Size, MD5 CheckSum as the spec's 16-byte string, dates), a Filespec with
 * AFRelationship /Source, listed in the catalog's AF array and the EmbeddedFiles name tree.
 * pdfkit's own file() writes the checksum as hex text, hence this.
 */
function embedAttachments(doc: PDFKit.PDFDocument, attachments: readonly AttestationAttachment[], when: Date): void {
  const d = doc as unknown as PdfKitInternals;
  const af: object[] = [];
  for (const a of attachments) {
    const stream = d.ref({
      Type: 'EmbeddedFile',
      Subtype: pdfName(a.mime),
      Params: { Size: a.bytes.length, CheckSum: new Uint8Array(crypto.hash('md5', a.bytes, 'buffer')), CreationDate: when, ModDate: when },
    });
    stream.end(a.bytes);
    const spec = d.ref({
      Type: 'Filespec',
      F: new String(a.name),
      UF: new String(a.name),
      Desc: new String(a.description),
      AFRelationship: 'Source',
      EF: { F: stream, UF: stream },
    });
    spec.end();
    d.addNamedEmbeddedFile(a.name, spec);
    af.push(spec);
  }
  if (af.length > 0) d._root.data.AF = af;
}

const xml = (s: string): string => s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** XMP packet with escaped values; pdfkit's own interpolates the info strings unescaped. */
function useEscapedXmp(doc: PDFKit.PDFDocument, c: AttestationContent, title: string, producer: string): void {
  const d = doc as unknown as PdfKitInternals;
  const when = new Date(c.report.issuedAt).toISOString().replace(/\.\d+Z$/, 'Z');
  d._addInfo = () => {
    d.appendXML(
      [
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">',
        `<xmp:CreateDate>${when}</xmp:CreateDate>`,
        `<xmp:ModifyDate>${when}</xmp:ModifyDate>`,
        `<xmp:MetadataDate>${when}</xmp:MetadataDate>`,
        `<xmp:CreatorTool>${xml(`${c.tool.name} ${c.tool.version}`)}</xmp:CreatorTool>`,
        `<dc:title><rdf:Alt><rdf:li xml:lang="x-default">${xml(title)}</rdf:li></rdf:Alt></dc:title>`,
        `<dc:creator><rdf:Seq><rdf:li>${xml(c.examiner.name)}</rdf:li></rdf:Seq></dc:creator>`,
        `<dc:identifier>${xml(c.report.id)}</dc:identifier>`,
        `<pdf:Producer>${xml(producer)}</pdf:Producer>`,
        '</rdf:Description>',
      ].join('\n'),
    );
  };
}

// ─── Entry points ────────────────────────────────────────────────────────────────────────────

/**
 * The unsigned attestation PDF, with an empty signature placeholder for `signPdf`. The output is
 * a function of its inputs only (dates come from the content), so it can be rebuilt and compared.
 */
export async function renderAttestationPdf(input: AttestationContent, attachments: readonly AttestationAttachment[], options: RenderOptions = {}): Promise<Uint8Array> {
  const problems = checkAttestationContent(input);
  if (problems.length > 0) throw new Error(`attestation content is not fit to sign:\n- ${problems.join('\n- ')}`);
  const fontDir = options.fontDir ?? defaultFontDir();
  const issued = new Date(input.report.issuedAt);
  const title = `Attestation ${input.report.id}: ${input.case.title}`;
  const producer = `${input.tool.name} ${input.tool.version} (PDFKit)`;
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    // 1.7 so pdfkit writes the XMP stream; the header becomes 2.0 below (ISO 32002 extends PDF 2.0).
    pdfVersion: '1.7',
    font: join(fontDir, FONT_FILES.body),
    lang: 'en',
    displayTitle: true,
    info: {
      Title: title,
      Author: input.examiner.name,
      Subject: `Integrity verification of sealed Kubernetes audit logs, case ${input.case.number}`,
      Keywords: `sealcheck; attestation; ${input.case.number}; ${input.report.id}`,
      Creator: `${input.tool.name} ${input.tool.version}`,
      Producer: producer,
      CreationDate: issued,
      ModDate: issued,
    },
  });
  for (const [name, file] of Object.entries(FONT_FILES)) doc.registerFont(name, join(fontDir, file));
  const chunks: Uint8Array[] = [];
  const done = new Promise<void>((resolveDone, reject) => {
    doc.on('data', (chunk: Uint8Array) => chunks.push(chunk));
    doc.on('end', () => resolveDone());
    doc.on('error', reject);
  });

  const l = new Layout(doc);
  firstPage(l, input, attachments);
  l.newPage();
  const contentsAt = l.y;
  l.space(CONTENTS_HEIGHT);
  caseSection(l, input);
  evidenceSection(l, input);
  toolSection(l, input);
  trustSection(l, input);
  methodAndResultSection(l, input);
  findingsSection(l, input);
  limitationsSection(l, input);
  activitySection(l, input);
  declarationSection(l, input);
  signaturesSection(l, input, attachments);
  verifySection(l, input);
  reproducibilityAppendix(l, input);
  glossaryAppendix(l);

  contents(l, contentsAt);
  decoratePages(doc, input);
  doc.switchToPage(0);
  embedAttachments(doc, attachments, issued);
  useEscapedXmp(doc, input, title, producer);
  addSignaturePlaceholder(doc, {
    signingTime: options.signingTime ?? issued,
    signerName: input.examiner.name,
    reason: `Attestation ${input.report.id} for case ${input.case.number}`,
    location: input.examiner.organisation,
    ...(input.examiner.email ? { contactInfo: input.examiner.email } : {}),
    app: { name: input.tool.name, version: input.tool.version },
    ...(options.contentsBytes ? { contentsBytes: options.contentsBytes } : {}),
  });
  doc.end();
  await done;

  const pdf = new Uint8Array(Buffer.concat(chunks));
  const header = new TextDecoder('latin1').decode(pdf.subarray(0, 8));
  if (header !== '%PDF-1.7') throw new Error(`unexpected PDF header ${JSON.stringify(header)}`);
  pdf.set(new TextEncoder().encode('2.0'), 5);
  return pdf;
}

export interface SignedRenderOptions extends RenderOptions, SignOptions {
  /** The examiner's 32-byte Ed25519 seed. */
  seed: Uint8Array;
  /** Defaults to a self-signed certificate for the examiner, valid from issue for ten years. */
  certificateDer?: Uint8Array;
}

/** Renders and signs in one step: what `sealcheck attest` writes. */
export async function renderSignedAttestationPdf(
  input: AttestationContent,
  attachments: readonly AttestationAttachment[],
  options: SignedRenderOptions,
): Promise<{ pdf: Uint8Array; certificateDer: Uint8Array }> {
  const issued = new Date(input.report.issuedAt);
  const certificateDer =
    options.certificateDer ??
    makeExaminerCertificate({
      seed: options.seed,
      commonName: input.examiner.name,
      title: input.examiner.role,
      organisation: input.examiner.organisation,
      ...(input.examiner.email ? { email: input.examiner.email } : {}),
      notBefore: issued,
      notAfter: new Date(Date.UTC(issued.getUTCFullYear() + 10, issued.getUTCMonth(), issued.getUTCDate())),
    });
  const unsigned = await renderAttestationPdf(input, attachments, options);
  const signOptions: SignOptions = options.signingTimeAttribute === undefined ? {} : { signingTimeAttribute: options.signingTimeAttribute };
  return { pdf: signPdf(unsigned, options.seed, certificateDer, signOptions), certificateDer };
}
