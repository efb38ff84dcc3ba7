// Builds the renderer (renderer/ → dist/renderer/) for the app:// protocol: relative URLs, nothing fetched from the network.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  // Absolute, so the UI tests can build from any working directory.
  root: fileURLToPath(new URL('./renderer', import.meta.url)),
  // app:// serves the files from a folder; relative URLs keep them working whatever the mount point.
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist/renderer', import.meta.url)),
    emptyOutDir: true,
    // The polyfill would add code for old browsers; Electron's Chromium has modulepreload, and CSP forbids anything inline.
    modulePreload: { polyfill: false },
    // Never inline assets as data: URLs, so the CSP needs no data: source.
    assetsInlineLimit: 0,
    sourcemap: true,
    target: 'chrome130',
  },
  server: { host: '127.0.0.1' },
});
