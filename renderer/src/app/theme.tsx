// Light and dark themes: follows the system until the examiner picks one, and remembers the pick.
import { useEffect, useState } from 'react';

type Theme = 'system' | 'light' | 'dark';
const KEY = 'sealcheck.theme';
const NEXT: Record<Theme, Theme> = { system: 'light', light: 'dark', dark: 'system' };
const LABEL: Record<Theme, string> = { system: 'System', light: 'Light', dark: 'Dark' };

function stored(): Theme {
  try {
    const t = localStorage.getItem(KEY);
    return t === 'light' || t === 'dark' ? t : 'system';
  } catch {
    return 'system';
  }
}

/** Applies a theme before React renders, so the first frame is already in the right colours. */
export function applyStoredTheme(): void {
  apply(stored());
}

function apply(t: Theme): void {
  // No attribute means "follow prefers-color-scheme" (tokens.css).
  if (t === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = t;
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(stored);
  useEffect(() => {
    apply(theme);
    try {
      if (theme === 'system') localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, theme);
    } catch {
      // Storage unavailable: the choice lasts for this window only.
    }
  }, [theme]);
  return (
    <button type="button" className="btn btn-sm btn-ghost theme-toggle" onClick={() => setTheme(NEXT[theme])} aria-label={`Theme: ${LABEL[theme]}. Switch to ${LABEL[NEXT[theme]]}`}>
      <span aria-hidden="true">◐</span> Theme: {LABEL[theme]}
    </button>
  );
}
