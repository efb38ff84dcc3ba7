// The shared components every screen is built from: fields, badges, banners, tabs, hashes, progress, cards.
import { useId, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import type { EntryStatus } from '../../../shared/api.ts';
import type { Verdict } from '../../../shared/core/report.ts';
import { hexGroups, percent } from '../lib/format.ts';

// ---------- fields ----------

interface TextFieldProps {
  label: string;
  value: string;
  onChange: (v: string) => void;
  hint?: ReactNode;
  placeholder?: string;
  required?: boolean;
  mono?: boolean;
  size?: 'sm' | 'md';
  /** 'password' never shows what is typed (passphrases). */
  type?: 'text' | 'number' | 'search' | 'password';
  /** What is wrong with the value, shown under the field and read with it (aria-describedby, aria-invalid); null when fine. */
  error?: string | null;
  /** Marks the field invalid when its hint already says why (prefer `error`). */
  invalid?: boolean;
  list?: string;
  className?: string;
  min?: number;
  max?: number;
  autoFocus?: boolean;
  onEnter?: () => void;
  onEscape?: () => void;
  name?: string;
  /** A button that belongs to the input (Choose…, Open), kept on the input's line whatever the hint. */
  addon?: ReactNode;
}

export function TextField(p: TextFieldProps) {
  const id = useId();
  const describedBy = describedByOf(id, !!p.hint, !!p.error);
  return (
    <div className={`field ${p.className ?? ''}`}>
      <label htmlFor={id}>
        {p.label}
        {p.required ? <span aria-hidden="true"> *</span> : null}
      </label>
      {p.addon ? <div className="input-addon-row">{input(p, id, describedBy)}{p.addon}</div> : input(p, id, describedBy)}
      <FieldNotes id={id} hint={p.hint} error={p.error} />
    </div>
  );
}

/** The hint and the error of a field, with the ids its control points at. */
function FieldNotes({ id, hint, error }: { id: string; hint?: ReactNode; error?: string | null }) {
  return (
    <>
      {hint ? (
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      ) : null}
      {error ? (
        <span id={`${id}-error`} className="field-error">
          <span aria-hidden="true">✗ </span>
          {error}
        </span>
      ) : null}
    </>
  );
}

function describedByOf(id: string, hint: boolean, error: boolean): string | undefined {
  const ids = [error ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ');
  return ids || undefined;
}

/** A multi-line text field (pasted keys and checkpoints) with the same label, hint and error as TextField. */
export function TextAreaField(p: { label: string; value: string; onChange: (v: string) => void; placeholder?: string; hint?: ReactNode; error?: string | null; className?: string }) {
  const id = useId();
  return (
    <div className={`field ${p.className ?? ''}`}>
      <label htmlFor={id}>{p.label}</label>
      <textarea
        id={id}
        className="textarea"
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        placeholder={p.placeholder}
        spellCheck={false}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={describedByOf(id, !!p.hint, !!p.error)}
      />
      <FieldNotes id={id} hint={p.hint} error={p.error} />
    </div>
  );
}

/** The input itself, shared by the plain and the with-button layouts. */
function input(p: TextFieldProps, id: string, describedBy: string | undefined) {
  return (
    <input
      id={id}
      name={p.name}
      className={`input ${p.size === 'sm' ? 'input-sm' : ''} ${p.mono ? 'mono' : ''}`}
      type={p.type ?? 'text'}
      value={p.value}
      placeholder={p.placeholder}
      required={p.required}
      aria-invalid={p.invalid || p.error ? true : undefined}
      aria-describedby={describedBy}
      list={p.list}
      min={p.min}
      max={p.max}
      autoFocus={p.autoFocus}
      spellCheck={false}
      autoComplete={p.type === 'password' ? 'new-password' : 'off'}
      onChange={(e) => p.onChange(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter' && p.onEnter) {
          e.preventDefault();
          p.onEnter();
        } else if (e.key === 'Escape' && p.onEscape) {
          e.preventDefault();
          p.onEscape();
        }
      }}
    />
  );
}

interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onChange: (v: T) => void;
  size?: 'sm' | 'md';
  className?: string;
}

