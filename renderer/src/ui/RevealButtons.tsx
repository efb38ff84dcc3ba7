// "Open …" and "Show in folder" for a file the app wrote (a signed report, a proof): the backend opens it with the system, the outcome is announced.
import { useState } from 'react';
import { api, errorText } from '../api.ts';

export function RevealButtons({ path, what, open = true }: { path: string; what: string; open?: boolean }) {
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const reveal = async (how: 'open' | 'folder') => {
    if (busy) return;
    setBusy(true);
    setMessage('');
    try {
      await api.revealFile(path, how);
      setMessage(how === 'open' ? `Opened the ${what} in its viewer.` : `Showed the ${what} in its folder.`);
    } catch (e) {
      setMessage(`Could not ${how === 'open' ? 'open' : 'show'} the ${what}: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="btn-row reveal-buttons">
      {open ? (
        <button type="button" className="btn btn-sm" onClick={() => void reveal('open')} aria-disabled={busy}>
          Open {what}
        </button>
      ) : null}
      {/* The accessible name starts with the visible words (WCAG 2.5.3) and says which file. */}
      <button type="button" className="btn btn-sm" onClick={() => void reveal('folder')} aria-disabled={busy} aria-label={`Show in folder: the ${what}`}>
        Show in folder
      </button>
      {/* Present and empty before anything happens, so screen readers announce what is written into it. */}
      <span className="small muted" role="status">
        {message}
      </span>
    </div>
  );
}
