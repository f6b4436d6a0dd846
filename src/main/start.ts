import '../adapters/memory-first.js';
import { app, dialog } from 'electron';

// The app's first module (electron.vite.config.ts bundles it as out/main/index.js): V8's memory
// settings first (adapters/memory-first.ts), then the composition root, loaded only once they
// are in force. A bundle's static imports all evaluate before its entry's body, so the rest must
// be a dynamic import, and an awaited one: Electron emits `ready` once its entry module has
// finished evaluating, top-level await included, and what index.ts does before ready
// (app.setPath, the single-instance lock, the app:// scheme) must come first. index.ts shows its
// own failures to start; this shows the module failing to load at all.
try {
  await import('./index.js');
} catch (error) {
  dialog.showErrorBox('CloudRig could not start', error instanceof Error ? (error.stack ?? error.message) : String(error));
  app.exit(1);
}