export function SelectField<T extends string>(p: SelectFieldProps<T>) {
  const id = useId();
  return (
    <div className={`field ${p.className ?? ''}`}>
      <label htmlFor={id}>{p.label}</label>
      <select id={id} className={`select ${p.size === 'sm' ? 'select-sm' : ''}`} value={p.value} onChange={(e) => p.onChange(e.target.value as T)}>
        {p.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

// ---------- buttons ----------

/**
 * A button that is unavailable while something runs: aria-disabled rather than disabled, so it keeps focus (a disabled
 * button drops it to <body>) and is still announced, with a reason; activating it does nothing.
 */
export function BusyButton({ busy, onClick, className, children, type = 'button', label, busyReason }: { busy: boolean; onClick?: () => void; className?: string; children: ReactNode; type?: 'button' | 'submit'; label?: string; busyReason?: string }) {
  return (
    <button
      type={type}
      className={className ?? 'btn'}
      aria-disabled={busy || undefined}
      aria-label={label}
      title={busy ? busyReason : undefined}
      onClick={(e) => {
        if (busy) {
          e.preventDefault();
          return;
        }
        onClick?.();
      }}
    >
      {children}
    </button>
  );
}

// ---------- badges ----------

export type Tone = 'ok' | 'warn' | 'danger' | 'info' | 'neutral';

export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge ${tone === 'neutral' ? '' : `badge-${tone}`}`} title={title}>
      {children}
    </span>
  );
}

export const VERDICT_TONE: Record<Verdict, Tone> = { verified: 'ok', failed: 'danger', incomplete: 'warn' };
// A symbol as well as a colour: a verdict must never be told by colour alone.
export const VERDICT_ICON: Record<Verdict, string> = { verified: '✓', failed: '✗', incomplete: '!' };
export const VERDICT_WORD: Record<Verdict, string> = { verified: 'Verified', failed: 'Failed', incomplete: 'Incomplete' };

export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <Badge tone={VERDICT_TONE[verdict]}>
      <span aria-hidden="true">{VERDICT_ICON[verdict]}</span> {VERDICT_WORD[verdict]}
    </Badge>
  );
}

const STATUS_TONE: Record<EntryStatus, Tone> = { covered: 'ok', unsigned: 'warn', failed: 'danger' };

export function StatusBadge({ status }: { status: EntryStatus }) {
  return <Badge tone={STATUS_TONE[status]}>{status}</Badge>;
}

export function SeverityBadge({ severity }: { severity: 'error' | 'warning' }) {
  return <Badge tone={severity === 'error' ? 'danger' : 'warn'}>{severity}</Badge>;
}

// ---------- banners ----------

const BANNER_ICON: Record<Exclude<Tone, 'neutral'>, string> = { ok: '✓', warn: '!', danger: '✗', info: 'i' };

export function Banner({ tone, title, children, role, id }: { tone: Exclude<Tone, 'neutral'>; title?: ReactNode; children?: ReactNode; role?: 'alert' | 'status'; id?: string }) {
  return (
    <div className={`banner banner-${tone}`} role={role} id={id}>
      <span className="banner-icon" aria-hidden="true">
        {BANNER_ICON[tone]}
      </span>
      <div className="banner-body">
        {title ? <div className="banner-title">{title}</div> : null}
        {children ? <div>{children}</div> : null}
      </div>
    </div>
  );
}

export function ErrorBanner({ error }: { error: string | null }) {
  return error ? (
    <Banner tone="danger" role="alert" title="That did not work">
      {error}
    </Banner>
  ) : null;
}

// ---------- tabs (WAI-ARIA tabs pattern: roving tabindex, arrows, Home/End) ----------

export interface TabItem<T extends string> {
  id: T;
  label: ReactNode;
}

export function Tabs<T extends string>(p: {
  items: readonly TabItem<T>[];
  selected: T;
  onSelect: (id: T) => void;
  label: string;
  idPrefix: string;
  orientation?: 'horizontal' | 'vertical';
  className?: string;
  tabClassName?: string;
}) {
  const refs = useRef(new Map<T, HTMLButtonElement>());
  const vertical = p.orientation === 'vertical';
  const onKey = (e: KeyboardEvent) => {
    const i = p.items.findIndex((t) => t.id === p.selected);
    const next = vertical ? 'ArrowDown' : 'ArrowRight';
    const prev = vertical ? 'ArrowUp' : 'ArrowLeft';
    let j = -1;
    if (e.key === next) j = (i + 1) % p.items.length;
    else if (e.key === prev) j = (i - 1 + p.items.length) % p.items.length;
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = p.items.length - 1;
    if (j < 0) return;
    e.preventDefault();
    const t = p.items[j]!;
    p.onSelect(t.id);
    refs.current.get(t.id)?.focus();
  };
  return (
    <div role="tablist" aria-label={p.label} aria-orientation={p.orientation ?? 'horizontal'} className={p.className ?? 'tabs'} onKeyDown={onKey}>
      {p.items.map((t) => (
        <button
          key={t.id}
          ref={(el) => {
            if (el) refs.current.set(t.id, el);
            else refs.current.delete(t.id);
          }}
          type="button"
          role="tab"
          id={`${p.idPrefix}-tab-${t.id}`}
          aria-controls={`${p.idPrefix}-panel-${t.id}`}
          aria-selected={t.id === p.selected}
          tabIndex={t.id === p.selected ? 0 : -1}
          className={p.tabClassName ?? 'tab'}
          onClick={() => p.onSelect(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function TabPanel({ idPrefix, id, selected, children, className }: { idPrefix: string; id: string; selected: boolean; children: ReactNode; className?: string }) {
  return (
    <div role="tabpanel" id={`${idPrefix}-panel-${id}`} aria-labelledby={`${idPrefix}-tab-${id}`} hidden={!selected} className={className ?? 'tab-panel'}>
      {selected ? children : null}
    </div>
  );
}

// ---------- hashes ----------

/**
 * A hex hash or fingerprint in monospace groups of four. The groups are separated by margins, not spaces, so
 * selecting and copying gives the hash unbroken; the accessible name is the whole hash too.
 */
export function Hash({ hex, label, inline = false }: { hex: string | null | undefined; label?: string; inline?: boolean }) {
  if (!hex) return <span className="muted">—</span>;
  return (
    <span className={`hash ${inline ? 'hash-inline' : 'hash-grid'}`} aria-label={label ? `${label} ${hex}` : undefined} data-hash={hex} title={hex}>
      {hexGroups(hex).map((g, i) => (
        <span key={i}>{g}</span>
      ))}
    </span>
  );
}

/**
 * A file path that wraps only after a slash, never in the middle of a name or number ("…/00000000100 / 0.ckpt" reads
 * as two numbers). Selecting and copying gives the path unchanged: <wbr> adds no character.
 */
export function PathText({ path, className }: { path: string; className?: string }) {
  const parts = path.split('/');
  return (
    <span className={`mono path ${className ?? ''}`} title={path}>
      {parts.map((part, i) => (
        <span key={i}>
          {part}
          {i < parts.length - 1 ? (
            <>
              /<wbr />
            </>
          ) : null}
        </span>
      ))}
    </span>
  );
}

// ---------- progress ----------

export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }) {
  const known = total > 0;
  const pct = percent(done, total);
  return (
    <div
      className={`progress ${known ? '' : 'progress-indeterminate'}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={known ? 100 : undefined}
      aria-valuenow={known ? Math.round(pct) : undefined}
    >
      {/* Width is set through the CSSOM (React's style prop), which the CSP's style-src allows; no style attribute is parsed. */}
      <div className="progress-bar" style={known ? { width: `${pct}%` } : undefined} />
    </div>
  );
}

// ---------- layout pieces ----------

export function Card({ title, description, actions, children, className, labelledBy }: { title?: ReactNode; description?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; labelledBy?: string }) {
  const id = useId();
  return (
    <section className={`card ${className ?? ''}`} aria-labelledby={title ? (labelledBy ?? id) : undefined}>
      {title || actions ? (
        <div className="card-head">
          <div>
            {title ? <h2 id={labelledBy ?? id} className="card-title">{title}</h2> : null}
            {description ? <p>{description}</p> : null}
          </div>
          {actions ? <div className="btn-row">{actions}</div> : null}
        </div>
      ) : null}
      {children}
    </section>
  );
}

/**
 * A wide table's box. When the window is too narrow and it scrolls sideways, it becomes a named, focusable region, so
 * it can be scrolled from the keyboard (WCAG 2.1.1); otherwise it is no extra Tab stop.
 */
export function ScrollRegion({ label, children, className }: { label: string; children: ReactNode; className?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  const measure = () => {
    const el = ref.current;
    return el !== null && el.scrollWidth > el.clientWidth + 1;
  };
  // Measured after every render of the region, before the browser runs anything else, so rows that arrive and widen
  // the table never leave a scrolling box without its Tab stop, even for one task (an assistive tool or axe may
  // look in between).
  useLayoutEffect(() => setScrolls(measure()));
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    // A resize from outside React (the window, a late font) is committed at once, not in a later task.
    const ro = new ResizeObserver(() => flushSync(() => setScrolls(measure())));
    ro.observe(el);
    if (el.firstElementChild) ro.observe(el.firstElementChild);
    return () => ro.disconnect();
  }, []);
  return (
    <div ref={ref} className={`table-wrap ${className ?? ''}`} tabIndex={scrolls ? 0 : undefined} role={scrolls ? 'region' : undefined} aria-label={scrolls ? label : undefined}>
      {children}
    </div>
  );
}

export function Empty({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <div className="empty">
      <div>{children}</div>
      {action}
    </div>
  );
}
