// The application menu: the usual roles (Edit for copy/paste), Help → About and Validate installation; no DevTools in a packaged app.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  packaged: boolean;
  platform: NodeJS.Platform;
  validateInstallation(): void;
}

export function menuTemplate(actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = actions.platform === 'darwin';
  const view: MenuItemConstructorOptions[] = [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }];
  // Reload and DevTools only while developing: a packaged app must not offer a console into the examiner's window.
  if (!actions.packaged) view.unshift({ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' });
  return [
    ...(mac ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    { label: 'File', submenu: [{ role: 'close' }, ...(mac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const])] },
    { label: 'Edit', submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }] },
    { label: 'View', submenu: view },
    { label: 'Window', submenu: [{ role: 'minimize' }, ...(mac ? [{ role: 'zoom' } as const, { role: 'front' } as const] : [])] },
    {
      role: 'help',
      submenu: [
        { label: 'Validate installation…', id: 'validate-installation', click: () => actions.validateInstallation() },
        { type: 'separator' },
        { role: 'about' },
      ],
    },
  ];
}
