// Moving focus on purpose: after a view changes or a control disappears, focus goes to what the examiner needs next, never to <body>.

/** Elements that are not focusable by nature get tabindex=-1: focusable by script, not an extra Tab stop. */
function focusable(el: HTMLElement): HTMLElement {
  if (el.tabIndex < 0 && !el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  return el;
}

/**
 * Focuses the first element matching `selector` (under `root`, the document by default) once React has rendered it:
 * tried on the next frames for a short while, since the element often appears with the state change that asks for it.
 */
export function focusSoon(selector: string, root?: () => ParentNode | null): void {
  let tries = 0;
  let done: HTMLElement | null = null;
  const attempt = () => {
    // Focused already, and still in the document: done. A target replaced by the same render (a card swapped for
    // another with the same heading) is found and focused again, rather than leaving focus on <body>.
    if (done && done.isConnected) {
      if (++tries < 30) requestAnimationFrame(attempt);
      return;
    }
    const el = (root?.() ?? document).querySelector<HTMLElement>(selector);
    if (el && el.getClientRects().length > 0) {
      focusable(el).focus();
      done = el;
    }
    if (++tries < 30) requestAnimationFrame(attempt);
  };
  requestAnimationFrame(attempt);
}

/** The first field marked invalid in a form gets focus, so its message (aria-describedby) is read at once. */
export function focusFirstInvalid(form: ParentNode | null | undefined): void {
  if (form) focusSoon('[aria-invalid="true"]', () => form);
}
